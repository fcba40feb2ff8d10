#include "tests/crash_replay/workload.h"

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "tests/integration/server_process.h"

namespace plab::crash_replay {
namespace {

using it::Reply;
using it::RespClient;

constexpr int kKeysPerType = 6;
constexpr int kPreloadKeys = 300;
constexpr int kPreloadValueBytes = 400;

std::string Pick(std::mt19937_64& rng, const char* prefix) {
  return std::string(prefix) + std::to_string(rng() % kKeysPerType);
}

std::string Value(std::mt19937_64& rng) {
  // Mostly small values; one in 16 spans a page so writes tear inside it.
  const size_t len = rng() % 16 == 0 ? 3000 + rng() % 3000 : 1 + rng() % 40;
  std::string v(len, 'a');
  for (char& c : v) c = static_cast<char>('a' + rng() % 26);
  return v;
}

Command OneWrite(std::mt19937_64& rng) {
  const std::string n = std::to_string(rng() % 1000);
  switch (rng() % 11) {
    case 0:
      return {"SET", Pick(rng, "s:"), Value(rng)};
    case 1:
      return {"INCRBY", Pick(rng, "n:"), n};
    case 2:
      return {"APPEND", Pick(rng, "s:"), Value(rng)};
    case 3:
      return {"RPUSH", Pick(rng, "l:"), Value(rng), n};
    case 4:
      return {"LPOP", Pick(rng, "l:")};
    case 5:
      return {"HSET", Pick(rng, "h:"), "f" + std::to_string(rng() % 8), Value(rng)};
    case 6:
      return {"HDEL", Pick(rng, "h:"), "f" + std::to_string(rng() % 8)};
    case 7:
      return {"SADD", Pick(rng, "t:"), "m" + n};
    case 8:
      return {"ZADD", Pick(rng, "z:"), n, "m" + std::to_string(rng() % 20)};
    case 9:
      return {"DEL", Pick(rng, "s:"), Pick(rng, "l:")};
    default:
      return {"MSET", Pick(rng, "s:"), Value(rng), Pick(rng, "s:"), Value(rng)};
  }
}

// Appends one or more data steps (a MULTI/EXEC block counts as several).
void AddDataSteps(std::mt19937_64& rng, std::vector<Step>* out, int* db) {
  const int r = static_cast<int>(rng() % 20);
  if (r == 0) {
    *db = 1 - *db;
    out->push_back({{"SELECT", std::to_string(*db)}});
  } else if (r == 1) {
    out->push_back({{"MULTI"}});
    for (int i = 0; i < 3; ++i) out->push_back({OneWrite(rng)});
    out->push_back({{"EXEC"}});
  } else {
    out->push_back({OneWrite(rng)});
  }
}

Command Preload() {
  Command mset = {"MSET"};
  for (int i = 0; i < kPreloadKeys; ++i) {
    mset.push_back("pre:" + std::to_string(i));
    mset.push_back(std::string(kPreloadValueBytes, static_cast<char>('a' + i % 26)));
  }
  return mset;
}

// Sends all commands, then reads all replies.
bool Pipeline(RespClient& c, const std::vector<Command>& cmds, std::vector<Reply>* replies,
              std::string* error) {
  std::string wire;
  for (const Command& cmd : cmds) wire += it::EncodeCommand(cmd);
  if (!c.SendRaw(wire)) {
    *error = "send: " + c.error();
    return false;
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    std::optional<Reply> r = c.Read();
    if (!r) {
      *error = "no reply to " + cmds[i][0] + ": " + c.error();
      return false;
    }
    replies->push_back(std::move(*r));
  }
  return true;
}

std::string SortedElements(const Reply& r, bool pairs) {
  std::vector<std::string> items;
  const size_t step = pairs ? 2 : 1;
  for (size_t i = 0; i + step <= r.elems.size(); i += step) {
    items.push_back(r.elems[i].raw + (pairs ? r.elems[i + 1].raw : ""));
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& s : items) out += s;
  return out;
}

// The dump of the selected database: key, type and contents per key.
bool DumpDb(RespClient& c, std::string* out, std::string* error) {
  std::vector<Reply> keys;
  if (!Pipeline(c, {{"KEYS", "*"}}, &keys, error)) return false;
  std::vector<std::string> names;
  for (const Reply& k : keys[0].elems) names.push_back(k.str);
  std::sort(names.begin(), names.end());
  std::vector<Command> types;
  for (const std::string& k : names) types.push_back({"TYPE", k});
  std::vector<Reply> type_replies;
  if (!Pipeline(c, types, &type_replies, error)) return false;
  std::vector<Command> reads;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& t = type_replies[i].str;
    const std::string& k = names[i];
    if (t == "string")
      reads.push_back({"GET", k});
    else if (t == "list")
      reads.push_back({"LRANGE", k, "0", "-1"});
    else if (t == "hash")
      reads.push_back({"HGETALL", k});
    else if (t == "set")
      reads.push_back({"SMEMBERS", k});
    else if (t == "zset")
      reads.push_back({"ZRANGE", k, "0", "-1", "WITHSCORES"});
    else
      reads.push_back({"TYPE", k});
  }
  std::vector<Reply> values;
  if (!Pipeline(c, reads, &values, error)) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& t = type_replies[i].str;
    *out += names[i] + "|" + t + "|";
    if (t == "hash" || t == "set") {
      *out += SortedElements(values[i], t == "hash");
    } else {
      *out += values[i].raw;
    }
    *out += "\n";
  }
  return true;
}

}  // namespace

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string MakeTempDir(const char* what) {
  std::string tmpl = std::string("/tmp/plab-replay-") + what + "-XXXXXX";
  return ::mkdtemp(tmpl.data()) == nullptr ? "" : tmpl;
}

