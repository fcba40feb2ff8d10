// Starts and stops the servers the integration tests talk to: a private
// redis-server (the oracle) and `plab serve`, each on a free loopback port
// with its own temporary directory.
//
//   std::optional<ServerProcess> redis = ServerProcess::StartRedis(&error);
//   RespClient c; c.Connect(redis->port());
//
// A ServerProcess kills its server (SIGTERM, then SIGKILL) and removes its
// directory when destroyed, so a failing test cleans up too; the child also
// gets PR_SET_PDEATHSIG so it dies if the test binary is killed outright.
// Port 6379 (a system Redis) is never used.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace plab::it {

class ServerProcess {
 public:
  // Which implementation to start.
  enum class Kind { kRedis, kPlab };

  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts a server and waits (up to 10 s) until it answers PING. On failure
  // returns nullptr and explains why in *error (including the server's log).
  // `extra_args` are appended to the server's command line (later options
  // win, so e.g. {"--dir", d, "--dbfilename", f} makes Redis load d/f).
  static std::unique_ptr<ServerProcess> Start(Kind kind, std::string* error,
                                              const std::vector<std::string>& extra_args = {});

  // The server under test: plab, unless PLAB_IT_SUBJECT=redis (handy to
  // check the tests themselves against two Redis servers).
  static std::unique_ptr<ServerProcess> StartSubject(std::string* error);

  int port() const { return port_; }
  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  // The server's stdout+stderr so far (for failure messages).
  std::string Log() const;
  // Stops the server now (idempotent).
  void Stop();
  // SIGKILL, like a crash: no shutdown code runs. The process is reaped;
  // the directory (and log) stay until Stop() or destruction.
  void Kill();
  // Waits up to timeout_ms for the server to exit on its own (e.g. after
  // SHUTDOWN) and reaps it. False if it is still running; *exit_code (when
  // given) is its exit status, or -1 when a signal ended it.
  bool WaitForExit(int timeout_ms, int* exit_code = nullptr);

 private:
  ServerProcess() = default;

  // Counts and prints a sanitizer report in a plab server's log.
  void CheckForSanitizerReport() const;

  pid_t pid_ = -1;
  int port_ = 0;
  std::string name_;
  std::string dir_;
};

// How many sanitizer reports (AddressSanitizer, LeakSanitizer, UBSan's
// "runtime error:") the logs of the plab servers stopped so far held. A
// sanitized plab (scripts/test's asan stage) that hits one may carry on or
// exit, and its log goes with its directory: Stop() prints the report and
// counts it, and the integration mains fail the run when this is not 0.
int SanitizerReportsSeen();

// Path of redis-server / redis-cli on PATH, or "" when missing.
std::string FindProgram(const std::string& name);
// A TCP port on 127.0.0.1 that is free right now (never 6379).
int FindFreePort();
// The plab binary under test (set by CMake; PLAB_BINARY overrides).
std::string PlabBinary();

}  // namespace plab::it
