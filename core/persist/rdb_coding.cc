#include "core/persist/rdb_coding.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "core/persist/lzf.h"
#include "core/util/check.h"
#include "core/util/numbers.h"

namespace plab::rdb {
namespace {

void PutLE(ByteSink* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutBE(ByteSink* out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t ReadLE(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

uint64_t ReadBE(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// The INT8/16/32 string forms, like rdbEncodeInteger. False when `v` needs
// more than 32 bits.
bool PutSmallInteger(ByteSink* out, int64_t v) {
  if (v >= std::numeric_limits<int8_t>::min() && v <= std::numeric_limits<int8_t>::max()) {
    out->push_back(static_cast<char>(kLenEncoded | kEncInt8));
    PutLE(out, static_cast<uint64_t>(v), 1);
  } else if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    out->push_back(static_cast<char>(kLenEncoded | kEncInt16));
    PutLE(out, static_cast<uint64_t>(v), 2);
  } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    out->push_back(static_cast<char>(kLenEncoded | kEncInt32));
    PutLE(out, static_cast<uint64_t>(v), 4);
  } else {
    return false;
  }
  return true;
}

// The LZF string form: marker, compressed length, original length, body.
void PutLzfBlob(ByteSink* out, std::string_view compressed, size_t original_len) {
  out->push_back(static_cast<char>(kLenEncoded | kEncLzf));
  PutLength(out, compressed.size());
  PutLength(out, original_len);
  out->append(compressed);
}

// Like double2ll: integral doubles within +-(2^63-1)/2 convert exactly.
std::optional<int64_t> DoubleToExactInt64(double d) {
  constexpr double kLimit = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
  if (!(d >= -kLimit && d <= kLimit)) return std::nullopt;
  auto v = static_cast<int64_t>(d);
  if (static_cast<double>(v) != d) return std::nullopt;
  return v;
}

std::string Hex2(uint8_t b) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0xF];
}

// Bytes quoted for an error message: printable ASCII as is, the rest as
// \xNN, at most 32 input bytes.
std::string Quoted(std::string_view s) {
  constexpr char kDigits[] = "0123456789abcdef";
  constexpr size_t kMaxShown = 32;
  std::string q = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      q.push_back(static_cast<char>(c));
    } else {
      q += std::string("\\x") + kDigits[c >> 4] + kDigits[c & 0xF];
    }
  }
  if (s.size() > kMaxShown) q += "...";
  return q + "\"";
}

}  // namespace

// ---- Writers ------------------------------------------------------------

void PutHeader(ByteSink* out, int version) {
  PLAB_DCHECK(version >= 0 && version <= 9999, "PutHeader: version out of range");
  out->append(kMagic);
  int divisor = 1000;
  for (size_t i = 0; i < kVersionDigits; ++i, divisor /= 10) {
    out->push_back(static_cast<char>('0' + (version / divisor) % 10));
  }
}

void PutByte(ByteSink* out, uint8_t byte) { out->push_back(static_cast<char>(byte)); }

void PutLength(ByteSink* out, uint64_t len) {
  if (len <= kMax6BitLen) {
    out->push_back(static_cast<char>(kLen6Bit | len));
  } else if (len <= kMax14BitLen) {
    out->push_back(static_cast<char>(kLen14Bit | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xFF));
  } else if (len <= kMax32BitLen) {
    out->push_back(static_cast<char>(kLen32Bit));
    PutBE(out, len, 4);
  } else {
    out->push_back(static_cast<char>(kLen64Bit));
    PutBE(out, len, 8);
  }
}

void PutString(ByteSink* out, std::string_view s, Compression compression) {
  // rdbSaveRawString's order: integer form, then LZF, then raw.
  if (s.size() <= kMaxIntEncodedStringLength) {
    std::optional<int64_t> v = ParseInt64(s);
    if (v.has_value() && PutSmallInteger(out, *v)) return;
  }
  if (compression == Compression::kLzf && s.size() > kRdbLzfMinLength) {
    // LzfCompress only succeeds when it saves at least 4 bytes, which is
    // rdbSaveLzfStringObject's rule for keeping the compressed form.
    if (std::optional<std::string> packed = LzfCompress(s)) {
      PutLzfBlob(out, *packed, s.size());
      return;
    }
  }
  PutRawString(out, s);
}

void PutRawString(ByteSink* out, std::string_view s) {
  PutLength(out, s.size());
  out->append(s);
}

void PutIntegerString(ByteSink* out, int64_t value) {
  if (!PutSmallInteger(out, value)) PutRawString(out, FormatInt64(value));
}

void PutDoubleBinary(ByteSink* out, double value) {
  // memcpy, not std::bit_cast: emscripten 3.1.6's libc++ lacks <bit>'s cast.
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  PutLE(out, bits, kBinaryDoubleSize);
}

