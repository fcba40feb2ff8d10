#include "native/repl.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>

#include "core/cmd/command.h"
#include "core/engine.h"
#include "core/resp/reply_format.h"
#include "core/util/split_args.h"
#include "native/line_reader.h"
#include "core/cmd/help_text.h"

namespace plab {
namespace {

// How long the REPL lets a background save run after each command.
constexpr int64_t kBackgroundSliceUs = 50000;

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool ArgIs(const std::vector<std::string>& argv, size_t i, std::string_view name) {
  return i < argv.size() && EqualsIgnoreCase(argv[i], name);
}

// Lines with secrets stay out of the history file, like redis-cli's
// isSensitiveCommand(): AUTH, HELLO ... AUTH, ACL SETUSER, MIGRATE ... AUTH,
// CONFIG SET of a password parameter.
bool IsSensitive(const std::vector<std::string>& argv) {
  if (ArgIs(argv, 0, "auth")) return true;
  if (ArgIs(argv, 0, "acl") && ArgIs(argv, 1, "setuser")) return true;
  if (ArgIs(argv, 0, "hello") || ArgIs(argv, 0, "migrate")) {
    for (size_t i = 1; i < argv.size(); ++i) {
      if (ArgIs(argv, i, "auth") || ArgIs(argv, i, "auth2")) return true;
    }
  }
  if (ArgIs(argv, 0, "config") && ArgIs(argv, 1, "set")) {
    for (size_t i = 2; i < argv.size(); i += 2) {
      if (ArgIs(argv, i, "requirepass") || ArgIs(argv, i, "masterauth") ||
          ArgIs(argv, i, "masteruser")) {
        return true;
      }
    }
  }
  return false;
}

// One embedded engine plus redis-cli's line handling around it.
class Cli {
 public:
  enum class LineResult { kContinue, kQuit, kInvalid };

  explicit Cli(bool tty_output) : engine_(clock_, MakeConfig()), tty_(tty_output) {}

  // Runs one input line (a command, `help ...`, `quit`); prints its output.
  LineResult RunLine(std::string_view line);

  // redis-cli's prompt with "plab" for the address: the database number
  // when not 0, and "(TX)" inside MULTI.
  std::string Prompt() {
    const Client* c = engine_.default_client();
    std::string p = "plab";
    if (c->db != 0) p += "[" + std::to_string(c->db) + "]";
    if (c->in_multi) p += "(TX)";
    return p + "> ";
  }

 private:
  static Config MakeConfig() {
    Config config;
    config.process_id = getpid();
    // The REPL's user owns the engine, like a local connection to Redis
    // with enable-debug-command local: DEBUG RELOAD works here.
    config.enable_debug_command = "local";
    return config;
  }
  void RunCommand(const std::vector<std::string>& argv);
  void MaybeCron();
  void Print(std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  }

  SystemClock clock_;
  Engine engine_;
  bool tty_;
  int64_t last_cron_ms_ = 0;
};

Cli::LineResult Cli::RunLine(std::string_view line) {
  std::optional<std::vector<std::string>> parsed = SplitArgs(line);
  if (!parsed) {
    Print("Invalid argument(s)\n");
    return LineResult::kInvalid;
  }
  std::vector<std::string>& argv = *parsed;
  if (argv.empty()) return LineResult::kContinue;
  if (EqualsIgnoreCase(argv[0], "quit") || EqualsIgnoreCase(argv[0], "exit")) {
    return LineResult::kQuit;
  }
  // "N command ..." runs the command N times, as in redis-cli.
  long repeat = 1;
  if (argv.size() > 1) {
    char* end = nullptr;
    errno = 0;
    long n = std::strtol(argv[0].c_str(), &end, 10);
    if (*end == '\0') {
      if (errno != 0 || n <= 0) {
        Print("Invalid repeat command option value.\n");
        return LineResult::kInvalid;
      }
      repeat = n;
      argv.erase(argv.begin());
    }
  }
  if (EqualsIgnoreCase(argv[0], "help") || EqualsIgnoreCase(argv[0], "?")) {
    Print(FormatHelp(engine_.server().commands(),
                     std::vector<std::string>(argv.begin() + 1, argv.end()), tty_));
    return LineResult::kContinue;
  }
  if (tty_ && argv.size() == 1 && EqualsIgnoreCase(argv[0], "clear")) {
    Print("\x1b[H\x1b[2J");
    return LineResult::kContinue;
  }
  const int64_t start = SteadyMillis();
  for (long i = 0; i < repeat; ++i) RunCommand(argv);
  // redis-cli reports slow commands on a terminal.
  const int64_t elapsed = SteadyMillis() - start;
  if (tty_ && elapsed >= 500) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "(%.2fs)\n", static_cast<double>(elapsed) / 1000);
    Print(buf);
  }
  return LineResult::kContinue;
}

void Cli::RunCommand(const std::vector<std::string>& argv) {
  MaybeCron();
  const std::string resp = engine_.Execute(argv);
  // A BGSAVE advances between commands (there is no idle loop here); big
  // datasets take several commands, so INFO persistence shows progress.
  engine_.server().BackgroundWork(kBackgroundSliceUs);
  const bool verbatim = PrintsVerbatim(argv);
  std::string_view rest = resp;
  while (!rest.empty()) {
    Reply reply;
    size_t used = 0;
    std::string error;
    if (ParseReply(rest, &reply, &used, &error) != ReplyParse::kComplete) {
      // Can't happen with our own engine; show the bytes rather than lose them.
      Print("(unparsable reply: " + error + ") " + QuoteReplyString(rest) + "\n");
      return;
    }
    rest.remove_prefix(used);
    Print(verbatim ? FormatReplyVerbatim(reply)
          : tty_   ? FormatReplyTty(reply)
                   : FormatReplyRaw(reply));
  }
}

// serverCron's work (active expiry, stats) at about `hz` times a second of
// activity; idle time at the prompt needs none, lazy expiry covers reads.
void Cli::MaybeCron() {
  const int64_t hz = engine_.server().config().hz > 0 ? engine_.server().config().hz : 10;
  const int64_t now = SteadyMillis();
  if (now - last_cron_ms_ < 1000 / hz) return;
  last_cron_ms_ = now;
  engine_.Cron();
}

bool ShouldUseTty(CliOptions::Output output) {
  if (output == CliOptions::Output::kTty) return true;
  if (output == CliOptions::Output::kRaw) return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace

int RunCli(const CliOptions& options) {
  Cli cli(ShouldUseTty(options.output));
  if (!options.commands.empty()) {
    int code = 0;
    for (const std::string& line : options.commands) {
      Cli::LineResult r = cli.RunLine(line);
      if (r == Cli::LineResult::kQuit) break;
      if (r == Cli::LineResult::kInvalid) code = 1;
    }
    return code;
  }
  const bool interactive = isatty(STDIN_FILENO) == 1;
  std::unique_ptr<LineReader> reader =
      interactive ? NewEditLineReader(DefaultHistoryFile()) : NewStreamLineReader(stdin);
  while (std::optional<std::string> line = reader->Read(cli.Prompt())) {
    if (interactive && !line->empty()) {
      std::optional<std::vector<std::string>> argv = SplitArgs(*line);
      if (!argv || !IsSensitive(*argv)) reader->AddHistory(*line);
    }
    if (cli.RunLine(*line) == Cli::LineResult::kQuit) break;
  }
  return 0;
}

}  // namespace plab
