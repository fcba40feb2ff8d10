#include "core/persist/zipmap.h"

#include <cstdint>

namespace plab {
namespace {

constexpr unsigned char kEnd = 0xFF;
constexpr unsigned char kBigLen = 0xFE;

// Reads the string (length + bytes, plus `free` padding for values) at
// *pos, never reading at or past `end` (the terminator's offset).
class ZipmapReader {
 public:
  ZipmapReader(std::string_view blob, size_t end) : blob_(blob), end_(end) {}

  // Returns "" or why the field is malformed.
  std::string ReadString(size_t* pos, bool with_free, std::string* out) const {
    size_t len = 0;
    if (*pos >= end_) return "length runs past the end";
    unsigned char b = At(*pos);
    if (b < kBigLen) {
      len = b;
      *pos += 1;
    } else {
      if (end_ - *pos < 5) return "length runs past the end";
      len = size_t{At(*pos + 1)} | size_t{At(*pos + 2)} << 8 | size_t{At(*pos + 3)} << 16 |
            size_t{At(*pos + 4)} << 24;
      *pos += 5;
    }
    size_t free = 0;
    if (with_free) {
      if (*pos >= end_) return "free byte runs past the end";
      free = At(*pos);
      *pos += 1;
    }
    if (len > end_ - *pos || free > end_ - *pos - len) {
      return "length " + std::to_string(len) + " runs past the end";
    }
    out->assign(blob_.substr(*pos, len));
    *pos += len + free;
    return "";
  }

 private:
  unsigned char At(size_t i) const { return static_cast<unsigned char>(blob_[i]); }
  std::string_view blob_;
  size_t end_;
};

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> DecodeZipmap(std::string_view blob) {
  if (blob.size() < 2) {
    return Status::Corruption("zipmap: " + std::to_string(blob.size()) +
                              " bytes is too short for a count and terminator");
  }
  const size_t end = blob.size() - 1;
  if (static_cast<unsigned char>(blob[end]) != kEnd) {
    return Status::Corruption("zipmap: offset " + std::to_string(end) +
                              ": last byte is not the 0xFF terminator");
  }
  ZipmapReader reader(blob, end);
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 1;
  while (static_cast<unsigned char>(blob[pos]) != kEnd) {
    const size_t start = pos;
    std::pair<std::string, std::string> kv;
    std::string err = reader.ReadString(&pos, false, &kv.first);
    if (err.empty()) err = reader.ReadString(&pos, true, &kv.second);
    if (!err.empty()) {
      return Status::Corruption("zipmap: entry " + std::to_string(out.size()) + " at offset " +
                                std::to_string(start) + ": " + err);
    }
    out.push_back(std::move(kv));
  }
  if (pos != end) {
    return Status::Corruption("zipmap: offset " + std::to_string(pos) +
                              ": terminator before the end of the blob");
  }
  if (out.empty()) return Status::Corruption("zipmap: offset 0: empty zipmap");
  const unsigned char header = static_cast<unsigned char>(blob[0]);
  if (header != kBigLen && header != out.size()) {
    return Status::Corruption("zipmap: offset 0: header count " + std::to_string(header) +
                              " but found " + std::to_string(out.size()) + " pairs");
  }
  return out;
}

}  // namespace plab
