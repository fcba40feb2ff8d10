#include "core/util/glob.h"

#include <cctype>

namespace plab {
namespace {

int Fold(unsigned char c, bool nocase) { return nocase ? std::tolower(c) : c; }

// Matches one "[...]" set starting just after '['. Advances *p to the ']' (or
// the last byte when unterminated, as Redis does) and returns whether `c`
// matched.
bool MatchSet(std::string_view pat, size_t* p, unsigned char c, bool nocase) {
  size_t i = *p + 1;
  bool negate = i < pat.size() && pat[i] == '^';
  if (negate) ++i;
  bool match = false;
  while (true) {
    if (i >= pat.size()) {
      --i;  // unterminated set: Redis stops at the last byte
      break;
    }
    if (pat[i] == '\\' && i + 1 < pat.size()) {
      ++i;
      if (Fold(pat[i], nocase) == Fold(c, nocase)) match = true;
    } else if (pat[i] == ']') {
      break;
    } else if (i + 2 < pat.size() && pat[i + 1] == '-') {
      int start = Fold(pat[i], nocase), end = Fold(pat[i + 2], nocase);
      if (start > end) std::swap(start, end);
      int ch = Fold(c, nocase);
      i += 2;
      if (ch >= start && ch <= end) match = true;
    } else if (Fold(pat[i], nocase) == Fold(c, nocase)) {
      match = true;
    }
    ++i;
  }
  *p = i;
  return negate ? !match : match;
}

bool MatchImpl(std::string_view pat, std::string_view str, bool nocase, int depth) {
  // Redis caps recursion on '*' to avoid stack exhaustion on hostile patterns.
  if (depth > 1000) return false;
  size_t p = 0, s = 0;
  while (p < pat.size() && s < str.size()) {
    switch (pat[p]) {
      case '*': {
        while (p + 1 < pat.size() && pat[p + 1] == '*') ++p;
        if (p + 1 == pat.size()) return true;
        for (size_t k = s; k < str.size(); ++k) {
          if (MatchImpl(pat.substr(p + 1), str.substr(k), nocase, depth + 1)) return true;
        }
        return false;
      }
      case '?':
        ++s;
        break;
      case '[':
        if (!MatchSet(pat, &p, static_cast<unsigned char>(str[s]), nocase)) return false;
        ++s;
        break;
      case '\\':
        if (p + 1 < pat.size()) ++p;
        [[fallthrough]];
      default:
        if (Fold(pat[p], nocase) != Fold(str[s], nocase)) return false;
        ++s;
        break;
    }
    ++p;
  }
  if (s == str.size()) {
    while (p < pat.size() && pat[p] == '*') ++p;
  }
  return p == pat.size() && s == str.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return MatchImpl(pattern, str, nocase, 0);
}

}  // namespace plab
