// ASCII case folding, the one copy the project uses. Redis compares command
// names, option words (EX, NX, WITHSCORES), config names and AOF manifest
// keys with strcasecmp() in the C locale: only 'A'-'Z' fold, whatever the
// locale, and bytes >= 0x80 compare as they are. These helpers do the same
// (no <cctype>, whose answer depends on the process locale).
#pragma once

#include <string>
#include <string_view>

namespace plab {

constexpr char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// strcasecmp(a, b) == 0.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// strncasecmp(s, prefix, strlen(prefix)) == 0.
constexpr bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// Folds `s` in place and returns it (for `std::string name = ...` chains).
inline std::string& LowerInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
  return s;
}
inline std::string& UpperInPlace(std::string& s) {
  for (char& c : s) c = AsciiUpper(c);
  return s;
}

}  // namespace plab
