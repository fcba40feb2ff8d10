#include "core/lab/lab_shell.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>
#include <utility>

#include "core/engine.h"
#include "core/lab/lab.h"
#include "core/lab/lab_text.h"
#include "core/resp/reply_format.h"
#include "core/util/ascii.h"
#include "core/util/check.h"
#include "core/util/numbers.h"
#include "core/util/split_args.h"

namespace plab {
namespace {

// Redis's default save points (config.c), what `.policy rdb` restores.
constexpr std::string_view kDefaultSave = "3600 1 300 100 60 10000";
// Beyond this a jump is surely a typo (and days of cron steps are
// pointless: Lab::Tick runs only the last kMaxTickSteps periods anyway).
constexpr int64_t kMaxAdvanceMs = 366LL * 24 * 3600 * 1000;
constexpr double kMaxSpeed = 10000;
// Seeds travel through JSON to JavaScript numbers: keep them exact there.
constexpr uint64_t kMaxSeed = (uint64_t{1} << 53) - 1;

ShellLine Invalid(std::string_view message) {
  ShellLine out;
  out.kind = ShellLine::Kind::kInvalid;
  out.message = message;
  return out;
}

// What is wrong with a dot-command: `what`, the word at fault, the rest
// (views into literals and the line's words: no allocation until printed).
// Empty `what`: nothing is wrong.
struct Fault {
  std::string_view what;
  std::string_view word = {};
  std::string_view rest = {};
};

// A dot-command's mistake: what is wrong, then where to look.
ShellLine DotError(const Fault& f) {
  ShellLine out = Invalid(f.what);
  out.message.append(f.word).append(f.rest).append(" (type .help for the lab's commands)");
  return out;
}

// The words after a dot-command's name.
using Words = std::span<const std::string>;

bool Is(std::string_view word, std::string_view name) { return EqualsIgnoreCase(word, name); }

// redis-cli's repeat prefix: strtol of the whole first word (so "" and
// "+3" count too). -1: not a number, the word is the command; 0: a number
// that is not a valid count. strtoll rather than strtol so the limit is the
// same on every host (wasm's long is 32 bits).
int64_t RepeatPrefix(const std::string& word) {
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(word.c_str(), &end, 10);
  if (*end != '\0') return -1;
  if (errno != 0 || n <= 0) return 0;
  return n;
}

// "+15m", "+250ms", "+1h30m": the sum of NUMBER UNIT pairs after '+'.
// Returns 0 when `s` is not such a jump (or jumps too far).
int64_t ParseJump(std::string_view s) {
  if (s.size() < 3 || s[0] != '+') return 0;
  int64_t total = 0;
  size_t i = 1;
  while (i < s.size()) {
    int64_t n = 0;
    const size_t digits = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n <= kMaxAdvanceMs) {
      n = n * 10 + (s[i++] - '0');
    }
    if (i == digits || i == s.size()) return 0;
    const char u = static_cast<char>(s[i++] | 0x20);  // ASCII lower case
    int64_t unit = u == 's'   ? 1000
                   : u == 'm' ? 60000
                   : u == 'h' ? 3600000
                   : u == 'd' ? 86400000
                              : 0;
    if (u == 'm' && i < s.size() && (s[i] | 0x20) == 's') unit = 1, ++i;
    if (unit == 0 || n > kMaxAdvanceMs) return 0;
    total += n * unit;
    if (total > kMaxAdvanceMs) return 0;
  }
  return total;
}

Fault ParseCrash(Words args, DotCommand* dot) {
  if (args.empty()) return {".crash needs a kind: process, power or torn"};
  bool known = false;
  for (CrashKind k : {CrashKind::kProcess, CrashKind::kPower, CrashKind::kPowerTorn}) {
    if (Is(args[0], CrashKindName(k))) dot->crash = k, known = true;
  }
  if (!known) return {"unknown crash kind '", args[0], "': use process, power or torn"};
  if (args.size() > 2 || (args.size() == 2 && dot->crash != CrashKind::kPowerTorn)) {
    return {"only .crash torn takes one more word (a seed)"};
  }
  if (args.size() == 2) {
    const std::optional<int64_t> seed = ParseInt64(args[1]);
    if (!seed || *seed < 0 || static_cast<uint64_t>(*seed) > kMaxSeed) {
      return {"the seed must be a whole number from 0 to 2^53-1"};
    }
    dot->has_seed = true;
    dot->seed = static_cast<uint64_t>(*seed);
  }
  return {};
}

Fault ParseClock(Words args, DotCommand* dot) {
  using Action = DotCommand::ClockAction;
  if (args.empty()) return {};
  if (args.size() == 1 && (Is(args[0], "pause") || Is(args[0], "play"))) {
    dot->clock = Is(args[0], "pause") ? Action::kPause : Action::kPlay;
    return {};
  }
  if (Is(args[0], "speed")) {
    std::string_view x = args.size() == 2 ? std::string_view(args[1]) : std::string_view();
    if (!x.empty() && (x.back() | 0x20) == 'x') x.remove_suffix(1);
    const std::optional<double> speed = ParseDouble(x);
    if (args.size() != 2 || !speed || !(*speed > 0) || *speed > kMaxSpeed) {
      return {".clock speed takes one number above 0 and at most 10000, e.g. 10"};
    }
    dot->clock = Action::kSpeed;
    dot->speed = *speed;
    return {};
  }
  if (args[0][0] == '-') return {"the clock never goes back; jump forward with e.g. +15m"};
  dot->clock = Action::kAdvance;
  dot->advance_ms = args.size() == 1 ? ParseJump(args[0]) : 0;
  if (dot->advance_ms > 0) return {};
  return {"'.clock ", args[0],
          "' is not a clock command: use +N with ms, s, m, h or d (e.g. +15m), "
          "pause, play or speed N"};
}

// "60 1 300 10" (one or several words): pairs of seconds >= 1 and
// changes >= 0, as Redis's CONFIG SET save accepts them. Normalized to
// single spaces; "" when malformed.
std::string ParseSaveRules(Words words) {
  std::string joined;
  for (const std::string& w : words) joined.append(w).append(" ");
  std::optional<std::vector<std::string>> numbers = SplitArgs(joined);
  if (!numbers || numbers->empty() || numbers->size() % 2 != 0) return "";
  std::string out;
  for (size_t i = 0; i < numbers->size(); ++i) {
    const std::optional<int64_t> n = ParseInt64((*numbers)[i]);
    if (!n || *n < (i % 2 == 0 ? 1 : 0)) return "";
    out.append(i == 0 ? "" : " ").append((*numbers)[i]);
  }
  return out;
}

Fault ParsePolicy(Words args, DotCommand* dot) {
  static constexpr std::string_view kUsage =
      ".policy takes none, rdb [SECONDS CHANGES ...], aof [FSYNC] or hybrid [FSYNC]";
  const size_t rest = args.empty() ? 0 : args.size() - 1;
  if (args.empty()) return {kUsage};
  if (Is(args[0], "none") && rest == 0) {
    dot->policy = PersistPolicy::kNone;
  } else if (Is(args[0], "rdb")) {
    dot->policy = PersistPolicy::kRdb;
    dot->save = rest == 0 ? std::string(kDefaultSave) : ParseSaveRules(args.subspan(1));
    if (dot->save.empty())
      return {"save points are pairs of seconds (>= 1) and changes, e.g. 60 1"};
  } else if ((Is(args[0], "aof") || Is(args[0], "hybrid")) && rest <= 1) {
    dot->policy = Is(args[0], "aof") ? PersistPolicy::kAof : PersistPolicy::kHybrid;
    for (std::string_view known : {"always", "everysec", "no"}) {
      if (rest == 0 ? known == "everysec" : Is(args[1], known)) dot->fsync = known;
    }
    if (dot->fsync.empty()) return {"appendfsync is always, everysec or no, not '", args[1], "'"};
  } else {
    return {kUsage};
  }
  return {};
}

// .restart, .files, .report, .help (ParseDot names the verb in the error).
Fault ParseNoArguments(Words args, DotCommand* /*dot*/) {
  if (args.empty()) return {};
  return {"takes no arguments"};
}

// argv[0] starts with '.'.
ShellLine ParseDot(const std::vector<std::string>& argv) {
  using Verb = DotCommand::Verb;
  static constexpr struct {
    std::string_view name;
    Verb verb;
    Fault (*parse)(Words, DotCommand*);
  } kVerbs[] = {
      {".crash", Verb::kCrash, ParseCrash},       {".clock", Verb::kClock, ParseClock},
      {".policy", Verb::kPolicy, ParsePolicy},    {".restart", Verb::kRestart, ParseNoArguments},
      {".files", Verb::kFiles, ParseNoArguments}, {".report", Verb::kReport, ParseNoArguments},
      {".help", Verb::kHelp, ParseNoArguments}};
  ShellLine out;
  out.kind = ShellLine::Kind::kDot;
  for (const auto& v : kVerbs) {
    if (!Is(argv[0], v.name)) continue;
    out.dot.verb = v.verb;
    const Fault fault = v.parse(Words(argv).subspan(1), &out.dot);
    if (fault.what.empty()) return out;
    if (v.parse == ParseNoArguments) return DotError({argv[0], "", " takes no arguments"});
    return DotError(fault);
  }
  return DotError({"unknown lab command '", argv[0], "'"});
}

// Strict UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF): exactly what nlohmann's writer accepts, so a string called valid
// here is written unchanged.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

// JSON text is assembled by hand around nlohmann's string writer (which
// escapes, and replaces invalid UTF-8): building nlohmann::json objects
// costs several KB of wasm per shape.
void AppendJsonString(std::string* out, std::string_view s) {
  *out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `,"key":` (or `"key":` first in its object).
void AppendKey(std::string* out, std::string_view key) {
  if (out->back() != '{') *out += ',';
  *out += '"';
  out->append(key).append("\":");
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  AppendKey(out, key);
  AppendJsonString(out, value);
}

// An argument: a string, or {"hex": ...} when not valid UTF-8.
void AppendArg(std::string* out, const std::string& arg) {
  if (IsValidUtf8(arg)) return AppendJsonString(out, arg);
  static constexpr char kHex[] = "0123456789abcdef";
  *out += "{\"hex\":\"";
  for (unsigned char c : arg) {
    *out += kHex[c >> 4];
    *out += kHex[c & 15];
  }
  *out += "\"}";
}

void AppendArgArray(std::string* out, const std::vector<std::string>& argv) {
  *out += '[';
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) *out += ',';
    AppendArg(out, argv[i]);
  }
  *out += ']';
}

