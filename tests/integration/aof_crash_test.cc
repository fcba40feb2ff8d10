// A real-process crash test of `plab serve --appendonly yes --appendfsync
// always`: writer threads pipeline INCR / SET / RPUSH on their own
// connections and databases, the server is killed with SIGKILL at a random
// moment (in some rounds while a BGREWRITEAOF runs), and restarted on the
// same directory. Every write whose reply a writer received must be there
// after the restart: with `always` a reply leaves only after its write
// reached the file.
//
// Per writer and sequence number j, one pipeline sends, in this order,
//   INCR ctr;  SET k:<round>:<j> v;  RPUSH list <round>:<j>
// so besides "acknowledged ⇒ present" the loaded state must be a prefix of
// what was sent on each connection: ctr is LLEN list or one more, the list
// holds every round's numbers in order without gaps, and each listed
// element's key exists.
//
// Seeded (PLAB_AOF_CRASH_SEED overrides the seed); about 20-40 s.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/aof_it_util.h"

namespace plab::it {
namespace {

constexpr int kRounds = 24;
constexpr int kWriters = 3;
constexpr int kSeqsPerPipeline = 20;
// A pause between a writer's pipelines keeps the data (and the checks
// after every restart) small enough for a ~30 s test.
constexpr int kPauseBetweenPipelinesMs = 2;
constexpr uint64_t kDefaultSeed = 20240611;
// Keys preloaded in db 0 so that a rewrite takes long enough to be killed.
constexpr int kPreloadKeys = 100000;
constexpr int kPreloadPerMset = 1000;

uint64_t Seed() {
  const char* env = ::getenv("PLAB_AOF_CRASH_SEED");
  return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : kDefaultSeed;
}

std::string SetKey(int round, int64_t j) {
  return "k:" + std::to_string(round) + ":" + std::to_string(j);
}

// What one writer had acknowledged, across all rounds.
struct Acked {
  int64_t counter = 0;                  // highest INCR reply
  int64_t list_len = 0;                 // highest RPUSH reply
  std::vector<int64_t> keys_per_round;  // SETs acknowledged: k:r:0 .. k:r:n-1
};

// One writer's connection for one round. Run() returns when the server
// goes away (or on a protocol surprise, recorded in `error`).
struct Writer {
  int db = 0;
  int round = 0;
  Acked* acked = nullptr;
  int64_t sent_incrs = 0;
  std::string error;

  void Run(int port) {
    RespClient c;
    if (!c.Connect(port)) return;
    std::optional<Reply> ok = c.Call({"SELECT", std::to_string(db)});
    if (!ok || ok->raw != "+OK\r\n") return;
    for (int64_t j = 0;; j += kSeqsPerPipeline) {
      std::string wire;
      for (int64_t s = j; s < j + kSeqsPerPipeline; ++s) {
        wire += EncodeCommand({"INCR", "ctr"});
        wire += EncodeCommand({"SET", SetKey(round, s), "v"});
        wire += EncodeCommand({"RPUSH", "list", std::to_string(round) + ":" + std::to_string(s)});
      }
      sent_incrs += kSeqsPerPipeline;  // an upper bound even if the send fails midway
      if (!c.SendRaw(wire)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(kPauseBetweenPipelinesMs));
      for (int64_t s = j; s < j + kSeqsPerPipeline; ++s) {
        if (!ReadAck(c, ':', [&](const Reply& r) { acked->counter = r.integer; })) return;
        if (!ReadAck(c, '+', [&](const Reply&) { acked->keys_per_round[round] = s + 1; })) return;
        if (!ReadAck(c, ':', [&](const Reply& r) { acked->list_len = r.integer; })) return;
      }
    }
  }

