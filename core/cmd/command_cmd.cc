// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | HELP]: the command table
// as Redis 7.0 describes it (server.c addReplyCommandInfo and
// addReplyCommandDocs), in RESP2 shape: maps become flat arrays, sets arrays.
//
// Key specs are derived from each spec's first/last/step key positions: one
// "index" + "range" spec (or a "keynum" spec for numkeys commands such as
// ZUNIONSTORE), flagged RO+access for read-only commands and RW+update for
// writes. Redis's hand-written specs are finer (separate source and
// destination specs, INSERT/DELETE flags); the key positions they describe
// are the same.
#include <string>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/server_family.h"
#include "core/server/server.h"
#include "core/util/glob.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

// "sorted_set" -> "sorted-set": COMMAND DOCS spells groups with dashes.
std::string DocGroup(std::string group) {
  for (char& c : group) c = c == '_' ? '-' : c;
  return group;
}

void ReplyStrings(ReplyBuilder& r, const std::vector<std::string_view>& items, bool simple) {
  r.ArrayHeader(items.size());
  for (std::string_view s : items) simple ? r.Simple(s) : r.Bulk(s);
}

// Flags, ACL categories and tips are sets in RESP3 (addReplyCommandFlags,
// addReplyCommandCategories and addReplyCommandTips use addReplySetLen).
void ReplyStringSet(ReplyBuilder& r, const std::vector<std::string_view>& items, bool simple) {
  r.SetHeader(items.size());
  for (std::string_view s : items) simple ? r.Simple(s) : r.Bulk(s);
}

// Commands whose keys are counted by a numkeys argument (Redis finds them
// with getkeys procs / keynum key specs): numkeys position, and whether
// argv[1] is a destination key as well.
struct NumKeysRule {
  std::string_view name;
  int numkeys_pos;
  bool dest_first;
};
constexpr NumKeysRule kNumKeysRules[] = {
    {"zunionstore", 2, true}, {"zinterstore", 2, true}, {"zdiffstore", 2, true},
    {"zunion", 1, false},     {"zinter", 1, false},     {"zdiff", 1, false},
    {"zintercard", 1, false}, {"sintercard", 1, false}, {"lmpop", 1, false},
    {"zmpop", 1, false},      {"blmpop", 2, false},     {"bzmpop", 2, false},
    {"eval", 2, false},       {"evalsha", 2, false},    {"eval_ro", 2, false},
    {"evalsha_ro", 2, false}, {"fcall", 2, false},      {"fcall_ro", 2, false}};

const NumKeysRule* FindNumKeysRule(const CommandSpec& spec) {
  for (const NumKeysRule& rule : kNumKeysRules) {
    if (rule.name == spec.full_name) return &rule;
  }
  return nullptr;
}

// One key spec: begin at argument `index`, then either a range (lastkey
// relative to index, keystep) or a keynum (count at index + 0, keys from
// index + 1).
struct KeySpec {
  int index;
  bool keynum;
  int lastkey;
  int keystep;
};

// Key specs are nested maps (flat arrays in RESP2), as addReplyCommandKeySpecs.
void ReplyKeySpec(ReplyBuilder& r, const KeySpec& k, bool write) {
  r.MapHeader(3);
  r.Bulk("flags");
  ReplyStringSet(r,
                 write ? std::vector<std::string_view>{"RW", "update"}
                       : std::vector<std::string_view>{"RO", "access"},
                 true);
  r.Bulk("begin_search");
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk("index");
  r.Bulk("spec");
  r.MapHeader(1);
  r.Bulk("index");
  r.Integer(k.index);
  r.Bulk("find_keys");
  r.MapHeader(2);
  r.Bulk("type");
  r.Bulk(k.keynum ? "keynum" : "range");
  r.Bulk("spec");
  r.MapHeader(3);
  r.Bulk(k.keynum ? "keynumidx" : "lastkey");
  r.Integer(k.keynum ? 0 : k.lastkey);
  r.Bulk(k.keynum ? "firstkey" : "keystep");
  r.Integer(k.keynum ? 1 : k.keystep);
  r.Bulk(k.keynum ? "keystep" : "limit");
  r.Integer(k.keynum ? 1 : 0);
}

