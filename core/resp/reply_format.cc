#include "core/resp/reply_format.h"

#include <cstdio>
#include <optional>
#include <utility>

#include "core/util/numbers.h"

namespace plab {
namespace {

// Deeper nesting than this is treated as a broken stream rather than risking
// the stack (our own engine never nests more than a few levels).
constexpr int kMaxDepth = 512;

// Recursive-descent parser over a complete-or-partial byte string. It never
// consumes anything unless the whole reply is present, which keeps the
// incremental reader trivial: on kNeedMore it just waits for more bytes.
class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  ReplyParse Parse(Reply* out, int depth);
  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  // Reads up to the next CRLF. False when no complete line is buffered yet.
  bool ReadLine(std::string_view* line);
  ReplyParse Fail(std::string msg) {
    error_ = std::move(msg);
    return ReplyParse::kError;
  }
  ReplyParse ParseLength(std::string_view text, int64_t* n);
  ReplyParse ParseBulk(char type, std::string_view len_text, Reply* out);
  ReplyParse ParseAggregate(char type, std::string_view len_text, Reply* out, int depth);

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

bool Parser::ReadLine(std::string_view* line) {
  size_t end = in_.find("\r\n", pos_);
  if (end == std::string_view::npos) return false;
  *line = in_.substr(pos_, end - pos_);
  pos_ = end + 2;
  return true;
}

ReplyParse Parser::ParseLength(std::string_view text, int64_t* n) {
  std::optional<int64_t> v = ParseInt64(text);
  if (!v || *v < -1) return Fail("Bad length '" + std::string(text) + "' in reply");
  *n = *v;
  return ReplyParse::kComplete;
}

ReplyParse Parser::ParseBulk(char type, std::string_view len_text, Reply* out) {
  int64_t len = 0;
  if (ParseLength(len_text, &len) != ReplyParse::kComplete) return ReplyParse::kError;
  if (len == -1) {
    out->type = Reply::Type::kNil;
    return ReplyParse::kComplete;
  }
  const size_t need = static_cast<size_t>(len) + 2;
  if (in_.size() - pos_ < need) return ReplyParse::kNeedMore;
  if (in_.substr(pos_ + len, 2) != "\r\n") return Fail("Bulk string not terminated by CRLF");
  std::string_view body = in_.substr(pos_, len);
  pos_ += need;
  if (type == '=') {
    // Verbatim strings start with a 3-letter format and ':' ("txt:"); like
    // hiredis we keep only the text after it.
    out->type = Reply::Type::kVerbatim;
    if (body.size() < 4 || body[3] != ':') return Fail("Verbatim string too short");
    body.remove_prefix(4);
  } else {
    out->type = Reply::Type::kBulk;
  }
  out->str.assign(body);
  return ReplyParse::kComplete;
}

ReplyParse Parser::ParseAggregate(char type, std::string_view len_text, Reply* out, int depth) {
  int64_t count = 0;
  if (ParseLength(len_text, &count) != ReplyParse::kComplete) return ReplyParse::kError;
  if (count == -1) {
    out->type = Reply::Type::kNil;  // *-1: the null array, printed as (nil)
    return ReplyParse::kComplete;
  }
  const bool pairs = type == '%' || type == '|';
  const int64_t n = pairs ? count * 2 : count;
  std::vector<Reply> elements;
  // Don't trust the announced count for allocation: grow with actual data.
  elements.reserve(static_cast<size_t>(n < 1024 ? n : 1024));
  for (int64_t i = 0; i < n; ++i) {
    elements.emplace_back();
    ReplyParse r = Parse(&elements.back(), depth + 1);
    if (r != ReplyParse::kComplete) return r;
  }
  if (type == '|') return Parse(out, depth);  // attributes annotate the next reply
  switch (type) {
    case '%':
      out->type = Reply::Type::kMap;
      break;
    case '~':
      out->type = Reply::Type::kSet;
      break;
    case '>':
      out->type = Reply::Type::kPush;
      break;
    default:
      out->type = Reply::Type::kArray;
      break;
  }
  out->elements = std::move(elements);
  return ReplyParse::kComplete;
}

ReplyParse Parser::Parse(Reply* out, int depth) {
  if (depth > kMaxDepth) return Fail("Reply nested too deeply");
  std::string_view line;
  if (!ReadLine(&line)) return ReplyParse::kNeedMore;
  if (line.empty()) return Fail("Empty line where a reply type byte was expected");
  const char type = line[0];
  std::string_view body = line.substr(1);
  *out = Reply();
  switch (type) {
    case '+':
      out->type = Reply::Type::kStatus;
      out->str.assign(body);
      break;
    case '-':
      out->type = Reply::Type::kError;
      out->str.assign(body);
      break;
    case ',':
      out->type = Reply::Type::kDouble;
      out->str.assign(body);
      break;
    case '(':
      out->type = Reply::Type::kBigNumber;
      out->str.assign(body);
      break;
    case '_':
      out->type = Reply::Type::kNil;
      break;
    case ':': {
      std::optional<int64_t> v = ParseInt64(body);
      if (!v) return Fail("Bad integer value '" + std::string(body) + "' in reply");
      out->type = Reply::Type::kInteger;
      out->integer = *v;
      break;
    }
    case '#':
      if (body != "t" && body != "f") return Fail("Bad boolean value in reply");
      out->type = Reply::Type::kBool;
      out->integer = body == "t" ? 1 : 0;
      break;
    case '$':
    case '=':
      return ParseBulk(type, body, out);
    case '*':
    case '%':
    case '~':
    case '>':
    case '|':
      return ParseAggregate(type, body, out, depth);
    default:
      return Fail("Protocol error, got '" + std::string(1, type) + "' as reply type byte");
  }
  return ReplyParse::kComplete;
}

// ---- redis-cli's tty rendering -------------------------------------------

// Whether an element renders on several lines (cliIsMultilineValueTTY): a map
// value that does is moved to its own line after " => " to keep alignment.
bool IsMultiline(const Reply& r) {
  if (!r.is_aggregate()) return false;
  const size_t n = r.elements.size();
  if (n == 0) return false;
  if (r.type == Reply::Type::kMap) return n > 2 || IsMultiline(r.elements[1]);
  return n > 1 || IsMultiline(r.elements[0]);
}

const char* EmptyAggregateText(Reply::Type t) {
  switch (t) {
    case Reply::Type::kMap:
      return "(empty hash)\n";
    case Reply::Type::kSet:
      return "(empty set)\n";
    case Reply::Type::kPush:
      return "(empty push)\n";
    default:
      return "(empty array)\n";
  }
}

void AppendTty(const Reply& r, const std::string& prefix, std::string* out);

// Aggregates: "N) " labels right-aligned to the widest index; nested
// elements are indented by the label width so they line up under the first
// line (the parent already printed the label for the first element).
void AppendTtyAggregate(const Reply& r, const std::string& prefix, std::string* out) {
  if (r.elements.empty()) {
    out->append(EmptyAggregateText(r.type));
    return;
  }
  const bool is_map = r.type == Reply::Type::kMap;
  const size_t count = is_map ? r.elements.size() / 2 : r.elements.size();
  const size_t width = std::to_string(count).size();
  const std::string child_prefix = prefix + std::string(width + 2, ' ');
  const char sep = is_map ? '#' : r.type == Reply::Type::kSet ? '~' : ')';
  const size_t step = is_map ? 2 : 1;
  for (size_t i = 0; i + step <= r.elements.size(); i += step) {
    if (i != 0) out->append(prefix);
    std::string label = std::to_string(i / step + 1);
    out->append(width - label.size(), ' ');
    out->append(label);
    out->push_back(sep);
    out->push_back(' ');
    AppendTty(r.elements[i], child_prefix, out);
    if (!is_map) continue;
    out->pop_back();  // the key's "\n": the value goes on the same line
    out->append(" => ");
    const Reply& value = r.elements[i + 1];
    if (IsMultiline(value)) {
      out->push_back('\n');
      out->append(child_prefix);
    }
    AppendTty(value, child_prefix, out);
  }
}

void AppendTty(const Reply& r, const std::string& prefix, std::string* out) {
  switch (r.type) {
    case Reply::Type::kError:
      out->append("(error) ").append(r.str);
      break;
    case Reply::Type::kStatus:
      out->append(r.str);
      break;
    case Reply::Type::kInteger:
      out->append("(integer) ").append(FormatInt64(r.integer));
      break;
    case Reply::Type::kDouble:
      out->append("(double) ").append(r.str);
      break;
    // redis-cli 7.0 has no rendering for big numbers; we label them like
    // the other typed scalars.
    case Reply::Type::kBigNumber:
      out->append("(big number) ").append(r.str);
      break;
    case Reply::Type::kBulk:
      out->append(QuoteReplyString(r.str));
      break;
    case Reply::Type::kVerbatim:
      out->append(r.str);
      break;
    case Reply::Type::kNil:
      out->append("(nil)");
      break;
    case Reply::Type::kBool:
      out->append(r.integer ? "(true)" : "(false)");
      break;
    default:
      AppendTtyAggregate(r, prefix, out);
      return;
  }
  out->push_back('\n');
}

// ---- redis-cli's raw rendering -------------------------------------------

void AppendRaw(const Reply& r, std::string* out) {
  switch (r.type) {
    case Reply::Type::kNil:
      break;
    // An error keeps its own newline, so in raw mode an error is followed
    // by an empty line (redis-cli does the same).
    case Reply::Type::kError:
      out->append(r.str).push_back('\n');
      break;
    case Reply::Type::kStatus:
    case Reply::Type::kBulk:
    case Reply::Type::kVerbatim:
    case Reply::Type::kDouble:
    case Reply::Type::kBigNumber:
      out->append(r.str);
      break;
    case Reply::Type::kBool:
      out->append(r.integer ? "(true)" : "(false)");
      break;
    case Reply::Type::kInteger:
      out->append(FormatInt64(r.integer));
      break;
    case Reply::Type::kMap:
      for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
        if (i > 0) out->push_back('\n');
        AppendRaw(r.elements[i], out);
        out->push_back(' ');
        AppendRaw(r.elements[i + 1], out);
      }
      break;
    default:  // arrays, sets, push: one element per line, nesting flattened
      for (size_t i = 0; i < r.elements.size(); ++i) {
        if (i > 0) out->push_back('\n');
        AppendRaw(r.elements[i], out);
      }
      break;
  }
}

bool Is(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

ReplyParse ParseReply(std::string_view bytes, Reply* out, size_t* consumed, std::string* error) {
  Parser p(bytes);
  Reply r;
  ReplyParse result = p.Parse(&r, 0);
  if (result == ReplyParse::kComplete) {
    *out = std::move(r);
    *consumed = p.pos();
  } else if (result == ReplyParse::kError && error != nullptr) {
    *error = p.error();
  }
  return result;
}

void ReplyReader::Feed(std::string_view bytes) {
  // Drop consumed bytes once they dominate the buffer, so memory stays
  // proportional to what is still pending.
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

ReplyParse ReplyReader::Next(Reply* out) {
  if (failed_) return ReplyParse::kError;
  size_t used = 0;
  ReplyParse r = ParseReply(std::string_view(buf_).substr(pos_), out, &used, &error_);
  if (r == ReplyParse::kComplete) pos_ += used;
  if (r == ReplyParse::kError) failed_ = true;
  return r;
}

std::string FormatReplyTty(const Reply& reply) {
  std::string out;
  AppendTty(reply, "", &out);
  return out;
}

std::string FormatReplyRaw(const Reply& reply) {
  std::string out;
  AppendRaw(reply, &out);
  out.push_back('\n');
  return out;
}

std::string FormatReplyVerbatim(const Reply& reply) {
  std::string out;
  AppendRaw(reply, &out);
  return out;
}

std::string QuoteReplyString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      default:
        // isprint() in the C locale: only ASCII 0x20..0x7e print as is, so
        // UTF-8 text shows as \xHH bytes, exactly as redis-cli shows it.
        if (c >= 0x20 && c <= 0x7e) {
          out.push_back(static_cast<char>(c));
        } else {
          char hex[5];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out.append(hex);
        }
    }
  }
  out.push_back('"');
  return out;
}

bool PrintsVerbatim(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  const std::string_view cmd = argv[0];
  const size_t argc = argv.size();
  if (Is(cmd, "info") || Is(cmd, "lolwut")) return true;
  if (argc < 2) return false;
  const std::string_view sub = argv[1];
  if (Is(cmd, "debug"))
    return Is(sub, "htstats") || Is(sub, "htstats-key") || Is(sub, "client-eviction");
  if (Is(cmd, "memory")) return Is(sub, "malloc-stats") || Is(sub, "doctor");
  if (Is(cmd, "cluster")) return argc == 2 && (Is(sub, "nodes") || Is(sub, "info"));
  if (Is(cmd, "client")) return Is(sub, "list") || Is(sub, "info");
  if (Is(cmd, "latency")) {
    return (argc == 3 && Is(sub, "graph")) || (argc == 2 && Is(sub, "doctor"));
  }
  return false;
}

}  // namespace plab
