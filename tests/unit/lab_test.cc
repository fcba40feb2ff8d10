// Lab (core/lab/lab.h): the engine + virtual clock + journaled SimDisk the
// browser drives, tested natively. The browser-specific half (IndexedDB)
// is replaced here by a map mirror that applies the journal, which is all
// IndexedDB does.
#include "core/lab/lab.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/util/split_args.h"
#include "native/system_clock.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using namespace testing;

constexpr int64_t kStartMs = 1767225600000;  // 2026-01-01, a whole second

using ConfigPairs = std::vector<std::pair<std::string, std::string>>;

std::string Run(Lab& lab, std::vector<std::string_view> lines) {
  std::vector<Lab::Command> commands;
  for (std::string_view line : lines) commands.push_back({*SplitArgs(line), ""});
  return lab.RunBatch(commands);
}

// What IndexedDB holds: the journal applied in order.
void Apply(const std::vector<DurableOp>& ops, DurableImage* image) {
  for (const DurableOp& op : ops) {
    switch (op.kind) {
      case DurableOp::Kind::kAppend:
        image->inodes[op.inode] += op.data;
        break;
      case DurableOp::Kind::kTruncate:
        image->inodes[op.inode].resize(op.offset);
        break;
      case DurableOp::Kind::kLink:
        image->names[op.path] = op.inode;
        break;
      case DurableOp::Kind::kUnlink:
        image->names.erase(op.path);
        break;
      case DurableOp::Kind::kDropInode:
        image->inodes.erase(op.inode);
        break;
      case DurableOp::Kind::kMkdir:
        image->dirs.insert(op.path);
        break;
      case DurableOp::Kind::kRmdir:
        image->dirs.erase(op.path);
        break;
    }
  }
}

std::unique_ptr<Lab> OpenLab(const DurableImage& image, const ConfigPairs& config,
                             int64_t start_ms = kStartMs, const Clock* stopwatch = nullptr) {
  auto lab = std::make_unique<Lab>(start_ms, stopwatch);
  lab->boot_image() = image;
  RecoveryReport report;
  REQUIRE(lab->Open(config, &report).ok());
  return lab;
}

const Lab::FileEntry* FindFile(const std::vector<Lab::FileEntry>& files, std::string_view suffix) {
  for (const Lab::FileEntry& f : files) {
    if (f.name.size() >= suffix.size() && f.name.ends_with(suffix)) return &f;
  }
  return nullptr;
}

