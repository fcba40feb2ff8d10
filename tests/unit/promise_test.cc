// The loss promise of each persistence setup (core/lab/promise.h) and the
// lab's check of every recovery against it: normal runs under every policy
// and crash kind break nothing, and a disk that loses promised bytes is
// caught.
#include "core/lab/promise.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/lab/lab.h"
#include "core/server/config_registry.h"
#include "core/util/split_args.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using namespace testing;

constexpr int64_t kStartMs = 1767225600000;  // 2026-01-01, a whole second

using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

std::string Run(Lab& lab, const std::vector<std::string>& lines) {
  std::vector<Lab::Command> commands;
  for (const std::string& line : lines) commands.push_back({*SplitArgs(line), ""});
  return lab.RunBatch(commands);
}

std::unique_ptr<Lab> OpenLab(const ConfigPairs& config) {
  auto lab = std::make_unique<Lab>(kStartMs);
  RecoveryReport report;
  REQUIRE(lab->Open(config, &report).ok());
  return lab;
}

KeyspaceDiff CrashAndRestart(Lab& lab, CrashKind kind, uint64_t seed = 1) {
  lab.Crash(kind, seed);
  RecoveryReport report;
  KeyspaceDiff diff;
  REQUIRE(lab.Restart(&report, &diff).ok());
  return diff;
}

Config ConfigOf(const ConfigPairs& pairs) {
  Config c;
  for (const auto& [name, value] : pairs) REQUIRE(SetConfigParam(&c, name, {value}, true).ok());
  return c;
}

// Moves the clock to `crash_at`, pulls the plug, restarts: how many keys
// were lost (none of them may break the promise).
int64_t LostByPowerLossAt(Lab& lab, int64_t crash_at) {
  lab.Tick(crash_at);
  KeyspaceDiff diff = CrashAndRestart(lab, CrashKind::kPower);
  CHECK(diff.broken_count == 0);
  return diff.lost_count;
}

// The first broken entry's reason, for failure messages.
std::string FirstBroken(const KeyspaceDiff& diff) {
  if (diff.broken.empty()) return "(none)";
  const KeyspaceDiff::Broken& b = diff.broken[0];
  return b.entry.key + ": " + b.reason;
}

// Flips one byte inside the first occurrence of `text` in `path`, in the
// page cache and on the medium alike: the disk silently lost those bytes.
void Corrupt(Lab& lab, const std::string& path, std::string_view text) {
  const std::string bytes = *lab.ReadFile(path);
  const size_t at = bytes.find(text);
  REQUIRE(at != std::string::npos);
  REQUIRE(lab.disk().FlipByte(path, at + text.size() - 1).ok());
}

std::string IncrFile(Lab& lab) {
  for (const Lab::FileEntry& f : lab.Files()) {
    if (f.name.ends_with(".incr.aof")) return f.name;
  }
  FAIL("no INCR file");
  return "";
}

