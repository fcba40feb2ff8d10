#include "core/persist/listpack.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/persist/little_endian.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

constexpr size_t kHeaderSize = 6;
constexpr unsigned char kEnd = 0xFF;
constexpr uint16_t kUnknownCount = 65535;

// Encoding bytes (their high bits select the type).
constexpr unsigned char kInt16 = 0xF1;
constexpr unsigned char kInt24 = 0xF2;
constexpr unsigned char kInt32 = 0xF3;
constexpr unsigned char kInt64 = 0xF4;
constexpr unsigned char kStr32 = 0xF0;

// Size of the backlen field for an entry whose encoding+data is `len` bytes.
size_t BacklenSize(size_t len) {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

// The backlen is written most significant 7-bit group first; every byte but
// the first carries the continuation bit, so a reader walking leftwards from
// the entry's end knows when to stop.
void PutBacklen(std::string* out, size_t len) {
  size_t n = BacklenSize(len);
  for (size_t i = n; i-- > 0;) {
    unsigned char b = (len >> (7 * i)) & 0x7F;
    if (i != n - 1) b |= 0x80;
    out->push_back(static_cast<char>(b));
  }
}

}  // namespace

std::string ListpackEntry::ToString() const { return is_int ? FormatInt64(num) : str; }

ListpackBuilder::ListpackBuilder() : buf_(kHeaderSize, '\0') {}

void ListpackBuilder::AppendInt(int64_t v) {
  size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1FFF;
    buf_.push_back(static_cast<char>(0xC0 | (u >> 8)));
    buf_.push_back(static_cast<char>(u & 0xFF));
  } else if (v >= -32768 && v <= 32767) {
    buf_.push_back(static_cast<char>(kInt16));
    PutLe(&buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -8388608 && v <= 8388607) {
    buf_.push_back(static_cast<char>(kInt24));
    PutLe(&buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    buf_.push_back(static_cast<char>(kInt32));
    PutLe(&buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(kInt64));
    PutLe(&buf_, static_cast<uint64_t>(v), 8);
  }
  PutBacklen(&buf_, buf_.size() - start);
  ++count_;
}

void ListpackBuilder::Append(std::string_view s) {
  if (s.size() <= 20) {
    if (std::optional<int64_t> v = ParseInt64(s)) return AppendInt(*v);
  }
  size_t start = buf_.size();
  if (s.size() < 64) {
    buf_.push_back(static_cast<char>(0x80 | s.size()));
  } else if (s.size() < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (s.size() >> 8)));
    buf_.push_back(static_cast<char>(s.size() & 0xFF));
  } else {
    buf_.push_back(static_cast<char>(kStr32));
    PutLe(&buf_, s.size(), 4);
  }
  buf_.append(s);
  PutBacklen(&buf_, buf_.size() - start);
  ++count_;
}

Result<std::string> ListpackBuilder::Finish() {
  size_t total = buf_.size() + 1;
  if (total > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("listpack: " + std::to_string(total) +
                                   " bytes exceeds the 4 GiB limit");
  }
  std::string out = std::move(buf_);
  out.push_back(static_cast<char>(kEnd));
  std::string header;
  PutLe(&header, total, 4);
  PutLe(&header, count_ < kUnknownCount ? count_ : kUnknownCount, 2);
  out.replace(0, kHeaderSize, header);
  buf_.assign(kHeaderSize, '\0');
  count_ = 0;
  return out;
}

namespace {

// Walks one listpack entry; every read is checked against `limit` (the
// offset of the terminator), so no entry may overlap the 0xFF end byte.
class EntryReader {
 public:
  EntryReader(std::string_view blob, size_t limit) : blob_(blob), limit_(limit) {}

  // Parses the entry at `pos` into *e and returns the offset after its
  // backlen, or an error message.
  Result<size_t> Read(size_t pos, size_t index, ListpackEntry* e) const {
    std::string prefix =
        "listpack: entry " + std::to_string(index) + " at offset " + std::to_string(pos) + ": ";
    size_t data_len = 0;  // encoding + payload
    std::string err = Parse(pos, e, &data_len);
    if (!err.empty()) return Status::Corruption(prefix + err);
    size_t bl = BacklenSize(data_len);
    if (bl > limit_ - pos - data_len)
      return Status::Corruption(prefix + "backlen runs past the end");
    const auto* p = Bytes() + pos + data_len;
    size_t decoded = 0;
    for (size_t i = 0; i < bl; ++i) {
      if (((p[i] & 0x80) != 0) != (i != 0)) return Status::Corruption(prefix + "malformed backlen");
      decoded = (decoded << 7) | (p[i] & 0x7F);
    }
    if (decoded != data_len) {
      return Status::Corruption(prefix + "backlen " + std::to_string(decoded) +
                                " does not match entry size " + std::to_string(data_len));
    }
    return pos + data_len + bl;
  }