TEST_SUITE("lab") {
  TEST_CASE("a batch answers every command and fsyncs once under always") {
    auto lab = OpenLab({}, {{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    (void)lab->TakeDurableOps();
    CHECK(Run(*lab, {"SET a 1", "INCR a", "GET a"}) == kOk + Int(2) + Bulk("2"));
    // One batch: the INCR file got exactly one append in the journal.
    int appends = 0;
    for (const DurableOp& op : lab->TakeDurableOps())
      appends += op.kind == DurableOp::Kind::kAppend;
    CHECK(appends == 1);
  }

  TEST_CASE("an unsplittable line gets Redis's inline error and the batch goes on") {
    auto lab = OpenLab({}, {{"save", ""}});
    std::vector<Lab::Command> commands = {{{}, "ERR Protocol error: unbalanced quotes in request"},
                                          {{"PING"}, ""}};
    CHECK(lab->RunBatch(commands) ==
          Err("ERR Protocol error: unbalanced quotes in request") + "+PONG\r\n");
  }

  TEST_CASE("a bad config value fails Open with Redis's reason and leaves the lab new") {
    Lab lab(kStartMs);
    RecoveryReport report;
    Status s = lab.Open({{"appendfsync", "sometimes"}}, &report);
    CHECK_FALSE(s.ok());
    CHECK(s.message().find("appendfsync") != std::string::npos);
    CHECK(lab.state() == Lab::State::kNew);
  }

  TEST_CASE("Tick runs cron at hz and fsyncs an idle everysec AOF within two seconds") {
    auto lab = OpenLab({}, {{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    Run(*lab, {"SET k v"});
    const std::vector<Lab::FileEntry> before = lab->Files();
    const Lab::FileEntry* incr = FindFile(before, ".incr.aof");
    REQUIRE(incr != nullptr);
    CHECK(incr->written > incr->durable);
    lab->Tick(kStartMs + 2000);
    const std::vector<Lab::FileEntry> after = lab->Files();
    incr = FindFile(after, ".incr.aof");
    REQUIRE(incr != nullptr);
    CHECK(incr->written == incr->durable);
    CHECK(lab->now_ms() == kStartMs + 2000);
    // Time never goes backwards.
    lab->Tick(kStartMs);
    CHECK(lab->now_ms() == kStartMs + 2000);
  }

  TEST_CASE("a power crash and restart report the keys that went back") {
    auto lab = OpenLab({}, {{"appendonly", "no"}, {"save", ""}});
    Run(*lab, {"SET counter 10", "SADD s a b c", "SET gone x"});
    Run(*lab, {"SAVE"});
    Run(*lab, {"SET counter 12", "SET fresh y", "DEL gone"});
    lab->Crash(CrashKind::kPower, 0);
    CHECK(lab->state() == Lab::State::kDown);
    CHECK(lab->down_reason() == "power loss");
    std::vector<Lab::Command> ping = {{{"PING"}, ""}};
    CHECK(lab->RunBatch(ping).empty());  // nothing runs while down
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());
    CHECK(report.source == "rdb");
    CHECK(diff.lost_count == 1);  // "fresh" was never saved
    CHECK(diff.lost[0].key == "fresh");
    CHECK(diff.changed_count == 1);
    CHECK(diff.changed[0].before == "\"12\"");
    CHECK(diff.changed[0].after == "\"10\"");
    CHECK(diff.added_count == 1);  // the DEL was lost: "gone" is back
    CHECK(diff.added[0].key == "gone");
    CHECK(diff.unchanged_count == 1);  // the set, whatever its order on disk
  }

  TEST_CASE("a process crash keeps the page cache: nothing acknowledged is lost") {
    auto lab = OpenLab({}, {{"appendonly", "yes"}, {"appendfsync", "no"}, {"save", ""}});
    for (int i = 0; i < 50; ++i) Run(*lab, {"INCR c"});
    lab->Crash(CrashKind::kProcess, 0);
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());
    CHECK(Run(*lab, {"GET c"}) == Bulk("50"));
    CHECK(diff.lost_count + diff.changed_count == 0);
  }

  TEST_CASE("the journal is enough to boot the same data on another machine") {
    DurableImage mirror;
    auto lab = OpenLab(mirror, {{"appendonly", "yes"}, {"appendfsync", "always"}, {"save", ""}});
    Apply(lab->TakeDurableOps(), &mirror);
    for (int i = 0; i < 20; ++i) {
      Run(*lab, {"RPUSH l x", "HSET h f" + std::to_string(i) + " v"});
      Apply(lab->TakeDurableOps(), &mirror);
    }
    Run(*lab, {"BGREWRITEAOF"});
    for (int t = 1; t <= 50; ++t) {
      lab->Tick(kStartMs + 100 * t);
      Apply(lab->TakeDurableOps(), &mirror);
    }
    Run(*lab, {"INCR after"});
    Apply(lab->TakeDurableOps(), &mirror);
    auto twin = OpenLab(mirror, {{"appendonly", "yes"}, {"save", ""}}, kStartMs + 10000);
    CHECK(Run(*twin, {"LLEN l", "HLEN h", "GET after"}) == Int(20) + Int(20) + Bulk("1"));
    CHECK(DiffKeyspaces(FingerprintKeyspace(lab->engine()->server().keyspace()),
                        FingerprintKeyspace(twin->engine()->server().keyspace()))
              .unchanged_count == 3);
  }

  TEST_CASE("the recovery report measures real time although the virtual clock stands still") {
    SystemClock stopwatch;  // the host's real clock, as plab and the wasm module pass it
    auto lab = OpenLab({}, {{"save", ""}}, kStartMs, &stopwatch);
    Run(*lab, {"DEBUG POPULATE 20000", "SAVE"});
    lab->Crash(CrashKind::kProcess, 0);
    RecoveryReport report;
    KeyspaceDiff diff;
    const int64_t virtual_before = lab->now_ms();
    REQUIRE(lab->Restart(&report, &diff).ok());
    CHECK(report.keys_after == 20000);
    CHECK(report.total_millis > 0);
    REQUIRE(report.files.size() == 1);
    CHECK(report.files[0].millis > 0);
    CHECK(lab->now_ms() == virtual_before);
  }

  TEST_CASE("SHUTDOWN ends the batch and takes the lab down; restart brings the data back") {
    auto lab = OpenLab({}, {{"save", "3600 1"}});
    std::string out = Run(*lab, {"SET k v", "SHUTDOWN", "PING"});
    CHECK(out == kOk);  // SHUTDOWN answers nothing; PING never ran
    CHECK(lab->state() == Lab::State::kDown);
    CHECK(lab->down_reason() == "SHUTDOWN");
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());
    CHECK(Run(*lab, {"GET k"}) == Bulk("v"));
    CHECK(diff.unchanged_count == 1);
  }

  TEST_CASE("a restart whose recovery fails leaves the lab down and the files untouched") {
    auto lab = OpenLab({}, {{"save", ""}});
    Run(*lab, {"SET k v", "SAVE"});
    REQUIRE(lab->disk().FlipByte("dump.rdb", 20).ok());
    const std::string corrupt = *lab->ReadFile("dump.rdb");
    lab->Crash(CrashKind::kProcess, 0);
    RecoveryReport report;
    KeyspaceDiff diff;
    CHECK_FALSE(lab->Restart(&report, &diff).ok());
    CHECK(lab->state() == Lab::State::kDown);
    CHECK(lab->down_reason().find("recovery failed") == 0);
    CHECK_FALSE(report.error.empty());
    CHECK(*lab->ReadFile("dump.rdb") == corrupt);
  }
}

TEST_SUITE("lab disk stats and digest") {
  TEST_CASE("Stats counts fsyncs per policy, bytes written and the files now") {
    auto run = [](const char* policy) {
      auto lab = OpenLab({}, {{"appendonly", "yes"}, {"appendfsync", policy}, {"save", ""}});
      const Lab::DiskStats start = lab->Stats();
      for (int i = 1; i <= 30; ++i) {
        Run(*lab, {"SET k" + std::to_string(i) + " v", "INCR c"});
        lab->Tick(kStartMs + 100 * i);  // 3 s of virtual time
      }
      Lab::DiskStats end = lab->Stats();
      end.fsyncs -= start.fsyncs;
      end.bytes_written -= start.bytes_written;
      return end;
    };
    const Lab::DiskStats always = run("always");
    const Lab::DiskStats everysec = run("everysec");
    const Lab::DiskStats no = run("no");
    CHECK(always.fsyncs == 30);   // one per batch
    CHECK(everysec.fsyncs == 3);  // one per second: seconds 1, 2, 3
    CHECK(no.fsyncs == 0);
    // The same commands reach the AOF whatever the policy.
    CHECK(always.bytes_written == everysec.bytes_written);
    CHECK(no.bytes_written == always.bytes_written);
    CHECK(always.bytes_written > 30 * 40);
    CHECK(always.files == 3);  // manifest, BASE, INCR
    CHECK(always.durable_bytes == always.written_bytes);
    CHECK(no.durable_bytes < no.written_bytes);
    CHECK(always.dir_syncs > 0);
  }

  TEST_CASE("the keyspace digest tells which acknowledged prefix a recovered lab holds") {
    auto lab = OpenLab({}, {{"appendonly", "yes"}, {"appendfsync", "everysec"}, {"save", ""}});
    std::vector<uint64_t> after_batch = {lab->KeyspaceDigest()};
    for (int i = 1; i <= 25; ++i) {
      Run(*lab, {"INCR c", "SADD s m" + std::to_string(i)});
      after_batch.push_back(lab->KeyspaceDigest());
      lab->Tick(kStartMs + 130 * i);
    }
    lab->Crash(CrashKind::kPower, 0);
    CHECK(lab->KeyspaceDigest() == 0);
    RecoveryReport report;
    KeyspaceDiff diff;
    REQUIRE(lab->Restart(&report, &diff).ok());
    const uint64_t recovered = lab->KeyspaceDigest();
    const std::string c = Run(*lab, {"GET c"});
    const auto it = std::find(after_batch.begin(), after_batch.end(), recovered);
    REQUIRE(it != after_batch.end());
    const long prefix = it - after_batch.begin();
    CHECK(prefix < 25);  // the last batches were not fsynced yet
    CHECK(c == Bulk(std::to_string(prefix)));
  }
}

TEST_SUITE("keyspace diff") {
  TEST_CASE("fingerprints ignore set and hash order but not list order or scores") {
    TestEngine a;
    TestEngine b;
    a.Run("SADD s 1 2 3");
    b.Run("SADD s 3 2 1");
    a.Run("HSET h x 1 y 2");
    b.Run("HSET h y 2 x 1");
    a.Run("RPUSH l a b");
    b.Run("RPUSH l b a");
    a.Run("ZADD z 1 m");
    b.Run("ZADD z 2 m");
    KeyspaceDiff diff = DiffKeyspaces(FingerprintKeyspace(a.engine.server().keyspace()),
                                      FingerprintKeyspace(b.engine.server().keyspace()));
    CHECK(diff.unchanged_count == 2);
    CHECK(diff.changed_count == 2);
    CHECK(diff.changed[0].key == "l");
    CHECK(diff.changed[0].before == "list, 2 items");
    CHECK(diff.changed[1].key == "z");
  }

  TEST_CASE("long strings are summarized and lists are capped, counts are complete") {
    TestEngine a;
    TestEngine b;
    a.Run("SET big " + std::string(100, 'x'));
    for (int i = 0; i < 150; ++i) a.Run("SET k" + std::to_string(i) + " v");
    KeyspaceDiff diff = DiffKeyspaces(FingerprintKeyspace(a.engine.server().keyspace()),
                                      FingerprintKeyspace(b.engine.server().keyspace()));
    CHECK(diff.lost_count == 151);
    CHECK(diff.lost.size() == KeyspaceDiff::kMaxListed);
    CHECK(diff.lost[0].key == "big");
    CHECK(diff.lost[0].before == "\"" + std::string(48, 'x') + "\"... (100 bytes)");
    CHECK(diff.ToJson().find("\"counts\":{\"added\":0,\"broken\":0,\"changed\":0,\"lost\":151") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace plab
