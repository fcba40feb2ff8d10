// The RDB loader and quicklist targets (fuzz_entries.h).
#include <cstdint>
#include <string>

#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/persist/rdb_annotate.h"
#include "core/persist/rdb_coding.h"
#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_entries.h"

namespace plab::fuzz {
namespace {

// Thresholds small enough that most collections convert while loading.
Config TinyThresholds() {
  Config c;
  c.hash_max_listpack_entries = 2;
  c.hash_max_listpack_value = 4;
  c.set_max_intset_entries = 2;
  c.zset_max_listpack_entries = 2;
  c.zset_max_listpack_value = 4;
  c.list_max_listpack_size = 2;
  return c;
}

// The annotation tool runs the same loader with an observer; it must reach
// the same verdict and, on success, cover the file with top-level spans.
std::string AnnotationProblem(std::string_view data, const Result<RdbLoadResult>& loaded) {
  RdbAnnotation a = AnnotateRdb(data);
  if (a.error.ok() != loaded.ok()) return "AnnotateRdb and LoadRdb disagree on success";
  if (!loaded.ok()) {
    if (a.error.message() != loaded.status().message()) {
      return "AnnotateRdb and LoadRdb report different errors";
    }
    return "";
  }
  uint64_t at = 0;
  for (const RdbSpan& s : a.spans) {
    if (s.depth != 0) continue;
    if (s.offset != at) return "top-level spans leave a gap or overlap at " + std::to_string(at);
    at += s.length;
  }
  if (at != loaded.value().bytes_read && at != data.size()) {
    return "top-level spans end at " + std::to_string(at) + ", the file at " +
           std::to_string(loaded.value().bytes_read);
  }
  (void)AnnotationJson(a);
  return "";
}

std::string LoadProblem(std::string_view data, const Config& config, bool* loaded_ok) {
  Keyspace ks;
  Result<RdbLoadResult> r = LoadRdb(data, /*now_ms=*/0, RdbLoadOptionsFrom(config), &ks);
  *loaded_ok = r.ok();
  if (!r.ok()) {
    if (r.status().message().empty()) return "a failed load without a message";
    return "";
  }
  if (r->bytes_read > data.size()) return "bytes_read beyond the input";
  int64_t keys = 0;
  for (int db = 0; db < Keyspace::kNumDbs; ++db) keys += static_cast<int64_t>(ks.Size(db));
  if (keys != r->keys_loaded) {
    return "keys_loaded " + std::to_string(r->keys_loaded) + " but " + std::to_string(keys) +
           " keys in the keyspace";
  }
  return LoadedKeyspaceProblem(ks, config, /*same_encodings=*/true);
}

// Counts the elements of the quicklist nodes the loader reports for the
// first key, and what that key's value held when the loader built it (the
// input may go on with more keys after the quicklist).
class FirstListObserver final : public RdbLoadObserver {
 public:
  void OnHeader(int) override {}
  void OnAux(uint64_t, uint64_t, std::string_view, std::string_view) override {}
  void OnSelectDb(uint64_t, uint64_t, uint64_t) override {}
  void OnResizeDb(uint64_t, uint64_t, uint64_t, uint64_t) override {}
  void OnKeyHint(uint8_t, uint64_t, uint64_t, int64_t) override {}
  void OnKey(uint8_t, uint64_t, uint64_t, std::string_view) override {}
  void OnQuicklistNode(uint64_t, uint64_t, uint64_t, uint64_t, size_t elements) override {
    if (!seen_value) node_elements += elements;
  }
  void OnValue(uint8_t, uint64_t, uint64_t, const Value* value) override {
    if (seen_value) return;
    seen_value = true;
    if (value == nullptr) return;
    is_list = value->is(ValueType::kList);
    items = is_list ? value->list().items.size() : 0;
  }
  void OnEof(uint64_t) override {}
  void OnChecksum(uint64_t, uint64_t, uint64_t) override {}

  size_t node_elements = 0;
  bool seen_value = false;
  bool is_list = false;
  size_t items = 0;  // 0 also when the list was empty and skipped
};

}  // namespace

std::string FuzzRdbLoader(std::string_view data) {
  bool ok = false;
  std::string p = LoadProblem(data, Config(), &ok);
  if (!p.empty()) return p;
  {
    Keyspace ks;
    p = AnnotationProblem(data, LoadRdb(data, 0, RdbLoadOptions(), &ks));
    if (!p.empty()) return p;
  }
  if (!ok) return "";
  // The thresholds decide encodings, never whether a file is valid.
  bool tiny_ok = false;
  p = LoadProblem(data, TinyThresholds(), &tiny_ok);
  if (!p.empty()) return "with tiny thresholds: " + p;
  if (!tiny_ok) return "loads with the default thresholds but not with tiny ones";
  return "";
}

std::string FuzzQuicklist(std::string_view data) {
  if (data.empty()) return "";
  const bool v1 = static_cast<uint8_t>(data[0]) == rdb::kTypeListQuicklist;
  const std::string file =
      OneKeyRdb(v1 ? rdb::kTypeListQuicklist : rdb::kTypeListQuicklist2, data.substr(1));
  FirstListObserver first;
  Keyspace ks;
  Result<RdbLoadResult> r = LoadRdb(file, 0, RdbLoadOptions(), &ks, &first);
  if (!r.ok()) return "";
  if (!first.seen_value) return "a file that loaded without reporting its first value";
  if (first.items == 0 && !first.is_list && first.node_elements != 0) {
    return "a list skipped as empty whose nodes held elements";
  }
  if (first.is_list && first.items != first.node_elements) {
    return "the list holds " + std::to_string(first.items) + " items, its nodes " +
           std::to_string(first.node_elements);
  }
  return LoadedKeyspaceProblem(ks, Config(), /*same_encodings=*/true);
}

}  // namespace plab::fuzz
