// `plab serve [CONFIG-FILE] [--name value ...]`: configuration, startup and
// shutdown around TcpServer, in the order redis-server's main() uses: config
// file, then command-line overrides, then logging, listening sockets, the
// pid file, and the event loop until SIGTERM/SIGINT. With --simulated-disk
// DIR the engine runs on a crashable simulated disk mirrored to DIR instead
// of on real files (native/simulated_disk_host.h).
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
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/persist/aof_manifest.h"
#include "core/server/config_registry.h"
#include "core/util/numbers.h"
#include "native/log.h"
#include "native/posix_disk.h"
#include "native/simulated_disk_host.h"
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
    "  plab serve --bind \"127.0.0.1 -::1\" --timeout 300 --maxclients 100\n"
    "\n"
    "Crash testing your application (PersistLab only, not redis-server options):\n"
    "  --simulated-disk DIR         run on a simulated disk whose durable layer\n"
    "                               (what a power loss would keep) is mirrored to\n"
    "                               DIR, and boot from DIR; DIR replaces --dir\n"
    "  --simulate-crash-every SECS  crash at random moments (0.5x to 1.5x SECS\n"
    "                               apart), a random kind each time\n"
    "  --simulate-crash-seed N      the seed of those moments, kinds and tears\n"
    "                               (default: from the time; logged at startup)\n"
    "With --simulated-disk and --enable-debug-command yes (or local), DEBUG\n"
    "SIMULATE-CRASH process|power|torn [SEED] disconnects every client and\n"
    "restarts from what was durable; DEBUG SIMULATE-CRASH REPORT returns the\n"
    "recovery report and what was lost.\n"
    "  plab serve --simulated-disk ./crashlab --enable-debug-command yes \\\n"
    "             --appendonly yes --appendfsync everysec\n";

// What the command line asked for: an optional config file and the ordered
// `--name values...` overrides.
struct ServeArgs {
  std::string config_file;
  std::vector<std::pair<std::string, std::vector<std::string>>> overrides;
  std::optional<SimulatedDiskOptions> simulated;
};

// Takes PersistLab's own --simulated-disk, --simulate-crash-every and
// --simulate-crash-seed out of the overrides (they are not Redis
// parameters); the last of each wins, as for other options.
Status TakeSimulationArgs(ServeArgs* args) {
  SimulatedDiskOptions sim;
  bool every = false, seed = false;
  Status status = Status::Ok();
  std::erase_if(args->overrides, [&](const auto& o) {
    const auto& [name, values] = o;
    if (name != "simulated-disk" && name != "simulate-crash-every" &&
        name != "simulate-crash-seed") {
      return false;
    }
    if (values.size() != 1 || values[0].empty()) {
      status = Status::InvalidArgument("--" + name + " takes one value");
    } else if (name == "simulated-disk") {
      sim.dir = values[0];
    } else if (name == "simulate-crash-every") {
      const std::optional<double> s = ParseDouble(values[0]);
      if (!s || !(*s > 0) || *s > 1e6)
        status = Status::InvalidArgument("--" + name + " " + values[0] +
                                         ": seconds must be a number > 0");
      sim.crash_every_s = s.value_or(0);
      every = true;
    } else {
      const std::optional<int64_t> n = ParseInt64(values[0]);
      if (!n || *n < 0)
        status =
            Status::InvalidArgument("--" + name + " " + values[0] + ": must be an integer >= 0");
      sim.crash_seed = static_cast<uint64_t>(n.value_or(0));
      seed = true;
    }
    return true;
  });
  PLAB_RETURN_IF_ERROR(status);
  if (sim.dir.empty()) {
    if (every || seed)
      return Status::InvalidArgument(
          "--simulate-crash-every and --simulate-crash-seed need --simulated-disk DIR");
    return Status::Ok();
  }
  args->simulated = std::move(sim);
  return Status::Ok();
}

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
  return TakeSimulationArgs(out);
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

void LogStarting(const Logger& log, bool has_config_file) {
  // Like redis-server: lines logged before the server exists carry role C.
  log.Notice("PersistLab is starting");
  log.Notice(std::string("PersistLab version=") + kPlabVersion + " (Redis " + kRedisCompatVersion +
             " compatible), bits=64, pid=" + std::to_string(getpid()) + ", just started");
  log.Notice(has_config_file ? "Configuration loaded"
                             : "No config file given, using the defaults (plab serve "
                               "/path/to/redis.conf to use one)");
}

