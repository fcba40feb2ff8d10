#include "core/persist/aof_reader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "core/util/numbers.h"

namespace plab {
namespace {

// fgets(buf, 1024, fp) stores at most 1023 bytes plus the terminator
// (AOF_ANNOTATION_LINE_MAX_LEN in aof.c).
constexpr size_t kLineMax = 1023;

constexpr std::string_view kBadFormat = "Bad file format reading the append only file";

struct ParsedLong {
  int64_t value = 0;
  size_t end = 0;         // Index of the first byte not consumed.
  bool overflow = false;  // strtol would have set ERANGE.
};

bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Base-10 strtol() on a 64-bit long in the C locale: leading white space,
// optional sign, then digits; clamps to the long range on overflow. Redis
// parses '*' counts (via atoi) and '$' lengths this way, so a line like
// "$3 junk" or "*+2" is accepted exactly as Redis accepts it.
ParsedLong CStrtol(std::string_view s) {
  ParsedLong out;
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const size_t digits_start = i;
  // Accumulate as a negative number so LONG_MIN needs no special case.
  int64_t acc = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const int digit = s[i] - '0';
    if (out.overflow) continue;
    if (acc < (kMin + digit) / 10) {
      out.overflow = true;
    } else {
      acc = acc * 10 - digit;
    }
  }
  if (i == digits_start) return ParsedLong{};  // No digits: 0, nothing consumed.
  out.end = i;
  if (out.overflow) {
    out.value = negative ? kMin : std::numeric_limits<int64_t>::max();
  } else if (negative) {
    out.value = acc;
  } else {
    out.overflow = acc == kMin;
    out.value = out.overflow ? std::numeric_limits<int64_t>::max() : -acc;
  }
  return out;
}

// glibc's atoi() is (int)strtol(): an out-of-int-range count wraps modulo
// 2^32 (so "*4294967297" means 1 to Redis, and a clamped huge count is -1).
int32_t CAtoi(std::string_view s) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(CStrtol(s).value)));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

Status FormatError(size_t offset, std::string_view why) {
  return Status::Corruption("offset " + std::to_string(offset) + ": " + std::string(why));
}

std::optional<int64_t> ParseTimestamp(std::string_view annotation) {
  // Like redis-check-aof's processAnnotations: "TS:" then strtol, which must
  // stop at '\r' without overflowing.
  if (annotation.substr(0, 3) != "TS:") return std::nullopt;
  const std::string_view rest = annotation.substr(3);
  const ParsedLong ts = CStrtol(rest);
  if (ts.overflow || ts.end >= rest.size() || rest[ts.end] != '\r') return std::nullopt;
  // A digit-less line leaves endptr at the start; "#TS:\r" gives 0 there.
  return ts.value;
}

}  // namespace

namespace {

// "<prefix><n>\r\n" without a temporary string: this runs for every
// propagated write.
void AppendCount(std::string* out, char prefix, size_t n) {
  char digits[24];
  char* end = digits + sizeof(digits);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  out->push_back(prefix);
  out->append(p, static_cast<size_t>(end - p));
  out->append("\r\n", 2);
}

}  // namespace

std::string EncodeAofCommand(const std::vector<std::string>& argv) {
  size_t size = 16;
  for (const std::string& arg : argv) size += arg.size() + 16;
  std::string out;
  out.reserve(size);
  AppendCount(&out, '*', argv.size());
  for (const std::string& arg : argv) {
    AppendCount(&out, '$', arg.size());
    out.append(arg);
    out.append("\r\n", 2);
  }
  return out;
}

std::string EncodeAofAnnotation(int64_t unix_seconds) {
  return "#TS:" + FormatInt64(unix_seconds) + "\r\n";
}

bool AofReader::HasRdbPreamble() const { return bytes_.substr(0, 5) == "REDIS"; }

void AofReader::SetOffset(size_t offset) {
  pos_ = std::min(offset, bytes_.size());
  eof_ = false;
}

bool AofReader::ReadLine(std::string_view* line) {
  const size_t start = pos_;
  const size_t limit = std::min(bytes_.size(), start + kLineMax);
  while (pos_ < limit && bytes_[pos_] != '\n') ++pos_;
  if (pos_ < limit) {
    ++pos_;  // Keep the '\n', as fgets does.
  } else if (pos_ == bytes_.size() && pos_ - start < kLineMax) {
    eof_ = true;  // fgets tried to read past the end (a full buffer does not).
  }
  *line = bytes_.substr(start, pos_ - start);
  return !line->empty();
}

