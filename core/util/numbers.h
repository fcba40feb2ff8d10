// Number <-> string conversions with Redis 7.0's exact rules. Replies and
// stored values depend on these byte for byte, so each function names the
// Redis routine (util.c) whose behaviour it matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plab {

// Redis string2ll(): optional '-', no '+', no spaces, no leading zeros
// ("0" is fine, "-0" and "01" are not), must fit in int64.
std::optional<int64_t> ParseInt64(std::string_view s);

// Redis string2d() (getDoubleFromObject): strtod of the whole string,
// rejecting empty input, leading space, trailing junk, overflow and NaN.
// Accepts "inf", "-inf", "+inf", "1e3", " 1" is rejected.
std::optional<double> ParseDouble(std::string_view s);

// Redis string2ld() (getLongDoubleFromObject), used by INCRBYFLOAT and
// HINCRBYFLOAT: like ParseDouble but with long double precision.
std::optional<long double> ParseLongDouble(std::string_view s);

// ll2string().
std::string FormatInt64(int64_t v);
void AppendInt64(std::string* out, int64_t v);

// addReplyDouble() in RESP2: "%.17g", with "inf"/"-inf" spelled out.
// (Redis 7.0 prints ZSCORE 1.1 as "1.1000000000000001"; 7.2 changed that.)
std::string FormatDoubleReply(double v);

// ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a bare
// '.') removed, "-0" printed as "0". Used for INCRBYFLOAT/HINCRBYFLOAT
// results. Returns nullopt for inf/nan (callers reject those first).
std::optional<std::string> FormatLongDoubleHuman(long double v);

// True when `s` is what Redis would store with the "int" encoding: a
// canonical int64 of at most 20 chars (tryObjectEncoding()).
bool IsCanonicalInt64(std::string_view s);

}  // namespace plab
