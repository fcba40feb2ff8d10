// Shared argument handling for the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN),
// matching Redis 7.0's db.c: parseScanCursorOrReply() for the cursor and
// step 1 of scanGenericCommand() for the options, plus the dictScan loop of
// step 2 for collections stored as a Dict.
//
// Typical use in an xSCAN handler (Redis's order of checks):
//   (HSCAN/SSCAN/ZSCAN: BeginCollectionScan() does all of this.)
//   auto cursor = ParseScanCursor(ctx.argv[2]);
//   if (!cursor) return ctx.reply.Error(kInvalidCursorError);
//   ... look the key up (missing key: ReplyEmptyScan) and check its type ...
//   ScanOptions opts;
//   if (auto err = ParseScanOptions(ctx.argv, 3, false, &opts); !err.empty())
//     return ctx.reply.Error(err);
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command.h"
#include "core/resp/reply_builder.h"
#include "core/store/dict.h"
#include "core/store/value.h"
#include "core/util/glob.h"
#include "core/util/numbers.h"

namespace plab {

inline constexpr std::string_view kInvalidCursorError = "ERR invalid cursor";

// Parses a cursor the way Redis's strtoul() call does: base 10, an optional
// '+' or '-' (a negative cursor wraps around modulo 2^64, as strtoul does),
// leading zeros allowed, no leading whitespace, nothing after the digits.
// An empty string is cursor 0 (strtoul consumes nothing and its end pointer
// is then the terminator, which Redis accepts). Values above 2^64-1 are
// rejected. An embedded NUL ends the number, as it ends strtoul's input.
inline std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const size_t digits_start = i;
  uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return std::nullopt;  // ERANGE
    v = v * 10 + d;
  }
  // Without digits strtoul leaves the end pointer at the string's start, so
  // Redis's "end is the terminator" check passes only for an empty string.
  if (i == digits_start) {
    return s.empty() || s[0] == '\0' ? std::optional<uint64_t>(0) : std::nullopt;
  }
  if (i < s.size() && s[i] != '\0') return std::nullopt;
  return negative ? 0 - v : v;
}

struct ScanOptions {
  int64_t count = 10;        // COUNT, >= 1
  std::string_view pattern;  // MATCH; only meaningful when use_pattern
  bool use_pattern = false;  // false for no MATCH or MATCH "*"
  std::string_view type;     // TYPE (SCAN only); only when has_type
  bool has_type = false;

  bool Matches(std::string_view element) const {
    return !use_pattern || GlobMatch(pattern, element);
  }
};

// Parses the options starting at argv[first]. TYPE is accepted only when
// `allow_type` (plain SCAN). Returns "" on success, otherwise the error line
// to reply with. The string_views in `out` point into argv.
inline std::string_view ParseScanOptions(const std::vector<std::string>& argv, size_t first,
                                         bool allow_type, ScanOptions* out) {
  for (size_t i = first; i < argv.size(); i += 2) {
    // Every option takes one value; a trailing option name is a syntax error.
    const bool has_value = i + 1 < argv.size();
    if (has_value && EqualsIgnoreCase(argv[i], "count")) {
      auto count = ParseInt64(argv[i + 1]);
      if (!count) return errors::kNotInteger;
      if (*count < 1) return errors::kSyntax;
      out->count = *count;
    } else if (has_value && EqualsIgnoreCase(argv[i], "match")) {
      out->pattern = argv[i + 1];
      out->use_pattern = out->pattern != "*";  // "*" matches everything: skip the matcher
    } else if (has_value && allow_type && EqualsIgnoreCase(argv[i], "type")) {
      out->type = argv[i + 1];
      out->has_type = true;
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// `a * b` for positive values, clamped to INT64_MAX.
inline int64_t SaturatingMul(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() / b ? std::numeric_limits<int64_t>::max() : a * b;
}

// The dictScan loop of scanGenericCommand(): scans buckets from `cursor`
// until the cursor wraps to 0, `collected()` reaches `limit`, or the budget
// of limit*10 further buckets is spent (Redis's guard against sparse
// tables). `limit` is in the caller's reply units: Redis doubles COUNT for
// hashes and sorted sets because it collects field and value separately,
// and the budget is derived from that doubled number. Filtering by MATCH
// happens afterwards, so non-matching elements count towards `limit`.
// Returns the next cursor.
template <typename V, typename Visit, typename Collected>
uint64_t ScanDictLikeRedis(const Dict<V>& dict, uint64_t cursor, int64_t limit, Visit&& visit,
                           Collected&& collected) {
  int64_t max_iterations = SaturatingMul(limit, 10);
  do {
    cursor = dict.Scan(cursor, visit);
  } while (cursor != 0 && max_iterations-- != 0 && static_cast<int64_t>(collected()) < limit);
  return cursor;
}

// The reply for a missing key: cursor "0" and no elements.
inline void ReplyEmptyScan(ReplyBuilder& reply) {
  reply.ArrayHeader(2);
  reply.Bulk("0");
  reply.ArrayHeader(0);
}

// The common start of HSCAN/SSCAN/ZSCAN, with scanGenericCommand()'s order of
// checks: cursor, key lookup (read) and type, then options. Returns false
// after replying (bad cursor, WRONGTYPE, an empty scan for a missing key, a
// bad option); otherwise *value is the collection to scan.
inline bool BeginCollectionScan(CommandContext& ctx, ValueType type, const Value** value,
                                uint64_t* cursor, ScanOptions* opts) {
  std::optional<uint64_t> parsed = ParseScanCursor(ctx.argv[2]);
  if (!parsed) {
    ctx.reply.Error(kInvalidCursorError);
    return false;
  }
  const Value* v = nullptr;
  if (!ctx.LookupTypedRead(ctx.argv[1], type, &v)) return false;
  if (v == nullptr) {
    ReplyEmptyScan(ctx.reply);
    return false;
  }
  if (auto err = ParseScanOptions(ctx.argv, 3, false, opts); !err.empty()) {
    ctx.reply.Error(err);
    return false;
  }
  *value = v;
  *cursor = *parsed;
  return true;
}

}  // namespace plab