void AppendArgv(std::string* out, std::string_view key, const std::vector<std::string>& argv) {
  AppendKey(out, key);
  AppendArgArray(out, argv);
}

void AppendPolicyJson(const DotCommand& dot, std::string* out) {
  static constexpr const char* kPolicies[] = {"none", "rdb", "aof", "hybrid"};
  AppendField(out, "policy", kPolicies[static_cast<int>(dot.policy)]);
  if (!dot.fsync.empty()) AppendField(out, "fsync", dot.fsync);
  if (dot.policy == PersistPolicy::kRdb) AppendField(out, "save", dot.save);
  const std::vector<std::vector<std::string>> commands = PolicyCommands(dot);
  for (const char* key : {"commands", "lines"}) {
    AppendKey(out, key);
    for (size_t i = 0; i < commands.size(); ++i) {
      *out += i == 0 ? '[' : ',';
      if (key[0] == 'c') {
        AppendArgArray(out, commands[i]);
      } else {
        AppendJsonString(out, FormatCommandLine(commands[i]));
      }
    }
    *out += ']';
  }
  if (!PolicyNote(dot).empty()) AppendField(out, "note", PolicyNote(dot));
}

void AppendDotJson(const DotCommand& dot, std::string* out) {
  using Verb = DotCommand::Verb;
  static constexpr const char* kVerbs[] = {"crash",  "restart", "clock", "files",
                                           "report", "help",    "policy"};
  static constexpr const char* kActions[] = {"show", "advance", "pause", "play", "speed"};
  AppendField(out, "verb", kVerbs[static_cast<int>(dot.verb)]);
  if (dot.verb == Verb::kCrash) {
    AppendField(out, "crash", CrashKindName(dot.crash));
    if (dot.has_seed) AppendKey(out, "seed"), *out += std::to_string(dot.seed);
    AppendField(out, "text", CrashText(dot.crash));
  } else if (dot.verb == Verb::kClock) {
    AppendField(out, "action", kActions[static_cast<int>(dot.clock)]);
    if (dot.clock == DotCommand::ClockAction::kAdvance) {
      AppendKey(out, "ms"), *out += std::to_string(dot.advance_ms);
    }
    if (dot.clock == DotCommand::ClockAction::kSpeed) {
      AppendKey(out, "speed"), *out += nlohmann::json(dot.speed).dump();
    }
  } else if (dot.verb == Verb::kPolicy) {
    AppendPolicyJson(dot, out);
  }
}

}  // namespace