 private:
  const unsigned char* Bytes() const {
    return reinterpret_cast<const unsigned char*>(blob_.data());
  }

  // Returns "" on success, otherwise the reason.
  std::string Parse(size_t pos, ListpackEntry* e, size_t* data_len) const {
    const unsigned char* p = Bytes() + pos;
    const size_t avail = limit_ - pos;
    unsigned char b = p[0];
    auto need = [&](size_t n) { return n <= avail; };
    if (b < 0x80) {
      *e = ListpackEntry::Int(b);
      *data_len = 1;
      return "";
    }
    size_t hdr = 0;
    size_t slen = 0;
    if ((b & 0xC0) == 0x80) {
      hdr = 1;
      slen = b & 0x3F;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return "integer runs past the end";
      *e = ListpackEntry::Int(SignExtendBits((uint64_t{b} & 0x1F) << 8 | p[1], 13));
      *data_len = 2;
      return "";
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return "string header runs past the end";
      hdr = 2;
      slen = (size_t{b} & 0x0F) << 8 | p[1];
    } else if (b == kStr32) {
      if (!need(5)) return "string header runs past the end";
      hdr = 5;
      slen = GetLe(p + 1, 4);
    } else if (b >= kInt16 && b <= kInt64) {
      static constexpr int kWidths[] = {2, 3, 4, 8};
      int w = kWidths[b - kInt16];
      if (!need(1 + w)) return "integer runs past the end";
      *e = ListpackEntry::Int(SignExtendBits(GetLe(p + 1, w), 8 * w));
      *data_len = 1 + w;
      return "";
    } else {
      return "invalid encoding byte " + std::to_string(b);
    }
    if (slen > avail - hdr) return "string length " + std::to_string(slen) + " runs past the end";
    *e = ListpackEntry::Str(blob_.substr(pos + hdr, slen));
    *data_len = hdr + slen;
    return "";
  }

  std::string_view blob_;
  size_t limit_;
};

}  // namespace

Result<std::vector<ListpackEntry>> DecodeListpack(std::string_view blob) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < kHeaderSize + 1) {
    return Status::Corruption("listpack: " + std::to_string(blob.size()) +
                              " bytes is too short for a header and terminator");
  }
  uint64_t total = GetLe(p, 4);
  if (total != blob.size()) {
    return Status::Corruption("listpack: offset 0: header says " + std::to_string(total) +
                              " bytes but the blob has " + std::to_string(blob.size()));
  }
  const size_t end = blob.size() - 1;
  if (p[end] != kEnd) {
    return Status::Corruption("listpack: offset " + std::to_string(end) +
                              ": last byte is not the 0xFF terminator");
  }
  const uint64_t header_count = GetLe(p + 4, 2);
  EntryReader reader(blob, end);
  std::vector<ListpackEntry> out;
  // Sized once from the header's count, which a hostile blob cannot
  // inflate past what its bytes hold (every entry takes at least 2 bytes).
  out.reserve(static_cast<size_t>(std::min<uint64_t>(header_count, blob.size() / 2)));
  size_t pos = kHeaderSize;
  while (pos < end) {
    if (p[pos] == kEnd) {
      return Status::Corruption("listpack: offset " + std::to_string(pos) +
                                ": terminator before the end of the blob");
    }
    ListpackEntry e;
    Result<size_t> next = reader.Read(pos, out.size(), &e);
    if (!next.ok()) return next.status();
    pos = *next;
    out.push_back(std::move(e));
  }
  if (header_count != kUnknownCount && header_count != out.size()) {
    return Status::Corruption("listpack: offset 4: header count " + std::to_string(header_count) +
                              " but found " + std::to_string(out.size()) + " entries");
  }
  return out;
}

}  // namespace plab
