#include "core/persist/lzf.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace plab {
namespace {

constexpr size_t kMaxLiteralRun = 32;      // control bytes 0..31
constexpr size_t kMaxDistance = 8192;      // 13 bits of distance, stored minus 1
constexpr size_t kMinMatch = 3;            // shorter matches cost more than literals
constexpr size_t kMaxMatch = 7 + 255 + 2;  // length field 7 + extra byte 255, plus 2
constexpr int kMaxHashBits = 14;
constexpr int kMinHashBits = 8;
// The best case is a 3-byte back-reference producing kMaxMatch bytes.
constexpr size_t kMaxExpansion = kMaxMatch / 3 + 1;

uint32_t Hash3(const unsigned char* p, int bits) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - bits);
}

// The table grows with the input (up to 16K slots) so that compressing the
// many short values of a typical dataset doesn't clear 64 KiB each time.
int HashBitsFor(size_t n) {
  int bits = kMinHashBits;
  while (bits < kMaxHashBits && (size_t{1} << bits) < n) ++bits;
  return bits;
}

// Emits the pending literal bytes in runs of at most 32.
void FlushLiterals(std::string_view in, size_t start, size_t end, std::string* out) {
  while (start < end) {
    size_t run = std::min(kMaxLiteralRun, end - start);
    out->push_back(static_cast<char>(run - 1));
    out->append(in.substr(start, run));
    start += run;
  }
}

void EmitBackRef(size_t distance, size_t match_len, std::string* out) {
  size_t off = distance - 1;  // stored minus one, like liblzf
  size_t len = match_len - 2;
  if (len < 7) {
    out->push_back(static_cast<char>((len << 5) | (off >> 8)));
  } else {
    out->push_back(static_cast<char>((7 << 5) | (off >> 8)));
    out->push_back(static_cast<char>(len - 7));
  }
  out->push_back(static_cast<char>(off & 0xFF));
}

std::string LzfError(size_t offset, const std::string& what) {
  return "lzf: offset " + std::to_string(offset) + ": " + what;
}

}  // namespace

std::optional<std::string> LzfCompress(std::string_view in) {
  if (in.size() <= 4) return std::nullopt;
  const size_t budget = in.size() - 4;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  // Positions are stored plus one so that 0 means "empty slot".
  const int bits = HashBitsFor(n);
  std::vector<uint32_t> table(size_t{1} << bits, 0);
  std::string out;
  out.reserve(budget + 4);
  size_t lit_start = 0;
  size_t ip = 0;
  while (ip + kMinMatch <= n) {
    uint32_t h = Hash3(p + ip, bits);
    size_t cand = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (cand != 0 && ip - (cand - 1) <= kMaxDistance &&
        std::equal(p + cand - 1, p + cand - 1 + kMinMatch, p + ip)) {
      size_t ref = cand - 1;
      size_t max_len = std::min(kMaxMatch, n - ip);
      size_t len = kMinMatch;
      while (len < max_len && p[ref + len] == p[ip + len]) ++len;
      FlushLiterals(in, lit_start, ip, &out);
      EmitBackRef(ip - ref, len, &out);
      // Index a couple of positions inside the match so later repeats of
      // its tail are found, without paying for every byte.
      for (size_t k = ip + 1; k < ip + len && k + kMinMatch <= n && k <= ip + 2; ++k) {
        table[Hash3(p + k, bits)] = static_cast<uint32_t>(k + 1);
      }
      ip += len;
      lit_start = ip;
    } else {
      ++ip;
    }
    if (out.size() > budget) return std::nullopt;
  }
  FlushLiterals(in, lit_start, n, &out);
  if (out.size() > budget) return std::nullopt;
  return out;
}

Result<std::string> LzfDecompress(std::string_view in, size_t expected_len) {
  if (expected_len / kMaxExpansion > in.size()) {
    return Status::Corruption(LzfError(0, "uncompressed length " + std::to_string(expected_len) +
                                              " is impossible for " + std::to_string(in.size()) +
                                              " compressed bytes"));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  // Written by index into a buffer of the promised size; `op` is how much
  // of it is filled. Every copy below is checked against both ends first.
  std::string out(expected_len, '\0');
  size_t op = 0;
  size_t ip = 0;
  while (ip < in.size()) {
    const size_t item = ip;
    size_t c = p[ip++];
    if (c < 32) {
      size_t run = c + 1;
      if (run > in.size() - ip) {
        return Status::Corruption(LzfError(item, "literal run runs past the end of the input"));
      }
      if (run > expected_len - op) {
        return Status::Corruption(LzfError(item, "literal run overflows the output"));
      }
      std::copy(in.begin() + ip, in.begin() + ip + run, out.begin() + op);
      ip += run;
      op += run;
      continue;
    }
    size_t len = c >> 5;
    if (len == 7) {
      if (ip >= in.size()) return Status::Corruption(LzfError(item, "back-reference is truncated"));
      len += p[ip++];
    }
    if (ip >= in.size()) return Status::Corruption(LzfError(item, "back-reference is truncated"));
    size_t distance = (((c & 0x1F) << 8) | p[ip++]) + 1;
    len += 2;
    if (distance > op) {
      return Status::Corruption(
          LzfError(item, "back-reference points before the start of the output"));
    }
    if (len > expected_len - op) {
      return Status::Corruption(LzfError(item, "back-reference overflows the output"));
    }
    if (distance >= len) {
      std::copy(out.begin() + (op - distance), out.begin() + (op - distance + len),
                out.begin() + op);
    } else {
      // Overlapping source and destination repeat the last `distance`
      // bytes (run-length style), so this one must go byte by byte.
      for (size_t k = 0; k < len; ++k) out[op + k] = out[op - distance + k];
    }
    op += len;
  }
  if (op != expected_len) {
    return Status::Corruption(LzfError(in.size(), "decompressed to " + std::to_string(op) +
                                                      " bytes, expected " +
                                                      std::to_string(expected_len)));
  }
  return out;
}

}  // namespace plab