ShellLine ParseShellLine(std::string_view line) {
  std::optional<std::vector<std::string>> split = SplitArgs(line);
  if (!split) return Invalid("Invalid argument(s)");
  std::vector<std::string>& argv = *split;
  ShellLine out;
  if (argv.empty()) return out;
  // redis-cli checks the repeat prefix first, but quit/exit and clear on the
  // line as typed: "2 clear" is sent to the server as CLEAR, twice.
  const int64_t repeat = argv.size() > 1 ? RepeatPrefix(argv[0]) : -1;
  if (repeat == 0) return Invalid("Invalid repeat command option value.");
  if (EqualsIgnoreCase(argv[0], "quit") || EqualsIgnoreCase(argv[0], "exit")) {
    out.kind = ShellLine::Kind::kQuit;
    return out;
  }
  if (argv.size() == 1 && EqualsIgnoreCase(argv[0], "clear")) {
    out.kind = ShellLine::Kind::kClear;
    return out;
  }
  if (repeat > 0) argv.erase(argv.begin());
  if (!argv[0].empty() && argv[0][0] == '.') {
    if (repeat > 0) return DotError({"lab commands cannot be repeated"});
    return ParseDot(argv);
  }
  if (EqualsIgnoreCase(argv[0], "help") || EqualsIgnoreCase(argv[0], "?")) {
    out.kind = ShellLine::Kind::kHelp;
    out.argv.assign(argv.begin() + 1, argv.end());
    return out;
  }
  out.kind = ShellLine::Kind::kCommand;
  out.repeat = repeat > 0 ? repeat : 1;
  out.argv = std::move(argv);
  return out;
}

