#include "core/lab/lab_text.h"

#include <algorithm>
#include <cstdio>

#include "core/lab/lab_shell.h"
#include "core/util/utc_text.h"

namespace plab {
namespace {

// ANSI SGR codes used below.
constexpr const char* kBold = "1";
constexpr const char* kDim = "2";
constexpr const char* kRed = "31";
constexpr const char* kBoldRed = "1;31";
constexpr const char* kGreen = "32";
constexpr const char* kYellow = "33";

// Entries printed per list (lost, went back, came back, broken): a terminal
// summary, not the whole diff (the JSON has up to KeyspaceDiff::kMaxListed).
constexpr size_t kListed = 20;

// Appends text piece by piece: small call sites (the wasm download budget
// pays for every temporary string an expression like a + b + c builds).
class Text {
 public:
  explicit Text(bool color) : color_(color) {}

  Text& operator<<(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Text& operator<<(char c) {
    out_ += c;
    return *this;
  }
  Text& Num(int64_t n) { return *this << std::to_string(n); }
  // "1 key", "2 keys".
  Text& Count(int64_t n, std::string_view one, std::string_view many) {
    return Num(n) << ' ' << (n == 1 ? one : many);
  }
  Text& Fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", v);
    return *this << buf;
  }
  // `s` padded with blanks to `width`, on the right or (right_align) left.
  Text& Pad(std::string_view s, size_t width, bool right_align = false) {
    const size_t fill = s.size() < width ? width - s.size() : 0;
    if (right_align) out_.append(fill, ' ');
    out_.append(s);
    if (!right_align) out_.append(fill, ' ');
    return *this;
  }
  // Starts / ends a styled run (nothing without color).
  Text& On(const char* code) {
    if (color_) out_.append("\x1b[").append(code).append("m");
    return *this;
  }
  Text& Off() {
    if (color_) out_.append("\x1b[0m");
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  bool color_;
  std::string out_;
};

// What a file held: keys from its RDB part, commands from its AOF part.
std::string Loaded(const RecoveryReport::File& f) {
  const bool rdb = f.kind == "rdb" || f.kind == "base-rdb" || f.rdb_preamble;
  const bool aof = f.kind != "rdb" && f.kind != "base-rdb";
  Text t(false);
  if (rdb) {
    t.Count(f.keys_loaded, "key", "keys");
    if (f.keys_expired > 0) t << " (+" << std::to_string(f.keys_expired) << " expired)";
  }
  if (aof && (f.commands > 0 || !rdb)) {
    if (rdb) t << " + ";
    t.Count(f.commands, "command", "commands");
  }
  return t.Take();
}

void AppendHeadline(const RecoveryReport& report, std::string_view cause, Text& t) {
  t.On(kBold);
  if (cause.empty()) {
    t << "Startup";
  } else if (cause == "restart") {
    t << "Clean restart";
  } else {
    t << "Restart after " << cause;
  }
  if (!report.error.empty()) {
    t << ": loading failed.";
  } else if (report.source == "none") {
    t << ": nothing on disk to load, Redis started empty.";
  } else {
    t << (report.source == "aof" ? ": loaded the AOF" : ": loaded the RDB snapshot");
    if (report.files.size() > 1) t << " (" << std::to_string(report.files.size()) << " files)";
    t << " in ";
    t.Fixed(report.total_millis) << " ms.";
  }
  t.Off() << '\n';
}

void AppendFiles(const RecoveryReport& report, Text& t) {
  size_t name_w = 4, kind_w = 4, bytes_w = 5, loaded_w = 6;
  std::vector<std::string> loaded;
  for (const RecoveryReport::File& f : report.files) {
    loaded.push_back(Loaded(f));
    name_w = std::max(name_w, f.name.size());
    kind_w = std::max(kind_w, f.kind.size());
    bytes_w = std::max(bytes_w, std::to_string(f.bytes).size());
    loaded_w = std::max(loaded_w, loaded.back().size());
  }
  t.On(kDim) << "   # ";
  t.Pad("file", name_w + 2).Pad("kind", kind_w + 2).Pad("bytes", bytes_w, true) << "  ";
  t.Pad("loaded", loaded_w + 2) << "    ms";
  t.Off() << '\n';
  for (size_t i = 0; i < report.files.size(); ++i) {
    const RecoveryReport::File& f = report.files[i];
    char ms[32];
    std::snprintf(ms, sizeof(ms), "%6.2f", f.millis);
    t.Pad(std::to_string(i + 1), 4, true) << ' ';
    t.Pad(f.name, name_w + 2).Pad(f.kind, kind_w + 2).Pad(std::to_string(f.bytes), bytes_w, true);
    t << "  ";
    t.Pad(loaded[i], loaded_w + 2) << ms << '\n';
    if (f.truncated_bytes > 0) {
      t << "     ";
      t.On(kYellow) << "cut ";
      t.Count(f.truncated_bytes, "byte", "bytes") << " of a torn tail (an incomplete last command)";
      t.Off() << '\n';
    }
  }
}

// "key: before -> after", the key as one would type it, with its database
// when not 0.
void AppendEntry(const KeyspaceDiff::Entry& e, Text& t) {
  t << FormatCommandLine({e.key});
  if (e.db != 0) t << " (db " << std::to_string(e.db) << ')';
  t << ": " << (e.before.empty() ? e.after : e.before);
  if (!e.before.empty() && !e.after.empty()) t << " -> " << e.after;
}

void AppendMore(int64_t count, size_t listed, Text& t) {
  if (count > static_cast<int64_t>(listed)) {
    t << "    ... and ";
    t.Num(count - static_cast<int64_t>(listed)) << " more\n";
  }
}

void AppendEntries(const std::vector<KeyspaceDiff::Entry>& entries, int64_t count,
                   std::string_view one, std::string_view many, std::string_view what,
                   const char* code, Text& t) {
  if (count == 0) return;
  t << "  ";
  t.On(code).Count(count, one, many) << what;
  t.Off() << '\n';
  const size_t listed = std::min(entries.size(), kListed);
  for (size_t i = 0; i < listed; ++i) {
    t << "    ";
    AppendEntry(entries[i], t);
    t << '\n';
    if (!entries[i].note.empty()) t << "      " << entries[i].note << '\n';
  }
  AppendMore(count, listed, t);
}

void AppendBroken(const KeyspaceDiff& diff, Text& t) {
  if (diff.broken_count == 0) return;
  t << "  ";
  t.On(kBoldRed) << "BROKEN PROMISE: ";
  t.Count(diff.broken_count, "change", "changes") << " the policy";
  if (diff.promise) t << " (" << diff.promise->policy << ')';
  t << " does not allow:";
  t.Off() << '\n';
  static constexpr const char* kChange[] = {"lost ", "went back ", "came back "};
  const size_t listed = std::min(diff.broken.size(), kListed);
  for (size_t i = 0; i < listed; ++i) {
    const KeyspaceDiff::Broken& b = diff.broken[i];
    t << "    ";
    t.On(kRed) << kChange[static_cast<int>(b.change)];
    AppendEntry(b.entry, t);
    if (!b.reason.empty()) t << "\n      " << b.reason;
    t.Off() << '\n';
  }
  AppendMore(diff.broken_count, listed, t);
}

void AppendDiff(const KeyspaceDiff& diff, Text& t) {
  t.On(kBold) << "Compared with the moment the server stopped:";
  t.Off() << '\n';
  if (diff.promise && !diff.promise->sentence.empty()) {
    t << "  Promise: " << diff.promise->sentence << '\n';
  }
  AppendBroken(diff, t);
  if (diff.lost_count + diff.changed_count + diff.added_count == 0) {
    t << "  ";
    t.On(kGreen) << "Nothing lost: ";
    if (diff.unchanged_count == 0) {
      t << "there were no keys.";
    } else if (diff.unchanged_count == 1) {
      t << "the one key came back as it was.";
    } else {
      t << "all ";
      t.Count(diff.unchanged_count, "key", "keys") << " came back as they were.";
    }
    t.Off() << '\n';
    return;
  }
  AppendEntries(diff.lost, diff.lost_count, "key", "keys", " lost:", kRed, t);
  AppendEntries(diff.changed, diff.changed_count, "value", "values", " went back:", kYellow, t);
  AppendEntries(diff.added, diff.added_count, "key", "keys", " came back after a DEL:", kYellow, t);
  t << "  ";
  t.Count(diff.unchanged_count, "key", "keys") << " unchanged.\n";
  if (diff.promise && diff.promise->kind != LossPromise::Kind::kNone && diff.broken_count == 0) {
    t << "  ";
    t.On(kGreen) << "All within what the policy promises.";
    t.Off() << '\n';
  }
}

}  // namespace

std::string RecoveryText(const RecoveryReport& report, const KeyspaceDiff* diff,
                         std::string_view cause, bool color) {
  Text t(color);
  AppendHeadline(report, cause, t);
  if (!report.files.empty()) AppendFiles(report, t);
  if (report.error.empty()) {
    t << "  ";
    t.Count(report.keys_after, "key", "keys") << " in memory after loading.\n";
  }
  for (const std::string& w : report.warnings) {
    t << "  ";
    t.On(kYellow) << "warning: " << w;
    t.Off() << '\n';
  }
  if (!report.error.empty()) {
    t << "  ";
    t.On(kBoldRed) << "error: " << report.error;
    t.Off() << "\n  Redis did not start; the files are as it found them.\n";
  }
  if (diff != nullptr && report.error.empty()) AppendDiff(*diff, t);
  return t.Take();
}

std::string FilesText(const std::vector<Lab::FileEntry>& files, bool color) {
  if (files.empty()) return "No files: nothing has been written to disk yet.\n";
  size_t name_w = 4, num_w = 7;
  for (const Lab::FileEntry& f : files) {
    name_w = std::max(name_w, f.name.size());
    num_w = std::max({num_w, std::to_string(f.written).size(), std::to_string(f.durable).size()});
  }
  Text t(color);
  t.On(kDim) << "  ";
  t.Pad("file", name_w + 2).Pad("written", num_w, true) << "  ";
  t.Pad("durable", num_w, true).Off() << '\n';
  for (const Lab::FileEntry& f : files) {
    t << "  ";
    t.Pad(f.name, name_w + 2).Pad(std::to_string(f.written), num_w, true) << "  ";
    t.Pad(std::to_string(f.durable), num_w, true);
    const bool unsynced = f.written > f.durable || f.dirty;
    if (unsynced || !f.entry_durable) {
      t << "  ";
      t.On(kYellow);
      if (f.written > f.durable) {
        t.Count(static_cast<int64_t>(f.written - f.durable), "byte", "bytes") << " not durable";
      } else if (f.dirty) {
        t << "changed, not durable";
      }
      if (!f.entry_durable) {
        t << (unsynced ? "; " : "") << "name not durable: a power loss drops the file";
      }
      t.Off();
    }
    t << '\n';
  }
  t.On(kDim) << "  written: what reads see (the page cache); durable: what a power loss keeps";
  t.Off() << '\n';
  return t.Take();
}

std::string ClockText(int64_t now_ms, bool paused, double speed) {
  char rate[48];
  std::snprintf(rate, sizeof(rate), "%g", speed);
  return "Virtual time " + UtcText(now_ms) +
         (paused ? ", paused (.clock play resumes it).\n"
                 : ", running at " + std::string(rate) + "x real time.\n");
}

std::string CrashText(CrashKind kind) {
  switch (kind) {
    case CrashKind::kProcess:
      return "Process crash: Redis is gone, the OS page cache is not (every write that "
             "returned is still in the files). Type .restart to start Redis again.\n";
    case CrashKind::kPower:
      return "Power loss: Redis and the page cache are gone; only durable bytes (fsynced or "
             "written back) are left. Type .restart to start Redis again.\n";
    case CrashKind::kPowerTorn:
      return "Power loss with torn writes: only durable bytes are left, plus some whole "
             "sectors of unsynced file tails. Type .restart to start Redis again.\n";
  }
  return "";
}

std::string NotConnectedText(std::string_view down_reason) {
  return "Could not connect: the server is down (" + std::string(down_reason) +
         "). Type .restart to start it.\n";
}

std::string DotHelpText(bool color) {
  Text t(color);
  t << "Lab commands (they start with a dot and never reach Redis):\n";
  for (const DotVerbInfo& v : DotVerbs()) {
    t << "  ";
    t.On(kBold) << v.name;
    t.Off();
    if (!v.hint.empty()) t << ' ' << v.hint;
    t << "\n      " << v.summary << '\n';
  }
  t << "For example: .policy aof always, .clock +15m, .crash power, .restart\n";
  return t.Take();
}

}  // namespace plab
