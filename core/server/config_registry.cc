// The config registry: one table of parameters, each with its Redis name,
// alias, type, bounds and the Config field it lives in. The parsing rules
// follow Redis 7.0's config.c (boolConfigSet, numericParseString,
// numericBoundaryCheck, enumConfigSet, loadServerConfigFromString) so that
// error strings match redis-server's byte for byte.
#include "core/server/config_registry.h"

#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/util/ascii.h"
#include "core/util/check.h"
#include "core/util/glob.h"
#include "core/util/numbers.h"
#include "core/util/split_args.h"

namespace plab {

std::string FormatSavePoints(const std::vector<SavePoint>& points) {
  std::string out;
  for (const SavePoint& sp : points) {
    if (!out.empty()) out += ' ';
    out += std::to_string(sp.seconds) + " " + std::to_string(sp.changes);
  }
  return out;
}

namespace {

enum class Kind : uint8_t {
  kBool,
  kNumber,
  kEnum,
  kTypedEnum,
  kString,
  kBind,
  kSave,
  kDbFilename,
  kOutputLimit
};

// Flags, named after config.c's.
enum ParamFlag : uint8_t {
  kImmutable = 1 << 0,  // CONFIG SET refuses it; startup may set it
  kProtected = 1 << 1,  // CONFIG SET refuses it (enable-protected-configs no)
  kMultiArg = 1 << 2,   // takes several words (bind, save)
  kMemory = 1 << 3,     // number with k/kb/m/mb/g/gb units
  kUnsigned = 1 << 4,   // bounds are checked as unsigned, like size_t fields
};

// A check run on a candidate Config after a value was stored into it; a
// non-OK result rejects the value. Used for PersistLab's own limits and for
// Redis's "apply" side effects that change the stored value (hz clamping).
using CheckFn = Status (*)(Config* c, bool at_startup);

struct Param {
  std::string_view name;
  std::string_view alias;  // "" when none
  Kind kind;
  uint8_t flags;
  bool Config::*flag = nullptr;
  int64_t Config::*number = nullptr;
  std::string Config::*text = nullptr;
  int64_t lo = 0, hi = 0;                     // numbers: inclusive bounds (as uint64 if kUnsigned)
  const std::string_view* choices = nullptr;  // enums
  size_t num_choices = 0;
  // kTypedEnum: the field is an enum class whose values index `choices`.
  size_t (*get_choice)(const Config& c) = nullptr;
  void (*set_choice)(Config* c, size_t choice) = nullptr;
  CheckFn check = nullptr;
};

constexpr int64_t kIntMax = 2147483647LL;
constexpr int64_t kIntMin = -2147483648LL;
constexpr int64_t kUIntMax = 4294967295LL;
constexpr int64_t kLongMax = 9223372036854775807LL;
constexpr int64_t kULongLongMax = -1;  // UINT64_MAX, read back as unsigned
constexpr int64_t kMb = 1024 * 1024;
constexpr size_t kMaxBindAddresses = 16;  // CONFIG_BINDADDR_MAX

constexpr std::string_view kProtectedActions[] = {"no", "yes", "local"};
constexpr std::string_view kLogLevels[] = {"debug", "verbose", "notice", "warning"};
constexpr std::string_view kAppendFsync[] = {"always", "everysec", "no"};
// TypedEnum: a choice's index is its enum value.
static_assert(static_cast<size_t>(FsyncPolicy::kNo) == 2 &&
              static_cast<size_t>(ProtectedAction::kLocal) == 2);
constexpr std::string_view kPolicies[] = {"volatile-lru",   "volatile-lfu", "volatile-random",
                                          "volatile-ttl",   "allkeys-lru",  "allkeys-lfu",
                                          "allkeys-random", "noeviction"};

// updateHZ(): hz is a hint, out-of-range values are capped, not refused
// (CONFIG_MIN_HZ 1, CONFIG_MAX_HZ 500).
Status ClampHz(Config* c, bool /*at_startup*/) {
  c->hz = std::clamp<int64_t>(c->hz, 1, 500);
  return Status::Ok();
}

Status OnlySixteenDatabases(Config* c, bool /*at_startup*/) {
  if (c->databases == 16) return Status::Ok();
  return Status::InvalidArgument(
      "PersistLab has a fixed set of 16 databases; 'databases' can only be 16");
}

Status NoDaemonize(Config* c, bool /*at_startup*/) {
  if (!c->daemonize) return Status::Ok();
  return Status::InvalidArgument(
      "daemonize yes is not supported: plab serve always stays in the foreground "
      "(run it under a service manager, or in the background with &)");
}

// isValidAOFfilename() / isValidAOFdirname(): a bare name inside `dir`.
Status ValidAofNames(Config* c, bool /*at_startup*/) {
  if (c->appendfilename.empty()) return Status::InvalidArgument("appendfilename can't be empty");
  if (c->appendfilename.find('/') != std::string::npos) {
    return Status::InvalidArgument("appendfilename can't be a path, just a filename");
  }
  if (c->appenddirname.empty()) return Status::InvalidArgument("appenddirname can't be empty");
  if (c->appenddirname.find('/') != std::string::npos) {
    return Status::InvalidArgument("appenddirname can't be a path, just a dirname");
  }
  return Status::Ok();
}

constexpr Param Bool(std::string_view name, bool Config::*f, uint8_t flags = 0,
                     CheckFn check = nullptr) {
  Param p{name, "", Kind::kBool, flags};
  p.flag = f;
  p.check = check;
  return p;
}

constexpr Param Num(std::string_view name, std::string_view alias, int64_t Config::*f, int64_t lo,
                    int64_t hi, uint8_t flags = 0, CheckFn check = nullptr) {
  Param p{name, alias, Kind::kNumber, flags};
  p.number = f;
  p.lo = lo;
  p.hi = hi;
  p.check = check;
  return p;
}

template <size_t N>
constexpr Param Enum(std::string_view name, std::string Config::*f,
                     const std::string_view (&choices)[N], uint8_t flags = 0) {
  Param p{name, "", Kind::kEnum, flags};
  p.text = f;
  p.choices = choices;
  p.num_choices = N;
  return p;
}

// An enum parameter stored typed (FsyncPolicy ...): choice i is the enum's
// value i, so the text is parsed once, when set.
template <auto Field, size_t N>
constexpr Param TypedEnum(std::string_view name, const std::string_view (&choices)[N],
                          uint8_t flags = 0) {
  using E = std::remove_reference_t<decltype(std::declval<Config&>().*Field)>;
  Param p{name, "", Kind::kTypedEnum, flags};
  p.choices = choices;
  p.num_choices = N;
  p.get_choice = [](const Config& c) { return static_cast<size_t>(c.*Field); };
  p.set_choice = [](Config* c, size_t choice) { c->*Field = static_cast<E>(choice); };
  return p;
}

constexpr Param Str(std::string_view name, std::string Config::*f, uint8_t flags = 0,
                    Kind kind = Kind::kString, CheckFn check = nullptr) {
  Param p{name, "", kind, flags};
  p.text = f;
  p.check = check;
  return p;
}

// The table. Types, bounds and flags are those of Redis 7.0's
// static_configs[]; signed fields there (int, long long) are kNumber, the
// unsigned ones (unsigned int, size_t, unsigned long long) add kUnsigned.
constexpr std::array kParams = {
    Num("port", "", &Config::port, 0, 65535),
    Str("bind", &Config::bind, kMultiArg, Kind::kBind),
    Bool("protected-mode", &Config::protected_mode),
    Num("maxclients", "", &Config::maxclients, 1, kUIntMax, kUnsigned),
    Num("timeout", "", &Config::timeout, 0, kIntMax),
    Num("tcp-keepalive", "", &Config::tcp_keepalive, 0, kIntMax),
    Num("tcp-backlog", "", &Config::tcp_backlog, 0, kIntMax, kImmutable),
    Str("requirepass", &Config::requirepass),
    Num("hz", "", &Config::hz, 0, kIntMax, 0, ClampHz),
    Num("databases", "", &Config::databases, 1, kIntMax, kImmutable, OnlySixteenDatabases),
    Str("dir", &Config::dir, kProtected),
    Enum("loglevel", &Config::loglevel, kLogLevels),
    Str("logfile", &Config::logfile, kImmutable),
    Bool("daemonize", &Config::daemonize, kImmutable, NoDaemonize),
    Str("pidfile", &Config::pidfile, kImmutable),
    Num("proto-max-bulk-len", "", &Config::proto_max_bulk_len, kMb, kLongMax, kMemory),
    Num("client-query-buffer-limit", "", &Config::client_query_buffer_limit, kMb, kLongMax,
        kMemory | kUnsigned),
    Num("maxmemory", "", &Config::maxmemory, 0, kULongLongMax, kMemory | kUnsigned),
    Enum("maxmemory-policy", &Config::maxmemory_policy, kPolicies),
    Param{"client-output-buffer-limit", "", Kind::kOutputLimit, kMultiArg},
    Num("hash-max-listpack-entries", "hash-max-ziplist-entries", &Config::hash_max_listpack_entries,
        0, kLongMax, kUnsigned),
    Num("hash-max-listpack-value", "hash-max-ziplist-value", &Config::hash_max_listpack_value, 0,
        kLongMax, kMemory | kUnsigned),
    Num("set-max-intset-entries", "", &Config::set_max_intset_entries, 0, kLongMax, kUnsigned),
    Num("zset-max-listpack-entries", "zset-max-ziplist-entries", &Config::zset_max_listpack_entries,
        0, kLongMax, kUnsigned),
    Num("zset-max-listpack-value", "zset-max-ziplist-value", &Config::zset_max_listpack_value, 0,
        kLongMax, kMemory | kUnsigned),
    Num("list-max-listpack-size", "list-max-ziplist-size", &Config::list_max_listpack_size, kIntMin,
        kIntMax),
    Num("list-compress-depth", "", &Config::list_compress_depth, 0, kIntMax),
    Bool("activerehashing", &Config::activerehashing),
    Bool("lazyfree-lazy-user-del", &Config::lazyfree_lazy_user_del),
    Param{"save", "", Kind::kSave, kMultiArg},
    Str("dbfilename", &Config::dbfilename, kProtected, Kind::kDbFilename),
    Bool("rdbcompression", &Config::rdbcompression),
    Bool("rdbchecksum", &Config::rdbchecksum, kImmutable),
    Bool("stop-writes-on-bgsave-error", &Config::stop_writes_on_bgsave_error),
    TypedEnum<&Config::enable_debug_command>("enable-debug-command", kProtectedActions, kImmutable),
    Bool("appendonly", &Config::appendonly),
    Str("appendfilename", &Config::appendfilename, kImmutable, Kind::kString, ValidAofNames),
    Str("appenddirname", &Config::appenddirname, kImmutable, Kind::kString, ValidAofNames),
    TypedEnum<&Config::appendfsync>("appendfsync", kAppendFsync),
    Bool("no-appendfsync-on-rewrite", &Config::no_appendfsync_on_rewrite),
    Num("auto-aof-rewrite-percentage", "", &Config::auto_aof_rewrite_percentage, 0, kIntMax),
    Num("auto-aof-rewrite-min-size", "", &Config::auto_aof_rewrite_min_size, 0, kLongMax, kMemory),
    Bool("aof-load-truncated", &Config::aof_load_truncated),
    Bool("aof-use-rdb-preamble", &Config::aof_use_rdb_preamble),
    Bool("aof-timestamp-enabled", &Config::aof_timestamp_enabled),
    Bool("aof-rewrite-incremental-fsync", &Config::aof_rewrite_incremental_fsync),
    Bool("aof-disable-auto-gc", &Config::aof_disable_auto_gc),
};

// A name CONFIG GET/SET can address: a parameter's name or its alias. Redis
// registers both in its configs dict, so aliases match patterns too.
struct Entry {
  const Param* param;
  std::string_view name;
};

constexpr size_t kNumEntries = [] {
  size_t n = 0;
  for (const Param& p : kParams) n += p.alias.empty() ? 1 : 2;
  return n;
}();

constexpr std::array<Entry, kNumEntries> kEntries = [] {
  std::array<Entry, kNumEntries> out{};
  size_t n = 0;
  for (const Param& p : kParams) {
    out[n++] = Entry{&p, p.name};
    if (!p.alias.empty()) out[n++] = Entry{&p, p.alias};
  }
  return out;
}();

// Index into kEntries, or -1.
int FindEntry(std::string_view name) {
  for (size_t i = 0; i < kEntries.size(); ++i) {
    if (EqualsIgnoreCase(kEntries[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

// memtoull(): digits then an optional unit (b k kb m mb g gb, any case). A
// leading '-' or any other suffix is an error. As in Redis, an empty number
// ("" or "k") reads as 0, overflowing digits saturate and the unit multiply
// wraps around.
std::optional<uint64_t> ParseMemory(std::string_view s) {
  if (!s.empty() && s[0] == '-') return std::nullopt;
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::string unit(s.substr(digits));
  LowerInPlace(unit);
  uint64_t mul;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k" || unit == "kb" || unit == "m" || unit == "mb" || unit == "g" ||
             unit == "gb") {
    const uint64_t base = unit.size() == 2 ? 1024 : 1000;
    mul = unit[0] == 'k' ? base : unit[0] == 'm' ? base * base : base * base * base;
  } else {
    return std::nullopt;
  }
  if (digits >= 128) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v * mul;
}

std::string BoundsError(const Param& p) {
  if (p.flags & kUnsigned) {
    return "argument must be between " + std::to_string(static_cast<uint64_t>(p.lo)) + " and " +
           std::to_string(static_cast<uint64_t>(p.hi)) + " inclusive";
  }
  return "argument must be between " + FormatInt64(p.lo) + " and " + FormatInt64(p.hi) +
         " inclusive";
}

// numericParseString() + numericBoundaryCheck().
Status SetNumber(const Param& p, Config* c, const std::string& v) {
  int64_t n;
  if (p.flags & kMemory) {
    auto m = ParseMemory(v);
    if (!m) return Status::InvalidArgument("argument must be a memory value");
    n = static_cast<int64_t>(*m);
  } else {
    auto i = ParseInt64(v);
    if (!i) return Status::InvalidArgument("argument couldn't be parsed into an integer");
    n = *i;
  }
  const bool in_range = (p.flags & kUnsigned)
                            ? static_cast<uint64_t>(n) >= static_cast<uint64_t>(p.lo) &&
                                  static_cast<uint64_t>(n) <= static_cast<uint64_t>(p.hi)
                            : n >= p.lo && n <= p.hi;
  if (!in_range) return Status::InvalidArgument(BoundsError(p));
  c->*p.number = n;
  return Status::Ok();
}

Status SetEnum(const Param& p, Config* c, const std::string& v) {
  for (size_t i = 0; i < p.num_choices; ++i) {
    if (EqualsIgnoreCase(p.choices[i], v)) {
      if (p.kind == Kind::kTypedEnum) {
        p.set_choice(c, i);
      } else {
        c->*p.text = std::string(p.choices[i]);
      }
      return Status::Ok();
    }
  }
  std::string msg = "argument(s) must be one of the following: ";
  for (size_t i = 0; i < p.num_choices; ++i) {
    if (i > 0) msg += ", ";
    msg += p.choices[i];
  }
  return Status::InvalidArgument(msg);
}

// setConfigSaveOption(): pairs of <seconds> <changes> (seconds >= 1,
// changes >= 0), or a single "" for none. Stored parsed, like Redis's
// server.saveparams; CONFIG GET formats them back.
Status SetSave(Config* c, const std::vector<std::string>& args) {
  if (args.empty() || (args.size() == 1 && args[0].empty())) {
    c->save.clear();
    return Status::Ok();
  }
  if (args.size() % 2 != 0) return Status::InvalidArgument("Invalid save parameters");
  std::vector<SavePoint> points;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    auto seconds = ParseInt64(args[i]);
    auto changes = ParseInt64(args[i + 1]);
    if (!seconds || *seconds < 1 || !changes || *changes < 0) {
      return Status::InvalidArgument("Invalid save parameters");
    }
    points.push_back({*seconds, *changes});
  }
  c->save = std::move(points);
  return Status::Ok();
}

// isValidDBfilename(): a base name, never a path.
Status SetDbFilename(Config* c, const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return Status::InvalidArgument("dbfilename can't be a path, just a filename");
  }
  c->dbfilename = name;
  return Status::Ok();
}

// setConfigBindOption(): up to 16 addresses; a single "" means none.
Status SetBind(Config* c, const std::vector<std::string>& args) {
  if (args.size() > kMaxBindAddresses) {
    return Status::InvalidArgument("Too many bind addresses specified.");
  }
  std::string joined;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) joined += ' ';
    joined += args[i];
  }
  c->bind = joined;
  return Status::Ok();
}

// The class names of client-output-buffer-limit (getClientTypeName), in
// ClientClass order; "replica" is accepted for "slave" when setting.
constexpr std::string_view kClientClassNames[kNumClientClasses] = {"normal", "slave", "pubsub"};

std::optional<size_t> ClientClassByName(std::string_view name) {
  if (EqualsIgnoreCase(name, "replica")) return static_cast<size_t>(ClientClass::kReplica);
  for (size_t i = 0; i < kNumClientClasses; ++i) {
    if (EqualsIgnoreCase(name, kClientClassNames[i])) return i;
  }
  return std::nullopt;  // includes "master": Redis refuses a limit for it
}

// The soft-limit seconds as Redis reads them: strtoll (leading blanks, a
// sign, saturating; "" is 0) into an int, so out-of-range values wrap and
// must then still be >= 0.
std::optional<int64_t> ParseLimitSeconds(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  const bool negative = i < s.size() && s[i] == '-';
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const size_t first_digit = i;
  uint64_t v = 0;
  bool saturated = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (static_cast<uint64_t>(INT64_MAX) - d) / 10) saturated = true;
    if (!saturated) v = v * 10 + d;
  }
  if (i == first_digit) return s.empty() ? std::optional<int64_t>(0) : std::nullopt;
  if (i != s.size()) return std::nullopt;
  int64_t wide = saturated ? (negative ? INT64_MIN : INT64_MAX)
                           : (negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v));
  const auto narrow = static_cast<int32_t>(static_cast<uint64_t>(wide) & 0xffffffffULL);
  if (narrow < 0) return std::nullopt;
  return narrow;
}