std::vector<std::vector<std::string>> PolicyCommands(const DotCommand& dot) {
  PLAB_DCHECK(dot.verb == DotCommand::Verb::kPolicy, "PolicyCommands: not a .policy");
  using P = PersistPolicy;
  const bool aof = dot.policy == P::kAof || dot.policy == P::kHybrid;
  // appendonly yes last: it starts the rewrite that writes the first BASE,
  // in the format aof-use-rdb-preamble has at that moment.
  const std::string_view knobs[][2] = {
      {"appendonly", "no"},
      {"save", dot.policy == P::kRdb ? std::string_view(dot.save) : ""},
      {"aof-use-rdb-preamble", dot.policy == P::kHybrid ? "yes" : "no"},
      {"appendfsync", dot.fsync},
      {"appendonly", "yes"}};
  std::vector<std::vector<std::string>> out;
  for (size_t i = aof ? 1 : 0; i < (aof ? 5 : 2); ++i) {
    out.push_back({"CONFIG", "SET", std::string(knobs[i][0]), std::string(knobs[i][1])});
  }
  return out;
}

std::string_view PolicyNote(const DotCommand& dot) {
  if (dot.policy != PersistPolicy::kAof && dot.policy != PersistPolicy::kHybrid) return "";
  return "If the AOF was already on, its BASE file keeps its format until the next rewrite; "
         "BGREWRITEAOF rewrites it now.";
}

