#include "core/persist/intset.h"

#include <algorithm>
#include <limits>

#include "core/persist/little_endian.h"

namespace plab {
namespace {

constexpr size_t kHeaderSize = 8;

size_t WidthFor(int64_t v) {
  if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    return 2;
  }
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    return 4;
  }
  return 8;
}

}  // namespace

std::string EncodeIntset(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  size_t width = 2;
  // The extremes of a sorted array decide the width.
  if (!values.empty()) width = std::max(WidthFor(values.front()), WidthFor(values.back()));
  std::string out;
  out.reserve(kHeaderSize + width * values.size());
  PutLe(&out, width, 4);
  PutLe(&out, values.size(), 4);
  for (int64_t v : values) PutLe(&out, static_cast<uint64_t>(v), width);
  return out;
}

Result<std::vector<int64_t>> DecodeIntset(std::string_view blob) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < kHeaderSize) {
    return Status::Corruption("intset: " + std::to_string(blob.size()) +
                              " bytes is too short for the 8-byte header");
  }
  uint64_t width = GetLe(p, 4);
  if (width != 2 && width != 4 && width != 8) {
    return Status::Corruption("intset: offset 0: invalid encoding " + std::to_string(width));
  }
  uint64_t count = GetLe(p + 4, 4);
  // count < 2^32 and width <= 8, so this cannot overflow.
  if (kHeaderSize + count * width != blob.size()) {
    return Status::Corruption("intset: offset 4: " + std::to_string(count) + " entries of " +
                              std::to_string(width) + " bytes do not fill the " +
                              std::to_string(blob.size()) + "-byte blob");
  }
  if (count == 0) return Status::Corruption("intset: offset 4: empty intset");
  std::vector<int64_t> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    size_t off = kHeaderSize + i * width;
    int64_t v = SignExtendBits(GetLe(p + off, width), 8 * static_cast<int>(width));
    if (!out.empty() && v <= out.back()) {
      return Status::Corruption("intset: entry " + std::to_string(i) + " at offset " +
                                std::to_string(off) + ": not greater than the previous entry");
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace plab
