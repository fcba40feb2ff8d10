// Differential test: the same seeded random command stream goes to a private
// redis-server (the oracle) and to `plab serve`; every reply must match.
// Replies Redis leaves unordered, random or time-dependent are normalised
// first (see reply_compare.h).
//
// Environment:
//   PLAB_DIFF_SEED=N|random  the stream's seed (default fixed, so CI is
//                            reproducible; "random" explores new streams)
//   PLAB_DIFF_COMMANDS=N     how many commands (default 20000)
//   PLAB_DIFF_FAMILIES=a,b   only these generator families (command_gen.h)
//   PLAB_IT_SUBJECT=redis    compare two redis-servers (tests the test)
#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/command_gen.h"
#include "tests/integration/reply_compare.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

constexpr uint64_t kDefaultSeed = 20260101;
constexpr int kDefaultCommands = 20000;
constexpr size_t kHistory = 8;
constexpr int kMaxScanPages = 10000;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string FormatArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \"\\") == std::string::npos;
    for (unsigned char c : a) plain = plain && c >= 0x21 && c < 0x7f;
    out += plain ? a : "\"" + Printable(a, 200) + "\"";
  }
  return out;
}

// One server with its two connections.
struct Side {
  const char* label;
  std::unique_ptr<ServerProcess> server;
  RespClient clients[2];
};

// Drives both sides through the generated stream and remembers what it needs
// for a useful failure message.
class Differential {
 public:
  Differential(Side* a, Side* b) : a_(a), b_(b) {}

  // Runs one generated command; returns "" or a full failure report.
  std::string Run(const Cmd& cmd, int number) {
    history_.push_back("#" + std::to_string(number) + (cmd.client == 1 ? " [client 2] " : " ") +
                       FormatArgv(cmd.argv));
    if (history_.size() > kHistory + 1) history_.pop_front();
    std::string why;
    if (cmd.compare == Compare::kScan) {
      why = RunScan(cmd);
    } else if (cmd.compare == Compare::kRandom || cmd.compare == Compare::kPop) {
      why = RunRandom(cmd);
    } else {
      why = RunPlain(cmd);
    }
    return why.empty() ? "" : Report(cmd, number, why);
  }

  std::string Summary() const {
    return std::to_string(errors_) + " error replies (" + std::to_string(wrongtype_) +
           " WRONGTYPE, " + std::to_string(syntax_) + " syntax, " + std::to_string(arity_) +
           " arity, " + std::to_string(unknown_) + " unknown command, " +
           std::to_string(execabort_) + " EXECABORT), " + std::to_string(nil_arrays_) +
           " nil arrays";
  }

 private:
  // Sends argv on both sides; fills replies or returns a transport error.
  std::string Call(int client, const std::vector<std::string>& argv, Reply* ra, Reply* rb) {
    for (auto [side, out] : {std::pair{a_, ra}, std::pair{b_, rb}}) {
      std::optional<Reply> r = side->clients[client].Call(argv);
      if (!r) {
        return std::string("no reply from ") + side->label + ": " + side->clients[client].error();
      }
      *out = std::move(*r);
    }
    last_a_ = ra->raw;
    last_b_ = rb->raw;
    Tally(*ra);
    return "";
  }

  // Counts what kinds of replies the stream produced, so a run shows it
  // exercised errors and transactions, not just happy paths.
  void Tally(const Reply& r) {
    if (r.is_error()) {
      ++errors_;
      if (r.str.rfind("WRONGTYPE", 0) == 0) ++wrongtype_;
      if (r.str.rfind("EXECABORT", 0) == 0) ++execabort_;
      if (r.str.find("syntax error") != std::string::npos) ++syntax_;
      if (r.str.find("wrong number of arguments") != std::string::npos) ++arity_;
      if (r.str.find("unknown command") != std::string::npos) ++unknown_;
    } else if (r.type == '*' && r.is_null) {
      ++nil_arrays_;  // EXEC after a WATCHed key changed, timed-out blocking pops
    }
  }

