// Command families for the differential test: strings, keys, databases,
// transactions and plain errors (lists, hashes, sets and sorted sets are in
// command_gen_types.cc). See command_gen.h for the overall design.
//
// Each family lists its candidate commands (all built eagerly: cheap, and it
// keeps every family a readable table) and picks one; repeating an entry
// makes it more frequent.
#include "tests/integration/command_gen.h"

#include <algorithm>
#include <utility>

namespace plab::it {
namespace {

// Relative weights: how often each family is drawn.
struct FamilyWeight {
  const char* name;
  int weight;
};
constexpr FamilyWeight kFamilyWeights[] = {
    {"strings", 4}, {"keys", 3}, {"lists", 3}, {"hashes", 3}, {"sets", 3},
    {"zsets", 4},   {"db", 1},   {"tx", 2},    {"errors", 1},
};

// Families whose commands may be queued inside MULTI.
constexpr const char* kDataFamilies[] = {"strings", "keys", "lists", "hashes", "sets", "zsets"};

constexpr char kKeyTypes[] = {'s', 'l', 'h', 't', 'z'};

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Cmd RandomPick(std::vector<std::string> argv, std::vector<std::string> content_query, bool pairs,
               bool distinct) {
  Cmd c = WithCompare(std::move(argv), Compare::kRandom);
  c.content_query = std::move(content_query);
  c.pairs = pairs;
  c.distinct = distinct;
  return c;
}

Cmd Scan(std::vector<std::string> argv, int cursor_index) {
  Cmd c = WithCompare(std::move(argv), Compare::kScan);
  c.cursor_index = cursor_index;
  return c;
}

const std::vector<std::string>& CommandGenerator::AllFamilies() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> v;
    for (const FamilyWeight& f : kFamilyWeights) v.push_back(f.name);
    return v;
  }();
  return kAll;
}

CommandGenerator::CommandGenerator(uint64_t seed, std::vector<std::string> families)
    : rng_(seed), families_(std::move(families)) {
  if (families_.empty()) families_ = AllFamilies();
}

int CommandGenerator::Int(int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng_);
}

bool CommandGenerator::Chance(double p) { return std::uniform_real_distribution<>(0, 1)(rng_) < p; }