TEST_SUITE("loss promise") {
  TEST_CASE("each setup states its bound, derived from the cron period and the writeback") {
    const Config always = ConfigOf({{"appendonly", "yes"}, {"appendfsync", "always"}});
    const Config everysec = ConfigOf({{"appendonly", "yes"}, {"appendfsync", "everysec"}});
    const Config no = ConfigOf({{"appendonly", "yes"}, {"appendfsync", "no"}});
    const Config rdb = ConfigOf({{"save", "60 1"}});
    const Config none = ConfigOf({{"save", ""}});
    CHECK(PromiseOf(always, CrashKind::kPower).kind == LossPromise::Kind::kNoLoss);
    CHECK(PromiseOf(always, CrashKind::kPowerTorn).kind == LossPromise::Kind::kNoLoss);
    const LossPromise e = PromiseOf(everysec, CrashKind::kPower);
    CHECK(e.kind == LossPromise::Kind::kWindow);
    CHECK(e.window_ms == 1000 + 100);  // hz 10
    CHECK(e.policy == "appendfsync everysec");
    CHECK(e.sentence.find("~2 seconds") != std::string::npos);
    CHECK(e.sentence.find("1.1 s") != std::string::npos);
    const LossPromise n = PromiseOf(no, CrashKind::kPowerTorn);
    CHECK(n.kind == LossPromise::Kind::kWindow);
    CHECK(n.window_ms == SimDisk::kDirtyExpireMs + 100);
    CHECK(n.sentence.find("~30 seconds") != std::string::npos);
    // A process crash keeps the page cache: no AOF policy loses anything.
    for (const Config* c : {&always, &everysec, &no}) {
      CHECK(PromiseOf(*c, CrashKind::kProcess).kind == LossPromise::Kind::kNoLoss);
    }
    const LossPromise r = PromiseOf(rdb, CrashKind::kPower, {false, kStartMs + 5000});
    CHECK(r.kind == LossPromise::Kind::kSinceSave);
    CHECK(r.since_ms == kStartMs + 5000);
    CHECK(PromiseOf(rdb, CrashKind::kProcess).kind == LossPromise::Kind::kSinceSave);
    CHECK(PromiseOf(none, CrashKind::kPower).kind == LossPromise::Kind::kNone);
    CHECK(PromiseSentence(rdb).find("since the last completed save began") != std::string::npos);
    CHECK(PromiseSentence(none).find("nothing is promised") != std::string::npos);
    CHECK(PromiseSentence(always).find("no acknowledged write is lost") != std::string::npos);
  }

  TEST_CASE("a faster cron narrows everysec; no-appendfsync-on-rewrite widens it to writeback") {
    Config fast = ConfigOf({{"appendonly", "yes"}, {"hz", "50"}});
    CHECK(PromiseOf(fast, CrashKind::kPower).window_ms == 1000 + 20);
    Config lazy = ConfigOf({{"appendonly", "yes"}, {"no-appendfsync-on-rewrite", "yes"}});
    CHECK(PromiseOf(lazy, CrashKind::kPower).window_ms == SimDisk::kDirtyExpireMs + 100);
    lazy.appendfsync = FsyncPolicy::kAlways;
    CHECK(PromiseOf(lazy, CrashKind::kPower).kind == LossPromise::Kind::kWindow);
    CHECK(PromiseOf(lazy, CrashKind::kProcess).kind == LossPromise::Kind::kNoLoss);
    // Turned on at runtime, before its first rewrite: nothing yet.
    CHECK(PromiseOf(fast, CrashKind::kPower, {true, -1}).kind == LossPromise::Kind::kNone);
  }

  TEST_CASE("a write exactly one window old is promised, a millisecond younger is not") {
    LossPromise p = PromiseOf(ConfigOf({{"appendonly", "yes"}}), CrashKind::kPower);
    p.stop = "power loss";
    p.stop_ms = kStartMs + 20000;
    CHECK(BrokenPromiseReason(p, p.stop_ms - 1100, kStartMs) ==
          "written 1.1 s before the power loss; appendfsync everysec promises at most 1.1 s");
    CHECK(BrokenPromiseReason(p, p.stop_ms - 1099, kStartMs).empty());
    // A key not written since the record's horizon: promised once the
    // horizon itself is a window old.
    CHECK_FALSE(BrokenPromiseReason(p, std::nullopt, p.stop_ms - 1099).empty());
    CHECK(BrokenPromiseReason(p, std::nullopt, p.stop_ms - 1098).empty());
    LossPromise r = PromiseOf(ConfigOf({{"save", "60 1"}}), CrashKind::kPower, {false, 5000});
    r.stop = "power loss";
    r.stop_ms = 9000;
    CHECK(BrokenPromiseReason(r, 5000, 0).empty());  // during the save: not in it
    CHECK(BrokenPromiseReason(r, 4999, 0).find("the last completed save began 4.0 s before it") !=
          std::string::npos);
  }
}