void PutDoubleString(ByteSink* out, double value) {
  if (std::isnan(value)) return PutByte(out, kDoubleStringNan);
  if (std::isinf(value)) {
    return PutByte(out, value > 0 ? kDoubleStringPosInf : kDoubleStringNegInf);
  }
  std::optional<int64_t> exact = DoubleToExactInt64(value);
  // FormatDoubleReply is "%.17g" for finite values; at most 24 characters,
  // so the length always fits the single length byte.
  std::string text = exact.has_value() ? FormatInt64(*exact) : FormatDoubleReply(value);
  PutByte(out, static_cast<uint8_t>(text.size()));
  out->append(text);
}

void PutMillisecondTime(ByteSink* out, int64_t ms) { PutLE(out, static_cast<uint64_t>(ms), 8); }

void PutSecondTime(ByteSink* out, int32_t seconds) {
  PutLE(out, static_cast<uint32_t>(seconds), 4);
}

// ---- Reader -------------------------------------------------------------

Status ByteReader::Corrupt(uint64_t at, std::string_view what) {
  return Status::Corruption("offset " + std::to_string(at) + ": " + std::string(what));
}

Result<std::string_view> ByteReader::Take(size_t n, std::string_view what, uint64_t start) {
  if (n > remaining()) {
    return Corrupt(start, "truncated " + std::string(what) + ": " + std::to_string(n) +
                              (n == 1 ? " byte" : " bytes") + " needed, " +
                              std::to_string(remaining()) + " left");
  }
  std::string_view bytes = data_.substr(pos_, n);
  pos_ += n;
  return bytes;
}

Result<uint64_t> ByteReader::GetFixedLE(size_t n, std::string_view what) {
  Result<std::string_view> bytes = Take(n, what, offset());
  if (!bytes.ok()) return bytes.status();
  return ReadLE(*bytes);
}

Result<int> ByteReader::GetHeader() {
  const uint64_t start = offset();
  Result<std::string_view> header = Take(kHeaderSize, "RDB header", start);
  if (!header.ok()) return header.status();
  if (header->substr(0, kMagic.size()) != kMagic) {
    return Corrupt(start, "not an RDB file: it starts with " + Quoted(header->substr(0, 5)) +
                              " instead of \"REDIS\"");
  }
  std::string_view digits = header->substr(kMagic.size());
  int version = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return Corrupt(start + kMagic.size(), "RDB version " + Quoted(digits) + " is not 4 digits");
    }
    version = version * 10 + (c - '0');
  }
  if (version < kVersionMinLoad || version > kVersionMaxLoad) {
    return Corrupt(start + kMagic.size(), "can't handle RDB format version " +
                                              std::to_string(version) + " (versions " +
                                              std::to_string(kVersionMinLoad) + " to " +
                                              std::to_string(kVersionMaxLoad) + " are supported)");
  }
  return version;
}

Result<uint8_t> ByteReader::GetByte() {
  Result<std::string_view> b = Take(1, "byte", offset());
  if (!b.ok()) return b.status();
  return static_cast<uint8_t>((*b)[0]);
}

Result<uint8_t> ByteReader::PeekByte() const {
  if (AtEnd()) return Corrupt(offset(), "truncated byte: 1 byte needed, 0 left");
  return static_cast<uint8_t>(data_[pos_]);
}

Result<std::string_view> ByteReader::GetBytes(size_t n) { return Take(n, "data", offset()); }

Result<ByteReader::LengthOrEncoding> ByteReader::GetLengthOrEncoding() {
  const uint64_t start = offset();
  Result<std::string_view> first = Take(1, "length", start);
  if (!first.ok()) return first.status();
  const auto b = static_cast<uint8_t>((*first)[0]);
  const uint64_t low_bits = b & kLenLowBitsMask;
  switch (b & kLenTopBitsMask) {
    case kLen6Bit:
      return LengthOrEncoding{false, low_bits};
    case kLenEncoded:
      return LengthOrEncoding{true, low_bits};
    case kLen14Bit: {
      Result<std::string_view> low = Take(1, "14-bit length", start);
      if (!low.ok()) return low.status();
      return LengthOrEncoding{false, (low_bits << 8) | ReadBE(*low)};
    }
    default:
      break;
  }
  if (b != kLen32Bit && b != kLen64Bit) {
    return Corrupt(start, "invalid length encoding byte " + Hex2(b));
  }
  const bool is32 = b == kLen32Bit;
  Result<std::string_view> rest =
      Take(is32 ? 4 : 8, is32 ? "32-bit length" : "64-bit length", start);
  if (!rest.ok()) return rest.status();
  return LengthOrEncoding{false, ReadBE(*rest)};
}

Result<uint64_t> ByteReader::GetLength() {
  const uint64_t start = offset();
  Result<LengthOrEncoding> len = GetLengthOrEncoding();
  if (!len.ok()) return len.status();
  if (len->is_encoding) {
    return Corrupt(start, "expected a length, found the string encoding byte " +
                              Hex2(static_cast<uint8_t>(kLenEncoded | len->value)));
  }
  return len->value;
}

