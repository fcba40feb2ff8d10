// `plab check-rdb` and `plab rdb-dump` on RDB files written by a real Redis
// 7.0.15 (tests/testdata). The key counts are compared with what the real
// redis-check-rdb reports for the same file, the JSON dump is parsed with
// nlohmann_json, and truncated copies must fail with an offset while the
// file stays byte-identical (a checker never repairs or rewrites).
#include <doctest/doctest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/shell_run.h"

namespace plab::it {
namespace {

std::string Testdata(const std::string& name) {
  return std::string(PLAB_TESTDATA_DIR) + "/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The number right after `prefix` in `text`, or -1 when absent.
int64_t NumberAfter(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + prefix.size(), nullptr, 10);
}

// The number just before `suffix` in `text` (e.g. "[info] 6 keys read"),
// or -1 when absent.
int64_t NumberBefore(const std::string& text, const std::string& suffix) {
  size_t end = text.find(suffix);
  if (end == std::string::npos) return -1;
  size_t begin = end;
  while (begin > 0 && text[begin - 1] >= '0' && text[begin - 1] <= '9') --begin;
  if (begin == end) return -1;
  return std::strtoll(text.substr(begin, end - begin).c_str(), nullptr, 10);
}

// redis-check-rdb's "[info] N keys read" for `path`.
int64_t RedisKeyCount(const std::string& path) {
  std::string tool = FindProgram("redis-check-rdb");
  REQUIRE_MESSAGE(!tool.empty(), "redis-check-rdb is not on PATH");
  RunResult r = RunShell(tool + " " + Quote(path));
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  return NumberBefore(r.output, " keys read");
}

int64_t KeysInDump(const nlohmann::json& doc) {
  int64_t n = 0;
  for (const auto& [db, keys] : doc.at("databases").items()) n += keys.size();
  return n;
}

nlohmann::json DumpJson(const std::string& path) {
  RunResult r = RunShell(PlabBinary() + " rdb-dump " + Quote(path) + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  nlohmann::json doc = nlohmann::json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!doc.is_discarded(), r.output);
  return doc;
}

// Inverse of the dump's base64 (RFC 4648 with padding), for the round trip.
std::string FromBase64(const std::string& in) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : in) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<uint32_t>(alphabet.find(c));
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>((bits >> nbits) & 0xFF);
    }
  }
  return out;
}

// A dumped string: a JSON string, or {"base64": ...} for non-UTF-8 bytes.
std::string Bytes(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : FromBase64(v.at("base64").get<std::string>());
}

// A fresh temp directory, removed on destruction.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/plab-rdbtools-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

