// plab serve starting on a damaged appendonlydir/, compared with what
// redis-server 7.0.15 and redis-check-aof do with the same bytes.
//   - Garbage in the middle of an INCR file: plab serve exits non-zero, its
//     log names the file, the offset redis-check-aof reports and
//     `plab check-aof --fix`; no file changes. Redis refuses too.
//   - A torn last command with aof-load-truncated yes: plab serve starts,
//     logs the cut, its recovery report counts the bytes cut off, the file
//     ends at the last whole command and the keyspace is the one Redis
//     loads from the same bytes. With aof-load-truncated no it refuses to
//     start and changes nothing.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/aof_it_util.h"

namespace plab::it {
namespace {

constexpr char kIncr[] = "appendonly.aof.1.incr.aof";
constexpr int kCommands = 60;

std::string IncrPath(const std::string& dir) { return dir + "/appendonlydir/" + kIncr; }

// Writes through plab serve (values free of "\r\n*", so every "\r\n*" in
// the INCR file starts a command) and shuts it down. The last command sets
// "last-key".
void WriteAofDir(const std::string& dir) {
  auto plab = StartAof(ServerProcess::Kind::kPlab, dir, /*preamble=*/true);
  RespClient c;
  Connect(c, *plab);
  std::vector<Command> cmds;
  for (int i = 0; i < kCommands; ++i) {
    cmds.push_back({"SELECT", std::to_string(i % 3)});
    cmds.push_back({"SET", "k" + std::to_string(i), "value-" + std::to_string(i), "EX", "9000"});
    cmds.push_back({"RPUSH", "list", std::to_string(i)});
  }
  cmds.push_back({"SET", "last-key", "v"});
  RunOnAll({&c}, cmds);
  ShutdownServer(c, *plab);
}

// Offsets where commands start in an INCR file, in order.
std::vector<size_t> CommandStarts(const std::string& bytes) {
  std::vector<size_t> starts = {0};
  for (size_t at = bytes.find("\r\n*"); at != std::string::npos; at = bytes.find("\r\n*", at + 1)) {
    starts.push_back(at + 2);
  }
  return starts;
}

int64_t NumberAfter(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + prefix.size(), nullptr, 10);
}

// The damaged directory must stop both servers. redis-check-aof finds the
// file valid up to `valid_up_to`; plab's log names the offending line's
// offset (AofReader's contract).
void CheckRefusesCorrupt(const std::string& dir, size_t valid_up_to, size_t bad_line) {
  RunResult check = RedisCheckAof(ManifestPath(dir));
  CAPTURE(check.output);
  CHECK(check.exit_code != 0);
  const size_t incr_line = check.output.find(std::string("filename=") + kIncr);
  REQUIRE(incr_line != std::string::npos);
  CHECK(NumberAfter(check.output.substr(incr_line), "ok_up_to=") ==
        static_cast<int64_t>(valid_up_to));

  const std::map<std::string, std::string> before = DirFiles(dir);
  RunResult run = RunPlabServeToExit(dir, {"--appendonly", "yes", "--save", ""});
  CAPTURE(run.output);
  CHECK(run.exit_code != 0);
  CHECK(run.exit_code != 124);  // it exited on its own
  CHECK(run.output.find(kIncr) != std::string::npos);
  CHECK(run.output.find("offset " + std::to_string(bad_line)) != std::string::npos);
  CHECK(run.output.find("plab check-aof --fix") != std::string::npos);
  CHECK(run.output.find("Terminating server after AOF loading failure.") != std::string::npos);
  CHECK(run.output.find("Ready to accept connections") == std::string::npos);
  CHECK(DirFiles(dir) == before);

  // The oracle refuses the same bytes (exit 1 before listening).
  DumpDir copy;
  CopyTree(dir, copy.dir);
  RunResult redis = RunShell("timeout 20 " + FindProgram("redis-server") + " --port " +
                             std::to_string(FindFreePort()) + " --bind 127.0.0.1 --save '' " +
                             "--appendonly yes --dir " + Quote(copy.dir) + " </dev/null");
  CAPTURE(redis.output);
  CHECK(redis.exit_code == 1);
  CHECK(redis.output.find("Bad file format") != std::string::npos);
}

}  // namespace