TEST_SUITE("ack tracker") {
  TEST_CASE("remembers the last write per key, database-wide writes and unanswered batches") {
    ManualClock clock;
    clock.SetMicros(1000 * 1000);
    AckTracker t(&clock, 0);
    t.BeginBatch();
    t.OnKeyWrite(0, "a");
    t.OnKeyWrite(3, "a");
    t.EndBatch();
    clock.SetMicros(2000 * 1000);
    t.BeginBatch();
    t.OnKeyWrite(0, "a");
    t.EndBatch();
    REQUIRE(t.LastWrite(0, "a"));
    CHECK(t.LastWrite(0, "a")->time_ms == 2000);
    CHECK(t.LastWrite(3, "a")->time_ms == 1000);
    CHECK_FALSE(t.LastWrite(0, "b"));
    // FLUSHDB 3 later than the key's own write: the flush counts.
    clock.SetMicros(2500 * 1000);
    t.OnDbWrite(3);
    CHECK(t.LastWrite(3, "a")->time_ms == 2500);
    CHECK(t.LastWrite(3, "never")->time_ms == 2500);
    CHECK(t.LastWrite(0, "a")->time_ms == 2000);
    // A batch Redis never answered.
    clock.SetMicros(3000 * 1000);
    t.BeginBatch();
    t.OnKeyWrite(0, "x");
    t.EndBatch();
    t.DisownLastBatch();
    CHECK_FALSE(t.LastWrite(0, "x")->covered);
    CHECK(t.LastWrite(0, "a")->covered);
    CHECK(t.size() == 3);
    // DEBUG POPULATE: one uncovered mark on the database, not one per key.
    t.set_uncovered(true);
    for (int i = 0; i < 100; ++i) t.OnKeyWrite(5, "key:" + std::to_string(i));
    t.set_uncovered(false);
    CHECK(t.size() == 3);
    CHECK_FALSE(t.LastWrite(5, "key:7")->covered);
    CHECK_FALSE(t.LastWrite(5, "older")->covered);
    // Forgetting keeps what is unanswered and what is recent enough.
    t.ForgetBefore(2600);
    CHECK(t.horizon_ms() == 2600);
    CHECK_FALSE(t.LastWrite(0, "a"));
    CHECK_FALSE(t.LastWrite(3, "a"));
    CHECK(t.LastWrite(0, "x"));
    t.ForgetBefore(100);  // never backwards
    CHECK(t.horizon_ms() == 2600);
  }

  TEST_CASE("thousands of keys survive growth and forgetting, per database, long names too") {
    ManualClock clock;
    AckTracker t(&clock, 0);
    const std::string long_prefix(40, 'k');
    for (int i = 0; i < 5000; ++i) {
      clock.SetMicros(int64_t{1000} * i);
      const std::string key = (i % 2 ? long_prefix : "k") + std::to_string(i);
      t.OnKeyWrite(i % 16, key);
      t.OnKeyWrite((i + 1) % 16, key);
    }
    CHECK(t.size() == 10000);
    t.ForgetBefore(2500);
    CHECK(t.size() == 5000);
    for (int i = 0; i < 5000; i += 7) {
      const std::string key = (i % 2 ? long_prefix : "k") + std::to_string(i);
      CAPTURE(i);
      CHECK(t.LastWrite(i % 16, key).has_value() == (i >= 2500));
      CHECK(t.LastWrite((i + 2) % 16, key).has_value() == false);
      if (i >= 2500) CHECK(t.LastWrite((i + 1) % 16, key)->time_ms == i);
    }
  }
}

