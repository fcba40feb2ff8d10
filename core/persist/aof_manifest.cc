#include "core/persist/aof_manifest.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/util/ascii.h"
#include "core/util/split_args.h"

namespace plab {
namespace {

// Redis reads the manifest with fgets() into a buffer of this many bytes
// plus the terminator (MANIFEST_MAX_LINE), so it sees "lines" of at most
// 1024 bytes; a longer line is split into several reads.
constexpr size_t kMaxLineBytes = 1024;

// Redis's reasons, reproduced because operators grep logs for them.
constexpr const char* kEmpty = "Found an empty AOF manifest";
constexpr const char* kTooLong = "The AOF manifest file contains too long line";
constexpr const char* kBadFormat = "Invalid AOF manifest file format";
constexpr const char* kIsPath = "File can't be a path, just a filename";
constexpr const char* kDuplicateBase = "Found duplicate base file information";
constexpr const char* kNonMonotonic = "Found a non-monotonic sequence number";
constexpr const char* kUnknownType = "Unknown AOF file type";

// One fgets() read: up to and including the next '\n', at most
// kMaxLineBytes bytes.
std::string_view NextRead(std::string_view text, size_t* pos) {
  const size_t start = *pos;
  const size_t limit = std::min(text.size(), start + kMaxLineBytes);
  const size_t newline = text.find('\n', start);
  const size_t end = (newline != std::string_view::npos && newline < limit) ? newline + 1 : limit;
  *pos = end;
  return text.substr(start, end - start);
}

// Redis handles the read buffer, keys and file names as C strings, so
// everything after an embedded NUL byte is invisible to it.
std::string_view UpToNul(std::string_view s) { return s.substr(0, s.find('\0')); }

// sdstrim(line, " \t\r\n").
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kTrimmed = " \t\r\n";
  const size_t first = s.find_first_not_of(kTrimmed);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kTrimmed) - first + 1);
}

Status LineError(int line_number, const char* reason) {
  return Status::Corruption("AOF manifest line " + std::to_string(line_number) + ": " + reason);
}

// A line's fields before its type letter is checked.
struct RawEntry {
  std::string name;
  int64_t seq = 0;
  char type = '\0';
};

// Like the key/value loop of aofLoadManifestFromFile: at least six tokens
// in key/value pairs (more are allowed for forward compatibility), keys
// case-insensitive, unknown keys ignored, a repeated key overrides the
// earlier one. The seq is read with atoll (so "12abc" is 12, junk is 0 and
// out-of-range values saturate); the type is the value's first byte. A
// missing name, a zero seq or an empty type is a format error; an empty
// name is accepted, as in Redis.
const char* ParseEntry(std::string_view line, RawEntry* out) {
  std::optional<std::vector<std::string>> args = SplitArgs(line);
  if (!args || args->size() < 6 || args->size() % 2 != 0) return kBadFormat;
  bool have_name = false;
  for (size_t i = 0; i < args->size(); i += 2) {
    const std::string_view key = UpToNul((*args)[i]);
    const std::string& value = (*args)[i + 1];
    if (EqualsIgnoreCase(key, "file")) {
      out->name = std::string(UpToNul(value));
      if (out->name.find_first_of("/\\") != std::string::npos) return kIsPath;
      have_name = true;
    } else if (EqualsIgnoreCase(key, "seq")) {
      out->seq = std::strtoll(value.c_str(), nullptr, 10);
    } else if (EqualsIgnoreCase(key, "type")) {
      out->type = value.c_str()[0];
    }
  }
  if (!have_name || out->seq == 0 || out->type == '\0') return kBadFormat;
  return nullptr;
}

// Files the entry in `manifest`, enforcing Redis's cross-line rules.
const char* AddEntry(RawEntry entry, AofManifest* manifest) {
  AofFileInfo info{std::move(entry.name), entry.seq, AofFileType::kBase};
  switch (entry.type) {
    case 'b':
      if (manifest->base) return kDuplicateBase;
      manifest->curr_base_seq = info.seq;
      manifest->base = std::move(info);
      return nullptr;
    case 'h':
      info.type = AofFileType::kHistory;
      manifest->history.push_back(std::move(info));
      return nullptr;
    case 'i':
      // Redis compares against the last INCR seq, starting from 0, so a
      // first INCR with a negative seq is refused too.
      if (info.seq <= manifest->curr_incr_seq) return kNonMonotonic;
      info.type = AofFileType::kIncr;
      manifest->curr_incr_seq = info.seq;
      manifest->incrs.push_back(std::move(info));
      return nullptr;
    default:
      return kUnknownType;
  }
}

// sdsneedsrepr(): quotes, backslashes, blanks and anything outside
// printable ASCII force the quoted form.
bool NeedsQuoting(std::string_view name) {
  return std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '\\' || c == '"' || c == ' ' || u < 0x20 || u > 0x7e;
  });
}

// sdscatrepr(): the double-quoted form that SplitArgs reads back.
void AppendQuoted(std::string* out, std::string_view name) {
  constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : name) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u <= 0x7e) {
          out->push_back(c);
        } else {
          out->append("\\x");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        }
      }
    }
  }
  out->push_back('"');
}

// aofInfoFormat(): one "file <name> seq <n> type <t>\n" line.
void AppendLine(std::string* out, const AofFileInfo& info) {
  out->append("file ");
  if (NeedsQuoting(info.name)) {
    AppendQuoted(out, info.name);
  } else {
    out->append(info.name);
  }
  out->append(" seq ");
  out->append(std::to_string(info.seq));
  out->append(" type ");
  out->push_back(static_cast<char>(info.type));
  out->push_back('\n');
}

