// redis-cli sessions: each file in cli_sessions/ is piped through
// `redis-cli -p PORT` against redis-server and against `plab serve`, in raw
// mode (the default when piped) and with --no-raw (the formatted output
// people see in a terminal). The outputs must be byte-identical. The same
// files piped into the plab REPL itself (`plab`, `plab --no-raw`) must print
// exactly what redis-cli prints against Redis.
//
// Lab sessions (NN_lab_*.txt) use the REPL's dot-commands (.crash,
// .restart, .clock ...), which only plab understands, so they run in the
// plab REPL alone, started with the arguments in NN_lab_*.args when that
// file exists. Their NN_lab_*.expected lists lines the output must contain
// in that order (other lines may come between them), after durations and
// the virtual clock's wall-clock date are masked (see Masked below); and no
// broken promise may be reported.
#include <doctest/doctest.h>
#include <stdio.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
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

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool IsLabSession(const std::filesystem::path& session) {
  return session.filename().string().find("_lab_") != std::string::npos;
}

std::vector<std::filesystem::path> Sessions() {
  std::vector<std::filesystem::path> sessions;
  for (const auto& entry : std::filesystem::directory_iterator(PLAB_CLI_SESSIONS_DIR)) {
    if (entry.path().extension() == ".txt") sessions.push_back(entry.path());
  }
  std::sort(sessions.begin(), sessions.end());
  return sessions;
}

// What may differ between two runs of a lab session: how long loading took
// ("in 0.07 ms", the ms column of the file table) and the virtual clock's
// date (it starts at the wall clock's).
std::string Masked(const std::string& output) {
  std::string out = std::regex_replace(output, std::regex(R"(\d+\.\d\d ms)"), "N ms");
  out = std::regex_replace(out, std::regex(R"( +\d+\.\d\d\n)"), " N\n");
  return std::regex_replace(out, std::regex(R"(Virtual time \S+ \S+ UTC)"), "Virtual time T UTC");
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// redis-cli's path; fails the test when it is missing.
std::string RedisCli() {
  std::string cli = FindProgram("redis-cli");
  REQUIRE_MESSAGE(!cli.empty(),
                  "redis-cli not found on PATH: install redis-tools (./scripts/setup)");
  return cli;
}

std::unique_ptr<ServerProcess> StartRedis() {
  std::string error;
  std::unique_ptr<ServerProcess> redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error);
  REQUIRE_MESSAGE(redis != nullptr, error);
  return redis;
}

void Flush(int port) {
  RespClient c;
  REQUIRE_MESSAGE(c.Connect(port), c.error());
  std::optional<Reply> r = c.Call({"FLUSHALL"});
  REQUIRE_MESSAGE((r && r->raw == "+OK\r\n"), "FLUSHALL failed: " << c.error());
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE(
      "redis-cli sessions print the same against plab serve and in the plab REPL as against "
      "Redis") {
    const std::string cli = RedisCli();
    std::unique_ptr<ServerProcess> redis = StartRedis();
    std::string error;
    std::unique_ptr<ServerProcess> subject = ServerProcess::StartSubject(&error);
    REQUIRE_MESSAGE(subject != nullptr, error);

    std::vector<std::filesystem::path> sessions = Sessions();
    REQUIRE_MESSAGE(sessions.size() >= 3, "expected session files in " PLAB_CLI_SESSIONS_DIR);

    for (const std::filesystem::path& session : sessions) {
      if (IsLabSession(session)) continue;
      for (const char* mode : {"", " --no-raw"}) {
        std::string session_name = session.filename().string();
        std::string mode_name = *mode != '\0' ? mode : " (raw, the default into a pipe)";
        CAPTURE(session_name);
        CAPTURE(mode_name);
        // redis-cli against Redis, redis-cli against plab serve, the REPL.
        std::string outputs[3];
        ServerProcess* servers[2] = {redis.get(), subject.get()};
        for (int i = 0; i < 3; ++i) {
          const std::string command =
              i < 2 ? ShellQuote(cli) + " -p " + std::to_string(servers[i]->port()) + mode
                    : ShellQuote(PlabBinary()) + mode;
          if (i < 2) Flush(servers[i]->port());
          int status = 0;
          outputs[i] = RunShell(command + " < " + ShellQuote(session.string()), &status);
          CHECK_MESSAGE(status == 0, command << " exited with " << status);
        }
        // Plain bools, so doctest prints only the first difference, not
        // whole transcripts.
        for (int i = 1; i < 3; ++i) {
          const std::string subject_name = i == 1 ? "plab serve" : "the plab REPL";
          CAPTURE(subject_name);
          bool same = outputs[0] == outputs[i];
          CHECK_MESSAGE(same, FirstDifference(outputs[0], outputs[i]));
        }
      }
    }
  }

  TEST_CASE("lab sessions in the plab REPL print their expected lines in order") {
    int checked = 0;
    for (const std::filesystem::path& session : Sessions()) {
      if (!IsLabSession(session)) continue;
      std::string session_name = session.filename().string();
      CAPTURE(session_name);
      std::filesystem::path args_file = session, expected_file = session;
      args_file.replace_extension(".args");
      expected_file.replace_extension(".expected");
      REQUIRE_MESSAGE(std::filesystem::exists(expected_file), expected_file.string());
      std::string args = std::filesystem::exists(args_file) ? ReadFile(args_file) : "";
      args.erase(std::remove(args.begin(), args.end(), '\n'), args.end());
      int status = 0;
      const std::string output = Masked(RunShell(
          ShellQuote(PlabBinary()) + " " + args + " < " + ShellQuote(session.string()), &status));
      CHECK_MESSAGE(status == 0, "plab exited with " << status);
      CAPTURE(output);
      CHECK(output.find("BROKEN PROMISE") == std::string::npos);
      const std::vector<std::string> got = Lines(output);
      size_t at = 0;
      for (const std::string& want : Lines(ReadFile(expected_file))) {
        while (at < got.size() && got[at] != want) ++at;
        CHECK_MESSAGE(at < got.size(), "missing, or out of order: " << Printable(want));
        if (at == got.size()) break;
        ++at;
      }
      ++checked;
    }
    CHECK(checked >= 2);
  }
}

}  // namespace plab::it
