// The WebAssembly face of PersistLab: embind bindings for plab::Lab (the
// engine, its virtual clock and its simulated disk). web/src/persistlab.js
// wraps them in the public JS API (PersistLab.open, exec, crash, ...) and
// mirrors the disk's durable changes to IndexedDB; nothing here knows about
// IndexedDB.
//
//   import createPlab from "./plab_wasm.mjs";
//   const plab = await createPlab();
//   const lab = new plab.Lab(Date.now());
//   lab.open([["appendonly", "yes"]]);                    // '{"ok":true,...}'
//   lab.runBatch(encodedCommands);                        // Uint8Array of RESP
//   lab.delete();                                         // freed by hand
//
// Contract: no function throws into JavaScript for bad input. Structured
// results (open, restart) are JSON strings; byte strings cross as
// Uint8Array copies, so binary values survive.
//
// The terminal's side (core/lab/lab_shell.h and lab_text.h, shared with the
// native REPL `plab`):
//   Lab.parseLine(line)         what a typed line is, as JSON (lab_shell.h)
//   Lab.dotHelp()               the dot-command list (.help)
//   Lab.dotCommands()           the same as JSON, for completion and hints:
//                               [{"name":".crash","hint":"...","summary":"..."}]
//   Lab.helpText(topic, color)  HELP's text for topic words (an array)
//   Lab.clockText(nowMs, paused, speed)   what .clock prints
//   lab.prompt()                "plab> ", "plab[2](TX)> ", "not connected> "
//   lab.filesText(color)        what .files prints
// and open()/restart() return the report rendered as "text" (plain) and
// "color_text" (ANSI colours, for xterm) beside the JSON.
//
// What the panels read without running a command (so INFO commandstats
// counts only what the user typed), each a JSON string ("{}" or "null"
// when the lab is not running):
//   lab.configGet(patterns)     {"appendonly":"yes",...}, CONFIG GET's pairs
//   lab.persistenceInfo()       INFO persistence's fields, {"rdb_changes_since_last_save":"3",...}
//   lab.promise()               the running setup's loss promise (core/lab/promise.h),
//                               the fields of a diff's "promise": policy, kind,
//                               window_ms, since_ms, sentence, stop, stop_ms
//   lab.stats()                 {"fsyncs","dir_syncs","bytes_written","files",
//                               "written_bytes","durable_bytes"} (Lab::DiskStats)
//   lab.digest()                the keyspace digest, 16 hex digits ("" when down)
//
// Batch encoding (what runBatch takes; web/src/resp.js writes it): a
// sequence of commands, each
//   'L' u32 n, n bytes            a command line, split like redis-cli does
//   'A' u32 argc, argc x (u32 n, n bytes)   an argv, binary-safe
// with u32 little-endian. One batch is one event-loop turn of Redis.
#include <emscripten/bind.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/cmd/help_text.h"
#include "core/cmd/server_family.h"
#include "core/lab/lab.h"
#include "core/lab/lab_shell.h"
#include "core/lab/lab_text.h"
#include "core/persist/little_endian.h"
#include "core/resp/reply_format.h"
#include "core/server/config_registry.h"
#include "core/util/split_args.h"
#include "native/system_clock.h"

namespace plab {
namespace {

using emscripten::val;

// A copy of `bytes` as a JS Uint8Array (the memory view alone would dangle
// once wasm memory grows).
val Bytes(std::string_view bytes) {
  return val::global("Uint8Array")
      .new_(emscripten::typed_memory_view(bytes.size(),
                                          reinterpret_cast<const uint8_t*>(bytes.data())));
}

// Reads the batch encoding above; nullopt when it is malformed.
class BatchReader {
 public:
  explicit BatchReader(std::string_view in) : in_(in) {}

  std::optional<std::vector<Lab::Command>> ReadAll() {
    std::vector<Lab::Command> out;
    while (pos_ < in_.size()) {
      const char kind = in_[pos_++];
      Lab::Command command;
      if (kind == 'L') {
        std::optional<std::string_view> line = Chunk();
        if (!line) return std::nullopt;
        std::optional<std::vector<std::string>> argv = SplitArgs(*line);
        // Same wording as Redis's processInlineBuffer() for a bad line.
        if (!argv)
          command.error = "ERR Protocol error: unbalanced quotes in request";
        else
          command.argv = std::move(*argv);
      } else if (kind == 'A') {
        std::optional<uint32_t> argc = U32();
        if (!argc) return std::nullopt;
        for (uint32_t i = 0; i < *argc; ++i) {
          std::optional<std::string_view> arg = Chunk();
          if (!arg) return std::nullopt;
          command.argv.emplace_back(*arg);
        }
      } else {
        return std::nullopt;
      }
      out.push_back(std::move(command));
    }
    return out;
  }

