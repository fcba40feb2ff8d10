// `plab serve [CONFIG-FILE] [--name value ...]`: configuration, startup and
// shutdown around TcpServer, in the order redis-server's main() uses: config
// file, then command-line overrides, then logging, listening sockets, the
// pid file, and the event loop until SIGTERM/SIGINT.
#include "native/serve_main.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/server/config_registry.h"
#include "core/util/numbers.h"
#include "native/log.h"
#include "native/posix_disk.h"
#include "native/system_clock.h"
#include "native/tcp_server.h"
#include "native/version.h"

namespace plab {
namespace {

constexpr char kServeUsage[] =
    "Usage: plab serve [CONFIG-FILE] [--name value ...]\n"
    "\n"
    "Runs a RESP server (speaks to redis-cli, redis-benchmark and Redis client\n"
    "libraries). CONFIG-FILE uses redis.conf syntax ('-' reads it from stdin);\n"
    "--name value options override it, with the same names and values as\n"
    "redis-server's command line. Defaults: bind 127.0.0.1, port 6379.\n"
    "\n"
    "Examples:\n"
    "  plab serve --port 7777\n"
    "  plab serve /etc/plab.conf --loglevel verbose\n"
    "  plab serve --bind \"127.0.0.1 -::1\" --timeout 300 --maxclients 100\n";

// What the command line asked for: an optional config file and the ordered
// `--name values...` overrides.
struct ServeArgs {
  std::string config_file;
  std::vector<std::pair<std::string, std::vector<std::string>>> overrides;
};

bool IsOptionName(const std::string& arg) { return arg.size() > 2 && arg.rfind("--", 0) == 0; }

Status ParseServeArgs(const std::vector<std::string>& args, ServeArgs* out) {
  size_t i = 0;
  if (!args.empty() && (args[0] == "-" || args[0][0] != '-')) out->config_file = args[i++];
  while (i < args.size()) {
    if (!IsOptionName(args[i])) {
      return Status::InvalidArgument("unexpected argument '" + args[i] +
                                     "' (options are written --name value)");
    }
    std::string name = args[i++].substr(2);
    std::vector<std::string> values;
    while (i < args.size() && !IsOptionName(args[i])) values.push_back(args[i++]);
    // redis-server accepts a bare `--save` as `save ""` (no snapshots).
    if (values.empty() && name == "save") values.emplace_back();
    out->overrides.emplace_back(std::move(name), std::move(values));
  }
  return Status::Ok();
}

Status ReadConfigFile(const std::string& path, std::string* text) {
  if (path == "-") {
    text->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return Status::Ok();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("Can't open the configuration file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  *text = ss.str();
  return Status::Ok();
}

// Builds the Config: defaults, then the file, then each --name override.
Status LoadConfig(const ServeArgs& args, Config* config) {
  if (!args.config_file.empty()) {
    std::string text;
    PLAB_RETURN_IF_ERROR(ReadConfigFile(args.config_file, &text));
    PLAB_RETURN_IF_ERROR(ApplyConfigText(config, text, args.config_file));
  }
  for (const auto& [name, values] : args.overrides) {
    Status s = SetConfigParam(config, name, values, /*at_startup=*/true);
    if (s.ok()) continue;
    std::string shown = "--" + name;
    for (const std::string& v : values) shown += " " + (v.empty() ? std::string("\"\"") : v);
    if (s.code() == Status::Code::kNotFound) {
      return Status::InvalidArgument(shown + ": unknown option '" + name + "'");
    }
    return Status::InvalidArgument(shown + ": " + s.message());
  }
  return Status::Ok();
}

// adjustOpenFilesLimit(): each client needs a descriptor, plus a few for
// listeners and files. Raise the soft limit if allowed; otherwise lower
// maxclients to what fits and say so.
void AdjustOpenFilesLimit(Config* config, const Logger& log) {
  constexpr int64_t kReservedFds = 32;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t want = static_cast<rlim_t>(config->maxclients + kReservedFds);
  if (limit.rlim_cur >= want) return;
  const rlim_t old = limit.rlim_cur;
  limit.rlim_cur = want < limit.rlim_max ? want : limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = old;
  if (limit.rlim_cur >= want) {
    log.Notice("Increased maximum number of open files to " + std::to_string(limit.rlim_cur) +
               " (it was originally set to " + std::to_string(old) + ").");
    return;
  }
  const int64_t fit = static_cast<int64_t>(limit.rlim_cur) - kReservedFds;
  config->maxclients = fit > 1 ? fit : 1;
  log.Warning("You requested maxclients of " + std::to_string(want - kReservedFds) +
              " requiring at least " + std::to_string(want) +
              " max file descriptors, but the open files limit is " +
              std::to_string(limit.rlim_cur) + ": maxclients lowered to " +
              std::to_string(config->maxclients) + ".");
}

// Facts about this process that INFO server reports.
void FillProcessInfo(Config* config) {
  config->process_id = getpid();
  config->multiplexing_api = "epoll";
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n > 0) config->executable.assign(path, static_cast<size_t>(n));
  utsname u{};
  if (uname(&u) == 0) {
    config->os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
  if (!config->config_file.empty()) {
    if (char* abs = realpath(config->config_file.c_str(), nullptr)) {
      config->config_file = abs;
      free(abs);
    }
  }
}

bool WritePidFile(const std::string& path, const Logger& log) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    log.Warning("Failed to write PID file: " + path);
    return false;
  }
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  std::fclose(f);
  return true;
}

int Fatal(const std::string& msg) {
  std::fprintf(stderr, "\n*** FATAL CONFIG ERROR (plab %s) ***\n%s\n", kPlabVersion, msg.c_str());
  return 1;
}

// The AUX field `name` of a loaded file, or "".
std::string AuxField(const RdbLoadResult& r, std::string_view name) {
  for (const auto& [k, v] : r.aux) {
    if (k == name) return v;
  }
  return "";
}

// loadDataFromDisk(): dir/dbfilename when it exists, logged like Redis.
// Returns false when the file exists but cannot be loaded: like Redis the
// server then refuses to start, and the file is left as it was.
void LogRdbLoaded(const RdbLoadResult& r, const Logger& log) {
  if (std::string v = AuxField(r, "redis-ver"); !v.empty()) {
    log.Notice("Loading RDB produced by version " + v);
  }
  if (std::string ctime = AuxField(r, "ctime"); !ctime.empty()) {
    if (auto t = ParseInt64(ctime)) {
      log.Notice("RDB age " + std::to_string(time(nullptr) - *t) + " seconds");
    }
  }
  if (std::string mem = AuxField(r, "used-mem"); !mem.empty()) {
    if (auto m = ParseInt64(mem)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "RDB memory usage when created %.2f Mb",
                    static_cast<double>(*m) / (1024 * 1024));
      log.Notice(buf);
    }
  }
  std::string done = "Done loading RDB, keys loaded: " + std::to_string(r.keys_loaded) +
                     ", keys expired: " + std::to_string(r.keys_expired);
  if (r.empty_keys_skipped > 0) {
    done += ", empty keys skipped: " + std::to_string(r.empty_keys_skipped);
  }
  log.Notice(done + ".");
}

// loadDataFromDisk(): the AOF when appendonly is yes, else the RDB, logged
// like Redis; then the recovery report as one JSON line.
bool LoadDataFromDisk(Engine& engine, const Logger& log) {
  const auto start = std::chrono::steady_clock::now();
  RecoveryReport report;
  Status s = engine.Recover(&report);
  const Config& config = engine.server().config();
  if (!s.ok()) {
    if (config.appendonly) {
      log.Warning(s.message());
      log.Warning("Terminating server after AOF loading failure.");
    } else {
      log.Warning("Internal error in RDB reading " + config.dbfilename + ": " + s.message());
      log.Warning("Terminating server after rdb file reading failure.");
    }
    log.Warning("Recovery report: " + report.ToJson());
    return false;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char buf[64];
  if (report.source == "rdb" && engine.server().last_rdb_load()) {
    LogRdbLoaded(*engine.server().last_rdb_load(), log);
    std::snprintf(buf, sizeof buf, "DB loaded from disk: %.3f seconds", secs);
    log.Notice(buf);
  } else if (report.source == "aof") {
    std::snprintf(buf, sizeof buf, "DB loaded from append only file: %.3f seconds", secs);
    log.Notice(buf);
  }
  log.Notice("Recovery report: " + report.ToJson());
  return true;
}

// Redis chdir()s to `dir` at startup and CONFIG GET dir shows the absolute
// path; PersistLab roots its disk there instead of changing directory.
bool ResolveDir(Config* config, const Logger& log) {
  char resolved[PATH_MAX];
  if (realpath(config->dir.c_str(), resolved) == nullptr) {
    log.Warning("Can't chdir to '" + config->dir + "': " + std::strerror(errno));
    return false;
  }
  config->dir = resolved;
  return true;
}

// Runs the server with a fully built Config; returns the exit code.
int Serve(Config config, Logger& log, bool has_config_file) {
  // Like redis-server: lines logged before the server exists carry role C.
  log.SetRole('C');
  log.Notice("PersistLab is starting");
  log.Notice(std::string("PersistLab version=") + kPlabVersion + " (Redis " + kRedisCompatVersion +
             " compatible), bits=64, pid=" + std::to_string(getpid()) + ", just started");
  log.Notice(has_config_file ? "Configuration loaded"
                             : "No config file given, using the defaults (plab serve "
                               "/path/to/redis.conf to use one)");
  log.SetRole('M');
  if (!ResolveDir(&config, log)) return 1;
  AdjustOpenFilesLimit(&config, log);
  SystemClock clock;
  PosixDisk disk(config.dir);
  Engine engine(clock, std::move(config), &disk);
  engine.server().set_log_sink(
      [&log](LogLevel level, std::string_view msg) { log.Log(level, msg); });
  TcpServer server(&engine, &log);
  const Config& live = engine.server().config();
  if (live.port == 0) {
    // Redis: port 0 disables TCP; with no unix socket there is nothing to do.
    log.Warning("Configured to not listen anywhere, exiting.");
    return 1;
  }
  if (Status s = server.Listen(); !s.ok()) {
    log.Warning(s.message());
    log.Warning("Failed listening on port " + std::to_string(live.port) + " (tcp), aborting.");
    return 1;
  }
  const std::string pidfile = live.pidfile;
  const bool wrote_pid = !pidfile.empty() && WritePidFile(pidfile, log);
  log.Notice("Running mode=standalone, port=" + std::to_string(live.port) + ".");
  log.Notice("Server initialized");
  if (!LoadDataFromDisk(engine, log)) {
    if (wrote_pid) unlink(pidfile.c_str());
    return 1;
  }
  log.Notice("Ready to accept connections");
  std::string signal_name;
  Status run = server.Run(&signal_name);
  if (!run.ok()) {
    log.Warning("Event loop failed: " + run.message());
    return 1;
  }
  if (wrote_pid) {
    log.Notice("Removing the pid file.");
    unlink(pidfile.c_str());
  }
  log.Warning("PersistLab is now ready to exit, bye bye...");
  return 0;
}

}  // namespace

int ServeMain(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(kServeUsage, stdout);
      return 0;
    }
    if (a == "-v" || a == "--version") {
      std::printf("plab %s (Redis %s compatible)\n", kPlabVersion, kRedisCompatVersion);
      return 0;
    }
  }
  ServeArgs parsed;
  if (Status s = ParseServeArgs(args, &parsed); !s.ok()) {
    std::fprintf(stderr, "plab serve: %s\n\n%s", s.message().c_str(), kServeUsage);
    return 1;
  }
  Config config;
  if (Status s = LoadConfig(parsed, &config); !s.ok()) return Fatal(s.message());
  // INFO config_file: the absolute path; nothing for a config read from stdin.
  config.config_file = parsed.config_file == "-" ? "" : parsed.config_file;
  FillProcessInfo(&config);

  Logger log;
  log.SetFile(config.logfile);
  if (auto level = ParseLogLevel(config.loglevel)) log.SetLevel(*level);
  if (!config.logfile.empty()) {
    FILE* f = std::fopen(config.logfile.c_str(), "a");
    if (f == nullptr) return Fatal("Can't open the log file: " + config.logfile);
    std::fclose(f);
  }
  return Serve(std::move(config), log, !parsed.config_file.empty());
}

}  // namespace plab
