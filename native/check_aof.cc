#include "native/check_aof.h"

#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/aof_manifest.h"
#include "core/persist/aof_reader.h"
#include "core/persist/rdb_loader.h"
#include "core/server/config.h"
#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/store/keyspace.h"
#include "native/check_rdb.h"

namespace plab {
namespace {

constexpr char kCheckAofUsage[] =
    "Usage: plab check-aof [--fix [--yes]] FILE\n"
    "Verifies a Redis append-only file: a manifest (every BASE and INCR file it lists\n"
    "is checked) or a single .aof file, with or without an RDB preamble. Exits 0 when\n"
    "everything is valid, 1 otherwise, naming the offset where the file goes wrong.\n"
    "--fix truncates the last file at that offset after asking; --yes skips asking.\n";

// redis-check-aof only treats a file as RDB when it can hold a header.
constexpr size_t kMinRdbSize = 8;

struct Options {
  bool fix = false;
  bool yes = false;
  std::string path;
};

enum class Verdict { kOk, kEmpty, kTruncated, kFailed };

// Where the RESP part stops being valid, as redis-check-aof computes it:
// the start of the item that failed, or of the open MULTI when the failure
// is inside a transaction (a half transaction is never kept).
struct Scan {
  size_t ok_up_to = 0;
  int64_t line = 1;  // redis-check-aof's ok_up_to_line: 1 + lines of whole commands
  std::string error;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// redis-check-aof's processRESP rules for transactions: MULTI inside MULTI
// and EXEC outside one are errors (the server itself would only queue or
// reject them, but a checker flags them).
bool TrackMulti(const std::vector<std::string>& argv, int* multi, size_t at, std::string* error) {
  const std::string name = Lower(argv[0]);
  if (name == "multi" && (*multi)++ != 0) {
    *error = "offset " + std::to_string(at) + ": MULTI inside an open MULTI";
    return false;
  }
  if (name == "exec" && --*multi != 0) {
    *error = "offset " + std::to_string(at) + ": EXEC without a matching MULTI";
    return false;
  }
  return true;
}

Scan ScanResp(AofReader* reader, size_t size) {
  Scan scan;
  int multi = 0;
  std::vector<std::string> argv;
  while (true) {
    const size_t item_start = reader->offset();
    if (multi == 0) scan.ok_up_to = item_start;
    Result<AofReader::Item> item = reader->Next(&argv);
    if (!item.ok()) {
      scan.error = item.status().message();
      break;
    }
    if (item->kind == AofReader::Kind::kAnnotation) continue;
    if (item->kind == AofReader::Kind::kEnd) break;
    if (item->kind == AofReader::Kind::kTruncated) {
      scan.error = item->incomplete_multi
                       ? "offset " + std::to_string(size) + ": end of file inside MULTI (no EXEC)"
                       : "offset " + std::to_string(item_start) +
                             ": unexpected end of file inside a command (torn tail)";
      break;
    }
    scan.line += 1 + 2 * static_cast<int64_t>(argv.size());
    if (!TrackMulti(argv, &multi, item_start, &scan.error)) break;
  }
  if (scan.error.empty() && multi != 0) {
    scan.error = "offset " + std::to_string(size) + ": end of file inside MULTI (no EXEC)";
  }
  return scan;
}

// Like fgets + strncasecmp(buf, "y", 1) in redis-check-aof.
bool Confirm() {
  std::printf("Continue? [y/N]: ");
  std::fflush(stdout);
  int c = std::getchar();
  return c == 'y' || c == 'Y';
}

Verdict Repair(const std::string& name, const std::string& path, size_t size, size_t cut,
               bool last_file, const Options& opts) {
  if (!last_file) {
    std::printf("Cannot truncate AOF %s: only the last file of a manifest may be cut\n",
                name.c_str());
    return Verdict::kFailed;
  }
  std::printf("AOF %s will shrink from %zu to %zu bytes (%zu bytes dropped)\n", name.c_str(), size,
              cut, size - cut);
  if (!opts.yes && !Confirm()) {
    std::printf("Aborting...\n");
    return Verdict::kFailed;
  }
  if (::truncate(path.c_str(), static_cast<off_t>(cut)) != 0) {
    std::printf("Failed to truncate AOF %s\n", name.c_str());
    return Verdict::kFailed;
  }
  return Verdict::kTruncated;
}

// Validates the RDB part with the real loader; returns where it ends, or
// nothing (after reporting) when it is broken.
bool CheckRdbPart(const std::string& bytes, size_t* rdb_end) {
  Config config;
  Keyspace scratch;
  // now_ms = 0: no key counts as expired, so every key is decoded.
  Result<RdbLoadResult> r = LoadRdb(bytes, 0, RdbLoadOptionsFrom(config), &scratch);
  if (!r.ok()) {
    std::printf("RDB ERROR: %s\n", r.status().message().c_str());
    std::printf("RDB preamble of AOF file is not sane, aborting.\n");
    return false;
  }
  *rdb_end = static_cast<size_t>(r->bytes_read);
  std::printf("RDB part: version %d, %lld keys, %zu bytes; RDB looks OK\n", r->version,
              static_cast<long long>(r->keys_loaded), *rdb_end);
  std::printf("RDB preamble is OK, proceeding with AOF tail...\n");
  return true;
}

Verdict CheckSingleAof(const std::string& name, const std::string& path, bool last_file,
                       bool allow_rdb, const Options& opts) {
  std::printf("checking %s\n", name.c_str());
  Result<std::string> bytes = ReadRdbFile(path);
  if (!bytes.ok()) {
    std::printf("Cannot open file %s, aborting...\n", bytes.status().message().c_str());
    return Verdict::kFailed;
  }
  const size_t size = bytes->size();
  if (size == 0) return Verdict::kEmpty;
  AofReader reader(*bytes);
  if (allow_rdb && size >= kMinRdbSize && reader.HasRdbPreamble()) {
    size_t rdb_end = 0;
    if (!CheckRdbPart(*bytes, &rdb_end)) return Verdict::kFailed;
    reader.SetOffset(rdb_end);  // the cut below can never reach into the RDB
  }
  Scan scan = ScanResp(&reader, size);
  if (!scan.error.empty()) std::printf("%s\n", scan.error.c_str());
  const size_t diff = size - scan.ok_up_to;
  std::printf("AOF analyzed: filename=%s, size=%zu, ok_up_to=%zu, ok_up_to_line=%lld, diff=%zu\n",
              name.c_str(), size, scan.ok_up_to, static_cast<long long>(scan.line), diff);
  if (diff == 0) return Verdict::kOk;
  if (opts.fix) return Repair(name, path, size, scan.ok_up_to, last_file, opts);
  std::printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name.c_str());
  return Verdict::kFailed;
}

// Prints the per-file outcome; false when the whole check must stop.
bool Report(const char* label, const std::string& name, Verdict v) {
  switch (v) {
    case Verdict::kOk:
      std::printf("%sAOF %s is valid\n", label, name.c_str());
      return true;
    case Verdict::kEmpty:
      std::printf("%sAOF %s is empty\n", label, name.c_str());
      return true;
    case Verdict::kTruncated:
      std::printf("Successfully truncated AOF %s\n", name.c_str());
      return true;
    case Verdict::kFailed:
      return false;
  }
  return false;
}

// redis-check-aof's fileIsManifest: some non-comment line starts with "file".
bool LooksLikeManifest(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#' && line.substr(0, 4) == "file") return true;
    start = end + 1;
  }
  return false;
}

int CheckManifest(const std::string& text, const Options& opts) {
  std::printf("Start checking Multi Part AOF\n");
  Result<AofManifest> m = ParseAofManifest(text);
  if (!m.ok()) {
    std::printf("%s\n", m.status().message().c_str());
    return 1;
  }
  std::filesystem::path dir = std::filesystem::path(opts.path).parent_path();
  auto in_dir = [&](const std::string& name) { return (dir / name).string(); };
  const size_t total = (m->base ? 1 : 0) + m->incrs.size();
  size_t done = 0;
  if (m->base) {
    const std::string& name = m->base->name;
    Verdict v = CheckSingleAof(name, in_dir(name), ++done == total, /*allow_rdb=*/true, opts);
    if (!Report("BASE ", name, v)) return 1;
  }
  for (const AofFileInfo& incr : m->incrs) {
    Verdict v =
        CheckSingleAof(incr.name, in_dir(incr.name), ++done == total, /*allow_rdb=*/false, opts);
    if (!Report("INCR ", incr.name, v)) return 1;
  }
  std::printf("All AOF files and manifest are valid\n");
  return 0;
}

bool ParseArgs(const std::vector<std::string>& args, Options* opts) {
  for (const std::string& a : args) {
    if (a == "--fix") {
      opts->fix = true;
    } else if (a == "--yes") {
      opts->yes = true;
    } else if (opts->path.empty() && !a.empty() && a[0] != '-') {
      opts->path = a;
    } else {
      return false;
    }
  }
  return !opts->path.empty() && (opts->fix || !opts->yes);
}

}  // namespace

int CheckAofMain(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    std::fputs(kCheckAofUsage, stdout);
    return 0;
  }
  Options opts;
  if (!ParseArgs(args, &opts)) {
    std::fputs(kCheckAofUsage, stderr);
    return 1;
  }
  Result<std::string> bytes = ReadRdbFile(opts.path);
  if (!bytes.ok()) {
    std::printf("Cannot open file %s, aborting...\n", bytes.status().message().c_str());
    return 1;
  }
  if (LooksLikeManifest(*bytes)) return CheckManifest(*bytes, opts);
  std::printf("Start checking Old-Style AOF\n");
  Verdict v = CheckSingleAof(opts.path, opts.path, /*last_file=*/true, /*allow_rdb=*/true, opts);
  return Report("", opts.path, v) ? 0 : 1;
}

}  // namespace plab
