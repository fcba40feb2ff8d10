#include "core/resp/request_parser.h"

#include <cstring>

#include "core/util/numbers.h"
#include "core/util/split_args.h"

namespace plab {

void RequestParser::Feed(std::string_view bytes) {
  Compact();
  buf_.append(bytes);
}

void RequestParser::Compact() {
  // Drop consumed bytes once they dominate the buffer, so a long-lived
  // pipelining connection does not keep everything it ever sent.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ > 4096)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

RequestParser::Result RequestParser::Fail(std::string msg) {
  failed_ = true;
  error_ = std::move(msg);
  return Result::kError;
}

RequestParser::Result RequestParser::Next(std::vector<std::string>* argv) {
  if (failed_) return Result::kError;
  while (true) {
    if (args_left_ == 0) {
      pending_.clear();
      pending_bytes_ = 0;
      if (pos_ >= buf_.size()) return Result::kNeedMore;
      Result r = buf_[pos_] == '*' ? ParseMultibulk() : ParseInline();
      if (r != Result::kCommand) return r;
      // "*0\r\n", "*-1\r\n" and blank inline lines are no command at all.
      if (pending_.empty() && args_left_ == 0) continue;
    } else {
      Result r = ParseMultibulk();
      if (r != Result::kCommand) return r;
    }
    if (args_left_ == 0) {
      argv->swap(pending_);
      pending_.clear();
      pending_bytes_ = 0;
      return Result::kCommand;
    }
  }
}

RequestParser::Result RequestParser::ParseInline() {
  const char* start = buf_.data() + pos_;
  size_t avail = buf_.size() - pos_;
  // processInlineBuffer() looks for the newline with strchr(), which stops
  // at a NUL byte: a line with a NUL before its '\n' is never complete in
  // Redis 7.0.15 (the client waits, then hits "too big inline request").
  const void* nul = std::memchr(start, '\0', avail);
  const size_t searchable =
      nul == nullptr ? avail : static_cast<size_t>(static_cast<const char*>(nul) - start);
  const void* nl = std::memchr(start, '\n', searchable);
  if (nl == nullptr) {
    if (avail > limits_.max_inline_len) return Fail("Protocol error: too big inline request");
    return Result::kNeedMore;
  }
  size_t line_len = static_cast<size_t>(static_cast<const char*>(nl) - start);
  size_t consumed = line_len + 1;
  if (line_len > 0 && start[line_len - 1] == '\r') --line_len;
  auto parts = SplitArgs(std::string_view(start, line_len));
  if (!parts) return Fail("Protocol error: unbalanced quotes in request");
  pos_ += consumed;
  pending_ = std::move(*parts);
  return Result::kCommand;
}

RequestParser::Result RequestParser::ParseMultibulk() {
  if (args_left_ == 0) {
    // The "*<count>\r\n" header.
    const char* start = buf_.data() + pos_;
    size_t avail = buf_.size() - pos_;
    const void* cr = std::memchr(start, '\r', avail);
    if (cr == nullptr) {
      if (avail > limits_.max_inline_len) return Fail("Protocol error: too big mbulk count string");
      return Result::kNeedMore;
    }
    size_t line_len = static_cast<size_t>(static_cast<const char*>(cr) - start);
    if (line_len + 2 > avail) return Result::kNeedMore;  // wait for the '\n'
    auto count = ParseInt64(std::string_view(start + 1, line_len - 1));
    if (!count || *count > limits_.max_multibulk_len) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (*count > 10 && auth_required_) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ += line_len + 2;
    if (*count <= 0) return Result::kCommand;  // empty: skipped by Next()
    args_left_ = *count;
    bulk_len_ = -1;
    // Reserve only a bounded number of slots: the count is a promise, not data.
    pending_.reserve(static_cast<size_t>(args_left_ < 1024 ? args_left_ : 1024));
  }
  while (args_left_ > 0) {
    const char* start = buf_.data() + pos_;
    size_t avail = buf_.size() - pos_;
    if (bulk_len_ < 0) {
      const void* cr = std::memchr(start, '\r', avail);
      if (cr == nullptr) {
        if (avail > limits_.max_inline_len) {
          return Fail("Protocol error: too big bulk count string");
        }
        return Result::kNeedMore;
      }
      size_t line_len = static_cast<size_t>(static_cast<const char*>(cr) - start);
      if (line_len + 2 > avail) return Result::kNeedMore;
      if (start[0] != '$') {
        return Fail(std::string("Protocol error: expected '$', got '") + start[0] + "'");
      }
      auto len = ParseInt64(std::string_view(start + 1, line_len - 1));
      if (!len || *len < 0 || *len > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (*len > 16384 && auth_required_) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = *len;
      pos_ += line_len + 2;
      continue;
    }
    size_t need = static_cast<size_t>(bulk_len_) + 2;
    if (avail < need) return Result::kNeedMore;
    // Redis does not check the two bytes after the payload; neither do we.
    pending_.emplace_back(start, static_cast<size_t>(bulk_len_));
    pending_bytes_ += static_cast<uint64_t>(bulk_len_);
    pos_ += need;
    bulk_len_ = -1;
    --args_left_;
  }
  return Result::kCommand;
}

}  // namespace plab
