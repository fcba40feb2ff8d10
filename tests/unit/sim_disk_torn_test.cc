// SimDisk's torn-write shapes (prefix, subset, zero tail), CrashImage()
// (what a crash would leave, without crashing) and the operation hook the
// crash-state enumeration (tests/crash/) numbers disk operations with.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/io/durable_write.h"
#include "core/io/sim_disk.h"
#include "tests/unit/persist_test_util.h"

namespace plab {
namespace {

constexpr uint64_t kSector = SimDisk::kSectorSize;

// Bytes that differ from their neighbours and are never zero, so a sector
// that came from elsewhere (old bytes, zeros) shows.
std::string Pattern(char tag, size_t n) {
  std::string s(n, tag);
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(tag + (i % 7));
  return s;
}

// A disk with `old` synced in "f" and `fresh` appended but not synced.
void Prepare(SimDisk& disk, const std::string& old, const std::string& fresh) {
  REQUIRE(WriteFileDurablySync(disk, "f", old).ok());
  auto f = std::move(*disk.OpenWritable("f", false));
  REQUIRE(f->Append(fresh).ok());
}

std::string AfterCrash(const std::string& old, const std::string& fresh, uint64_t seed,
                       TearShape shape) {
  SimDisk disk;
  Prepare(disk, old, fresh);
  disk.Crash(CrashKind::kPowerTorn, seed, shape);
  return *disk.ReadAll("f");
}

// What became of each un-synced sector of `got`: 'w' (written bytes), 'z'
// (zeros), '-' (past the end). `written` is old + fresh.
std::string Sectors(const std::string& got, const std::string& written, size_t synced) {
  std::string out;
  for (size_t at = synced / kSector * kSector; at < written.size(); at += kSector) {
    const size_t n = std::min<size_t>(kSector, written.size() - at);
    if (got.size() <= at) {
      out += '-';
    } else if (got.compare(at, n, written, at, n) == 0) {
      out += 'w';
    } else if (got.compare(at, n, std::string(n, '\0')) == 0) {
      out += 'z';
    } else {
      out += '?';
    }
  }
  return out;
}

std::map<std::string, std::string> Files(const DurableImage& image) {
  SimDisk disk;
  REQUIRE(disk.LoadDurable(image).ok());
  return testing::FileContents(disk);
}

}  // namespace

TEST_SUITE("sim disk torn") {
  TEST_CASE("the default torn crash is the prefix shape, seed for seed") {
    const std::string old = Pattern('a', 300), fresh = Pattern('k', 3000);
    for (uint64_t seed = 0; seed < 30; ++seed) {
      SimDisk disk;
      Prepare(disk, old, fresh);
      disk.Crash(CrashKind::kPowerTorn, seed);
      CHECK(*disk.ReadAll("f") == AfterCrash(old, fresh, seed, TearShape::kPrefix));
    }
  }

  TEST_CASE("a subset tear keeps sectors out of order and never loses synced bytes") {
    const std::string old = Pattern('a', 700), fresh = Pattern('k', 4000);
    const std::string written = old + fresh;
    std::set<std::string> patterns;
    bool out_of_order = false;
    for (uint64_t seed = 0; seed < 60; ++seed) {
      CAPTURE(seed);
      const std::string got = AfterCrash(old, fresh, seed, TearShape::kSubset);
      // The size is the old one or the new one, never something between.
      CHECK((got.size() == old.size() || got.size() == written.size()));
      CHECK(got.compare(0, old.size(), old) == 0);
      const std::string sectors = Sectors(got, written, old.size());
      // The sector holding the end of the synced bytes is either the
      // written one or the old bytes followed by zeros.
      CHECK((sectors.find('?') == std::string::npos || sectors.find('?') == 0));
      const size_t first_missing = sectors.find_first_not_of('w', 1);
      if (first_missing != std::string::npos &&
          sectors.find('w', first_missing) != std::string::npos) {
        out_of_order = true;
      }
      patterns.insert(sectors);
    }
    CHECK(out_of_order);
    CHECK(patterns.size() >= 20);  // the seed picks the subset
  }

  TEST_CASE("a zero-tail tear has the new size with zeros after the sectors that landed") {
    const std::string old = Pattern('a', 512), fresh = Pattern('k', 2600);
    const std::string written = old + fresh;
    std::set<size_t> zeros_from;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      CAPTURE(seed);
      const std::string got = AfterCrash(old, fresh, seed, TearShape::kZeroTail);
      REQUIRE(got.size() == written.size());
      size_t landed = old.size();
      while (landed < got.size() && got[landed] == written[landed]) ++landed;
      CHECK((landed % kSector == 0 || landed == written.size()));
      CHECK(got.find_first_not_of('\0', landed) == std::string::npos);
      zeros_from.insert(landed);
    }
    CHECK(zeros_from.count(old.size()) == 1);  // nothing but zeros: the size alone landed
    CHECK(zeros_from.size() >= 3);
  }