 private:
  std::optional<uint32_t> U32() {
    if (in_.size() - pos_ < 4) return std::nullopt;
    const auto v =
        static_cast<uint32_t>(GetLe(reinterpret_cast<const unsigned char*>(in_.data() + pos_), 4));
    pos_ += 4;
    return v;
  }
  std::optional<std::string_view> Chunk() {
    std::optional<uint32_t> n = U32();
    if (!n || in_.size() - pos_ < *n) return std::nullopt;
    std::string_view out = in_.substr(pos_, *n);
    pos_ += *n;
    return out;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

std::string_view StateName(Lab::State state) {
  switch (state) {
    case Lab::State::kNew:
      return "new";
    case Lab::State::kRunning:
      return "running";
    case Lab::State::kDown:
      return "down";
  }
  return "down";
}

std::string_view OpKind(DurableOp::Kind kind) {
  switch (kind) {
    case DurableOp::Kind::kAppend:
      return "append";
    case DurableOp::Kind::kTruncate:
      return "truncate";
    case DurableOp::Kind::kLink:
      return "link";
    case DurableOp::Kind::kUnlink:
      return "unlink";
    case DurableOp::Kind::kDropInode:
      return "drop";
    case DurableOp::Kind::kMkdir:
      return "mkdir";
    case DurableOp::Kind::kRmdir:
      return "rmdir";
  }
  return "";
}

// A JSON string (invalid UTF-8 replaced, never thrown).
std::string JsonString(std::string_view s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// {"ok":bool,"error":"...","report":{...}[,"diff":{...}],"text":"...",
// "color_text":"..."}, assembled from the parts' own JSON: the wasm build
// links nlohmann's writer but not its parser, which alone would cost ~10 KB
// of the download budget. `cause`: why the server had stopped (lab_text.h).
std::string Outcome(const Status& status, const RecoveryReport* report, const KeyspaceDiff* diff,
                    std::string_view cause) {
  std::string out = std::string("{\"ok\":") + (status.ok() ? "true" : "false") +
                    ",\"error\":" + JsonString(status.ok() ? "" : status.message());
  if (report != nullptr) {
    const KeyspaceDiff* shown_diff = status.ok() ? diff : nullptr;
    out += ",\"report\":" + report->ToJson();
    out += ",\"text\":" + JsonString(RecoveryText(*report, shown_diff, cause, false));
    out += ",\"color_text\":" + JsonString(RecoveryText(*report, shown_diff, cause, true));
  }
  if (diff != nullptr && status.ok()) out += ",\"diff\":" + diff->ToJson();
  return out + "}";
}

// One argument from JS: a string, or {hex: "ff00"} as parseLine writes
// bytes that are not UTF-8.
std::string ArgFromJs(const val& arg) {
  if (arg.isString()) return arg.as<std::string>();
  std::string out;
  if (arg.isNull() || arg.isUndefined()) return out;
  const std::string hex = arg["hex"].isString() ? arg["hex"].as<std::string>() : "";
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

// {"name":"value",...} from string pairs.
std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out = "{";
  for (const auto& [name, value] : pairs) {
    if (out.size() > 1) out += ',';
    out += JsonString(name) + ":" + JsonString(value);
  }
  return out + "}";
}

class LabBinding {
 public:
  explicit LabBinding(double start_ms) : lab_(static_cast<int64_t>(start_ms), &stopwatch_) {}

  // Booting from the host's mirror (before open()).
  void BootInode(double id, const std::string& bytes) {
    lab_.boot_image().inodes[static_cast<uint64_t>(id)] = bytes;
  }
  void BootName(const std::string& path, double id) {
    lab_.boot_image().names[path] = static_cast<uint64_t>(id);
  }
  void BootDir(const std::string& path) { lab_.boot_image().dirs.insert(path); }

  // `config`: a JS array of [name, value] string pairs (persistlab.js
  // checks the shape).
  std::string Open(const val& config) {
    std::vector<std::pair<std::string, std::string>> pairs;
    const auto n = config["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) {
      val pair = config[i];
      pairs.emplace_back(pair[0].as<std::string>(), pair[1].as<std::string>());
    }
    RecoveryReport report;
    Status s = lab_.Open(pairs, &report);
    return Outcome(s, lab_.state() == Lab::State::kNew ? nullptr : &report, nullptr, "");
  }

  // Returns the replies (RESP), or null when the batch is malformed.
  val RunBatch(const std::string& batch) {
    std::optional<std::vector<Lab::Command>> commands = BatchReader(batch).ReadAll();
    if (!commands) return val::null();
    return Bytes(lab_.RunBatch(*commands));
  }

  void Tick(double now_ms) { lab_.Tick(static_cast<int64_t>(now_ms)); }
  double NowMs() const { return static_cast<double>(lab_.now_ms()); }

  val TakeOps() {
    val out = val::array();
    for (const DurableOp& op : lab_.TakeDurableOps()) {
      val o = val::object();
      o.set("kind", std::string(OpKind(op.kind)));
      o.set("inode", static_cast<double>(op.inode));
      o.set("offset", static_cast<double>(op.offset));
      if (op.kind == DurableOp::Kind::kAppend) o.set("data", Bytes(op.data));
      if (!op.path.empty()) o.set("path", op.path);
      out.call<void>("push", o);
    }
    return out;
  }

  // kind: "process", "power" or "torn" (core/io/crash_kind.h). Returns
  // false, crashing nothing, for any other name.
  bool Crash(const std::string& kind, double seed) {
    const std::optional<CrashKind> k = ParseCrashKind(kind);
    if (!k) return false;
    lab_.Crash(*k, static_cast<uint64_t>(seed));
    return true;
  }

  std::string Restart() {
    RecoveryReport report;
    KeyspaceDiff diff;
    const std::string cause = lab_.state() == Lab::State::kRunning ? "restart" : lab_.down_reason();
    Status s = lab_.Restart(&report, &diff);
    if (!s.ok() && report.error.empty()) report.error = s.message();
    return Outcome(s, &report, &diff, cause);
  }

  std::string State() const { return std::string(StateName(lab_.state())); }
  std::string DownReason() const { return lab_.down_reason(); }

  val Files() const {
    val out = val::array();
    for (const Lab::FileEntry& f : lab_.Files()) {
      val o = val::object();
      o.set("name", f.name);
      o.set("written", static_cast<double>(f.written));
      o.set("durable", static_cast<double>(f.durable));
      o.set("dirty", f.dirty);
      o.set("entryDurable", f.entry_durable);
      out.call<void>("push", o);
    }
    return out;
  }

  val ReadFile(const std::string& name) {
    Result<std::string> bytes = lab_.ReadFile(name);
    return bytes.ok() ? Bytes(*bytes) : val::null();
  }

  val TakeLog() {
    static constexpr const char* kLevels[] = {"debug", "verbose", "notice", "warning"};
    val out = val::array();
    for (const LabLogLine& line : lab_.TakeLog()) {
      val o = val::object();
      o.set("timeMs", static_cast<double>(line.time_ms));
      o.set("level", std::string(kLevels[static_cast<int>(line.level)]));
      o.set("message", line.message);
      out.call<void>("push", o);
    }
    return out;
  }

  std::string Prompt() { return LabPrompt(lab_); }

  std::string ConfigGet(const val& patterns) {
    if (lab_.engine() == nullptr) return "{}";
    std::vector<std::string> names;
    const unsigned n = patterns.isArray() ? patterns["length"].as<unsigned>() : 0;
    for (unsigned i = 0; i < n; ++i) names.push_back(ArgFromJs(patterns[i]));
    return JsonObject(GetConfigParams(lab_.engine()->server().config(), names));
  }

  // INFO's "field:value\r\n" lines of the persistence section.
  std::string PersistenceInfo() {
    if (lab_.engine() == nullptr) return "{}";
    const std::string info = GenerateInfo(lab_.engine()->server(), {"persistence"});
    std::vector<std::pair<std::string, std::string>> fields;
    for (size_t at = 0, end; at < info.size(); at = end + 2) {
      end = info.find("\r\n", at);
      if (end == std::string::npos) end = info.size();
      const size_t colon = info.find(':', at);
      if (info[at] == '#' || colon >= end) continue;
      fields.emplace_back(info.substr(at, colon - at), info.substr(colon + 1, end - colon - 1));
    }
    return JsonObject(fields);
  }

  std::string Promise() const {
    if (lab_.state() != Lab::State::kRunning) return "null";
    const LossPromise p = lab_.Promise();
    return "{\"policy\":" + JsonString(p.policy) +
           ",\"kind\":" + JsonString(PromiseKindName(p.kind)) +
           ",\"window_ms\":" + std::to_string(p.window_ms) +
           ",\"since_ms\":" + std::to_string(p.since_ms) +
           ",\"sentence\":" + JsonString(p.sentence) + ",\"stop\":" + JsonString(p.stop) +
           ",\"stop_ms\":" + std::to_string(p.stop_ms) + "}";
  }

  std::string Stats() const {
    const Lab::DiskStats s = lab_.Stats();
    return "{\"fsyncs\":" + std::to_string(s.fsyncs) +
           ",\"dir_syncs\":" + std::to_string(s.dir_syncs) +
           ",\"bytes_written\":" + std::to_string(s.bytes_written) +
           ",\"files\":" + std::to_string(s.files) +
           ",\"written_bytes\":" + std::to_string(s.written_bytes) +
           ",\"durable_bytes\":" + std::to_string(s.durable_bytes) + "}";
  }

  std::string Digest() const {
    if (lab_.state() != Lab::State::kRunning) return "";
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    uint64_t d = lab_.KeyspaceDigest();
    for (int i = 15; i >= 0; --i, d >>= 4) out[i] = kHex[d & 15];
    return out;
  }
  std::string FilesText(bool color) const { return plab::FilesText(lab_.Files(), color); }

  static std::string ParseLine(const std::string& line) {
    return ShellLineJson(ParseShellLine(line));
  }
  static std::string DotHelp() { return DotHelpText(false); }
  static std::string DotCommands() { return DotVerbsJson(); }
  static std::string ClockText(double now_ms, bool paused, double speed) {
    return plab::ClockText(static_cast<int64_t>(now_ms), paused, speed);
  }
  // `topic`: the words after HELP (parseLine's "topic"), an array.
  static std::string HelpText(const val& topic, bool color) {
    static const CommandTable* const table = new CommandTable();
    std::vector<std::string> words;
    const unsigned n = topic.isArray() ? topic["length"].as<unsigned>() : 0;
    for (unsigned i = 0; i < n; ++i) words.push_back(ArgFromJs(topic[i]));
    return FormatHelp(*table, words, color);
  }

  // redis-cli's rendering of one reply (RESP bytes), verbatim for commands
  // like INFO whose reply is a text report (`command` is the command's
  // name, for that choice).
  static std::string FormatReply(const std::string& resp, const std::string& command) {
    Reply reply;
    size_t used = 0;
    if (ParseReply(resp, &reply, &used) != ReplyParse::kComplete) return "";
    std::string text =
        PrintsVerbatim({command}) ? FormatReplyVerbatim(reply) : FormatReplyTty(reply);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

 private:
  SystemClock stopwatch_;  // performance.now(): real recovery times; before lab_
  Lab lab_;
};

}  // namespace
}  // namespace plab

EMSCRIPTEN_BINDINGS(plab) {
  emscripten::class_<plab::LabBinding>("Lab")
      .constructor<double>()
      .function("bootInode", &plab::LabBinding::BootInode)
      .function("bootName", &plab::LabBinding::BootName)
      .function("bootDir", &plab::LabBinding::BootDir)
      .function("open", &plab::LabBinding::Open)
      .function("runBatch", &plab::LabBinding::RunBatch)
      .function("tick", &plab::LabBinding::Tick)
      .function("nowMs", &plab::LabBinding::NowMs)
      .function("takeOps", &plab::LabBinding::TakeOps)
      .function("crash", &plab::LabBinding::Crash)
      .function("restart", &plab::LabBinding::Restart)
      .function("state", &plab::LabBinding::State)
      .function("downReason", &plab::LabBinding::DownReason)
      .function("files", &plab::LabBinding::Files)
      .function("readFile", &plab::LabBinding::ReadFile)
      .function("takeLog", &plab::LabBinding::TakeLog)
      .function("prompt", &plab::LabBinding::Prompt)
      .function("filesText", &plab::LabBinding::FilesText)
      .function("configGet", &plab::LabBinding::ConfigGet)
      .function("persistenceInfo", &plab::LabBinding::PersistenceInfo)
      .function("promise", &plab::LabBinding::Promise)
      .function("stats", &plab::LabBinding::Stats)
      .function("digest", &plab::LabBinding::Digest)
      .class_function("formatReply", &plab::LabBinding::FormatReply)
      .class_function("parseLine", &plab::LabBinding::ParseLine)
      .class_function("dotHelp", &plab::LabBinding::DotHelp)
      .class_function("dotCommands", &plab::LabBinding::DotCommands)
      .class_function("helpText", &plab::LabBinding::HelpText)
      .class_function("clockText", &plab::LabBinding::ClockText);
}