  template <typename F>
  bool ReadAck(RespClient& c, char type, F on_ack) {
    std::optional<Reply> r = c.Read(5000);
    if (!r) return false;  // killed: the connection closed
    if (r->type != type) {
      error = "unexpected reply " + r->raw;
      return false;
    }
    on_ack(*r);
    return true;
  }
};

// Parses "<round>:<j>".
bool ParseElement(const std::string& s, int64_t* round, int64_t* j) {
  size_t colon = s.find(':');
  if (colon == std::string::npos) return false;
  *round = std::strtoll(s.c_str(), nullptr, 10);
  *j = std::strtoll(s.c_str() + colon + 1, nullptr, 10);
  return true;
}

// How many of `keys` are missing (EXISTS in chunks; the first missing one
// is looked up only when a chunk falls short).
int64_t MissingKeys(RespClient& c, const std::vector<std::string>& keys, std::string* first) {
  int64_t missing = 0;
  for (size_t start = 0; start < keys.size(); start += 1000) {
    Command exists = {"EXISTS"};
    for (size_t i = start; i < keys.size() && i < start + 1000; ++i) exists.push_back(keys[i]);
    const int64_t chunk = static_cast<int64_t>(exists.size()) - 1;
    const int64_t found = Call(c, exists).integer;
    if (found == chunk) continue;
    if (missing == 0) {
      for (size_t i = 1; i < exists.size() && first->empty(); ++i) {
        if (Call(c, {"EXISTS", exists[i]}).integer == 0) *first = exists[i];
      }
    }
    missing += chunk - found;
  }
  return missing;
}

// Checks that a list's elements "<round>:<j>" go round by round in
// increasing order, each round's j counting 0, 1, 2, ... Returns, per
// round, how many elements it has (the list's prefix of that round).
bool ListIsOrdered(const Reply& list, std::vector<int64_t>* per_round) {
  int64_t prev_round = -1;
  for (const Reply& e : list.elems) {
    int64_t round = 0, j = 0;
    if (!ParseElement(e.str, &round, &j) || round < prev_round) return false;
    if (round >= static_cast<int64_t>(per_round->size())) per_round->resize(round + 1, 0);
    if (j != (*per_round)[round]) return false;  // a gap, a repeat, or a restart
    ++(*per_round)[round];
    prev_round = round;
  }
  return true;
}

// After a restart: every acknowledged write of writer `w` is present, and
// the state is a prefix of what its connection sent.
void VerifyWriter(RespClient& c, int db, const Acked& acked, int64_t sent_incrs) {
  CAPTURE(db);
  REQUIRE(Call(c, {"SELECT", std::to_string(db)}).str == "OK");
  const Reply ctr = Call(c, {"GET", "ctr"});
  const int64_t counter = ctr.is_null ? 0 : std::strtoll(ctr.str.c_str(), nullptr, 10);
  const Reply list = Call(c, {"LRANGE", "list", "0", "-1"});
  const int64_t len = static_cast<int64_t>(list.elems.size());
  CAPTURE(counter);
  CAPTURE(len);
  CHECK(counter >= acked.counter);
  CHECK(counter <= sent_incrs);
  CHECK(len >= acked.list_len);
  CHECK((counter == len || counter == len + 1));

  std::vector<int64_t> listed;
  CHECK(ListIsOrdered(list, &listed));
  // Every acknowledged SET, and the SET before every listed element.
  std::vector<std::string> keys;
  const size_t rounds = std::max(listed.size(), acked.keys_per_round.size());
  for (size_t r = 0; r < rounds; ++r) {
    int64_t n = r < listed.size() ? listed[r] : 0;
    if (r < acked.keys_per_round.size()) n = std::max(n, acked.keys_per_round[r]);
    for (int64_t j = 0; j < n; ++j) keys.push_back(SetKey(static_cast<int>(r), j));
  }
  std::string first_missing;
  const int64_t missing = MissingKeys(c, keys, &first_missing);
  CAPTURE(first_missing);
  CHECK(missing == 0);
}

// The same data in plab and in a Redis that loaded plab's files: DBSIZE of
// every database, the writers' counters and lists, the preloaded values.
// (Key by key with CompareKeyspaces would take minutes at this size.)
void CompareWithRedis(RespClient& plab, RespClient& redis) {
  for (int db = 0; db < kAllDbs; ++db) {
    CAPTURE(db);
    REQUIRE(Call(plab, {"SELECT", std::to_string(db)}).str == "OK");
    REQUIRE(Call(redis, {"SELECT", std::to_string(db)}).str == "OK");
    CHECK(Call(plab, {"DBSIZE"}).integer == Call(redis, {"DBSIZE"}).integer);
    if (db >= 1 && db <= kWriters) {
      CHECK(Call(plab, {"GET", "ctr"}).raw == Call(redis, {"GET", "ctr"}).raw);
      const Command lrange = {"LRANGE", "list", "0", "-1"};
      CHECK(Call(plab, lrange).raw == Call(redis, lrange).raw);
    }
  }
  REQUIRE(Call(plab, {"SELECT", "0"}).str == "OK");
  REQUIRE(Call(redis, {"SELECT", "0"}).str == "OK");
  int64_t differing = 0;
  for (int start = 0; start < kPreloadKeys; start += 1000) {
    Command mget = {"MGET"};
    for (int i = start; i < start + 1000; ++i) mget.push_back("pre:" + std::to_string(i));
    differing += Call(plab, mget).raw == Call(redis, mget).raw ? 0 : 1;
  }
  CHECK(differing == 0);
}

void Preload(RespClient& c) {
  std::string wire;
  for (int start = 0; start < kPreloadKeys; start += kPreloadPerMset) {
    Command mset = {"MSET"};
    for (int i = start; i < start + kPreloadPerMset; ++i) {
      mset.push_back("pre:" + std::to_string(i));
      mset.push_back(std::string(100, static_cast<char>('a' + i % 26)));
    }
    wire += EncodeCommand(mset);
  }
  REQUIRE(c.SendRaw(wire));
  for (int start = 0; start < kPreloadKeys; start += kPreloadPerMset) {
    std::optional<Reply> r = c.Read();
    REQUIRE(r.has_value());
    REQUIRE(r->raw == "+OK\r\n");
  }
}

std::unique_ptr<ServerProcess> StartCrashServer(const std::string& dir, int round) {
  return StartServer(ServerProcess::Kind::kPlab,
                     {"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                      "--aof-use-rdb-preamble", round % 2 == 0 ? "yes" : "no",
                      // Only the test's BGREWRITEAOFs: an automatic one would
                      // make them fail as "already in progress".
                      "--auto-aof-rewrite-percentage", "0"});
}

struct CrashStats {
  int rewrite_rounds = 0;
  int killed_during_rewrite = 0;
  int killed_after_rewrite = 0;
  int truncated_restarts = 0;
  int64_t acked_writes = 0;
};

// Everything the writers were told is durable, in the writers' databases.
struct Ledger {
  std::vector<Acked> acked = std::vector<Acked>(kWriters);
  std::vector<int64_t> sent = std::vector<int64_t>(kWriters, 0);

