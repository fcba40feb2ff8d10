#include "core/util/split_args.h"

#include <cctype>

namespace plab {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t p = 0;
  const size_t n = line.size();
  // The view's end plays the role of sdssplitargs' NUL terminator.
  auto at = [&](size_t i) -> char { return i < n ? line[i] : '\0'; };
  while (true) {
    while (p < n && IsBlank(line[p])) ++p;
    if (p >= n) return out;
    std::string current;
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      char c = at(p);
      if (in_dq) {
        if (c == '\\' && at(p + 1) == 'x' && HexValue(at(p + 2)) >= 0 && HexValue(at(p + 3)) >= 0) {
          current.push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && p + 1 < n) {
          ++p;
          char e = line[p];
          switch (e) {
            case 'n': e = '\n'; break;
            case 'r': e = '\r'; break;
            case 't': e = '\t'; break;
            case 'b': e = '\b'; break;
            case 'a': e = '\a'; break;
            default: break;
          }
          current.push_back(e);
        } else if (c == '"') {
          if (p + 1 < n && !IsBlank(line[p + 1])) return std::nullopt;
          done = true;
        } else if (p >= n) {
          return std::nullopt;
        } else {
          current.push_back(c);
        }
      } else if (in_sq) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          current.push_back('\'');
        } else if (c == '\'') {
          if (p + 1 < n && !IsBlank(line[p + 1])) return std::nullopt;
          done = true;
        } else if (p >= n) {
          return std::nullopt;
        } else {
          current.push_back(c);
        }
      } else {
        switch (c) {
          case ' ': case '\n': case '\r': case '\t': case '\0':
            if (c != '\0' || p >= n) {
              done = true;
              break;
            }
            current.push_back(c);
            break;
          case '"': in_dq = true; break;
          case '\'': in_sq = true; break;
          default: current.push_back(c); break;
        }
      }
      if (p < n) ++p;
    }
    out.push_back(std::move(current));
  }
}

}  // namespace plab
