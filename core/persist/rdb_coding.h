// Primitive encoders and decoders of the RDB format (see rdb_format.h):
// the header, lengths, strings (raw, integer-encoded, LZF), doubles and
// times. Every Put* appends to a ByteSink; its mirror Get* is a ByteReader
// method of the same name, so a field's writer and reader read side by side.
//
// Writers choose what Redis 7.0 chooses, so our dumps are the same size as
// Redis's. Readers accept every form any Redis version writes, and treat
// the input as hostile: each Get* checks that the bytes it needs are there
// before it allocates or reads them, and fails with Status::Corruption
// "offset N: <what was wrong>", where N is the offset at which the item that
// failed starts. A failed Get* leaves the reader's position unspecified
// (callers stop at the first error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/persist/rdb_format.h"
#include "core/util/status.h"

namespace plab::rdb {

// Encoded RDB bytes are appended to a std::string.
using ByteSink = std::string;

// Whether PutString may LZF-compress (the `rdbcompression` config).
enum class Compression { kNone, kLzf };

// ---- Writers ------------------------------------------------------------

// "REDIS" + the version as 4 zero-padded digits. REQUIRES: 0 <= version <= 9999.
void PutHeader(ByteSink* out, int version = kVersionWritten);

// A type code, opcode, or kOpFreq's counter.
void PutByte(ByteSink* out, uint8_t byte);

// The smallest of the four length forms, like rdbSaveLen.
void PutLength(ByteSink* out, uint64_t len);

// A string the way rdbSaveRawString stores it: canonical decimal integers
// of at most 11 characters that fit int32 as INT8/16/32; otherwise, with
// Compression::kLzf and more than 20 bytes, LZF when that saves at least 4
// bytes; otherwise the length and the bytes.
void PutString(ByteSink* out, std::string_view s, Compression compression);

// Always the length and the bytes (no integer or LZF form). Every reader
// accepts this; it is for writers that must not compress.
void PutRawString(ByteSink* out, std::string_view s);

// An integer as a string, like rdbSaveLongLongAsStringObject: an INT8/16/32
// form when it fits, otherwise its decimal text raw. Used for AUX numbers
// and for values Redis holds with the "int" encoding.
void PutIntegerString(ByteSink* out, int64_t value);

// 8-byte little-endian IEEE-754 (kTypeZset2 scores), bit for bit.
void PutDoubleBinary(ByteSink* out, double value);

// The old text form (kTypeZset scores), like rdbSaveDoubleValue: NaN and
// infinities as the single bytes 253/254/255; integral values within
// +-(2^63-1)/2 as integer text; anything else as "%.17g".
void PutDoubleString(ByteSink* out, double value);

// Unix time in milliseconds, 8 bytes little-endian (kOpExpireTimeMs).
void PutMillisecondTime(ByteSink* out, int64_t ms);

// Unix time in seconds, 4 bytes little-endian (kOpExpireTime; Redis no
// longer writes it, but old files have it).
void PutSecondTime(ByteSink* out, int32_t seconds);

// ---- Reader -------------------------------------------------------------

// Reads the primitives above from a byte range. `base_offset` is the
// position of data[0] in the file, so that a reader over a slice (say one
// value's bytes) still reports offsets within the whole file.
class ByteReader {
 public:
  // The reader does not own `data`, which must outlive it.
  explicit ByteReader(std::string_view data, uint64_t base_offset = 0)
      : data_(data), base_(base_offset) {}
  // A temporary string would be gone before the first Get*.
  ByteReader(std::string&&, uint64_t = 0) = delete;

  // Position of the next byte, counted from the start of the file.
  uint64_t offset() const { return base_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }

  // Returns the version. Fails on a wrong magic, non-digit version
  // characters, or a version outside kVersionMinLoad..kVersionMaxLoad.
  // (Redis parses the digits with atoi; we insist on four digits.)
  Result<int> GetHeader();

  Result<uint8_t> GetByte();
  // The next byte without consuming it.
  Result<uint8_t> PeekByte() const;

  // The next `n` bytes, as a view into the input.
  Result<std::string_view> GetBytes(size_t n);

  // A plain length. A special-encoding byte (11xxxxxx) here is corruption.
  Result<uint64_t> GetLength();

  // Any string form: raw, INT8/16/32 (returned as decimal text, as Redis
  // loads them), or LZF (decompressed and checked to expand to exactly its
  // stated length). Never allocates more than the input could produce.
  Result<std::string> GetString();
  // The same, without copying a raw string: the view points into the input,
  // or into *scratch for the integer and LZF forms. Valid until the next
  // call that uses `scratch` (and while the input lives).
  Result<std::string_view> GetStringView(std::string* scratch);

  Result<double> GetDoubleBinary();
  // The old text form. Like rdbLoadDoubleValue (which uses sscanf "%lg"),
  // leading space and trailing junk after a number are tolerated, and
  // "nan"/"inf" text is accepted; an unparsable text is corruption.
  // 253/254/255 give NaN/+inf/-inf; rejecting NaN scores is the caller's job.
  Result<double> GetDoubleString();

  // `version` is the file's RDB version (see
  // kFirstVersionWithPortableMsTime: all versions are read little-endian).
  Result<int64_t> GetMillisecondTime(int version = kVersionWritten);
  Result<int32_t> GetSecondTime();

  // A Corruption status "offset <at>: <what>" where `at` is a file offset.
  static Status Corrupt(uint64_t at, std::string_view what);

 private:
  // The first byte of a length or a special string encoding, decoded.
  struct LengthOrEncoding {
    bool is_encoding = false;  // low 6 bits of a 11xxxxxx byte in `value`
    uint64_t value = 0;
  };
  Result<LengthOrEncoding> GetLengthOrEncoding();
  // Takes `n` bytes of the item named `what` that started at file offset
  // `start`, or fails saying how many were missing.
  Result<std::string_view> Take(size_t n, std::string_view what, uint64_t start);
  Result<uint64_t> GetFixedLE(size_t n, std::string_view what);
  Result<std::string> GetIntegerString(uint8_t encoding, uint64_t start);
  Result<std::string> GetLzfString(uint64_t start);

  std::string_view data_;
  uint64_t base_ = 0;
  size_t pos_ = 0;
};

}  // namespace plab::rdb