TEST_SUITE("rdb tools") {
  TEST_CASE("check-rdb says OK and counts the same keys as redis-check-rdb") {
    for (const char* name : {"redis7_types.rdb", "redis7_small.rdb"}) {
      CAPTURE(name);
      const std::string path = Testdata(name);
      RunResult r = RunShell(PlabBinary() + " check-rdb " + Quote(path));
      CHECK_MESSAGE(r.exit_code == 0, r.output);
      CHECK(r.output.find("\nRDB looks OK!\n") != std::string::npos);
      CHECK(r.output.find("RDB version: 10\n") != std::string::npos);
      CHECK(r.output.find("aux \"redis-ver\" = \"7.0.15\"\n") != std::string::npos);
      CHECK(r.output.find("checksum: CRC-64 ") != std::string::npos);
      const int64_t ours = NumberAfter(r.output, "keys total: ");
      CHECK(ours > 0);
      CHECK(ours == RedisKeyCount(path));
    }
  }

  TEST_CASE("check-rdb lists keys per database like the testdata README says") {
    RunResult r = RunShell(PlabBinary() + " check-rdb " + Quote(Testdata("redis7_types.rdb")));
    CHECK(r.output.find("db 0: 19 keys\ndb 1: 2 keys\ndb 2: 2 keys\n") != std::string::npos);
    CHECK(r.output.find("keys with an expire time: 3 ") != std::string::npos);
  }

  TEST_CASE("rdb-dump --json parses and holds every key redis-check-rdb counts") {
    for (const char* name : {"redis7_types.rdb", "redis7_small.rdb"}) {
      CAPTURE(name);
      nlohmann::json doc = DumpJson(Testdata(name));
      CHECK(doc.at("version") == 10);
      CHECK(doc.at("aux").at("redis-ver") == "7.0.15");
      CHECK(KeysInDump(doc) == RedisKeyCount(Testdata(name)));
    }
  }

  TEST_CASE("rdb-dump --json shows types, encodings, expiries and binary values") {
    nlohmann::json doc = DumpJson(Testdata("redis7_types.rdb"));
    const nlohmann::json& db0 = doc.at("databases").at("0");
    CHECK(db0.at("int").at("encoding") == "int");
    CHECK(db0.at("int").at("value") == "12345");
    CHECK(db0.at("str").at("expire_ms").is_null());
    CHECK(db0.at("ttl").at("expire_ms") == 4102444800000);
    // "bin\0key\xff" is not UTF-8, so it is base64 (reversibly).
    CHECK(db0.at("binval").at("value") == nlohmann::json{{"base64", "YmluAGtlef8="}});
    CHECK(db0.at("k\x01\x02").at("value") == "binarykey");
    CHECK(db0.at("lsmall").at("value") == nlohmann::json{"a", "b", "3", "-4"});
    CHECK(db0.at("sint").at("value") == nlohmann::json{"-100", "1", "100000", "2", "3"});
    // A listpack hash keeps insertion order: check the raw text order.
    RunResult r =
        RunShell(PlabBinary() + " rdb-dump " + Quote(Testdata("redis7_types.rdb")) + " --json");
    const size_t f1 = r.output.find("\"f1\"");
    const size_t f3 = r.output.find("\"f3\"");
    CHECK(f1 < r.output.find("\"f2\""));
    CHECK(r.output.find("\"f2\"") < f3);
    CHECK(db0.at("hsmall").at("encoding") == "listpack");
    const nlohmann::json zsmall =
        nlohmann::json::array({nlohmann::json::array({"c", -3}), nlohmann::json::array({"a", 1}),
                               nlohmann::json::array({"b", 2.5})});
    CHECK(db0.at("zsmall").at("value") == zsmall);
    CHECK(db0.at("zinf").at("value")[0] == nlohmann::json::array({"ninf", "-inf"}));
    CHECK(doc.at("databases").at("2").at("two").at("expire_ms") == 4102444800123);
  }

  TEST_CASE("rdb-dump text form prints one redis-cli-quoted key per line") {
    RunResult r = RunShell(PlabBinary() + " rdb-dump " + Quote(Testdata("redis7_types.rdb")));
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("db0 \"binval\" string embstr: \"bin\\x00key\\xff\"\n") !=
          std::string::npos);
    CHECK(r.output.find("db0 \"zsmall\" zset listpack: \"c\" -3 \"a\" 1 \"b\" 2.5\n") !=
          std::string::npos);
  }

  TEST_CASE("a truncated file fails with an offset and is left byte-identical") {
    const std::string full = ReadFile(Testdata("redis7_small.rdb"));
    REQUIRE(full.size() == 184);
    TempDir dir;
    const std::string path = dir.path + "/cut.rdb";
    // Every length from 0 to size-1: each must fail, never pass or crash.
    for (size_t len = 0; len < full.size(); ++len) {
      CAPTURE(len);
      const std::string cut = full.substr(0, len);
      std::ofstream(path, std::ios::binary | std::ios::trunc) << cut;
      RunResult r = RunShell(PlabBinary() + " check-rdb " + Quote(path));
      CHECK(r.exit_code == 1);
      CHECK(r.output.find("offset") != std::string::npos);
      CHECK(r.output.find("RDB looks OK") == std::string::npos);
      CHECK(ReadFile(path) == cut);
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << full.substr(0, full.size() / 2);
    RunResult dump = RunShell(PlabBinary() + " rdb-dump " + Quote(path) + " --json");
    CHECK(dump.exit_code == 1);
    CHECK(dump.output.find("offset") != std::string::npos);
  }

  TEST_CASE("rdb-dump --json round-trips UTF-8 and non-UTF-8 bytes written by Redis") {
    TempDir dir;
    std::string error;
    auto redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error,
                                      {"--dir", dir.path, "--dbfilename", "bin.rdb"});
    REQUIRE_MESSAGE(redis != nullptr, error);
    RespClient c;
    REQUIRE(c.Connect(redis->port()));
    const std::vector<std::vector<std::string>> commands = {
        {"SET", "h\xc3\xa9llo", "\xe2\x82\xacuro\xf0\x9f\x98\x80"},  // valid UTF-8
        {"SET", "overlong", std::string("\xc0\x80", 2)},
        {"SET", "surrogate", "\xed\xa0\x80"},
        {"SET", "bad\xf8key", "v"},
        {"HSET", "hb", "x", "f\xfe", "g\xff", "y"},
        {"SAVE"}};
    for (const auto& argv : commands) {
      std::optional<Reply> r = c.Call(argv);
      REQUIRE(r.has_value());
      REQUIRE_FALSE(r->is_error());
    }
    redis->Stop();
    nlohmann::json doc = DumpJson(dir.path + "/bin.rdb");
    const nlohmann::json& db0 = doc.at("databases").at("0");
    CHECK(db0.at("h\xc3\xa9llo").at("value") == "\xe2\x82\xacuro\xf0\x9f\x98\x80");
    CHECK(Bytes(db0.at("overlong").at("value")) == std::string("\xc0\x80", 2));
    CHECK(db0.at("overlong").at("value").is_object());
    CHECK(Bytes(db0.at("surrogate").at("value")) == "\xed\xa0\x80");
    const std::string bad_key = "base64:" + std::string("YmFk+GtleQ==");
    CHECK(Bytes(db0.at(bad_key).at("key")) == "bad\xf8key");
    // A hash with a non-UTF-8 field becomes [field, value] pairs, in order.
    const nlohmann::json& hb = db0.at("hb").at("value");
    REQUIRE(hb.is_array());
    REQUIRE(hb.size() == 2);
    CHECK(Bytes(hb[0][0]) == "x");
    CHECK(Bytes(hb[0][1]) == "f\xfe");
    CHECK(Bytes(hb[1][0]) == "g\xff");
    CHECK(Bytes(hb[1][1]) == "y");
  }

  TEST_CASE("check-rdb and rdb-dump fail cleanly on a missing file") {
    CHECK(RunShell(PlabBinary() + " check-rdb /nonexistent/dump.rdb").exit_code == 1);
    CHECK(RunShell(PlabBinary() + " rdb-dump /nonexistent/dump.rdb").exit_code == 1);
    CHECK(RunShell(PlabBinary() + " check-rdb").exit_code == 1);
  }
}

}  // namespace plab::it