uint64_t HashText(const std::string& s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::vector<Step> MakeWorkload(uint64_t seed, int count, const std::vector<Command>& controls) {
  std::mt19937_64 rng(seed);
  std::vector<Step> steps;
  steps.push_back({Preload()});
  int db = 0;
  const int every = controls.empty() ? count + 1 : count / static_cast<int>(controls.size() + 1);
  size_t next_control = 0;
  for (int i = 1; static_cast<int>(steps.size()) < count; ++i) {
    if (i % every == 0 && next_control < controls.size()) {
      steps.push_back({controls[next_control++], true});
    }
    AddDataSteps(rng, &steps, &db);
  }
  return steps;
}

bool DumpDataset(int port, std::string* out, std::string* error) {
  RespClient c;
  if (!c.Connect(port)) {
    *error = "connect: " + c.error();
    return false;
  }
  out->clear();
  for (const char* db : {"0", "1"}) {
    std::vector<Reply> ok;
    if (!Pipeline(c, {{"SELECT", db}}, &ok, error)) return false;
    *out += std::string("db ") + db + "\n";
    if (!DumpDb(c, out, error)) return false;
  }
  return true;
}

bool ModelPrefixHashes(const std::vector<Step>& steps, std::vector<uint64_t>* hashes,
                       std::vector<std::string>* replies, std::string* error) {
  std::unique_ptr<it::ServerProcess> model = it::ServerProcess::Start(
      it::ServerProcess::Kind::kPlab, error, {"--save", "", "--appendonly", "no"});
  if (model == nullptr) return false;
  RespClient c;
  if (!c.Connect(model->port())) {
    *error = "connect to the model: " + c.error();
    return false;
  }
  std::string dump;
  if (!DumpDataset(model->port(), &dump, error)) return false;
  hashes->push_back(HashText(dump));
  for (const Step& s : steps) {
    if (s.control) continue;
    std::vector<Reply> r;
    if (!Pipeline(c, {s.argv}, &r, error)) return false;
    replies->push_back(r[0].raw);
    // Inside MULTI nothing changes until EXEC: reuse the last hash.
    if (r[0].raw == "+QUEUED\r\n" || s.argv[0] == "MULTI" || s.argv[0] == "SELECT") {
      hashes->push_back(hashes->back());
      continue;
    }
    if (!DumpDataset(model->port(), &dump, error)) return false;
    hashes->push_back(HashText(dump));
  }
  return true;
}

}  // namespace plab::crash_replay
