#include "core/persist/rdb_annotate.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "core/resp/reply_format.h"
#include "core/server/config.h"
#include "core/store/keyspace.h"
#include "core/store/value.h"
#include "core/util/utc_text.h"

namespace plab {
namespace {

constexpr int kEntryDepth = 0;
constexpr int kPartDepth = 1;
constexpr int kNodeDepth = 2;

// A byte string quoted like redis-cli, cut after kMaxShownBytes bytes.
std::string Shown(std::string_view s) {
  if (s.size() <= kMaxShownBytes) return QuoteReplyString(s);
  return QuoteReplyString(s.substr(0, kMaxShownBytes)) + "... (" + std::to_string(s.size()) +
         " bytes)";
}

// An AUX name bare when it is a plain word (they all are in practice).
std::string AuxName(std::string_view s) {
  for (char c : s) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!word) return Shown(s);
  }
  return s.empty() ? Shown(s) : std::string(s);
}

std::string Plural(uint64_t n, std::string_view unit) {
  return std::to_string(n) + " " + std::string(unit) + (n == 1 ? "" : "s");
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// Which of rdb_format.h's string forms starts at `at` (the loader decoded
// it already; this only names the form for the reader): "" for the plain
// length-prefixed form.
std::string_view StringForm(std::string_view bytes, uint64_t at) {
  if (at >= bytes.size()) return "";
  const auto first = static_cast<uint8_t>(bytes[at]);
  if ((first & rdb::kLenTopBitsMask) != rdb::kLenEncoded) return "";
  return (first & rdb::kLenLowBitsMask) == rdb::kEncLzf ? "LZF-compressed" : "int-encoded";
}

// How a value type code stores its value, for the reader: the data type,
// the encoding in the file, the OBJECT ENCODING name that encoding has in
// memory (to say when loading converts it) and what its elements are.
struct TypeInfo {
  std::string_view family;
  std::string_view encoding;
  std::string_view object_encoding;
  std::string_view unit;
};

TypeInfo Describe(uint8_t type) {
  switch (type) {
    case rdb::kTypeString:
      return {"string", "", "", ""};
    case rdb::kTypeList:
      return {"list", "linkedlist", "linkedlist", "element"};
    case rdb::kTypeSet:
      return {"set", "hashtable", "hashtable", "member"};
    case rdb::kTypeZset:
      return {"zset", "skiplist, text scores", "skiplist", "member"};
    case rdb::kTypeHash:
      return {"hash", "hashtable", "hashtable", "field"};
    case rdb::kTypeZset2:
      return {"zset", "skiplist", "skiplist", "member"};
    case rdb::kTypeHashZipmap:
      return {"hash", "zipmap", "zipmap", "field"};
    case rdb::kTypeListZiplist:
      return {"list", "ziplist", "ziplist", "element"};
    case rdb::kTypeSetIntset:
      return {"set", "intset", "intset", "member"};
    case rdb::kTypeZsetZiplist:
      return {"zset", "ziplist", "ziplist", "member"};
    case rdb::kTypeHashZiplist:
      return {"hash", "ziplist", "ziplist", "field"};
    case rdb::kTypeListQuicklist:
      return {"list", "quicklist, ziplist nodes", "quicklist", "element"};
    case rdb::kTypeHashListpack:
      return {"hash", "listpack", "listpack", "field"};
    case rdb::kTypeZsetListpack:
      return {"zset", "listpack", "listpack", "member"};
    case rdb::kTypeListQuicklist2:
      return {"list", "quicklist, listpack nodes", "quicklist", "element"};
    case rdb::kTypeSetListpack:
      return {"set", "listpack", "listpack", "member"};
    case rdb::kTypeModulePreGa:
    case rdb::kTypeModule2:
      return {"module", "module", "", ""};
    default:
      return {"stream", "listpacks", "", ""};  // the 15/19/21 stream types
  }
}

bool IsQuicklist(uint8_t type) {
  return type == rdb::kTypeListQuicklist || type == rdb::kTypeListQuicklist2;
}

// Hears the loader (rdb_loader.h) and turns what it parsed into spans. An
// entry's parts are held back until its value is read, so the entry span,
// whose length is known only then, can precede them.
class Annotator final : public RdbLoadObserver {
 public:
  explicit Annotator(std::string_view bytes) : bytes_(bytes) {}

  void OnHeader(int version) override;
  void OnAux(uint64_t at, uint64_t end, std::string_view name, std::string_view value) override {
    Top(at, end, kSpanAux, AuxName(name) + " = " + Shown(value));
  }
  void OnSelectDb(uint64_t at, uint64_t end, uint64_t db) override {
    Top(at, end, kSpanSelectDb, "db " + std::to_string(db));
  }
  void OnResizeDb(uint64_t at, uint64_t end, uint64_t keys, uint64_t expires) override {
    Top(at, end, kSpanResizeDb,
        "db_size " + std::to_string(keys) + ", expires_size " + std::to_string(expires));
  }
  void OnKeyHint(uint8_t op, uint64_t at, uint64_t end, int64_t v) override;
  void OnKey(uint8_t type, uint64_t at, uint64_t end, std::string_view key) override;
  void OnQuicklistNode(uint64_t at, uint64_t blob_at, uint64_t end, uint64_t container,
                       size_t elements) override;
  void OnValue(uint8_t type, uint64_t at, uint64_t end, const Value* value) override;
  void OnEof(uint64_t at) override { Top(at, at + 1, kSpanEof, eof_detail_); }
  void OnChecksum(uint64_t at, uint64_t stored, uint64_t computed) override;

  // The annotation once the load has ended with `status`.
  RdbAnnotation Finish(const Status& status);

 private:
  static RdbSpan Span(uint64_t at, uint64_t end, int depth, std::string_view label,
                      std::string detail) {
    return RdbSpan{at, end - at, depth, label, std::move(detail)};
  }
  void Top(uint64_t at, uint64_t end, std::string_view label, std::string detail);
  void Part(uint64_t at, uint64_t end, std::string_view label, std::string detail);
  std::string ValueDetail(uint8_t type, uint64_t at, uint64_t end, const Value* v) const;
  // Emits the held-back entry, `value` (when read) and its nodes.
  void EmitEntry(std::string entry_detail, const RdbSpan* value);
  // Emits an entry that the end of the load cut short.
  void EmitIncomplete(std::string_view why);

  std::string_view bytes_;
  std::vector<RdbSpan> spans_;
  std::string eof_detail_ = "EOF";
  // The entry being read: its parts (depth 1) and quicklist nodes (depth 2).
  std::vector<RdbSpan> parts_;
  std::vector<RdbSpan> nodes_;
  uint8_t type_ = 0;
  bool have_key_ = false;
  std::string key_;  // shown form
  uint64_t value_at_ = 0;
};

void Annotator::Top(uint64_t at, uint64_t end, std::string_view label, std::string detail) {
  // Hints with no key after them (Redis would apply them to nothing either).
  if (!parts_.empty()) EmitIncomplete("no key follows");
  spans_.push_back(Span(at, end, kEntryDepth, label, std::move(detail)));
}

void Annotator::Part(uint64_t at, uint64_t end, std::string_view label, std::string detail) {
  parts_.push_back(Span(at, end, kPartDepth, label, std::move(detail)));
}

void Annotator::OnHeader(int version) {
  const uint64_t magic_end = rdb::kMagic.size();
  Top(0, magic_end, kSpanMagic, Shown(bytes_.substr(0, magic_end)));
  std::string detail = "RDB version " + std::to_string(version);
  // The Redis release that introduced each version still seen in the wild.
  static constexpr std::string_view kWriters[] = {"2.6-3.0", "3.2", "4.0", "5.0-6.2", "7.0", "7.2"};
  if (version >= 6 && version <= 11)
    detail += " (Redis " + std::string(kWriters[version - 6]) + ")";
  Top(magic_end, rdb::kHeaderSize, kSpanVersion, std::move(detail));
  if (version < rdb::kFirstVersionWithChecksum) eof_detail_ = "EOF (no checksum before RDB 5)";
}

void Annotator::OnKeyHint(uint8_t op, uint64_t at, uint64_t end, int64_t v) {
  const std::string n = std::to_string(v);
  switch (op) {
    case rdb::kOpExpireTimeMs:
      return Part(at, end, kSpanExpireTimeMs, n + " ms: " + UtcText(v));
    case rdb::kOpExpireTime:
      return Part(at, end, kSpanExpireTime, n + " s: " + UtcText(v * 1000));
    case rdb::kOpIdle:
      return Part(at, end, kSpanIdle, "LRU idle " + n + " s");
    default:
      return Part(at, end, kSpanFreq, "LFU counter " + n);
  }
}

void Annotator::OnKey(uint8_t type, uint64_t at, uint64_t end, std::string_view key) {
  type_ = type;
  have_key_ = true;
  key_ = Shown(key);
  value_at_ = end;
  Part(at, at + 1, kSpanType, std::to_string(type) + " (" + std::string(rdb::TypeName(type)) + ")");
  const std::string_view form = StringForm(bytes_, at + 1);
  Part(at + 1, end, kSpanKey, form.empty() ? key_ : key_ + " (" + std::string(form) + ")");
}

void Annotator::OnQuicklistNode(uint64_t at, uint64_t blob_at, uint64_t end, uint64_t container,
                                size_t elements) {
  std::string detail = container == rdb::kQuicklistNodePlain ? "plain"
                       : type_ == rdb::kTypeListQuicklist    ? "ziplist"
                                                             : "listpack";
  detail += " node, " + Plural(elements, "element");
  const std::string_view form = StringForm(bytes_, blob_at);
  if (!form.empty()) detail += ", " + std::string(form);
  nodes_.push_back(Span(at, end, kNodeDepth, kSpanNode, std::move(detail)));
}

std::string Annotator::ValueDetail(uint8_t type, uint64_t at, uint64_t end, const Value* v) const {
  const TypeInfo t = Describe(type);
  if (type == rdb::kTypeString) {
    const std::string_view form = StringForm(bytes_, at);
    return "string (" + std::string(form.empty() ? "plain" : form) + "): " + Shown(v->str());
  }
  std::string d = std::string(t.family) + " (" + std::string(t.encoding) + ")";
  if (v == nullptr) return d + ", empty: skipped on load";
  d += ", " + Plural(v->Length(), t.unit);
  if (IsQuicklist(type)) d += " in " + Plural(nodes_.size(), "node");
  d += ", " + Plural(end - at, "byte");
  if (!IsQuicklist(type) && StringForm(bytes_, at) == "LZF-compressed") d += ", LZF-compressed";
  if (v->EncodingName() != t.object_encoding) {
    d += "; loads as " + std::string(v->EncodingName());
  }
  return d;
}

void Annotator::OnValue(uint8_t type, uint64_t at, uint64_t end, const Value* value) {
  const RdbSpan v = Span(at, end, kPartDepth, kSpanValue, ValueDetail(type, at, end, value));
  std::string detail = std::string(Describe(type).family) + " " + key_;
  if (value == nullptr) detail += " (empty: skipped on load)";
  EmitEntry(std::move(detail), &v);
}

void Annotator::EmitEntry(std::string entry_detail, const RdbSpan* value) {
  uint64_t end = parts_.back().offset + parts_.back().length;
  if (value != nullptr) end = value->offset + value->length;
  spans_.push_back(Span(parts_.front().offset, end, kEntryDepth, kSpanEntry, entry_detail));
  for (RdbSpan& part : parts_) spans_.push_back(std::move(part));
  if (value != nullptr) spans_.push_back(*value);
  if (!nodes_.empty()) {
    spans_.push_back(Span(value_at_, nodes_.front().offset, kNodeDepth, kSpanCount,
                          Plural(nodes_.size(), "node")));
    for (RdbSpan& node : nodes_) spans_.push_back(std::move(node));
  }
  parts_.clear();
  nodes_.clear();
  have_key_ = false;
}

void Annotator::EmitIncomplete(std::string_view why) {
  std::string detail = have_key_ ? std::string(Describe(type_).family) + " " + key_ + " " : "";
  detail += "(" + std::string(why) + ")";
  if (nodes_.empty()) return EmitEntry(std::move(detail), nullptr);
  // Nodes were read but not the whole list: a value span over them.
  const RdbSpan value =
      Span(value_at_, nodes_.back().offset + nodes_.back().length, kPartDepth, kSpanValue,
           "list (" + std::string(Describe(type_).encoding) + "), incomplete");
  EmitEntry(std::move(detail), &value);
}

void Annotator::OnChecksum(uint64_t at, uint64_t stored, uint64_t computed) {
  std::string detail = "CRC64 disabled (0): written with rdbchecksum no";
  if (stored != 0) {
    detail =
        "CRC64 " + Hex64(computed) +
        (stored == computed ? " (matches)" : " (does not match: file says " + Hex64(stored) + ")");
  }
  Top(at, at + rdb::kChecksumSize, kSpanChecksum, std::move(detail));
}

RdbAnnotation Annotator::Finish(const Status& status) {
  RdbAnnotation out;
  out.size = bytes_.size();
  out.error = status;
  if (!parts_.empty()) EmitIncomplete("incomplete");
  // Where the top-level tiling ends: the RDB's end when it loaded (the
  // checksum's end, or EOF's before version 5), else the last item parsed.
  uint64_t from = 0;
  for (const RdbSpan& s : spans_) {
    if (s.depth == kEntryDepth) from = std::max(from, s.offset + s.length);
  }
  if (from < out.size) {
    const uint64_t n = out.size - from;
    const char first = bytes_[from];
    if (!status.ok()) {
      spans_.push_back(Span(from, out.size, kEntryDepth, kSpanUnread,
                            Plural(n, "byte") + " not read: the load stopped with an error"));
    } else if (first == '*' || first == '#') {
      spans_.push_back(
          Span(from, out.size, kEntryDepth, kSpanAofTail,
               "AOF tail in RESP: " + Plural(n, "byte") + " from offset " + std::to_string(from)));
    } else {
      spans_.push_back(Span(from, out.size, kEntryDepth, kSpanTrailing,
                            Plural(n, "byte") + " after the RDB, ignored by the loader"));
    }
  }
  out.spans = std::move(spans_);
  return out;
}

// A JSON string literal; nlohmann does the escaping.
std::string JsonString(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

RdbAnnotation AnnotateRdb(std::string_view bytes) {
  Annotator annotator(bytes);
  Keyspace keyspace;
  // now_ms = 0: no key counts as expired; the file is described as it is.
  Result<RdbLoadResult> r = LoadRdb(bytes, /*now_ms=*/0, Config(), &keyspace, &annotator);
  return annotator.Finish(r.ok() ? Status::Ok() : r.status());
}

// Written span by span rather than as one nlohmann tree: a dump of a
// million keys has millions of spans, and a tree of objects would need
// several times the memory of this text.
std::string AnnotationJson(const RdbAnnotation& annotation) {
  std::string out = "{\"size\":" + std::to_string(annotation.size) + ",\"spans\":[";
  bool first = true;
  for (const RdbSpan& s : annotation.spans) {
    if (!first) out += ',';
    first = false;
    out += "{\"offset\":" + std::to_string(s.offset) + ",\"length\":" + std::to_string(s.length) +
           ",\"depth\":" + std::to_string(s.depth) + ",\"label\":\"" + std::string(s.label) +
           "\",\"detail\":" + JsonString(s.detail) + "}";
  }
  out += "],\"error\":";
  out += annotation.error.ok() ? "null" : JsonString(annotation.error.message());
  return out + "}";
}

}  // namespace plab
