// Intset: Redis's sorted array of unique integers for small all-integer
// sets, stored verbatim in RDB type 11.
//
// Layout: uint32 LE encoding (2, 4 or 8 = bytes per element) | uint32 LE
// count | count little-endian signed integers in strictly ascending order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// Sorts and de-duplicates `values` and encodes them with the narrowest
// width that holds every value (what intsetAdd's upgrades end up with).
// An empty input gives an 8-byte blob with count 0, which Redis would
// refuse to load: callers never write empty sets.
std::string EncodeIntset(std::vector<int64_t> values);

// Validates like intsetValidateIntegrity in deep mode (encoding is 2, 4 or
// 8; the size is exactly 8 + count * encoding; count > 0; strictly
// ascending) and returns the members in order.
Result<std::vector<int64_t>> DecodeIntset(std::string_view blob);

}  // namespace plab
