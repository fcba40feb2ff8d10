#include "core/persist/rdb_annotate.h"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "core/resp/reply_format.h"
#include "core/store/keyspace.h"
#include "core/store/value.h"
#include "core/util/utc_text.h"

namespace plab {
namespace {

constexpr int kEntryDepth = 0;
constexpr int kPartDepth = 1;
constexpr int kNodeDepth = 2;

// A detail text being written. The appenders stay out of line on purpose:
// core is built with -finline-functions for the wasm engine (see
// core/CMakeLists.txt), and with a std::string temporary inlined at every
// `a + b + c` this cold, text-only file had 60% more wasm code.
class Text {
 public:
  [[gnu::noinline]] Text& Add(std::string_view s) {
    out_.append(s);
    return *this;
  }
  // Literals: a pointer is one argument; a string_view goes through memory.
  [[gnu::noinline]] Text& Add(const char* s) {
    out_.append(s);
    return *this;
  }
  [[gnu::noinline]] Text& Num(int64_t n) { return Format("%" PRId64, n); }
  Text& Hex(uint64_t n) { return Format("0x%016" PRIx64, n); }
  // A byte string quoted like redis-cli, cut after kMaxShownBytes bytes.
  [[gnu::noinline]] Text& Quoted(std::string_view s) {
    out_ += QuoteReplyString(s.substr(0, kMaxShownBytes));
    if (s.size() > kMaxShownBytes) Add("... (").Num(static_cast<int64_t>(s.size())).Add(" bytes)");
    return *this;
  }
  // "1 field", "2 fields".
  [[gnu::noinline]] Text& Count(uint64_t n, std::string_view unit) {
    return Num(static_cast<int64_t>(n)).Add(" ").Add(unit).Add(n == 1 ? "" : "s");
  }
  std::string Take() { return std::move(out_); }

 private:
  template <typename T>
  Text& Format(const char* format, T n) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), format, n);
    return Add(buf);
  }

  std::string out_;
};

