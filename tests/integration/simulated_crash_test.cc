// `plab serve --simulated-disk DIR` driven by real clients (issue 13 §6):
// redis-cli and the tests' RESP client write, `DEBUG SIMULATE-CRASH` pulls
// the plug, and what survives must be what the fsync policy promises:
//   - appendfsync always: every acknowledged write survives a power loss;
//     DIR then boots a fresh `plab serve --simulated-disk DIR` to the same
//     keyspace, and its files pass `plab check-aof`;
//   - everysec: writes acknowledged before the last fsync survive; the
//     recovery report finds no broken promise;
//   - no: a power loss within the kernel's 30 s writeback loses every write
//     since startup, a process crash loses none (the page cache survives);
//   - every client is disconnected (the one that asked too, without a
//     reply: redis-cli says the server closed the connection);
//   - DEBUG SIMULATE-CRASH REPORT returns the report; without
//     --simulated-disk, or without enable-debug-command, it is an error;
//   - --simulate-crash-every: a client that reconnects after each random
//     crash never sees an acknowledged INCR go back under `always`.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/shell_run.h"

namespace plab::it {
namespace {

using Keyspace = std::map<std::string, std::string>;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/plab_simdisk_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path_ = std::string(tmpl) + "/disk";  // plab creates it
  }
  ~TempDir() { std::filesystem::remove_all(std::filesystem::path(path_).parent_path()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<ServerProcess> StartSimulated(const std::string& dir,
                                              std::vector<std::string> extra) {
  std::vector<std::string> args = {"--simulated-disk", dir, "--appendonly", "yes"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  auto s = ServerProcess::Start(ServerProcess::Kind::kPlab, &error, args);
  REQUIRE_MESSAGE(s != nullptr, error);
  return s;
}

void Connect(RespClient& c, const ServerProcess& s) {
  REQUIRE_MESSAGE(c.Connect(s.port()), c.error());
}

Reply Call(RespClient& c, const std::vector<std::string>& argv) {
  std::optional<Reply> r = c.Call(argv);
  REQUIRE_MESSAGE(r.has_value(), argv[0] << ": " << c.error());
  return *r;
}

// Every string key of db 0 and its value.
Keyspace Dump(const ServerProcess& s) {
  RespClient c;
  Connect(c, s);
  Keyspace out;
  for (const Reply& k : Call(c, {"KEYS", "*"}).elems) out[k.str] = Call(c, {"GET", k.str}).str;
  return out;
}

// Pipelines SETs of `prefix`:0..n-1 and returns the keys acknowledged +OK.
Keyspace WriteAcked(RespClient& c, const std::string& prefix, int n) {
  std::string pipeline;
  for (int i = 0; i < n; ++i) {
    pipeline += EncodeCommand({"SET", prefix + ":" + std::to_string(i), "v" + std::to_string(i)});
  }
  REQUIRE(c.SendRaw(pipeline));
  Keyspace acked;
  for (int i = 0; i < n; ++i) {
    std::optional<Reply> r = c.Read();
    REQUIRE(r.has_value());
    REQUIRE(r->raw == "+OK\r\n");
    acked[prefix + ":" + std::to_string(i)] = "v" + std::to_string(i);
  }
  return acked;
}

// Asks for a crash and checks that the asking client gets no reply and is
// disconnected, like every other client (`others`).
void Crash(RespClient& asker, const std::string& kind, std::vector<RespClient*> others = {}) {
  REQUIRE(asker.Send({"DEBUG", "SIMULATE-CRASH", kind, "42"}));
  CHECK(asker.WaitForClose());
  CHECK_FALSE(asker.Read(200).has_value());  // no reply before the close
  for (RespClient* c : others) CHECK(c->WaitForClose());
}

// Waits until the restarted server answers PING (it restarts in the same
// event-loop iteration; a new connection is accepted right after).
void Reconnect(RespClient& c, const ServerProcess& s) {
  c.Close();
  Connect(c, s);
  CHECK(Call(c, {"PING"}).str == "PONG");
}

std::string Report(RespClient& c) {
  Reply r = Call(c, {"DEBUG", "SIMULATE-CRASH", "REPORT"});
  REQUIRE(r.type == '$');
  return r.str;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_SUITE("simulated crash") {
  TEST_CASE(
      "appendfsync always: a power loss keeps every acknowledged write, and DIR boots "
      "to the same keyspace") {
    TempDir dir;
    Keyspace before;
    {
      auto server =
          StartSimulated(dir.path(), {"--enable-debug-command", "yes", "--appendfsync", "always"});
      const std::string cli = FindProgram("redis-cli");
      REQUIRE(!cli.empty());
      const std::string port = std::to_string(server->port());
      RunResult set = RunShell(Quote(cli) + " -p " + port + " SET from-cli hello");
      REQUIRE(set.output == "OK\n");
      RespClient writer, idle;
      Connect(writer, *server);
      Connect(idle, *server);
      Keyspace acked = WriteAcked(writer, "k", 500);
      acked["from-cli"] = "hello";
      // redis-cli shows what a crash looks like from a client.
      RunResult crash = RunShell(Quote(cli) + " -p " + port + " DEBUG SIMULATE-CRASH power 7");
      CHECK(Contains(crash.output, "Server closed the connection"));
      CHECK(writer.WaitForClose());
      CHECK(idle.WaitForClose());
      before = Dump(*server);
      CHECK(before == acked);
      RespClient c;
      Connect(c, *server);
      const std::string report = Report(c);
      CHECK(Contains(report, "Simulated crash #1: power loss (power, seed 7)"));
      CHECK(Contains(report, "Promise: appendfsync always"));
      CHECK(Contains(report, "Nothing lost"));
      // The files in DIR are what the AOF tools expect.
      RunResult check = RunShell(Quote(PlabBinary()) + " check-aof " +
                                 Quote(dir.path() + "/appendonlydir/appendonly.aof.manifest"));
      CHECK_MESSAGE(check.exit_code == 0, check.output);
      server->Kill();  // no shutdown save: DIR holds what was durable
    }
    auto fresh = StartSimulated(dir.path(), {"--appendfsync", "always"});
    CHECK(Dump(*fresh) == before);
  }

  TEST_CASE("appendfsync everysec: writes older than the last fsync survive a power loss") {
    TempDir dir;
    auto server =
        StartSimulated(dir.path(), {"--enable-debug-command", "yes", "--appendfsync", "everysec"});
    RespClient c;
    Connect(c, *server);
    const Keyspace old = WriteAcked(c, "old", 300);
    // The everysec fsync runs once a second: 2.5 s later "old" is durable.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    const Keyspace recent = WriteAcked(c, "new", 300);
    Crash(c, "power");
    const Keyspace after = Dump(*server);
    for (const auto& [k, v] : old) {
      CHECK_MESSAGE(after.count(k) == 1, k << " was acknowledged 2.5 s before the power loss");
    }
    for (const auto& [k, v] : after) {
      CHECK_MESSAGE((old.count(k) == 1 || recent.count(k) == 1), k << " was never written");
    }
    Reconnect(c, *server);
    const std::string report = Report(c);
    CHECK(Contains(report, "appendfsync everysec"));
    CHECK_FALSE(Contains(report, "broken"));
  }

  TEST_CASE("appendfsync no: a power loss loses the writes, a process crash keeps them") {
    TempDir dir;
    auto server =
        StartSimulated(dir.path(), {"--enable-debug-command", "yes", "--appendfsync", "no"});
    RespClient c;
    Connect(c, *server);
    const Keyspace acked = WriteAcked(c, "k", 200);
    // Nothing fsyncs the AOF under "no", and the kernel's writeback waits
    // 30 s: the page cache is all there is.
    Crash(c, "process");
    CHECK(Dump(*server) == acked);
    Reconnect(c, *server);
    CHECK(Contains(Report(c), "process crash"));
    Crash(c, "power");
    CHECK(Dump(*server).empty());
    Reconnect(c, *server);
    const std::string report = Report(c);
    CHECK(Contains(report, "Simulated crash #2: power loss"));
    CHECK(Contains(report, "200 keys lost"));
    CHECK_FALSE(Contains(report, "broken"));
  }

  TEST_CASE("DEBUG SIMULATE-CRASH needs --simulated-disk and enable-debug-command") {
    TempDir dir;
    {
      std::string error;
      auto plain = ServerProcess::Start(ServerProcess::Kind::kPlab, &error,
                                        {"--enable-debug-command", "yes"});
      REQUIRE_MESSAGE(plain != nullptr, error);
      RespClient c;
      Connect(c, *plain);
      Reply r = Call(c, {"DEBUG", "SIMULATE-CRASH", "power"});
      CHECK(r.is_error());
      CHECK(Contains(r.str, "--simulated-disk"));
      CHECK(Call(c, {"PING"}).str == "PONG");  // still connected, nothing crashed
    }
    auto locked = StartSimulated(dir.path(), {});
    RespClient c;
    Connect(c, *locked);
    Reply r = Call(c, {"DEBUG", "SIMULATE-CRASH", "power"});
    CHECK(r.is_error());
    CHECK(Contains(r.str, "not allowed"));
    CHECK(Call(c, {"PING"}).str == "PONG");
  }

  TEST_CASE("bad arguments are refused without a crash; REPORT before any crash says so") {
    TempDir dir;
    auto server = StartSimulated(dir.path(), {"--enable-debug-command", "yes"});
    RespClient c;
    Connect(c, *server);
    CHECK(Contains(Call(c, {"DEBUG", "SIMULATE-CRASH", "meteor"}).str, "process, power or torn"));
    CHECK(Call(c, {"DEBUG", "SIMULATE-CRASH", "torn", "-1"}).is_error());
    CHECK(Call(c, {"DEBUG", "SIMULATE-CRASH", "power", "1", "2"}).is_error());
    CHECK(Contains(Report(c), "No simulated crash yet"));
    CHECK(Call(c, {"SET", "still", "up"}).str == "OK");
  }

  TEST_CASE("--simulate-crash-every: under always, no acknowledged INCR is ever lost") {
    TempDir dir;
    auto server =
        StartSimulated(dir.path(), {"--appendfsync", "always", "--enable-debug-command", "yes",
                                    "--simulate-crash-every", "0.3", "--simulate-crash-seed", "5"});
    RespClient c;
    Connect(c, *server);
    int64_t acked = 0;  // the highest counter value a reply confirmed
    int reconnects = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < end) {
      REQUIRE(c.Send({"INCR", "counter"}));
      std::optional<Reply> r = c.Read(2000);
      if (r.has_value()) {
        REQUIRE(r->type == ':');
        CHECK(r->integer > acked);
        acked = r->integer;
        continue;
      }
      // Crashed under us: the counter must still hold every acknowledged INCR.
      ++reconnects;
      Reconnect(c, *server);
      const int64_t now = std::stoll("0" + Call(c, {"GET", "counter"}).str);
      CHECK_MESSAGE(now >= acked, "acknowledged " << acked << ", recovered " << now);
      acked = now;
    }
    CHECK(reconnects >= 3);
    Reconnect(c, *server);
    CHECK(Contains(Report(c), "asked by --simulate-crash-every"));
    CHECK(Contains(server->Log(), "--simulate-crash-seed 5"));
  }
}

}  // namespace
}  // namespace plab::it
