// DurableDirMirror (native/durable_dir_mirror.h): a SimDisk's durability
// journal applied to a real directory leaves exactly the SimDisk's durable
// files there (read back by DurableDirMirror::Open), hard links for inodes
// with several names, and boots a fresh SimDisk that goes on journaling.
#include "native/durable_dir_mirror.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/io/clock.h"
#include "core/io/sim_disk.h"

namespace plab {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/plab_mirror_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An image in a form that ignores inode numbering: each name's bytes, the
// directories, and which names share an inode.
struct Shape {
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;
  std::set<std::set<std::string>> links;  // groups of names of one inode
  bool operator==(const Shape&) const = default;
};

Shape ShapeOf(const DurableImage& image) {
  Shape s;
  std::map<uint64_t, std::set<std::string>> groups;
  for (const auto& [path, id] : image.names) {
    s.files[path] = image.inodes.at(id);
    groups[id].insert(path);
  }
  for (auto& [id, names] : groups) s.links.insert(names);
  s.dirs.insert(image.dirs.begin(), image.dirs.end());
  return s;
}

// Failure messages: the shape as text.
std::string Describe(const Shape& s) {
  std::string out;
  for (const auto& [path, bytes] : s.files) {
    out += path + " (" + std::to_string(bytes.size()) + " bytes, hash " +
           std::to_string(std::hash<std::string>()(bytes) % 100000) + ")\n";
  }
  for (const std::string& d : s.dirs) out += d + "/\n";
  for (const auto& group : s.links) {
    if (group.size() < 2) continue;
    out += "linked:";
    for (const std::string& n : group) out += " " + n;
    out += "\n";
  }
  return out;
}

// What a fresh Open of `dir` reads back.
Shape Reread(const std::string& dir) {
  DurableImage image;
  Result<std::unique_ptr<DurableDirMirror>> m = DurableDirMirror::Open(dir, &image);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  return ShapeOf(image);
}

// An empty directory mirroring a fresh SimDisk with its journal on.
struct Mirrored {
  TempDir tmp;
  ManualClock clock;
  SimDisk disk{&clock};
  std::unique_ptr<DurableDirMirror> mirror;

