#include "core/resp/reply_builder.h"

#include "core/util/numbers.h"

namespace plab {

void ReplyBuilder::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::Error(std::string_view msg) {
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n");
}

void ReplyBuilder::Integer(int64_t v) {
  out_->push_back(':');
  AppendInt64(out_, v);
  out_->append("\r\n");
}

void ReplyBuilder::Bulk(std::string_view s) {
  out_->push_back('$');
  AppendInt64(out_, static_cast<int64_t>(s.size()));
  out_->append("\r\n");
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::AggregateHeader(char type, size_t n) {
  out_->push_back(type);
  AppendInt64(out_, static_cast<int64_t>(n));
  out_->append("\r\n");
}

void ReplyBuilder::ArrayHeader(size_t n) { AggregateHeader('*', n); }

void ReplyBuilder::MapHeader(size_t pairs) {
  if (resp_ == 2) return AggregateHeader('*', pairs * 2);
  AggregateHeader('%', pairs);
}

void ReplyBuilder::SetHeader(size_t n) { AggregateHeader(resp_ == 2 ? '*' : '~', n); }

void ReplyBuilder::Double(double v) {
  if (resp_ == 2) return Bulk(FormatDoubleReply(v));
  out_->push_back(',');
  out_->append(FormatDoubleReply(v));
  out_->append("\r\n");
}

void ReplyBuilder::Bool(bool b) {
  if (resp_ == 2) return Integer(b ? 1 : 0);
  out_->append(b ? "#t\r\n" : "#f\r\n");
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view format) {
  if (resp_ == 2) return Bulk(s);
  // "=<len>\r\nfmt:<text>\r\n": the length counts the 4-byte "fmt:" prefix;
  // the format is padded or cut to exactly 3 characters like Redis does.
  out_->push_back('=');
  AppendInt64(out_, static_cast<int64_t>(s.size() + 4));
  out_->append("\r\n");
  for (size_t i = 0; i < 3; ++i) out_->push_back(i < format.size() ? format[i] : ' ');
  out_->push_back(':');
  out_->append(s);
  out_->append("\r\n");
}

}  // namespace plab
