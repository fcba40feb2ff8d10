// Loading the AOF at startup (AofPersistence::Load via Engine::Recover), as
// Redis 7.0.15's loadAppendOnlyFiles does: a directory redis-server wrote,
// #TS annotations, an open MULTI at the end, corrupt and truncated files,
// a missing file, and the upgrade of a legacy appendonly.aof. A failed load
// must leave every file byte for byte as it was.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/persist/aof_reader.h"
#include "core/persist/rdb_writer.h"
#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::Arr;
using testing::Bulk;
using testing::BulkArr;
using testing::DiskEngine;
using testing::Int;
using testing::kNil;
using testing::kOk;

const std::string kDir = "appendonlydir/";
const std::string kManifest = kDir + "appendonly.aof.manifest";
const std::string kIncr1 = "appendonly.aof.1.incr.aof";

Config AofOn() {
  Config c;
  c.appendonly = true;
  c.appendfsync = FsyncPolicy::kAlways;
  c.save = {};
  return c;
}

std::string Testdata(const std::string& name) {
  std::ifstream in(std::string(PLAB_TESTDATA_DIR) + "/aof/" + name, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Cmd(const std::vector<std::string>& argv) { return EncodeAofCommand(argv); }

// A machine whose disk the test fills by hand, as another server (or an
// older version) would have left it.
struct Machine {
  ManualClock clock;
  SimDisk disk{&clock};

  // Writes `bytes` to `path` durably, creating its directory.
  void Put(const std::string& path, const std::string& bytes) {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos) REQUIRE(disk.CreateDir(path.substr(0, slash)).ok());
    auto file = disk.OpenWritable(path, /*truncate=*/true);
    REQUIRE(file.ok());
    REQUIRE((*file)->Append(bytes).ok());
    REQUIRE((*file)->Sync()->status().ok());
    REQUIRE(disk.SyncDir(slash == std::string::npos ? "" : path.substr(0, slash))->done());
    REQUIRE(disk.SyncDir("")->done());
  }
  // A directory with an empty RESP BASE and these INCR files, in order.
  void PutAof(const std::vector<std::string>& incrs) {
    std::string manifest = "file appendonly.aof.1.base.aof seq 1 type b\n";
    Put(kDir + "appendonly.aof.1.base.aof", "");
    for (size_t i = 0; i < incrs.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      manifest += "file appendonly.aof." + n + ".incr.aof seq " + n + " type i\n";
      Put(kDir + "appendonly.aof." + n + ".incr.aof", incrs[i]);
    }
    Put(kManifest, manifest);
  }
  std::map<std::string, std::string> Files() { return testing::FileContents(disk); }
};

// A server started on `m`; Recover's outcome in `status` and `report`.
struct Started {
  Started(Machine& m, Config c = AofOn()) : e(m.clock, m.disk, std::move(c)) {
    status = e.engine.Recover(&report);
  }
  DiskEngine e;
  Status status;
  RecoveryReport report;
};

// Writes the program sends, for the annotated and open-MULTI files.
const std::string kSetA = Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"});

}  // namespace