  Mirrored() {
    DurableImage boot;
    auto m = DurableDirMirror::Open(tmp.path(), &boot);
    REQUIRE(m.ok());
    REQUIRE(boot.names.empty());
    mirror = std::move(*m);
    disk.StartDurableJournal();
  }
  // Mirrors what became durable since the last call.
  void Apply() {
    const Status s = mirror->Apply(disk.TakeDurableOps());
    REQUIRE_MESSAGE(s.ok(), s.message());
  }
};

void Write(SimDisk& disk, const std::string& path, const std::string& data, bool sync) {
  auto f = disk.OpenWritable(path, /*truncate=*/false);
  REQUIRE(f.ok());
  REQUIRE((*f)->Append(data).ok());
  if (sync) (*f)->Sync();
}

TEST_SUITE("durable dir mirror") {
  TEST_CASE("only synced bytes and durable names reach the directory") {
    Mirrored m;
    SimDisk& disk = m.disk;
    REQUIRE(disk.CreateDir("appendonlydir").ok());
    disk.SyncDir("");
    Write(disk, "appendonlydir/a.aof", "synced;", true);
    Write(disk, "appendonlydir/a.aof", "unsynced", false);
    Write(disk, "dump.rdb", "never-named", true);  // root not synced: no durable name
    disk.SyncDir("appendonlydir");
    m.Apply();
    const Shape shape = Reread(m.tmp.path());
    CHECK(shape == ShapeOf(disk.DurableSnapshot()));
    CHECK(shape.files.at("appendonlydir/a.aof") == "synced;");
    CHECK(shape.files.count("dump.rdb") == 0);
    CHECK(m.mirror->fsyncs() > 0);
  }

  TEST_CASE("a renamed snapshot replaces the old file and a second name is a hard link") {
    Mirrored m;
    SimDisk& disk = m.disk;
    const std::string& dir = m.tmp.path();
    REQUIRE(disk.CreateDir("sub").ok());
    Write(disk, "dump.rdb", "old", true);
    disk.SyncDir("");
    Write(disk, "temp.rdb", "new snapshot", true);
    REQUIRE(disk.Rename("temp.rdb", "dump.rdb").ok());
    disk.SyncDir("");
    m.Apply();
    CHECK(Reread(dir).files.at("dump.rdb") == "new snapshot");
    // sub/x becomes durable, then moves to the root; syncing only the root
    // leaves both names durable: one inode, two names.
    Write(disk, "sub/x", "shared", true);
    disk.SyncDir("sub");
    REQUIRE(disk.Rename("sub/x", "x").ok());
    disk.SyncDir("");
    m.Apply();
    struct stat a {
    }, b{};
    REQUIRE(stat((dir + "/sub/x").c_str(), &a) == 0);
    REQUIRE(stat((dir + "/x").c_str(), &b) == 0);
    CHECK(a.st_ino == b.st_ino);
    const Shape shape = Reread(dir);
    CHECK(shape == ShapeOf(disk.DurableSnapshot()));
    CHECK(shape.links.count({"sub/x", "x"}) == 1);
  }

  TEST_CASE("a torn power loss and a boot from the directory keep journaling into it") {
    Mirrored first;
    const std::string& dir = first.tmp.path();
    Write(first.disk, "log", std::string(600, 'a'), true);
    first.disk.SyncDir("");
    Write(first.disk, "log", std::string(3000, 'b'), false);  // un-synced sectors
    first.disk.Crash(CrashKind::kPowerTorn, 7);
    first.Apply();
    CHECK(Reread(dir) == ShapeOf(first.disk.DurableSnapshot()));
    // A second process boots from the directory, as plab serve does.
    DurableImage image;
    auto mirror = DurableDirMirror::Open(dir, &image);
    REQUIRE(mirror.ok());
    const std::string before = image.inodes.at(image.names.at("log"));
    CHECK(before.size() >= 600);
    SimDisk disk;
    disk.StartDurableJournal();
    REQUIRE(disk.LoadDurable(image).ok());
    Write(disk, "log", "tail", true);
    Write(disk, "other", "x", true);
    disk.SyncDir("");
    REQUIRE(disk.Remove("other").ok());  // not durable until the next SyncDir
    REQUIRE((*mirror)->Apply(disk.TakeDurableOps()).ok());
    const Shape shape = Reread(dir);
    CHECK(shape == ShapeOf(disk.DurableSnapshot()));
    CHECK(shape.files.at("log") == before + "tail");
    CHECK(shape.files.count("other") == 1);
  }

  TEST_CASE("leftover temporary files of an interrupted apply are removed at open") {
    TempDir tmp;
    std::ofstream(tmp.path() + "/.plab-tmp-1-1") << "half";
    std::ofstream(tmp.path() + "/kept") << "data";
    const Shape shape = Reread(tmp.path());
    CHECK(shape.files.size() == 1);
    CHECK(shape.files.at("kept") == "data");
    CHECK(!std::filesystem::exists(tmp.path() + "/.plab-tmp-1-1"));
  }

  // Random workloads over a few files in two directories: after every batch
  // the directory reads back as the SimDisk's durable table.
  TEST_CASE("after every batch of a random workload the directory equals the durable table") {
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      CAPTURE(seed);
      Mirrored m;
      SimDisk& disk = m.disk;
      ManualClock& clock = m.clock;
      REQUIRE(disk.CreateDir("d").ok());
      std::mt19937_64 rng(seed);
      const std::vector<std::string> names = {"a", "b", "d/c", "d/e"};
      auto any = [&] { return names[rng() % names.size()]; };
      for (int step = 0; step < 120; ++step) {
        switch (rng() % 9) {
          case 0:
          case 1:
            // Fails (fine) once a power loss dropped the directory.
            if (auto f = disk.OpenWritable(any(), false); f.ok()) {
              REQUIRE((*f)->Append(std::string(1 + rng() % 700, 'a' + rng() % 26)).ok());
              if (rng() % 2 == 0) (*f)->Sync();
            } else {
              REQUIRE(disk.CreateDir("d").ok());
            }
            break;
          case 2:
            if (auto f = disk.OpenWritable(any(), /*truncate=*/true); f.ok()) (*f)->Sync();
            break;
          case 3:
            disk.SyncDir(rng() % 2 ? "" : "d");
            break;
          case 4:
            (void)disk.Rename(any(), any());
            break;
          case 5:
            (void)disk.Remove(any());
            break;
          case 6:
            clock.AdvanceMillis(SimDisk::kDirtyExpireMs);
            disk.Writeback(clock.NowMillis());
            break;
          case 7:
            disk.Crash(rng() % 2 ? CrashKind::kPower : CrashKind::kPowerTorn, rng());
            break;
          default:
            if (auto f = disk.OpenWritable(any(), false); f.ok() && (*f)->Size() > 0) {
              (void)(*f)->Truncate(rng() % (*f)->Size());
              (*f)->Sync();
            }
            break;
        }
        if (rng() % 3 == 0) {
          m.Apply();
          const Shape got = Reread(m.tmp.path());
          Shape want = ShapeOf(disk.DurableSnapshot());
          // Names durable in a directory that is not: the mirror made it.
          for (const auto& [path, bytes] : want.files) {
            if (path.rfind("d/", 0) == 0) want.dirs.insert("d");
          }
          REQUIRE_MESSAGE(got == want, "step " << step << "\ndirectory:\n"
                                               << Describe(got) << "durable table:\n"
                                               << Describe(want));
        }
      }
    }
  }
}

}  // namespace
}  // namespace plab
