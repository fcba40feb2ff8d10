// MEMORY USAGE and MEMORY HELP (object.c memoryCommand in Redis 7.0).
//
// redis-cli --memkeys sends MEMORY USAGE for every key it scans, and some
// client tools call it to size keys. The byte counts come from
// core/server/memory_estimate.h: PersistLab's own structures, not Redis's
// allocator, so the numbers are estimates in the same spirit as Redis's
// (which samples nested values) but never equal to what Redis would print.
// Argument checking, nil for a missing key and the reply types match Redis.
#include <cstdint>
#include <string>

#include "core/cmd/command_table.h"
#include "core/cmd/server_family.h"
#include "core/server/memory_estimate.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// Heap bytes a std::string owns beyond the object (none while it fits the
// small-string buffer).
int64_t StringHeapBytes(const std::string& s) {
  return s.capacity() > 15 ? static_cast<int64_t>(s.capacity()) + 1 : 0;
}

// MEMORY USAGE key [SAMPLES count]. Like Redis, the options are checked
// before the key is looked up, a negative count is a syntax error, and the
// key is read straight from the table: no lazy expiry, no hit/miss counting.
void MemoryUsage(CommandContext& ctx) {
  auto& argv = ctx.argv;
  // Options come in pairs: SAMPLES <count>.
  for (size_t j = 3; j < argv.size(); j += 2) {
    if (!EqualsIgnoreCase(argv[j], "samples") || j + 1 >= argv.size()) return ctx.Syntax();
    auto samples = ParseInt64(argv[j + 1]);
    if (!samples) return ctx.NotInteger();
    if (*samples < 0) return ctx.Syntax();
    // The estimator samples at most a fixed number of elements per value
    // whatever the count (0 means "all" in Redis); the count is validated only.
  }
  const auto* node = ctx.keyspace().keys(ctx.db()).FindNode(argv[2]);
  if (node == nullptr) return ctx.reply.Null();
  // The table node (key object, value object, chain pointer), the key's own
  // bytes and whatever the value owns: Redis adds the dictEntry and the key
  // sds to objectComputeSize() in the same way.
  const int64_t usage = static_cast<int64_t>(sizeof(*node)) + StringHeapBytes(node->key) +
                        EstimateValueBytes(node->value);
  ctx.reply.Integer(usage);
}

void MemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply, "MEMORY",
            {"USAGE <key> [SAMPLES <count>]",
             "    Estimates the bytes <key> and its value occupy. <count> is accepted for",
             "    compatibility; large values are always estimated from a sample."});
}

// MEMORY alone never reaches a handler (arity -2 requires a subcommand).
void MemoryContainer(CommandContext& ctx) { MemoryHelp(ctx); }

}  // namespace

void RegisterMemoryCommands(CommandTable& t) {
  CommandSpec memory =
      MakeSpec("memory", -2, 0, MemoryContainer, "server", "4.0.0", "<subcommand> [arg ...]",
               "Container for commands that report memory use.");
  memory.subcommands.push_back(
      MakeSpec("usage", -3, kCmdReadOnly, MemoryUsage, "server", "4.0.0", "key [SAMPLES count]",
               "Estimates the memory a key and its value occupy.", 2, 2, 1));
  memory.subcommands.push_back(MakeSpec("help", 2, kCmdLoading | kCmdStale, MemoryHelp, "server",
                                        "4.0.0", "", "Lists the MEMORY subcommands."));
  t.Add(std::move(memory));
}

}  // namespace plab
