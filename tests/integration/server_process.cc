#include "tests/integration/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/resp_client.h"

namespace plab::it {
namespace {

constexpr int kSystemRedisPort = 6379;

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Test-process state, not engine state: the servers are stopped from
// destructors, which have no test to fail.
int sanitizer_reports = 0;

// Forks and execs argv with stdout/stderr going to `log_path`. The child dies
// with its parent (PR_SET_PDEATHSIG), so servers never outlive the tests.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& dir,
            const std::string& log_path) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // parent already gone
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  if (::chdir(dir.c_str()) != 0) ::_exit(127);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

std::vector<std::string> ServerArgv(ServerProcess::Kind kind, int port, const std::string& dir) {
  std::string p = std::to_string(port);
  if (kind == ServerProcess::Kind::kRedis) {
    return {FindProgram("redis-server"),
            "--port",
            p,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir,
            "--daemonize",
            "no",
            "--logfile",
            ""};
  }
  return {PlabBinary(), "serve", "--port", p, "--dir", dir};
}

// True once a client can connect and PING gets +PONG.
bool AnswersPing(int port) {
  RespClient c;
  if (!c.Connect(port)) return false;
  std::optional<Reply> r = c.Call({"PING"}, 2000);
  return r && r->raw == "+PONG\r\n";
}

}  // namespace

std::string FindProgram(const std::string& name) {
  const char* path = ::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

int FindFreePort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) continue;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    if (port != 0 && port != kSystemRedisPort) return port;
  }
  return 0;
}

std::string PlabBinary() {
  const char* env = ::getenv("PLAB_BINARY");
  if (env != nullptr && *env != '\0') return env;
#ifdef PLAB_BINARY_PATH
  return PLAB_BINARY_PATH;
#else
  return "";
#endif
}

ServerProcess::~ServerProcess() { Stop(); }

std::unique_ptr<ServerProcess> ServerProcess::Start(Kind kind, std::string* error,
                                                    const std::vector<std::string>& extra_args) {
  std::string name = kind == Kind::kRedis ? "redis-server" : "plab serve";
  std::string binary = kind == Kind::kRedis ? FindProgram("redis-server") : PlabBinary();
  if (binary.empty() || ::access(binary.c_str(), X_OK) != 0) {
    *error = kind == Kind::kRedis
                 ? "redis-server not found on PATH: these tests compare against a real Redis "
                   "7.0; install it with ./scripts/setup (apt-get install redis-server)"
                 : "plab binary not found at '" + binary + "' (build the `plab` target)";
    return nullptr;
  }
  std::string log;
  // A port found free can be taken before the server binds it: retry.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::unique_ptr<ServerProcess> s(new ServerProcess());
    s->name_ = name;
    char tmpl[] = "/tmp/plab-it-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      *error = std::string("mkdtemp: ") + std::strerror(errno);
      return nullptr;
    }
    s->dir_ = tmpl;
    s->port_ = FindFreePort();
    std::vector<std::string> argv = ServerArgv(kind, s->port_, s->dir_);
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    s->pid_ = Spawn(argv, s->dir_, s->dir_ + "/server.log");
    if (s->pid_ < 0) {
      *error = std::string("fork: ") + std::strerror(errno);
      return nullptr;
    }
    for (int waited = 0; waited < 10000; waited += 50) {
      if (AnswersPing(s->port_)) return s;
      int status = 0;
      if (::waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
        s->pid_ = -1;  // exited: maybe the port was taken, try again
        break;
      }
      SleepMs(50);
    }
    log = s->Log();
  }
  *error = name + " did not start and answer PING. Its output:\n" + log;
  return nullptr;
}

std::unique_ptr<ServerProcess> ServerProcess::StartSubject(std::string* error) {
  const char* subject = ::getenv("PLAB_IT_SUBJECT");
  bool redis = subject != nullptr && std::string(subject) == "redis";
  return Start(redis ? Kind::kRedis : Kind::kPlab, error);
}

std::string ServerProcess::Log() const {
  std::ifstream in(dir_ + "/server.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool ServerProcess::WaitForExit(int timeout_ms, int* exit_code) {
  if (pid_ <= 0) return true;
  int status = 0;
  for (int waited = 0;; waited += 10) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) break;
    if (waited >= timeout_ms) return false;
    SleepMs(10);
  }
  pid_ = -1;
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return true;
}

int SanitizerReportsSeen() { return sanitizer_reports; }

void ServerProcess::CheckForSanitizerReport() const {
  if (name_ != "plab serve" || dir_.empty()) return;
  const std::string log = Log();
  size_t at = std::string::npos;
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    at = std::min(at, log.find(marker));
  }
  if (at == std::string::npos) return;
  ++sanitizer_reports;
  const size_t from = log.rfind('\n', at);
  std::fprintf(stderr, "\n=== sanitizer report in the log of plab serve on port %d ===\n%s\n",
               port_, log.substr(from == std::string::npos ? 0 : from + 1).c_str());
}

void ServerProcess::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int waited = 0; waited < 3000 && !exited; waited += 20) {
      exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) SleepMs(20);
    }
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  CheckForSanitizerReport();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace plab::it