TEST_SUITE("aof loading") {
  TEST_CASE("a directory written by redis-server 7.0.15 loads, #TS annotations skipped") {
    Machine m;
    m.Put(kDir + "appendonly.aof.1.base.aof", Testdata("redis7_ts_base.aof"));
    m.Put(kDir + kIncr1, Testdata("redis7_ts_incr.aof"));
    m.Put(kManifest,
          "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type "
          "i\n");
    Started s(m);
    REQUIRE(s.status.ok());
    CHECK(s.report.source == "aof");
    REQUIRE(s.report.files.size() == 2);
    CHECK(s.report.files[0].kind == "base-aof");
    CHECK(s.report.files[0].commands == 0);  // only its #TS line
    CHECK(s.report.files[1].kind == "incr");
    CHECK(s.report.files[1].commands == 14);  // its #TS lines are not commands
    CHECK(s.report.keys_after == 7);
    CHECK(s.e.Run("GET k1") == kNil);
    CHECK(s.e.Run("GET counter") == Bulk("1"));
    CHECK(s.e.Run("LRANGE lst 0 -1") == BulkArr({"a", "", "with space"}));
    CHECK(s.e.Run("GET binkey") == Bulk(std::string("bin\0ary\r\n", 9)));
    CHECK(s.e.Run("HGETALL h") == BulkArr({"f1", "v1"}));
    CHECK(s.e.Run("MGET m1 m2") == BulkArr({"a", "1"}));
    CHECK(s.e.Run("SELECT 3") == kOk);
    CHECK(s.e.Run("GET e") == Bulk(""));
  }

  TEST_CASE("aof-timestamp-enabled writes one #TS annotation per second with writes") {
    Machine m;
    Config c = AofOn();
    c.aof_timestamp_enabled = true;
    const int64_t s0 = m.clock.NowMillis() / 1000;
    {
      Started s(m, c);
      REQUIRE(s.status.ok());
      s.e.Run("SET a 1");
      s.e.Run("SET b 2");
      m.clock.AdvanceMillis(1000);
      s.e.Run("GET a");  // reads write nothing, and no annotation
      s.e.Run("SET c 3");
      m.clock.AdvanceMillis(2500);
      s.e.Run("SET d 4");
      s.e.Run("SET e 5");
    }
    CHECK(*m.disk.ReadAll(kDir + kIncr1) ==
          EncodeAofAnnotation(s0) + Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"}) +
              Cmd({"SET", "b", "2"}) + EncodeAofAnnotation(s0 + 1) + Cmd({"SET", "c", "3"}) +
              EncodeAofAnnotation(s0 + 3) + Cmd({"SET", "d", "4"}) + Cmd({"SET", "e", "5"}));
    Started again(m, c);
    REQUIRE(again.status.ok());
    CHECK(again.report.files.back().commands == 6);
    CHECK(again.e.Run("MGET a b c d e") == BulkArr({"1", "2", "3", "4", "5"}));
  }

  TEST_CASE("a MULTI without EXEC at the end is reverted and cut off") {
    Machine m;
    const std::string open_multi = Cmd({"MULTI"}) + Cmd({"SET", "b", "2"}) + Cmd({"INCR", "n"});
    m.PutAof({kSetA + open_multi});
    Started s(m);
    REQUIRE(s.status.ok());
    CHECK(s.e.Run("GET a") == Bulk("1"));
    CHECK(s.e.Run("EXISTS b n") == Int(0));
    CHECK(s.report.files.back().truncated_bytes == static_cast<int64_t>(open_multi.size()));
    CHECK(s.report.warnings.size() == 1);
    // The file now ends where the transaction began; later writes follow.
    CHECK(s.e.Run("SET c 3") == kOk);
    CHECK(*m.disk.ReadAll(kDir + kIncr1) == kSetA + Cmd({"SELECT", "0"}) + Cmd({"SET", "c", "3"}));
  }

  TEST_CASE("a BASE torn inside MULTI is cut before the MULTI, so the next start loads it too") {
    // Redis 7.0.15 cuts after the queued SET, its start adds an INCR file,
    // and its next start then refuses: "the truncated file is not the last
    // file" (reproduced with redis-server; found by the aof_replay fuzzer).
    Machine m;
    const std::string good = kSetA + Cmd({"SET", "z", "26"});
    const std::string torn = Cmd({"MULTI"}) + Cmd({"SET", "b", "2"}) + "*3\r\n$3\r\nSET\r\n$1";
    m.Put(kDir + "appendonly.aof.1.base.aof", good + torn);
    m.Put(kManifest, "file appendonly.aof.1.base.aof seq 1 type b\n");
    {
      Started s(m);
      REQUIRE(s.status.ok());
      CHECK(s.report.files.at(0).truncated_bytes == static_cast<int64_t>(torn.size()));
      CHECK(s.e.Run("MGET a z b") == Arr({Bulk("1"), Bulk("26"), kNil}));
    }
    CHECK(*m.disk.ReadAll(kDir + "appendonly.aof.1.base.aof") == good);
    Started again(m);
    REQUIRE(again.status.ok());
    CHECK(again.report.files.size() == 2);  // the BASE and the INCR the first start added
    CHECK(again.report.warnings.empty());
    CHECK(again.e.Run("MGET a z b") == Arr({Bulk("1"), Bulk("26"), kNil}));
  }

  TEST_CASE("with aof-load-truncated no an open MULTI at the end stops the restart") {
    Machine m;
    m.PutAof({kSetA + Cmd({"MULTI"}) + Cmd({"SET", "b", "2"})});
    const auto before = m.Files();
    Config c = AofOn();
    c.aof_load_truncated = false;
    Started s(m, c);
    CHECK(s.status.message().starts_with(
        "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof."));
    CHECK(m.Files() == before);
  }

  TEST_CASE("garbage inside an INCR file stops the restart, naming file and offset") {
    Machine m;
    const std::string good = kSetA + Cmd({"SET", "b", "2"});
    m.PutAof({good + "this is not RESP\r\n" + Cmd({"SET", "c", "3"})});
    const auto before = m.Files();
    Started s(m);
    REQUIRE_FALSE(s.status.ok());
    CHECK(s.status.message() ==
          "Bad file format reading the append only file appendonly.aof.1.incr.aof (offset " +
              std::to_string(good.size()) +
              ": Bad file format reading the append only file): make a backup of your AOF file, "
              "then use plab check-aof --fix <appendonly.aof.manifest>");
    CHECK(s.report.error == s.status.message());
    CHECK(m.Files() == before);  // nothing truncated, nothing created
  }

  TEST_CASE(
      "a torn INCR file that is not the last one stops the restart even with aof-load-truncated") {
    Machine m;
    const std::string torn = kSetA + Cmd({"SET", "b", "2"}).substr(0, 10);
    m.PutAof({torn, Cmd({"SELECT", "0"}) + Cmd({"SET", "c", "3"})});
    const auto before = m.Files();
    Started s(m);
    CHECK(s.status.message() ==
          "The AOF file appendonly.aof.1.incr.aof is truncated but is not the last file of the "
          "manifest");
    CHECK(m.Files() == before);
  }

  TEST_CASE("a file the manifest names but the directory lacks stops the restart") {
    Machine m;
    m.PutAof({kSetA, Cmd({"SET", "b", "2"})});
    REQUIRE(m.disk.Remove(kDir + "appendonly.aof.2.incr.aof").ok());
    const auto before = m.Files();
    Started s(m);
    CHECK(s.status.message() ==
          "The AOF file appendonly.aof.2.incr.aof named by the manifest doesn't exist");
    CHECK(s.report.error == s.status.message());
    CHECK(m.Files() == before);
  }

  TEST_CASE("an unknown command in an INCR file stops the restart") {
    Machine m;
    m.PutAof({kSetA + Cmd({"NOSUCHCMD", "x"})});
    const auto before = m.Files();
    Started s(m);
    CHECK(s.status.message() ==
          "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof "
          "at offset " +
              std::to_string(kSetA.size()));
    CHECK(m.Files() == before);
  }

  TEST_CASE("a command with the wrong number of arguments stops the restart, also inside MULTI") {
    // Redis 7.0.15 would run GET's handler with argc 1 and read past argv.
    const std::string multi = Cmd({"MULTI"});
    const std::vector<std::pair<std::string, std::string>> files = {
        {kSetA + Cmd({"GET"}), kSetA},
        {kSetA + multi + Cmd({"SET", "b"}) + Cmd({"EXEC"}), kSetA + multi},
        {kSetA + Cmd({"CONFIG", "GET"}), kSetA},
    };
    for (const auto& [file, head] : files) {
      Machine m;
      m.PutAof({file});
      const auto before = m.Files();
      Started s(m);
      CAPTURE(file);
      CHECK(s.status.message().find("Wrong number of arguments") == 0);
      CHECK(s.status.message().find("reading the append only file appendonly.aof.1.incr.aof at "
                                    "offset " +
                                    std::to_string(head.size())) != std::string::npos);
      CHECK(m.Files() == before);
    }
  }

  TEST_CASE("a legacy appendonly.aof in the root is loaded and moved into the directory") {
    Machine m;
    m.Put("appendonly.aof", kSetA + Cmd({"RPUSH", "l", "x", "y"}));
    Started s(m);
    REQUIRE(s.status.ok());
    CHECK(s.e.Run("GET a") == Bulk("1"));
    CHECK(s.e.Run("LRANGE l 0 -1") == BulkArr({"x", "y"}));
    REQUIRE(s.report.files.size() == 1);
    CHECK(s.report.files[0].kind == "legacy-aof");
    CHECK(s.report.files[0].name == kDir + "appendonly.aof");
    CHECK(s.report.warnings ==
          std::vector<std::string>{"An old-style appendonly.aof was moved into appendonlydir/ "
                                   "and is now its BASE file"});
    CHECK_FALSE(m.disk.Exists("appendonly.aof"));
    CHECK(*m.disk.ReadAll(kManifest) ==
          "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    CHECK(s.e.Run("SET after upgrade") == kOk);
    // The upgrade is durable: a power cut now keeps it and the new write.
    m.disk.Crash(CrashKind::kPower);
    Started again(m);
    REQUIRE(again.status.ok());
    CHECK(again.report.warnings.empty());
    CHECK(again.report.files.size() == 2);
    CHECK(again.e.Run("MGET a after") == BulkArr({"1", "upgrade"}));
  }

  TEST_CASE("a corrupt legacy appendonly.aof is moved, refused, and survives a power cut") {
    Machine m;
    const std::string legacy = kSetA + "garbage\r\n";
    m.Put("appendonly.aof", legacy);
    Started s(m);
    CHECK(s.status.message().starts_with(
        "Bad file format reading the append only file appendonly.aof (offset "));
    // Redis moves it before loading too; check-aof --fix then finds it here.
    CHECK(*m.disk.ReadAll(kDir + "appendonly.aof") == legacy);
    CHECK(*m.disk.ReadAll(kManifest) == "file appendonly.aof seq 1 type b\n");
    m.disk.Crash(CrashKind::kPower);
    CHECK(*m.disk.ReadAll(kDir + "appendonly.aof") == legacy);
  }

  TEST_CASE("a legacy appendonly.aof with an RDB preamble loads both parts") {
    Machine m;
    Keyspace ks;
    {
      testing::TestEngine t;
      t.Run("HSET h f v");
      t.Run("SET s 1");
      t.Run("SELECT 2");
      t.Run("SADD set m");
      rdb::RdbWriteOptions options;
      options.aof_base = true;
      Result<std::string> rdb = rdb::SerializeKeyspace(t.engine.server().keyspace(), options);
      REQUIRE(rdb.ok());
      m.Put("appendonly.aof", *rdb + Cmd({"SELECT", "0"}) + Cmd({"INCR", "s"}));
    }
    Started s(m);
    REQUIRE(s.status.ok());
    REQUIRE(s.report.files.size() == 1);
    CHECK(s.report.files[0].kind == "legacy-aof");
    CHECK(s.report.files[0].rdb_preamble);
    CHECK(s.report.files[0].keys_loaded == 3);
    CHECK(s.report.files[0].commands == 2);
    CHECK(s.e.Run("GET s") == Bulk("2"));
    CHECK(s.e.Run("HGET h f") == Bulk("v"));
    CHECK(s.e.Run("SELECT 2") == kOk);
    CHECK(s.e.Run("SISMEMBER set m") == Int(1));
  }

  TEST_CASE("with appendonly yes and no AOF the server starts empty even if dump.rdb exists") {
    Machine m;
    {
      DiskEngine e(m.clock, m.disk);
      e.Run("SET from rdb");
      REQUIRE(e.Run("SAVE") == kOk);
    }
    Started s(m);
    REQUIRE(s.status.ok());
    CHECK(s.report.source == "none");
    CHECK(s.e.Run("DBSIZE") == Int(0));
    CHECK(*m.disk.ReadAll(kManifest) ==
          "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type "
          "i\n");
  }
}

}  // namespace plab
