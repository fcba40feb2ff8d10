// Shared by the RDB integration tests (rdb_interop_test.cc, rdb_serve_test.cc):
// the dataset that exercises every RDB object type, and helpers that compare
// two keyspaces through their replies.
//
// Dataset() covers every type in its small and large encodings (listpack /
// quicklist lists, listpack / hashtable hashes and zsets, intset / hashtable
// sets), integer-encoded strings, TTLs, three databases, binary keys and
// optionally a 1 MB value. The commands are deterministic (seeded), so two
// servers that run them hold the same data.
//
// CompareKeyspaces() checks that `actual` holds exactly `expected`'s keys in
// every database: DBSIZE, TYPE, OBJECT ENCODING, full contents and PTTL.
// Either side can be a live server (a RespClient) or an in-process engine,
// through a Caller.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/resp_client.h"

namespace plab::it {

using Command = std::vector<std::string>;
// Runs one command somewhere and returns its parsed reply.
using Caller = std::function<Reply(const Command&)>;

// Databases 0..kDatasetDbs-1 are filled by Dataset().
constexpr int kDatasetDbs = 3;
constexpr int64_t kHourMs = 3600 * 1000;
// Every database a server has (Redis's default `databases 16`).
constexpr int kAllDbs = 16;

// Random bytes (all 256 values): binary-safe and incompressible by LZF.
std::string RandomBytes(std::mt19937_64& rng, size_t n);

// The dataset's commands. They leave database kDatasetDbs-1 selected (the
// 1 MB and text keys live there): callers SELECT 0 afterwards if needed.
// `compressible` swaps random payloads for repetitive ones and adds a long
// text value.
std::vector<Command> Dataset(bool compressible, bool with_megabyte);
// How many keys Dataset() creates (18 per database, plus the megabyte and
// text keys when present), so a comparison can't pass on two empty servers.
int64_t DatasetKeys(bool compressible, bool with_megabyte);

// A fresh directory under /tmp, removed (with its contents) on destruction.
// The second form also writes `dump_bytes` to dir/dump.rdb.
struct DumpDir {
  DumpDir();
  explicit DumpDir(const std::string& dump_bytes);
  ~DumpDir();
  DumpDir(const DumpDir&) = delete;
  DumpDir& operator=(const DumpDir&) = delete;
  std::string file() const { return dir + "/dump.rdb"; }
  std::string dir;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

// redis-check-rdb's verdict on `path` (exit 0 and "RDB looks OK"); its
// output goes to *output.
bool CheckRdb(const std::string& path, std::string* output);

// c.Call(argv), failing the test (REQUIRE) when no reply arrives.
Reply Call(RespClient& c, const Command& argv);
Caller ClientCaller(RespClient& c);

// An unordered reply's elements (field/value or member/score pairs kept
// together when `pairs`), sorted.
std::vector<std::string> Sorted(const Reply& r, bool pairs);

// One `name:value` line of an INFO reply, or "" when absent.
std::string InfoField(const Reply& info, const std::string& name);

// Compares one key of the currently selected database on both sides: TYPE,
// OBJECT ENCODING, contents (in order, except hashtable encodings whose
// iteration order is the table's), and PTTL (both -1, or both positive and
// at most `pttl_tolerance_ms` apart).
void CompareKey(const Caller& expected, const Caller& actual, const std::string& key,
                int64_t pttl_tolerance_ms);

// CompareKey for every key of every database, plus DBSIZE per database.
// Leaves database 0 selected on both sides. Returns the number of keys.
int64_t CompareKeyspaces(const Caller& expected, const Caller& actual, int64_t pttl_tolerance_ms);

}  // namespace plab::it
