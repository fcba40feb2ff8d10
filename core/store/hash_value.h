// HashValue: the fields of a Redis hash, in one of Redis 7.0's two
// encodings, because the encoding is visible to clients:
//
//   listpack   an ordered vector of (field, value) pairs. Redis's listpack
//              keeps insertion order, so HGETALL, HKEYS, HVALS, HSCAN and
//              HRANDFIELD list a small hash in the order its fields were
//              first set. Lookups are linear scans, as in Redis (lpFind);
//              the size is bounded by hash-max-listpack-entries.
//   hashtable  a Dict, iterated in table order (any order is fine here:
//              Redis's dict order is not insertion order either).
//
// WHEN to convert is decided by the caller (hash_cmds.cc follows
// hashTypeTryConversion/hashTypeSet); this class only keeps the order and
// performs the one-way conversion (hashTypeConvertListpack).
//
// Pointers returned by Find/RandomField/entries() are invalidated by Set,
// Erase and ConvertToHashtable.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/store/dict.h"

namespace plab {

class HashValue {
 public:
  struct Entry {
    std::string field;
    std::string value;
  };
  using Entries = std::vector<Entry>;
  using Table = Dict<std::string>;

  // A field and its value inside the hash (see the invalidation note above).
  struct FieldRef {
    const std::string* field;
    const std::string* value;
  };

  // An empty, listpack-encoded hash (createHashObject()).
  HashValue() = default;
  HashValue(HashValue&&) noexcept = default;
  HashValue& operator=(HashValue&&) noexcept = default;
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  // Deep copy with the same encoding and (for listpack) the same order.
  HashValue Clone() const;

  bool listpack() const { return std::holds_alternative<Entries>(rep_); }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // The value stored under `field`, or nullptr.
  const std::string* Find(std::string_view field) const;
  bool Contains(std::string_view field) const { return Find(field) != nullptr; }

  // Stores field=value and returns true when the field is new. A listpack
  // hash overwrites an existing field's value where it is (the field keeps
  // its position) and appends a new field at the end, like hashTypeSet().
  bool Set(std::string&& field, std::string&& value);

  // Room for `n` fields without regrowing (RDB loading knows the count).
  void Reserve(size_t n);

  // Removes `field`; true when it existed. A listpack hash closes the gap,
  // keeping the order of the remaining fields.
  bool Erase(std::string_view field);

  // Moves every field into a hash table; the hash stays "hashtable" for
  // good (Redis never converts back). No-op when already converted.
  void ConvertToHashtable();

  // Calls f(field, value) for every field: insertion order while listpack,
  // table order afterwards. Don't modify the hash inside f.
  template <typename F>
  void ForEach(F&& f) const {
    if (const Entries* entries = std::get_if<Entries>(&rep_)) {
      for (const Entry& e : *entries) f(e.field, e.value);
    } else {
      std::get<Table>(rep_).ForEach(f);
    }
  }

  // A uniformly random field (lpRandomPair / dictGetFairRandomKey's role).
  // REQUIRES: !empty().
  FieldRef RandomField(std::mt19937_64& rng) const;

  // The representations, for code that must walk them the way Redis does
  // (HSCAN's cursor over the table, HRANDFIELD and memory sampling by
  // index). REQUIRES: listpack() for entries(), !listpack() for table().
  const Entries& entries() const { return std::get<Entries>(rep_); }
  const Table& table() const { return std::get<Table>(rep_); }

  // Bytes owned by the container itself (vector slots or table buckets and
  // nodes), excluding the heap bytes of the strings. For memory estimates.
  size_t OverheadBytes() const;

 private:
  std::variant<Entries, Table> rep_;
};

}  // namespace plab
