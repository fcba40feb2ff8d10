// The AOF targets (fuzz_entries.h): the reader alone, loading through the
// engine on a SimDisk, and the manifest parser.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/io/clock.h"
#include "core/io/sim_disk.h"
#include "core/persist/aof_manifest.h"
#include "core/persist/aof_reader.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_entries.h"
#include "tests/unit/persist_test_util.h"

namespace plab::fuzz {
namespace {

using Argv = std::vector<std::string>;

struct AofRead {
  std::vector<Argv> commands;
  std::vector<size_t> item_ends;     // offset after each command or annotation
  std::vector<size_t> command_ends;  // offset after each command
  AofReader::Item last;
  Status error;
  std::string problem;
};

AofRead ReadAof(std::string_view bytes) {
  AofRead out;
  AofReader reader(bytes);
  // Every item consumes at least one byte, so this bound is never reached
  // unless the reader stops making progress.
  for (size_t n = 0; n <= bytes.size() + 1; ++n) {
    Argv argv;
    const size_t before = reader.offset();
    Result<AofReader::Item> item = reader.Next(&argv);
    if (!item.ok()) {
      out.error = item.status();
      if (out.error.message().rfind("offset ", 0) != 0) out.problem = "an error without its offset";
      return out;
    }
    if (item->kind == AofReader::Kind::kCommand || item->kind == AofReader::Kind::kAnnotation) {
      if (reader.offset() <= before) out.problem = "an item that consumed no bytes";
      out.item_ends.push_back(reader.offset());
      if (item->kind == AofReader::Kind::kCommand) {
        if (argv.empty()) out.problem = "a command without arguments";
        out.commands.push_back(std::move(argv));
        out.command_ends.push_back(reader.offset());
      }
      if (!out.problem.empty()) return out;
      continue;
    }
    out.last = *item;
    // The end is sticky: asking again gives the same answer.
    Result<AofReader::Item> again = reader.Next(&argv);
    if (!again.ok() || again->kind != item->kind || again->truncate_at != item->truncate_at) {
      out.problem = "Next() after the end gives another answer";
    }
    return out;
  }
  out.problem = "the reader does not progress";
  return out;
}

// A name written unquoted (nothing sdsneedsrepr quotes) holding a ', or
// an empty name (written as nothing at all, so the line has a word less).
bool HasUnreadableName(const AofManifest& m) {
  auto bare_quote = [](const AofFileInfo& f) {
    const bool quoted = std::any_of(f.name.begin(), f.name.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return c == '\\' || c == '"' || c == ' ' || u < 0x20 || u > 0x7e;
    });
    return f.name.empty() || (!quoted && f.name.find('\'') != std::string::npos);
  };
  if (m.base && bare_quote(*m.base)) return true;
  return std::any_of(m.history.begin(), m.history.end(), bare_quote) ||
         std::any_of(m.incrs.begin(), m.incrs.end(), bare_quote);
}

size_t LongestLine(std::string_view text) {
  size_t longest = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
    longest = std::max(longest, len);
    text.remove_prefix(len);
  }
  return longest;
}

std::string EncodeAll(const std::vector<Argv>& commands) {
  std::string out;
  for (const Argv& argv : commands) out += EncodeAofCommand(argv);
  return out;
}

// The truncation point is a place aof-load-truncated may cut at: the start
// or the end of an item. Reading only that prefix yields exactly the
// commands that end inside it, with no error.
std::string TruncationProblem(std::string_view bytes, const AofRead& r) {
  const size_t cut = r.last.truncate_at;
  if (cut > bytes.size()) return "truncate_at beyond the input";
  if (cut != 0 && std::find(r.item_ends.begin(), r.item_ends.end(), cut) == r.item_ends.end()) {
    return "truncate_at " + std::to_string(cut) + " is not between two items";
  }
  AofRead prefix = ReadAof(bytes.substr(0, cut));
  if (!prefix.problem.empty()) return "reading the kept prefix: " + prefix.problem;
  if (!prefix.error.ok()) return "the kept prefix fails to read: " + prefix.error.message();
  const size_t kept = static_cast<size_t>(
      std::upper_bound(r.command_ends.begin(), r.command_ends.end(), cut) - r.command_ends.begin());
  if (prefix.commands.size() != kept) {
    return "the kept prefix reads " + std::to_string(prefix.commands.size()) + " commands, not " +
           std::to_string(kept);
  }
  for (size_t i = 0; i < kept; ++i) {
    if (prefix.commands[i] != r.commands[i]) return "the kept prefix reads other commands";
  }
  if (prefix.last.kind == AofReader::Kind::kTruncated && !prefix.last.incomplete_multi) {
    return "the kept prefix is itself torn";
  }
  return "";
}

}  // namespace

