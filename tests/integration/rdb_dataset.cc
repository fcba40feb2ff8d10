#include "tests/integration/rdb_dataset.h"

#include <doctest/doctest.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <utility>

#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

// The same commands for each db with per-db key prefixes, so every database
// has every type. `compressible` swaps random payloads for repetitive ones.
void AddDb(std::mt19937_64& rng, bool compressible, int db, std::vector<Command>* out) {
  std::string p = "db" + std::to_string(db) + ":";
  auto payload = [&](size_t n) {
    return compressible ? std::string(n, static_cast<char>('a' + db)) : RandomBytes(rng, n);
  };
  out->push_back({"SELECT", std::to_string(db)});
  out->push_back({"SET", p + "int", "12345"});
  out->push_back({"SET", p + "neg", "-129"});
  out->push_back({"SET", p + "bigint", "12345678901"});
  out->push_back({"SET", p + "short", payload(15)});
  out->push_back({"SET", p + "raw", payload(200)});
  out->push_back({"SET", p + std::string("bin\0\xff\r\n", 7), payload(30)});
  out->push_back({"SET", p + "ttl", "v", "PX", std::to_string(kHourMs)});
  Command small_list = {"RPUSH", p + "list", "a", "1", "-7", payload(20)};
  out->push_back(small_list);
  Command big_list = {"RPUSH", p + "biglist"};
  for (int i = 0; i < 3000; ++i) big_list.push_back(payload(5 + rng() % 20));
  big_list.push_back(payload(10000));  // larger than a node: a node of its own
  out->push_back(big_list);
  out->push_back({"HSET", p + "hash", "z", "1", "a", payload(10), "m", "3"});
  Command big_hash = {"HSET", p + "bighash"};
  for (int i = 0; i < 600; ++i) {
    big_hash.push_back("f" + std::to_string(i));
    big_hash.push_back(payload(8));
  }
  out->push_back(big_hash);
  out->push_back({"HSET", p + "longhash", "f", payload(100)});
  out->push_back({"SADD", p + "intset", "5", "-3", "100000", "2", "-2147483649"});
  Command big_set = {"SADD", p + "bigintset"};
  for (int i = 0; i < 600; ++i) big_set.push_back(std::to_string(i * 7));
  out->push_back(big_set);
  out->push_back({"SADD", p + "strset", "x", payload(12), "3"});
  out->push_back({"ZADD", p + "zset", "1.5", "a", "3", "b", "-0", "c", "inf", "d", "0.1", "e",
                  "-inf", "f", "1e300", "g"});
  Command big_zset = {"ZADD", p + "bigzset"};
  for (int i = 0; i < 200; ++i) {
    big_zset.push_back(std::to_string(i * 0.25));
    big_zset.push_back("m" + std::to_string(i));
  }
  out->push_back(big_zset);
  out->push_back({"ZADD", p + "longzset", "2", payload(80)});
  for (const char* k : {"list", "hash", "intset", "zset", "bigzset"}) {
    out->push_back({"PEXPIRE", p + k, std::to_string(kHourMs + db)});
  }
}

// The command that reads a whole value of `type`, or {} for an unknown type.
Command ReadAll(const std::string& type, const std::string& key) {
  if (type == "string") return {"GET", key};
  if (type == "list") return {"LRANGE", key, "0", "-1"};
  if (type == "hash") return {"HGETALL", key};
  if (type == "set") return {"SMEMBERS", key};
  if (type == "zset") return {"ZRANGE", key, "0", "-1", "WITHSCORES"};
  return {};
}

}  // namespace

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

std::vector<Command> Dataset(bool compressible, bool with_megabyte) {
  std::mt19937_64 rng(compressible ? 7 : 8);
  std::vector<Command> cmds;
  for (int db = 0; db < kDatasetDbs; ++db) AddDb(rng, compressible, db, &cmds);
  if (with_megabyte) {
    std::string mb = compressible ? std::string(1 << 20, 'M') : RandomBytes(rng, 1 << 20);
    cmds.push_back({"SET", "megabyte", std::move(mb)});
  }
  if (compressible) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "compress me " + std::to_string(i % 7) + "; ";
    cmds.push_back({"SET", "text", text});
  }
  return cmds;
}

