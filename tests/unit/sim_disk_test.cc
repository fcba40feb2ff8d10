// SimDisk's crash and fault model, and DurableWrite's promise that a crash
// at any step leaves the old or the new file, never a mix.
#include "core/io/sim_disk.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/io/durable_write.h"

namespace plab {
namespace {

std::unique_ptr<WritableFile> Open(Disk& disk, std::string_view path, bool truncate = true) {
  auto f = disk.OpenWritable(path, truncate);
  REQUIRE(f.ok());
  return std::move(f.value());
}

std::string Content(Disk& disk, std::string_view path) {
  auto r = disk.ReadAll(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r.value();
}

// Deterministic bytes that differ at every position, so a torn mix shows.
std::string Pattern(char tag, size_t n) {
  std::string s(n, tag);
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(tag + (i % 7));
  return s;
}

}  // namespace

TEST_SUITE("sim disk") {
  TEST_CASE("A power crash loses unsynced bytes and keeps synced ones") {
    SimDisk disk;
    auto f = Open(disk, "a");
    CHECK(f->Append("synced").ok());
    CHECK(f->Sync()->status().ok());
    CHECK(disk.SyncDir("")->status().ok());
    CHECK(f->Append(" and not").ok());
    CHECK(Content(disk, "a") == "synced and not");
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "a") == "synced");
    auto info = disk.Inspect("a");
    CHECK_FALSE(info->dirty);
    CHECK(info->written_size == 6);
  }

  TEST_CASE("A file whose creation was never dir-synced vanishes in a power crash") {
    SimDisk disk;
    auto f = Open(disk, "new");
    CHECK(f->Append("x").ok());
    CHECK(f->Sync()->status().ok());
    CHECK(disk.DirDirty(""));
    disk.Crash(CrashKind::kPower);
    CHECK_FALSE(disk.Exists("new"));
  }

  TEST_CASE("A process crash keeps the page cache") {
    SimDisk disk;
    auto f = Open(disk, "a");
    CHECK(f->Append("unsynced").ok());
    disk.Crash(CrashKind::kProcess);
    CHECK(Content(disk, "a") == "unsynced");
    CHECK(disk.Inspect("a")->dirty);
  }

  TEST_CASE("Inspect reports written size, durable size and dirtiness") {
    SimDisk disk;
    auto f = Open(disk, "a");
    CHECK(f->Append("1234").ok());
    CHECK(f->Sync()->status().ok());
    CHECK(f->Append("56").ok());
    auto info = disk.Inspect("a");
    REQUIRE(info.ok());
    CHECK(info->written_size == 6);
    CHECK(info->durable_size == 4);
    CHECK(info->dirty);
    CHECK_FALSE(info->entry_durable);
    CHECK(disk.SyncDir("")->status().ok());
    CHECK(disk.Inspect("a")->entry_durable);
    CHECK(*disk.DurableContent("a") == "1234");
    CHECK(disk.AllFiles() == std::vector<std::string>{"a"});
  }