std::string FuzzAofReader(std::string_view data) {
  AofRead r = ReadAof(data);
  if (!r.problem.empty()) return r.problem;
  if (r.error.ok() && r.last.kind == AofReader::Kind::kTruncated) {
    std::string p = TruncationProblem(data, r);
    if (!p.empty()) return p;
  }
  // What was read, written again the way PersistLab writes an AOF, reads
  // back as the same commands (a clean end stays a clean end).
  const std::string again_bytes = EncodeAll(r.commands);
  AofRead again = ReadAof(again_bytes);
  if (!again.problem.empty() || !again.error.ok()) return "re-encoded commands fail to read";
  if (again.commands != r.commands) return "re-encoded commands read back differently";
  if (r.error.ok() && r.last.kind == AofReader::Kind::kEnd &&
      again.last.kind != AofReader::Kind::kEnd) {
    return "re-encoded commands of a clean file do not end cleanly";
  }
  return "";
}

namespace {

const std::string kDir = "appendonlydir/";

struct Machine {
  ManualClock clock;
  SimDisk disk{&clock};

  bool Put(const std::string& path, std::string_view bytes) {
    auto file = disk.OpenWritable(path, /*truncate=*/true);
    if (!file.ok() || !(*file)->Append(bytes).ok()) return false;
    if (!(*file)->Sync()->status().ok()) return false;
    (void)(*file)->Close();
    return true;
  }
  std::map<std::string, std::string> Files() { return testing::FileContents(disk); }
};

Config ReplayConfig(bool load_truncated) {
  Config c;
  c.appendonly = true;
  c.appendfsync = FsyncPolicy::kAlways;
  c.save = {};
  c.aof_load_truncated = load_truncated;
  // Strings may not grow past 1 MB (SETRANGE, APPEND): a 1 KB input must
  // not make the target allocate 512 MB the way a real AOF could.
  c.proto_max_bulk_len = 1024 * 1024;
  return c;
}

// Lays the files out as data[0] says: 0 = empty BASE + one INCR; 1 = a BASE
// only (an RDB preamble when it starts with "REDIS"); 2 = BASE and INCR
// split at data[1]; 3 = empty BASE + two INCRs split at data[1].
bool LayOut(Machine& m, std::string_view data) {
  const int layout = static_cast<uint8_t>(data[0]) & 3;
  std::string_view rest = data.substr(2);
  const size_t cut = rest.size() * static_cast<uint8_t>(data[1]) / 255;
  std::string_view base = layout == 1 ? rest : layout == 2 ? rest.substr(0, cut) : "";
  std::vector<std::string_view> incrs;
  if (layout == 0) incrs = {rest};
  if (layout == 2) incrs = {rest.substr(cut)};
  if (layout == 3) incrs = {rest.substr(0, cut), rest.substr(cut)};
  std::string manifest = "file appendonly.aof.1.base.aof seq 1 type b\n";
  if (!m.disk.CreateDir("appendonlydir").ok()) return false;
  if (!m.Put(kDir + "appendonly.aof.1.base.aof", base)) return false;
  for (size_t i = 0; i < incrs.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    manifest += "file appendonly.aof." + n + ".incr.aof seq " + n + " type i\n";
    if (!m.Put(kDir + "appendonly.aof." + n + ".incr.aof", incrs[i])) return false;
  }
  if (!m.Put(kDir + "appendonly.aof.manifest", manifest)) return false;
  (void)m.disk.SyncDir("appendonlydir");
  (void)m.disk.SyncDir("");
  return true;
}

}  // namespace