TEST_SUITE("keyspace diff notes") {
  KeyspaceDiff DiffOf(TestEngine & a, TestEngine & b, DiffOptions options = {}) {
    return DiffKeyspaces(FingerprintKeyspace(a.engine.server().keyspace()),
                         FingerprintKeyspace(b.engine.server().keyspace()), options);
  }

  TEST_CASE("a counter that went back says which IDs will be issued again") {
    TestEngine a, b;
    a.Run("SET id 1042");
    b.Run("SET id 987");
    a.Run("SET one 5");
    b.Run("SET one 4");
    a.Run("SET neg -3");
    b.Run("SET neg -6");
    a.Run("SET text hello");
    b.Run("SET text world");
    a.Run("SET padded 010");  // not an integer to INCR
    b.Run("SET padded 9");
    KeyspaceDiff diff = DiffOf(a, b);
    REQUIRE(diff.changed_count == 5);
    CHECK(diff.changed[0].key == "id");
    CHECK(diff.changed[0].note ==
          "As an INCR counter: IDs 988\u20131042 will be issued again (55 values).");
    CHECK(diff.changed[1].key == "neg");
    CHECK(diff.changed[1].note == "INCR will hand out -5 to -3 again (3 values).");
    CHECK(diff.changed[2].key == "one");
    CHECK(diff.changed[2].note == "As an INCR counter: ID 5 will be issued again (1 value).");
    CHECK(diff.changed[3].note.empty());  // padded
    CHECK(diff.changed[4].note.empty());  // text
    CHECK(diff.ToJson().find("\"note\":\"As an INCR counter: IDs 988\u20131042 will be issued "
                             "again (55 values).\"") != std::string::npos);
  }

  TEST_CASE("a counter that went up, one that is gone and one that came back") {
    TestEngine a, b;
    a.Run("SET down 987");
    b.Run("SET down 1042");
    a.Run("SET gone 1042");
    a.Run("SET zero 0");
    a.Run("SET below -2");
    b.Run("SET back 7");
    KeyspaceDiff diff = DiffOf(a, b);
    REQUIRE(diff.changed_count == 1);
    CHECK(diff.changed[0].note ==
          "The value went up by 55: as a DECR counter it will issue 987\u20131041 again (55 "
          "values); as an INCR counter it just skips 988\u20131042.");
    REQUIRE(diff.lost_count == 3);
    CHECK(diff.lost[0].key == "below");
    CHECK(diff.lost[0].note ==
          "If it was a DECR counter, the next DECR gives -1: -2 to -1 will be issued again (2 "
          "values).");
    CHECK(diff.lost[1].note ==
          "If it was an INCR counter, the next INCR gives 1: IDs 1\u20131042 will be issued again "
          "(1042 values).");
    CHECK(diff.lost[2].note.find("It held 0") == 0);
    REQUIRE(diff.added_count == 1);
    CHECK(diff.added[0].note ==
          "It was deleted before the crash and is back at 7: the next INCR gives 8, not 1.");
  }

  TEST_CASE("a key whose TTL ran out while down is noted as expired and never judged") {
    TestEngine a, b;
    a.Run("SET ttl v PX 5000");
    a.Run("SET plain v");
    const int64_t now = a.clock.NowMillis();
    DiffOptions options;
    options.after_ms = now + 5000;
    int judged = 0;
    options.judge = [&](int, const std::string&) {
      ++judged;
      return std::string("broken");
    };
    KeyspaceDiff diff = DiffOf(a, b, options);
    REQUIRE(diff.lost_count == 2);
    CHECK(diff.lost[1].key == "ttl");
    CHECK(diff.lost[1].note.find("TTL ran out") != std::string::npos);
    CHECK(judged == 1);
    CHECK(diff.broken_count == 1);
    CHECK(diff.broken[0].entry.key == "plain");
    CHECK(diff.broken[0].change == KeyspaceDiff::Change::kLost);
    // One millisecond earlier the TTL had not run out: judged like any key.
    options.after_ms = now + 4999;
    CHECK(DiffOf(a, b, options).broken_count == 2);
  }

  TEST_CASE("the keyspace digest ignores storage order but sees every key, db and value") {
    TestEngine a, b;
    a.Run("SET x 1");
    a.Run("SADD s p q r");
    b.Run("SADD s r q p");
    b.Run("SET x 1");
    const auto digest = [](TestEngine& e) {
      return KeyspaceDigest(FingerprintKeyspace(e.engine.server().keyspace()));
    };
    CHECK(digest(a) == digest(b));
    TestEngine empty;
    CHECK(digest(empty) != 0);
    CHECK(digest(empty) != digest(a));
    b.Run("SET x 2");
    CHECK(digest(a) != digest(b));
    b.Run("SET x 1");
    b.Run("MOVE x 1");
    CHECK(digest(a) != digest(b));
    b.Run("SELECT 1");
    b.Run("MOVE x 0");
    b.Run("SELECT 0");
    CHECK(digest(a) == digest(b));
    b.Run("RENAME x y");
    CHECK(digest(a) != digest(b));
  }
}

