// RequestParser: turns the bytes a client sends into commands (argv vectors),
// incrementally. It accepts exactly what Redis 7.0's processInputBuffer()
// accepts:
//   - RESP multibulk:   *<n>\r\n  then n times  $<len>\r\n<bytes>\r\n
//   - inline commands:  a line of text as typed in telnet, split like
//     sdssplitargs() (quotes, \xHH escapes); empty lines are skipped.
// Input may arrive in arbitrary pieces (a byte at a time), and one Feed() may
// hold many pipelined commands.
//
// Bounds (a hostile client can't make us allocate): a bulk length above
// `max_bulk_len` (proto-max-bulk-len, 512 MB), a multibulk count above
// 1,048,576 (a deliberate bound: Redis 7.0 allows INT_MAX), an inline line or a length line above
// 64 KB are protocol errors. Memory grows only with bytes actually received: an announced length is
// never allocated up front.
//
// After a protocol error the parser stays in the error state; the connection
// must reply with "-ERR <error()>" and close, as Redis does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plab {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = 1024 * 1024;
  size_t max_inline_len = 64 * 1024;  // PROTO_INLINE_MAX_SIZE
};

class RequestParser {
 public:
  enum class Result { kNeedMore, kCommand, kError };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Appends received bytes to the internal buffer.
  void Feed(std::string_view bytes);

  // Extracts the next complete command into *argv (cleared first). Returns
  // kNeedMore when the buffered bytes hold no complete command, kError on a
  // protocol violation (see error()).
  Result Next(std::vector<std::string>* argv);

  // Redis's wording, e.g. "Protocol error: invalid bulk length".
  const std::string& error() const { return error_; }

  // While true, an unauthenticated client may not announce more than 10
  // arguments or 16 KB bulks (Redis 7.0's authRequired() checks).
  void set_auth_required(bool v) { auth_required_ = v; }
  void set_limits(const ParserLimits& limits) { limits_ = limits; }

  // Bytes received but not consumed yet (the query buffer, for CLIENT LIST).
  size_t buffered() const { return buf_.size() - pos_; }
  // What client-query-buffer-limit is checked against: the unconsumed bytes
  // plus the arguments already parsed out of them for a command that is not
  // complete yet. Redis 7.0.15 counts only its query buffer, whose big bulks
  // move into argv as they complete, so a multibulk of many large arguments
  // (up to INT_MAX of proto-max-bulk-len each) is not bounded there;
  // PersistLab counts them (issue 13 §5).
  uint64_t query_bytes() const { return buffered() + pending_bytes_; }
  // The unconsumed bytes (the log line of a client over the limit quotes
  // their start).
  std::string_view unparsed() const { return std::string_view(buf_).substr(pos_); }

 private:
  Result ParseInline();
  Result ParseMultibulk();
  Result Fail(std::string msg);
  void Compact();

  ParserLimits limits_;
  std::string buf_;
  size_t pos_ = 0;
  // Multibulk state carried across Feed() calls.
  std::vector<std::string> pending_;  // arguments of the command being read
  uint64_t pending_bytes_ = 0;        // their total length
  int64_t args_left_ = 0;             // bulks still expected in the current command
  int64_t bulk_len_ = -1;             // length of the bulk being read, -1 if unknown
  bool auth_required_ = false;
  bool failed_ = false;
  std::string error_;
};

}  // namespace plab