TEST_SUITE("aof startup") {
  TEST_CASE("plab serve refuses an INCR file with garbage in the middle and names the offset") {
    DumpDir d;
    WriteAofDir(d.dir);
    const std::string good = ReadFile(IncrPath(d.dir));
    const std::vector<size_t> starts = CommandStarts(good);
    REQUIRE(starts.size() > 100);
    const size_t mid = starts[starts.size() / 2];
    SUBCASE("a line that is not a command") {
      WriteFile(IncrPath(d.dir), good.substr(0, mid) + "GARBAGE\r\n" + good.substr(mid));
      CheckRefusesCorrupt(d.dir, mid, mid);
    }
    SUBCASE("an argument header that is not $<length>") {
      // The command at `mid` starts "*<argc>\r\n$"; damage its first '$'.
      std::string bad = good;
      const size_t dollar = bad.find('$', mid);
      REQUIRE(dollar < starts[starts.size() / 2 + 1]);
      bad[dollar] = '!';
      WriteFile(IncrPath(d.dir), bad);
      CheckRefusesCorrupt(d.dir, mid, dollar);
    }
  }

  TEST_CASE("a torn last command is cut off with aof-load-truncated yes and refused with no") {
    DumpDir d;
    WriteAofDir(d.dir);
    const std::string good = ReadFile(IncrPath(d.dir));
    const size_t last = CommandStarts(good).back();
    REQUIRE(good.find("last-key", last) != std::string::npos);
    const std::string torn = good.substr(0, good.size() - 5);
    WriteFile(IncrPath(d.dir), torn);

    SUBCASE("aof-load-truncated no: refuses to start, changes nothing") {
      const std::map<std::string, std::string> before = DirFiles(d.dir);
      RunResult run = RunPlabServeToExit(
          d.dir, {"--appendonly", "yes", "--save", "", "--aof-load-truncated", "no"});
      CAPTURE(run.output);
      CHECK(run.exit_code != 0);
      CHECK(run.exit_code != 124);
      CHECK(run.output.find("Unexpected end of file") != std::string::npos);
      CHECK(run.output.find("aof-load-truncated") != std::string::npos);
      CHECK(run.output.find("Ready to accept connections") == std::string::npos);
      CHECK(DirFiles(d.dir) == before);
    }

    SUBCASE("aof-load-truncated yes: starts without the torn command, like Redis") {
      DumpDir redis_copy;
      CopyTree(d.dir, redis_copy.dir);
      auto plab = StartAof(ServerProcess::Kind::kPlab, d.dir, true);
      auto redis = StartAof(ServerProcess::Kind::kRedis, redis_copy.dir, true);
      RespClient pc, rc;
      Connect(pc, *plab);
      Connect(rc, *redis);
      const std::string log = plab->Log();
      CAPTURE(log);
      CHECK(log.find("Truncating the AOF " + std::string(kIncr) + " at offset " +
                     std::to_string(last)) != std::string::npos);
      const std::string json = RecoveryReportJson(log);
      REQUIRE(!json.empty());
      nlohmann::json report = nlohmann::json::parse(json);
      REQUIRE(report["files"].size() == 2);
      CHECK(report["files"][1]["kind"] == "incr");
      CHECK(report["files"][1]["truncated_bytes"].get<int64_t>() ==
            static_cast<int64_t>(torn.size() - last));
      CHECK(report["files"][0]["truncated_bytes"].get<int64_t>() == 0);
      CHECK(report["warnings"].size() == 1);

      CHECK(ReadFile(IncrPath(d.dir)).size() == last);
      CHECK(ReadFile(IncrPath(redis_copy.dir)).size() == last);
      CHECK(Call(pc, {"EXISTS", "last-key"}).integer == 0);
      CHECK(CompareKeyspaces(ClientCaller(rc), ClientCaller(pc), 5000) == kCommands + 3);
    }
  }
}

}  // namespace plab::it
