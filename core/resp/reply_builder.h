// ReplyBuilder: appends RESP replies to a caller-owned buffer. Handlers never
// format protocol bytes by hand; they call these verbs.
//
// RESP2 as Redis 7.0 writes it to a RESP2 client:
//   +OK\r\n   -ERR msg\r\n   :42\r\n   $3\r\nfoo\r\n   $-1\r\n (nil)
//   *2\r\n...  *-1\r\n (nil array)   *0\r\n (empty array)
// Doubles are bulk strings (addReplyDouble), maps are flat arrays.
//
// A client that sent HELLO 3 speaks RESP3 (resp() == 3); the same verbs then
// write RESP3's types, as Redis 7.0's networking.c does per c->resp:
//   _\r\n (every null)  ,1.5\r\n (double)  %2\r\n (map of 2 pairs)
//   ~3\r\n (set)  #t\r\n (boolean)  =9\r\ntxt:hello\r\n (verbatim text)
// Handlers that nest differently under RESP3 (member/score pairs) ask resp().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plab {

class ReplyBuilder {
 public:
  // `out` must outlive the builder; bytes are appended, never cleared.
  explicit ReplyBuilder(std::string* out, int resp = 2) : out_(out), resp_(resp) {}

  // The protocol replies are written in: 2 or 3 (HELLO switches it).
  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }

  void Ok() { out_->append("+OK\r\n"); }
  void Simple(std::string_view s);
  // `msg` is the whole error line without the leading '-', e.g.
  // "ERR syntax error" or "WRONGTYPE Operation against ...". CR and LF are
  // replaced by spaces so a reply can never break the protocol (Redis's
  // addReplyErrorLength does the same sanitising).
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  // RESP3 has a single null type; both RESP2 nulls become "_".
  void Null() { out_->append(resp_ == 2 ? "$-1\r\n" : "_\r\n"); }
  void NullArray() { out_->append(resp_ == 2 ? "*-1\r\n" : "_\r\n"); }
  void ArrayHeader(size_t n);
  // addReplyMapLen: `pairs` key/value pairs follow (RESP2: a flat array).
  void MapHeader(size_t pairs);
  // addReplySetLen: `n` unique elements follow (RESP2: an array).
  void SetHeader(size_t n);
  // addReplyDouble: "%.17g" / "inf" / "-inf", as a bulk string in RESP2.
  void Double(double v);
  // addReplyBool: RESP2 has no boolean and sends :1 / :0.
  void Bool(bool b);
  // addReplyVerbatim: text tagged with a 3-letter format ("txt", "md");
  // a plain bulk string in RESP2.
  void Verbatim(std::string_view s, std::string_view format = "txt");
  // Pre-encoded protocol bytes (e.g. queued replies, EXEC results).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  std::string* buffer() { return out_; }

 private:
  void AggregateHeader(char type, size_t n);

  std::string* out_;
  int resp_;
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
