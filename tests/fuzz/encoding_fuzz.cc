// The compact-encoding decoder targets (fuzz_entries.h): listpack, ziplist,
// intset, zipmap. Each decoder's verdict is checked against the RDB loader
// reading the same blob as a value (they must agree), and what a decoder
// accepted must re-encode to the same elements.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/persist/intset.h"
#include "core/persist/listpack.h"
#include "core/persist/rdb_coding.h"
#include "core/persist/rdb_format.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/ziplist.h"
#include "core/persist/zipmap.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_entries.h"

namespace plab::fuzz {
namespace {

std::string AsRdbString(std::string_view blob) {
  std::string s;
  rdb::PutRawString(&s, blob);
  return s;
}

std::vector<std::string> Texts(const std::vector<ListpackEntry>& entries) {
  std::vector<std::string> out;
  for (const ListpackEntry& e : entries) out.push_back(e.ToString());
  return out;
}

// The elements rebuilt with ListpackBuilder decode to the same texts.
std::string RebuildProblem(const std::vector<ListpackEntry>& entries) {
  ListpackBuilder b;
  for (const ListpackEntry& e : entries) {
    if (e.is_int) {
      b.AppendInt(e.num);
    } else {
      b.Append(e.str);
    }
  }
  Result<std::string> blob = b.Finish();
  if (!blob.ok()) return "ListpackBuilder refused the elements: " + blob.status().message();
  Result<std::vector<ListpackEntry>> again = DecodeListpack(*blob);
  if (!again.ok()) return "a rebuilt listpack does not decode: " + again.status().message();
  if (Texts(*again) != Texts(entries)) return "a rebuilt listpack decodes to other elements";
  return "";
}

// Loads `file` and returns the list stored at "k" (empty when the key was
// skipped as an empty collection); *problem is set when loading failed.
std::vector<std::string> LoadedList(const std::string& file, std::string* problem) {
  Keyspace ks;
  Config config;
  Result<RdbLoadResult> r = LoadRdb(file, 0, RdbLoadOptionsFrom(config), &ks);
  if (!r.ok()) {
    *problem = "the RDB loader refuses a blob the decoder accepts: " + r.status().message();
    return {};
  }
  const Value* v = ks.Lookup(0, "k");
  if (v == nullptr) return {};
  if (!v->is(ValueType::kList)) {
    *problem = "loaded as another type than list";
    return {};
  }
  *problem = LoadedKeyspaceProblem(ks, config, /*same_encodings=*/true);
  return {v->list().items.begin(), v->list().items.end()};
}

int MinimalIntsetWidth(const std::vector<int64_t>& values) {
  int width = 2;
  for (int64_t v : values) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  return width;
}

}  // namespace

std::string FuzzListpack(std::string_view data) {
  Result<std::vector<ListpackEntry>> entries = DecodeListpack(data);
  // As the only node of a v2 quicklist (container 2 = packed listpack).
  std::string value;
  rdb::PutLength(&value, 1);
  rdb::PutLength(&value, rdb::kQuicklistNodePacked);
  value += AsRdbString(data);
  Keyspace ks;
  Result<RdbLoadResult> r =
      LoadRdb(OneKeyRdb(rdb::kTypeListQuicklist2, value), 0, RdbLoadOptions(), &ks);
  if (entries.ok() != r.ok()) return "DecodeListpack and the RDB loader disagree on validity";
  if (!entries.ok()) return "";
  std::string p = RebuildProblem(*entries);
  if (!p.empty()) return p;
  std::vector<std::string> list = LoadedList(OneKeyRdb(rdb::kTypeListQuicklist2, value), &p);
  if (!p.empty()) return p;
  if (list != Texts(*entries)) return "the loaded list differs from the decoded listpack";
  return "";
}

std::string FuzzZiplist(std::string_view data) {
  Result<std::vector<ListpackEntry>> entries = DecodeZiplist(data);
  const std::string file = OneKeyRdb(rdb::kTypeListZiplist, AsRdbString(data));
  Keyspace ks;
  Result<RdbLoadResult> r = LoadRdb(file, 0, RdbLoadOptions(), &ks);
  if (entries.ok() != r.ok()) return "DecodeZiplist and the RDB loader disagree on validity";
  if (!entries.ok()) return "";
  std::string p = RebuildProblem(*entries);
  if (!p.empty()) return p;
  std::vector<std::string> list = LoadedList(file, &p);
  if (!p.empty()) return p;
  if (list != Texts(*entries)) return "the loaded list differs from the decoded ziplist";
  return "";
}

std::string FuzzIntset(std::string_view data) {
  Result<std::vector<int64_t>> values = DecodeIntset(data);
  Keyspace ks;
  Config config;
  Result<RdbLoadResult> r = LoadRdb(OneKeyRdb(rdb::kTypeSetIntset, AsRdbString(data)), 0,
                                    RdbLoadOptionsFrom(config), &ks);
  if (values.ok() != r.ok()) return "DecodeIntset and the RDB loader disagree on validity";
  if (!values.ok()) return "";
  if (values->empty()) return "DecodeIntset accepted an empty intset";
  if (!std::is_sorted(values->begin(), values->end()) ||
      std::adjacent_find(values->begin(), values->end()) != values->end()) {
    return "decoded intset members are not strictly ascending";
  }
  const std::string encoded = EncodeIntset(*values);
  Result<std::vector<int64_t>> again = DecodeIntset(encoded);
  if (!again.ok() || *again != *values) return "EncodeIntset does not round-trip";
  const int width = static_cast<uint8_t>(data[0]);  // little-endian uint32, validated
  if (width == MinimalIntsetWidth(*values) && encoded != data) {
    return "EncodeIntset writes other bytes for a minimal-width intset";
  }
  const Value* v = ks.Lookup(0, "k");
  if (v == nullptr || !v->is(ValueType::kSet) || v->set().members.size() != values->size()) {
    return "the loaded set differs from the decoded intset";
  }
  for (int64_t m : *values) {
    if (v->set().members.FindNode(std::to_string(m)) == nullptr) return "a member is missing";
  }
  return LoadedKeyspaceProblem(ks, config, /*same_encodings=*/true);
}

std::string FuzzZipmap(std::string_view data) {
  auto pairs = DecodeZipmap(data);
  Keyspace ks;
  Config config;
  Result<RdbLoadResult> r = LoadRdb(OneKeyRdb(rdb::kTypeHashZipmap, AsRdbString(data)), 0,
                                    RdbLoadOptionsFrom(config), &ks);
  if (!pairs.ok()) {
    if (r.ok()) return "the RDB loader accepts a zipmap DecodeZipmap refuses";
    return "";
  }
  if (pairs->empty()) return "DecodeZipmap accepted a zipmap without pairs";
  std::set<std::string> fields;
  for (const auto& [f, v] : *pairs) fields.insert(f);
  const bool duplicates = fields.size() != pairs->size();
  // The decoder leaves duplicate fields to the loader, which refuses them.
  if (r.ok() == duplicates) return "the RDB loader's verdict does not follow the duplicate fields";
  if (duplicates) return "";
  const Value* v = ks.Lookup(0, "k");
  if (v == nullptr || !v->is(ValueType::kHash) || v->hash().size() != pairs->size()) {
    return "the loaded hash differs from the decoded zipmap";
  }
  for (const auto& [f, val] : *pairs) {
    const std::string* got = v->hash().Find(f);
    if (got == nullptr || *got != val) return "a field of the loaded hash differs";
  }
  return LoadedKeyspaceProblem(ks, config, /*same_encodings=*/true);
}

}  // namespace plab::fuzz