std::string FuzzAofReplay(std::string_view data) {
  if (data.size() < 2) return "";
  const bool load_truncated = (static_cast<uint8_t>(data[0]) & 4) == 0;
  Machine m;
  if (!LayOut(m, data)) return "could not lay the files out on the SimDisk";
  const std::map<std::string, std::string> before = m.Files();
  KeyspaceFingerprint first;
  {
    Engine engine(m.clock, ReplayConfig(load_truncated), &m.disk);
    RecoveryReport report;
    Status s = engine.Recover(&report);
    if (!s.ok()) {
      if (s.message().empty()) return "a failed load without a message";
      if (m.Files() != before) return "a failed load changed the files: " + s.message();
      return "";
    }
    Keyspace& ks = engine.server().keyspace();
    int64_t keys = 0;
    for (int db = 0; db < Keyspace::kNumDbs; ++db) keys += static_cast<int64_t>(ks.Size(db));
    if (keys != report.keys_after) return "keys_after differs from the keyspace";
    std::string p = LoadedKeyspaceProblem(ks, engine.server().config(), /*same_encodings=*/false);
    if (!p.empty()) return p;
    first = FingerprintKeyspace(ks, m.clock.NowMillis());
  }
  // A restart on what the first start left (truncated tail included) loads
  // the same dataset.
  Engine engine(m.clock, ReplayConfig(load_truncated), &m.disk);
  RecoveryReport report;
  Status s = engine.Recover(&report);
  if (!s.ok()) return "the second start fails: " + s.message();
  std::string diff =
      FingerprintDiff(first, FingerprintKeyspace(engine.server().keyspace(), m.clock.NowMillis()));
  if (!diff.empty()) return "the second start loads another dataset: " + diff;
  return "";
}

std::string FuzzAofManifest(std::string_view data) {
  Result<AofManifest> parsed = ParseAofManifest(data);
  if (!parsed.ok()) {
    // "AOF manifest line N: ..." or, for a file with no line at all,
    // "AOF manifest: Found an empty AOF manifest".
    if (parsed.status().message().rfind("AOF manifest", 0) != 0) {
      return "an error not naming the manifest: " + parsed.status().message();
    }
    return "";
  }
  AofManifest m = *parsed;
  // A file of comments parses to an empty manifest, which formats to an
  // empty file, which Redis (and so ParseAofManifest) refuses: Redis never
  // writes a manifest without files, so there is nothing to round-trip.
  if (!m.base && m.history.empty() && m.incrs.empty()) return "";
  // Redis writes a name with a single quote unquoted (sdsneedsrepr ignores
  // it) and then cannot read it back: a bare quote opens a quoted token.
  // It also accepts file "" and writes it as no word at all. PersistLab
  // matches both byte for byte (tests/unit/aof_manifest_test.cc).
  if (HasUnreadableName(m)) return "";
  // Formatting and parsing again is a fixed point.
  for (int round = 0; round < 2; ++round) {
    const std::string text = FormatAofManifest(m);
    // A name full of bytes that need escaping can fit a line when read and
    // not once written quoted; Redis 7.0.15 then refuses its own manifest
    // ("too long line") just the same, so only shorter lines round-trip.
    if (LongestLine(text) >= 1024) return "";
    Result<AofManifest> again = ParseAofManifest(text);
    if (!again.ok()) return "a formatted manifest fails to parse: " + again.status().message();
    if (!(*again == m)) return "a formatted manifest parses to another manifest";
    if (FormatAofManifest(*again) != text) return "formatting is not stable";
    for (size_t i = 1; i < m.incrs.size(); ++i) {
      if (m.incrs[i].seq <= m.incrs[i - 1].seq) return "INCR seqs not strictly increasing";
    }
    if (round == 1) break;
    // One rewrite's transitions, then the same checks on their result.
    // Redis reads "seq -1" (atoll) and would number the next file 0, which
    // its own parser refuses: a negative seq is where the round trip ends.
    if (m.curr_base_seq < 0 || m.curr_incr_seq < 0) return "";
    if (!AddNewIncr(&m, "appendonly.aof").ok()) return "";
    if (!AddNewBase(&m, "appendonly.aof", true).ok()) return "";
    MarkRewrittenIncrsAsHistory(&m, /*aof_enabled=*/true);
    if (m.incrs.size() != 1) return "after a rewrite " + std::to_string(m.incrs.size()) + " INCRs";
    (void)TakeHistory(&m);
    if (!m.history.empty()) return "TakeHistory left history";
  }
  return "";
}

}  // namespace plab::fuzz
