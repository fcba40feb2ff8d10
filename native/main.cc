// plab: PersistLab's native binary. Subcommand dispatch only:
//   plab [--name value ...]   interactive REPL on a lab (engine, SimDisk,
//                             virtual clock) started with that config
//   plab -e CMD [-e CMD ...]  run commands, print replies, exit
//   plab serve [...]          RESP server (see serve_main.h)
//   plab check-rdb FILE       verify an RDB file (see check_rdb.h)
//   plab check-aof [--fix [--yes]] PATH  verify AOF files (see check_aof.h)
//   plab rdb-dump FILE [--json | --annotate]  print an RDB file's keys, or
//                             what each byte range means (see rdb_dump.h)
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "native/check_aof.h"
#include "native/check_rdb.h"
#include "native/rdb_dump.h"
#include "native/repl.h"
#include "native/serve_main.h"
#include "native/version.h"

namespace {

constexpr char kUsage[] =
    "Usage: plab [OPTIONS]            interactive shell on a lab: Redis on a\n"
    "                                 simulated disk and a virtual clock that\n"
    "                                 you can crash and restart (type .help)\n"
    "       plab -e COMMAND [-e ...]  run commands and print their replies\n"
    "       plab serve [CONFIG-FILE] [--name value ...]\n"
    "                                 serve the engine over TCP (RESP, redis-cli\n"
    "                                 compatible); see plab serve --help\n"
    "       plab check-rdb FILE       verify an RDB snapshot without changing it:\n"
    "                                 version, AUX fields, keys per db, checksum;\n"
    "                                 exits 1 on the first error (with its offset)\n"
    "       plab check-aof [--fix [--yes]] FILE\n"
    "                                 verify an AOF manifest or file; --fix cuts a\n"
    "                                 broken last file at the last good command\n"
    "       plab rdb-dump FILE [--json | --annotate]\n"
    "                                 print every key of an RDB snapshot as text,\n"
    "                                 or as JSON (format: native/rdb_dump.h), or\n"
    "                                 annotate its bytes (also *.base.rdb files)\n"
    "\n"
    "Options:\n"
    "  -e COMMAND   run COMMAND (written as in redis-cli, e.g. 'SET k \"a b\"');\n"
    "               may be repeated; the commands share one engine\n"
    "  --raw        print bare replies, as redis-cli does into a pipe\n"
    "  --no-raw     print redis-cli's terminal format even into a pipe\n"
    "  --NAME VALUE start Redis with parameter NAME set, as redis-server takes it\n"
    "               (e.g. --appendonly yes --appendfsync always); CONFIG SET\n"
    "               and .policy changes then carry over to each .restart\n"
    "  -h, --help   this help\n"
    "  -v, --version\n"
    "\n"
    "With no -e, commands are read from stdin: with line editing and history\n"
    "(~/.plab_history, or $PLAB_HISTFILE) on a terminal, one per line from a pipe.\n"
    "Type 'help' in the shell for command documentation. The lab's files live in\n"
    "this process's memory: they survive .crash and .restart, not quitting.\n";

int UsageError(const std::string& msg) {
  std::fprintf(stderr, "plab: %s\n\n%s", msg.c_str(), kUsage);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "serve") {
    return plab::ServeMain(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "check-rdb") {
    return plab::CheckRdbMain(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "check-aof") {
    return plab::CheckAofMain(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "rdb-dump") {
    return plab::RdbDumpMain(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  plab::CliOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "-v" || a == "--version") {
      std::printf("plab %s (Redis %s compatible)\n", plab::kPlabVersion, plab::kRedisCompatVersion);
      return 0;
    }
    if (a == "--raw") {
      options.output = plab::CliOptions::Output::kRaw;
    } else if (a == "--no-raw") {
      options.output = plab::CliOptions::Output::kTty;
    } else if (a == "-e") {
      if (i + 1 == args.size()) return UsageError("-e needs a command");
      options.commands.push_back(args[++i]);
    } else if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      if (i + 1 == args.size()) return UsageError(a + " needs a value");
      options.config.emplace_back(a.substr(2), args[++i]);
    } else {
      return UsageError("unknown argument '" + a + "'");
    }
  }
  return plab::RunCli(options);
}
