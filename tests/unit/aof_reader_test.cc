// Tests for core/persist/aof_reader.h: framing of the AOF RESP stream as
// Redis 7.0.15's loadSingleAppendOnlyFile reads it.
//
// Oracle checks (a redis-server 7.0.15 started on a hand-written manifest +
// incr file, aof-load-truncated yes): a short read inside MULTI truncated to
// the end of the last complete command (69), not before MULTI (PersistLab
// deliberately cuts before the MULTI, see aof_reader.h); a nested
// MULTI without EXEC reverted to before the nested MULTI; "*4294967299"
// loaded as a 3-argument SET; bytes after a payload that are not CRLF were
// accepted; "$999999999999" at the tail was a short read; "$-1" aborted
// Redis (we report Corruption); "*\0" mid-file gave "Unrecoverable error";
// a '#' line longer than 1023 bytes was a format error; a trailing #TS line
// before a torn command was truncated away. The golden files in
// tests/testdata/aof were written by redis-server itself (see its README).
#include "core/persist/aof_reader.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace plab {
namespace {

using Kind = AofReader::Kind;
using Argv = std::vector<std::string>;

std::string ReadAofTestdata(const std::string& name) {
  std::ifstream in(std::string(PLAB_TESTDATA_DIR) + "/aof/" + name, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Everything a reader yields until its terminal item (or error).
struct Drained {
  std::vector<Argv> commands;
  std::vector<AofReader::Item> annotations;
  AofReader::Item last;
  Status status;
};

Drained Drain(AofReader& reader) {
  Drained out;
  for (int guard = 0; guard < 1000000; ++guard) {
    Argv argv;
    Result<AofReader::Item> item = reader.Next(&argv);
    if (!item.ok()) {
      out.status = item.status();
      return out;
    }
    if (item->kind == Kind::kCommand) {
      out.commands.push_back(argv);
    } else if (item->kind == Kind::kAnnotation) {
      out.annotations.push_back(*item);
    } else {
      out.last = *item;
      return out;
    }
  }
  FAIL("reader never reached a terminal item");
  return out;
}

Drained DrainBytes(std::string_view bytes) {
  AofReader reader(bytes);
  return Drain(reader);
}

std::string Encode(const std::vector<Argv>& commands) {
  std::string out;
  for (const Argv& argv : commands) out += EncodeAofCommand(argv);
  return out;
}

// The commands the golden files hold (db 0 unless SELECTed), as written by
// redis-server 7.0.15 for: set k1 v1; incr counter; rpush lst a "" "with
// space"; set binkey "bin\0ary\r\n"; hset h f1 v1; MULTI/SET m1 a/INCR m2/
// EXEC; set e "" in db 3; del k1 in db 0.
std::vector<Argv> GoldenCommands() {
  return {{"SELECT", "0"},
          {"set", "k1", "v1"},
          {"incr", "counter"},
          {"rpush", "lst", "a", "", "with space"},
          {"set", "binkey", std::string("bin\0ary\r\n", 9)},
          {"hset", "h", "f1", "v1"},
          {"MULTI"},
          {"SET", "m1", "a"},
          {"INCR", "m2"},
          {"EXEC"},
          {"SELECT", "3"},
          {"set", "e", ""},
          {"SELECT", "0"},
          {"del", "k1"}};
}

TEST_SUITE("aof reader") {
  TEST_CASE("EncodeAofCommand writes the bytes catAppendOnlyGenericCommand writes") {
    CHECK(EncodeAofCommand({"set", "k1", "v1"}) == "*3\r\n$3\r\nset\r\n$2\r\nk1\r\n$2\r\nv1\r\n");
    CHECK(EncodeAofCommand({"set", "e", ""}) == "*3\r\n$3\r\nset\r\n$1\r\ne\r\n$0\r\n\r\n");
    CHECK(EncodeAofAnnotation(1795621676) == "#TS:1795621676\r\n");
    CHECK(EncodeAofAnnotation(-5) == "#TS:-5\r\n");
    // The whole golden file is exactly our encoding of its commands.
    CHECK(Encode(GoldenCommands()) == ReadAofTestdata("redis7_incr.aof"));
  }

  TEST_CASE("the reader yields the commands of an incr file written by Redis 7.0.15") {
    const std::string bytes = ReadAofTestdata("redis7_incr.aof");
    AofReader reader(bytes);
    CHECK_FALSE(reader.HasRdbPreamble());
    Drained d = Drain(reader);
    REQUIRE(d.status.ok());
    CHECK(d.commands == GoldenCommands());
    CHECK(d.annotations.empty());
    CHECK(d.last.kind == Kind::kEnd);
    CHECK(reader.offset() == bytes.size());
    CHECK(reader.last_good_offset() == bytes.size());
  }

  TEST_CASE("timestamp annotations written by Redis are reported and skipped") {
    const std::string bytes = ReadAofTestdata("redis7_ts_incr.aof");
    Drained d = DrainBytes(bytes);
    REQUIRE(d.status.ok());
    CHECK(d.commands == GoldenCommands());
    REQUIRE(d.annotations.size() == 1);
    CHECK(d.annotations[0].annotation == "TS:1795621676");
    CHECK(d.annotations[0].timestamp == 1795621676);
    CHECK(d.last.kind == Kind::kEnd);

    // The RESP base of an empty dataset holds only the forced annotation.
    const std::string base = ReadAofTestdata("redis7_ts_base.aof");
    CHECK(base == EncodeAofAnnotation(1795621674));
    Drained b = DrainBytes(base);
    CHECK(b.commands.empty());
    REQUIRE(b.annotations.size() == 1);
    CHECK(b.annotations[0].timestamp == 1795621674);
    CHECK(b.last.kind == Kind::kEnd);
  }

  TEST_CASE("an empty file is a clean end") {
    Drained d = DrainBytes("");
    CHECK(d.status.ok());
    CHECK(d.commands.empty());
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("commands with binary, empty and long arguments round trip") {
    std::vector<Argv> commands;
    std::string all_bytes;
    for (int c = 0; c < 256; ++c) all_bytes += static_cast<char>(c);
    commands.push_back({"set", "bin", all_bytes});
    commands.push_back({"set", "", ""});
    commands.push_back({"set", "crlf", "\r\n*3\r\n$1\r\n#x\n"});
    commands.push_back({"append", "long", std::string(5000, 'x')});  // > the 1023 line limit
    Argv many = {"rpush", "l"};
    for (int i = 0; i < 300; ++i) many.push_back(std::to_string(i * 7919));
    commands.push_back(many);
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) {
      Argv argv = {"cmd" + std::to_string(i)};
      const int argc = static_cast<int>(rng() % 5);
      for (int a = 0; a < argc; ++a) {
        std::string arg(rng() % 40, '\0');
        for (char& ch : arg) ch = static_cast<char>(rng() % 256);
        argv.push_back(arg);
      }
      commands.push_back(argv);
    }
    const std::string bytes = Encode(commands);
    Drained d = DrainBytes(bytes);
    REQUIRE(d.status.ok());
    CHECK(d.commands == commands);
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("truncation at every byte offset gives the last complete command's offset") {
    // Segments in file order; `command` false means an annotation line.
    struct Segment {
      std::string bytes;
      bool command;
    };
    const std::vector<Segment> segments = {
        {EncodeAofCommand({"SELECT", "0"}), true},
        {EncodeAofAnnotation(1700000000), false},
        {EncodeAofCommand({"set", "k", std::string("a\r\nb", 4)}), true},
        {EncodeAofCommand({"set", "empty", ""}), true},
        {EncodeAofCommand({"MULTI"}), true},
        {EncodeAofCommand({"incr", "n"}), true},
        {EncodeAofCommand({"EXEC"}), true},
        {EncodeAofCommand({"del", "k"}), true},
    };
    std::string file;
    std::vector<size_t> starts;
    for (const Segment& s : segments) {
      starts.push_back(file.size());
      file += s.bytes;
    }
    for (size_t cut = 0; cut <= file.size(); ++cut) {
      CAPTURE(cut);
      // The model: complete commands before the cut are yielded; the cut is
      // clean at a boundary or inside an annotation; otherwise it is torn.
      size_t last_good = 0;
      size_t complete = 0;
      bool clean = true;
      bool in_multi = false;
      size_t before_multi = 0;
      for (size_t i = 0; i < segments.size(); ++i) {
        const size_t end = starts[i] + segments[i].bytes.size();
        if (end <= cut) {
          if (!segments[i].command) continue;
          if (segments[i].bytes == EncodeAofCommand({"MULTI"})) {
            in_multi = true;
            before_multi = last_good;
          }
          if (segments[i].bytes == EncodeAofCommand({"EXEC"})) in_multi = false;
          last_good = end;
          ++complete;
        } else if (starts[i] < cut) {
          clean = !segments[i].command;
        }
      }
      Drained d = DrainBytes(std::string_view(file).substr(0, cut));
      REQUIRE(d.status.ok());
      CHECK(d.commands.size() == complete);
      if (!clean) {
        CHECK(d.last.kind == Kind::kTruncated);
        CHECK(d.last.truncate_at == (in_multi ? before_multi : last_good));
        CHECK_FALSE(d.last.incomplete_multi);
      } else if (in_multi) {
        CHECK(d.last.kind == Kind::kTruncated);
        CHECK(d.last.truncate_at == before_multi);
        CHECK(d.last.incomplete_multi);
      } else {
        CHECK(d.last.kind == Kind::kEnd);
      }
    }
  }

  TEST_CASE(
      "a byte that is neither '*' nor '#' at a command start is a format error at its offset") {
    const std::string good = EncodeAofCommand({"set", "a", "1"});
    std::string bytes = good + "X" + good.substr(1) + good;
    Drained d = DrainBytes(bytes);
    CHECK(d.commands.size() == 1);
    CHECK(d.status.code() == Status::Code::kCorruption);
    CHECK(d.status.message() == "offset " + std::to_string(good.size()) +
                                    ": Bad file format reading the append only file");

    // A '$' line that starts with something else, at the argument's offset.
    bytes = good + "*3\r\n$3\r\nSET\r\nX1\r\na\r\n";
    d = DrainBytes(bytes);
    CHECK(d.commands.size() == 1);
    CHECK(d.status.message() == "offset " + std::to_string(good.size() + 13) +
                                    ": Bad file format reading the append only file");
  }

  TEST_CASE("argument counts below one are format errors") {
    for (const char* header : {"*0\r\n", "*-1\r\n", "*abc\r\n", "*\r\n", "*4294967296\r\n",
                               "*99999999999999999999\r\n"}) {
      CAPTURE(header);
      Drained d = DrainBytes(std::string(header) + "$4\r\nPING\r\n");
      CHECK(d.status.message() == "offset 0: Bad file format reading the append only file");
    }
  }

  TEST_CASE("counts and lengths are parsed leniently like atoi and strtol") {
    // Redis: atoi wraps "*4294967299" to 3; "$3 junk" means 3; "* +1" is 1.
    Drained d = DrainBytes(
        "*4294967299\r\n$3\r\nSET\r\n$1 junk\r\nw\r\n$+1\r\n1\r\n"
        "* +1\r\n$ 4\r\nPING\r\n");
    REQUIRE(d.status.ok());
    CHECK(d.commands == std::vector<Argv>{{"SET", "w", "1"}, {"PING"}});
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("the two bytes after a payload are skipped without being checked") {
    // Redis 7.0.15 loaded this as SET c 1.
    Drained d = DrainBytes("*3\r\n$3\r\nSET\r\n$1\r\ncXY$1\r\n1ZZ");
    REQUIRE(d.status.ok());
    CHECK(d.commands == std::vector<Argv>{{"SET", "c", "1"}});
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("hostile lengths fail fast without allocating") {
    const std::string good = EncodeAofCommand({"set", "a", "1"});
    Drained d = DrainBytes(good + "*3\r\n$3\r\nSET\r\n$999999999999\r\nab\r\n");
    REQUIRE(d.status.ok());
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == good.size());

    d = DrainBytes(good + "*2147483647\r\n$1\r\na\r\n");
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == good.size());

    d = DrainBytes(good + "*3\r\n$99999999999999999999999\r\n");
    CHECK(d.last.kind == Kind::kTruncated);

    // Redis aborts allocating a negative length; for us it is corruption.
    d = DrainBytes(good + "*3\r\n$3\r\nSET\r\n$-1\r\nab\r\n$1\r\n1\r\n");
    CHECK(d.status.message() ==
          "offset " + std::to_string(good.size() + 13) + ": invalid bulk length -1");
  }

  TEST_CASE("a '*' followed by a NUL byte is a read error unless at end of file") {
    const std::string good = EncodeAofCommand({"set", "a", "1"});
    Drained d = DrainBytes(good + std::string("*\0\r\n", 4) + good);
    CHECK(d.status.message() == "offset " + std::to_string(good.size()) +
                                    ": Unrecoverable error reading the append only file");
    d = DrainBytes(good + std::string("*\0", 2));
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == good.size());
  }

  TEST_CASE("annotations are reported, and a torn tail cuts them away") {
    const std::string good = EncodeAofCommand({"set", "a", "1"});
    const std::string bytes = good + "#hello world\r\n" + EncodeAofAnnotation(42) + "#TS:12x\r\n" +
                              good + "#TS:43\r\n*3\r\n$3";
    AofReader reader(bytes);
    Drained d = Drain(reader);
    REQUIRE(d.status.ok());
    CHECK(d.commands.size() == 2);
    REQUIRE(d.annotations.size() == 4);
    CHECK(d.annotations[0].annotation == "hello world");
    CHECK_FALSE(d.annotations[0].timestamp.has_value());
    CHECK(d.annotations[1].timestamp == 42);
    CHECK_FALSE(d.annotations[2].timestamp.has_value());
    CHECK(d.annotations[3].timestamp == 43);
    // Like Redis: the cut is right after the last command, dropping #TS:43.
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == good.size() * 2 + 14 + 8 + 9);
  }

  TEST_CASE("an annotation longer than the 1023-byte line buffer breaks the stream") {
    // fgets hands the tail of the line over as a new line: "xyz" is not '*'.
    const std::string line = "#" + std::string(1022, 'a') + "xyz\r\n";
    Drained d = DrainBytes(line + EncodeAofCommand({"set", "a", "1"}));
    CHECK(d.annotations.size() == 1);
    CHECK(d.status.message() == "offset 1023: Bad file format reading the append only file");
    // A line of exactly 1023 bytes, line end included, still fits.
    const std::string fits = "#" + std::string(1020, 'a') + "\r\n";
    d = DrainBytes(fits + EncodeAofCommand({"set", "a", "1"}));
    CHECK(d.status.ok());
    CHECK(d.commands.size() == 1);
  }

  TEST_CASE("a MULTI without EXEC at the end reverts to the offset before MULTI") {
    const std::string select = EncodeAofCommand({"SELECT", "0"});
    const std::string body = EncodeAofCommand({"multi"}) + EncodeAofCommand({"set", "a", "1"}) +
                             EncodeAofCommand({"incr", "b"});
    Drained d = DrainBytes(select + body);
    REQUIRE(d.status.ok());
    CHECK(d.commands.size() == 4);
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.incomplete_multi);
    CHECK(d.last.truncate_at == select.size());

    // With its (lower-case) EXEC the same file is complete.
    d = DrainBytes(select + body + EncodeAofCommand({"exec"}));
    CHECK(d.last.kind == Kind::kEnd);

    // DISCARD is only queued inside an AOF MULTI, so it does not close it.
    d = DrainBytes(select + body + EncodeAofCommand({"DISCARD"}));
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == select.size());
  }