std::vector<std::string> CommandGenerator::Cat(
    std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const std::vector<std::string>& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<Cmd> CommandGenerator::Next() {
  int total = 0;
  for (const FamilyWeight& f : kFamilyWeights) total += Has(families_, f.name) ? f.weight : 0;
  int r = Int(0, total - 1);
  for (const FamilyWeight& f : kFamilyWeights) {
    if (!Has(families_, f.name)) continue;
    if (r < f.weight) {
      if (std::string(f.name) == "tx") return Transaction();
      return {FromFamily(f.name)};
    }
    r -= f.weight;
  }
  return {Exact({"PING"})};
}

Cmd CommandGenerator::FromFamily(const std::string& family) {
  if (family == "strings") return Strings();
  if (family == "keys") return Keys();
  if (family == "lists") return Lists();
  if (family == "hashes") return Hashes();
  if (family == "sets") return Sets();
  if (family == "zsets") return ZSets();
  if (family == "db") return Db();
  return Errors();
}

// ---- Argument helpers ------------------------------------------------------

std::string CommandGenerator::Key(char type) {
  if (Chance(0.08)) type = kKeyTypes[Int(0, 4)];  // a type clash now and then
  return std::string(1, type) + ":" + Num(0, 5);
}

std::string CommandGenerator::AnyKey() {
  if (Chance(0.05)) return "nokey";
  return std::string(1, kKeyTypes[Int(0, 4)]) + ":" + Num(0, 5);
}

std::string CommandGenerator::Value() {
  static const std::vector<std::string> kValues = {"0",
                                                   "1",
                                                   "2",
                                                   "7",
                                                   "-3",
                                                   "10",
                                                   "42",
                                                   "100",
                                                   "-0",
                                                   "007",
                                                   "1.5",
                                                   "-2.25",
                                                   "3e2",
                                                   "inf",
                                                   "abc",
                                                   "foo",
                                                   "bar",
                                                   "hello world",
                                                   "",
                                                   "9223372036854775807",
                                                   "-9223372036854775808",
                                                   "18446744073709551616",
                                                   std::string("x\0y", 3),
                                                   "\xc3\xbc\xff"};
  // Now and then longer than 64 bytes: past the listpack value limit.
  if (Chance(0.03)) return std::string(static_cast<size_t>(Int(60, 130)), 'x');
  return Pick(kValues);
}

std::string CommandGenerator::Member() {
  static const std::vector<std::string> kMembers = {"a", "b", "c",  "d",  "e",   "f",   "1",
                                                    "2", "3", "-5", "10", "100", "1.5", "hello"};
  if (Chance(0.02)) return std::string(static_cast<size_t>(Int(60, 80)), 'm');
  return Pick(kMembers);
}

std::string CommandGenerator::ListElem() {
  if (Chance(0.3)) return Value();
  return Pick<std::string>({"a", "b", "c", "1", "2", "hello world"});
}

std::string CommandGenerator::Score() {
  static const std::vector<std::string> kScores = {"0", "1",  "2",    "-1",   "1.5", "-2.5",
                                                   "3", "10", "+inf", "-inf", "1e3", "0.1"};
  static const std::vector<std::string> kBad = {"abc", "nan", "", "1x"};
  return Chance(0.03) ? Pick(kBad) : Pick(kScores);
}

std::string CommandGenerator::RangeBound() {
  static const std::vector<std::string> kBounds = {"-inf", "+inf", "0", "1",  "(1",
                                                   "2",    "(2",   "5", "-1", "1.5"};
  static const std::vector<std::string> kBad = {"abc", "(", "(x"};
  return Chance(0.03) ? Pick(kBad) : Pick(kBounds);
}

std::string CommandGenerator::LexBound() {
  static const std::vector<std::string> kBounds = {"-", "+", "[a", "(a", "[c", "(d", "[1", "[zzz"};
  static const std::vector<std::string> kBad = {"a", "", "{a"};
  return Chance(0.03) ? Pick(kBad) : Pick(kBounds);
}

std::string CommandGenerator::Count() {
  static const std::vector<std::string> kCounts = {"0", "1", "2", "3", "5", "10"};
  static const std::vector<std::string> kBad = {"-1", "abc", "-5"};
  return Chance(0.05) ? Pick(kBad) : Pick(kCounts);
}

std::string CommandGenerator::ExpireSeconds() {
  static const std::vector<std::string> kTimes = {"100", "500", "1000", "3600", "-1", "0", "-100"};
  static const std::vector<std::string> kBad = {"abc", "9223372036854775807", "1.5", ""};
  return Chance(0.05) ? Pick(kBad) : Pick(kTimes);
}

// ---- Strings -----------------------------------------------------------------

// Absolute expiry times are long past or far in the future, never "soon", so
// both servers agree. SET only gets future ones: Redis 7.0 stores a SET with
// a past EXAT as a logically expired key that DBSIZE still counts until the
// (random) active expiry cycle finds it. GETEX deletes such a key at once.
std::vector<std::string> CommandGenerator::SetCommand(const std::string& key) {
  std::vector<std::string> a = Cat({{"SET", key, Value()},
                                    Maybe(0.2, {Chance(0.5) ? "NX" : "XX"}),
                                    Maybe(0.15, {"GET"}),
                                    Pick<std::vector<std::string>>({{"EX", ExpireSeconds()},
                                                                    {"PX", "200000"},
                                                                    {"PX", "-5"},
                                                                    {"EXAT", "4102444800"},
                                                                    {"EXAT", "abc"},
                                                                    {"PXAT", "4102444800000"},
                                                                    {"KEEPTTL"},
                                                                    {},
                                                                    {},
                                                                    {}})});
  if (Chance(0.03)) a.push_back(Chance(0.5) ? "NX" : "BOGUS");  // syntax errors
  return a;
}

std::vector<std::string> CommandGenerator::GetexCommand(const std::string& key) {
  return Cat({{"GETEX", key},
              Pick<std::vector<std::string>>({{"EX", ExpireSeconds()},
                                              {"PX", "300000"},
                                              {"EXAT", "1"},
                                              {"EXAT", "4102444800"},
                                              {"PERSIST"},
                                              {"PERSIST", "EX", "10"},
                                              {}})});
}

Cmd CommandGenerator::Strings() {
  std::string k = Key('s');
  std::string other = Key('s');
  std::vector<Cmd> c = {
      Exact(SetCommand(k)),
      Exact(SetCommand(k)),
      Exact(SetCommand(k)),
      Exact({"SET", k, Num(-100, 100)}),  // integers: the int encoding
      Exact({"GET", k}),
      Exact({"GET", k}),
      Exact({"GETSET", k, Value()}),
      Exact({"GETDEL", k}),
      Exact(GetexCommand(k)),
      Exact({"SETNX", k, Value()}),
      Exact({"SETEX", k, ExpireSeconds(), Value()}),
      Exact({"PSETEX", k, Chance(0.9) ? "500000" : "0", Value()}),
      Exact(Cat({{"MSET", k, Value()}, Maybe(0.5, {other, Value()}), Maybe(0.3, {"s:9"})})),
      Exact({"MSETNX", k, Value(), other, Value()}),
      Exact({"MGET", k, other, AnyKey()}),
      Exact({"APPEND", k, Value()}),
      Exact({"STRLEN", k}),
      Exact({"INCR", k}),
      Exact({"DECR", k}),
      Exact({"INCRBY", k, Chance(0.9) ? Num(-20, 20) : Value()}),
      Exact({"DECRBY", k, Chance(0.9) ? Num(-20, 20) : Value()}),
      Exact({"INCRBYFLOAT", k,
             Chance(0.8) ? Pick<std::string>({"1.5", "-0.25", "3", "1e2", "0.1"}) : Value()}),
      Exact({"GETRANGE", k, Num(-8, 8), Num(-8, 40)}),
      Exact({"SETRANGE", k, Chance(0.95) ? Num(0, 30) : "-1", Value()}),
      Exact({"SUBSTR", k, Num(-5, 5), Num(-5, 20)}),
      Exact(Cat({{"LCS", k, other},
                 Pick<std::vector<std::string>>({{"LEN"},
                                                 {"IDX"},
                                                 {"IDX", "MINMATCHLEN", Num(0, 3), "WITHMATCHLEN"},
                                                 {"LEN", "IDX"},  // an error
                                                 {}})})),
      Exact({"OBJECT", "ENCODING", k}),
      Exact({"TYPE", k}),
      Exact({"EXISTS", k}),
  };
  return Pick(c);
}

// ---- Keys and expiry ------------------------------------------------------

std::vector<std::string> CommandGenerator::ScanCommand() {
  static const std::vector<std::string> kPatterns = {"*", "s:*", "?:1", "[lh]:*", "*:[0-2]"};
  return Cat({{"SCAN", Chance(0.98) ? "0" : "notacursor"},
              Maybe(0.5, {"MATCH", Pick(kPatterns)}),
              Maybe(0.5, {"COUNT", Pick<std::string>({"1", "3", "100", "0"})}),
              Maybe(0.3, {"TYPE",
                          Pick<std::string>({"string", "list", "hash", "set", "zset", "bogus"})})});
}

Cmd CommandGenerator::Keys() {
  static const std::vector<std::string> kPatterns = {"*",       "s:*",   "?:1",   "[lh]:*",
                                                     "*:[0-2]", "z:\\*", "nokey", "[^s]*"};
  std::string k = AnyKey();
  std::string other = AnyKey();
  std::string condition = Pick<std::string>({"NX", "XX", "GT", "LT", "BAD"});
  std::vector<Cmd> c = {
      Exact({"DEL", k, other}),
      Exact({"DEL", k}),
      Exact({"UNLINK", k}),
      Exact({"EXISTS", k, other, k}),
      Exact({"TYPE", k}),
      Exact({"RENAME", k, other}),
      Exact({"RENAMENX", k, other}),
      Exact(Cat({{"EXPIRE", k, ExpireSeconds()}, Maybe(0.3, {condition}), Maybe(0.05, {"NX"})})),
      Exact(Cat({{"EXPIRE", k, ExpireSeconds()}, Maybe(0.3, {condition})})),
      Exact(Cat({{"PEXPIRE", k, Pick<std::string>({"150000", "900000", "-1"})},
                 Maybe(0.3, {condition})})),
      Exact({"EXPIREAT", k, Pick<std::string>({"1", "4102444800", "4102444900", "x"})}),
      Exact({"PEXPIREAT", k, Pick<std::string>({"1", "4102444800000"})}),
      Exact({"PERSIST", k}),
      Ttl({"TTL", k}, 1),
      Ttl({"PTTL", k}, 1500),
      Ttl({"EXPIRETIME", k}, 1),
      Ttl({"PEXPIRETIME", k}, 1500),
      Exact({"TOUCH", k, other}),
      Unordered({"KEYS", Pick(kPatterns)}),
      Scan(ScanCommand(), 1),
      RandomPick({"RANDOMKEY"}, {"KEYS", "*"}, false, false),
      Exact({"DBSIZE"}),
      Exact({"OBJECT", "ENCODING", k}),
      Exact(Cat({{"COPY", k, other},
                 Maybe(0.4, {"DB", Pick<std::string>({"0", "1", "2", "16", "x"})}),
                 Maybe(0.4, {"REPLACE"})})),
      Exact({"MOVE", k, Pick<std::string>({"0", "1", "2", "3", "16", "-1"})}),
  };
  return Pick(c);
}

// ---- Databases and connection ---------------------------------------------

Cmd CommandGenerator::Db() {
  std::string db = Num(0, 3);
  std::vector<Cmd> c = {
      Exact({"SELECT", db}),
      Exact({"SELECT", db}),
      Exact({"SELECT", db}),
      Exact({"SELECT", Pick<std::string>({"16", "-1", "x", "1.0"})}),
      Exact({"DBSIZE"}),
      Exact({"SWAPDB", Num(0, 3), Chance(0.9) ? Num(0, 3) : "99"}),
      Exact({"PING"}),
      Exact({"PING", Value()}),
      Exact({"ECHO", Value()}),
      Exact({"EXISTS", AnyKey()}),
      // Rare, so the keyspace has time to fill up again.
      Exact({Chance(0.2) ? "FLUSHDB" : "DBSIZE"}),
      Exact({Chance(0.05) ? "FLUSHALL" : "PING"}),
  };
  Cmd pick = Pick(c);
  if (pick.argv[0] == "SELECT" && pick.argv[1] == db) db_ = std::stoi(db);
  return pick;
}

// ---- Plain errors: arity, unknown commands, bad subcommands ----------------

Cmd CommandGenerator::Errors() {
  static const std::vector<std::vector<std::string>> kBad = {
      {"GET"},
      {"GET", "s:1", "extra"},
      {"SET", "s:1"},
      {"MSET", "s:1", "v", "s:2"},
      {"HSET", "h:1", "f"},
      {"HMSET", "h:1", "f"},
      {"LPUSH", "l:1"},
      {"SADD", "t:1"},
      {"ZADD", "z:1", "1"},
      {"ZADD", "z:1", "1", "a", "2"},
      {"EXPIRE", "s:1"},
      {"TTL"},
      {"DEL"},
      {"SELECT"},
      {"LRANGE", "l:1", "0"},
      {"ZRANGE", "z:1", "0"},
      {"OBJECT", "NOSUCHSUB", "s:1"},
      {"OBJECT"},
      {"NOSUCHCOMMAND"},
      {"NOSUCHCOMMAND", "a", "b c"},
      {"gEt", "s:1"},
      {"GETT", "s:1"},
      {""},
      {"SET", "s:1", "v", "EX"},
      {"SET", "s:1", "v", "PX", "1", "EX", "1"},
      {"INCRBY", "s:1", "1.5"},
      {"ZRANGEBYSCORE", "z:1", "a", "b"},
      {"LINSERT", "l:1", "MIDDLE", "a", "b"},
      {"SINTERCARD", "0", "t:1"},
      {"ZUNIONSTORE", "z:9", "0", "z:1"},
      {"ZINTER", "3", "z:1", "z:2"},
      {"LPOS", "l:1", "a", "RANK", "0"},
      {"EXEC"},
      {"DISCARD"},
  };
  return Exact(Pick(kBad));
}

// ---- Transactions and WATCH -------------------------------------------------

Cmd CommandGenerator::QueueableCommand() {
  std::vector<std::string> data;
  for (const char* f : kDataFamilies) {
    if (Has(families_, f)) data.push_back(f);
  }
  if (data.empty()) data.push_back("strings");
  while (true) {
    Cmd c = FromFamily(Pick(data));
    // Only replies that can be compared element by element inside EXEC's
    // array; random and SCAN replies need more than one command.
    if (c.compare == Compare::kExact || c.compare == Compare::kUnordered ||
        c.compare == Compare::kUnorderedPairs || c.compare == Compare::kTtl) {
      return c;
    }
  }
}

std::vector<Cmd> CommandGenerator::Transaction() {
  if (Chance(0.1)) return {Exact({Pick<std::string>({"EXEC", "DISCARD", "UNWATCH"})})};
  std::vector<Cmd> out;
  if (Chance(0.6)) {
    std::vector<std::string> watched = Cat({{AnyKey()}, Maybe(0.3, {AnyKey()})});
    out.push_back(Exact(Cat({{"WATCH"}, watched})));
    if (Chance(0.6)) {
      // Another client writes (or only reads) a key: a write to a watched
      // key makes EXEC return a nil array.
      std::string target = Chance(0.8) ? Pick(watched) : AnyKey();
      std::vector<Cmd> other = {Exact({"SELECT", std::to_string(db_)}),
                                Exact(Pick<std::vector<std::string>>({{"SET", target, "client-2"},
                                                                      {"DEL", target},
                                                                      {"EXPIRE", target, "1000"},
                                                                      {"GET", target},
                                                                      {"EXISTS", target}}))};
      for (Cmd& c : other) c.client = 1;
      out.insert(out.end(), other.begin(), other.end());
    }
    if (Chance(0.1)) out.push_back(Exact({"UNWATCH"}));
  }
  out.push_back(Exact({"MULTI"}));
  for (int i = Int(0, 4); i > 0; --i) out.push_back(QueueableCommand());
  if (Chance(0.1)) {
    // Errors while queueing: an unknown command or bad arity aborts EXEC;
    // a nested MULTI or WATCH is refused without aborting.
    out.push_back(Exact(Pick<std::vector<std::string>>(
        {{"NOSUCHCMD", "x"}, {"GET"}, {"MULTI"}, {"WATCH", "s:1"}, {"SET", "s:1"}})));
    if (Chance(0.5)) out.push_back(QueueableCommand());
  }
  out.push_back(Exact({Chance(0.85) ? "EXEC" : "DISCARD"}));
  return out;
}

}  // namespace plab::it
