// Helpers for the RDB persistence tests (rdb_snapshot_test.cc,
// rdb_persistence_test.cc): a canonical text form of a keyspace to compare
// datasets, an engine over a SimDisk the test controls, and INFO parsing.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/io/sim_disk.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/store/zset.h"
#include "core/util/numbers.h"
#include "core/util/split_args.h"

namespace plab::testing {

// One line per key, sorted: db, key, type, encoding, absolute TTL and the
// contents. Hashtable hashes and sets have no order in Redis, so their
// elements are sorted; lists, listpack hashes and zsets keep theirs.
inline std::string DescribeKeyspace(const Keyspace& ks) {
  std::vector<std::string> lines;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    ks.keys(db).ForEach([&](const std::string& key, const Value& v) {
      std::string line = std::to_string(db) + " " + key + " " + std::string(TypeName(v.type())) +
                         "/" + std::string(v.EncodingName()) +
                         " ttl=" + std::to_string(ks.GetExpire(db, key)) + " :";
      std::vector<std::string> items;
      switch (v.type()) {
        case ValueType::kString:
          items.push_back(v.str());
          break;
        case ValueType::kList:
          items.assign(v.list().items.begin(), v.list().items.end());
          break;
        case ValueType::kHash:
          v.hash().ForEach([&](const std::string& f, const std::string& val) {
            items.push_back(f + "=" + val);
          });
          if (!v.hash().listpack()) std::sort(items.begin(), items.end());
          break;
        case ValueType::kSet:
          v.set().members.ForEach(
              [&](const std::string& m, const NoValue&) { items.push_back(m); });
          std::sort(items.begin(), items.end());
          break;
        case ValueType::kZSet:
          for (auto* n = v.zset().First(); n != nullptr; n = n->next()) {
            items.push_back(n->member() + "=" + FormatDoubleReply(n->score()));
          }
          break;
      }
      // Long items by size and hash: comparing megabytes of text line by
      // line would only cost time.
      for (const auto& i : items) {
        line += " ";
        line += i.size() <= 64 ? i
                               : "<" + std::to_string(i.size()) + " bytes, hash " +
                                     std::to_string(std::hash<std::string>{}(i)) + ">";
      }
      lines.push_back(line);
    });
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// What loading `bytes` at `now_ms` gives, described; "ERROR: ..." when the
// file does not load.
inline std::string DescribeRdb(std::string_view bytes, int64_t now_ms, const Config& config = {}) {
  Keyspace loaded;
  Result<RdbLoadResult> r = LoadRdb(bytes, now_ms, RdbLoadOptionsFrom(config), &loaded);
  if (!r.ok()) return "ERROR: " + r.status().ToString();
  return DescribeKeyspace(loaded);
}

// `ks` as a save and a reload would give it back (encodings as the loader
// picks them), so it compares equal to DescribeRdb of a file made from it.
// Uncompressed: LZF only costs time here.
inline std::string DescribeReloaded(const Keyspace& ks, int64_t now_ms, const Config& config = {}) {
  rdb::RdbWriteOptions options;
  options.compression = false;
  Result<std::string> bytes = rdb::SerializeKeyspace(ks, options);
  if (!bytes.ok()) return "ERROR: " + bytes.status().ToString();
  return DescribeRdb(*bytes, now_ms, config);
}

// The value of `field` in an INFO reply ("" when absent).
inline std::string InfoField(std::string_view info, std::string_view field) {
  const std::string needle = "\r\n" + std::string(field) + ":";
  size_t at = info.find(needle);
  if (at == std::string_view::npos) return "";
  at += needle.size();
  return std::string(info.substr(at, info.find("\r\n", at) - at));
}

// Every file on `disk` with its current bytes (what a restarted process
// would read), to check that a step left the files alone or changed them.
inline std::map<std::string, std::string> FileContents(SimDisk& disk) {
  std::map<std::string, std::string> out;
  for (const std::string& path : disk.AllFiles()) out[path] = *disk.ReadAll(path);
  return out;
}

// Printable bytes from a seeded generator: LZF finds nothing to compress.
inline std::string RandomText(std::mt19937_64& rng, size_t n) {
  std::string s(n, ' ');
  for (char& c : s) c = static_cast<char>('!' + rng() % 90);
  return s;
}

// An engine whose files live on a SimDisk the test can crash, slow down
// (deferred syncs) or make fail, with time on a ManualClock. Several
// engines may be built over the same disk one after another, like a
// restarted server.
struct DiskEngine {
  explicit DiskEngine(ManualClock& c, SimDisk& d, Config config = {})
      : clock(c), disk(d), engine(c, std::move(config), &d) {}

  std::string Run(std::string_view line) { return engine.Execute(*SplitArgs(line)); }
  std::string Run(std::vector<std::string> argv) { return engine.Execute(std::move(argv)); }
  std::string Info() { return Run("INFO persistence"); }
  Server& server() { return engine.server(); }
  RdbPersistence& rdb() { return engine.server().rdb(); }

  ManualClock& clock;
  SimDisk& disk;
  Engine engine;
};

}  // namespace plab::testing
