// Command families for the collection types: lists, hashes, sets and sorted
// sets. Same table style as command_gen.cc; see command_gen.h.
#include <string>
#include <vector>

#include "tests/integration/command_gen.h"

namespace plab::it {
namespace {

bool IsPositive(const std::string& count) { return !count.empty() && count[0] != '-'; }

}  // namespace

// ---- Lists -------------------------------------------------------------------

Cmd CommandGenerator::Lists() {
  std::string k = Key('l');
  std::string other = Key('l');
  std::string push = Chance(0.5) ? "LPUSH" : "RPUSH";
  std::string pop = Chance(0.5) ? "LPOP" : "RPOP";
  std::vector<Cmd> c = {
      Exact({push, k, ListElem()}),
      Exact({push, k, ListElem(), ListElem()}),
      Exact({push, k, ListElem(), ListElem(), ListElem()}),
      Exact({push + "X", k, ListElem()}),
      Exact({pop, k}),
      Exact(Cat({{pop, k}, {Count()}})),
      Exact({"LLEN", k}),
      Exact({"LRANGE", k, Num(-6, 6), Num(-6, 6)}),
      Exact({"LRANGE", k, "0", "-1"}),
      Exact({"LINDEX", k, Num(-6, 6)}),
      Exact({"LSET", k, Num(-4, 4), ListElem()}),
      Exact({"LINSERT", k, Chance(0.5) ? "BEFORE" : "AFTER", ListElem(), ListElem()}),
      Exact({"LREM", k, Num(-2, 2), ListElem()}),
      Exact({"LTRIM", k, Num(-4, 2), Num(-3, 8)}),
      Exact({"LTRIM", k, "0", "5"}),  // keeps lists small
      Exact(Cat({{"LPOS", k, ListElem()},
                 Maybe(0.4, {"RANK", Pick<std::string>({"1", "-1", "2", "-2", "0"})}),
                 Maybe(0.4, {"COUNT", Count()}),
                 Maybe(0.3, {"MAXLEN", Count()})})),
      Exact({"RPOPLPUSH", k, other}),
      Exact({"LMOVE", k, other, Side(), Side()}),
      Exact(Cat({{"LMPOP", "2", k, other, Side()}, Maybe(0.5, {"COUNT", Count()})})),
      Exact({"OBJECT", "ENCODING", k}),
  };
  // Blocking pops (BLPOP, BLMOVE, BLMPOP) are not generated: the engine has
  // no blocking-client support yet (not part of issue 2's command list).
  return Pick(c);
}

// ---- Hashes ------------------------------------------------------------------

Cmd CommandGenerator::Hashes() {
  std::string k = Key('h');
  std::string count = Pick<std::string>({"1", "3", "10", "-2", "-8", "0"});
  std::vector<Cmd> c = {
      Exact({"HSET", k, Member(), Value()}),
      Exact({"HSET", k, Member(), Value(), Member(), Value()}),
      Exact({"HSET", k, Member(), Value(), Member(), Value(), Member(), Value()}),
      Exact({"HMSET", k, Member(), Value()}),
      Exact({"HSETNX", k, Member(), Value()}),
      Exact({"HGET", k, Member()}),
      Exact({"HGET", k, Member()}),
      Exact({"HMGET", k, Member(), Member(), Member()}),
      Exact({"HDEL", k, Member(), Member()}),
      Exact({"HLEN", k}),
      Exact({"HSTRLEN", k, Member()}),
      Exact({"HEXISTS", k, Member()}),
      Exact({"HINCRBY", k, Member(), Chance(0.9) ? Num(-10, 10) : Value()}),
      Exact({"HINCRBYFLOAT", k, Member(),
             Chance(0.9) ? Pick<std::string>({"1.5", "-2", "0.1", "1e2"}) : Value()}),
      Unordered({"HKEYS", k}),
      Unordered({"HVALS", k}),
      WithCompare({"HGETALL", k}, Compare::kUnorderedPairs),
      WithCompare({"HGETALL", k}, Compare::kUnorderedPairs),
      RandomPick({"HRANDFIELD", k}, {"HKEYS", k}, false, true),
      RandomPick({"HRANDFIELD", k, count}, {"HKEYS", k}, false, IsPositive(count)),
      RandomPick({"HRANDFIELD", k, count, "WITHVALUES"}, {"HGETALL", k}, true, IsPositive(count)),
      Scan(Cat({{"HSCAN", k, "0"}, Maybe(0.3, {"MATCH", "*1*"}), Maybe(0.5, {"COUNT", "2"})}), 2),
      Exact({"OBJECT", "ENCODING", k}),
  };
  return Pick(c);
}

// ---- Sets --------------------------------------------------------------------

Cmd CommandGenerator::Sets() {
  std::string k = Key('t');
  std::string other = Key('t');
  std::string count = Pick<std::string>({"1", "2", "10", "-3", "-10", "0"});
  Cmd spop =
      RandomPick(Cat({{"SPOP", k}, Maybe(0.5, {Pick<std::string>({"1", "2", "5", "0", "-1"})})}),
                 {"SMEMBERS", k}, false, true);
  spop.compare = Compare::kPop;
  std::vector<Cmd> c = {
      Exact({"SADD", k, Member()}),
      Exact({"SADD", k, Member(), Member()}),
      Exact({"SADD", k, Member(), Member(), Member(), Member()}),
      Exact({"SADD", k, Num(0, 20), Num(-5, 50)}),  // integers: the intset encoding
      Exact({"SREM", k, Member(), Member()}),
      Exact({"SCARD", k}),
      Exact({"SISMEMBER", k, Member()}),
      Exact({"SMISMEMBER", k, Member(), Member()}),
      Unordered({"SMEMBERS", k}),
      Unordered({"SMEMBERS", k}),
      RandomPick({"SRANDMEMBER", k}, {"SMEMBERS", k}, false, true),
      RandomPick({"SRANDMEMBER", k, count}, {"SMEMBERS", k}, false, IsPositive(count)),
      spop,
      Exact({"SMOVE", k, other, Member()}),
      Unordered(Cat(
          {{Pick<std::string>({"SINTER", "SUNION", "SDIFF"}), k, other}, Maybe(0.3, {Key('t')})})),
      Unordered({Pick<std::string>({"SINTER", "SUNION", "SDIFF"}), k, other}),
      Exact({Pick<std::string>({"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), Key('t'), k, other}),
      Exact(Cat({{"SINTERCARD", "2", k, other}, Maybe(0.4, {"LIMIT", Count()})})),
      Scan(Cat({{"SSCAN", k, "0"}, Maybe(0.3, {"MATCH", "*1*"}), Maybe(0.5, {"COUNT", "2"})}), 2),
      Exact({"OBJECT", "ENCODING", k}),
  };
  return Pick(c);
}

// ---- Sorted sets -------------------------------------------------------------

std::vector<std::string> CommandGenerator::ZAddCommand(const std::string& key) {
  bool incr = Chance(0.1);
  std::vector<std::string> a =
      Cat({{"ZADD", key},
           Maybe(0.15, {Pick<std::string>({"NX", "XX"})}),
           Maybe(0.15, {Pick<std::string>({"GT", "LT"})}),
           Maybe(0.15, {"CH"}),
           incr ? std::vector<std::string>{"INCR"} : std::vector<std::string>{}});
  for (int i = incr ? 1 : Int(1, 3); i > 0; --i) a.insert(a.end(), {Score(), Member()});
  return a;
}

Cmd CommandGenerator::ZSets() {
  std::string k = Key('z');
  std::string other = Key('z');
  // Lex ranges are only defined when all scores are equal; on a skiplist
  // with mixed scores even two Redis servers disagree (random node levels).
  // So lex commands use their own keys, "zl:N", where every score is 0.
  std::string lk = Chance(0.05) ? Key('s') : "zl:" + Num(0, 2);
  std::string count = Pick<std::string>({"1", "3", "10", "-2", "-6", "0"});
  std::vector<std::string> scores = Maybe(0.4, {"WITHSCORES"});
  std::vector<std::string> limit = Maybe(0.3, {"LIMIT", Num(-1, 2), Num(-1, 3)});
  std::vector<Cmd> c = {
      Exact(ZAddCommand(k)),
      Exact(ZAddCommand(k)),
      Exact(ZAddCommand(k)),
      Exact({"ZINCRBY", k, Score(), Member()}),
      Exact({"ZSCORE", k, Member()}),
      Exact({"ZMSCORE", k, Member(), Member()}),
      Exact({"ZCARD", k}),
      Exact({"ZCOUNT", k, RangeBound(), RangeBound()}),
      Exact(Cat({{"ZRANGE", k, Num(-4, 3), Num(-3, 5)}, scores})),
      Exact(Cat({{"ZRANGE", k, "0", "-1"}, scores})),
      Exact(Cat({{"ZRANGE", k, RangeBound(), RangeBound(), "BYSCORE"},
                 Maybe(0.4, {"REV"}),
                 limit,
                 scores})),
      Exact(
          Cat({{Chance(0.5) ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE", k, RangeBound(), RangeBound()},
               scores,
               limit})),
      Exact(Cat({{"ZREVRANGE", k, Num(-3, 2), Num(-2, 5)}, scores})),
      Exact({Chance(0.5) ? "ZRANK" : "ZREVRANK", k, Member()}),
      Exact({"ZREM", k, Member(), Member()}),
      Exact({"ZREMRANGEBYRANK", k, Num(-3, 1), Num(-2, 2)}),
      Exact({"ZREMRANGEBYSCORE", k, RangeBound(), RangeBound()}),
      Exact(Cat({{Chance(0.5) ? "ZPOPMIN" : "ZPOPMAX", k}, Maybe(0.5, {Count()})})),
      RandomPick({"ZRANDMEMBER", k}, {"ZRANGE", k, "0", "-1"}, false, true),
      RandomPick({"ZRANDMEMBER", k, count}, {"ZRANGE", k, "0", "-1"}, false, IsPositive(count)),
      RandomPick({"ZRANDMEMBER", k, count, "WITHSCORES"}, {"ZRANGE", k, "0", "-1", "WITHSCORES"},
                 true, IsPositive(count)),
      Exact(Cat({{Chance(0.5) ? "ZUNIONSTORE" : "ZINTERSTORE", Key('z'), "2", k, other},
                 Maybe(0.3, {"WEIGHTS", Pick<std::string>({"1", "2", "-1", "0.5"}), "3"}),
                 Maybe(0.3, {"AGGREGATE", Pick<std::string>({"SUM", "MIN", "MAX"})})})),
      Exact({"ZDIFFSTORE", Key('z'), "2", k, other}),
      Exact(Cat({{Pick<std::string>({"ZUNION", "ZINTER", "ZDIFF"}), "2", k, other}, scores})),
      Exact(Cat({{"ZINTERCARD", "2", k, other}, Maybe(0.4, {"LIMIT", Count()})})),
      Exact({"ZRANGESTORE", Key('z'), k, Num(0, 1), Num(-1, 3)}),
      Exact({"ZRANGESTORE", Key('z'), k, RangeBound(), RangeBound(), "BYSCORE"}),
      Exact(Cat(
          {{"ZMPOP", "2", k, other, Chance(0.5) ? "MIN" : "MAX"}, Maybe(0.5, {"COUNT", Count()})})),
      Scan(Cat({{"ZSCAN", k, "0"}, Maybe(0.3, {"MATCH", "*1*"}), Maybe(0.5, {"COUNT", "2"})}), 2),
      Exact({"OBJECT", "ENCODING", k}),
      // Lex commands, on the all-zero-score keys.
      Exact({"ZADD", lk, "0", Member(), "0", Member()}),
      Exact({"ZLEXCOUNT", lk, LexBound(), LexBound()}),
      Exact(Cat({{"ZRANGE", lk, LexBound(), LexBound(), "BYLEX"}, Maybe(0.4, {"REV"}), limit})),
      Exact(Cat(
          {{Chance(0.5) ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", lk, LexBound(), LexBound()}, limit})),
      Exact({"ZREMRANGEBYLEX", lk, LexBound(), LexBound()}),
  };
  // BZPOPMIN/BZPOPMAX/BZMPOP: not generated, see Lists().
  return Pick(c);
}

}  // namespace plab::it