int64_t DatasetKeys(bool compressible, bool with_megabyte) {
  constexpr int64_t kKeysPerDb = 18;
  return kKeysPerDb * kDatasetDbs + (with_megabyte ? 1 : 0) + (compressible ? 1 : 0);
}

DumpDir::DumpDir() {
  char tmpl[] = "/tmp/plab-rdb-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  dir = tmpl;
}

DumpDir::DumpDir(const std::string& dump_bytes) : DumpDir() { WriteFile(file(), dump_bytes); }

DumpDir::~DumpDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

bool CheckRdb(const std::string& path, std::string* output) {
  std::string cmd = FindProgram("redis-check-rdb") + " '" + path + "' 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return false;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) output->append(buf, n);
  int status = ::pclose(f);
  return status == 0 && output->find("RDB looks OK") != std::string::npos;
}

Reply Call(RespClient& c, const Command& argv) {
  std::optional<Reply> r = c.Call(argv);
  REQUIRE_MESSAGE(r.has_value(), c.error());
  return *r;
}

Caller ClientCaller(RespClient& c) {
  return [&c](const Command& argv) { return Call(c, argv); };
}

std::vector<std::string> Sorted(const Reply& r, bool pairs) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.elems.size(); i += pairs ? 2 : 1) {
    out.push_back(r.elems[i].raw + (pairs ? r.elems[i + 1].raw : ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string InfoField(const Reply& info, const std::string& name) {
  std::istringstream lines(info.str);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':') {
      return line.substr(name.size() + 1);
    }
  }
  return "";
}

void CompareKey(const Caller& expected, const Caller& actual, const std::string& key,
                int64_t pttl_tolerance_ms) {
  CAPTURE(key);
  std::string type = expected({"TYPE", key}).str;
  CHECK(actual({"TYPE", key}).str == type);
  std::string enc = expected({"OBJECT", "ENCODING", key}).str;
  CHECK(actual({"OBJECT", "ENCODING", key}).str == enc);
  Command read = ReadAll(type, key);
  REQUIRE_MESSAGE(!read.empty(), "unexpected type " << type);
  Reply want = expected(read);
  Reply got = actual(read);
  if (enc == "hashtable") {
    CHECK(Sorted(got, type == "hash") == Sorted(want, type == "hash"));
  } else {
    CHECK(got.raw == want.raw);
  }
  int64_t want_pttl = expected({"PTTL", key}).integer;
  int64_t got_pttl = actual({"PTTL", key}).integer;
  CAPTURE(want_pttl);
  CAPTURE(got_pttl);
  if (want_pttl < 0) {
    CHECK(got_pttl == want_pttl);
  } else {
    CHECK(got_pttl > 0);
    CHECK(std::abs(got_pttl - want_pttl) <= pttl_tolerance_ms);
  }
}

int64_t CompareKeyspaces(const Caller& expected, const Caller& actual, int64_t pttl_tolerance_ms) {
  int64_t total = 0;
  for (int db = 0; db < kAllDbs; ++db) {
    CAPTURE(db);
    Command select = {"SELECT", std::to_string(db)};
    REQUIRE(expected(select).str == "OK");
    REQUIRE(actual(select).str == "OK");
    int64_t size = expected({"DBSIZE"}).integer;
    CHECK(actual({"DBSIZE"}).integer == size);
    Reply keys = expected({"KEYS", "*"});
    REQUIRE(static_cast<int64_t>(keys.elems.size()) == size);
    for (const Reply& k : keys.elems) CompareKey(expected, actual, k.str, pttl_tolerance_ms);
    total += size;
  }
  expected({"SELECT", "0"});
  actual({"SELECT", "0"});
  return total;
}

}  // namespace plab::it