std::string ShellLineJson(const ShellLine& line) {
  static constexpr const char* kKinds[] = {"empty", "command", "help",   "clear",
                                           "quit",  "dot",     "invalid"};
  std::string out = "{";
  AppendField(&out, "kind", kKinds[static_cast<int>(line.kind)]);
  switch (line.kind) {
    case ShellLine::Kind::kCommand:
      AppendArgv(&out, "argv", line.argv);
      AppendKey(&out, "repeat");
      out += std::to_string(line.repeat);
      break;
    case ShellLine::Kind::kHelp:
      AppendArgv(&out, "topic", line.argv);
      break;
    case ShellLine::Kind::kInvalid:
      AppendField(&out, "message", line.message);
      break;
    case ShellLine::Kind::kDot:
      AppendDotJson(line.dot, &out);
      break;
    default:
      break;
  }
  return out + "}";
}

const std::vector<DotVerbInfo>& DotVerbs() {
  static const std::vector<DotVerbInfo> verbs = {
      {".crash", "process|power|torn [SEED]",
       "pull the plug: kill Redis, or cut the power (torn: mid-write)"},
      {".restart", "", "start Redis on what the disk kept; report what came back"},
      {".report", "", "show the last recovery report and diff again"},
      {".files", "", "each file: bytes written, bytes durable, name durable or not"},
      {".clock", "[+15m|pause|play|speed N]",
       "show the virtual clock, jump it forward, pause, play or speed it up"},
      {".policy", "none|rdb [SECS CHANGES ...]|aof [FSYNC]|hybrid [FSYNC]",
       "set up persistence with the real CONFIG SET commands"},
      {".help", "", "this list"}};
  return verbs;
}

std::string DotVerbsJson() {
  std::string out = "[";
  for (const DotVerbInfo& v : DotVerbs()) {
    out += out.size() == 1 ? "{" : ",{";
    AppendField(&out, "name", v.name);
    AppendField(&out, "hint", v.hint);
    AppendField(&out, "summary", v.summary);
    out += '}';
  }
  return out + "]";
}

std::vector<std::string_view> DotCommandWords(std::string_view verb) {
  if (Is(verb, ".crash")) {
    std::vector<std::string_view> kinds;
    for (CrashKind k : kCrashKinds) kinds.push_back(CrashKindName(k));
    std::sort(kinds.begin(), kinds.end());  // completion lists words in order
    return kinds;
  }
  if (Is(verb, ".clock")) return {"+1s", "+1m", "+15m", "+1h", "pause", "play", "speed"};
  if (Is(verb, ".policy")) return {"aof", "hybrid", "none", "rdb"};
  return {};
}

std::string FormatCommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    bool plain = !arg.empty();
    for (unsigned char c : arg) {
      if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c >= 0x7f) plain = false;
    }
    if (!out.empty()) out += ' ';
    out += plain ? arg : QuoteReplyString(arg);
  }
  return out;
}

std::string CliPrompt(bool connected, int db, bool in_multi) {
  if (!connected) return "not connected> ";
  std::string p = "plab";
  if (db != 0) p += "[" + std::to_string(db) + "]";
  if (in_multi) p += "(TX)";
  return p + "> ";
}

std::string LabPrompt(Lab& lab) {
  if (lab.state() != Lab::State::kRunning) return CliPrompt(false, 0, false);
  const Client* client = lab.engine()->default_client();
  return CliPrompt(true, client->db, client->in_multi);
}

int64_t ShellClock::Now(int64_t real_ms) const {
  if (paused_) return base_virtual_;
  return base_virtual_ + static_cast<int64_t>(static_cast<double>(real_ms - base_real_) * speed_);
}

void ShellClock::Rebase(int64_t real_ms) {
  base_virtual_ = Now(real_ms);
  base_real_ = real_ms;
}

void ShellClock::Pause(int64_t real_ms) {
  Rebase(real_ms);
  paused_ = true;
}

void ShellClock::Play(int64_t real_ms) {
  Rebase(real_ms);  // paused: keeps the virtual time, restarts from now
  paused_ = false;
}

void ShellClock::SetSpeed(double speed, int64_t real_ms) {
  PLAB_DCHECK(speed > 0, "ShellClock::SetSpeed: speed must be > 0");
  Rebase(real_ms);
  speed_ = speed;
}

}  // namespace plab
