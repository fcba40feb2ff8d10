// `plab check-aof` on AOF files written by a real redis-server 7.0.15
// (multi-part appendonlydir/ after a BGREWRITEAOF, and a legacy file with an
// RDB preamble assembled from its parts). Every verdict is compared with the
// real redis-check-aof on the same bytes: exit code and ok_up_to offset.
// Damaged copies must leave the file untouched unless --fix --yes is given,
// and a fixed file must then satisfy redis-check-aof too.
#include <doctest/doctest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/shell_run.h"

namespace plab::it {
namespace {

namespace fs = std::filesystem;

RunResult Plab(const std::string& flags, const std::string& path) {
  return RunShell(PlabBinary() + " check-aof " + flags + " " + Quote(path) + " </dev/null");
}

// redis-check-aof reads its --fix confirmation from stdin; "n" refuses.
RunResult Redis(const std::string& path) {
  std::string tool = FindProgram("redis-check-aof");
  REQUIRE_MESSAGE(!tool.empty(), "redis-check-aof is not on PATH");
  return RunShell("echo n | " + tool + " " + Quote(path));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

int64_t NumberAfter(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + prefix.size(), nullptr, 10);
}

struct ScratchDir {
  std::string path;
  ScratchDir() {
    char tmpl[] = "/tmp/plab-check-aof-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void MustCall(RespClient& c, const std::vector<std::string>& argv) {
  std::optional<Reply> r = c.Call(argv);
  REQUIRE(r.has_value());
  REQUIRE_MESSAGE(!r->is_error(), r->str);
}

// Polls INFO persistence until the AOF rewrite has finished (max ~10 s).
void WaitForRewrite(RespClient& c) {
  for (int i = 0; i < 200; ++i) {
    std::optional<Reply> r = c.Call({"INFO", "persistence"});
    REQUIRE(r.has_value());
    if (r->str.find("aof_rewrite_in_progress:0") != std::string::npos &&
        r->str.find("aof_rewrite_scheduled:0") != std::string::npos) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("BGREWRITEAOF did not finish");
}

// Lets a real Redis write appendonlydir/ in `dir`: a BASE (RDB preamble)
// from a rewrite over some keys, and an INCR with later commands, including
// a MULTI/EXEC and a SELECT. Returns the appendonlydir path.
std::string WriteRedisAof(const std::string& dir) {
  std::string error;
  auto redis =
      ServerProcess::Start(ServerProcess::Kind::kRedis, &error,
                           {"--dir", dir, "--appendonly", "yes", "--appendfsync", "always"});
  REQUIRE_MESSAGE(redis != nullptr, error);
  RespClient c;
  REQUIRE(c.Connect(redis->port()));
  MustCall(c, {"SET", "before", "rewrite"});
  MustCall(c, {"RPUSH", "list", "a", "b", "c"});
  MustCall(c, {"BGREWRITEAOF"});
  WaitForRewrite(c);
  MustCall(c, {"SET", "k1", "v1"});
  MustCall(c, {"HSET", "h", "f", "v", "g", "w"});
  MustCall(c, {"MULTI"});
  MustCall(c, {"INCR", "counter"});
  MustCall(c, {"SADD", "s", "x", "y"});
  MustCall(c, {"EXEC"});
  MustCall(c, {"SELECT", "3"});
  MustCall(c, {"SET", "db3", std::string(300, 'z')});
  redis->Stop();
  return dir + "/appendonlydir";
}

std::string FileOfType(const std::string& aofdir, const std::string& suffix) {
  for (const auto& e : fs::directory_iterator(aofdir)) {
    std::string name = e.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) return e.path().string();
  }
  FAIL("no file ending in " << suffix << " in " << aofdir);
  return "";
}

// Both checkers must agree on the exit code and on where the file goes bad.
void ExpectSameVerdict(const std::string& path, int want_exit) {
  RunResult ours = Plab("", path);
  RunResult theirs = Redis(path);
  INFO("plab:\n" << ours.output << "redis-check-aof:\n" << theirs.output);
  CHECK(ours.exit_code == want_exit);
  CHECK(theirs.exit_code == want_exit);
  CHECK(NumberAfter(ours.output, "ok_up_to=") == NumberAfter(theirs.output, "ok_up_to="));
}

TEST_SUITE("aof tools") {
  TEST_CASE("check-aof accepts every file of a Redis 7.0 appendonlydir") {
    ScratchDir dir;
    const std::string aofdir = WriteRedisAof(dir.path);
    const std::string manifest = aofdir + "/appendonly.aof.manifest";
    RunResult ours = Plab("", manifest);
    INFO(ours.output);
    CHECK(ours.exit_code == 0);
    CHECK(ours.output.find("All AOF files and manifest are valid") != std::string::npos);
    CHECK(Redis(manifest).exit_code == 0);
    ExpectSameVerdict(FileOfType(aofdir, ".base.rdb"), 0);
    ExpectSameVerdict(FileOfType(aofdir, ".incr.aof"), 0);
  }

  TEST_CASE("check-aof reports a torn tail with its offset and --fix --yes cuts it there") {
    ScratchDir dir;
    const std::string aofdir = WriteRedisAof(dir.path);
    const std::string incr = ReadAll(FileOfType(aofdir, ".incr.aof"));
    const std::string torn = dir.path + "/torn.aof";
    WriteAll(torn, incr.substr(0, incr.size() - 5));
    ExpectSameVerdict(torn, 1);
    RunResult ours = Plab("", torn);
    const int64_t cut = NumberAfter(ours.output, "ok_up_to=");
    CHECK(cut > 0);
    CHECK(ours.output.find("offset " + std::to_string(cut)) != std::string::npos);
    CHECK(ReadAll(torn) == incr.substr(0, incr.size() - 5));  // untouched without --fix
    CHECK(Plab("--fix", torn).exit_code == 1);                // no "y" on stdin
    CHECK(ReadAll(torn) == incr.substr(0, incr.size() - 5));

    RunResult fixed = Plab("--fix --yes", torn);
    INFO(fixed.output);
    CHECK(fixed.exit_code == 0);
    CHECK(fixed.output.find("Successfully truncated AOF") != std::string::npos);
    CHECK(ReadAll(torn) == incr.substr(0, static_cast<size_t>(cut)));
    CHECK(Redis(torn).exit_code == 0);
    CHECK(Plab("", torn).exit_code == 0);
  }

  TEST_CASE("check-aof reports garbage between commands at the garbage's offset") {
    ScratchDir dir;
    const std::string aofdir = WriteRedisAof(dir.path);
    const std::string incr = ReadAll(FileOfType(aofdir, ".incr.aof"));
    // Cut point of a torn copy = start of the last command: a boundary.
    const std::string torn = dir.path + "/torn.aof";
    WriteAll(torn, incr.substr(0, incr.size() - 5));
    const int64_t boundary = NumberAfter(Plab("", torn).output, "ok_up_to=");
    REQUIRE(boundary > 0);
    const std::string bad = dir.path + "/bad.aof";
    const std::string bytes = incr.substr(0, static_cast<size_t>(boundary)) + "garbage\r\n" +
                              incr.substr(static_cast<size_t>(boundary));
    WriteAll(bad, bytes);
    ExpectSameVerdict(bad, 1);
    RunResult ours = Plab("", bad);
    CHECK(ours.output.find("offset " + std::to_string(boundary)) != std::string::npos);
    CHECK(ReadAll(bad) == bytes);
  }

  TEST_CASE("check-aof on a manifest fails when the last INCR file is torn") {
    ScratchDir dir;
    const std::string aofdir = WriteRedisAof(dir.path);
    const std::string incr_path = FileOfType(aofdir, ".incr.aof");
    const std::string incr = ReadAll(incr_path);
    WriteAll(incr_path, incr.substr(0, incr.size() - 3));
    const std::string manifest = aofdir + "/appendonly.aof.manifest";
    RunResult ours = Plab("", manifest);
    INFO(ours.output);
    CHECK(ours.exit_code == 1);
    CHECK(Redis(manifest).exit_code == 1);
    CHECK(Plab("--fix --yes", manifest).exit_code == 0);
    CHECK(Redis(manifest).exit_code == 0);
  }

  TEST_CASE("check-aof validates an RDB preamble and never cuts into it") {
    ScratchDir dir;
    const std::string aofdir = WriteRedisAof(dir.path);
    const std::string base = ReadAll(FileOfType(aofdir, ".base.rdb"));
    const std::string incr = ReadAll(FileOfType(aofdir, ".incr.aof"));
    const std::string legacy = dir.path + "/appendonly.aof";
    WriteAll(legacy, base + incr);
    ExpectSameVerdict(legacy, 0);

    // Torn inside the first RESP command: the cut lands exactly at the RDB end.
    WriteAll(legacy, base + incr.substr(0, 6));
    ExpectSameVerdict(legacy, 1);
    CHECK(Plab("--fix --yes", legacy).exit_code == 0);
    CHECK(ReadAll(legacy) == base);
    CHECK(Redis(legacy).exit_code == 0);

    // A broken RDB part cannot be repaired by truncation.
    WriteAll(legacy, base.substr(0, base.size() / 2));
    RunResult ours = Plab("--fix --yes", legacy);
    INFO(ours.output);
    CHECK(ours.exit_code == 1);
    CHECK(ours.output.find("RDB preamble of AOF file is not sane") != std::string::npos);
    CHECK(ReadAll(legacy) == base.substr(0, base.size() / 2));
  }
}

}  // namespace
}  // namespace plab::it
