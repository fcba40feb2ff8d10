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

void ReplyBuilder::ArrayHeader(size_t n) {
  out_->push_back('*');
  AppendInt64(out_, static_cast<int64_t>(n));
  out_->append("\r\n");
}

void ReplyBuilder::Double(double v) { Bulk(FormatDoubleReply(v)); }

}  // namespace plab
