// Ziplist decoder for loading RDB files written by Redis 6.2 and older
// (types 10, 12, 13 and the nodes of type 14). Redis 7.0 converts ziplists
// to listpacks while loading; PersistLab never writes them.
//
// Layout: uint32 LE zlbytes | uint32 LE zltail (offset of the last entry) |
// uint16 LE zllen (65535 = "count them") | entries | 0xFF. An entry is
// prevlen (1 byte if < 254, else 0xFE + uint32 LE) then an encoding:
// 00pppppp / 01pppppp pppppppp (big-endian) / 10xxxxxx + 4-byte big-endian
// string lengths, or 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE
// int8, 0xF1..0xFD the immediate values 0..12.
#pragma once

#include <string_view>
#include <vector>

#include "core/persist/listpack.h"
#include "core/util/status.h"

namespace plab {

// Validates like ziplistValidateIntegrity in deep mode (header sizes, every
// entry inside the blob, each prevlen equal to the previous entry's size,
// zltail pointing at the last entry, the count header, the terminator) and
// returns the elements.
Result<std::vector<ListpackEntry>> DecodeZiplist(std::string_view blob);

}  // namespace plab
