// Little-endian integers of 1..8 bytes, as the in-memory encodings Redis
// writes into RDB files store them (intset, ziplist, listpack headers and
// integer entries). One copy for every blob codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace plab {

// Reads `nbytes` (1..8) little-endian bytes at p.
inline uint64_t GetLe(const unsigned char* p, size_t nbytes) {
  uint64_t v = 0;
  for (size_t i = nbytes; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// Appends the low `nbytes` (1..8) bytes of v, least significant first.
inline void PutLe(std::string* out, uint64_t v, size_t nbytes) {
  for (size_t i = 0; i < nbytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Sign-extends the low `bits` (1..64) bits of v (listpack's 13- and 24-bit
// integers, 2..8-byte intset and ziplist integers).
inline int64_t SignExtendBits(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (bits == 64) ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

}  // namespace plab