  std::string RunPlain(const Cmd& cmd) {
    Reply ra, rb;
    if (std::string err = Call(cmd.client, cmd.argv, &ra, &rb); !err.empty()) return err;
    std::string name = Upper(cmd.argv.empty() ? "" : cmd.argv[0]);
    std::vector<Cmd>& queued = queued_[cmd.client];
    std::string why;
    if (name == "EXEC" && in_multi_[cmd.client] && ra.is_array() && rb.is_array() &&
        ra.elems.size() == queued.size() && rb.elems.size() == queued.size()) {
      // Each result in EXEC's array is compared by its own command's rule.
      for (size_t i = 0; i < queued.size() && why.empty(); ++i) {
        why = Mismatch(queued[i], ra.elems[i], rb.elems[i]);
        if (!why.empty()) why += " (EXEC result " + std::to_string(i + 1) + ")";
      }
    } else {
      why = Mismatch(cmd, ra, rb);
    }
    // Track MULTI state from the (equal) replies.
    if (name == "MULTI" && ra.raw == "+OK\r\n") {
      in_multi_[cmd.client] = true;
      queued.clear();
    } else if (in_multi_[cmd.client] && ra.raw == "+QUEUED\r\n") {
      queued.push_back(cmd);
    } else if (name == "EXEC" || name == "DISCARD") {
      in_multi_[cmd.client] = false;
      queued.clear();
    }
    return why;
  }

  // Random picks: the collection is listed first on each side, then the picks
  // are checked against it. SPOP removes different members on each side, so
  // afterwards each side also removes what the other popped.
  std::string RunRandom(const Cmd& cmd) {
    Reply ca, cb, ra, rb;
    if (std::string err = Call(cmd.client, cmd.content_query, &ca, &cb); !err.empty()) return err;
    Cmd content_cmd = WithCompare(cmd.content_query, Compare::kUnordered);
    if (std::string why = Mismatch(content_cmd, ca, cb); !why.empty()) {
      return "content before the command differs: " + FormatArgv(cmd.content_query) +
             "\n  first:  " + Printable(ca.raw) + "\n  second: " + Printable(cb.raw);
    }
    if (std::string err = Call(cmd.client, cmd.argv, &ra, &rb); !err.empty()) return err;
    std::string why = RandomMismatch(cmd, ra, ca, rb, cb);
    if (why.empty() && cmd.compare == Compare::kPop) why = Resync(cmd, ra, rb);
    return why;
  }

  std::string Resync(const Cmd& cmd, const Reply& ra, const Reply& rb) {
    std::vector<std::string> popped_a = PickedMembers(ra, false);
    std::vector<std::string> popped_b = PickedMembers(rb, false);
    for (auto [side, other_popped] : {std::pair{a_, &popped_b}, std::pair{b_, &popped_a}}) {
      if (other_popped->empty()) continue;
      std::vector<std::string> srem = {"SREM", cmd.argv[1]};
      srem.insert(srem.end(), other_popped->begin(), other_popped->end());
      std::optional<Reply> r = side->clients[cmd.client].Call(srem);
      if (!r || r->is_error()) return std::string("resync SREM failed on ") + side->label;
    }
    return "";
  }

  // Iterates a whole cursor on one side; returns the canonical union or the
  // first page's raw reply when it is not a normal page (errors).
  std::string ScanAll(Side* side, const Cmd& cmd) {
    std::vector<std::string> argv = cmd.argv;
    std::vector<std::string> items;
    bool pairs = Upper(argv[0]) == "HSCAN" || Upper(argv[0]) == "ZSCAN";
    for (int page = 0; page < kMaxScanPages; ++page) {
      std::optional<Reply> r = side->clients[cmd.client].Call(argv);
      if (!r) return "no reply: " + side->clients[cmd.client].error();
      bool ok = r->is_array() && r->elems.size() == 2 && r->elems[1].is_array();
      if (!ok) return page == 0 ? r->raw : "bad page " + Printable(r->raw);
      const std::vector<Reply>& e = r->elems[1].elems;
      for (size_t i = 0; i < e.size(); i += pairs ? 2 : 1) {
        items.push_back(pairs && i + 1 < e.size() ? e[i].str + '\0' + e[i + 1].str : e[i].str);
      }
      if (r->elems[0].str == "0") return CanonicalScanItems(items);
      argv[cmd.cursor_index] = r->elems[0].str;
    }
    return "cursor never returned to 0";
  }