// An AUX name bare when it is a plain word (they all are in practice).
Text& AuxName(Text& t, std::string_view s) {
  bool word = !s.empty();
  for (char c : s) {
    word &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.';
  }
  return word ? t.Add(s) : t.Quoted(s);
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
// entry's span is pushed as a placeholder when its first part arrives and
// completed when its value ends, so it precedes its parts; likewise a
// quicklist's value and count spans when its first node arrives.
class Annotator final : public RdbLoadObserver {
 public:
  Annotator(std::string_view bytes, const RdbAnnotateOptions& options)
      : bytes_(bytes),
        first_(options.first_entry),
        last_(options.first_entry + std::min(options.max_entries, ~options.first_entry)) {}

  void OnHeader(int version) override;
  void OnAux(uint64_t at, uint64_t end, std::string_view name, std::string_view value) override {
    Text t;
    Top(at, end, kSpanAux, AuxName(t, name).Add(" = ").Quoted(value));
  }
  void OnSelectDb(uint64_t at, uint64_t end, uint64_t db) override {
    Top(at, end, kSpanSelectDb, Text().Add("db ").Num(static_cast<int64_t>(db)));
  }
  void OnResizeDb(uint64_t at, uint64_t end, uint64_t keys, uint64_t expires) override {
    Top(at, end, kSpanResizeDb,
        Text()
            .Add("db_size ")
            .Num(static_cast<int64_t>(keys))
            .Add(", expires_size ")
            .Num(static_cast<int64_t>(expires)));
  }
  void OnKeyHint(uint8_t op, uint64_t at, uint64_t end, int64_t v) override;
  void OnKey(uint8_t type, uint64_t at, uint64_t end, std::string_view key) override;
  void OnQuicklistNode(uint64_t at, uint64_t blob_at, uint64_t end, uint64_t container,
                       size_t elements) override;
  void OnValue(uint8_t type, uint64_t at, uint64_t end, const Value* value) override;
  void OnEof(uint64_t at) override { Top(at, at + 1, kSpanEof, Text().Add(eof_detail_)); }
  void OnChecksum(uint64_t at, uint64_t stored, uint64_t computed) override;

  // The annotation once the load has ended with `status`.
  RdbAnnotation Finish(const Status& status);

 private:
  static constexpr size_t kNone = SIZE_MAX;

  // Appends a span taking `detail`'s text; returns its index.
  size_t Push(uint64_t at, uint64_t end, int depth, std::string_view label, Text& detail);
  // A depth-0 item; an entry still open (hints with no key after them)
  // is closed first.
  void Top(uint64_t at, uint64_t end, std::string_view label, Text& detail);
  // A part of the entry being read, opening it when it is the first.
  void Part(uint64_t at, uint64_t end, std::string_view label, Text& detail);
  // Completes the open entry (and a quicklist value) up to `end`; `why`
  // says why it ended early, or is empty.
  void CloseEntry(uint64_t end, std::string_view why);
  Text& ValueDetail(Text& d, uint8_t type, uint64_t at, uint64_t end, const Value* v) const;
  uint64_t End() const { return spans_.empty() ? 0 : spans_.back().offset + spans_.back().length; }
  // True while the entry being read (opened by this call when none is) is
  // outside the window and only extends the run of elided entries.
  bool Skip(uint64_t at, uint64_t end);
  // Emits the run of elided entries, if any, as one span.
  void FlushElided();

  std::string_view bytes_;
  const uint64_t first_, last_;  // the window of entries given spans
  std::vector<RdbSpan> spans_;
  const char* eof_detail_ = "EOF";
  uint64_t entries_ = 0;  // entries opened so far
  bool skipping_ = false;
  // The run of elided entries not yet emitted: where it starts and ends,
  // the index of its first entry and how many it holds.
  uint64_t elided_at_ = 0, elided_end_ = 0, elided_first_ = 0, elided_count_ = 0;
  // The entry being read: its span's index, its value span's when
  // quicklist nodes made it early, and what was read of it.
  size_t entry_ = kNone;
  size_t value_ = kNone;
  uint64_t nodes_ = 0;
  uint8_t type_ = 0;
  bool have_key_ = false;
  std::string key_;  // quoted
  uint64_t value_at_ = 0;
};

size_t Annotator::Push(uint64_t at, uint64_t end, int depth, std::string_view label, Text& detail) {
  spans_.push_back(RdbSpan{at, end - at, depth, label, detail.Take()});
  return spans_.size() - 1;
}

void Annotator::Top(uint64_t at, uint64_t end, std::string_view label, Text& detail) {
  // Redis applies such hints to nothing either.
  if (entry_ != kNone) CloseEntry(End(), "no key follows");
  skipping_ = false;
  FlushElided();
  Push(at, end, kEntryDepth, label, detail);
}

void Annotator::Part(uint64_t at, uint64_t end, std::string_view label, Text& detail) {
  Text none;
  if (entry_ == kNone) {
    FlushElided();
    entry_ = Push(at, at, kEntryDepth, kSpanEntry, none);
  }
  Push(at, end, kPartDepth, label, detail);
}

bool Annotator::Skip(uint64_t at, uint64_t end) {
  if (entry_ == kNone && !skipping_) {
    const uint64_t index = entries_++;
    skipping_ = index < first_ || index >= last_;
    if (skipping_ && elided_count_++ == 0) {
      elided_at_ = at;
      elided_first_ = index;
    }
  }
  if (skipping_) elided_end_ = end;
  return skipping_;
}

void Annotator::FlushElided() {
  if (elided_count_ == 0) return;
  Text detail;
  detail.Count(elided_count_, "key").Add(" not annotated (#").Num(elided_first_);
  detail.Add("..#").Num(elided_first_ + elided_count_ - 1).Add(")");
  Push(elided_at_, elided_end_, kEntryDepth, kSpanElided, detail);
  elided_count_ = 0;
}

void Annotator::OnHeader(int version) {
  const uint64_t magic_end = rdb::kMagic.size();
  Top(0, magic_end, kSpanMagic, Text().Quoted(bytes_.substr(0, magic_end)));
  Text detail;
  detail.Add("RDB version ").Num(version);
  // The Redis releases that write each version still met in the wild.
  static constexpr const char* kWriters[] = {"2.6-3.0", "3.2", "4.0", "5.0-6.2", "7.0", "7.2"};
  if (version >= 6 && version <= 11) detail.Add(" (Redis ").Add(kWriters[version - 6]).Add(")");
  Top(magic_end, rdb::kHeaderSize, kSpanVersion, detail);
  if (version < rdb::kFirstVersionWithChecksum) eof_detail_ = "EOF (no checksum before RDB 5)";
}

void Annotator::OnKeyHint(uint8_t op, uint64_t at, uint64_t end, int64_t v) {
  if (Skip(at, end)) return;
  Text t;
  switch (op) {
    case rdb::kOpExpireTimeMs:
      return Part(at, end, kSpanExpireTimeMs, t.Num(v).Add(" ms: ").Add(UtcText(v)));
    case rdb::kOpExpireTime:
      return Part(at, end, kSpanExpireTime, t.Num(v).Add(" s: ").Add(UtcText(v * 1000)));
    case rdb::kOpIdle:
      return Part(at, end, kSpanIdle, t.Add("LRU idle ").Num(v).Add(" s"));
    default:
      return Part(at, end, kSpanFreq, t.Add("LFU counter ").Num(v));
  }
}

void Annotator::OnKey(uint8_t type, uint64_t at, uint64_t end, std::string_view key) {
  if (Skip(at, end)) return;
  type_ = type;
  have_key_ = true;
  key_ = Text().Quoted(key).Take();
  value_at_ = end;
  Part(at, at + 1, kSpanType, Text().Num(type).Add(" (").Add(rdb::TypeName(type)).Add(")"));
  Text name;
  name.Add(key_);
  const std::string_view form = StringForm(bytes_, at + 1);
  if (!form.empty()) name.Add(" (").Add(form).Add(")");
  Part(at + 1, end, kSpanKey, name);
}

void Annotator::OnQuicklistNode(uint64_t at, uint64_t blob_at, uint64_t end, uint64_t container,
                                size_t elements) {
  if (Skip(at, end)) return;
  if (value_ == kNone) {  // the value and its node count, completed by CloseEntry
    Text none;
    value_ = Push(value_at_, value_at_, kPartDepth, kSpanValue, none);
    Push(value_at_, at, kNodeDepth, kSpanCount, none);
  }
  ++nodes_;
  Text detail;
  detail.Add(container == rdb::kQuicklistNodePlain ? "plain"
             : type_ == rdb::kTypeListQuicklist    ? "ziplist"
                                                   : "listpack");
  detail.Add(" node, ").Count(elements, "element");
  const std::string_view form = StringForm(bytes_, blob_at);
  if (!form.empty()) detail.Add(", ").Add(form);
  Push(at, end, kNodeDepth, kSpanNode, detail);
}

Text& Annotator::ValueDetail(Text& d, uint8_t type, uint64_t at, uint64_t end,
                             const Value* v) const {
  const TypeInfo t = Describe(type);
  const std::string_view form = StringForm(bytes_, at);
  d.Add(t.family).Add(" (");
  if (type == rdb::kTypeString) {
    return d.Add(form.empty() ? "plain" : form).Add("): ").Quoted(v->str());
  }
  d.Add(t.encoding).Add(")");
  if (v == nullptr) return d.Add(", empty: skipped on load");
  d.Add(", ").Count(v->Length(), t.unit);
  if (IsQuicklist(type)) d.Add(" in ").Count(nodes_, "node");
  d.Add(", ").Count(end - at, "byte");
  if (!IsQuicklist(type) && !form.empty()) d.Add(", ").Add(form);  // LZF: blobs are never ints
  if (v->EncodingName() != t.object_encoding) d.Add("; loads as ").Add(v->EncodingName());
  return d;
}

void Annotator::OnValue(uint8_t type, uint64_t at, uint64_t end, const Value* value) {
  if (Skip(at, end)) {
    skipping_ = false;  // the elided entry ends here
    return;
  }
  Text detail;
  ValueDetail(detail, type, at, end, value);
  if (value_ == kNone) {
    Push(at, end, kPartDepth, kSpanValue, detail);
  } else {
    spans_[value_].length = end - at;
    spans_[value_].detail = detail.Take();
  }
  CloseEntry(end, value == nullptr ? "empty: skipped on load" : "");
}

void Annotator::CloseEntry(uint64_t end, std::string_view why) {
  RdbSpan& entry = spans_[entry_];
  entry.length = end - entry.offset;
  Text detail;
  if (have_key_) detail.Add(Describe(type_).family).Add(" ").Add(key_).Add(why.empty() ? "" : " ");
  if (!why.empty()) detail.Add("(").Add(why).Add(")");
  entry.detail = detail.Take();
  if (value_ != kNone) {
    spans_[value_ + 1].detail = Text().Count(nodes_, "node").Take();
    RdbSpan& value = spans_[value_];
    if (value.length == 0) {  // cut short after some nodes
      value.length = end - value.offset;
      value.detail = Text().Add("list (").Add(Describe(type_).encoding).Add("), incomplete").Take();
    }
  }
  entry_ = value_ = kNone;
  nodes_ = 0;
  have_key_ = false;
}

void Annotator::OnChecksum(uint64_t at, uint64_t stored, uint64_t computed) {
  Text detail;
  detail.Add("CRC64 ");
  if (stored == 0) {
    detail.Add("disabled (0): written with rdbchecksum no");
  } else if (stored == computed) {
    detail.Hex(computed).Add(" (matches)");
  } else {
    detail.Hex(computed).Add(" (does not match: file says ").Hex(stored).Add(")");
  }
  Top(at, at + rdb::kChecksumSize, kSpanChecksum, detail);
}

RdbAnnotation Annotator::Finish(const Status& status) {
  RdbAnnotation out;
  out.size = bytes_.size();
  out.error = status;
  if (entry_ != kNone) CloseEntry(End(), "incomplete");
  FlushElided();  // with an entry the error cut short, when it was elided
  out.entries = entries_;
  // Where the top-level tiling ends: the RDB's end when it loaded (the
  // checksum's end, or EOF's before version 5), else the last item parsed.
  uint64_t from = 0;
  for (const RdbSpan& s : spans_) {
    if (s.depth == kEntryDepth) from = std::max(from, s.offset + s.length);
  }
  if (from < out.size) {
    const char first = bytes_[from];
    std::string_view label = kSpanTrailing;
    Text detail;
    if (!status.ok()) {
      label = kSpanUnread;
      detail.Count(out.size - from, "byte").Add(" not read: the load stopped with an error");
    } else if (first == '*' || first == '#') {
      label = kSpanAofTail;
      detail.Add("AOF tail in RESP: ").Count(out.size - from, "byte").Add(" from offset ");
      detail.Num(static_cast<int64_t>(from));
    } else {
      detail.Count(out.size - from, "byte").Add(" after the RDB, ignored by the loader");
    }
    Push(from, out.size, kEntryDepth, label, detail);
  }
  out.spans = std::move(spans_);
  return out;
}

// A JSON string literal; nlohmann does the escaping.
Text& JsonString(Text& t, const std::string& s) {
  return t.Add(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

RdbAnnotation AnnotateRdb(std::string_view bytes, const RdbAnnotateOptions& options) {
  Annotator annotator(bytes, options);
  Keyspace keyspace;
  // now_ms = 0: no key counts as expired; the file is described as it is.
  Result<RdbLoadResult> r = LoadRdb(bytes, /*now_ms=*/0, RdbLoadOptions(), &keyspace, &annotator);
  return annotator.Finish(r.ok() ? Status::Ok() : r.status());
}

// Written span by span rather than as one nlohmann tree: a dump of a
// million keys has millions of spans, and a tree of objects would need
// several times the memory of this text.
std::string AnnotationJson(const RdbAnnotation& annotation) {
  Text out;
  out.Add("{\"size\":").Num(static_cast<int64_t>(annotation.size)).Add(",\"entries\":");
  out.Num(static_cast<int64_t>(annotation.entries)).Add(",\"spans\":[");
  const char* separator = "";
  for (const RdbSpan& s : annotation.spans) {
    out.Add(separator).Add("{\"offset\":").Num(static_cast<int64_t>(s.offset));
    out.Add(",\"length\":").Num(static_cast<int64_t>(s.length)).Add(",\"depth\":").Num(s.depth);
    JsonString(out.Add(",\"label\":\"").Add(s.label).Add("\",\"detail\":"), s.detail).Add("}");
    separator = ",";
  }
  out.Add("],\"error\":");
  if (annotation.error.ok()) {
    out.Add("null");
  } else {
    JsonString(out, annotation.error.message());
  }
  return out.Add("}").Take();
}

}  // namespace plab
