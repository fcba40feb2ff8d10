// SimDisk's durability journal: a mirror that applies TakeDurableOps() in
// order (what the browser does in IndexedDB) always holds exactly the
// disk's durable state, writes only what became durable, and a disk booted
// from the mirror with LoadDurable() recovers like the original machine.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/io/sim_disk.h"
#include "tests/unit/aof_workload.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

// A key-value store fed with the journal, like the IndexedDB side.
struct Mirror {
  DurableImage image;
  uint64_t appended = 0;  // bytes the journal asked to store

  void Apply(const std::vector<DurableOp>& ops) {
    for (const DurableOp& op : ops) {
      switch (op.kind) {
        case DurableOp::Kind::kAppend: {
          std::string& bytes = image.inodes[op.inode];
          REQUIRE(op.offset == bytes.size());  // appends only, never rewrites
          bytes += op.data;
          appended += op.data.size();
          break;
        }
        case DurableOp::Kind::kTruncate:
          REQUIRE(op.offset < image.inodes[op.inode].size());
          image.inodes[op.inode].resize(op.offset);
          break;
        case DurableOp::Kind::kLink:
          image.names[op.path] = op.inode;
          break;
        case DurableOp::Kind::kUnlink:
          REQUIRE(image.names.erase(op.path) == 1);
          break;
        case DurableOp::Kind::kDropInode:
          image.inodes.erase(op.inode);
          break;
        case DurableOp::Kind::kMkdir:
          image.dirs.insert(op.path);
          break;
        case DurableOp::Kind::kRmdir:
          REQUIRE(image.dirs.erase(op.path) == 1);
          break;
      }
    }
  }
};

// The mirror equals the disk's durable state, and keeps no bytes of an
// inode no durable name refers to.
void CheckMirror(SimDisk& disk, Mirror& mirror) {
  mirror.Apply(disk.TakeDurableOps());
  const DurableImage want = disk.DurableSnapshot();
  CHECK(mirror.image.names == want.names);
  CHECK(mirror.image.dirs == want.dirs);
  std::set<uint64_t> named;
  for (const auto& [path, id] : mirror.image.names) {
    named.insert(id);
    Result<std::string> content = disk.DurableContent(path);
    REQUIRE(content.ok());
    CHECK_MESSAGE(mirror.image.inodes[id] == *content, path);
  }
  CHECK(mirror.image.inodes.size() == named.size());
}

const std::vector<std::string> kPaths = {"a", "b", "d/x", "d/y", "e/z", "e/w"};
const std::vector<std::string> kDirs = {"", "d", "e"};

// One random step on `disk`; `handles` holds the open files by path.
void RandomStep(std::mt19937_64& rng, ManualClock& clock, SimDisk& disk,
                std::map<std::string, std::unique_ptr<WritableFile>>& handles) {
  const std::string& path = kPaths[rng() % kPaths.size()];
  const std::string& dir = kDirs[rng() % kDirs.size()];
  auto handle = handles.find(path);
  WritableFile* file = handle == handles.end() ? nullptr : handle->second.get();
  const std::string data = testing::RandomText(rng, 1 + rng() % 700);
  switch (rng() % 16) {
    case 0:
    case 1: {
      auto opened = disk.OpenWritable(path, rng() % 4 == 0);
      if (opened.ok()) handles[path] = std::move(*opened);
      break;
    }
    case 2:
    case 3:
      if (file != nullptr) (void)file->Append(data);
      break;
    case 4:
      if (file != nullptr) (void)file->WriteAt(rng() % (file->Size() + 1), data);
      break;
    case 5:
      if (file != nullptr) (void)file->Truncate(rng() % (file->Size() + 1));
      break;
    case 6:
    case 7:
      if (file != nullptr) (void)file->Sync();
      break;
    case 8:
      (void)disk.Rename(path, kPaths[rng() % kPaths.size()]);
      break;
    case 9:
      (void)disk.Remove(path);
      break;
    case 10:
      (void)disk.CreateDir(dir);
      break;
    case 11:
    case 12:
      (void)disk.SyncDir(dir);
      break;
    case 13:
      clock.AdvanceMillis(static_cast<int64_t>(rng() % 40000));
      disk.Writeback(clock.NowMillis());
      break;
    case 14:
      disk.set_sync_mode(rng() % 2 == 0 ? SimDisk::SyncMode::kDeferred
                                        : SimDisk::SyncMode::kImmediate);
      disk.CompletePendingSyncs();
      break;
    case 15: {
      const CrashKind kinds[] = {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn};
      const CrashKind kind = kinds[rng() % 3];
      // Every tear shape: zeros and out-of-order sectors are journaled too.
      const TearShape shapes[] = {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail,
                                  TearShape::kMixed};
      const TearShape shape = shapes[rng() % 4];
      disk.Crash(kind, rng(), shape);
      if (kind != CrashKind::kProcess) handles.clear();  // they point at lost inodes
      break;
    }
  }
}

}  // namespace