// --- The check, on whole labs -------------------------------------------------

struct Setup {
  const char* name;
  ConfigPairs config;
  LossPromise::Kind on_power;  // the promise a power loss is checked against
};

std::vector<Setup> Setups() {
  using K = LossPromise::Kind;
  return {
      {"always", {{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}}, K::kNoLoss},
      {"everysec", {{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}}, K::kWindow},
      {"no", {{"appendonly", "yes"}, {"appendfsync", "no"}, {"save", ""}}, K::kWindow},
      {"everysec at hz 50",
       {{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}, {"hz", "50"}},
       K::kWindow},
      {"hybrid",
       {{"appendonly", "yes"},
        {"aof-use-rdb-preamble", "yes"},
        {"save", "5 1"},
        {"auto-aof-rewrite-min-size", "1024"}},
       K::kWindow},
      {"lazy always",
       {{"appendonly", "yes"},
        {"appendfsync", "always"},
        {"no-appendfsync-on-rewrite", "yes"},
        {"save", "3 1"}},
       K::kWindow},
      {"rdb", {{"appendonly", "no"}, {"save", "5 1 2 10"}}, K::kSinceSave},
      {"none", {{"appendonly", "no"}, {"save", ""}}, K::kNone},
  };
}

// One batch of a mixed workload: strings, counters, TTLs, collections,
// deletes, transactions, now and then a flush, a swap, a save or a rewrite.
std::vector<std::string> RandomBatch(std::mt19937_64& rng, int* serial) {
  std::vector<std::string> batch;
  const int n = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(rng() % 30);
    const std::string v = std::to_string(++*serial);
    switch (rng() % 20) {
      case 0:
      case 1:
      case 2:
        batch.push_back("SET k" + k + " v" + v);
        break;
      case 3:
      case 4:
      case 5:
        batch.push_back("INCR c" + std::to_string(rng() % 4));
        break;
      case 6:
        batch.push_back("DEL k" + k + " l" + k);
        break;
      case 7:
        batch.push_back("SET t" + k + " v" + v + " PX " + std::to_string(50 + rng() % 4000));
        break;
      case 8:
        batch.push_back("RPUSH l" + std::to_string(rng() % 5) + " " + v);
        break;
      case 9:
        batch.push_back("HSET h" + std::to_string(rng() % 5) + " f" + k + " " + v);
        break;
      case 10:
        batch.push_back("SADD s" + std::to_string(rng() % 3) + " m" + k);
        break;
      case 11:
        batch.insert(batch.end(), {"MULTI", "INCR c0", "SET k" + k + " x" + v, "EXEC"});
        break;
      case 12:
        batch.push_back("EXPIRE k" + k + " " + std::to_string(1 + rng() % 3));
        break;
      case 13:
        batch.insert(batch.end(), {"SELECT 1", "SET k" + k + " one" + v, "SELECT 0"});
        break;
      case 14:
        if (rng() % 6 == 0) batch.insert(batch.end(), {"SELECT 1", "FLUSHDB", "SELECT 0"});
        break;
      case 15:
        if (rng() % 6 == 0) batch.push_back("SWAPDB 0 1");
        break;
      case 16:
        if (rng() % 4 == 0) batch.push_back(rng() % 2 ? "BGSAVE" : "BGREWRITEAOF");
        break;
      case 17:
        if (rng() % 10 == 0) batch.push_back("SAVE");
        break;
      case 18:
        batch.push_back("GETDEL k" + k);
        break;
      default:
        batch.push_back("INCRBY c" + std::to_string(rng() % 4) + " -" + k);
        break;
    }
  }
  return batch;
}