  void Verify(RespClient& c) const {
    for (int w = 0; w < kWriters; ++w) VerifyWriter(c, w + 1, acked[w], sent[w]);
    REQUIRE(Call(c, {"SELECT", "0"}).str == "OK");
  }
};

// The last restart: redis-check-aof accepts the directory and a Redis
// started on a copy holds what plab holds, acknowledged writes included.
void CheckFinalState(RespClient& plab, const std::string& dir, bool preamble,
                     const Ledger& ledger) {
  DumpDir copy;
  CopyTree(dir, copy.dir);
  RunResult check = RedisCheckAof(ManifestPath(copy.dir));
  CHECK_MESSAGE(check.exit_code == 0, check.output);
  auto redis = StartAof(ServerProcess::Kind::kRedis, copy.dir, preamble);
  RespClient rc;
  Connect(rc, *redis);
  CompareWithRedis(plab, rc);
  ledger.Verify(rc);
}

// Waits a random moment, in rewrite rounds after starting a BGREWRITEAOF
// (one takes a few hundred ms here, so kills land while it runs, around
// its manifest switch, or after it), then SIGKILLs the server.
void KillAtRandomMoment(RespClient& control, ServerProcess& plab, bool rewrite,
                        std::mt19937_64& rng, CrashStats* stats) {
  if (!rewrite) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 350));
    plab.Kill();
    return;
  }
  ++stats->rewrite_rounds;
  std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 80));
  CHECK(Call(control, {"BGREWRITEAOF"}).str == "Background append only file rewriting started");
  // Every other rewrite round kills early, while the BASE is being written.
  const bool early = stats->rewrite_rounds % 2 == 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(rng() % (early ? 50 : 1000)));
  if (PersistenceField(control, "aof_rewrite_in_progress") == "1") {
    ++stats->killed_during_rewrite;
  } else {
    ++stats->killed_after_rewrite;
  }
  plab.Kill();
}

// One round: writers run until the kill; their acknowledgements go to the
// ledger.
void WriteUntilKilled(int round, RespClient& control, ServerProcess& plab, std::mt19937_64& rng,
                      Ledger* ledger, CrashStats* stats) {
  std::vector<Writer> writers(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    ledger->acked[w].keys_per_round.push_back(0);
    writers[w].db = w + 1;
    writers[w].round = round;
    writers[w].acked = &ledger->acked[w];
    threads.emplace_back([&writers, w, port = plab.port()] { writers[w].Run(port); });
  }
  KillAtRandomMoment(control, plab, round % 3 == 1, rng, stats);
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < kWriters; ++w) {
    CHECK_MESSAGE(writers[w].error.empty(), writers[w].error);
    ledger->sent[w] += writers[w].sent_incrs;
    stats->acked_writes += 3 * ledger->acked[w].keys_per_round[round];
  }
}

}  // namespace

TEST_SUITE("aof crash") {
  TEST_CASE("acknowledged writes survive SIGKILL of plab serve with appendfsync always") {
    const uint64_t seed = Seed();
    MESSAGE("seed " << seed << " (PLAB_AOF_CRASH_SEED)");
    std::mt19937_64 rng(seed);
    DumpDir data;
    Ledger ledger;
    CrashStats stats;
    for (int round = 0; round <= kRounds; ++round) {
      CAPTURE(round);
      auto plab = StartCrashServer(data.dir, round);
      if (plab->Log().find("Truncating the AOF") != std::string::npos) ++stats.truncated_restarts;
      RespClient control;
      Connect(control, *plab);
      ledger.Verify(control);
      if (round == 0) Preload(control);
      REQUIRE(Call(control, {"DBSIZE"}).integer == kPreloadKeys);  // db 0 untouched
      if (round == kRounds) {
        CheckFinalState(control, data.dir, round % 2 == 0, ledger);
        break;
      }
      WriteUntilKilled(round, control, *plab, rng, &ledger, &stats);
    }
    MESSAGE("rounds " << kRounds << ", acknowledged writes " << stats.acked_writes << ", rewrites "
                      << stats.rewrite_rounds << " (killed while running: "
                      << stats.killed_during_rewrite << ", after: " << stats.killed_after_rewrite
                      << "), restarts that cut a torn tail: " << stats.truncated_restarts);
    CHECK(stats.acked_writes > 1000);
    CHECK(stats.killed_during_rewrite >= 2);
  }
}

}  // namespace plab::it