TEST_SUITE("sim disk journal") {
  TEST_CASE("a mirror applying the journal always equals the durable state") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      CAPTURE(seed);
      std::mt19937_64 rng(seed);
      ManualClock clock;
      SimDisk disk(&clock);
      Mirror mirror;
      // Some state before the journal starts: it is sent as a whole.
      REQUIRE(disk.CreateDir("d").ok());
      {
        auto f = std::move(*disk.OpenWritable("d/x", false));
        REQUIRE(f->Append("before the journal").ok());
        (void)f->Sync();
        (void)disk.SyncDir("");
        (void)disk.SyncDir("d");
      }
      disk.StartDurableJournal();
      std::map<std::string, std::unique_ptr<WritableFile>> handles;
      for (int step = 0; step < 400; ++step) {
        RandomStep(rng, clock, disk, handles);
        CheckMirror(disk, mirror);
      }
      // Booting a fresh disk from the mirror gives what a power failure
      // leaves on the original.
      handles.clear();
      disk.Crash(CrashKind::kPower);
      CheckMirror(disk, mirror);
      SimDisk booted(&clock);
      REQUIRE(booted.LoadDurable(mirror.image).ok());
      CHECK(testing::FileContents(booted) == testing::FileContents(disk));
      CHECK(booted.List("").ok());
      CHECK(*booted.List("") == *disk.List(""));
    }
  }

  TEST_CASE("an AOF-like workload journals at most 1.5x the bytes made durable") {
    for (auto mode : {SimDisk::SyncMode::kImmediate, SimDisk::SyncMode::kDeferred}) {
      ManualClock clock;
      SimDisk disk(&clock);
      disk.StartDurableJournal();
      disk.set_sync_mode(mode);
      Mirror mirror;
      std::mt19937_64 rng(5);
      REQUIRE(disk.CreateDir("appendonlydir").ok());
      auto f = std::move(*disk.OpenWritable("appendonlydir/appendonly.aof.1.incr.aof", false));
      (void)disk.SyncDir("");
      (void)disk.SyncDir("appendonlydir");
      for (int i = 0; i < 3000; ++i) {
        REQUIRE(f->Append(testing::RandomText(rng, 20 + rng() % 80)).ok());
        (void)f->Sync();
        if (i % 7 == 0) disk.CompletePendingSyncs();
        mirror.Apply(disk.TakeDurableOps());
      }
      disk.CompletePendingSyncs();
      CheckMirror(disk, mirror);
      const uint64_t durable =
          disk.Inspect("appendonlydir/appendonly.aof.1.incr.aof")->durable_size;
      CHECK(durable == f->Size());
      CHECK(mirror.appended <= durable * 3 / 2);
      CHECK(mirror.appended >= durable);
    }
  }

  TEST_CASE("a rename journals a link and an unlink, not the file's bytes again") {
    SimDisk disk;
    disk.StartDurableJournal();
    auto f = std::move(*disk.OpenWritable("temp", false));
    REQUIRE(f->Append(std::string(10000, 'x')).ok());
    (void)f->Sync();
    (void)disk.SyncDir("");
    Mirror mirror;
    mirror.Apply(disk.TakeDurableOps());
    CHECK(mirror.appended == 10000);
    REQUIRE(disk.Rename("temp", "final").ok());
    (void)disk.SyncDir("");
    std::vector<DurableOp> ops = disk.TakeDurableOps();
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].kind == DurableOp::Kind::kLink);
    CHECK(ops[0].path == "final");
    CHECK(ops[1].kind == DurableOp::Kind::kUnlink);
    CHECK(ops[1].path == "temp");
    mirror.Apply(ops);
    CHECK(mirror.appended == 10000);
    // Replacing a prefix-sharing content rewrites only from the difference.
    REQUIRE(f->WriteAt(9000, "y").ok());
    (void)f->Sync();
    ops = disk.TakeDurableOps();
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].kind == DurableOp::Kind::kTruncate);
    CHECK(ops[0].offset == 9000);
    CHECK(ops[1].kind == DurableOp::Kind::kAppend);
    CHECK(ops[1].data.size() == 1000);
    // Removing the last durable name drops the inode.
    REQUIRE(disk.Remove("final").ok());
    (void)disk.SyncDir("");
    ops = disk.TakeDurableOps();
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].kind == DurableOp::Kind::kUnlink);
    CHECK(ops[1].kind == DurableOp::Kind::kDropInode);
  }

  TEST_CASE("LoadDurable refuses a non-empty disk and a name without an inode") {
    SimDisk disk;
    DurableImage image;
    image.names["x"] = 3;
    CHECK(disk.LoadDurable(image).code() == Status::Code::kInvalidArgument);
    image.inodes[3] = "abc";
    REQUIRE(disk.LoadDurable(image).ok());
    CHECK(*disk.ReadAll("x") == "abc");
    CHECK(disk.LoadDurable(image).code() == Status::Code::kInvalidArgument);
    // New inodes do not reuse the loaded ids.
    disk.StartDurableJournal();
    (void)disk.TakeDurableOps();
    auto f = std::move(*disk.OpenWritable("y", false));
    (void)disk.SyncDir("");
    std::vector<DurableOp> ops = disk.TakeDurableOps();
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].inode > 3);
  }

  TEST_CASE("an AOF engine booted from the mirror recovers the same keyspace") {
    for (FsyncPolicy fsync : {FsyncPolicy::kAlways, FsyncPolicy::kEverySec}) {
      CAPTURE(FsyncPolicyName(fsync));
      Config config;
      config.appendonly = true;
      config.appendfsync = fsync;
      config.save = {};
      ManualClock clock;
      SimDisk a(&clock);
      a.StartDurableJournal();
      Mirror mirror;
      {
        testing::DiskEngine e(clock, a, config);
        RecoveryReport report;
        REQUIRE(e.engine.Recover(&report).ok());
        testing::WriteModel model;
        for (int round = 0; round < 3; ++round) {
          testing::RunWorkload(e, model, 2000, 3);
          mirror.Apply(a.TakeDurableOps());
          REQUIRE(e.Run("BGREWRITEAOF")[0] == '+');
          for (int i = 0; i < 1000 && e.server().aof().rewrite_in_progress(); ++i) {
            e.server().BackgroundWork(0);
            testing::RunWorkload(e, model, 100, 1);
          }
          CHECK_FALSE(e.server().aof().rewrite_in_progress());
          mirror.Apply(a.TakeDurableOps());
        }
        testing::RunWorkload(e, model, 500, 3);
        mirror.Apply(a.TakeDurableOps());
      }
      a.Crash(CrashKind::kPower);
      CheckMirror(a, mirror);
      // The rewrites happened: the mirror names the fourth BASE.
      CHECK(mirror.image.names.count("appendonlydir/appendonly.aof.4.base.rdb") == 1);
      SimDisk b(&clock);
      REQUIRE(b.LoadDurable(mirror.image).ok());
      testing::DiskEngine on_a(clock, a, config);
      testing::DiskEngine on_b(clock, b, config);
      RecoveryReport report_a, report_b;
      REQUIRE(on_a.engine.Recover(&report_a).ok());
      REQUIRE(on_b.engine.Recover(&report_b).ok());
      const std::string keys = testing::DescribeKeyspace(on_a.server().keyspace());
      CHECK(keys.size() > 100);
      CHECK(testing::DescribeKeyspace(on_b.server().keyspace()) == keys);
    }
  }
}

}  // namespace plab
