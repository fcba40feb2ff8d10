// Reply reading and printing for terminals: turns RESP reply bytes back into
// a tree (Reply) and renders it the way redis-cli 7.0 prints it, so a user of
// `plab` (and later of the browser terminal) sees exactly what redis-cli would
// show for the same command.
//
//   Reply r;
//   size_t used = 0;
//   if (ParseReply(engine.Execute({"GET", "k"}), &r, &used) == ReplyParse::kComplete)
//     std::fputs(FormatReplyTty(r).c_str(), stdout);   // "\"v\"\n" or "(nil)\n"
//
// Two output styles, as in redis-cli:
//   - FormatReplyTty: what redis-cli prints when stdout is a terminal
//     (cliFormatReplyTTY): `(integer) 1`, quoted strings with escapes,
//     `(nil)`, `(error) ERR ...`, numbered nested arrays.
//   - FormatReplyRaw: what it prints when stdout is a pipe or with --raw
//     (cliFormatReplyRaw + the "\n" command delimiter): bare values, one per
//     line, arrays flattened, nil as an empty line.
// RESP3 types (maps, sets, doubles, booleans, verbatim strings, push) are
// understood too, so HELLO 3 sessions print like `redis-cli -3`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plab {

// One decoded reply (the counterpart of hiredis's redisReply).
struct Reply {
  enum class Type {
    kStatus,     // +OK
    kError,      // -ERR ...
    kInteger,    // :1
    kBulk,       // $3 foo
    kNil,        // $-1, *-1, RESP3 _
    kArray,      // *N
    kMap,        // RESP3 %N: elements hold key, value, key, value, ...
    kSet,        // RESP3 ~N
    kPush,       // RESP3 >N
    kDouble,     // RESP3 ,3.14 (text kept as sent)
    kBool,       // RESP3 #t / #f (integer is 1 / 0)
    kVerbatim,   // RESP3 =N txt:...  (str without the 4-byte "txt:" prefix)
    kBigNumber,  // RESP3 (12345... (digits in str)
  };
  Type type = Type::kNil;
  std::string str;
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_aggregate() const {
    return type == Type::kArray || type == Type::kMap || type == Type::kSet || type == Type::kPush;
  }
};

enum class ReplyParse { kComplete, kNeedMore, kError };

// Parses one reply from the front of `bytes`. On kComplete, *out holds it and
// *consumed the number of bytes it used; on kNeedMore nothing is consumed;
// on kError, *error (if given) says what is wrong. RESP3 attributes (|N) are
// skipped: the reply is the value that follows them.
ReplyParse ParseReply(std::string_view bytes, Reply* out, size_t* consumed,
                      std::string* error = nullptr);

// An incremental reader: Feed() bytes as they arrive, then call Next() until
// it returns kNeedMore. After kError the reader stays failed (the stream is
// out of sync and can't be recovered, as with hiredis).
class ReplyReader {
 public:
  void Feed(std::string_view bytes);
  ReplyParse Next(Reply* out);
  const std::string& error() const { return error_; }
  // Bytes received but not yet returned as a reply.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
};

// redis-cli's interactive (stdout is a tty) rendering. Ends with "\n".
std::string FormatReplyTty(const Reply& reply);

// redis-cli's piped / --raw rendering, including the trailing "\n" that
// redis-cli writes after every command's reply.
std::string FormatReplyRaw(const Reply& reply);

// redis-cli's verbatim rendering, used even on a tty for commands whose reply
// is a preformatted text block (INFO, CLIENT LIST, ...): like raw but without
// the trailing delimiter.
std::string FormatReplyVerbatim(const Reply& reply);

// Quotes a byte string as sdscatrepr() does: "..." with \\ \" \n \r \t \a \b
// escaped, other non-printable (non-ASCII-printable) bytes as \xHH.
std::string QuoteReplyString(std::string_view s);

// True for the commands redis-cli always prints verbatim because their reply
// is a text report (INFO, LOLWUT, CLIENT LIST/INFO, MEMORY DOCTOR, ...),
// mirroring cliSendCommand's list.
bool PrintsVerbatim(const std::vector<std::string>& argv);

}  // namespace plab