  std::string RunScan(const Cmd& cmd) {
    last_a_ = ScanAll(a_, cmd);
    last_b_ = ScanAll(b_, cmd);
    return last_a_ == last_b_ ? "" : "full iterations differ";
  }

  std::string Report(const Cmd& cmd, int number, const std::string& why) {
    std::ostringstream out;
    out << "mismatch at command #" << number << ": " << FormatArgv(cmd.argv) << "\n  " << why
        << "\n  " << a_->label << ": " << Printable(last_a_) << "\n  " << b_->label << ": "
        << Printable(last_b_) << "\nprevious commands (client 1 unless marked):\n";
    for (size_t i = 0; i + 1 < history_.size(); ++i) out << "  " << history_[i] << "\n";
    return out.str();
  }

  Side* a_;
  Side* b_;
  std::deque<std::string> history_;
  std::string last_a_, last_b_;
  bool in_multi_[2] = {false, false};
  int64_t errors_ = 0, wrongtype_ = 0, syntax_ = 0, arity_ = 0, unknown_ = 0, execabort_ = 0;
  int64_t nil_arrays_ = 0;
  std::vector<Cmd> queued_[2];
};

uint64_t SeedFromEnv() {
  const char* s = std::getenv("PLAB_DIFF_SEED");
  if (s == nullptr || *s == '\0') return kDefaultSeed;
  if (std::string(s) == "random") {
    return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  }
  return std::strtoull(s, nullptr, 10);
}

int CommandsFromEnv() {
  const char* s = std::getenv("PLAB_DIFF_COMMANDS");
  return s != nullptr && *s != '\0' ? std::atoi(s) : kDefaultCommands;
}

std::vector<std::string> FamiliesFromEnv() {
  std::vector<std::string> out;
  const char* s = std::getenv("PLAB_DIFF_FAMILIES");
  if (s == nullptr) return out;
  std::stringstream ss(s);
  std::string f;
  while (std::getline(ss, f, ',')) {
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_SUITE("differential") {
  TEST_CASE("plab answers a random command stream exactly like redis-server") {
    std::string error;
    Side redis{"redis", ServerProcess::Start(ServerProcess::Kind::kRedis, &error), {}};
    REQUIRE_MESSAGE(redis.server != nullptr, error);
    Side plab{"plab", ServerProcess::StartSubject(&error), {}};
    REQUIRE_MESSAGE(plab.server != nullptr, error);
    for (Side* side : {&redis, &plab}) {
      for (RespClient& c : side->clients)
        REQUIRE_MESSAGE(c.Connect(side->server->port()), c.error());
    }

    uint64_t seed = SeedFromEnv();
    int total = CommandsFromEnv();
    std::printf("differential: seed %llu, %d commands (reproduce: PLAB_DIFF_SEED=%llu)\n",
                static_cast<unsigned long long>(seed), total,
                static_cast<unsigned long long>(seed));
    std::fflush(stdout);

    CommandGenerator gen(seed, FamiliesFromEnv());
    Differential diff(&redis, &plab);
    int number = 0;
    std::string failure;
    while (number < total && failure.empty()) {
      for (const Cmd& cmd : gen.Next()) {
        failure = diff.Run(cmd, ++number);
        if (!failure.empty()) break;
      }
    }
    if (!failure.empty()) {
      std::string log = plab.server->Log();
      if (log.size() > 2000) log = "..." + log.substr(log.size() - 2000);
      FAIL("seed " << seed << ", " << failure << plab.server->name() << " log:\n" << log);
    }
    std::printf("differential: %d commands, all replies matched; %s\n", number,
                diff.Summary().c_str());
  }
}

}  // namespace plab::it
