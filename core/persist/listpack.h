// Listpack: the compact list encoding Redis 7.0 uses for small hashes,
// sorted sets and quicklist nodes, and stores verbatim in RDB types 16, 17
// and 18 (and, from 7.2, 20).
//
// Layout: uint32 LE total bytes | uint16 LE element count (65535 means
// "too many, count them") | entries | 0xFF. Each entry is an encoding byte
// with its data followed by a "backlen": the size of encoding+data written
// in 7-bit groups so the list can also be walked from the tail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// One element of a listpack or ziplist. Like lpGet, an element is either an
// integer (stored with an integer encoding) or a byte string.
struct ListpackEntry {
  bool is_int = false;
  int64_t num = 0;
  std::string str;

  static ListpackEntry Int(int64_t v) { return ListpackEntry{true, v, {}}; }
  static ListpackEntry Str(std::string_view s) { return ListpackEntry{false, 0, std::string(s)}; }
  // The element as Redis replies with it: integers in decimal.
  std::string ToString() const;
  bool operator==(const ListpackEntry&) const = default;
};

// Builds a listpack by appending elements, choosing the same encodings as
// Redis 7.0's lpAppend, so the bytes match what Redis would hold in memory
// (and write to an RDB file) for the same elements.
class ListpackBuilder {
 public:
  ListpackBuilder();

  // A canonical int64 string (string2ll rules: no '+', no leading zeros,
  // not "-0") is stored as the smallest integer encoding; anything else as
  // a string with a 6-, 12- or 32-bit length (lpEncodeGetType).
  void Append(std::string_view element);
  void AppendInt(int64_t value);

  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }  // including the 0xFF terminator

  // Finishes the header and terminator and returns the blob, leaving the
  // builder empty for reuse. A listpack cannot exceed 4 GiB (its size field is 32 bits):
  // such a list gives InvalidArgument instead of a blob. The count field is
  // 65535 when there are 65535 or more elements, as in Redis.
  Result<std::string> Finish();

 private:
  std::string buf_;  // header placeholder + entries, no terminator yet
  size_t count_ = 0;
};

// Validates a listpack the way lpValidateIntegrity does in deep mode (header
// size equals the blob size, every entry's encoding fits, its backlen
// matches, the terminator is the last byte, the count header matches unless
// it is 65535) and returns its elements. Errors are Corruption, e.g.
// "listpack: entry 3 at offset 17: string length runs past the end".
Result<std::vector<ListpackEntry>> DecodeListpack(std::string_view blob);

}  // namespace plab