AofReader::Item AofReader::Truncated() const {
  Item item;
  item.kind = Kind::kTruncated;
  // Inside an open MULTI the cut goes before it (see the header: a
  // deliberate difference from Redis, whose cut leaves the MULTI behind).
  item.truncate_at = in_multi_ ? before_multi_ : valid_up_to_;
  return item;
}

void AofReader::NoteCommand(const std::vector<std::string>& argv, size_t before) {
  // Mirrors the fake client: MULTI (even nested, which Redis only queues)
  // records the offset before it; EXEC only matters while a MULTI is open.
  if (EqualsIgnoreCase(argv[0], "multi")) {
    before_multi_ = before;
    in_multi_ = true;
  } else if (in_multi_ && EqualsIgnoreCase(argv[0], "exec")) {
    in_multi_ = false;
  }
}

Result<AofReader::Item> AofReader::Next(std::vector<std::string>* argv) {
  if (finished_) {
    if (!final_status_.ok()) return final_status_;
    return final_item_;
  }
  Result<Item> result = ReadNext(argv);
  if (!result.ok()) {
    finished_ = true;
    final_status_ = result.status();
  } else if (result->kind == Kind::kEnd || result->kind == Kind::kTruncated) {
    finished_ = true;
    final_item_ = *result;
  }
  return result;
}

Result<AofReader::Item> AofReader::ReadNext(std::vector<std::string>* argv) {
  const size_t line_start = pos_;
  std::string_view line;
  if (!ReadLine(&line)) {
    if (!in_multi_) return Item{};
    Item item = Truncated();
    item.truncate_at = before_multi_;
    item.incomplete_multi = true;
    return item;
  }
  if (line[0] == '#') {
    Item item;
    item.kind = Kind::kAnnotation;
    std::string_view text = line.substr(1);
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    item.annotation = text;
    item.timestamp = ParseTimestamp(line.substr(1));
    return item;
  }
  if (line[0] != '*') return FormatError(line_start, kBadFormat);
  return ReadCommand(line, line_start, argv);
}

Result<AofReader::Item> AofReader::ReadCommand(std::string_view header, size_t line_start,
                                               std::vector<std::string>* argv) {
  // fgets returned just "*" (or "*" then a NUL byte): Redis takes the
  // read-error path, a short read at EOF, an I/O-style failure otherwise.
  if (header.size() == 1 || header[1] == '\0') {
    if (eof_) return Truncated();
    return FormatError(line_start, "Unrecoverable error reading the append only file");
  }
  const int32_t argc = CAtoi(header.substr(1));
  if (argc < 1) return FormatError(line_start, kBadFormat);
  argv->clear();
  // Every argument needs at least 3 more bytes ("$" plus the skipped 2), so
  // a hostile count cannot make us reserve more than the input could hold.
  argv->reserve(std::min<size_t>(static_cast<size_t>(argc), (bytes_.size() - pos_) / 3));
  for (int32_t j = 0; j < argc; ++j) {
    const size_t arg_start = pos_;
    std::string_view line;
    if (!ReadLine(&line)) return Truncated();
    if (line[0] != '$') return FormatError(arg_start, kBadFormat);
    const int64_t len = CStrtol(line.substr(1)).value;
    if (len < 0) return FormatError(arg_start, "invalid bulk length " + std::to_string(len));
    const size_t remaining = bytes_.size() - pos_;
    if (static_cast<uint64_t>(len) > remaining) {
      pos_ = bytes_.size();  // fread consumes what is there, then hits EOF.
      eof_ = true;
      return Truncated();
    }
    argv->emplace_back(bytes_.substr(pos_, static_cast<size_t>(len)));
    pos_ += static_cast<size_t>(len);
    if (bytes_.size() - pos_ < 2) {
      pos_ = bytes_.size();
      eof_ = true;
      return Truncated();
    }
    pos_ += 2;  // The CRLF, skipped unchecked like Redis.
  }
  const size_t before = valid_up_to_;
  valid_up_to_ = pos_;
  NoteCommand(*argv, before);
  Item item;
  item.kind = Kind::kCommand;
  return item;
}

}  // namespace plab