// Listens, writes the pid file, loads the data (`load`), then serves until
// SIGTERM, SIGINT or SHUTDOWN. Returns the exit code.
int ListenAndServe(TcpServer& server, const Config& live, const Logger& log,
                   const std::function<bool()>& load) {
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
  if (!load()) {
    if (wrote_pid) unlink(pidfile.c_str());
    return 1;
  }
  log.Notice("Ready to accept connections");
  std::string signal_name;
  Status run = server.Run(&signal_name);
  if (!run.ok()) {
    log.Warning("Event loop failed: " + run.message());
    if (wrote_pid) unlink(pidfile.c_str());
    return 1;
  }
  if (wrote_pid) {
    log.Notice("Removing the pid file.");
    unlink(pidfile.c_str());
  }
  log.Warning("PersistLab is now ready to exit, bye bye...");
  return 0;
}

// Runs the server on real files with a fully built Config.
int Serve(Config config, Logger& log, bool has_config_file) {
  log.SetRole('C');
  LogStarting(log, has_config_file);
  log.SetRole('M');
  if (!ResolveDir(&config, log)) return 1;
  AdjustOpenFilesLimit(&config, log);
  SystemClock clock;
  PosixDisk disk(config.dir);
  // AOF INCR fsyncs run on a background thread (Redis's bio); both names
  // are immutable config, as in Redis.
  const std::string incr_dir = config.appenddirname + "/";
  const std::string temp_incr = incr_dir + TempIncrFileName(config.appendfilename);
  Status bg = disk.StartBackgroundSync([incr_dir, temp_incr](std::string_view path) {
    return path.substr(0, incr_dir.size()) == incr_dir &&
           (path.ends_with(".incr.aof") || path == temp_incr);
  });
  if (!bg.ok()) log.Warning("AOF fsyncs stay on the event loop: " + bg.message());
  Engine engine(clock, std::move(config), &disk);
  engine.server().set_log_sink(
      [&log](LogLevel level, std::string_view msg) { log.Log(level, msg); });
  TcpServer server(&engine, &log);
  if (disk.background_sync()) {
    server.set_sync_waker(disk.wake_fd(), [&disk] { disk.CompleteFinishedSyncs(); });
  }
  const int code = ListenAndServe(server, engine.server().config(), log,
                                  [&] { return LoadDataFromDisk(engine, log); });
  // Shutdown: the final flush's fsync (and any still queued) completes
  // before the process exits; the thread is joined.
  disk.StopBackgroundSync();
  return code;
}

// `--simulated-disk DIR`: the engine runs in a Lab on a SimDisk mirrored to
// DIR (native/simulated_disk_host.h). It boots (and recovers) from DIR
// before listening, since the host's engine exists only once recovery ran.
int ServeSimulated(Config config, Logger& log, bool has_config_file,
                   const SimulatedDiskOptions& options) {
  log.SetRole('C');
  LogStarting(log, has_config_file);
  log.SetRole('M');
  AdjustOpenFilesLimit(&config, log);
  SimulatedDiskHost host(&log, options);
  config.dir = options.dir;  // what CONFIG GET dir shows
  if (Status s = host.Open(config); !s.ok()) {
    log.Warning(s.message());
    log.Warning("Terminating server: the simulated disk in " + options.dir +
                " could not be booted.");
    return 1;
  }
  host.engine()->server().config().dir = host.dir();
  TcpServer server(host.engine(), &log);
  server.set_host(&host);
  const int code =
      ListenAndServe(server, host.engine()->server().config(), log, [] { return true; });
  // A SHUTDOWN or SIGTERM save reached the SimDisk: mirror it before exiting.
  if (Status s = host.Flush(); !s.ok()) {
    log.Warning(s.message());
    return 1;
  }
  return code;
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
  if (parsed.simulated) {
    return ServeSimulated(std::move(config), log, !parsed.config_file.empty(), *parsed.simulated);
  }
  return Serve(std::move(config), log, !parsed.config_file.empty());
}

}  // namespace plab
