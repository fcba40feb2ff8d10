// Zipmap decoder for hashes in RDB files written by Redis 2.4 and older
// (RDB type 9). Redis 7.0 converts them to listpacks while loading.
//
// Layout: 1 byte count (254 or more = "unknown") then repeated
// <len> key <len> <free> value <free unused bytes>, ended by 0xFF where a
// key would start. A <len> is one byte 0..253, or 0xFE followed by a 4-byte
// length (written in host order by 32-bit-era Redis; we read little-endian,
// which is what x86 and ARM builds wrote).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/status.h"

namespace plab {

// Validates like zipmapValidateIntegrity in deep mode (every length and
// padding inside the blob, a terminator as the last byte, at least one
// pair, the count header equal to the pair count unless it is 254) and
// returns the (field, value) pairs in order. Duplicate fields are not
// checked here; the RDB loader rejects them like Redis does.
Result<std::vector<std::pair<std::string, std::string>>> DecodeZipmap(std::string_view blob);

}  // namespace plab
