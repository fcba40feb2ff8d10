// A full disk (ENOSPC) and failing fsyncs (EIO) on real files, end to end:
// `plab serve` and redis-server 7.0.15 (the oracle) both run under the
// fault_shim.c LD_PRELOAD library, the test turns the fault on and off
// through its control file, and the two servers' replies are compared step
// by step: writes refused with Redis's MISCONF errors, reads still served,
// writes accepted again once the disk recovers; under appendfsync always
// both exit instead of acknowledging. (tests/unit covers the same paths on
// the SimDisk; this is the real-file version, issue 13 §4/§5.)
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

using Kind = ServerProcess::Kind;

// One server under the fault shim, with its control file.
struct FaultyServer {
  std::unique_ptr<ServerProcess> server;
  std::string control;
  RespClient client;

  FaultyServer(Kind kind, const std::vector<std::string>& args) {
    char tmpl[] = "/tmp/plab-fault-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    control = std::string(tmpl) + "/fault";
    // The child inherits the environment at fork; the test process itself
    // loaded no shim, so setting LD_PRELOAD here only affects the server.
    ::setenv("LD_PRELOAD", PLAB_FAULT_SHIM_PATH, 1);
    ::setenv("PLAB_FAULT_CONTROL", control.c_str(), 1);
    std::string error;
    server = ServerProcess::Start(kind, &error, args);
    ::unsetenv("LD_PRELOAD");
    ::unsetenv("PLAB_FAULT_CONTROL");
    REQUIRE_MESSAGE(server != nullptr, error);
    REQUIRE(client.Connect(server->port()));
  }
  ~FaultyServer() {
    ::unlink(control.c_str());
    ::rmdir(control.substr(0, control.rfind('/')).c_str());
  }
  void Fault(const std::string& kind) { std::ofstream(control) << kind << "\n"; }
  void Heal() { ::unlink(control.c_str()); }
  std::string Call(const std::vector<std::string>& argv) {
    std::optional<Reply> r = client.Call(argv, 5000);
    return r ? r->raw : "<no reply: " + client.error() + ">";
  }
  std::string Info(const std::string& field) {
    std::optional<Reply> r = client.Call({"INFO", "persistence"});
    if (!r) return "";
    const size_t at = r->str.find(field + ":");
    if (at == std::string::npos) return "";
    const size_t from = at + field.size() + 1;
    return r->str.substr(from, r->str.find("\r\n", from) - from);
  }
  // Polls `field` until it reads `want` (a background save finishing, the
  // AOF error clearing in cron).
  bool WaitInfo(const std::string& field, const std::string& want, int timeout_ms = 10000) {
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
      if (Info(field) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
};

// Runs `steps` (a script over one FaultyServer) on both servers started
// with `args` and returns each transcript, for comparison.
template <typename Steps>
void CompareWithRedis(const std::vector<std::string>& args, Steps steps) {
  std::vector<std::string> transcripts;
  for (Kind kind : {Kind::kRedis, Kind::kPlab}) {
    FaultyServer s(kind, args);
    std::string t;
    steps(s, t);
    MESSAGE(s.server->name() << ":\n" << t);
    transcripts.push_back(t);
  }
  CHECK(transcripts[1] == transcripts[0]);
}

}  // namespace

TEST_SUITE("disk faults") {
  TEST_CASE(
      "BGSAVE on a full disk: MISCONF refuses writes, reads work, recovery when space returns") {
    // stop-writes-on-bgsave-error applies only while save points exist.
    CompareWithRedis({"--save", "3600 1", "--appendonly", "no"},
                     [](FaultyServer& s, std::string& t) {
                       t += s.Call({"SET", "k", "v"});
                       s.Fault("enospc");
                       t += s.Call({"BGSAVE"});
                       CHECK(s.WaitInfo("rdb_bgsave_in_progress", "0"));
                       t += "status=" + s.Info("rdb_last_bgsave_status") + "\n";
                       t += s.Call({"SET", "k", "w"});  // refused
                       t += s.Call({"GET", "k"});       // still served
                       t += s.Call({"DEL", "k"});
                       s.Heal();
                       t += s.Call({"BGSAVE"});
                       CHECK(s.WaitInfo("rdb_bgsave_in_progress", "0"));
                       t += "status=" + s.Info("rdb_last_bgsave_status") + "\n";
                       t += s.Call({"SET", "k", "x"});
                       t += s.Call({"GET", "k"});
                     });
  }

  TEST_CASE("fsync failing during BGSAVE is refused like a full disk") {
    CompareWithRedis({"--save", "3600 1", "--appendonly", "no"},
                     [](FaultyServer& s, std::string& t) {
                       t += s.Call({"SET", "k", "v"});
                       s.Fault("eio");
                       t += s.Call({"BGSAVE"});
                       CHECK(s.WaitInfo("rdb_bgsave_in_progress", "0"));
                       t += "status=" + s.Info("rdb_last_bgsave_status") + "\n";
                       t += s.Call({"SET", "k", "w"});
                       t += s.Call({"GET", "k"});
                       s.Heal();
                       t += s.Call({"BGSAVE"});
                       CHECK(s.WaitInfo("rdb_bgsave_in_progress", "0"));
                       t += s.Call({"SET", "k", "x"});
                       t += s.Call({"GET", "k"});
                     });
  }

  TEST_CASE("AOF on a full disk under everysec: MISCONF with strerror, then it writes again") {
    CompareWithRedis({"--save", "", "--appendonly", "yes", "--appendfsync", "everysec"},
                     [](FaultyServer& s, std::string& t) {
                       t += s.Call({"SET", "a", "1"});
                       s.Fault("enospc");
                       t += s.Call({"SET", "b", "2"});  // acknowledged, its write fails after
                       t += s.Call({"SET", "c", "3"});  // refused
                       t += s.Call({"GET", "a"});
                       t += "status=" + s.Info("aof_last_write_status") + "\n";
                       s.Heal();
                       // The write is retried by cron once a second.
                       CHECK(s.WaitInfo("aof_last_write_status", "ok"));
                       t += s.Call({"SET", "c", "3"});
                       t += s.Call({"MGET", "a", "b", "c"});
                     });
  }

  TEST_CASE("AOF fsync failing under everysec refuses writes; PersistLab recovers by a rewrite") {
    // Until the disk heals both servers answer the same. After it heals,
    // Redis 7.0.15 keeps refusing (its failed background fsync is retried
    // only after new data, which it refuses: only an AOF reopen clears it),
    // while PersistLab rewrites the AOF from memory and accepts writes again
    // (a deliberate difference, see aof_persistence.cc CheckBackgroundFsync).
    std::vector<bool> accepted_after_heal;
    CompareWithRedis(
        {"--save", "", "--appendonly", "yes", "--appendfsync", "everysec"},
        [&](FaultyServer& s, std::string& t) {
          t += s.Call({"SET", "a", "1"});
          s.Fault("eio");
          t += s.Call({"SET", "b", "2"});
          // The background fsync runs within about a second.
          bool refused = false;
          for (int i = 0; i < 60 && !refused; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            refused = s.Call({"SET", "c", "3"})[0] == '-';
          }
          CHECK(refused);
          t += s.Call({"SET", "c", "3"});
          t += s.Call({"GET", "a"});
          s.Heal();
          bool accepted = false;
          for (int i = 0; i < 40 && !accepted; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            accepted = s.Call({"SET", "d", "4"}) == "+OK\r\n";
          }
          accepted_after_heal.push_back(accepted);
          if (accepted)
            CHECK(s.Call({"MGET", "a", "b", "d"}) == "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n4\r\n");
        });
    REQUIRE(accepted_after_heal.size() == 2);
    CHECK_FALSE(accepted_after_heal[0]);  // redis-server
    CHECK(accepted_after_heal[1]);        // plab serve
  }

  TEST_CASE("under appendfsync always a failed AOF write or fsync stops the server unanswered") {
    for (const std::string fault : {"enospc", "eio"}) {
      CAPTURE(fault);
      CompareWithRedis({"--save", "", "--appendonly", "yes", "--appendfsync", "always"},
                       [fault](FaultyServer& s, std::string& t) {
                         t += s.Call({"SET", "a", "1"});
                         s.Fault(fault);
                         const std::string reply = s.Call({"SET", "b", "2"});
                         // No acknowledgement: the connection just ends.
                         t += reply.rfind("<no reply", 0) == 0 ? "<no reply>\n" : reply;
                         int code = 0;
                         t += s.server->WaitForExit(5000, &code) ? "exited\n" : "running\n";
                         t += "exit code " + std::to_string(code) + "\n";
                       });
    }
  }
}

}  // namespace plab::it