// Moves the clock by a mix of short gaps (inside and around everysec's
// window) and long ones (past the writeback and the save points).
void RandomPause(Lab& lab, std::mt19937_64& rng) {
  const uint64_t r = rng() % 10;
  const int64_t ms = r < 6   ? static_cast<int64_t>(rng() % 1500)
                     : r < 9 ? static_cast<int64_t>(rng() % 6000)
                             : 20000 + static_cast<int64_t>(rng() % 25000);
  lab.Tick(lab.now_ms() + ms);
}

TEST_SUITE("lab promise check") {
  TEST_CASE("normal runs break no promise under any policy, crash kind or seed") {
    int64_t differences = 0;  // the check must have had something to judge
    for (const Setup& setup : Setups()) {
      for (int kind = 0; kind < 4; ++kind) {
        for (uint64_t seed = 1; seed <= 5; ++seed) {
          auto lab = OpenLab(setup.config);
          std::mt19937_64 rng(seed * 7919 + static_cast<uint64_t>(kind));
          int serial = 0;
          for (int round = 0; round < 3; ++round) {
            for (int step = 0; step < 60 && lab->state() == Lab::State::kRunning; ++step) {
              Run(*lab, RandomBatch(rng, &serial));
              RandomPause(*lab, rng);
            }
            RecoveryReport report;
            KeyspaceDiff diff;
            if (kind == 3) {
              REQUIRE(lab->Restart(&report, &diff).ok());  // a clean restart
            } else {
              lab->Crash(static_cast<CrashKind>(kind), seed + static_cast<uint64_t>(round));
              REQUIRE(lab->Restart(&report, &diff).ok());
            }
            INFO(setup.name, " kind ", kind, " seed ", seed, " round ", round, ": ",
                 FirstBroken(diff));
            CHECK(diff.broken_count == 0);
            REQUIRE(diff.promise.has_value());
            if (kind == 1 || kind == 2) CHECK(diff.promise->kind == setup.on_power);
            differences += diff.lost_count + diff.changed_count + diff.added_count;
          }
        }
      }
    }
    CHECK(differences > 100);
  }

  TEST_CASE("always: bytes the disk lost after the fsync are a broken promise, however fresh") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    Run(*lab, {"SET order:1 paid-0001"});
    lab->Tick(kStartMs + 5000);
    Run(*lab, {"SET order:2 paid-0002", "SET order:3 paid-0003"});
    const std::string incr = IncrFile(*lab);
    Corrupt(*lab, incr, "paid-0001");
    Corrupt(*lab, incr, "paid-0002");
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.changed_count == 2);
    REQUIRE(diff.broken_count == 2);
    CHECK(diff.broken[0].entry.key == "order:1");
    CHECK(diff.broken[0].change == KeyspaceDiff::Change::kChanged);
    CHECK(diff.broken[0].reason ==
          "written 5.0 s before the power loss; appendfsync always promises that no acknowledged "
          "write is lost");
    CHECK(diff.broken[1].reason.find("written 0 ms before the power loss") == 0);
    const std::string json = diff.ToJson();
    CHECK(json.find("\"broken\":[{\"after\":") != std::string::npos);
    CHECK(json.find("\"change\":\"changed\"") != std::string::npos);
    CHECK(json.find("\"kind\":\"no-loss\"") != std::string::npos);
    CHECK(json.find("\"stop\":\"power loss\"") != std::string::npos);
  }

  TEST_CASE("everysec: a lost old write is broken, a lost write inside the window is not") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    Run(*lab, {"SET old value-old"});
    lab->Tick(kStartMs + 8100);
    Run(*lab, {"SET synced value-synced"});  // first write of second 8: fsynced at once
    lab->Tick(kStartMs + 8200);
    Run(*lab, {"SET fresh value-fresh"});  // same second: waits for second 9
    lab->Tick(kStartMs + 8500);
    Corrupt(*lab, IncrFile(*lab), "value-old");
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    REQUIRE(diff.lost_count == 1);
    CHECK(diff.lost[0].key == "fresh");
    REQUIRE(diff.changed_count == 1);
    REQUIRE(diff.broken_count == 1);
    CHECK(diff.broken[0].entry.key == "old");
    CHECK(diff.broken[0].reason ==
          "written 8.5 s before the power loss; appendfsync everysec promises at most 1.1 s");
  }

  TEST_CASE("the everysec window is exact: a write 1098 ms old can be lost, 1099 ms cannot") {
    // Cron steps at start + 99 + 100k; a batch at second 1 fsyncs, a second
    // batch in that millisecond waits for the first step of second 2.
    for (int64_t age : {1098, 1099}) {
      auto lab = std::make_unique<Lab>(kStartMs - 1);
      RecoveryReport report;
      REQUIRE(lab->Open({{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}}, &report)
                  .ok());
      lab->Tick(kStartMs + 1000);
      Run(*lab, {"SET x 1"});
      Run(*lab, {"SET w 1"});
      CAPTURE(age);
      CHECK(LostByPowerLossAt(*lab, kStartMs + 1000 + age) == (age == 1098 ? 1 : 0));
    }
  }

  TEST_CASE("the appendfsync no window is exact: writeback takes up to 30 s plus a cron period") {
    // The INCR file is first dirtied at +1; the flusher runs at each cron
    // step (+100k) and takes it at the first one 30 s later, +30100.
    for (int64_t age : {30098, 30099}) {
      auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "no"}, {"save", ""}});
      lab->Tick(kStartMs + 1);
      Run(*lab, {"SET w 1"});
      CAPTURE(age);
      CHECK(LostByPowerLossAt(*lab, kStartMs + 1 + age) == (age == 30098 ? 1 : 0));
    }
  }

  TEST_CASE("everysec: writes lost across a process crash and a power loss are reported") {
    // After a process crash the restarted server loads the AOF from the
    // page cache and, like Redis 7.0 (aof_fsync_offset = the loaded size),
    // fsyncs nothing until something new is written. A power loss while it
    // is idle then takes writes acknowledged long before: the check says so.
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    Run(*lab, {"SET first a"});
    lab->Tick(kStartMs + 200);
    Run(*lab, {"SET second b"});  // the second the AOF opened in: not fsynced yet
    CHECK(CrashAndRestart(*lab, CrashKind::kProcess).broken_count == 0);
    lab->Tick(kStartMs + 5000);
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count == 2);
    REQUIRE(diff.broken_count == 2);
    CHECK(diff.broken[0].reason ==
          "written 5.0 s before the power loss; appendfsync everysec promises at most 1.1 s");
    CHECK(diff.broken[1].reason.find("written 4.8 s before") == 0);
    // Once it writes again, the fsync covers the whole file.
    Run(*lab, {"SET first a", "SET second b"});
    lab->Tick(kStartMs + 5200);
    CHECK(CrashAndRestart(*lab, CrashKind::kProcess).broken_count == 0);
    Run(*lab, {"SET third c"});
    lab->Tick(kStartMs + 7000);
    diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count + diff.changed_count == 0);
  }

  TEST_CASE("RDB promises what was written before the completed save began, not ended") {
    auto lab = OpenLab({{"appendonly", "no"}, {"save", "3600 1"}});
    for (int i = 0; i < 20; ++i) Run(*lab, {"SET before:" + std::to_string(i) + " 1"});
    lab->Tick(kStartMs + 1000);
    // A slow disk: the snapshot goes out 16 bytes at a time.
    Config& config = lab->engine()->server().config();
    config.rdb_save_slice_bytes = 16;
    config.rdb_save_max_slices_per_tick = 1;
    Run(*lab, {"BGSAVE"});
    const int64_t save_start = lab->now_ms();
    lab->Tick(kStartMs + 1300);
    REQUIRE(lab->engine()->server().rdb().bgsave_in_progress());
    Run(*lab, {"SET during 2"});
    while (lab->engine()->server().rdb().bgsave_in_progress()) lab->Tick(lab->now_ms() + 100);
    CHECK(lab->now_ms() > kStartMs + 1500);
    lab->Tick(lab->now_ms() + 2000);
    Run(*lab, {"SET after 3"});
    // Normal: what the save did not capture is lost, and that is allowed.
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count == 2);
    CHECK(diff.broken_count == 0);
    REQUIRE(diff.promise.has_value());
    CHECK(diff.promise->kind == LossPromise::Kind::kSinceSave);
    CHECK(diff.promise->since_ms == save_start);
    // The disk loses the dump (durably removed): all 20 saved keys are
    // broken promises; what came after the save's start is not.
    Run(*lab, {"SET during 2", "SET after 3"});
    REQUIRE(lab->disk().Remove("dump.rdb").ok());
    REQUIRE(lab->disk().SyncDir("")->status().ok());
    diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count == 22);
    CHECK(diff.broken_count == 20);
    CHECK(diff.broken[0].entry.key.starts_with("before:"));
    CHECK(diff.broken[0].reason.find("RDB promises everything written before that") !=
          std::string::npos);
  }

  TEST_CASE("a batch Redis never answered is not promised") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    Run(*lab, {"SET kept 1"});
    lab->Tick(kStartMs + 3000);
    lab->disk().FailNextWrites(1, SimDisk::NoSpace());
    CHECK(Run(*lab, {"SET unanswered 2"}).empty());
    REQUIRE(lab->state() == Lab::State::kDown);
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());
    REQUIRE(diff.lost_count == 1);
    CHECK(diff.lost[0].key == "unanswered");
    CHECK(diff.broken_count == 0);
    CHECK(diff.promise->stop == "exit");
  }

  TEST_CASE("DEBUG POPULATE's keys are not promised: they never reach the AOF") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    Run(*lab, {"DEBUG POPULATE 5", "SET real 1"});
    lab->Tick(kStartMs + 5000);
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count == 5);
    CHECK(diff.unchanged_count == 1);
    CHECK(diff.broken_count == 0);
  }

  TEST_CASE("a key whose database was flushed inside the window may come back") {
    auto lab = OpenLab({{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    Run(*lab, {"SET a 1", "SELECT 1", "SET b 2", "SELECT 0"});
    lab->Tick(kStartMs + 5100);
    Run(*lab, {"INCR tick"});  // fsyncs second 5 at once
    lab->Tick(kStartMs + 5200);
    Run(*lab, {"FLUSHALL"});  // same second: not fsynced when the power goes
    lab->Tick(kStartMs + 5400);
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.added_count == 3);
    CHECK(diff.broken_count == 0);
  }

  TEST_CASE("CONFIG SET outlives a restart: the AOF turned on at run time is what loads") {
    auto lab = OpenLab({{"appendonly", "no"}, {"save", ""}});
    Run(*lab, {"CONFIG SET appendonly yes"});
    lab->Tick(kStartMs + 2000);  // the first rewrite completes
    Run(*lab, {"SET k v"});
    lab->Tick(kStartMs + 9000);
    KeyspaceDiff diff = CrashAndRestart(*lab, CrashKind::kPower);
    CHECK(diff.lost_count == 0);  // the restart read the AOF, not an absent dump.rdb
    CHECK(diff.broken_count == 0);
    REQUIRE(diff.promise.has_value());
    CHECK(diff.promise->kind == LossPromise::Kind::kWindow);
    REQUIRE(lab->engine() != nullptr);
    CHECK(lab->engine()->server().config().appendonly);
  }
}

}  // namespace
}  // namespace plab