  TEST_CASE("a mixed tear picks among the three shapes file by file") {
    const std::string old = Pattern('a', 100), fresh = Pattern('k', 5000);
    const std::string written = old + fresh;
    bool zeros = false, gap = false, plain_prefix = false;
    for (uint64_t seed = 0; seed < 60; ++seed) {
      const std::string got = AfterCrash(old, fresh, seed, TearShape::kMixed);
      const std::string sectors = Sectors(got, written, 0);
      if (sectors.find('z') != std::string::npos) zeros = true;
      const size_t first_missing = sectors.find_first_not_of('w');
      if (first_missing != std::string::npos &&
          sectors.find('w', first_missing) != std::string::npos) {
        gap = true;
      }
      if (got.size() % kSector == 0 && got.size() > kSector &&
          written.compare(0, got.size(), got) == 0) {
        plain_prefix = true;
      }
    }
    CHECK(zeros);
    CHECK(gap);
    CHECK(plain_prefix);
  }

  TEST_CASE("a tear of a file rewritten in place keeps old or new bytes per sector") {
    const std::string old = Pattern('a', 2048), fresh = Pattern('q', 2048);
    for (TearShape shape : {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail}) {
      for (uint64_t seed = 0; seed < 20; ++seed) {
        SimDisk disk;
        REQUIRE(WriteFileDurablySync(disk, "f", old).ok());
        auto f = std::move(*disk.OpenWritable("f", false));
        REQUIRE(f->WriteAt(0, fresh).ok());
        disk.Crash(CrashKind::kPowerTorn, seed, shape);
        const std::string got = *disk.ReadAll("f");
        REQUIRE(got.size() == old.size());
        for (size_t at = 0; at < got.size(); at += kSector) {
          const bool is_old = got.compare(at, kSector, old, at, kSector) == 0;
          const bool is_new = got.compare(at, kSector, fresh, at, kSector) == 0;
          CHECK((is_old || is_new));
        }
      }
    }
  }