  TEST_CASE("Kernel writeback makes data durable after 30 virtual seconds, not 29") {
    ManualClock clock;
    SimDisk disk(&clock);
    auto f = Open(disk, "a");
    CHECK(f->Append("v1").ok());
    clock.AdvanceMillis(10000);
    CHECK(f->Append("v2").ok());  // still dirty since the first write
    clock.AdvanceMillis(19999);
    disk.Writeback(clock.NowMillis());
    CHECK(disk.Inspect("a")->dirty);
    CHECK(disk.DirDirty(""));
    clock.AdvanceMillis(1);
    disk.Writeback(clock.NowMillis());
    CHECK_FALSE(disk.Inspect("a")->dirty);
    CHECK_FALSE(disk.DirDirty(""));  // directory entries follow the same rule
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "a") == "v1v2");
  }

  TEST_CASE("Writeback does not flush data dirtied less than 30 seconds ago") {
    ManualClock clock;
    SimDisk disk(&clock);
    auto f = Open(disk, "a");
    CHECK(f->Append("old").ok());
    CHECK(f->Sync()->status().ok());
    CHECK(disk.SyncDir("")->status().ok());
    clock.AdvanceMillis(100000);
    CHECK(f->Append("new").ok());  // dirty from now, not from the file's birth
    clock.AdvanceMillis(29000);
    disk.Writeback(clock.NowMillis());
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "a") == "old");
  }

  TEST_CASE("A rename is not durable until its directory is synced") {
    SimDisk disk;
    CHECK(WriteFileDurablySync(disk, "a", "A").ok());
    CHECK(disk.Rename("a", "b").ok());
    CHECK(disk.DirDirty(""));
    disk.Crash(CrashKind::kPower);
    CHECK(disk.Exists("a"));
    CHECK_FALSE(disk.Exists("b"));

    CHECK(disk.Rename("a", "b").ok());
    CHECK(disk.SyncDir("")->status().ok());
    disk.Crash(CrashKind::kPower);
    CHECK_FALSE(disk.Exists("a"));
    CHECK(Content(disk, "b") == "A");
  }

  TEST_CASE("Removes and directory creation also need a directory sync") {
    SimDisk disk;
    CHECK(WriteFileDurablySync(disk, "keep", "k").ok());
    CHECK(disk.Remove("keep").ok());
    CHECK(disk.CreateDir("sub").ok());
    disk.Crash(CrashKind::kPower);
    CHECK(disk.Exists("keep"));
    CHECK_FALSE(disk.Exists("sub"));
  }

  TEST_CASE("Files in a directory whose creation was not synced are lost with it") {
    SimDisk disk;
    CHECK(disk.CreateDir("data").ok());
    CHECK(WriteFileDurablySync(disk, "data/dump.rdb", "x").ok());  // syncs "data" only
    disk.Crash(CrashKind::kPower);
    CHECK_FALSE(disk.Exists("data"));
    CHECK_FALSE(disk.Exists("data/dump.rdb"));
    CHECK(disk.List("")->empty());

    CHECK(disk.CreateDir("data").ok());
    CHECK(disk.SyncDir("")->status().ok());
    CHECK(WriteFileDurablySync(disk, "data/dump.rdb", "x").ok());
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "data/dump.rdb") == "x");
  }

  TEST_CASE("A torn crash keeps a seeded prefix of whole sectors of the unsynced tail") {
    const std::string data = Pattern('a', 2000);
    std::set<size_t> sizes;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      SimDisk disk;
      CHECK(WriteFileDurablySync(disk, "f", "").ok());
      auto f = Open(disk, "f", false);
      CHECK(f->Append(data).ok());
      disk.Crash(CrashKind::kPowerTorn, seed);
      std::string got = Content(disk, "f");
      CHECK(data.compare(0, got.size(), got) == 0);  // a prefix of what was written
      CHECK((got.size() % SimDisk::kSectorSize == 0 || got.size() == data.size()));
      sizes.insert(got.size());

      SimDisk again;  // same seed, same tear
      CHECK(WriteFileDurablySync(again, "f", "").ok());
      CHECK(Open(again, "f", false)->Append(data).ok());
      again.Crash(CrashKind::kPowerTorn, seed);
      CHECK(Content(again, "f") == got);
    }
    CHECK(sizes.size() >= 3);  // the seed really varies the outcome
  }

  TEST_CASE("A torn crash never loses synced bytes") {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      SimDisk disk;
      auto f = Open(disk, "f");
      CHECK(f->Append(Pattern('A', 700)).ok());
      CHECK(f->Sync()->status().ok());
      CHECK(disk.SyncDir("")->status().ok());
      CHECK(f->Append(Pattern('k', 1500)).ok());
      disk.Crash(CrashKind::kPowerTorn, seed);
      std::string got = Content(disk, "f");
      CHECK(got.size() >= 700);
      CHECK(got.compare(0, 700, Pattern('A', 700)) == 0);
    }
  }

  TEST_CASE("Deferred tickets stay pending until the owner completes them") {
    SimDisk disk;
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    auto f = Open(disk, "a");
    CHECK(f->Append("covered").ok());
    auto t = f->Sync();
    auto d = disk.SyncDir("");
    CHECK_FALSE(t->done());
    CHECK(disk.pending_syncs() == 2);
    CHECK(f->Append(" later").ok());  // after the barrier: not covered
    disk.CompletePendingSyncs();
    CHECK(t->done());
    CHECK(t->status().ok());
    CHECK(d->done());
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "a") == "covered");
  }

  TEST_CASE("A power crash fails pending tickets and loses their bytes") {
    SimDisk disk;
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    auto f = Open(disk, "a");
    CHECK(f->Append("x").ok());
    auto t = f->Sync();
    disk.Crash(CrashKind::kPower);
    CHECK(t->done());
    CHECK_FALSE(t->status().ok());
    CHECK(disk.pending_syncs() == 0);
    CHECK_FALSE(disk.Exists("a"));
  }

  TEST_CASE("Injected write failures surface as the given Status and change nothing") {
    SimDisk disk;
    auto f = Open(disk, "a");
    CHECK(f->Append("ok").ok());
    disk.FailNextWrites(2, SimDisk::NoSpace());
    Status s = f->Append("lost");
    CHECK(s.code() == Status::Code::kIoError);
    CHECK(s.message() == "No space left on device");
    CHECK_FALSE(f->Truncate(0).ok());
    CHECK(Content(disk, "a") == "ok");
    CHECK(f->Append("!").ok());  // only two failures were asked for
    CHECK(Content(disk, "a") == "ok!");
  }

  TEST_CASE("An injected sync failure makes nothing durable") {
    SimDisk disk;
    CHECK(WriteFileDurablySync(disk, "a", "").ok());
    auto f = Open(disk, "a", false);
    CHECK(f->Append("data").ok());
    disk.FailNextSync(Status::IoError("a: Input/output error"));
    auto t = f->Sync();
    CHECK(t->done());
    CHECK(t->status().message() == "a: Input/output error");
    CHECK(f->Sync()->status().ok());  // one failure only
    CHECK(*disk.DurableContent("a") == "data");
  }

  TEST_CASE("FlipByte corrupts both the cached and the durable copy") {
    SimDisk disk;
    CHECK(WriteFileDurablySync(disk, "a", "abc").ok());
    CHECK(disk.FlipByte("a", 1).ok());
    CHECK(Content(disk, "a") == std::string("a\x9d"
                                            "c"));
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "a") == std::string("a\x9d"
                                            "c"));
    CHECK(disk.FlipByte("a", 3).code() == Status::Code::kInvalidArgument);
    CHECK(disk.FlipByte("zz", 0).code() == Status::Code::kNotFound);
  }
}

