#include "tests/crash/workload.h"

#include <random>

namespace plab::crash {
namespace {

using Argv = std::vector<std::string>;

// Small key pools, so commands keep hitting the same keys (and types).
constexpr int kKeysPerType = 5;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  std::string Key(const char* prefix) { return prefix + std::to_string(Below(kKeysPerType)); }
  std::string Num(uint64_t below) { return std::to_string(Below(below)); }

  // Mostly short values; sometimes one that spans sectors, so torn writes
  // cut inside a command and BGSAVE needs several slices.
  std::string Value() {
    const uint64_t n = OneIn(6) ? 400 + Below(1200) : 1 + Below(12);
    std::string v(n, 'a');
    for (char& c : v) c = static_cast<char>('a' + Below(26));
    return v;
  }

  Argv StringWrite() {
    switch (Below(7)) {
      case 0:
        return {"SET", Key("s"), Value()};
      case 1:
        return {"SET", Key("s"), Value(), "PX", std::to_string(300 + Below(6000))};
      case 2:
        return {"APPEND", Key("s"), Value()};
      case 3:
        return {"INCR", Key("c")};
      case 4:
        return {"INCRBY", Key("c"), Num(1000)};
      case 5:
        return {"MSET", Key("s"), Value(), Key("c"), Num(50)};
      default:
        return {"SETNX", Key("s"), Value()};
    }
  }

  Argv CollectionWrite() {
    switch (Below(12)) {
      case 0:
        return {"RPUSH", Key("l"), Value(), Value()};
      case 1:
        return {"LPUSH", Key("l"), Value()};
      case 2:
        return {"LPOP", Key("l")};
      case 3:
        return {"LTRIM", Key("l"), "0", Num(6)};
      case 4:
        return {"HSET", Key("h"), "f" + Num(8), Value(), "g" + Num(8), Value()};
      case 5:
        return {"HDEL", Key("h"), "f" + Num(8)};
      case 6:
        return {"HINCRBY", Key("h"), "n", Num(100)};
      case 7:
        return {"SADD", Key("t"), "m" + Num(20), "m" + Num(20)};
      case 8:
        return {"SREM", Key("t"), "m" + Num(20)};
      case 9:
        return {"ZADD", Key("z"), Num(100), "m" + Num(12), Num(100), "m" + Num(12)};
      case 10:
        return {"ZINCRBY", Key("z"), Num(10), "m" + Num(12)};
      default:
        return {"ZREM", Key("z"), "m" + Num(12)};
    }
  }

  // Any key of any type.
  std::string AnyKey() {
    static const char* const kPrefixes[] = {"s", "c", "l", "h", "t", "z"};
    return Key(kPrefixes[Below(6)]);
  }

  Argv KeyWrite() {
    switch (Below(8)) {
      case 0:
      case 1:
        return {"PEXPIRE", AnyKey(), std::to_string(200 + Below(5000))};
      case 2:
        return {"EXPIRE", AnyKey(), std::to_string(1 + Below(8))};
      case 3:
        return {"PERSIST", AnyKey()};
      case 4:
      case 5:
        return {"DEL", AnyKey(), AnyKey()};
      case 6:
        return {"RENAME", AnyKey(), AnyKey()};
      default:
        return {"SELECT", OneIn(2) ? "0" : "1"};
    }
  }

  // FLUSHALL inside MULTI/EXEC is generated too: it used to save dump.rdb
  // mid-transaction (found here, fixed: the save waits for the EXEC).
  Argv DataWrite() {
    const uint64_t r = Below(100);
    if (r < 35) return StringWrite();
    if (r < 75) return CollectionWrite();
    if (r < 98) return KeyWrite();
    const bool all = OneIn(3);
    return {all ? "FLUSHALL" : "FLUSHDB"};
  }

  Step DataBatch() {
    Step step;
    const uint64_t r = Below(10);
    if (r < 6) {
      step.commands.push_back(DataWrite());
    } else if (r < 8) {
      // A pipeline: several commands, one beforeSleep.
      for (uint64_t i = 0, n = 2 + Below(3); i < n; ++i) step.commands.push_back(DataWrite());
    } else {
      step.commands.push_back({"MULTI"});
      for (uint64_t i = 0, n = 2 + Below(3); i < n; ++i) step.commands.push_back(DataWrite());
      step.commands.push_back({"EXEC"});
    }
    return step;
  }

