// Running a command-line tool from an integration test: plab check-rdb,
// check-aof, redis-check-rdb/aof. One helper so every tool test captures
// output and exit codes the same way.
#pragma once

#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <string>

namespace plab::it {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command (arguments already quoted) and captures its output.
inline RunResult RunShell(const std::string& cmd) {
  RunResult r;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) r.output.append(buf, n);
  int status = ::pclose(f);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Single-quotes a path for the shell (test paths hold no quotes).
inline std::string Quote(const std::string& path) { return "'" + path + "'"; }

}  // namespace plab::it
