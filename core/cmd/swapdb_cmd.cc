// SWAPDB index1 index2: exchanges the contents (keys and TTLs) of two
// databases, like Redis 7.0's db.c swapdbCommand / dbSwapDatabases. Clients
// stay on the database number they selected, so they see the other data set
// afterwards; their WATCHes are invalidated the way touchAllWatchedKeysInDb
// decides.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/cmd/command_table.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// getIntFromObjectOrReply() with a custom message: that message covers both
// a non-integer and an integer outside the int range.
std::optional<int> ParseIntArg(CommandContext& ctx, std::string_view arg, std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

void SwapDb(CommandContext& ctx) {
  auto a = ParseIntArg(ctx, ctx.argv[1], "ERR invalid first DB index");
  if (!a) return;
  auto b = ParseIntArg(ctx, ctx.argv[2], "ERR invalid second DB index");
  if (!b) return;
  auto valid = [](int db) { return db >= 0 && db < Keyspace::kNumDbs; };
  if (!valid(*a) || !valid(*b)) return ctx.reply.Error("ERR DB index is out of range");
  if (*a != *b) {
    // Both directions are judged before anything moves, as Redis does.
    ctx.server.TouchWatchedOnSwap(*a, *b);
    ctx.server.TouchWatchedOnSwap(*b, *a);
    ctx.keyspace().SwapDbs(*a, *b);
  }
  // Swapping a database with itself still counts as a change in Redis.
  ctx.server.add_dirty(1);
  ctx.reply.Ok();
}

}  // namespace

void RegisterSwapDbCommand(CommandTable& t) {
  t.Add(MakeSpec("swapdb", 3, kCmdWrite | kCmdFast, SwapDb, "server", "4.0.0", "index1 index2",
                 "Exchanges all keys and TTLs of two databases."));
}

}  // namespace plab