  TEST_CASE("a nested MULTI moves the revert point, like Redis's fake client") {
    const std::string s = EncodeAofCommand({"SET", "a", "1"});
    const std::string m = EncodeAofCommand({"MULTI"});
    Drained d = DrainBytes(s + m + s + m + s);
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.incomplete_multi);
    CHECK(d.last.truncate_at == 69);  // What Redis 7.0.15 truncated to.
    d = DrainBytes(s + m + s + m + s + EncodeAofCommand({"EXEC"}));
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("a short read inside MULTI cuts before that MULTI, so the kept prefix is not torn") {
    const std::string s = EncodeAofCommand({"SET", "a", "1"});
    const std::string m = EncodeAofCommand({"MULTI"});
    Drained d = DrainBytes(s + m + s + "*3\r\n$3\r\nSET\r\n$1");
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK_FALSE(d.last.incomplete_multi);
    // Redis 7.0.15 cuts at 69 (after the queued SET), leaving the MULTI open.
    CHECK(d.last.truncate_at == s.size());
    d = DrainBytes(s + m + s);
    CHECK(d.last.truncate_at == s.size());
    CHECK((s + m + s).size() == 69);
    d = DrainBytes(s);
    CHECK(d.last.kind == Kind::kEnd);
  }

  TEST_CASE("an RDB preamble is detected and the RESP tail read after SetOffset") {
    const std::string preamble = "REDIS0009<pretend rdb>";
    const std::string cmd = EncodeAofCommand({"set", "a", "1"});
    const std::string bytes = preamble + cmd;
    AofReader reader(bytes);
    CHECK(reader.HasRdbPreamble());
    reader.SetOffset(preamble.size());
    CHECK(reader.offset() == preamble.size());
    Drained d = Drain(reader);
    CHECK(d.commands == std::vector<Argv>{{"set", "a", "1"}});
    CHECK(reader.last_good_offset() == preamble.size() + cmd.size());
    CHECK_FALSE(AofReader("REDI").HasRdbPreamble());

    // Redis 7.0.15 starts valid_up_to at 0 even after a preamble.
    const std::string torn_bytes = preamble + "*3\r\n";
    AofReader torn(torn_bytes);
    torn.SetOffset(preamble.size());
    d = Drain(torn);
    CHECK(d.last.kind == Kind::kTruncated);
    CHECK(d.last.truncate_at == 0);
  }

