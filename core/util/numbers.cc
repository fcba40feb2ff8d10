#include "core/util/numbers.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace plab {

std::optional<int64_t> ParseInt64(std::string_view s) {
  // Mirrors string2ll(): the cheap cases first, then digit by digit with
  // overflow checks against the unsigned magnitude.
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() / 10)) return std::nullopt;
    v *= 10;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > std::numeric_limits<uint64_t>::max() - d) return std::nullopt;
    v += d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<double> ParseDouble(std::string_view s) {
  // strtod needs a NUL-terminated buffer; Redis's sds strings have one.
  if (s.empty() || s.size() >= 5 * 1024) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char buf[5 * 1024];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() >= 5 * 1024) return std::nullopt;
  char buf[5 * 1024];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf, &end);
  // The length check rejects embedded NULs ("7\0\0" is not 7), like string2ld.
  if (std::isspace(static_cast<unsigned char>(buf[0])) || *end != '\0' ||
      static_cast<size_t>(end - buf) != s.size()) {
    return std::nullopt;
  }
  if (errno == ERANGE &&
      (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  if (errno == EINVAL || std::isnan(v)) return std::nullopt;
  return v;
}

std::string FormatInt64(int64_t v) {
  std::string out;
  AppendInt64(&out, v);
  return out;
}

void AppendInt64(std::string* out, int64_t v) {
  char buf[24];
  char* p = buf + sizeof(buf);
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  if (v < 0) *--p = '-';
  out->append(p, static_cast<size_t>(buf + sizeof(buf) - p));
}

std::string FormatDoubleReply(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> FormatLongDoubleHuman(long double v) {
  if (std::isinf(v) || std::isnan(v)) return std::nullopt;
  // Large magnitudes print many digits with %Lf; Redis bounds this at
  // MAX_LONG_DOUBLE_CHARS (5k) and fails beyond it.
  char buf[5 * 1024];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) + 1 > sizeof(buf)) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return std::string("0");
  return std::string(buf, len);
}

bool IsCanonicalInt64(std::string_view s) {
  return s.size() <= 20 && ParseInt64(s).has_value();
}

}  // namespace plab
