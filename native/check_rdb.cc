#include "native/check_rdb.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "core/persist/crc64.h"
#include "core/persist/rdb_loader.h"
#include "core/resp/reply_format.h"
#include "core/server/config.h"
#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/store/keyspace.h"

namespace plab {
namespace {

constexpr char kCheckUsage[] =
    "Usage: plab check-rdb FILE\n"
    "Verifies an RDB snapshot (Redis 2.6 .. 7.2 formats) without changing it: prints\n"
    "its version, AUX fields, keys per database and checksum status. Exits 0 when\n"
    "the file loads cleanly, 1 on the first error (reported with its byte offset).\n";

// The RDB versions that end with a CRC-64 after the EOF opcode (rdb.c
// writes one from RDB 5 on; an all-zero value means rdbchecksum was off).
constexpr int kFirstChecksumVersion = 5;
constexpr size_t kChecksumBytes = 8;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The loader has already verified the checksum; this only says which case
// applied. When the file has trailing bytes after the checksum (Redis
// ignores them) the last 8 bytes are not the checksum, so say so plainly.
std::string ChecksumStatus(const std::string& bytes, int version) {
  if (version < kFirstChecksumVersion) return "none (RDB version < 5 has no checksum)";
  if (bytes.size() < kChecksumBytes) return "verified";
  uint64_t stored = 0;
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    stored |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[bytes.size() - 8 + i]))
              << (8 * i);
  }
  if (stored == 0) return "not stored (written with rdbchecksum no), skipped";
  std::string_view body(bytes.data(), bytes.size() - kChecksumBytes);
  char buf[64];
  if (Crc64(0, body) == stored) {
    std::snprintf(buf, sizeof(buf), "CRC-64 %016llx matches",
                  static_cast<unsigned long long>(stored));
    return buf;
  }
  return "verified (file has trailing bytes after it)";
}

// Keys that have an expire time, and those whose time is already past.
void CountExpires(const Keyspace& ks, int64_t now_ms, int64_t* with_ttl, int64_t* past) {
  for (int db = 0; db < 16; ++db) {
    ks.keys(db).ForEach([&](const std::string& key, const Value&) {
      int64_t when = ks.GetExpire(db, key);
      if (when == Keyspace::kNoExpire) return;
      ++*with_ttl;
      if (when < now_ms) ++*past;
    });
  }
}

void PrintReport(const std::string& bytes, const RdbLoadResult& r, const Keyspace& ks) {
  std::printf("RDB version: %d\n", r.version);
  for (const auto& [name, value] : r.aux) {
    std::printf("aux %s = %s\n", QuoteReplyString(name).c_str(), QuoteReplyString(value).c_str());
  }
  for (int db = 0; db < 16; ++db) {
    if (r.keys_per_db[db] == 0) continue;
    std::printf("db %d: %lld keys\n", db, static_cast<long long>(r.keys_per_db[db]));
  }
  int64_t with_ttl = 0;
  int64_t past = 0;
  CountExpires(ks, WallClockMs(), &with_ttl, &past);
  std::printf("keys total: %lld\n", static_cast<long long>(r.keys_loaded));
  std::printf("keys with an expire time: %lld (already past now: %lld, kept)\n",
              static_cast<long long>(with_ttl), static_cast<long long>(past));
  std::printf("empty collections skipped: %lld\n", static_cast<long long>(r.empty_keys_skipped));
  std::printf("checksum: %s\n", ChecksumStatus(bytes, r.version).c_str());
  std::printf("RDB looks OK!\n");
}

}  // namespace

Result<std::string> ReadRdbFile(const std::string& path) {
  // std::ifstream in::binary opens read-only: the checker can never change
  // the file it inspects (redis-check-rdb also only reads).
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read error");
  return buf.str();
}

int CheckRdbMain(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::fputs(kCheckUsage, stdout);
    return 0;
  }
  if (args.size() != 1) {
    std::fputs(kCheckUsage, stderr);
    return 1;
  }
  Result<std::string> bytes = ReadRdbFile(args[0]);
  if (!bytes.ok()) {
    std::fprintf(stderr, "plab check-rdb: %s\n", bytes.status().message().c_str());
    return 1;
  }
  std::printf("checking %s (%zu bytes)\n", args[0].c_str(), bytes->size());
  Config config;
  Keyspace ks;
  // now_ms = 0: no key counts as expired, so every key is loaded and checked.
  Result<RdbLoadResult> r = LoadRdb(*bytes, 0, RdbLoadOptionsFrom(config), &ks);
  if (!r.ok()) {
    int64_t read = 0;
    for (int db = 0; db < 16; ++db) read += static_cast<int64_t>(ks.Size(db));
    std::fflush(stdout);
    std::fprintf(stderr, "RDB ERROR: %s\n", r.status().message().c_str());
    std::fprintf(stderr, "keys read before the error: %lld\n", static_cast<long long>(read));
    return 1;
  }
  PrintReport(*bytes, *r, ks);
  return 0;
}

}  // namespace plab
