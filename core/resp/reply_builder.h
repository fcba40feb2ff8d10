// ReplyBuilder: appends RESP2 replies to a caller-owned buffer. Handlers never
// format protocol bytes by hand; they call these verbs.
//
// RESP2 as Redis 7.0 writes it to a RESP2 client:
//   +OK\r\n   -ERR msg\r\n   :42\r\n   $3\r\nfoo\r\n   $-1\r\n (nil)
//   *2\r\n...  *-1\r\n (nil array)   *0\r\n (empty array)
// Doubles are bulk strings (addReplyDouble), maps are flat arrays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plab {

class ReplyBuilder {
 public:
  // `out` must outlive the builder; bytes are appended, never cleared.
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void Ok() { out_->append("+OK\r\n"); }
  void Simple(std::string_view s);
  // `msg` is the whole error line without the leading '-', e.g.
  // "ERR syntax error" or "WRONGTYPE Operation against ...". CR and LF are
  // replaced by spaces so a reply can never break the protocol (Redis's
  // addReplyErrorLength does the same sanitising).
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void Null() { out_->append("$-1\r\n"); }
  void NullArray() { out_->append("*-1\r\n"); }
  void ArrayHeader(size_t n);
  // addReplyDouble in RESP2: a bulk string with "%.17g" / "inf" / "-inf".
  void Double(double v);
  // Pre-encoded protocol bytes (e.g. queued replies, EXEC results).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  std::string* buffer() { return out_; }

 private:
  std::string* out_;
};

// Common error replies, spelled exactly as Redis 7.0 spells them.
namespace errors {
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kPositive = "ERR value is out of range, must be positive";
}  // namespace errors

}  // namespace plab
