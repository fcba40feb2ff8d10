// A client model for the AOF durability tests (aof_persistence_test.cc,
// aof_rewrite_crash_test.cc): it sends a mix of writes to an engine over a
// SimDisk while virtual time runs like a real event loop (cron at hz, the
// kernel's writeback), remembers every write it sent and when its reply
// came back, and after a crash and restart says which prefix of its history
// the restarted server holds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/io/sim_disk.h"
#include "tests/unit/persist_test_util.h"

namespace plab::testing {

// Every key of `ks` as "db/key" -> "value ttl=T" (T absolute, -1 for none),
// leaving out keys whose TTL passed by `now_ms`: after a restart those are
// logically gone whether or not the DEL of their expiry reached the disk.
// Only strings are expected; other types are described by their type name.
// Database `skip_db` is left out (tests keep other data there).
inline std::map<std::string, std::string> StringKeys(const Keyspace& ks, int64_t now_ms,
                                                     int skip_db = -1) {
  std::map<std::string, std::string> out;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    if (db == skip_db) continue;
    ks.keys(db).ForEach([&](const std::string& key, const Value& v) {
      const int64_t ttl = ks.GetExpire(db, key);
      if (ttl >= 0 && ttl <= now_ms) return;
      const std::string value =
          v.is(ValueType::kString) ? v.str() : "<" + std::string(TypeName(v.type())) + ">";
      out[std::to_string(db) + "/" + key] = value + " ttl=" + std::to_string(ttl);
    });
  }
  return out;
}

// One write the client sent, in the order sent.
struct SentWrite {
  std::string bytes;   // what the client sent
  std::string expect;  // the reply that acknowledges it
  // Its effect: "db/key" -> "value ttl=T", or "" when it deletes the key.
  std::vector<std::pair<std::string, std::string>> effects;
  int64_t sent_ms = 0;
  int64_t acked_ms = -1;  // when its reply came back; -1 never
};

// How many writes of `history` were acknowledged at or before `ms`: a
// prefix, since the client waits for each reply before the next write.
inline size_t AckedBy(const std::vector<SentWrite>& history, int64_t ms) {
  size_t n = 0;
  while (n < history.size() && history[n].acked_ms >= 0 && history[n].acked_ms <= ms) ++n;
  return n;
}

// The workload: INCR counters, SET of fresh keys, MULTI/EXEC of both, keys
// with a long and a short TTL, DEL of an earlier key, and a write in
// another database. Each write changes the dataset in a way no other write
// does, so the dataset after a restart names the prefix it holds.
class WriteModel {
 public:
  // Sends the next write through `engine`'s built-in client (a whole
  // batch, BeforeSleep included) and records it as acknowledged when its
  // reply came back. Returns the reply.
  std::string SendNext(Engine& engine, int64_t now_ms) {
    SentWrite& w = Next(now_ms);
    const std::string reply = engine.Feed(w.bytes);
    if (reply == w.expect) w.acked_ms = now_ms;
    collected_ = sent_.size();  // no later reply can acknowledge it
    return reply;
  }

  // For a client of its own that may pipeline: sends the next write to
  // `client` (the caller runs BeforeSleep); Collect() acknowledges the
  // writes whose replies arrived since, in order, and leaves in the output
  // only what is no expected reply.
  void Send(Engine& engine, Client* client, int64_t now_ms) {
    engine.Feed(client, Next(now_ms).bytes);
  }
  void Collect(Client* client, int64_t now_ms) {
    std::string& out = client->output;
    size_t at = 0;
    while (collected_ < sent_.size() &&
           out.compare(at, sent_[collected_].expect.size(), sent_[collected_].expect) == 0) {
      at += sent_[collected_].expect.size();
      sent_[collected_++].acked_ms = now_ms;
    }
    out.erase(0, at);
  }

  const std::vector<SentWrite>& sent() const { return sent_; }
  size_t acked() const {
    size_t n = 0;
    for (const SentWrite& w : sent_) n += w.acked_ms >= 0 ? 1 : 0;
    return n;
  }

