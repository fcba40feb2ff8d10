#include "native/repl.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>

#include "core/cmd/help_text.h"
#include "core/lab/lab.h"
#include "core/lab/lab_shell.h"
#include "core/lab/lab_text.h"
#include "core/resp/reply_format.h"
#include "native/line_reader.h"
#include "native/system_clock.h"

namespace plab {
namespace {

// How long the REPL lets a background save run after each command.
constexpr int64_t kBackgroundSliceUs = 50000;

// What only this host can say about where the data lives (help, .help).
constexpr std::string_view kDataNote =
    "The lab's disk is simulated in this process's memory: .crash and .restart keep\n"
    "its files, quitting plab loses them.\n";

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t WallMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
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

// A lab (engine + virtual clock + SimDisk) plus redis-cli's line handling
// around it. The grammar and every lab text come from core/lab, shared
// with the browser terminal; this class only dispatches and prints.
class Cli {
 public:
  enum class LineResult { kContinue, kQuit, kInvalid };

  // The virtual clock starts at the wall clock's time (so TIME and
  // EXPIREAT look right) and runs in real time until .clock says otherwise.
  explicit Cli(bool tty_output)
      : lab_(WallMillis(), &stopwatch_), clock_(lab_.now_ms(), SteadyMillis()), tty_(tty_output) {}

  // Starts Redis on the lab's empty disk with `config` (Redis's defaults
  // for the rest); false, after saying why, for a bad parameter.
  bool Open(const std::vector<std::pair<std::string, std::string>>& config);

  LineResult RunLine(std::string_view line) { return Run(ParseShellLine(line)); }
  LineResult Run(const ShellLine& line);

  std::string Prompt() { return LabPrompt(lab_); }

 private:
  // Moves the lab to the clock's current virtual time (serverCron, everysec
  // fsyncs and kernel writeback at their virtual times on the way).
  void SyncClock() {
    lab_.Tick(clock_.Now(SteadyMillis()));
    (void)lab_.TakeLog();  // nobody reads the engine's log here; keep it bounded
  }
  void RunCommand(const std::vector<std::string>& argv, int64_t repeat);
  void RunOnce(const std::vector<std::string>& argv);
  void RunDot(const DotCommand& dot);
  void Crash(const DotCommand& dot);
  void Restart();
  void Clock(const DotCommand& dot);
  void Policy(const DotCommand& dot);
  void Print(std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  }

  SystemClock stopwatch_;  // real durations (recovery times); before lab_
  Lab lab_;
  ShellClock clock_;
  bool tty_;
  CommandTable commands_;    // HELP works while the server is down too
  std::string report_text_;  // what .report prints
};

bool Cli::Open(const std::vector<std::pair<std::string, std::string>>& config) {
  RecoveryReport report;
  // The REPL's user owns the engine (Lab::Open allows DEBUG RELOAD and
  // DEBUG PANIC, as enable-debug-command local would for a local client).
  Status s = lab_.Open(config, &report);
  report_text_ = RecoveryText(report, nullptr, "", tty_);
  if (!s.ok()) std::fprintf(stderr, "plab: %s\n", s.message().c_str());
  return s.ok();
}

Cli::LineResult Cli::Run(const ShellLine& line) {
  SyncClock();
  switch (line.kind) {
    case ShellLine::Kind::kEmpty:
      return LineResult::kContinue;
    case ShellLine::Kind::kQuit:
      return LineResult::kQuit;
    case ShellLine::Kind::kInvalid:
      Print(line.message + "\n");
      return LineResult::kInvalid;
    case ShellLine::Kind::kClear:
      if (tty_) Print("\x1b[H\x1b[2J");
      return LineResult::kContinue;
    case ShellLine::Kind::kHelp:
      Print(FormatHelp(commands_, line.argv, tty_));
      if (line.argv.empty()) Print(kDataNote);
      return LineResult::kContinue;
    case ShellLine::Kind::kDot:
      RunDot(line.dot);
      return LineResult::kContinue;
    case ShellLine::Kind::kCommand:
      RunCommand(line.argv, line.repeat);
      break;
  }
  return LineResult::kContinue;
}

void Cli::RunCommand(const std::vector<std::string>& argv, int64_t repeat) {
  const int64_t start = SteadyMillis();
  for (int64_t i = 0; i < repeat; ++i) {
    if (lab_.state() != Lab::State::kRunning) {
      Print(NotConnectedText(lab_.down_reason()));
      return;
    }
    SyncClock();
    RunOnce(argv);
  }
  // redis-cli reports slow commands on a terminal.
  const int64_t elapsed = SteadyMillis() - start;
  if (tty_ && elapsed >= 500) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "(%.2fs)\n", static_cast<double>(elapsed) / 1000);
    Print(buf);
  }
}

