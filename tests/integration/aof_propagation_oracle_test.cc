// What write commands put in the AOF, compared with a real redis-server
// 7.0.15. One script of writes (no-ops, failures, expiry rewrites, pops,
// several databases, MULTI/EXEC, keys expiring lazily after a sleep) runs
// step by step against a private Redis (appendonly yes, appendfsync always,
// so a command's records are in appendonlydir/*.incr.aof before its reply)
// and against an in-process Engine whose propagation is on (its aof_buf).
// After every step the records each side added must be the same commands;
// absolute deadlines (PEXPIREAT's time, PXAT's value) may differ by up to
// kClockToleranceMs since each side reads its own clock.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/engine.h"
#include "core/persist/aof_reader.h"
#include "core/util/split_args.h"
#include "native/system_clock.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

using Argv = std::vector<std::string>;

constexpr int64_t kClockToleranceMs = 2000;

// One line of the script: a command as redis-cli would take it, or
// "#sleep <ms>". A leading '?' marks a command whose reply is random (SPOP):
// replies are not compared, and the members its SREMs name may differ as
// long as the key is one of the "rand:" keys.
struct Step {
  Argv argv;
  int sleep_ms = 0;
  bool random = false;
  std::string line;
};

std::vector<Step> ParseScript(const std::vector<std::string>& lines) {
  std::vector<Step> steps;
  for (const std::string& raw : lines) {
    Step s;
    s.line = raw;
    std::string text = raw;
    if (text.rfind("#sleep ", 0) == 0) {
      s.sleep_ms = std::atoi(text.c_str() + 7);
    } else {
      if (text[0] == '?') {
        s.random = true;
        text = text.substr(1);
      }
      std::optional<Argv> argv = SplitArgs(text);
      REQUIRE_MESSAGE(argv.has_value(), raw);
      s.argv = *argv;
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

// The script. Timestamps are built around `now_s` so the relative and
// absolute forms both land in the future or the past as intended.
std::vector<std::string> ScriptLines(int64_t now_s) {
  const std::string fut_s = std::to_string(now_s + 1000);
  const std::string fut_ms = std::to_string((now_s + 2000) * 1000 + 123);
  return {
      // strings
      "set s1 v", "SET s1 v2 NX", "SET s1 v3 XX GET", "SET s1 get GET", "SET s2 v EX 100",
      "SET s3 v PX 100000 NX GET", "SET s4 v EXAT " + fut_s, "set s4 w pxat " + fut_ms,
      "SET s4 x KEEPTTL", "SET s5 v XX", "SETEX s6 100 v", "psetex s7 100000 v", "SETNX s8 v",
      "SETNX s8 v", "GETSET s8 w", "GETDEL s8", "GETDEL s8", "GETEX s1 EX 100", "GETEX s1 PERSIST",
      "GETEX s1 PERSIST", "GETEX s1 PXAT " + fut_ms, "GETEX s1", "GETEX s1 EXAT 1",
      "GETEX nokey EX 10", "MSET a 1 b 2", "MSETNX a 1 c 3", "MSETNX c 3 d 4", "INCR a", "DECR a",
      "INCRBY a 10", "DECRBY a 3", "INCR s2", "PEXPIRE f 10", "INCRBYFLOAT f 1.5",
      "PEXPIRE f 100000", "INCRBYFLOAT f 2.25", "APPEND b xyz", "SETRANGE b 1 Q",
      "SETRANGE b 0 \"\"", "SETRANGE newk 0 \"\"", "GETEX s3 PX 5000", "SETEX s6 0 v",
      "SET s6 v EX 0", "SET u 1", "UNLINK u nokey",
      // expiry
      "EXPIRE a 100", "EXPIRE a 200 NX", "expire a 300 gt", "PEXPIRE a 50000 LT",
      "EXPIREAT a " + fut_s, "PEXPIREAT a " + fut_ms, "PERSIST a", "PERSIST a", "EXPIRE b -1",
      "PEXPIREAT c 1", "EXPIREAT d 1 NX", "EXPIRE nokey 10", "EXPIRE a notanumber",
      // generic deletes
      "DEL d nokey", "UNLINK nokey", "DEL nokey",
      // lists
      "RPUSH l a b c d e", "LPUSH l z", "LPUSHX nol x", "RPUSHX l y", "LPOP l", "RPOP l 2",
      "LPOP nol", "LPOP l 0", "LSET l 0 Z", "LSET l 99 x", "LINSERT l BEFORE b B",
      "LINSERT l BEFORE nope x", "LREM l 0 nope", "LREM l 1 B", "LTRIM l 0 -1", "LTRIM l 0 2",
      "LMOVE l l2 LEFT RIGHT", "RPOPLPUSH l2 l", "LMOVE l l RIGHT LEFT", "LMPOP 2 nol l LEFT",
      "LMPOP 1 l RIGHT COUNT 10", "LMPOP 1 l LEFT", "RPUSH l 1 2 3", "lmpop 1 l right count 2",
      // hashes
      "HSET h f 1 g 2", "HMSET h f 3", "HSETNX h f 9", "HSETNX h n 1", "HINCRBY h f 2",
      "HINCRBYFLOAT h g 0.5", "hincrbyfloat h new 1e2", "HDEL h nope", "HDEL h n nope",
      "SET h2 v GET", "HSET h3 a 1", "HDEL h3 a",
      // sets
      "SADD st a b c", "SADD st a", "SREM st nope", "SREM st c", "SMOVE st st2 a",
      "SMOVE st st2 nope", "SMOVE st st b", "SADD one x", "SPOP one", "SADD all 1 2 3",
      "SPOP all 10", "SPOP nokey", "SPOP all 0", "SADD rand:s a b c d e f g h i j k l m n o",
      "?SPOP rand:s 3", "?SPOP rand:s 10", "?SPOP rand:s", "SADD st c d", "SINTERSTORE dst st st2",
      "SUNIONSTORE dst2 st st2", "SDIFFSTORE dst3 st st", "SINTERSTORE dst nokey st",
      "SDIFFSTORE dst2 nokey",
      // sorted sets
      "ZADD z 1 a 2 b 3 c", "ZADD z 1 a", "ZADD z XX 5 nope", "ZADD z NX 7 a", "ZINCRBY z 2 a",
      "ZADD z INCR 1 b", "ZREM z nope", "ZPOPMIN z", "ZPOPMAX z 1", "ZADD z 1 x 2 y 3 w 4 v",
      "ZMPOP 1 z MIN COUNT 2", "ZMPOP 2 nokey z MAX", "ZADD z 5 q 6 r", "ZRANGESTORE zd z 0 -1",
      "ZUNIONSTORE zu 2 z zd", "ZINTERSTORE zi 1 z", "ZDIFFSTORE zdf 1 z", "ZREMRANGEBYRANK zu 0 0",
      "ZREMRANGEBYSCORE zu 100 200", "ZREMRANGEBYLEX zu - +", "ZRANGESTORE zd nokey 0 -1",
      "ZPOPMIN nokey",
      // keys and databases
      "RENAME s2 s2r", "RENAMENX s2r s3", "RENAMENX s2r s2r", "RENAME s2r s2r", "COPY s3 s3c",
      "COPY s3 s3c", "COPY s3 s3c REPLACE", "COPY s3 s3c DB 5", "MOVE s3c 1", "MOVE nokey 1",
      "SELECT 1", "SET x y", "SWAPDB 0 1", "SWAPDB 1 1", "SET moved 1", "SELECT 0", "SET moved 2",
      "MOVE moved 1", "SELECT 1", "SELECT 2", "FLUSHDB", "SELECT 0", "SET back 0",
      // transactions
      "MULTI", "SET m1 1", "INCR m1", "SELECT 3", "SET m2 2", "EXEC", "SELECT 0", "MULTI",
      "SET m3 1", "GET m3", "EXEC", "MULTI", "GET m3", "EXEC", "MULTI", "EXPIRE m3 -1", "SET m4 1",
      "EXEC", "MULTI", "SET m4 2 NX", "EXEC", "MULTI", "SET m5 x", "INCR m5", "SET m6 y", "EXEC",
      "MULTI", "SET m7 1", "DISCARD", "MULTI", "SET m8 1", "BOGUS", "EXEC", "WATCH m6",
      "SET m6 changed", "MULTI", "SET m9 1", "EXEC",
      // lazy expiry
      "SET lz1 v PX 100", "SET lz2 v PX 100", "SET lz3 v PX 100", "SET lz4 v PX 100",
      "HSET lzh f v", "PEXPIRE lzh 100", "SET lzs v PX 100", "SET lz5 v PX 100", "SET lz7 v PX 100",
      "SELECT 6", "SET lz6 v PX 100", "SELECT 0", "#sleep 400", "GET lz1", "SET lz2 v2 NX",
      "DEL lz3", "HSET lzh g 1", "MULTI", "GET lz4", "SET lz4 n", "EXEC", "EXPIRE lz5 10",
      "GETDEL lz7", "?SCAN 0 COUNT 1000", "SELECT 6", "EXISTS lz6", "SELECT 0",
      // flushes
      "FLUSHALL", "FLUSHALL ASYNC", "SET after flush"};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Every command in an AOF byte stream (RESP only; no preamble here).
std::vector<Argv> Commands(const std::string& bytes) {
  std::vector<Argv> out;
  AofReader reader(bytes);
  Argv argv;
  for (;;) {
    Result<AofReader::Item> item = reader.Next(&argv);
    if (!item.ok()) FAIL("unreadable AOF: " << item.status().message());
    if (item->kind == AofReader::Kind::kCommand) {
      out.push_back(argv);
    } else if (item->kind != AofReader::Kind::kAnnotation) {
      return out;
    }
  }
}

bool IEquals(const std::string& a, const char* b) {
  if (a.size() != std::char_traits<char>::length(b)) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// An argument that is an absolute Unix time in ms computed from the clock.
bool IsDeadline(const Argv& cmd, size_t i) {
  return (IEquals(cmd[0], "pexpireat") && i == 2) || (i > 0 && IEquals(cmd[i - 1], "pxat"));
}

bool SameArg(const Argv& a, const Argv& b, size_t i) {
  if (a[i] == b[i]) return true;
  if (IEquals(a[0], "srem") && i == 2 && a[1].rfind("rand:", 0) == 0) return true;
  if (!IsDeadline(a, i)) return false;
  char* end_a = nullptr;
  char* end_b = nullptr;
  const long long x = std::strtoll(a[i].c_str(), &end_a, 10);
  const long long y = std::strtoll(b[i].c_str(), &end_b, 10);
  return *end_a == '\0' && *end_b == '\0' && std::llabs(x - y) <= kClockToleranceMs;
}

bool SameCommand(const Argv& a, const Argv& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameArg(a, b, i)) return false;
  }
  return true;
}

std::string Show(const std::vector<Argv>& cmds, size_t from) {
  std::string out;
  for (size_t c = from; c < cmds.size(); ++c) {
    out += "    ";
    for (size_t i = 0; i < cmds[c].size(); ++i) out += (i ? " " : "") + cmds[c][i];
    out += "\n";
  }
  return out.empty() ? "    (nothing)\n" : out;
}

// Both sides, driven one step at a time.
struct Sides {
  std::unique_ptr<ServerProcess> redis;
  RespClient client;
  std::string redis_aof;
  SystemClock clock;
  Engine engine{clock};
  size_t redis_seen = 0;
  size_t plab_seen = 0;

  void Start() {
    std::string error;
    redis =
        ServerProcess::Start(ServerProcess::Kind::kRedis, &error,
                             {"--appendonly", "yes", "--appendfsync", "always",
                              "--aof-use-rdb-preamble", "yes", "--enable-debug-command", "local"});
    REQUIRE_MESSAGE(redis != nullptr, error);
    REQUIRE_MESSAGE(client.Connect(redis->port()), client.error());
    // Keys expire only when a command finds them, on both sides (the
    // engine's active cycle runs only from Cron, which is never called).
    std::optional<Reply> r = client.Call({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
    REQUIRE((r && r->raw == "+OK\r\n"));
    redis_aof = redis->dir() + "/appendonlydir/appendonly.aof.1.incr.aof";
    REQUIRE_MESSAGE(std::filesystem::exists(redis_aof), redis_aof);
    engine.server().set_propagating(true);
  }

  // Runs one step on both sides; reports the first difference and returns
  // false when the replies or the logged commands differ.
  bool Run(const Step& step, size_t index) {
    if (step.sleep_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(step.sleep_ms));
      return true;
    }
    std::optional<Reply> r = client.Call(step.argv);
    REQUIRE_MESSAGE(r.has_value(), "redis-server: " << client.error());
    const std::string plab_reply = engine.Execute(step.argv);
    const std::vector<Argv> from_redis = Commands(ReadFile(redis_aof));
    const std::vector<Argv> from_plab = Commands(engine.server().aof().buffer());
    bool same = step.random || r->raw == plab_reply;
    const size_t n_redis = from_redis.size() - redis_seen;
    same = same && n_redis == from_plab.size() - plab_seen;
    for (size_t i = 0; same && i < n_redis; ++i) {
      same = SameCommand(from_redis[redis_seen + i], from_plab[plab_seen + i]);
    }
    if (!same) {
      FAIL_CHECK("step " << index << " `" << step.line << "` differs:\n  redis replied " << r->raw
                         << "  plab replied " << plab_reply << "  redis logged:\n"
                         << Show(from_redis, redis_seen) << "  plab logged:\n"
                         << Show(from_plab, plab_seen));
    }
    redis_seen = from_redis.size();
    plab_seen = from_plab.size();
    return same;
  }
};

TEST_SUITE("aof propagation oracle") {
  TEST_CASE("every write is logged like redis-server 7.0.15 logs it in its INCR file") {
    Sides sides;
    sides.Start();
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    const std::vector<Step> steps = ParseScript(ScriptLines(now_s));
    size_t ran = 0;
    for (; ran < steps.size(); ++ran) {
      if (!sides.Run(steps[ran], ran)) break;  // later steps depend on this one
    }
    CHECK(ran == steps.size());
    CHECK(sides.redis_seen > 170);  // the script really wrote
  }
}

}  // namespace
}  // namespace plab::it