void ReplyKeySpecs(ReplyBuilder& r, const CommandSpec& spec) {
  std::vector<KeySpec> specs;
  const bool write = (spec.flags & kCmdWrite) != 0;
  if (const NumKeysRule* rule = FindNumKeysRule(spec)) {
    if (rule->dest_first) specs.push_back({1, false, 0, 1});
    specs.push_back({rule->numkeys_pos, true, 0, 0});
  } else if (spec.first_key > 0) {
    // Key specs count the last key from the first one (or from the end).
    const int last = spec.last_key >= 0 ? spec.last_key - spec.first_key : spec.last_key;
    specs.push_back({spec.first_key, false, last, spec.key_step});
  }
  r.SetHeader(specs.size());
  for (const KeySpec& k : specs) ReplyKeySpec(r, k, write);
}

void ReplyCommandInfo(ReplyBuilder& r, const CommandSpec& spec) {
  const CommandMeta meta = DescribeCommand(spec);
  r.ArrayHeader(10);
  r.Bulk(spec.full_name);
  r.Integer(spec.arity);
  ReplyStringSet(r, meta.flags, true);
  r.Integer(spec.first_key);
  r.Integer(spec.last_key);
  r.Integer(spec.key_step);
  ReplyStringSet(r, meta.categories, true);
  ReplyStringSet(r, meta.tips, false);
  ReplyKeySpecs(r, spec);
  // addReplyCommandSubCommands: an empty set without subcommands, else an array.
  if (spec.subcommands.empty()) {
    r.SetHeader(0);
  } else {
    r.ArrayHeader(spec.subcommands.size());
  }
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(r, sub);
}

void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& spec) {
  // Containers document their subcommands instead of arguments.
  const bool has_args = !spec.syntax.empty() && spec.subcommands.empty();
  const bool has_subs = !spec.subcommands.empty();
  r.MapHeader(3 + (has_args ? 1 : 0) + (has_subs ? 1 : 0));
  r.Bulk("summary");
  r.Bulk(spec.summary);
  r.Bulk("since");
  r.Bulk(spec.since);
  r.Bulk("group");
  r.Bulk(DocGroup(spec.group));
  if (has_args) {
    r.Bulk("arguments");
    ReplyDocArguments(r, spec.syntax);
  }
  if (has_subs) {
    r.Bulk("subcommands");
    r.MapHeader(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      r.Bulk(sub.full_name);
      ReplyCommandDocs(r, sub);
    }
  }
}

// lookupCommandBySds(): "get" or "config|get".
const CommandSpec* LookupByFullName(const CommandRegistry& table, std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const CommandSpec* base = table.Find(name.substr(0, bar));
  if (base == nullptr) return nullptr;
  for (const CommandSpec& sub : base->subcommands) {
    if (EqualsIgnoreCase(sub.name, name.substr(bar + 1))) return &sub;
  }
  return nullptr;
}

void CommandAll(CommandContext& ctx) {
  const auto& all = ctx.server.commands().all();
  ctx.reply.ArrayHeader(all.size());
  for (const auto& spec : all) ReplyCommandInfo(ctx.reply, *spec);
}

void CommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.commands().all().size()));
}

void CommandInfo(CommandContext& ctx) {
  if (ctx.argv.size() == 2) return CommandAll(ctx);
  ctx.reply.ArrayHeader(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const CommandSpec* spec = LookupByFullName(ctx.server.commands(), ctx.argv[i]);
    spec == nullptr ? ctx.reply.Null() : ReplyCommandInfo(ctx.reply, *spec);
  }
}

void CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> found;
  if (ctx.argv.size() == 2) {
    for (const auto& spec : ctx.server.commands().all()) found.push_back(spec.get());
  }
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const CommandSpec* spec = LookupByFullName(ctx.server.commands(), ctx.argv[i]);
    if (spec != nullptr) found.push_back(spec);  // unknown names are skipped
  }
  ctx.reply.MapHeader(found.size());
  for (const CommandSpec* spec : found) {
    ctx.reply.Bulk(spec->full_name);
    ReplyCommandDocs(ctx.reply, *spec);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]:
// every command and subcommand full name that passes the filter.
void CommandList(CommandContext& ctx) {
  auto& argv = ctx.argv;
  std::string kind, arg;
  if (argv.size() != 2) {
    if (argv.size() != 5 || !EqualsIgnoreCase(argv[2], "filterby")) return ctx.Syntax();
    kind = argv[3];
    arg = argv[4];
    if (!EqualsIgnoreCase(kind, "module") && !EqualsIgnoreCase(kind, "aclcat") &&
        !EqualsIgnoreCase(kind, "pattern")) {
      return ctx.Syntax();
    }
  }
  auto keep = [&](const CommandSpec& spec) {
    if (kind.empty()) return true;
    if (EqualsIgnoreCase(kind, "module")) return false;  // no modules
    if (EqualsIgnoreCase(kind, "pattern")) return GlobMatch(arg, spec.full_name, true);
    for (std::string_view cat : DescribeCommand(spec).categories) {
      if (EqualsIgnoreCase(cat.substr(1), arg)) return true;
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const auto& spec : ctx.server.commands().all()) {
    if (keep(*spec)) names.push_back(spec->full_name);
    for (const CommandSpec& sub : spec->subcommands) {
      if (keep(sub)) names.push_back(sub.full_name);
    }
  }
  ReplyStrings(ctx.reply, names, false);
}

// Key positions in `args` (args[0] is the command). False when the
// arguments don't hold the keys the command needs.
bool FindKeys(const CommandSpec& spec, const std::vector<std::string>& args,
              std::vector<size_t>* keys) {
  const int argc = static_cast<int>(args.size());
  if (const NumKeysRule* rule = FindNumKeysRule(spec)) {
    if (rule->dest_first) keys->push_back(1);
    if (rule->numkeys_pos >= argc) return false;
    const auto n = ParseInt64(args[rule->numkeys_pos]);
    if (!n || *n <= 0 || *n >= argc - rule->numkeys_pos) return false;
    for (int i = 1; i <= *n; ++i) keys->push_back(static_cast<size_t>(rule->numkeys_pos + i));
    return true;
  }
  const int last = spec.last_key >= 0 ? spec.last_key : argc + spec.last_key;
  if (spec.first_key >= argc) return false;
  for (int i = spec.first_key; i <= last && i < argc; i += std::max(spec.key_step, 1)) {
    keys->push_back(static_cast<size_t>(i));
  }
  return !keys->empty();
}

void CommandGetKeys(CommandContext& ctx) {
  std::vector<std::string> args(ctx.argv.begin() + 2, ctx.argv.end());
  bool unknown_sub = false;
  const CommandSpec* spec = ctx.server.commands().Lookup(args, &unknown_sub);
  if (spec == nullptr) return ctx.reply.Error("ERR Invalid command specified");
  const bool movable = DescribeCommand(*spec).movable_keys;
  if (spec->first_key <= 0 && !movable) {
    return ctx.reply.Error("ERR The command has no key arguments");
  }
  const int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  std::vector<size_t> keys;
  if (!FindKeys(*spec, args, &keys)) {
    return ctx.reply.Error("ERR Invalid arguments specified for command");
  }
  ctx.reply.ArrayHeader(keys.size());
  for (size_t k : keys) ctx.reply.Bulk(args[k]);
}

void CommandHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.reply, "COMMAND",
      {"(no subcommand)", "    Describes every command, like INFO for each of them.", "COUNT",
       "    Returns how many commands the server knows.", "LIST",
       "    Returns the names of all commands and subcommands.", "INFO [<command-name> ...]",
       "    Describes the named commands; with no name, all of them.", "DOCS [<command-name> ...]",
       "    Returns the documentation of the named commands; with no name, all of them.",
       "GETKEYS <full-command>", "    Returns the key arguments of a full command line."});
}

}  // namespace

CommandSpec MakeCommandCommand() {
  constexpr uint32_t kFlags = kCmdLoading | kCmdStale;
  CommandSpec command =
      MakeSpec("command", -1, kFlags, CommandAll, "server", "2.8.13", "[subcommand [arg ...]]",
               "Describes the commands this server knows.");
  auto sub = [&](const char* name, int arity, CommandHandler h, const char* since,
                 const char* syntax, const char* summary) {
    command.subcommands.push_back(
        MakeSpec(name, arity, kFlags, h, "server", since, syntax, summary));
  };
  sub("count", 2, CommandCount, "2.8.13", "", "Returns the number of commands.");
  sub("docs", -2, CommandDocs, "7.0.0", "[command-name [command-name ...]]",
      "Returns documentation for commands: summary, version, group, arguments.");
  sub("info", -2, CommandInfo, "2.8.13", "[command-name [command-name ...]]",
      "Returns arity, flags, key positions and categories of commands.");
  sub("list", -2, CommandList, "7.0.0",
      "[FILTERBY (MODULE module-name | ACLCAT category | PATTERN pattern)]",
      "Lists command names, optionally filtered.");
  sub("getkeys", -4, CommandGetKeys, "2.8.13", "command [arg [arg ...]]",
      "Returns which arguments of a full command line are keys.");
  sub("help", 2, CommandHelp, "5.0.0", "", "Describes the COMMAND subcommands.");
  return command;
}

}  // namespace plab