  TEST_CASE("CrashImage is what Crash would leave, and leaves the disk as it was") {
    for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn}) {
      for (TearShape shape :
           {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail, TearShape::kMixed}) {
        for (uint64_t seed = 0; seed < 8; ++seed) {
          CAPTURE(seed);
          auto build = [](SimDisk& disk) {
            REQUIRE(disk.CreateDir("d").ok());
            REQUIRE(WriteFileDurablySync(disk, "d/a", Pattern('a', 900)).ok());
            REQUIRE(disk.SyncDir("")->status().ok());
            auto a = std::move(*disk.OpenWritable("d/a", false));
            REQUIRE(a->Append(Pattern('b', 1500)).ok());
            auto b = std::move(*disk.OpenWritable("b", false));
            REQUIRE(b->Append(Pattern('c', 700)).ok());
            REQUIRE(b->Sync()->status().ok());
            REQUIRE(disk.SyncDir("")->status().ok());
            REQUIRE(b->Append(Pattern('d', 1300)).ok());
            REQUIRE(disk.CreateDir("e").ok());  // never made durable
            REQUIRE(WriteFileDurablySync(disk, "e/x", "x").ok());
          };
          SimDisk disk, twin;
          build(disk);
          build(twin);
          const std::map<std::string, std::string> before = testing::FileContents(disk);
          const uint64_t ops = disk.op_count();
          const DurableImage image = disk.CrashImage(kind, seed, shape);
          CHECK(testing::FileContents(disk) == before);
          CHECK(disk.op_count() == ops);
          twin.Crash(kind, seed, shape);
          CHECK(Files(image) == testing::FileContents(twin));
          if (kind == CrashKind::kProcess) CHECK(Files(image) == before);
          if (kind != CrashKind::kProcess) CHECK(image.names.count("e/x") == 0);
        }
      }
    }
  }

  TEST_CASE("the op hook numbers every change before it happens") {
    SimDisk disk;
    std::vector<std::string> seen;
    disk.set_op_hook([&](const SimDisk::Op& op) {
      CHECK(op.index == seen.size());
      CHECK(disk.op_count() == op.index);
      std::string line = std::string(SimDisk::OpKindName(op.kind)) + " " + std::string(op.path);
      // Before the op: a file being created does not exist yet.
      if (op.kind == SimDisk::Op::Kind::kCreate) line += disk.Exists(op.path) ? " (exists)" : "";
      seen.push_back(line);
    });
    REQUIRE(disk.CreateDir("d").ok());
    REQUIRE(disk.CreateDir("d").ok());  // exists already: no op
    auto f = std::move(*disk.OpenWritable("d/f", true));
    REQUIRE(f->Append("abc").ok());
    REQUIRE(f->Append("").ok());  // nothing to write: no op
    REQUIRE(f->Truncate(1).ok());
    REQUIRE(f->Sync()->status().ok());
    REQUIRE(disk.SyncDir("d")->status().ok());
    REQUIRE(disk.Rename("d/f", "d/g").ok());
    CHECK_FALSE(disk.Rename("d/nope", "d/h").ok());  // fails its checks: no op
    disk.FailNextWrites(1, SimDisk::NoSpace());
    CHECK_FALSE(f->Append("x").ok());  // a fault: the engine did ask
    REQUIRE(disk.Remove("d/g").ok());
    auto again = std::move(*disk.OpenWritable("d/h", true));
    REQUIRE(again->Append("y").ok());
    auto same = std::move(*disk.OpenWritable("d/h", true));  // empties it
    REQUIRE(f->Close().ok());
    CHECK_FALSE(f->Append("z").ok());  // closed: no op
    const std::vector<std::string> want = {"mkdir d",    "create d/f", "write d/f",  "truncate d/f",
                                           "sync d/f",   "syncdir d",  "rename d/f", "write d/f",
                                           "remove d/g", "create d/h", "write d/h",  "empty d/h"};
    CHECK(seen == want);
    CHECK(disk.op_count() == want.size());
  }

  TEST_CASE("the kernel flusher and deferred completions are ops, one per inode or ticket") {
    ManualClock clock;
    SimDisk disk(&clock);
    std::vector<std::string> seen;
    disk.set_op_hook([&](const SimDisk::Op& op) {
      seen.push_back(std::string(SimDisk::OpKindName(op.kind)) + " " + std::string(op.path));
    });
    auto a = std::move(*disk.OpenWritable("a", true));
    auto b = std::move(*disk.OpenWritable("b", true));
    REQUIRE(a->Append("1").ok());
    REQUIRE(b->Append("2").ok());
    seen.clear();
    disk.Writeback(clock.NowMillis());  // nothing expired: no op
    CHECK(seen.empty());
    clock.AdvanceMillis(SimDisk::kDirtyExpireMs);
    disk.Writeback(clock.NowMillis());
    CHECK(seen == std::vector<std::string>{"writeback a", "writeback b", "writeback "});
    seen.clear();
    disk.set_sync_mode(SimDisk::SyncMode::kDeferred);
    REQUIRE(a->Append("3").ok());
    auto t = a->Sync();
    auto d = disk.SyncDir("");
    disk.CompletePendingSyncs();
    CHECK(seen == std::vector<std::string>{"write a", "sync a", "syncdir ", "complete-sync a",
                                           "complete-sync "});
    CHECK(t->done());
    CHECK(d->done());
  }

  TEST_CASE("a crash at every op of a durable write leaves the old or the new file") {
    // The enumeration's pattern in small: crash images taken from the hook.
    SimDisk disk;
    REQUIRE(WriteFileDurablySync(disk, "f", "old").ok());
    std::vector<DurableImage> images;
    disk.set_op_hook([&](const SimDisk::Op&) {
      for (TearShape shape : {TearShape::kPrefix, TearShape::kSubset, TearShape::kZeroTail}) {
        for (uint64_t seed = 0; seed < 4; ++seed) {
          images.push_back(disk.CrashImage(CrashKind::kPowerTorn, seed, shape));
        }
      }
      images.push_back(disk.CrashImage(CrashKind::kProcess));
    });
    const std::string fresh = Pattern('n', 3000);
    REQUIRE(WriteFileDurablySync(disk, "f", fresh).ok());
    images.push_back(disk.CrashImage(CrashKind::kPower));
    CHECK(images.size() > 20);
    for (const DurableImage& image : images) {
      const std::map<std::string, std::string> files = Files(image);
      REQUIRE(files.count("f") == 1);
      CHECK((files.at("f") == "old" || files.at("f") == fresh));
    }
  }
}

}  // namespace plab