// One command as one event-loop batch of the lab's client, its replies
// printed as redis-cli prints them.
void Cli::RunOnce(const std::vector<std::string>& argv) {
  std::vector<Lab::Command> batch = {{argv, ""}};
  const std::string resp = lab_.RunBatch(batch);
  // A BGSAVE advances between commands too, not only as time passes, so
  // INFO persistence shows it progressing on a big dataset.
  if (lab_.engine() != nullptr) lab_.engine()->server().BackgroundWork(kBackgroundSliceUs);
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

void Cli::RunDot(const DotCommand& dot) {
  switch (dot.verb) {
    case DotCommand::Verb::kCrash:
      Crash(dot);
      break;
    case DotCommand::Verb::kRestart:
      Restart();
      break;
    case DotCommand::Verb::kClock:
      Clock(dot);
      break;
    case DotCommand::Verb::kFiles:
      Print(FilesText(lab_.Files(), tty_));
      break;
    case DotCommand::Verb::kReport:
      Print(report_text_);
      break;
    case DotCommand::Verb::kHelp:
      Print(DotHelpText(tty_));
      Print(kDataNote);
      break;
    case DotCommand::Verb::kPolicy:
      Policy(dot);
      break;
  }
}

void Cli::Crash(const DotCommand& dot) {
  if (lab_.state() != Lab::State::kRunning) {
    Print(NotConnectedText(lab_.down_reason()));
    return;
  }
  uint64_t seed = dot.seed;
  if (dot.crash == CrashKind::kPowerTorn && !dot.has_seed) {
    // Any seed will do; saying which lets the user replay this crash.
    seed = static_cast<uint64_t>(WallMillis()) % 1000000;
    Print("(seed " + std::to_string(seed) + ": .crash torn " + std::to_string(seed) +
          " tears the same sectors)\n");
  }
  lab_.Crash(dot.crash, seed);
  Print(CrashText(dot.crash));
}

void Cli::Restart() {
  const std::string cause = lab_.state() == Lab::State::kRunning ? "restart" : lab_.down_reason();
  RecoveryReport report;
  KeyspaceDiff diff;
  Status s = lab_.Restart(&report, &diff);
  if (!s.ok() && report.error.empty()) report.error = s.message();
  report_text_ = RecoveryText(report, s.ok() ? &diff : nullptr, cause, tty_);
  Print(report_text_);
}

void Cli::Clock(const DotCommand& dot) {
  const int64_t real = SteadyMillis();
  switch (dot.clock) {
    case DotCommand::ClockAction::kShow:
      break;
    case DotCommand::ClockAction::kAdvance:
      clock_.Advance(dot.advance_ms);
      break;
    case DotCommand::ClockAction::kPause:
      clock_.Pause(real);
      break;
    case DotCommand::ClockAction::kPlay:
      clock_.Play(real);
      break;
    case DotCommand::ClockAction::kSpeed:
      clock_.SetSpeed(dot.speed, real);
      break;
  }
  SyncClock();
  Print(ClockText(lab_.now_ms(), clock_.paused(), clock_.speed()));
}

// Prints each CONFIG SET as if typed at the prompt, then runs it.
void Cli::Policy(const DotCommand& dot) {
  for (const std::vector<std::string>& argv : PolicyCommands(dot)) {
    if (lab_.state() != Lab::State::kRunning) {
      Print(NotConnectedText(lab_.down_reason()));
      return;
    }
    Print(Prompt() + FormatCommandLine(argv) + "\n");
    RunOnce(argv);
  }
  if (!PolicyNote(dot).empty()) Print(std::string(PolicyNote(dot)) + "\n");
}

bool ShouldUseTty(CliOptions::Output output) {
  if (output == CliOptions::Output::kTty) return true;
  if (output == CliOptions::Output::kRaw) return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace

int RunCli(const CliOptions& options) {
  Cli cli(ShouldUseTty(options.output));
  if (!cli.Open(options.config)) return 1;
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
  while (std::optional<std::string> text = reader->Read(cli.Prompt())) {
    const ShellLine line = ParseShellLine(*text);
    // Like redis-cli: every line but blank ones and sensitive commands
    // goes to the history (unsplittable ones too, so they can be fixed).
    if (interactive && line.kind != ShellLine::Kind::kEmpty &&
        !(line.kind == ShellLine::Kind::kCommand && IsSensitive(line.argv))) {
      reader->AddHistory(*text);
    }
    if (cli.Run(line) == Cli::LineResult::kQuit) break;
  }
  return 0;
}

}  // namespace plab
