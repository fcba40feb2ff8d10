// LZF compression in the format of liblzf (lzf_compress/lzf_decompress), as
// Redis uses it for compressed strings in RDB files (the C3 string form).
//
// Format: a sequence of items, each starting with a control byte c:
//   c < 32   literal run: the next c+1 bytes are copied to the output.
//   c >= 32  back-reference: length field L = c >> 5 (7 means "add the next
//            byte"), distance D = ((c & 0x1F) << 8 | next byte) + 1; copy
//            L + 2 bytes starting D bytes back in the output (may overlap).
// The compressor here is our own (a hash table of 3-byte sequences, literal
// runs of up to 32 bytes, references up to 8 KiB back and 264 bytes long);
// its output differs from liblzf's but any liblzf decoder reads it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace plab {

// Like rdbSaveLzfStringObject: compression is only worth it when it saves
// at least 4 bytes, so the result is returned only when it is at most
// in.size() - 4 bytes long; otherwise (and for inputs of 4 bytes or less)
// nullopt. The RDB writer additionally only tries strings longer than
// kRdbLzfMinLength bytes (rdbSaveRawString's "len > 20").
std::optional<std::string> LzfCompress(std::string_view in);

inline constexpr size_t kRdbLzfMinLength = 20;

// Decodes `in`, which must expand to exactly `expected_len` bytes (the
// uncompressed length stored next to the blob in an RDB file). Every
// literal run and back-reference is bounds-checked; a malformed blob gives
// Status::Corruption naming the input offset. An `expected_len` that no
// blob of in.size() bytes could reach is rejected before anything is
// allocated, so a hostile length cannot trigger a huge allocation.
Result<std::string> LzfDecompress(std::string_view in, size_t expected_len);

}  // namespace plab
