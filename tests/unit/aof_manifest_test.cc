// Tests for core/persist/aof_manifest.h: parsing, formatting, file names and
// the rewrite state transitions of the Redis 7.0 multi-part AOF manifest.
//
// The golden manifests were written by Debian's redis-server 7.0.15, started
// privately with `--save "" --appendonly yes --dir <tmp>` plus the options
// named in each test, then driven with redis-cli: SET a 1, BGREWRITEAOF,
// SET b 2, BGREWRITEAOF, SET c 3. The accept/reject behaviour of the error
// tests was checked by handing each manifest to redis-server 7.0.15 (or
// redis-check-aof) and reading the reason it logged.
#include "core/persist/aof_manifest.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace plab;

namespace {

AofManifest MustParse(std::string_view text) {
  Result<AofManifest> m = ParseAofManifest(text);
  REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  return m.value();
}

// The Corruption message ParseAofManifest gives for `text`.
std::string ParseError(std::string_view text) {
  Result<AofManifest> m = ParseAofManifest(text);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kCorruption);
  return m.status().message();
}

void CheckRoundTrip(std::string_view text) { CHECK(FormatAofManifest(MustParse(text)) == text); }

// Default settings, after two rewrites: history deleted by auto-gc.
constexpr std::string_view kRedisDefault =
    "file appendonly.aof.3.base.rdb seq 3 type b\n"
    "file appendonly.aof.3.incr.aof seq 3 type i\n";

// --aof-use-rdb-preamble no.
constexpr std::string_view kRedisNoPreamble =
    "file appendonly.aof.3.base.aof seq 3 type b\n"
    "file appendonly.aof.3.incr.aof seq 3 type i\n";

// --aof-disable-auto-gc yes: the history is kept, newest first.
constexpr std::string_view kRedisNoGc =
    "file appendonly.aof.3.base.rdb seq 3 type b\n"
    "file appendonly.aof.2.incr.aof seq 2 type h\n"
    "file appendonly.aof.2.base.rdb seq 2 type h\n"
    "file appendonly.aof.1.incr.aof seq 1 type h\n"
    "file appendonly.aof.1.base.rdb seq 1 type h\n"
    "file appendonly.aof.3.incr.aof seq 3 type i\n";

// --appendfilename 'my file"x.aof' --aof-disable-auto-gc yes.
constexpr std::string_view kRedisQuotedNames =
    "file \"my file\\\"x.aof.3.base.rdb\" seq 3 type b\n"
    "file \"my file\\\"x.aof.2.incr.aof\" seq 2 type h\n"
    "file \"my file\\\"x.aof.2.base.rdb\" seq 2 type h\n"
    "file \"my file\\\"x.aof.1.incr.aof\" seq 1 type h\n"
    "file \"my file\\\"x.aof.1.base.rdb\" seq 1 type h\n"
    "file \"my file\\\"x.aof.3.incr.aof\" seq 3 type i\n";

// --aof-disable-auto-gc yes; SET a 1, BGREWRITEAOF, CONFIG SET appendonly
// no, SET b 1, BGREWRITEAOF: with AOF off every INCR becomes history.
constexpr std::string_view kRedisRewriteWithAofOff =
    "file appendonly.aof.3.base.rdb seq 3 type b\n"
    "file appendonly.aof.2.incr.aof seq 2 type h\n"
    "file appendonly.aof.2.base.rdb seq 2 type h\n"
    "file appendonly.aof.1.incr.aof seq 1 type h\n"
    "file appendonly.aof.1.base.rdb seq 1 type h\n";

}  // namespace