  // The lengths p such that `recovered` (StringKeys at `now_ms`) is exactly
  // the dataset after the first p writes. Empty when it matches no prefix:
  // a hole, a half transaction, or a write that was never sent.
  std::vector<size_t> MatchingPrefixes(const std::map<std::string, std::string>& recovered,
                                       int64_t now_ms) const {
    std::map<std::string, std::string> model;
    // Keys where the model after p writes and `recovered` differ.
    size_t mismatches = recovered.size();
    auto live = [now_ms](const std::string& desc) {
      const size_t at = desc.rfind(" ttl=");
      if (desc.empty() || at == std::string::npos) return desc;
      const int64_t ttl = std::stoll(desc.substr(at + 5));
      return ttl >= 0 && ttl <= now_ms ? std::string() : desc;
    };
    auto recovered_of = [&recovered](const std::string& key) {
      auto it = recovered.find(key);
      return it == recovered.end() ? std::string() : it->second;
    };
    std::vector<size_t> out;
    for (size_t p = 0;; ++p) {
      if (mismatches == 0) out.push_back(p);
      if (p == sent_.size()) break;
      for (const auto& [key, value] : sent_[p].effects) {
        const std::string want = recovered_of(key);
        const bool before = live(model[key]) == want;
        model[key] = value;
        const bool after = live(value) == want;
        if (before && !after) ++mismatches;
        if (!before && after) --mismatches;
      }
    }
    return out;
  }

 private:
  // Chooses write number i, records it, and returns it.
  SentWrite& Next(int64_t now_ms) {
    const int64_t i = static_cast<int64_t>(sent_.size());
    const std::string n = std::to_string(i);
    SentWrite w;
    w.sent_ms = now_ms;
    std::string& bytes = w.bytes;
    std::string& expect = w.expect;
    switch (i % 6) {
      case 0: {
        const std::string c = "c" + std::to_string((i / 6) % 3);
        const int64_t v = Counter(c) + 1;
        bytes = "INCR " + c + "\r\n";
        expect = ":" + std::to_string(v) + "\r\n";
        w.effects.push_back({"0/" + c, std::to_string(v) + " ttl=-1"});
        break;
      }
      case 1:
        bytes = "SET k" + n + " v" + n + "\r\n";
        expect = "+OK\r\n";
        w.effects.push_back({"0/k" + n, "v" + n + " ttl=-1"});
        break;
      case 2: {
        const std::string c = "c" + std::to_string((i / 6 + 1) % 3);
        const int64_t v = Counter(c) + 1;
        bytes = "MULTI\r\nINCR " + c + "\r\nSET k" + n + " m" + n + "\r\nEXEC\r\n";
        expect = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:" + std::to_string(v) + "\r\n+OK\r\n";
        w.effects.push_back({"0/" + c, std::to_string(v) + " ttl=-1"});
        w.effects.push_back({"0/k" + n, "m" + n + " ttl=-1"});
        break;
      }
      case 3: {
        // Every other one expires within a second, mostly before the crash.
        // An absolute deadline: a pipelined command may run later.
        const int64_t at = now_ms + ((i / 6) % 2 == 0 ? 3600000 : 700);
        bytes = "SET e" + n + " x" + n + " PXAT " + std::to_string(at) + "\r\n";
        expect = "+OK\r\n";
        w.effects.push_back({"0/e" + n, "x" + n + " ttl=" + std::to_string(at)});
        break;
      }
      case 4: {
        const std::string victim = "k" + std::to_string(i - 3);
        bytes = "DEL " + victim + "\r\n";
        expect = ":1\r\n";
        w.effects.push_back({"0/" + victim, ""});
        break;
      }
      default:
        bytes = "SELECT 2\r\nSET k" + n + " d" + n + "\r\nSELECT 0\r\n";
        expect = "+OK\r\n+OK\r\n+OK\r\n";
        w.effects.push_back({"2/k" + n, "d" + n + " ttl=-1"});
        break;
    }
    for (const auto& [key, value] : w.effects) state_[key] = value;
    sent_.push_back(std::move(w));
    return sent_.back();
  }

  int64_t Counter(const std::string& c) const {
    auto it = state_.find("0/" + c);
    return it == state_.end() ? 0 : std::stoll(it->second);
  }

  std::vector<SentWrite> sent_;
  size_t collected_ = 0;                      // writes whose reply was seen or lost
  std::map<std::string, std::string> state_;  // after every write sent
};

// Virtual time as an event loop sees it: `writes_per_tick` writes, then a
// cron tick (hz) followed by beforeSleep, then 1000/hz ms pass and the
// kernel flusher runs.
inline void RunWorkload(DiskEngine& e, WriteModel& model, int64_t millis, int writes_per_tick) {
  const int64_t tick_ms = 1000 / e.engine.server().config().hz;
  for (int64_t t = 0; t < millis; t += tick_ms) {
    for (int i = 0; i < writes_per_tick; ++i) model.SendNext(e.engine, e.clock.NowMillis());
    e.engine.Cron();
    e.engine.BeforeSleep();
    e.clock.AdvanceMillis(tick_ms);
    e.disk.Writeback(e.clock.NowMillis());
  }
}

}  // namespace plab::testing
