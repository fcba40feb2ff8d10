// CRC-64 as used by Redis for RDB file trailers and DUMP/RESTORE payloads.
//
// Parameters (the "CRC-64/REDIS" variant, Jones polynomial): width 64,
// reflected polynomial 0x95AC9329AC4BC9B5, reflected input and output,
// initial value 0, no final xor. Check value: Crc64(0, "123456789") ==
// 0xe9c6d914c4b8d9ca, the vector Redis's own crc64 self-test uses.
#pragma once

#include <cstdint>
#include <string_view>

namespace plab {

// Continues a CRC over `data`. Start with crc = 0; feeding a buffer in
// pieces gives the same result as feeding it whole, which is how the RDB
// writer checksums a file it produces incrementally (like rio's
// update_cksum hook).
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace plab