// updateClientOutputBufferLimit(): groups of <class> <hard> <soft> <seconds>,
// all checked before any is applied; classes not named keep their limits.
Status SetOutputLimits(Config* c, const std::vector<std::string>& args) {
  if (args.size() % 4 != 0) {
    return Status::InvalidArgument("Wrong number of arguments in buffer limit configuration.");
  }
  OutputLimit values[kNumClientClasses];
  bool named[kNumClientClasses] = {};
  for (size_t j = 0; j < args.size(); j += 4) {
    const std::optional<size_t> cls = ClientClassByName(args[j]);
    if (!cls) {
      return Status::InvalidArgument(
          "Invalid client class specified in buffer limit configuration.");
    }
    const auto hard = ParseMemory(args[j + 1]);
    const auto soft = ParseMemory(args[j + 2]);
    const auto seconds = ParseLimitSeconds(args[j + 3]);
    if (!hard || !soft || !seconds) {
      return Status::InvalidArgument(
          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    values[*cls] = OutputLimit{*hard, *soft, *seconds};
    named[*cls] = true;
  }
  for (size_t i = 0; i < kNumClientClasses; ++i) {
    if (named[i]) c->client_output_buffer_limit[i] = values[i];
  }
  return Status::Ok();
}

// getConfigClientOutputBufferLimitOption(): every class, "normal 0 0 0 ...".
std::string FormatOutputLimits(const Config& c) {
  std::string out;
  for (size_t i = 0; i < kNumClientClasses; ++i) {
    const OutputLimit& l = c.client_output_buffer_limit[i];
    if (i > 0) out += ' ';
    out += std::string(kClientClassNames[i]) + " " + std::to_string(l.hard_bytes) + " " +
           std::to_string(l.soft_bytes) + " " + std::to_string(l.soft_seconds);
  }
  return out;
}

// Stores `args` into the candidate config `c` (the type's set function).
Status SetValue(const Param& p, Config* c, const std::vector<std::string>& args) {
  if (!(p.flags & kMultiArg) && args.size() != 1) {
    return Status::InvalidArgument("wrong number of arguments");
  }
  switch (p.kind) {
    case Kind::kBool:
      if (EqualsIgnoreCase(args[0], "yes")) {
        c->*p.flag = true;
      } else if (EqualsIgnoreCase(args[0], "no")) {
        c->*p.flag = false;
      } else {
        return Status::InvalidArgument("argument must be 'yes' or 'no'");
      }
      return Status::Ok();
    case Kind::kNumber:
      return SetNumber(p, c, args[0]);
    case Kind::kEnum:
    case Kind::kTypedEnum:
      return SetEnum(p, c, args[0]);
    case Kind::kString:
      c->*p.text = args[0];
      return Status::Ok();
    case Kind::kBind:
      return SetBind(c, args);
    case Kind::kSave:
      return SetSave(c, args);
    case Kind::kDbFilename:
      return SetDbFilename(c, args[0]);
    case Kind::kOutputLimit:
      return SetOutputLimits(c, args);
  }
  return Status::Ok();
}

// Sets one parameter on *config, leaving it untouched on failure.
Status SetOnCopy(const Param& p, Config* config, const std::vector<std::string>& args,
                 bool at_startup) {
  Config candidate = *config;
  PLAB_RETURN_IF_ERROR(SetValue(p, &candidate, args));
  if (p.check != nullptr) PLAB_RETURN_IF_ERROR(p.check(&candidate, at_startup));
  *config = std::move(candidate);
  return Status::Ok();
}

std::string FormatValue(const Param& p, const Config& c) {
  switch (p.kind) {
    case Kind::kBool:
      return c.*p.flag ? "yes" : "no";
    case Kind::kNumber:
      // Unsigned fields print as unsigned (maxmemory may hold UINT64_MAX).
      if (p.flags & kUnsigned) return std::to_string(static_cast<uint64_t>(c.*p.number));
      return FormatInt64(c.*p.number);
    case Kind::kTypedEnum:
      return std::string(p.choices[p.get_choice(c)]);
    case Kind::kSave:
      return FormatSavePoints(c.save);
    case Kind::kOutputLimit:
      return FormatOutputLimits(c);
    default:
      return c.*p.text;
  }
}

// performInterfaceSet(): CONFIG SET splits a multi-word value on single
// spaces (so "a  b" has an empty word in the middle, and "" has none).
std::vector<std::string> SplitConfigSetValue(const Param& p, const std::string& value) {
  if (!(p.flags & kMultiArg)) return {value};
  std::vector<std::string> out;
  if (value.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t sp = value.find(' ', start);
    out.push_back(value.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  return out;
}

std::string CannotSet(std::string_view name, std::string_view reason) {
  return "CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
         std::string(reason);
}

// First pass of configSetCommand(): every name must exist, be settable at
// runtime and appear once. Returns the error text of the first problem.
std::optional<std::string> CheckSetNames(std::span<const std::string> pairs,
                                         std::vector<int>* entries) {
  for (size_t i = 0; i < pairs.size(); i += 2) {
    const std::string& name = pairs[i];
    const int e = FindEntry(name);
    if (e < 0) return "Unknown option or number of arguments for CONFIG SET - '" + name + "'";
    const Param& p = *kEntries[e].param;
    if (p.flags & kImmutable) return CannotSet(name, "can't set immutable config");
    if (p.flags & kProtected) return CannotSet(name, "can't set protected config");
    // Redis compares dict entries, so a name and its alias are not duplicates.
    if (std::find(entries->begin(), entries->end(), e) != entries->end()) {
      return CannotSet(name, "duplicate parameter");
    }
    entries->push_back(e);
  }
  return std::nullopt;
}

// loadServerConfigFromString()'s directives that Redis knows but PersistLab
// does not implement get a clearer reason than "Bad directive".
std::string UnknownDirectiveReason(std::string_view name) {
  if (name == "include") {
    return "the include directive is not supported by PersistLab: put the settings in one file";
  }
  if (name == "rename-command" || name == "user" || name == "loadmodule" || name == "sentinel") {
    return "the " + std::string(name) + " directive is not supported by PersistLab";
  }
  return "Bad directive or wrong number of arguments";
}

// One non-blank, non-comment line of a config file.
Status ApplyConfigLine(Config* config, const std::string& line) {
  auto argv = SplitArgs(line);
  if (!argv) return Status::InvalidArgument("Unbalanced quotes in configuration line");
  if (argv->empty()) return Status::Ok();
  std::string& name = (*argv)[0];
  LowerInPlace(name);
  const int e = FindEntry(name);
  if (e < 0) {
    // Redis 7.0 silently ignores these two removed parameters.
    if ((name == "list-max-ziplist-entries" || name == "list-max-ziplist-value") &&
        argv->size() == 2) {
      return Status::Ok();
    }
    return Status::InvalidArgument(UnknownDirectiveReason(name));
  }
  const Param& p = *kEntries[e].param;
  if (!(p.flags & kMultiArg) && argv->size() != 2) {
    return Status::InvalidArgument("wrong number of arguments");
  }
  std::vector<std::string> args(argv->begin() + 1, argv->end());
  return SetConfigParam(config, name, args, /*at_startup=*/true);
}

}  // namespace

Status SetConfigParam(Config* config, std::string_view name, const std::vector<std::string>& args,
                      bool at_startup) {
  const int e = FindEntry(name);
  if (e < 0) return Status::NotFound("Unknown option '" + std::string(name) + "'");
  const Param& p = *kEntries[e].param;
  if (!at_startup && (p.flags & kImmutable)) {
    return Status::InvalidArgument("can't set immutable config");
  }
  if (!at_startup && (p.flags & kProtected)) {
    return Status::InvalidArgument("can't set protected config");
  }
  // loadServerConfigFromString(): a multi-word parameter given as one
  // non-empty argument (`--save "3600 1"`) is split like a config line.
  if (at_startup && (p.flags & kMultiArg) && args.size() == 1 && !args[0].empty()) {
    auto words = SplitArgs(args[0]);
    if (!words) return Status::InvalidArgument("Unbalanced quotes in configuration line");
    return SetOnCopy(p, config, *words, at_startup);
  }
  return SetOnCopy(p, config, args, at_startup);
}

Status ConfigSet(Config* config, std::span<const std::string> pairs) {
  PLAB_DCHECK(pairs.size() % 2 == 0, "ConfigSet: names and values must pair up");
  std::vector<int> entries;
  if (auto err = CheckSetNames(pairs, &entries)) return Status::InvalidArgument(*err);
  Config candidate = *config;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = kEntries[entries[i]];
    Status s = SetOnCopy(*entry.param, &candidate,
                         SplitConfigSetValue(*entry.param, pairs[2 * i + 1]), false);
    if (!s.ok()) return Status::InvalidArgument(CannotSet(entry.name, s.message()));
  }
  *config = std::move(candidate);
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> GetConfigParams(
    const Config& config, const std::vector<std::string>& patterns) {
  // configGetCommand(): a pattern without glob characters is an exact,
  // case-insensitive lookup and is echoed back as typed; a glob matches
  // every name and alias. Each entry is reported once.
  std::array<std::optional<std::string>, kNumEntries> shown;
  for (const std::string& pattern : patterns) {
    if (pattern.find_first_of("[*?") == std::string::npos) {
      const int e = FindEntry(pattern);
      if (e >= 0 && !shown[e]) shown[e] = pattern;
      continue;
    }
    for (size_t i = 0; i < kEntries.size(); ++i) {
      if (!shown[i] && GlobMatch(pattern, kEntries[i].name, /*nocase=*/true)) {
        shown[i] = std::string(kEntries[i].name);
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < kEntries.size(); ++i) {
    if (shown[i]) out.emplace_back(*shown[i], FormatValue(*kEntries[i].param, config));
  }
  return out;
}

std::vector<std::string_view> ConfigParamNames() {
  std::vector<std::string_view> out;
  for (const Param& p : kParams) out.push_back(p.name);
  return out;
}

Status ApplyConfigText(Config* config, std::string_view text, std::string_view source) {
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    // sdstrim(" \t\r\n") then skip comments and blank lines.
    const size_t first = raw.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) continue;
    std::string line(raw.substr(first, raw.find_last_not_of(" \t\r\n") - first + 1));
    if (line[0] == '#') continue;
    Status s = ApplyConfigLine(config, line);
    if (!s.ok()) {
      return Status::InvalidArgument(std::string(source) + " line " + std::to_string(line_no) +
                                     ": '" + line + "': " + s.message());
    }
  }
  return Status::Ok();
}

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  return kAppendFsync[static_cast<size_t>(policy)];
}

}  // namespace plab