TEST_SUITE("durable write") {
  // Runs a DurableWrite of `next` over `old` (written durably first) with
  // `steps` Step() calls, then crashes; returns what the final name holds
  // ("<missing>" when absent).
  std::string CrashAfterSteps(int steps, CrashKind kind, uint64_t seed, bool writeback,
                              const std::string& old, const std::string& next, bool* finished) {
    ManualClock clock;
    SimDisk disk(&clock);
    REQUIRE(disk.CreateDir("data").ok());
    if (!old.empty()) REQUIRE(WriteFileDurablySync(disk, "data/dump.rdb", old).ok());
    REQUIRE(disk.SyncDir("")->status().ok());
    size_t written = 0;
    DurableWrite w;
    w.Start(disk, "data", "dump.rdb", [&](WritableFile& f, bool& done) {
      // Three slices, like a snapshot serialized over several cron ticks.
      size_t n = std::min(next.size() - written, next.size() / 3 + 1);
      Status s = f.Append(std::string_view(next).substr(written, n));
      written += n;
      done = written == next.size();
      return s;
    });
    for (int i = 0; i < steps; ++i) REQUIRE(w.Step().ok());
    *finished = w.done();
    if (writeback) {
      clock.AdvanceMillis(SimDisk::kDirtyExpireMs);
      disk.Writeback(clock.NowMillis());
    }
    disk.Crash(kind, seed);
    auto r = disk.ReadAll("data/dump.rdb");
    return r.ok() ? r.value() : "<missing>";
  }

  TEST_CASE("A crash after any step leaves the old or the new file, never a mix") {
    const std::string old_data = Pattern('o', 3000);
    const std::string new_data = Pattern('N', 4100);
    std::set<std::string> outcomes;
    for (int steps = 0; steps < 20; ++steps) {
      for (uint64_t seed = 0; seed < 6; ++seed) {
        for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn}) {
          for (bool writeback : {false, true}) {
            bool finished = false;
            std::string got =
                CrashAfterSteps(steps, kind, seed, writeback, old_data, new_data, &finished);
            CAPTURE(steps);
            CAPTURE(seed);
            CHECK((got == old_data || got == new_data));
            if (finished) CHECK(got == new_data);
            outcomes.insert(got == old_data ? "old" : "new");
          }
        }
      }
    }
    CHECK(outcomes.size() == 2);
  }

  TEST_CASE("A first-ever write crashes to no file or the complete new file") {
    const std::string new_data = Pattern('N', 1500);
    for (int steps = 0; steps < 12; ++steps) {
      for (uint64_t seed = 0; seed < 4; ++seed) {
        bool finished = false;
        std::string got =
            CrashAfterSteps(steps, CrashKind::kPowerTorn, seed, true, "", new_data, &finished);
        CHECK((got == "<missing>" || got == new_data));
      }
    }
  }

  TEST_CASE("DurableWrite does not rename before the file's ticket completes") {
    SimDisk disk;
    REQUIRE(WriteFileDurablySync(disk, "dump.rdb", "old").ok());
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    DurableWrite w;
    w.Start(disk, "", "dump.rdb", std::string("new"));
    CHECK(w.Poll().ok());
    CHECK(w.state() == DurableWrite::State::kWaitFile);
    CHECK(w.waiting());
    CHECK(w.Poll().ok());  // polling or stepping does not move past the barrier
    CHECK(w.Step().ok());
    CHECK(w.state() == DurableWrite::State::kWaitFile);
    CHECK(Content(disk, "dump.rdb") == "old");
    CHECK(disk.Exists("temp-dump.rdb"));

    disk.CompletePendingSyncs();
    CHECK(w.Poll().ok());
    CHECK(w.Step().ok());
    CHECK(w.state() == DurableWrite::State::kWaitDir);
    CHECK_FALSE(w.done());
    CHECK(Content(disk, "dump.rdb") == "new");
    disk.CompletePendingSyncs();
    CHECK(w.Poll().ok());
    CHECK(w.done());
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "dump.rdb") == "new");
    CHECK_FALSE(disk.Exists("temp-dump.rdb"));
  }

  TEST_CASE("WriteFileDurablySync reports a ticket left pending") {
    SimDisk disk;
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    Status s = WriteFileDurablySync(disk, "f", "x");
    CHECK(s.code() == Status::Code::kIoError);
    CHECK(s.message().find("f: durability ticket still pending") == 0);
  }

  TEST_CASE("A failing write is reported and the old file stays intact") {
    SimDisk disk;
    REQUIRE(WriteFileDurablySync(disk, "dump.rdb", "old").ok());
    disk.FailNextWrites(1, Status::IoError("temp-dump.rdb: No space left on device"));
    DurableWrite w;
    w.Start(disk, "", "dump.rdb", std::string("new"));
    Status s = w.Poll();
    CHECK(s.message() == "temp-dump.rdb: No space left on device");
    CHECK(w.failed());
    CHECK(w.Step().message() == s.message());  // stays failed
    CHECK(Content(disk, "dump.rdb") == "old");
    CHECK_FALSE(disk.Exists("temp-dump.rdb"));
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "dump.rdb") == "old");
  }

  TEST_CASE("A failing fsync is reported and the old file stays intact") {
    SimDisk disk;
    REQUIRE(WriteFileDurablySync(disk, "dump.rdb", "old").ok());
    disk.FailNextSync(Status::IoError("temp-dump.rdb: Input/output error"));
    Status s = WriteFileDurablySync(disk, "dump.rdb", "new");
    CHECK(s.message() == "temp-dump.rdb: Input/output error");
    CHECK(Content(disk, "dump.rdb") == "old");
    CHECK(*disk.List("") == std::vector<std::string>{"dump.rdb"});
  }

  TEST_CASE("A failing directory sync is reported after the rename") {
    SimDisk disk;
    REQUIRE(WriteFileDurablySync(disk, "dump.rdb", "old").ok());
    DurableWrite w;
    w.Start(disk, "", "dump.rdb", std::string("new"));
    while (w.state() != DurableWrite::State::kSyncDir) REQUIRE(w.Step().ok());
    disk.FailNextSync(Status::IoError(".: Input/output error"));
    CHECK(w.Poll().message() == ".: Input/output error");
    // The rename happened but is not durable: a power crash goes back.
    disk.Crash(CrashKind::kPower);
    CHECK(Content(disk, "dump.rdb") == "old");
  }
}

}  // namespace plab
