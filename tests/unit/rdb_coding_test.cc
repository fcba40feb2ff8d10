// Tests for the RDB primitives in core/persist/rdb_coding.h: lengths,
// strings (raw / INT8-16-32 / LZF), doubles, times and the header, in both
// directions, plus hostile input (truncation at every byte, absurd lengths).
//
// Known bytes come from Debian's redis-server 7.0.15 (started privately with
// `--save "" --appendonly no`, keys set with redis-cli, then SAVE; the bytes
// were read from dump.rdb with xxd). Each constant says which commands made it.
#include "core/persist/rdb_coding.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/rdb_format.h"

using namespace plab;
using namespace plab::rdb;

namespace {

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Len(uint64_t n) {
  std::string out;
  PutLength(&out, n);
  return out;
}

std::string Str(std::string_view s, Compression c = Compression::kNone) {
  std::string out;
  PutString(&out, s, c);
  return out;
}

// Decodes one string that must fill `bytes` exactly.
std::string DecodeString(const std::string& bytes) {
  ByteReader r(bytes);
  Result<std::string> s = r.GetString();
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  CHECK(r.AtEnd());
  return *s;
}

// Random tests print their seed; set PLAB_TEST_SEED to replay one.
uint64_t TestSeed() {
  if (const char* s = std::getenv("PLAB_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

bool IsCorruption(const Status& s) { return s.code() == Status::Code::kCorruption; }

// The offset a Corruption message starts with ("offset 12: ...").
uint64_t MessageOffset(const Status& s) {
  const std::string& m = s.message();
  REQUIRE(m.rfind("offset ", 0) == 0);
  return std::stoull(m.substr(7));
}

// A real Redis 7.0.15 dump: `SET s70 <70 distinct chars: chr(33 + i*7 % 90)
// for i in 0..69>`, `SET c <"ab" x 100>`, `SET big 2147483648`,
// `SET d <"x" x 21>`, `SET n 12`, `SET neg -129`, `SET z 0012`,
// `SET i32 -2147483648`, SAVE (rdbcompression yes, the default).
const std::string kRealDump =
    Hex("524544495330303130fa0972656469732d76657206372e302e3135fa0a726564"
        "69732d62697473c040fa056374696d65c2fbe1066bfa08757365642d6d656dc2"
        "08580e00fa08616f662d62617365c000fe00fb08000003733730404621282f36"
        "3d444b525960676e75222930373e454c535a61686f76232a31383f464d545b62"
        "697077242b323940474e555c636a7178252c333a41484f565d646b7279262d34"
        "3b42000163c30a40c802616261e0ba0101616200036269670a32313437343833"
        "363438000164c30615017878e00a0000016ec00c00036e6567c17fff00017a04"
        "303031320003693332c200000080fff0a0fbaaf339785f");

std::string S70() {
  std::string s;
  for (int i = 0; i < 70; ++i) s.push_back(static_cast<char>(33 + (i * 7) % 90));
  return s;
}

std::string Repeat(std::string_view unit, size_t times) {
  std::string s;
  for (size_t i = 0; i < times; ++i) s += unit;
  return s;
}

}  // namespace

TEST_SUITE("rdb coding") {
  TEST_CASE("PutLength picks the smallest form at every range boundary, like rdbSaveLen") {
    struct Case {
      uint64_t len;
      const char* hex;
    };
    const std::vector<Case> cases = {
        {0, "00"},
        {63, "3f"},
        {64, "4040"},
        {16383, "7fff"},
        {16384, "8000004000"},
        {uint64_t{UINT32_MAX}, "80ffffffff"},
        {uint64_t{UINT32_MAX} + 1, "810000000100000000"},
        {UINT64_MAX, "81ffffffffffffffff"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.len);
      std::string bytes = Len(c.len);
      CHECK(bytes == Hex(c.hex));
      ByteReader r(bytes);
      Result<uint64_t> back = r.GetLength();
      REQUIRE(back.ok());
      CHECK(*back == c.len);
      CHECK(r.AtEnd());
    }
  }

  TEST_CASE("GetLength accepts non-minimal forms like rdbLoadLen") {
    for (const char* hex : {"05", "4005", "8000000005", "810000000000000005"}) {
      CAPTURE(hex);
      const std::string r_bytes = Hex(hex);
      ByteReader r(r_bytes);
      Result<uint64_t> len = r.GetLength();
      REQUIRE(len.ok());
      CHECK(*len == 5);
    }
  }

  TEST_CASE("GetLength rejects invalid first bytes and special string encodings") {
    const std::string bad_bytes = Hex("82");
    ByteReader bad(bad_bytes);
    Result<uint64_t> r1 = bad.GetLength();
    REQUIRE_FALSE(r1.ok());
    CHECK(IsCorruption(r1.status()));
    CHECK(r1.status().message() == "offset 0: invalid length encoding byte 0x82");

    const std::string enc_bytes = Hex("00c3");
    ByteReader enc(enc_bytes, 100);
    REQUIRE(enc.GetLength().ok());
    Result<uint64_t> r2 = enc.GetLength();
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.status().message() ==
          "offset 101: expected a length, found the string encoding byte 0xC3");
  }

  TEST_CASE(
      "PutString integer-encodes canonical integers that fit 32 bits, like rdbSaveRawString") {
    struct Case {
      const char* s;
      const char* hex;
    };
    const std::vector<Case> cases = {
        {"12", "c00c"},
        {"0", "c000"},
        {"-1", "c0ff"},
        {"127", "c07f"},
        {"-128", "c080"},
        {"128", "c18000"},
        {"-129", "c17fff"},
        {"32767", "c1ff7f"},
        {"32768", "c200800000"},
        {"-2147483648", "c200000080"},
        {"2147483647", "c2ffffff7f"},
        // Not canonical or too big: stored as the text.
        {"0012", "0430303132"},
        {"2147483648", "0a32313437343833363438"},
        {"-0", "022d30"},
        {"+1", "022b31"},
        {" 1", "022031"},
        {"1 ", "023120"},
        {"", "00"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.s);
      for (Compression comp : {Compression::kNone, Compression::kLzf}) {
        std::string bytes = Str(c.s, comp);
        CHECK(bytes == Hex(c.hex));
        CHECK(DecodeString(bytes) == c.s);
      }
    }
  }

  TEST_CASE("Integers outside int32 are stored as their text, however short") {
    // Every canonical int32 has at most 11 characters ("-2147483648"), so
    // rdbSaveRawString's length limit only saves parsing longer strings.
    CHECK(Str("-1234567890") == Hex("c22efd69b6"));
    CHECK(Str("12345678901") == Hex("0b") + "12345678901");
    CHECK(Str("-2147483649") == Hex("0b") + "-2147483649");
    CHECK(Str("99999999999999999999") == Hex("14") + "99999999999999999999");
  }

  TEST_CASE("PutIntegerString writes int64 values like rdbSaveLongLongAsStringObject") {
    std::string out;
    PutIntegerString(&out, -129);
    CHECK(out == Hex("c17fff"));
    out.clear();
    PutIntegerString(&out, 12345678901234);
    CHECK(out == Hex("0e") + "12345678901234");
    CHECK(DecodeString(out) == "12345678901234");
    out.clear();
    PutIntegerString(&out, std::numeric_limits<int64_t>::min());
    CHECK(DecodeString(out) == "-9223372036854775808");
  }

  TEST_CASE("Strings are binary safe") {
    std::string binary("\0\xff\x80\r\n\xc3 a\0", 9);
    CHECK(Str(binary) == Hex("09") + binary);
    CHECK(DecodeString(Str(binary)) == binary);
    std::string big(100000, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
    CHECK(DecodeString(Str(big, Compression::kLzf)) == big);
  }

  TEST_CASE("LZF is used only when enabled, longer than 20 bytes and worth it") {
    const std::string x20(20, 'x');
    const std::string x21(21, 'x');
    CHECK(Str(x20, Compression::kLzf) == Hex("14") + x20);   // too short to try
    CHECK(Str(x21, Compression::kNone) == Hex("15") + x21);  // compression off
    std::string packed = Str(x21, Compression::kLzf);
    CHECK(static_cast<uint8_t>(packed[0]) == 0xC3);
    CHECK(packed.size() < x21.size());
    CHECK(DecodeString(packed) == x21);
    // No repeated 3-byte sequence: compression can't help, so it is raw.
    CHECK(Str(S70(), Compression::kLzf) == Hex("4046") + S70());
    const std::string ab = Repeat("ab", 100);
    std::string ab_packed = Str(ab, Compression::kLzf);
    CHECK(ab_packed.substr(0, 1) == Hex("c3"));
    CHECK(DecodeString(ab_packed) == ab);
  }

  TEST_CASE("Binary doubles round trip bit for bit, little-endian") {
    std::string out;
    PutDoubleBinary(&out, 1.5);
    CHECK(out == Hex("000000000000f83f"));
    const std::vector<double> values = {
        0.0,
        -0.0,
        1.5,
        -2.5e-300,
        std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::denorm_min(),
        std::numeric_limits<double>::max(),
        std::bit_cast<double>(uint64_t{0x7ff8000000000001}),  // NaN with payload
        std::bit_cast<double>(uint64_t{0xfff0000000000abc}),  // signalling-ish NaN
    };
    for (double v : values) {
      const uint64_t bits = std::bit_cast<uint64_t>(v);
      CAPTURE(bits);
      std::string enc;
      PutDoubleBinary(&enc, v);
      REQUIRE(enc.size() == kBinaryDoubleSize);
      ByteReader r(enc);
      Result<double> back = r.GetDoubleBinary();
      REQUIRE(back.ok());
      CHECK(std::bit_cast<uint64_t>(*back) == bits);
    }
  }

  TEST_CASE("Double strings use 253/254/255 for nan/+inf/-inf, like rdbSaveDoubleValue") {
    struct Case {
      double v;
      std::string bytes;
    };
    const std::vector<Case> cases = {
        {std::numeric_limits<double>::quiet_NaN(), Hex("fd")},
        {std::numeric_limits<double>::infinity(), Hex("fe")},
        {-std::numeric_limits<double>::infinity(), Hex("ff")},
        {1.5, Hex("03") + "1.5"},
        {3.0, Hex("01") + "3"},
        {-0.0, Hex("01") + "0"},  // double2ll turns -0.0 into 0
        {-7.0, Hex("02") + "-7"},
        {0.1, Hex("13") + "0.10000000000000001"},   // "%.17g"
        {4e18, Hex("13") + "4000000000000000000"},  // integral, within 2^62
        {1e19, Hex("05") + "1e+19"},                // integral, beyond 2^62
        {1e300, Hex("17") + "1.0000000000000001e+300"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.v);
      std::string out;
      PutDoubleString(&out, c.v);
      CHECK(out == c.bytes);
      ByteReader r(out);
      Result<double> back = r.GetDoubleString();
      REQUIRE(back.ok());
      CHECK(r.AtEnd());
      if (std::isnan(c.v)) {
        CHECK(std::isnan(*back));
      } else {
        CHECK(*back == c.v);
      }
    }
  }

  TEST_CASE("GetDoubleString tolerates what sscanf %lg tolerates and rejects the rest") {
    // Checked on 7.0.15 by RESTORE of a type-3 zset payload (with version 10
    // and CRC-64): " 2.5ab" loaded as score 2.5, "0x1p+3" as 8, "abc" gave
    // "ERR Bad data format"; 254/255 gave inf/-inf.
    const std::string lenient_bytes = Hex("06") + " 2.5ab" + Hex("06") + "0x1p+3";
    ByteReader lenient(lenient_bytes);
    Result<double> v = lenient.GetDoubleString();
    REQUIRE(v.ok());
    CHECK(*v == 2.5);
    Result<double> hex_float = lenient.GetDoubleString();
    REQUIRE(hex_float.ok());
    CHECK(*hex_float == 8.0);
    CHECK(lenient.AtEnd());

    const std::string junk_bytes = Hex("03") + "abc";
    ByteReader junk(junk_bytes, 40);
    Result<double> bad = junk.GetDoubleString();
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() == "offset 40: unparsable double text \"abc\"");

    const std::string empty_bytes = Hex("00");
    ByteReader empty(empty_bytes);
    CHECK_FALSE(empty.GetDoubleString().ok());
  }

  TEST_CASE("Times are little-endian: 8-byte milliseconds and 4-byte seconds") {
    // `SET e v PXAT 4102444800123`, SAVE: the key starts with FC + these 8 bytes.
    std::string ms;
    PutMillisecondTime(&ms, 4102444800123);
    CHECK(ms == Hex("7bd8c32cbb030000"));
    for (int64_t t :
         {int64_t{0}, int64_t{-1}, int64_t{4102444800123}, std::numeric_limits<int64_t>::min()}) {
      std::string enc;
      PutMillisecondTime(&enc, t);
      ByteReader r(enc);
      Result<int64_t> back = r.GetMillisecondTime();
      REQUIRE(back.ok());
      CHECK(*back == t);
    }
    for (int32_t t : {0, -1, 1700000000, std::numeric_limits<int32_t>::min()}) {
      std::string enc;
      PutSecondTime(&enc, t);
      REQUIRE(enc.size() == 4);
      ByteReader r(enc);
      Result<int32_t> back = r.GetSecondTime();
      REQUIRE(back.ok());
      CHECK(*back == t);
    }
    std::string s;
    PutSecondTime(&s, 0x01020304);
    CHECK(s == Hex("04030201"));
  }

  TEST_CASE("The header is REDIS plus four digits; versions 1 to 11 load") {
    std::string h;
    PutHeader(&h);
    CHECK(h == "REDIS0010");
    for (int v : {1, 9, 10, 11}) {
      std::string hv;
      PutHeader(&hv, v);
      ByteReader r(hv);
      Result<int> got = r.GetHeader();
      REQUIRE(got.ok());
      CHECK(*got == v);
    }
    ByteReader v12(std::string_view("REDIS0012"));
    Result<int> r12 = v12.GetHeader();
    REQUIRE_FALSE(r12.ok());
    CHECK(r12.status().message() ==
          "offset 5: can't handle RDB format version 12 (versions 1 to 11 are supported)");
    CHECK_FALSE(ByteReader(std::string_view("REDIS0000")).GetHeader().ok());
    ByteReader letters(std::string_view("REDIS00a1"));
    CHECK(letters.GetHeader().status().message() ==
          "offset 5: RDB version \"00a1\" is not 4 digits");
    ByteReader magic(std::string_view("REDIX0010"));
    CHECK(magic.GetHeader().status().message() ==
          "offset 0: not an RDB file: it starts with \"REDIX\" instead of \"REDIS\"");
    ByteReader shorty(std::string_view("REDIS001"));
    CHECK(shorty.GetHeader().status().message() ==
          "offset 0: truncated RDB header: 9 bytes needed, 8 left");
  }

  TEST_CASE("Truncation at every byte of an encoding gives Corruption naming an offset") {
    // Each item alone, read back by its own Get* from every proper prefix.
    enum class Kind { kLength, kString, kDoubleBinary, kDoubleString, kMs, kSeconds, kHeader };
    struct Item {
      Kind kind;
      std::string bytes;
    };
    std::vector<Item> items;
    for (uint64_t n : {uint64_t{5}, uint64_t{300}, uint64_t{70000}, uint64_t{1} << 40}) {
      items.push_back({Kind::kLength, Len(n)});
    }
    for (const char* s : {"a", "12", "-129", "100000", "-2147483648", "0012"}) {
      items.push_back({Kind::kString, Str(s)});
    }
    items.push_back({Kind::kString, Str(S70())});
    items.push_back({Kind::kString, Str(std::string(20000, 'q'))});
    items.push_back({Kind::kString, Str(Repeat("ab", 100), Compression::kLzf)});
    items.push_back({Kind::kString, Str(Repeat("abcdefghij", 3000), Compression::kLzf)});
    std::string d;
    PutDoubleBinary(&d, 2.5);
    items.push_back({Kind::kDoubleBinary, d});
    d.clear();
    PutDoubleString(&d, 0.1);
    items.push_back({Kind::kDoubleString, d});
    d.clear();
    PutMillisecondTime(&d, 123456789);
    items.push_back({Kind::kMs, d});
    d.clear();
    PutSecondTime(&d, 1234);
    items.push_back({Kind::kSeconds, d});
    d.clear();
    PutHeader(&d);
    items.push_back({Kind::kHeader, d});

    constexpr uint64_t kBase = 1000;  // as if the item sat at file offset 1000
    for (const Item& item : items) {
      for (size_t cut = 0; cut < item.bytes.size(); ++cut) {
        CAPTURE(cut);
        ByteReader r(std::string_view(item.bytes).substr(0, cut), kBase);
        Status s;
        switch (item.kind) {
          case Kind::kLength:
            s = r.GetLength().status();
            break;
          case Kind::kString:
            s = r.GetString().status();
            break;
          case Kind::kDoubleBinary:
            s = r.GetDoubleBinary().status();
            break;
          case Kind::kDoubleString:
            s = r.GetDoubleString().status();
            break;
          case Kind::kMs:
            s = r.GetMillisecondTime().status();
            break;
          case Kind::kSeconds:
            s = r.GetSecondTime().status();
            break;
          case Kind::kHeader:
            s = r.GetHeader().status();
            break;
        }
        REQUIRE_FALSE(s.ok());
        CHECK(IsCorruption(s));
        // The offset is where the failing item (or, inside an LZF string,
        // its length field) starts: within the bytes we had.
        const uint64_t at = MessageOffset(s);
        CHECK(at >= kBase);
        CHECK(at <= kBase + cut);
      }
    }
  }

  TEST_CASE("A truncated string names its length and the bytes left") {
    std::string bytes = Str(S70()).substr(0, 59);  // 2-byte length + 57 bytes
    ByteReader r(bytes, 1234);
    Result<std::string> s = r.GetString();
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() == "offset 1234: string length 70 exceeds the remaining 57 bytes");
  }

  TEST_CASE("Absurd lengths are Corruption, checked before anything is allocated") {
    // A 32-bit and a 64-bit length in front of 57 bytes. Allocating first
    // would try to reserve 4 GiB or throw length_error; we must do neither.
    std::string tail(57, 'z');
    const std::string r32_bytes = Hex("80ffffffff") + tail;
    ByteReader r32(r32_bytes);
    CHECK(r32.GetString().status().message() ==
          "offset 0: string length 4294967295 exceeds the remaining 57 bytes");
    const std::string r33_bytes = Hex("810000000100000000") + tail;
    ByteReader r33(r33_bytes, 1234);
    CHECK(r33.GetString().status().message() ==
          "offset 1234: string length 4294967296 exceeds the remaining 57 bytes");
    const std::string r64_bytes = Hex("81ffffffffffffffff") + tail;
    ByteReader r64(r64_bytes);
    CHECK(r64.GetString().status().message() ==
          "offset 0: string length 18446744073709551615 exceeds the remaining 57 bytes");
    // LZF: a huge compressed length, then a huge uncompressed length for a
    // small body (LzfDecompress refuses it before allocating).
    const std::string lzf_c_bytes = Hex("c380ffffffff0a") + tail;
    ByteReader lzf_c(lzf_c_bytes);
    CHECK(lzf_c.GetString().status().message() ==
          "offset 0: LZF compressed length 4294967295 exceeds the remaining 57 bytes");
    const std::string lzf_u_bytes = Hex("c30581ffffffffffffffff") +
                                    "\x04"
                                    "abcd";
    ByteReader lzf_u(lzf_u_bytes);
    Result<std::string> u = lzf_u.GetString();
    REQUIRE_FALSE(u.ok());
    CHECK(IsCorruption(u.status()));
    CHECK(u.status().message().rfind("offset 0: ", 0) == 0);
    const std::string lzf_u32_bytes = Hex("c30580ffffffff") +
                                      "\x04"
                                      "abcd";
    ByteReader lzf_u32(lzf_u32_bytes);
    CHECK(IsCorruption(lzf_u32.GetString().status()));
  }

  TEST_CASE("Bad string encodings and bad LZF bodies are Corruption") {
    const std::string unknown_bytes = Hex("c4");
    ByteReader unknown(unknown_bytes, 7);
    CHECK(unknown.GetString().status().message() == "offset 7: unknown string encoding 0xC4");
    // A back-reference (0x20 = length 3, distance 1) before any output.
    const std::string backref_bytes = Hex("c3020520") + Hex("00");
    ByteReader backref(backref_bytes);
    Result<std::string> br = backref.GetString();
    REQUIRE_FALSE(br.ok());
    CHECK(br.status().message().rfind("offset 0: invalid LZF string (", 0) == 0);
    // A body that expands to fewer bytes than promised.
    const std::string shortfall_bytes = Hex("c302050061");
    ByteReader shortfall(shortfall_bytes);
    Result<std::string> sf = shortfall.GetString();
    REQUIRE_FALSE(sf.ok());
    CHECK(IsCorruption(sf.status()));
  }

  TEST_CASE("Every key and value of a real Redis 7.0.15 dump decodes at its offset") {
    ByteReader r(kRealDump);
    Result<int> version = r.GetHeader();
    REQUIRE(version.ok());
    CHECK(*version == 10);
    // Five AUX fields: redis-ver, redis-bits, ctime, used-mem, aof-base.
    std::vector<std::string> aux_keys;
    for (int i = 0; i < 5; ++i) {
      REQUIRE(*r.GetByte() == kOpAux);
      Result<std::string> key = r.GetString();
      REQUIRE(key.ok());
      aux_keys.push_back(*key);
      Result<std::string> value = r.GetString();
      REQUIRE(value.ok());
      if (*key == kAuxRedisVer) CHECK(*value == "7.0.15");
      if (*key == kAuxRedisBits) CHECK(*value == "64");
      if (*key == kAuxCtime) CHECK(*value == "1795613179");  // C2 FB E1 06 6B
      if (*key == kAuxAofBase) CHECK(*value == "0");
    }
    CHECK(aux_keys ==
          std::vector<std::string>{"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"});
    CHECK(r.offset() == 80);
    CHECK(*r.GetByte() == kOpSelectDb);
    CHECK(*r.GetLength() == 0);
    CHECK(*r.GetByte() == kOpResizeDb);
    CHECK(*r.GetLength() == 8);
    CHECK(*r.GetLength() == 0);

    struct Record {
      uint64_t value_offset;
      const char* key;
      std::string value;
    };
    const std::vector<Record> records = {
        {90, "s70", S70()},         {165, "c", Repeat("ab", 100)},
        {184, "big", "2147483648"}, {198, "d", std::string(21, 'x')},
        {210, "n", "12"},           {217, "neg", "-129"},
        {223, "z", "0012"},         {233, "i32", "-2147483648"},
    };
    for (const Record& rec : records) {
      CAPTURE(rec.key);
      REQUIRE(*r.GetByte() == kTypeString);
      Result<std::string> key = r.GetString();
      REQUIRE(key.ok());
      CHECK(*key == rec.key);
      CHECK(r.offset() == rec.value_offset);
      const uint64_t start = r.offset();
      Result<std::string> value = r.GetString();
      REQUIRE(value.ok());
      CHECK(*value == rec.value);
      // Our writer makes the same choice (int / LZF / raw) as Redis did,
      // and byte-identical output except inside LZF bodies (our compressor
      // is not liblzf).
      const std::string_view redis_bytes =
          std::string_view(kRealDump).substr(start, r.offset() - start);
      const std::string ours = Str(rec.value, Compression::kLzf);
      CHECK(ours[0] == redis_bytes[0]);
      if (static_cast<uint8_t>(redis_bytes[0]) != 0xC3) CHECK(ours == redis_bytes);
    }
    CHECK(*r.GetByte() == kOpEof);
    CHECK(r.remaining() == kChecksumSize);
  }

  TEST_CASE("Real Redis 7.0.15 bytes for 14/32-bit lengths, expiry and zset-v2 scores") {
    // rdbcompression no: `SET a16383 <"a" x 16383>`, `SET a16384 <"a" x 16384>`.
    CHECK(Str(std::string(16383, 'a')).substr(0, 2) == Hex("7fff"));
    CHECK(Str(std::string(16384, 'a')).substr(0, 5) == Hex("8000004000"));
    CHECK(DecodeString(Hex("8000004000") + std::string(16384, 'a')) == std::string(16384, 'a'));

    // `SET e v PXAT 4102444800123`: FC <ms> then a string record.
    const std::string expiry_bytes = Hex("fc7bd8c32cbb0300000001650176");
    ByteReader expiry(expiry_bytes);
    CHECK(*expiry.GetByte() == kOpExpireTimeMs);
    CHECK(*expiry.GetMillisecondTime() == 4102444800123);
    CHECK(*expiry.GetByte() == kTypeString);
    CHECK(*expiry.GetString() == "e");
    CHECK(*expiry.GetString() == "v");
    CHECK(expiry.AtEnd());

    // zset-max-listpack-entries 0: `ZADD zz 1.5 m -inf n` is saved as type 5,
    // highest score first.
    const std::string zset_bytes = Hex("05027a7a02016d000000000000f83f016e000000000000f0ff");
    ByteReader zset(zset_bytes);
    CHECK(*zset.GetByte() == kTypeZset2);
    CHECK(*zset.GetString() == "zz");
    CHECK(*zset.GetLength() == 2);
    CHECK(*zset.GetString() == "m");
    CHECK(*zset.GetDoubleBinary() == 1.5);
    CHECK(*zset.GetString() == "n");
    CHECK(*zset.GetDoubleBinary() == -std::numeric_limits<double>::infinity());
    CHECK(zset.AtEnd());
  }

  TEST_CASE("Random strings and lengths round trip with and without LZF") {
    const uint64_t seed = TestSeed();
    INFO("PLAB_TEST_SEED=" << seed);
    std::mt19937_64 rng(seed);
    std::string sink;
    std::vector<std::string> strings;
    std::vector<uint64_t> lengths;
    for (int i = 0; i < 300; ++i) {
      // Small alphabets make LZF kick in; sizes cross the 20-byte and
      // 14-bit boundaries.
      const size_t size = rng() % (i % 10 == 0 ? 20000 : 80);
      const int alphabet = 1 + static_cast<int>(rng() % 256);
      std::string str(size, '\0');
      for (char& c : str) c = static_cast<char>(rng() % alphabet);
      if (i % 7 == 0) str = std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
      const uint64_t len = rng() >> (rng() % 64);
      PutString(&sink, str, i % 2 == 0 ? Compression::kLzf : Compression::kNone);
      PutLength(&sink, len);
      strings.push_back(str);
      lengths.push_back(len);
    }
    ByteReader r(sink);
    for (size_t i = 0; i < strings.size(); ++i) {
      CAPTURE(i);
      Result<std::string> str = r.GetString();
      REQUIRE(str.ok());
      CHECK(*str == strings[i]);
      Result<uint64_t> len = r.GetLength();
      REQUIRE(len.ok());
      CHECK(*len == lengths[i]);
    }
    CHECK(r.AtEnd());
  }

  TEST_CASE("Random garbage is decoded or rejected as Corruption, never crashes") {
    const uint64_t seed = TestSeed();
    INFO("PLAB_TEST_SEED=" << seed);
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 2000; ++round) {
      std::string junk(rng() % 64, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      ByteReader r(junk, 500);
      // Read mixed items until the input ends or an error is reported.
      while (!r.AtEnd()) {
        Status s;
        switch (rng() % 4) {
          case 0:
            s = r.GetString().status();
            break;
          case 1:
            s = r.GetLength().status();
            break;
          case 2:
            s = r.GetDoubleString().status();
            break;
          default:
            s = r.GetDoubleBinary().status();
            break;
        }
        if (!s.ok()) {
          CHECK(IsCorruption(s));
          CHECK(MessageOffset(s) >= 500);
          break;
        }
      }
    }
  }

  TEST_CASE("Type codes and opcodes match Redis 7.0 and 7.2") {
    CHECK(IsObjectType(kTypeString));
    CHECK(IsObjectType(kTypeModule2));
    CHECK_FALSE(IsObjectType(8));
    CHECK(IsObjectType(kTypeHashZipmap));
    CHECK(IsObjectType(kTypeStreamListpacks3));
    CHECK_FALSE(IsObjectType(22));
    CHECK_FALSE(IsObjectType(kOpAux));
    CHECK(TypeName(kTypeHashListpack) == "hash-listpack");
    CHECK(TypeName(8) == "unknown");
    CHECK(kOpEof == 0xFF);
    CHECK(kOpFunction2 == 245);
    CHECK(kQuicklistNodePacked == 2);
  }
}