TEST_SUITE("aof manifest") {
  TEST_CASE("manifests written by redis-server 7.0.15 format back byte for byte") {
    CheckRoundTrip(kRedisDefault);
    CheckRoundTrip(kRedisNoPreamble);
    CheckRoundTrip(kRedisNoGc);
    CheckRoundTrip(kRedisQuotedNames);
    CheckRoundTrip(kRedisRewriteWithAofOff);
  }

  TEST_CASE("parsing fills base, history, incrs and the current seqs like Redis") {
    AofManifest m = MustParse(kRedisNoGc);
    REQUIRE(m.base.has_value());
    CHECK(*m.base == AofFileInfo{"appendonly.aof.3.base.rdb", 3, AofFileType::kBase});
    REQUIRE(m.history.size() == 4);
    CHECK(m.history[0] == AofFileInfo{"appendonly.aof.2.incr.aof", 2, AofFileType::kHistory});
    CHECK(m.history[3] == AofFileInfo{"appendonly.aof.1.base.rdb", 1, AofFileType::kHistory});
    REQUIRE(m.incrs.size() == 1);
    CHECK(m.incrs[0] == AofFileInfo{"appendonly.aof.3.incr.aof", 3, AofFileType::kIncr});
    CHECK(m.curr_base_seq == 3);
    CHECK(m.curr_incr_seq == 3);

    AofManifest q = MustParse(kRedisQuotedNames);
    CHECK(q.base->name == "my file\"x.aof.3.base.rdb");
  }

  TEST_CASE("format writes base, then history, then incrs whatever the line order was") {
    AofManifest m = MustParse(
        "file i1 seq 1 type i\n"
        "file h1 seq 7 type h\n"
        "file i2 seq 2 type i\n"
        "file b5 seq 5 type b\n");
    CHECK(FormatAofManifest(m) ==
          "file b5 seq 5 type b\n"
          "file h1 seq 7 type h\n"
          "file i1 seq 1 type i\n"
          "file i2 seq 2 type i\n");
    CHECK(m.curr_base_seq == 5);
    CHECK(m.curr_incr_seq == 2);
    CHECK(FormatAofManifest(AofManifest{}).empty());
  }

  TEST_CASE("names are quoted and escaped only when sdsneedsrepr would") {
    AofManifest m;
    m.incrs = {{"plain-name_1.aof", 1, AofFileType::kIncr},
               {"a b", 2, AofFileType::kIncr},
               {"q\"b\\s", 3, AofFileType::kIncr},
               {std::string("\n\r\t\a\b\x7f\xff\x0b", 8), 4, AofFileType::kIncr},
               {"it's", 5, AofFileType::kIncr}};
    const std::string text = FormatAofManifest(m);
    CHECK(text ==
          "file plain-name_1.aof seq 1 type i\n"
          "file \"a b\" seq 2 type i\n"
          "file \"q\\\"b\\\\s\" seq 3 type i\n"
          "file \"\\n\\r\\t\\a\\b\\x7f\\xff\\x0b\" seq 4 type i\n"
          "file it's seq 5 type i\n");
    // The quoted forms read back as the same names ("it's" unquoted does
    // not: a bare quote opens a quoted token, as in Redis; and a backslash
    // is refused as a path separator).
    m.incrs.erase(m.incrs.begin() + 2);
    m.incrs.pop_back();
    m.curr_incr_seq = 4;
    CHECK(MustParse(FormatAofManifest(m)) == m);
  }

  TEST_CASE("quoting in the input follows sdssplitargs") {
    AofManifest m = MustParse(
        "file 'single q' seq 1 type i\n"
        "file \"hex\\x41\\x62\" seq 2 type i\n");
    CHECK(m.incrs[0].name == "single q");
    CHECK(m.incrs[1].name == "hexAb");
    CHECK(ParseError("file \"a\"b seq 1 type i\n") ==
          "AOF manifest line 1: Invalid AOF manifest file format");
    CHECK(ParseError("file \"open seq 1 type i\n") ==
          "AOF manifest line 1: Invalid AOF manifest file format");
  }

  TEST_CASE("a name is cut at an escaped NUL byte, as Redis copies it as a C string") {
    // "a\x00/b" becomes "a": the '/' after the NUL is never seen.
    AofManifest m = MustParse("file \"a\\x00/b\" seq 1 type i\n");
    CHECK(m.incrs[0].name == "a");
  }

  TEST_CASE("comment lines are skipped, also between entries, and a comments-only file is empty") {
    AofManifest m = MustParse(
        "# a comment\n"
        "file b seq 1 type b\n"
        "#file x seq 9 type i\n"
        "file i seq 1 type i\n");
    CHECK(FormatAofManifest(m) == "file b seq 1 type b\nfile i seq 1 type i\n");
    AofManifest empty = MustParse("# nothing here\n");
    CHECK(empty == AofManifest{});
    // Only a '#' in the first column makes a comment.
    CHECK(ParseError("file a seq 1 type i\n  # indented\n") ==
          "AOF manifest line 2: Invalid AOF manifest file format");
  }

  TEST_CASE("keys are case-insensitive, extra pairs are ignored and the last repeat wins") {
    AofManifest m = MustParse("FILE a Seq 1 TYPE i future x\n");
    CHECK(m.incrs[0] == AofFileInfo{"a", 1, AofFileType::kIncr});
    AofManifest r = MustParse("type h seq 4 file x file y seq 9\n");
    CHECK(r.history[0] == AofFileInfo{"y", 9, AofFileType::kHistory});
    CHECK_FALSE(r.base.has_value());
    CHECK(r.curr_base_seq == 0);
    CHECK(r.curr_incr_seq == 0);
  }

  TEST_CASE("seq is read with atoll and type is the value's first letter") {
    AofManifest m = MustParse(
        "file b seq -5 type base\n"
        "file i seq 12abc type incr\n"
        "file j seq +13 type i\n");
    CHECK(m.base->seq == -5);
    CHECK(m.curr_base_seq == -5);
    CHECK(m.incrs[0].seq == 12);
    CHECK(m.incrs[1].seq == 13);
  }

  TEST_CASE("a huge seq saturates at INT64_MAX like glibc atoll") {
    AofManifest m = MustParse("file a seq 99999999999999999999 type i\n");
    CHECK(m.incrs[0].seq == std::numeric_limits<int64_t>::max());
    CHECK(FormatAofManifest(m) == "file a seq 9223372036854775807 type i\n");
    AofManifest n = MustParse("file a seq -99999999999999999999 type h\n");
    CHECK(n.history[0].seq == std::numeric_limits<int64_t>::min());
    // Nothing can follow an INCR at INT64_MAX.
    CHECK(ParseError("file a seq 99999999999999999999 type i\nfile b seq 1 type i\n") ==
          "AOF manifest line 2: Found a non-monotonic sequence number");
  }

  TEST_CASE("CRLF line ends and surrounding blanks are trimmed") {
    AofManifest m = MustParse("  file a seq 1 type i \t\r\n");
    CHECK(m.incrs[0].name == "a");
  }

  TEST_CASE("an empty file is refused but an empty name is accepted, like Redis") {
    CHECK(ParseError("") == "AOF manifest: Found an empty AOF manifest");
    AofManifest m = MustParse("file \"\" seq 1 type b\n");
    CHECK(m.base->name.empty());
  }

  TEST_CASE("lines must end with a newline and fit in 1024 bytes") {
    // A missing final newline is "too long" in Redis too (checked with
    // redis-check-aof 7.0.15).
    CHECK(ParseError("file a seq 1 type i") ==
          "AOF manifest line 1: The AOF manifest file contains too long line");
    const std::string ok_1023 = "file a seq 1 type i" + std::string(1023 - 19, ' ') + "\n";
    CHECK(MustParse(ok_1023).incrs.size() == 1);
    const std::string bad_1024 = "file a seq 1 type i" + std::string(1024 - 19, ' ') + "\n";
    CHECK(ParseError(bad_1024) ==
          "AOF manifest line 1: The AOF manifest file contains too long line");
    const std::string line_2k = "file " + std::string(2048, 'n') + " seq 1 type i\n";
    CHECK(ParseError("file a seq 1 type b\n" + line_2k) ==
          "AOF manifest line 2: The AOF manifest file contains too long line");
  }

  TEST_CASE("a comment longer than 1024 bytes spills into a next line, as with fgets") {
    // The first 1024 bytes are skipped as a comment; the rest is line 2.
    const std::string comment_1500 = "#" + std::string(1500, 'x') + "\n";
    CHECK(ParseError(comment_1500 + "file a seq 1 type i\n") ==
          "AOF manifest line 2: Invalid AOF manifest file format");
    const std::string comment_2047 = "#" + std::string(2047, 'x') + "\n";
    CHECK(ParseError(comment_2047) ==
          "AOF manifest line 2: The AOF manifest file contains too long line");
    // Exactly 1023 bytes plus the newline is still one comment line.
    CHECK(MustParse("#" + std::string(1022, 'x') + "\nfile a seq 1 type i\n").incrs.size() == 1);
  }

  TEST_CASE("a NUL byte hides the rest of its line, so the newline is missing") {
    CHECK(ParseError(std::string("file a seq 1 type i\0\n", 21)) ==
          "AOF manifest line 1: The AOF manifest file contains too long line");
    CHECK(ParseError(std::string("\0file a seq 1 type i\n", 21)) ==
          "AOF manifest line 1: The AOF manifest file contains too long line");
  }

  TEST_CASE("every format error Redis reports is reported with its line number") {
    const std::string kBad = "Invalid AOF manifest file format";
    CHECK(ParseError("file a seq 1 type i\n\n") == "AOF manifest line 2: " + kBad);
    CHECK(ParseError("   \n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq 1\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq 1 type i x\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("name a seq 1 type i\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq 0 type i\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq x type i\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq 1 type \"\"\n") == "AOF manifest line 1: " + kBad);
    CHECK(ParseError("file a seq 1 kind i\n") == "AOF manifest line 1: " + kBad);
  }

  TEST_CASE("paths, duplicate bases, unknown types and backward seqs are refused") {
    CHECK(ParseError("file a/b seq 1 type i\n") ==
          "AOF manifest line 1: File can't be a path, just a filename");
    CHECK(ParseError("file a\\b seq 1 type i\n") ==
          "AOF manifest line 1: File can't be a path, just a filename");
    // Redis checks each name as it meets it, so a later good name is too late.
    CHECK(ParseError("file a/b file c seq 1 type i\n") ==
          "AOF manifest line 1: File can't be a path, just a filename");
    CHECK(ParseError("file a seq 1 type b\nfile b seq 2 type b\n") ==
          "AOF manifest line 2: Found duplicate base file information");
    CHECK(ParseError("file a seq 1 type x\n") == "AOF manifest line 1: Unknown AOF file type");
    CHECK(ParseError("file a seq 2 type i\nfile b seq 2 type i\n") ==
          "AOF manifest line 2: Found a non-monotonic sequence number");
    CHECK(ParseError("file a seq -1 type i\n") ==
          "AOF manifest line 1: Found a non-monotonic sequence number");
    // History lines may have any seq, in any order.
    CHECK(MustParse("file a seq 5 type h\nfile b seq 2 type h\n").history.size() == 2);
  }

  TEST_CASE("mutated manifests never crash and whatever parses formats back the same") {
    // Start from Redis's own manifests and overwrite a few bytes with
    // characters that matter to the parser (or any byte at all).
    constexpr std::string_view kAlphabet = "file seq type bhi0129 \"'\\x\n\r\t#/";
    uint32_t x = 12345;
    auto next = [&x] { return x = x * 1103515245u + 12345u, x >> 8; };
    int parsed = 0;
    for (int round = 0; round < 3000; ++round) {
      std::string text(round % 2 == 0 ? kRedisNoGc : kRedisQuotedNames);
      const int edits = 1 + static_cast<int>(next() % 3);
      for (int e = 0; e < edits; ++e) {
        const uint32_t r = next();
        text[r % text.size()] =
            r % 7 == 0 ? static_cast<char>(r >> 4) : kAlphabet[(r >> 4) % kAlphabet.size()];
      }
      Result<AofManifest> m = ParseAofManifest(text);
      if (!m.ok()) {
        CHECK(m.status().code() == Status::Code::kCorruption);
        continue;
      }
      ++parsed;
      const std::string formatted = FormatAofManifest(m.value());
      if (formatted.empty()) continue;  // a comments-only input
      Result<AofManifest> again = ParseAofManifest(formatted);
      REQUIRE_MESSAGE(again.ok(), again.status().ToString());
      CHECK(again.value() == m.value());
    }
    CHECK(parsed > 100);  // the round-trip branch really ran
  }

  TEST_CASE("file names follow Redis's naming rules") {
    CHECK(BaseFileName("appendonly.aof", 1, true) == "appendonly.aof.1.base.rdb");
    CHECK(BaseFileName("appendonly.aof", 12, false) == "appendonly.aof.12.base.aof");
    CHECK(IncrFileName("appendonly.aof", 1) == "appendonly.aof.1.incr.aof");
    CHECK(ManifestFileName("appendonly.aof") == "appendonly.aof.manifest");
    CHECK(TempManifestFileName("appendonly.aof") == "temp-appendonly.aof.manifest");
    CHECK(TempIncrFileName("appendonly.aof") == "temp-appendonly.aof.incr");
  }

  TEST_CASE("server start, two rewrites and gc reproduce Redis's manifests") {
    // aofOpenIfNeededOnServerStart on an empty dataset: BASE 1 + INCR 1,
    // then SET / BGREWRITEAOF twice; `gc` is !aof-disable-auto-gc.
    for (bool gc : {true, false}) {
      CAPTURE(gc);
      AofManifest m;
      CHECK(AddNewBase(&m, "appendonly.aof", true).value() == "appendonly.aof.1.base.rdb");
      CHECK(LastOrNewIncr(&m, "appendonly.aof").value() == "appendonly.aof.1.incr.aof");
      CHECK(LastOrNewIncr(&m, "appendonly.aof").value() == "appendonly.aof.1.incr.aof");
      for (int rewrite = 0; rewrite < 2; ++rewrite) {
        CHECK(AddNewIncr(&m, "appendonly.aof").ok());        // rewrite starts
        CHECK(AddNewBase(&m, "appendonly.aof", true).ok());  // rewrite done
        MarkRewrittenIncrsAsHistory(&m, /*aof_enabled=*/true);
        if (gc) CHECK(TakeHistory(&m).size() == 2);
      }
      CHECK(FormatAofManifest(m) == (gc ? kRedisDefault : kRedisNoGc));
      CHECK(MustParse(FormatAofManifest(m)) == m);
    }
  }

  TEST_CASE("without the rdb preamble the new BASE is a .base.aof file") {
    AofManifest m = MustParse(
        "file appendonly.aof.2.base.aof seq 2 type b\n"
        "file appendonly.aof.3.incr.aof seq 3 type i\n");
    CHECK(AddNewIncr(&m, "appendonly.aof").value() == "appendonly.aof.4.incr.aof");
    CHECK(AddNewBase(&m, "appendonly.aof", false).value() == "appendonly.aof.3.base.aof");
    MarkRewrittenIncrsAsHistory(&m, true);
    TakeHistory(&m);
    CHECK(FormatAofManifest(m) ==
          "file appendonly.aof.3.base.aof seq 3 type b\n"
          "file appendonly.aof.4.incr.aof seq 4 type i\n");
  }

  TEST_CASE("a rewrite with AOF off turns every INCR into history") {
    AofManifest m = MustParse(
        "file appendonly.aof.2.base.rdb seq 2 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type h\n"
        "file appendonly.aof.1.base.rdb seq 1 type h\n"
        "file appendonly.aof.2.incr.aof seq 2 type i\n");
    CHECK(AddNewBase(&m, "appendonly.aof", true).ok());
    MarkRewrittenIncrsAsHistory(&m, /*aof_enabled=*/false);
    CHECK(FormatAofManifest(m) == kRedisRewriteWithAofOff);
    CHECK(m.incrs.empty());
    CHECK(m.curr_incr_seq == 2);  // the next INCR is still number 3
    CHECK(AddNewIncr(&m, "appendonly.aof").value() == "appendonly.aof.3.incr.aof");
  }

  TEST_CASE("several pending INCRs keep their order when they become history") {
    AofManifest m = MustParse(
        "file b1 seq 1 type b\n"
        "file i1 seq 1 type i\n"
        "file i2 seq 2 type i\n"
        "file i3 seq 3 type i\n");
    CHECK(AddNewBase(&m, "f", true).value() == "f.2.base.rdb");
    MarkRewrittenIncrsAsHistory(&m, true);
    CHECK(FormatAofManifest(m) ==
          "file f.2.base.rdb seq 2 type b\n"
          "file i1 seq 1 type h\n"
          "file i2 seq 2 type h\n"
          "file b1 seq 1 type h\n"
          "file i3 seq 3 type i\n");
    CHECK(TakeHistory(&m) == std::vector<std::string>{"i1", "i2", "b1"});
    CHECK(m.history.empty());
    // With no INCR at all nothing moves even when AOF is on.
    AofManifest none;
    MarkRewrittenIncrsAsHistory(&none, true);
    CHECK(none == AofManifest{});
  }

  TEST_CASE("seq helpers refuse to overflow and leave the manifest untouched") {
    AofManifest m = MustParse(
        "file b seq 9223372036854775807 type b\n"
        "file i seq 9223372036854775807 type i\n");
    const AofManifest before = m;
    Result<std::string> incr = AddNewIncr(&m, "appendonly.aof");
    REQUIRE_FALSE(incr.ok());
    CHECK(incr.status().code() == Status::Code::kCorruption);
    CHECK_FALSE(AddNewBase(&m, "appendonly.aof", true).ok());
    CHECK(m == before);
    // LastOrNewIncr does not need a new seq when an INCR exists.
    CHECK(LastOrNewIncr(&m, "appendonly.aof").value() == "i");
  }

  TEST_CASE("a pre-7.0 appendonly.aof is adopted as BASE seq 1") {
    AofManifest m;
    AdoptLegacyAofAsBase(&m, "appendonly.aof");
    CHECK(FormatAofManifest(m) == "file appendonly.aof seq 1 type b\n");
    CHECK(m.curr_base_seq == 1);
    CHECK(LastOrNewIncr(&m, "appendonly.aof").value() == "appendonly.aof.1.incr.aof");
  }
}