Status NextSeq(int64_t* seq, const char* what) {
  if (*seq == std::numeric_limits<int64_t>::max()) {
    return Status::Corruption(std::string("AOF manifest: ") + what + " sequence number overflow");
  }
  ++*seq;
  return Status::Ok();
}

std::string NumberedName(std::string_view appendfilename, int64_t seq, std::string_view suffix) {
  std::string name(appendfilename);
  name.push_back('.');
  name.append(std::to_string(seq));
  name.append(suffix);
  return name;
}

}  // namespace

// Mirrors aofLoadManifestFromFile's loop: every fgets() read counts as a
// line; a read starting with '#' is skipped whatever follows (even the
// first 1024 bytes of a longer comment, whose remainder is then parsed as
// the next line); a read without '\n' (a long line, a NUL byte before the
// newline, or a missing final newline) is "too long"; a blank line is a
// format error; an empty input is an error but a comments-only one is not.
Result<AofManifest> ParseAofManifest(std::string_view text) {
  if (text.empty()) return Status::Corruption(std::string("AOF manifest: ") + kEmpty);
  AofManifest manifest;
  size_t pos = 0;
  int line_number = 0;
  while (pos < text.size()) {
    const std::string_view read = NextRead(text, &pos);
    ++line_number;
    if (read[0] == '#') continue;
    const std::string_view c_line = UpToNul(read);
    if (c_line.find('\n') == std::string_view::npos) return LineError(line_number, kTooLong);
    const std::string_view line = Trim(c_line);
    if (line.empty()) return LineError(line_number, kBadFormat);
    RawEntry entry;
    if (const char* err = ParseEntry(line, &entry)) return LineError(line_number, err);
    if (const char* err = AddEntry(std::move(entry), &manifest)) {
      return LineError(line_number, err);
    }
  }
  return manifest;
}

std::string FormatAofManifest(const AofManifest& manifest) {
  std::string out;
  if (manifest.base) AppendLine(&out, *manifest.base);
  for (const AofFileInfo& info : manifest.history) AppendLine(&out, info);
  for (const AofFileInfo& info : manifest.incrs) AppendLine(&out, info);
  return out;
}

std::string BaseFileName(std::string_view appendfilename, int64_t seq, bool rdb_preamble) {
  return NumberedName(appendfilename, seq, rdb_preamble ? ".base.rdb" : ".base.aof");
}

std::string IncrFileName(std::string_view appendfilename, int64_t seq) {
  return NumberedName(appendfilename, seq, ".incr.aof");
}

std::string ManifestFileName(std::string_view appendfilename) {
  return std::string(appendfilename) + ".manifest";
}

std::string TempManifestFileName(std::string_view appendfilename) {
  return "temp-" + ManifestFileName(appendfilename);
}

std::string TempIncrFileName(std::string_view appendfilename) {
  return "temp-" + std::string(appendfilename) + ".incr";
}

Result<std::string> AddNewIncr(AofManifest* manifest, std::string_view appendfilename) {
  PLAB_RETURN_IF_ERROR(NextSeq(&manifest->curr_incr_seq, "INCR"));
  const int64_t seq = manifest->curr_incr_seq;
  manifest->incrs.push_back({IncrFileName(appendfilename, seq), seq, AofFileType::kIncr});
  return manifest->incrs.back().name;
}

Result<std::string> LastOrNewIncr(AofManifest* manifest, std::string_view appendfilename) {
  if (manifest->incrs.empty()) return AddNewIncr(manifest, appendfilename);
  return manifest->incrs.back().name;
}

Result<std::string> AddNewBase(AofManifest* manifest, std::string_view appendfilename,
                               bool rdb_preamble) {
  // Checked before anything moves, so a failure leaves the manifest as it was.
  PLAB_RETURN_IF_ERROR(NextSeq(&manifest->curr_base_seq, "BASE"));
  if (manifest->base) {
    manifest->base->type = AofFileType::kHistory;
    manifest->history.insert(manifest->history.begin(), std::move(*manifest->base));
  }
  const int64_t seq = manifest->curr_base_seq;
  manifest->base =
      AofFileInfo{BaseFileName(appendfilename, seq, rdb_preamble), seq, AofFileType::kBase};
  return manifest->base->name;
}

void MarkRewrittenIncrsAsHistory(AofManifest* manifest, bool aof_enabled) {
  std::vector<AofFileInfo>& incrs = manifest->incrs;
  const size_t keep = (aof_enabled && !incrs.empty()) ? 1 : 0;
  const size_t moved = incrs.size() - keep;
  for (size_t i = 0; i < moved; ++i) incrs[i].type = AofFileType::kHistory;
  manifest->history.insert(manifest->history.begin(), std::make_move_iterator(incrs.begin()),
                           std::make_move_iterator(incrs.begin() + moved));
  incrs.erase(incrs.begin(), incrs.begin() + moved);
}

std::vector<std::string> TakeHistory(AofManifest* manifest) {
  std::vector<std::string> names;
  names.reserve(manifest->history.size());
  for (AofFileInfo& info : manifest->history) names.push_back(std::move(info.name));
  manifest->history.clear();
  return names;
}

void AdoptLegacyAofAsBase(AofManifest* manifest, std::string_view appendfilename) {
  manifest->base = AofFileInfo{std::string(appendfilename), 1, AofFileType::kBase};
  manifest->curr_base_seq = 1;
}

}  // namespace plab
