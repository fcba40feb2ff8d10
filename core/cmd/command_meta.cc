// Facts about commands that COMMAND INFO reports and CommandSpec does not
// carry: flags without a CommandFlag bit, ACL categories and command tips.
//
// ACL categories follow Redis 7.0's rule (setImplicitACLCategories()): flags
// imply @write @read @admin+@dangerous @pubsub @fast (and @slow when not
// fast), and each command group adds its data-type category (@string for
// string commands ...); container commands get no group category. The few
// commands whose categories differ from that rule, and the commands that
// have tips, are listed in kMeta below (taken from Redis 7.0.15's COMMAND
// output).
#include <algorithm>
#include <array>
#include <string>

#include "core/cmd/server_family.h"

namespace plab {
namespace {

// ACL categories, in the order Redis prints them (ACLCommandCategories).
enum Category : uint32_t {
  kCatKeyspace = 1 << 0,
  kCatRead = 1 << 1,
  kCatWrite = 1 << 2,
  kCatSet = 1 << 3,
  kCatSortedSet = 1 << 4,
  kCatList = 1 << 5,
  kCatHash = 1 << 6,
  kCatString = 1 << 7,
  kCatBitmap = 1 << 8,
  kCatHyperLogLog = 1 << 9,
  kCatGeo = 1 << 10,
  kCatStream = 1 << 11,
  kCatPubsub = 1 << 12,
  kCatAdmin = 1 << 13,
  kCatFast = 1 << 14,
  kCatSlow = 1 << 15,
  kCatBlocking = 1 << 16,
  kCatDangerous = 1 << 17,
  kCatConnection = 1 << 18,
  kCatTransaction = 1 << 19,
  kCatScripting = 1 << 20,
};
constexpr std::string_view kCategoryNames[] = {
    "@keyspace",   "@read",        "@write",    "@set",         "@sortedset", "@list",
    "@hash",       "@string",      "@bitmap",   "@hyperloglog", "@geo",       "@stream",
    "@pubsub",     "@admin",       "@fast",     "@slow",        "@blocking",  "@dangerous",
    "@connection", "@transaction", "@scripting"};

// Flags CommandSpec has no bit for.
enum MetaFlag : uint32_t {
  kMetaBlocking = 1 << 0,
  kMetaMovableKeys = 1 << 1,
  kMetaNoMandatoryKeys = 1 << 2,
  kMetaNoAsyncLoading = 1 << 3,
  kMetaAsking = 1 << 4,
};

struct Meta {
  std::string_view name;  // full name, "client|list"
  uint32_t flags;         // MetaFlag bits
  uint32_t add;           // categories beyond the rule
  uint32_t remove;        // categories the rule gives but Redis does not
  std::string_view tips;  // space separated
};

constexpr Meta kMeta[] = {
    {"bgrewriteaof", kMetaNoAsyncLoading, 0, 0, ""},
    {"bgsave", kMetaNoAsyncLoading, 0, 0, ""},
    {"blmove", kMetaBlocking, kCatBlocking, 0, ""},
    {"blmpop", kMetaBlocking | kMetaMovableKeys, kCatBlocking, 0, ""},
    {"blpop", kMetaBlocking, kCatBlocking, 0, ""},
    {"brpop", kMetaBlocking, kCatBlocking, 0, ""},
    {"brpoplpush", kMetaBlocking, kCatBlocking, 0, ""},
    {"bzmpop", kMetaBlocking | kMetaMovableKeys, kCatBlocking, 0, ""},
    {"bzpopmax", kMetaBlocking, kCatBlocking, 0, ""},
    {"bzpopmin", kMetaBlocking, kCatBlocking, 0, ""},
    {"client|info", 0, 0, 0, "nondeterministic_output"},
    {"client|list", 0, 0, 0, "nondeterministic_output"},
    {"command", 0, kCatConnection, 0, "nondeterministic_output_order"},
    {"command|count", 0, kCatConnection, 0, ""},
    {"command|docs", 0, kCatConnection, 0, "nondeterministic_output_order"},
    {"command|getkeys", 0, kCatConnection, 0, ""},
    {"command|getkeysandflags", 0, kCatConnection, 0, ""},
    {"command|help", 0, kCatConnection, 0, ""},
    {"command|info", 0, kCatConnection, 0, "nondeterministic_output_order"},
    {"command|list", 0, kCatConnection, 0, "nondeterministic_output_order"},
    {"config|set", 0, 0, 0, "request_policy:all_nodes response_policy:all_succeeded"},
    {"dbsize", 0, kCatKeyspace, 0, "request_policy:all_shards response_policy:agg_sum"},
    {"del", 0, 0, 0, "request_policy:multi_shard response_policy:agg_sum"},
    {"dump", 0, 0, 0, "nondeterministic_output"},
    {"eval", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, 0, ""},
    {"eval_ro", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, kCatRead, ""},
    {"evalsha", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, 0, ""},
    {"evalsha_ro", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, kCatRead, ""},
    {"exists", 0, 0, 0, "request_policy:multi_shard response_policy:agg_sum"},
    {"fcall", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, 0, ""},
    {"fcall_ro", kMetaNoMandatoryKeys | kMetaMovableKeys, 0, kCatRead, ""},
    {"flushall", 0, kCatKeyspace | kCatDangerous, 0,
     "request_policy:all_shards response_policy:all_succeeded"},
    {"flushdb", 0, kCatKeyspace | kCatDangerous, 0,
     "request_policy:all_shards response_policy:all_succeeded"},
    {"georadius", kMetaMovableKeys, 0, 0, ""},
    {"georadiusbymember", kMetaMovableKeys, 0, 0, ""},
    {"hgetall", 0, 0, 0, "nondeterministic_output_order"},
    {"hkeys", 0, 0, 0, "nondeterministic_output_order"},
    {"hrandfield", 0, 0, 0, "nondeterministic_output"},
    {"hscan", 0, 0, 0, "nondeterministic_output"},
    {"hvals", 0, 0, 0, "nondeterministic_output_order"},
    {"info", 0, kCatDangerous, 0,
     "nondeterministic_output request_policy:all_shards response_policy:special"},
    {"keys", 0, kCatDangerous, 0, "request_policy:all_shards nondeterministic_output_order"},
    {"lastsave", 0, kCatAdmin | kCatDangerous, 0, "nondeterministic_output"},
    {"lmpop", kMetaMovableKeys, 0, 0, ""},
    {"mget", 0, 0, 0, "request_policy:multi_shard"},
    {"migrate", kMetaMovableKeys, kCatDangerous, 0, "nondeterministic_output"},
    {"mset", 0, 0, 0, "request_policy:multi_shard response_policy:all_succeeded"},
    {"msetnx", 0, 0, 0, "request_policy:multi_shard response_policy:agg_min"},
    {"object|encoding", 0, 0, 0, "nondeterministic_output"},
    {"object|freq", 0, 0, 0, "nondeterministic_output"},
    {"object|idletime", 0, 0, 0, "nondeterministic_output"},
    {"object|refcount", 0, 0, 0, "nondeterministic_output"},
    {"ping", 0, 0, 0, "request_policy:all_shards response_policy:all_succeeded"},
    {"pttl", 0, 0, 0, "nondeterministic_output"},
    {"randomkey", 0, 0, 0, "request_policy:all_shards nondeterministic_output"},
    {"replicaof", kMetaNoAsyncLoading, 0, 0, ""},
    {"restore", 0, kCatDangerous, 0, ""},
    {"restore-asking", kMetaAsking, kCatKeyspace | kCatDangerous, 0, ""},
    {"role", 0, kCatAdmin | kCatDangerous, 0, ""},
    {"save", kMetaNoAsyncLoading, 0, 0, ""},
    {"scan", 0, 0, 0, "nondeterministic_output request_policy:special"},
    {"sdiff", 0, 0, 0, "nondeterministic_output_order"},
    {"sinter", 0, 0, 0, "nondeterministic_output_order"},
    {"sintercard", kMetaMovableKeys, 0, 0, ""},
    {"slaveof", kMetaNoAsyncLoading, 0, 0, ""},
    {"smembers", 0, 0, 0, "nondeterministic_output_order"},
    {"sort", kMetaMovableKeys, kCatSet | kCatSortedSet | kCatList | kCatDangerous, kCatKeyspace,
     ""},
    {"sort_ro", kMetaMovableKeys, kCatSet | kCatSortedSet | kCatList | kCatDangerous, kCatKeyspace,
     ""},
    {"spop", 0, 0, 0, "nondeterministic_output"},
    {"srandmember", 0, 0, 0, "nondeterministic_output"},
    {"sscan", 0, 0, 0, "nondeterministic_output"},
    {"sunion", 0, 0, 0, "nondeterministic_output_order"},
    {"swapdb", 0, kCatKeyspace | kCatDangerous, 0, ""},
    {"time", 0, 0, 0, "nondeterministic_output"},
    {"touch", 0, 0, 0, "request_policy:multi_shard response_policy:agg_sum"},
    {"ttl", 0, 0, 0, "nondeterministic_output"},
    {"unlink", 0, 0, 0, "request_policy:multi_shard response_policy:agg_sum"},
    {"wait", 0, kCatConnection, kCatKeyspace, "request_policy:all_shards response_policy:agg_min"},
    {"xadd", 0, 0, 0, "nondeterministic_output"},
    {"xautoclaim", 0, 0, 0, "nondeterministic_output"},
    {"xclaim", 0, 0, 0, "nondeterministic_output"},
    {"xpending", 0, 0, 0, "nondeterministic_output"},
    {"xread", kMetaBlocking | kMetaMovableKeys, kCatBlocking, 0, ""},
    {"xreadgroup", kMetaBlocking | kMetaMovableKeys, kCatBlocking, 0, ""},
    {"xtrim", 0, 0, 0, "nondeterministic_output"},
    {"zdiff", kMetaMovableKeys, 0, 0, ""},
    {"zdiffstore", kMetaMovableKeys, 0, 0, ""},
    {"zinter", kMetaMovableKeys, 0, 0, ""},
    {"zintercard", kMetaMovableKeys, 0, 0, ""},
    {"zinterstore", kMetaMovableKeys, 0, 0, ""},
    {"zmpop", kMetaMovableKeys, 0, 0, ""},
    {"zrandmember", 0, 0, 0, "nondeterministic_output"},
    {"zscan", 0, 0, 0, "nondeterministic_output"},
    {"zunion", kMetaMovableKeys, 0, 0, ""},
    {"zunionstore", kMetaMovableKeys, 0, 0, ""},
};

// The data-type category of a command group ("sorted-set" -> @sortedset).
uint32_t GroupCategory(std::string_view group) {
  constexpr std::pair<std::string_view, uint32_t> kGroups[] = {{"generic", kCatKeyspace},
                                                               {"string", kCatString},
                                                               {"list", kCatList},
                                                               {"set", kCatSet},
                                                               {"sorted-set", kCatSortedSet},
                                                               {"sorted_set", kCatSortedSet},
                                                               {"hash", kCatHash},
                                                               {"transactions", kCatTransaction},
                                                               {"connection", kCatConnection},
                                                               {"scripting", kCatScripting},
                                                               {"hyperloglog", kCatHyperLogLog},
                                                               {"geo", kCatGeo},
                                                               {"stream", kCatStream},
                                                               {"bitmap", kCatBitmap}};
  for (const auto& [name, cat] : kGroups) {
    if (name == group) return cat;
  }
  return 0;
}

const Meta* FindMeta(std::string_view full_name) {
  for (const Meta& m : kMeta) {
    if (m.name == full_name) return &m;
  }
  return nullptr;
}

std::vector<std::string_view> FlagNames(uint32_t f, uint32_t meta) {
  const std::pair<bool, std::string_view> kOrder[] = {
      {(f & kCmdWrite) != 0, "write"},
      {(f & kCmdReadOnly) != 0, "readonly"},
      {(f & kCmdDenyOom) != 0, "denyoom"},
      {(f & kCmdAdmin) != 0, "admin"},
      {(f & kCmdPubSub) != 0, "pubsub"},
      {(f & kCmdNoScript) != 0, "noscript"},
      {(meta & kMetaBlocking) != 0, "blocking"},
      {(f & kCmdLoading) != 0, "loading"},
      {(f & kCmdStale) != 0, "stale"},
      {(f & kCmdSkipMonitor) != 0, "skip_monitor"},
      {(f & kCmdSkipSlowlog) != 0, "skip_slowlog"},
      {(meta & kMetaAsking) != 0, "asking"},
      {(f & kCmdFast) != 0, "fast"},
      {(f & kCmdNoAuth) != 0, "no_auth"},
      {(meta & kMetaNoMandatoryKeys) != 0, "no_mandatory_keys"},
      {(meta & kMetaNoAsyncLoading) != 0, "no_async_loading"},
      {(f & kCmdNoMulti) != 0, "no_multi"},
      {(meta & kMetaMovableKeys) != 0, "movablekeys"},
      {(f & kCmdAllowBusy) != 0, "allow_busy"},
  };
  std::vector<std::string_view> out;
  for (const auto& [on, name] : kOrder) {
    if (on) out.push_back(name);
  }
  return out;
}

uint32_t Categories(const CommandSpec& spec, const Meta* meta) {
  uint32_t cats = 0;
  if (spec.flags & kCmdWrite) cats |= kCatWrite;
  if (spec.flags & kCmdReadOnly) cats |= kCatRead;
  if (spec.flags & kCmdAdmin) cats |= kCatAdmin | kCatDangerous;
  if (spec.flags & kCmdPubSub) cats |= kCatPubsub;
  if (spec.flags & kCmdFast) cats |= kCatFast;
  if (spec.subcommands.empty()) cats |= GroupCategory(spec.group);
  if (meta != nullptr) cats = (cats | meta->add) & ~meta->remove;
  if (!(cats & kCatFast)) cats |= kCatSlow;
  return cats;
}

}  // namespace

CommandMeta DescribeCommand(const CommandSpec& spec) {
  const Meta* meta = FindMeta(spec.full_name);
  CommandMeta out;
  out.flags = FlagNames(spec.flags, meta != nullptr ? meta->flags : 0);
  out.movable_keys = meta != nullptr && (meta->flags & kMetaMovableKeys);
  const uint32_t cats = Categories(spec, meta);
  for (size_t i = 0; i < std::size(kCategoryNames); ++i) {
    if (cats & (1u << i)) out.categories.push_back(kCategoryNames[i]);
  }
  if (meta != nullptr) {
    std::string_view tips = meta->tips;
    while (!tips.empty()) {
      const size_t sp = tips.find(' ');
      out.tips.push_back(tips.substr(0, sp));
      tips = sp == std::string_view::npos ? std::string_view() : tips.substr(sp + 1);
    }
  }
  return out;
}

}  // namespace plab