  // A command of the setup's background work, or nothing.
  bool AdminBatch(const Setup& setup, Step* step) {
    std::vector<Argv> choices;
    if (setup.bgsave) {
      choices.push_back({"BGSAVE"});
      if (OneIn(4)) choices.push_back({"SAVE"});
    }
    if (setup.rewrite) choices.push_back({"BGREWRITEAOF"});
    if (setup.switch_aof)
      choices.push_back({"CONFIG", "SET", "appendonly", OneIn(2) ? "yes" : "no"});
    if (setup.switch_fsync) {
      static const char* const kPolicies[] = {"always", "everysec", "no"};
      choices.push_back({"CONFIG", "SET", "appendfsync", kPolicies[Below(3)]});
    }
    if (choices.empty()) return false;
    step->admin = true;
    step->commands.push_back(choices[Below(choices.size())]);
    return true;
  }

  Step Tick() {
    Step step;
    step.kind = Step::Kind::kTick;
    const uint64_t r = Below(100);
    if (r < 55) {
      step.advance_ms = static_cast<int64_t>(Below(300));
    } else if (r < 83) {
      step.advance_ms = 300 + static_cast<int64_t>(Below(1500));
    } else if (r < 93) {
      step.advance_ms = 2000 + static_cast<int64_t>(Below(5000));
    } else if (r < 97) {
      step.advance_ms = 10000 + static_cast<int64_t>(Below(20000));
    } else {
      step.advance_ms = 31000;  // past the kernel's 30 s dirty expiry
    }
    return step;
  }

 private:
  std::mt19937_64 rng_;  // fully specified by the standard: same stream everywhere
};

std::vector<Setup> MakeSetups() {
  using Config = std::vector<std::pair<std::string, std::string>>;
  const Config aof = {{"appendonly", "yes"},
                      {"save", ""},
                      {"aof-use-rdb-preamble", "no"},
                      {"auto-aof-rewrite-percentage", "100"},
                      {"auto-aof-rewrite-min-size", "4096"}};
  auto with = [](Config c, std::vector<std::pair<std::string, std::string>> more) {
    for (auto& m : more) c.push_back(std::move(m));
    return c;
  };
  std::vector<Setup> s;
  s.push_back({"rdb", {{"appendonly", "no"}, {"save", "2 3 8 1"}}, true, false, false, false});
  s.push_back({"aof-always", with(aof, {{"appendfsync", "always"}}), false, true, false, false});
  s.push_back(
      {"aof-everysec", with(aof, {{"appendfsync", "everysec"}}), false, true, false, false});
  // Rewrites fsync; rarely automatic here, so the kernel's 30 s writeback
  // is what makes most writes durable.
  Config no = aof;
  no.back().second = "1mb";
  s.push_back({"aof-no", with(no, {{"appendfsync", "no"}}), false, true, false, false});
  s.push_back({"hybrid",
               {{"appendonly", "yes"},
                {"appendfsync", "everysec"},
                {"aof-use-rdb-preamble", "yes"},
                {"save", "5 1"},
                {"auto-aof-rewrite-percentage", "100"},
                {"auto-aof-rewrite-min-size", "4096"}},
               true,
               true,
               false,
               false});
  s.push_back({"switch",
               {{"appendonly", "no"},
                {"appendfsync", "always"},
                {"save", "3 1"},
                {"auto-aof-rewrite-min-size", "8192"}},
               true,
               true,
               true,
               true});
  return s;
}

}  // namespace

const std::vector<Setup>& Setups() {
  static const std::vector<Setup> setups = MakeSetups();
  return setups;
}

const Setup* FindSetup(const std::string& name) {
  for (const Setup& s : Setups()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<Step> MakeWorkload(const Setup& setup, uint64_t seed, int batches) {
  // FNV-1a of the name, so two setups with one seed get different streams
  // (std::hash would differ between standard libraries).
  uint64_t name_hash = 1469598103934665603ULL;
  for (char c : setup.name) name_hash = (name_hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  Generator gen(seed * 0x9E3779B97F4A7C15ULL ^ name_hash);
  std::vector<Step> steps;
  for (int b = 0; b < batches; ++b) {
    Step admin;
    if (gen.OneIn(8) && gen.AdminBatch(setup, &admin)) {
      steps.push_back(std::move(admin));
    } else {
      steps.push_back(gen.DataBatch());
    }
    if (gen.Below(10) < 6) steps.push_back(gen.Tick());
  }
  // Let background work finish, so the end state is crashed too.
  Step rest;
  rest.kind = Step::Kind::kTick;
  rest.advance_ms = 3000;
  steps.push_back(rest);
  return steps;
}

std::string Describe(const Step& step) {
  if (step.kind == Step::Kind::kTick) return "+" + std::to_string(step.advance_ms) + " ms";
  std::string out;
  for (const Argv& argv : step.commands) {
    if (!out.empty()) out += " | ";
    for (size_t i = 0; i < argv.size(); ++i) {
      if (i > 0) out += ' ';
      out += argv[i].size() > 16
                 ? argv[i].substr(0, 12) + "..(" + std::to_string(argv[i].size()) + ")"
                 : argv[i];
    }
  }
  return out;
}

}  // namespace plab::crash