Result<std::string> ByteReader::GetString() {
  std::string scratch;
  Result<std::string_view> view = GetStringView(&scratch);
  if (!view.ok()) return view.status();
  if (view->data() == scratch.data()) return scratch;
  return std::string(*view);
}

Result<std::string_view> ByteReader::GetStringView(std::string* scratch) {
  const uint64_t start = offset();
  Result<LengthOrEncoding> len = GetLengthOrEncoding();
  if (!len.ok()) return len.status();
  if (len->is_encoding) {
    Result<std::string> decoded = Corrupt(start, "");
    switch (len->value) {
      case kEncInt8:
      case kEncInt16:
      case kEncInt32:
        decoded = GetIntegerString(static_cast<uint8_t>(len->value), start);
        break;
      case kEncLzf:
        decoded = GetLzfString(start);
        break;
      default:
        return Corrupt(start, "unknown string encoding " +
                                  Hex2(static_cast<uint8_t>(kLenEncoded | len->value)));
    }
    if (!decoded.ok()) return decoded.status();
    *scratch = std::move(*decoded);
    return std::string_view(*scratch);
  }
  // Compared as 64-bit before any allocation: a hostile length must not
  // reserve memory, and must not wrap around a 32-bit size_t (wasm32).
  if (len->value > remaining()) {
    return Corrupt(start, "string length " + std::to_string(len->value) +
                              " exceeds the remaining " + std::to_string(remaining()) + " bytes");
  }
  return Take(static_cast<size_t>(len->value), "string", start);
}

Result<std::string> ByteReader::GetIntegerString(uint8_t encoding, uint64_t start) {
  static constexpr std::string_view kNames[] = {"INT8 string", "INT16 string", "INT32 string"};
  const size_t width = size_t{1} << encoding;  // 1, 2 or 4 bytes
  Result<std::string_view> bytes = Take(width, kNames[encoding], start);
  if (!bytes.ok()) return bytes.status();
  const uint64_t raw = ReadLE(*bytes);
  int64_t v = 0;
  if (width == 1) v = static_cast<int8_t>(raw);
  if (width == 2) v = static_cast<int16_t>(raw);
  if (width == 4) v = static_cast<int32_t>(raw);
  return FormatInt64(v);
}

Result<std::string> ByteReader::GetLzfString(uint64_t start) {
  Result<uint64_t> compressed_len = GetLength();
  if (!compressed_len.ok()) return compressed_len.status();
  Result<uint64_t> original_len = GetLength();
  if (!original_len.ok()) return original_len.status();
  if (*compressed_len > remaining()) {
    return Corrupt(start, "LZF compressed length " + std::to_string(*compressed_len) +
                              " exceeds the remaining " + std::to_string(remaining()) + " bytes");
  }
  if (*original_len > std::numeric_limits<size_t>::max()) {
    return Corrupt(start,
                   "LZF uncompressed length " + std::to_string(*original_len) + " is too large");
  }
  Result<std::string_view> body = Take(static_cast<size_t>(*compressed_len), "LZF string", start);
  if (!body.ok()) return body.status();
  // LzfDecompress refuses lengths its input could never expand to before it
  // allocates, and bounds-checks every copy.
  Result<std::string> plain = LzfDecompress(*body, static_cast<size_t>(*original_len));
  if (!plain.ok()) return Corrupt(start, "invalid LZF string (" + plain.status().message() + ")");
  return std::move(plain).value();
}

Result<double> ByteReader::GetDoubleBinary() {
  Result<uint64_t> bits = GetFixedLE(kBinaryDoubleSize, "binary double");
  if (!bits.ok()) return bits.status();
  double value = 0;
  std::memcpy(&value, &*bits, sizeof(value));
  return value;
}

Result<double> ByteReader::GetDoubleString() {
  const uint64_t start = offset();
  Result<std::string_view> first = Take(1, "double", start);
  if (!first.ok()) return first.status();
  const auto len = static_cast<uint8_t>((*first)[0]);
  if (len == kDoubleStringNan) return std::numeric_limits<double>::quiet_NaN();
  if (len == kDoubleStringPosInf) return std::numeric_limits<double>::infinity();
  if (len == kDoubleStringNegInf) return -std::numeric_limits<double>::infinity();
  Result<std::string_view> text = Take(len, "double text", start);
  if (!text.ok()) return text.status();
  // A NUL-terminated copy for strtod, which (like sscanf's %lg) stops at
  // an embedded NUL and ignores whatever follows the number.
  const std::string copy(*text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str()) return Corrupt(start, "unparsable double text " + Quoted(*text));
  return value;
}

Result<int64_t> ByteReader::GetMillisecondTime(int /*version*/) {
  Result<uint64_t> v = GetFixedLE(8, "millisecond time");
  if (!v.ok()) return v.status();
  return static_cast<int64_t>(*v);
}

Result<int32_t> ByteReader::GetSecondTime() {
  Result<uint64_t> v = GetFixedLE(4, "second time");
  if (!v.ok()) return v.status();
  return static_cast<int32_t>(static_cast<uint32_t>(*v));
}

}  // namespace plab::rdb
