// redis-cli sessions: each file in cli_sessions/ is piped through
// `redis-cli -p PORT` against redis-server and against `plab serve`, in raw
// mode (the default when piped) and with --no-raw (the formatted output
// people see in a terminal). The outputs must be byte-identical.
#include <doctest/doctest.h>
#include <stdio.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/reply_compare.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

// Runs a shell command and returns its stdout+stderr and exit status.
std::string RunShell(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  *status = ::pclose(pipe);
  return out;
}

// Quotes a path for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The first line where the outputs differ, with line numbers.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ha = static_cast<bool>(std::getline(a, la));
    bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "outputs differ only in the final newline";
    if (!ha || !hb || la != lb) {
      return "first difference at output line " + std::to_string(line) +
             "\n  redis: " + (ha ? Printable(la) : "<end>") +
             "\n  plab:  " + (hb ? Printable(lb) : "<end>");
    }
  }
}

void Flush(int port) {
  RespClient c;
  REQUIRE_MESSAGE(c.Connect(port), c.error());
  std::optional<Reply> r = c.Call({"FLUSHALL"});
  REQUIRE_MESSAGE((r && r->raw == "+OK\r\n"), "FLUSHALL failed: " << c.error());
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("redis-cli sessions print the same output against plab as against Redis") {
    std::string cli = FindProgram("redis-cli");
    REQUIRE_MESSAGE(!cli.empty(),
                    "redis-cli not found on PATH: install redis-tools (./scripts/setup)");
    std::string error;
    std::unique_ptr<ServerProcess> redis =
        ServerProcess::Start(ServerProcess::Kind::kRedis, &error);
    REQUIRE_MESSAGE(redis != nullptr, error);
    std::unique_ptr<ServerProcess> subject = ServerProcess::StartSubject(&error);
    REQUIRE_MESSAGE(subject != nullptr, error);

    std::vector<std::filesystem::path> sessions;
    for (const auto& entry : std::filesystem::directory_iterator(PLAB_CLI_SESSIONS_DIR)) {
      if (entry.path().extension() == ".txt") sessions.push_back(entry.path());
    }
    std::sort(sessions.begin(), sessions.end());
    REQUIRE_MESSAGE(sessions.size() >= 3, "expected session files in " PLAB_CLI_SESSIONS_DIR);

    for (const std::filesystem::path& session : sessions) {
      for (const char* mode : {"", " --no-raw"}) {
        std::string session_name = session.filename().string();
        std::string mode_name = *mode != '\0' ? mode : " (raw, the default into a pipe)";
        CAPTURE(session_name);
        CAPTURE(mode_name);
        std::string outputs[2];
        ServerProcess* servers[2] = {redis.get(), subject.get()};
        for (int i = 0; i < 2; ++i) {
          Flush(servers[i]->port());
          int status = 0;
          outputs[i] = RunShell(ShellQuote(cli) + " -p " + std::to_string(servers[i]->port()) +
                                    mode + " < " + ShellQuote(session.string()),
                                &status);
          CHECK_MESSAGE(status == 0, "redis-cli exited with " << status);
        }
        // A plain bool, so doctest prints only the first difference, not
        // both whole transcripts.
        bool same = outputs[0] == outputs[1];
        CHECK_MESSAGE(same, FirstDifference(outputs[0], outputs[1]));
      }
    }
  }
}

}  // namespace plab::it
