// The Disk contract, run over every implementation: SimDisk (in memory) and
// PosixDisk (real files in a fresh directory under /tmp). Whatever the
// engine relies on must behave the same on both.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/io/durable_write.h"
#include "core/io/sim_disk.h"
#include "native/posix_disk.h"

namespace plab {
namespace {

struct SimFixture {
  SimDisk disk;
};

// A PosixDisk rooted at a fresh temp directory, removed afterwards.
struct PosixFixture {
  static std::string MakeRoot() {
    std::string tmpl = "/tmp/plab-disk-test-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    REQUIRE(made != nullptr);
    return tmpl;
  }
  PosixFixture() : root(MakeRoot()), disk(root) {}
  ~PosixFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::string root;
  PosixDisk disk;
};

std::unique_ptr<WritableFile> Open(Disk& disk, std::string_view path, bool truncate = false) {
  auto f = disk.OpenWritable(path, truncate);
  REQUIRE(f.ok());
  return std::move(f.value());
}

std::string ReadAllOrDie(Disk& disk, std::string_view path) {
  auto r = disk.ReadAll(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r.value();
}

void WriteFile(Disk& disk, std::string_view path, std::string_view data) {
  auto f = Open(disk, path, true);
  REQUIRE(f->Append(data).ok());
  REQUIRE(f->Close().ok());
}

}  // namespace

TEST_SUITE("disk contract") {
  TEST_CASE_TEMPLATE("Append grows the file and ReadAll returns every byte", F, SimFixture,
                     PosixFixture) {
    F fx;
    auto f = Open(fx.disk, "a.bin", true);
    CHECK(f->Size() == 0);
    CHECK(f->Append("hello ").ok());
    CHECK(f->Append(std::string("wor\0ld", 6)).ok());
    CHECK(f->Size() == 12);
    CHECK(ReadAllOrDie(fx.disk, "a.bin") == std::string("hello wor\0ld", 12));
    CHECK(*fx.disk.FileSize("a.bin") == 12);
    CHECK(fx.disk.Exists("a.bin"));
    CHECK(f->Close().ok());
  }

  TEST_CASE_TEMPLATE("Opening without truncate appends after existing bytes", F, SimFixture,
                     PosixFixture) {
    F fx;
    WriteFile(fx.disk, "log", "abc");
    auto f = Open(fx.disk, "log", false);
    CHECK(f->Size() == 3);
    CHECK(f->Append("def").ok());
    CHECK(ReadAllOrDie(fx.disk, "log") == "abcdef");
    auto g = Open(fx.disk, "log", true);
    CHECK(g->Size() == 0);
    CHECK(ReadAllOrDie(fx.disk, "log").empty());
  }

  TEST_CASE_TEMPLATE("WriteAt overwrites in place and past the end leaves zeros", F, SimFixture,
                     PosixFixture) {
    F fx;
    auto f = Open(fx.disk, "f", true);
    CHECK(f->Append("0123456789").ok());
    CHECK(f->WriteAt(2, "ab").ok());
    CHECK(ReadAllOrDie(fx.disk, "f") == "01ab456789");
    CHECK(f->WriteAt(12, "Z").ok());
    CHECK(f->Size() == 13);
    CHECK(ReadAllOrDie(fx.disk, "f") == std::string("01ab456789\0\0Z", 13));
    // Append continues at the new end.
    CHECK(f->Append("!").ok());
    CHECK(ReadAllOrDie(fx.disk, "f").back() == '!');
  }

  TEST_CASE_TEMPLATE("Truncate shrinks and zero-extends", F, SimFixture, PosixFixture) {
    F fx;
    auto f = Open(fx.disk, "t", true);
    CHECK(f->Append("abcdef").ok());
    CHECK(f->Truncate(2).ok());
    CHECK(f->Size() == 2);
    CHECK(ReadAllOrDie(fx.disk, "t") == "ab");
    CHECK(f->Append("c").ok());
    CHECK(ReadAllOrDie(fx.disk, "t") == "abc");
    CHECK(f->Truncate(5).ok());
    CHECK(ReadAllOrDie(fx.disk, "t") == std::string("abc\0\0", 5));
  }

  TEST_CASE_TEMPLATE("Read returns a window and is short or empty at the end", F, SimFixture,
                     PosixFixture) {
    F fx;
    WriteFile(fx.disk, "r", "0123456789");
    CHECK(*fx.disk.Read("r", 0, 3) == "012");
    CHECK(*fx.disk.Read("r", 7, 3) == "789");
    CHECK(*fx.disk.Read("r", 8, 100) == "89");
    CHECK(fx.disk.Read("r", 10, 5)->empty());
    CHECK(fx.disk.Read("r", 1000, 5)->empty());
    CHECK(fx.disk.Read("r", 3, 0)->empty());
  }

  TEST_CASE_TEMPLATE("Rename atomically replaces the destination", F, SimFixture, PosixFixture) {
    F fx;
    WriteFile(fx.disk, "dump.rdb", "old");
    WriteFile(fx.disk, "temp-dump.rdb", "new");
    CHECK(fx.disk.Rename("temp-dump.rdb", "dump.rdb").ok());
    CHECK(ReadAllOrDie(fx.disk, "dump.rdb") == "new");
    CHECK_FALSE(fx.disk.Exists("temp-dump.rdb"));
    CHECK(*fx.disk.List("") == std::vector<std::string>{"dump.rdb"});
  }

  TEST_CASE_TEMPLATE("A handle keeps writing to its file after a rename", F, SimFixture,
                     PosixFixture) {
    F fx;
    auto f = Open(fx.disk, "a", true);
    CHECK(f->Append("1").ok());
    CHECK(fx.disk.Rename("a", "b").ok());
    CHECK(f->Append("2").ok());
    CHECK(ReadAllOrDie(fx.disk, "b") == "12");
    CHECK_FALSE(fx.disk.Exists("a"));
  }

  TEST_CASE_TEMPLATE("Remove deletes a file and fails the second time", F, SimFixture,
                     PosixFixture) {
    F fx;
    WriteFile(fx.disk, "gone", "x");
    CHECK(fx.disk.Remove("gone").ok());
    CHECK_FALSE(fx.disk.Exists("gone"));
    Status again = fx.disk.Remove("gone");
    CHECK(again.code() == Status::Code::kNotFound);
    CHECK(again.message() == "gone: No such file or directory");
  }

  TEST_CASE_TEMPLATE("List is sorted and directories nest one level", F, SimFixture, PosixFixture) {
    F fx;
    CHECK(fx.disk.CreateDir("appendonlydir").ok());
    CHECK(fx.disk.CreateDir("appendonlydir").ok());  // already there: fine
    WriteFile(fx.disk, "zeta", "");
    WriteFile(fx.disk, "alpha", "");
    WriteFile(fx.disk, "appendonlydir/b.aof", "");
    WriteFile(fx.disk, "appendonlydir/a.aof", "");
    CHECK(*fx.disk.List("") == std::vector<std::string>{"alpha", "appendonlydir", "zeta"});
    CHECK(*fx.disk.List("appendonlydir") == std::vector<std::string>{"a.aof", "b.aof"});
    CHECK(fx.disk.Exists("appendonlydir"));
    CHECK(fx.disk.SyncDir("appendonlydir")->status().ok());
  }

  TEST_CASE_TEMPLATE("Missing files are NotFound errors naming the path", F, SimFixture,
                     PosixFixture) {
    F fx;
    const std::string kMsg = "nope: No such file or directory";
    CHECK_FALSE(fx.disk.Exists("nope"));
    CHECK(fx.disk.ReadAll("nope").status().message() == kMsg);
    CHECK(fx.disk.ReadAll("nope").status().code() == Status::Code::kNotFound);
    CHECK(fx.disk.Read("nope", 0, 1).status().message() == kMsg);
    CHECK(fx.disk.FileSize("nope").status().message() == kMsg);
    CHECK(fx.disk.Rename("nope", "other").message() == kMsg);
    CHECK(fx.disk.Remove("nope").message() == kMsg);
    CHECK(fx.disk.List("nodir").status().code() == Status::Code::kNotFound);
    CHECK(fx.disk.OpenWritable("nodir/f", true).status().code() == Status::Code::kNotFound);
  }

  TEST_CASE_TEMPLATE("Sync and SyncDir tickets succeed, and a closed file refuses writes", F,
                     SimFixture, PosixFixture) {
    F fx;
    auto f = Open(fx.disk, "s", true);
    CHECK(f->Append("data").ok());
    auto t = f->Sync();
    CHECK(t->done());
    CHECK(t->status().ok());
    auto d = fx.disk.SyncDir("");
    CHECK(d->done());
    CHECK(d->status().ok());
    CHECK(f->Close().ok());
    Status s = f->Append("more");
    CHECK(s.code() == Status::Code::kIoError);
    CHECK(s.message() == "s: file is closed");
    CHECK_FALSE(f->Sync()->status().ok());
  }

  TEST_CASE_TEMPLATE("WriteFileDurablySync replaces a file and leaves no temp file", F, SimFixture,
                     PosixFixture) {
    F fx;
    CHECK(fx.disk.CreateDir("d").ok());
    CHECK(WriteFileDurablySync(fx.disk, "d/dump.rdb", "first").ok());
    CHECK(WriteFileDurablySync(fx.disk, "d/dump.rdb", "second").ok());
    CHECK(ReadAllOrDie(fx.disk, "d/dump.rdb") == "second");
    CHECK(*fx.disk.List("d") == std::vector<std::string>{"dump.rdb"});
    CHECK(WriteFileDurablySync(fx.disk, "top.rdb", "x").ok());
    CHECK(ReadAllOrDie(fx.disk, "top.rdb") == "x");
  }
}

TEST_SUITE("posix disk") {
  TEST_CASE("PosixDisk writes real files under its root") {
    PosixFixture fx;
    WriteFile(fx.disk, "real.txt", "on disk");
    std::error_code ec;
    CHECK(std::filesystem::file_size(fx.root + "/real.txt", ec) == 7);
  }

  TEST_CASE("PosixDisk errors carry strerror text") {
    PosixFixture fx;
    WriteFile(fx.disk, "plain", "x");
    // A file used as a directory: ENOTDIR, an IoError (not NotFound).
    auto r = fx.disk.OpenWritable("plain/child", true);
    CHECK(r.status().code() == Status::Code::kIoError);
    CHECK(r.status().message() == "plain/child: Not a directory");
    auto d = fx.disk.SyncDir("missing");
    CHECK(d->done());
    CHECK(d->status().message() == "missing: No such file or directory");
  }
}

}  // namespace plab
