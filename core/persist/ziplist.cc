#include "core/persist/ziplist.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/persist/little_endian.h"

namespace plab {
namespace {

constexpr size_t kHeaderSize = 10;
constexpr unsigned char kEnd = 0xFF;
constexpr unsigned char kBigPrevlen = 0xFE;
constexpr uint64_t kUnknownCount = 65535;

// Payload bytes of the integer encodings, 0 for bytes that are not one.
size_t IntWidth(unsigned char b) {
  switch (b) {
    case 0xFE:
      return 1;
    case 0xC0:
      return 2;
    case 0xF0:
      return 3;
    case 0xD0:
      return 4;
    case 0xE0:
      return 8;
    default:
      return 0;
  }
}

struct Entry {
  size_t prevlen = 0;
  size_t size = 0;  // prevlen field + encoding + payload
  ListpackEntry value;
};

// Decodes the encoding and payload at p (with `avail` bytes before the
// terminator). Returns "" or the reason it is invalid.
std::string ParseBody(const unsigned char* p, size_t avail, size_t* used, ListpackEntry* v) {
  if (avail < 1) return "encoding runs past the end";
  unsigned char b = p[0];
  size_t hdr = 0;
  size_t slen = 0;
  switch (b >> 6) {
    case 0:
      hdr = 1;
      slen = b & 0x3F;
      break;
    case 1:
      if (avail < 2) return "string header runs past the end";
      hdr = 2;
      slen = (size_t{b} & 0x3F) << 8 | p[1];
      break;
    case 2:
      // Redis masks any 10xxxxxx byte to the 32-bit string form.
      if (avail < 5) return "string header runs past the end";
      hdr = 5;
      slen = size_t{p[1]} << 24 | size_t{p[2]} << 16 | size_t{p[3]} << 8 | p[4];
      break;
    default: {
      if (b >= 0xF1 && b <= 0xFD) {  // immediate 0..12 in the low nibble
        *v = ListpackEntry::Int((b & 0x0F) - 1);
        *used = 1;
        return "";
      }
      size_t width = IntWidth(b);
      if (width == 0) return "invalid encoding byte " + std::to_string(b);
      if (avail < 1 + width) return "integer runs past the end";
      *v = ListpackEntry::Int(SignExtendBits(GetLe(p + 1, width), 8 * static_cast<int>(width)));
      *used = 1 + width;
      return "";
    }
  }
  if (slen > avail - hdr) return "string length " + std::to_string(slen) + " runs past the end";
  *v = ListpackEntry::Str(std::string_view(reinterpret_cast<const char*>(p + hdr), slen));
  *used = hdr + slen;
  return "";
}

// Parses the entry at `pos`; `end` is the terminator's offset.
Result<Entry> ParseEntry(std::string_view blob, size_t pos, size_t end, size_t index) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data()) + pos;
  const size_t avail = end - pos;
  std::string prefix =
      "ziplist: entry " + std::to_string(index) + " at offset " + std::to_string(pos) + ": ";
  Entry e;
  size_t plen = 1;
  if (p[0] == kBigPrevlen) {
    if (avail < 5) return Status::Corruption(prefix + "prevlen runs past the end");
    plen = 5;
    e.prevlen = GetLe(p + 1, 4);
  } else {
    e.prevlen = p[0];
  }
  size_t used = 0;
  std::string err = ParseBody(p + plen, avail - plen, &used, &e.value);
  if (!err.empty()) return Status::Corruption(prefix + err);
  e.size = plen + used;
  return e;
}

}  // namespace

Result<std::vector<ListpackEntry>> DecodeZiplist(std::string_view blob) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < kHeaderSize + 1) {
    return Status::Corruption("ziplist: " + std::to_string(blob.size()) +
                              " bytes is too short for a header and terminator");
  }
  uint64_t zlbytes = GetLe(p, 4);
  if (zlbytes != blob.size()) {
    return Status::Corruption("ziplist: offset 0: header says " + std::to_string(zlbytes) +
                              " bytes but the blob has " + std::to_string(blob.size()));
  }
  const size_t end = blob.size() - 1;
  if (p[end] != kEnd) {
    return Status::Corruption("ziplist: offset " + std::to_string(end) +
                              ": last byte is not the 0xFF terminator");
  }
  const uint64_t zltail = GetLe(p + 4, 4);
  const uint64_t header_count = GetLe(p + 8, 2);
  std::vector<ListpackEntry> out;
  // Sized once from the header's count, which a hostile blob cannot
  // inflate past what its bytes hold (every entry takes at least 2 bytes).
  out.reserve(static_cast<size_t>(std::min<uint64_t>(header_count, blob.size() / 2)));
  size_t pos = kHeaderSize;
  size_t prev_pos = 0;
  size_t prev_size = 0;
  while (p[pos] != kEnd) {
    Result<Entry> e = ParseEntry(blob, pos, end, out.size());
    if (!e.ok()) return e.status();
    if (e->prevlen != prev_size) {
      return Status::Corruption("ziplist: entry " + std::to_string(out.size()) + " at offset " +
                                std::to_string(pos) + ": prevlen " + std::to_string(e->prevlen) +
                                " but the previous entry is " + std::to_string(prev_size) +
                                " bytes");
    }
    prev_pos = pos;
    prev_size = e->size;
    pos += e->size;
    out.push_back(std::move(e->value));
  }
  if (pos != end) {
    return Status::Corruption("ziplist: offset " + std::to_string(pos) +
                              ": terminator before the end of the blob");
  }
  if (!out.empty() && zltail != prev_pos) {
    return Status::Corruption("ziplist: offset 4: zltail " + std::to_string(zltail) +
                              " but the last entry is at offset " + std::to_string(prev_pos));
  }
  if (header_count != kUnknownCount && header_count != out.size()) {
    return Status::Corruption("ziplist: offset 8: header count " + std::to_string(header_count) +
                              " but found " + std::to_string(out.size()) + " entries");
  }
  return out;
}

}  // namespace plab
