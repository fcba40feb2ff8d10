// `plab rdb-dump --annotate` on files a real redis-server 7.0.15 wrote: a
// dump.rdb holding every type in its small and large encodings with TTLs
// (rdb_dataset.h's Dataset), and the RDB preamble BASE of an AOF rewrite.
// Redis itself is the oracle: each key's TYPE, OBJECT ENCODING and
// PEXPIRETIME must be what the annotation says, the top-level spans must
// tile the whole file and the CRC-64 must match.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/resp/reply_format.h"
#include "tests/integration/aof_it_util.h"
#include "tests/integration/rdb_dataset.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/shell_run.h"

namespace plab::it {
namespace {

// One printed span: "0x<offset>  <length>  <indent><label> <detail>".
struct Line {
  uint64_t offset = 0;
  uint64_t length = 0;
  int depth = 0;
  std::string label;
  std::string detail;
};

// The label column is 16 wide, indentation included (rdb_dump.cc).
constexpr size_t kLabelColumn = 16;

std::vector<Line> ParseAnnotation(const std::string& output) {
  std::vector<Line> lines;
  std::istringstream in(output);
  std::string text;
  while (std::getline(in, text)) {
    if (text.rfind("0x", 0) != 0) continue;  // the error line on stderr
    Line l;
    size_t pos = 0;
    l.offset = std::stoull(text.substr(2), &pos, 16);
    pos += 2;
    while (text[pos] == ' ') ++pos;
    size_t used = 0;
    l.length = std::stoull(text.substr(pos), &used);
    const std::string rest = text.substr(pos + used + 2);
    size_t indent = rest.find_first_not_of(' ');
    l.depth = static_cast<int>(indent / 2);
    l.label = rest.substr(indent, rest.find(' ', indent) - indent);
    l.detail = rest.size() > kLabelColumn + 1 ? rest.substr(kLabelColumn + 1) : "";
    lines.push_back(l);
  }
  return lines;
}

// Depth-0 spans follow each other from 0 to the file's end.
void CheckTopLevelTiling(const std::vector<Line>& lines, uint64_t size) {
  uint64_t next = 0;
  for (const Line& l : lines) {
    if (l.depth != 0) continue;
    CHECK_MESSAGE(l.offset == next, l.label << " " << l.detail);
    next = l.offset + l.length;
  }
  CHECK(next == size);
}

std::vector<Line> Annotate(const std::string& path, std::string* output = nullptr) {
  RunResult r = RunShell(PlabBinary() + " rdb-dump " + Quote(path) + " --annotate");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  if (output != nullptr) *output = r.output;
  return ParseAnnotation(r.output);
}

// What the annotation says about one key.
struct Annotated {
  std::string value;      // the value span's detail
  std::string expire;     // the expiretime-ms span's detail, or ""
  bool has_node = false;  // a quicklist node span under the value
};

// Keys by "<db> <entry detail>", the entry detail being `<type> "<key>"`.
std::map<std::string, Annotated> Entries(const std::vector<Line>& lines) {
  std::map<std::string, Annotated> out;
  std::string db = "0";
  std::string current;
  for (const Line& l : lines) {
    if (l.label == "selectdb") db = l.detail.substr(3);  // "db N"
    if (l.label == "entry") {
      current = db + " " + l.detail;
      CHECK_MESSAGE(out.count(current) == 0, current);
      out[current] = {};
    }
    if (l.depth == 0 || current.empty()) continue;
    if (l.label == "value") out[current].value = l.detail;
    if (l.label == "expiretime-ms") out[current].expire = l.detail;
    if (l.label == "node") out[current].has_node = true;
  }
  return out;
}

// Every key of every dataset database, checked against the live server:
// TYPE, OBJECT ENCODING (the encoding in the file is what Redis held in
// memory when it saved) and PEXPIRETIME.
int64_t CheckKeysAgainstServer(RespClient& c, const std::map<std::string, Annotated>& entries) {
  int64_t checked = 0;
  for (int db = 0; db < kAllDbs; ++db) {
    REQUIRE_FALSE(Call(c, {"SELECT", std::to_string(db)}).is_error());
    const Reply keys = Call(c, {"KEYS", "*"});
    for (const Reply& k : keys.elems) {
      const std::string type = Call(c, {"TYPE", k.str}).str;
      const std::string encoding = Call(c, {"OBJECT", "ENCODING", k.str}).str;
      const int64_t expire = Call(c, {"PEXPIRETIME", k.str}).integer;
      const std::string id = std::to_string(db) + " " + type + " " + QuoteReplyString(k.str);
      CAPTURE(id);
      auto it = entries.find(id);
      REQUIRE_MESSAGE(it != entries.end(), "no entry for " << id);
      const Annotated& a = it->second;
      // Strings: int/embstr/raw are memory encodings; the file's forms are
      // plain, int-encoded or LZF, so only the type is compared.
      const std::string want = type == "string" ? "string (" : type + " (" + encoding;
      CHECK_MESSAGE(a.value.rfind(want, 0) == 0, a.value);
      CHECK(a.has_node == (type == "list"));
      if (expire > 0) {
        CHECK(a.expire.rfind(std::to_string(expire) + " ms: ", 0) == 0);
      } else {
        CHECK(a.expire.empty());
      }
      ++checked;
    }
  }
  return checked;
}

}  // namespace

TEST_SUITE("rdb tools") {
  TEST_CASE("rdb-dump --annotate names every key of a Redis dump with its type and encoding") {
    DumpDir dir;
    std::string error;
    auto redis = ServerProcess::Start(ServerProcess::Kind::kRedis, &error,
                                      {"--dir", dir.dir, "--dbfilename", "dump.rdb"});
    REQUIRE_MESSAGE(redis != nullptr, error);
    RespClient c;
    REQUIRE(c.Connect(redis->port()));
    for (const Command& cmd : Dataset(/*compressible=*/true, /*with_megabyte=*/false)) {
      REQUIRE_FALSE(Call(c, cmd).is_error());
    }
    REQUIRE_FALSE(Call(c, {"SAVE"}).is_error());
    const std::string bytes = ReadFile(dir.file());

    std::string output;
    const std::vector<Line> lines = Annotate(dir.file(), &output);
    CheckTopLevelTiling(lines, bytes.size());
    const std::map<std::string, Annotated> entries = Entries(lines);
    CHECK(static_cast<int64_t>(entries.size()) == DatasetKeys(true, false));
    CHECK(CheckKeysAgainstServer(c, entries) == DatasetKeys(true, false));
    CHECK(output.find("  version          RDB version 10 (Redis 7.0)\n") != std::string::npos);
    CHECK(output.find("  aux              redis-ver = \"7.0.15\"\n") != std::string::npos);
    // Compressible values are LZF in the file (rdbcompression yes); Dataset()
    // leaves db 2 selected for "text".
    CHECK(entries.at("2 string \"text\"").value.rfind("string (LZF-compressed): ", 0) == 0);
    CHECK(entries.at("0 string \"db0:int\"").value == "string (int-encoded): \"12345\"");
    REQUIRE(!lines.empty());
    CHECK(lines.back().label == "checksum");
    CHECK(lines.back().detail.find("(matches)") != std::string::npos);
    CHECK(lines.back().offset + lines.back().length == bytes.size());
  }

  TEST_CASE("rdb-dump --annotate reads a Redis AOF BASE with an RDB preamble, and its RESP tail") {
    DumpDir dir;
    std::unique_ptr<ServerProcess> redis =
        StartAof(ServerProcess::Kind::kRedis, dir.dir, /*preamble=*/true);
    RespClient c;
    Connect(c, *redis);
    REQUIRE_FALSE(Call(c, {"HSET", "h", "f", "v"}).is_error());
    REQUIRE_FALSE(Call(c, {"SET", "s", "1", "PXAT", "4102444800000"}).is_error());
    RewriteAndWait(c);
    REQUIRE_FALSE(Call(c, {"SET", "after", "rewrite"}).is_error());  // goes to the INCR file
    // The manifest names the BASE ("type b") and the INCR ("type i") files.
    const std::string manifest = ReadFile(ManifestPath(dir.dir));
    std::string base, incr;
    std::istringstream in(manifest);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string file, name, seq, n, type, kind;
      words >> file >> name >> seq >> n >> type >> kind;
      if (kind == "b") base = name;
      if (kind == "i") incr = name;
    }
    REQUIRE_MESSAGE(base.find(".base.rdb") != std::string::npos, manifest);
    const std::string aof_dir = dir.dir + "/appendonlydir/";
    const std::string base_bytes = ReadFile(aof_dir + base);
    const std::string incr_bytes = ReadFile(aof_dir + incr);
    REQUIRE(incr_bytes.find("after") != std::string::npos);

    const std::vector<Line> lines = Annotate(aof_dir + base);
    CheckTopLevelTiling(lines, base_bytes.size());
    const std::map<std::string, Annotated> entries = Entries(lines);
    CHECK(entries.size() == 2);
    CHECK(entries.at("0 hash \"h\"").value.rfind("hash (listpack), 1 field", 0) == 0);
    CHECK(entries.at("0 string \"s\"").expire.rfind("4102444800000 ms: 2100-01-01", 0) == 0);
    CHECK(lines.back().detail.find("(matches)") != std::string::npos);
    bool aof_base_aux = false;
    for (const Line& l : lines) aof_base_aux |= l.label == "aux" && l.detail == "aof-base = \"1\"";
    CHECK(aof_base_aux);

    // A Redis 6 style appendonly.aof: the same preamble with the commands
    // after it in one file.
    const std::string joined = dir.dir + "/appendonly.aof";
    WriteFile(joined, base_bytes + incr_bytes);
    const std::vector<Line> both = Annotate(joined);
    CheckTopLevelTiling(both, base_bytes.size() + incr_bytes.size());
    REQUIRE(!both.empty());
    CHECK(both.back().label == "aof-tail");
    CHECK(both.back().offset == base_bytes.size());
    CHECK(both.back().length == incr_bytes.size());
  }

  TEST_CASE("rdb-dump --annotate prints the spans before the damage, then fails with the offset") {
    const std::string full = ReadFile(std::string(PLAB_TESTDATA_DIR) + "/redis7_types.rdb");
    DumpDir dir(full.substr(0, full.size() / 2));
    RunResult r = RunShell(PlabBinary() + " rdb-dump " + Quote(dir.file()) + " --annotate");
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("RDB ERROR: offset ") != std::string::npos);
    CHECK(r.output.find("unexpected end of file") != std::string::npos);
    const std::vector<Line> lines = ParseAnnotation(r.output);
    CheckTopLevelTiling(lines, full.size() / 2);
    REQUIRE(!lines.empty());
    CHECK(lines.front().label == "magic");
    CHECK(lines.back().label == "unread");
  }
}

}  // namespace plab::it