  TEST_CASE("terminal results repeat on later calls") {
    AofReader reader("*1\r\n$4\r\nPI");
    Drained d = Drain(reader);
    CHECK(d.last.kind == Kind::kTruncated);
    Argv argv;
    Result<AofReader::Item> again = reader.Next(&argv);
    REQUIRE(again.ok());
    CHECK(again->kind == Kind::kTruncated);
    AofReader bad("?");
    CHECK_FALSE(bad.Next(&argv).ok());
    CHECK_FALSE(bad.Next(&argv).ok());
  }

  TEST_CASE("random mutations of a valid file never crash or over-allocate") {
    const std::string base = ReadAofTestdata("redis7_ts_incr.aof");
    std::mt19937 rng(7);
    for (int round = 0; round < 3000; ++round) {
      std::string bytes = base;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % bytes.size();
        switch (rng() % 3) {
          case 0:
            bytes[at] = static_cast<char>(rng() % 256);
            break;
          case 1:
            bytes.erase(at, 1 + rng() % 8);
            break;
          default:
            bytes.insert(at, std::string(1 + rng() % 3, "*$#\r\n9-"[rng() % 7]));
            break;
        }
        if (bytes.empty()) bytes = "*";
      }
      AofReader reader(bytes);
      size_t total = 0;
      for (int guard = 0; guard < 10000; ++guard) {
        Argv argv;
        Result<AofReader::Item> item = reader.Next(&argv);
        if (!item.ok() || item->kind == Kind::kEnd || item->kind == Kind::kTruncated) break;
        for (const std::string& a : argv) total += a.size();
        REQUIRE(reader.offset() <= bytes.size());
      }
      CHECK(total <= bytes.size());
      CHECK(reader.last_good_offset() <= bytes.size());
    }
  }
}

}  // namespace
}  // namespace plab
