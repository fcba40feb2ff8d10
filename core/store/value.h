// Value: what a key holds. One of Redis's five data types, plus the facts
// needed to report OBJECT ENCODING exactly as Redis 7.0 would:
//
//   type    Redis 7.0 encodings          how PersistLab stores it
//   string  int / embstr / raw           std::string (+ a "raw" flag)
//   list    quicklist (always in 7.0)    std::deque<std::string>
//   hash    listpack -> hashtable        HashValue (ordered vector -> Dict)
//   set     intset -> hashtable          Dict<NoValue>     (+ encoding flag)
//   zset    listpack -> skiplist         ZSetValue (dict + skiplist)
//
// The "small" encodings are a Redis memory optimisation; PersistLab mostly
// keeps one fast representation per type and tracks which encoding Redis
// would have used (conversions are one-way, as in Redis), because OBJECT
// ENCODING, the RDB writer and SCAN's small-collection behaviour depend on
// it. Hashes are the exception: a listpack hash's insertion order shows in
// HGETALL and friends, so HashValue (hash_value.h) really has two layouts.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "core/store/dict.h"
#include "core/store/hash_value.h"

namespace plab {

class ZSetValue;

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// The name TYPE reports: "string", "list", "set", "zset", "hash".
std::string_view TypeName(ValueType t);

struct ListValue {
  std::deque<std::string> items;
};

struct SetValue {
  Dict<NoValue> members;
  bool intset = true;  // false once converted to "hashtable"
};

class Value {
 public:
  // A string value. `raw` forces the "raw" encoding (APPEND, SETRANGE and
  // friends leave a string raw in Redis); otherwise the encoding is derived
  // from the content like tryObjectEncoding() does.
  static Value String(std::string s, bool raw = false);
  static Value List();
  static Value Hash();
  static Value Set();
  static Value ZSet();

  Value();
  ~Value();
  Value(Value&&) noexcept;
  Value& operator=(Value&&) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  // Deep copy (COPY command).
  Value Clone() const;

  ValueType type() const { return static_cast<ValueType>(data_.index()); }
  bool is(ValueType t) const { return type() == t; }

  // REQUIRES: the matching type.
  std::string& str() { return std::get<std::string>(data_); }
  const std::string& str() const { return std::get<std::string>(data_); }
  ListValue& list() { return *std::get<std::unique_ptr<ListValue>>(data_); }
  const ListValue& list() const { return *std::get<std::unique_ptr<ListValue>>(data_); }
  SetValue& set() { return *std::get<std::unique_ptr<SetValue>>(data_); }
  const SetValue& set() const { return *std::get<std::unique_ptr<SetValue>>(data_); }
  ZSetValue& zset() { return *std::get<std::unique_ptr<ZSetValue>>(data_); }
  const ZSetValue& zset() const { return *std::get<std::unique_ptr<ZSetValue>>(data_); }
  HashValue& hash() { return *std::get<std::unique_ptr<HashValue>>(data_); }
  const HashValue& hash() const { return *std::get<std::unique_ptr<HashValue>>(data_); }

  // Marks a string as "raw" (after in-place modification).
  void set_raw(bool raw) { raw_ = raw; }
  bool raw() const { return raw_; }
  // Keeps a string that looks like an integer out of the "int" encoding:
  // Redis stores INCRBYFLOAT's result with createStringObject(), so "3"
  // reports "embstr" (not "int") until something rewrites the value.
  void set_no_int(bool no_int) { no_int_ = no_int; }
  bool no_int() const { return no_int_; }

  // Snapshot bookkeeping (see core/persist/rdb_snapshot.h): the keyspace's
  // write version when this value was stored or last copied out by a
  // snapshot. It lives in what was padding, so a Value stays 48 bytes.
  uint32_t version() const { return version_; }
  void set_version(uint32_t v) { version_ = v; }

  // OBJECT ENCODING's answer.
  std::string_view EncodingName() const;

  // Number of elements for aggregate types, 1 for strings (for the
  // keyspace's lazy-free and INFO estimates).
  size_t Length() const;

 private:
  // Alternative order == ValueType numbering.
  std::variant<std::string, std::unique_ptr<ListValue>, std::unique_ptr<SetValue>,
               std::unique_ptr<ZSetValue>, std::unique_ptr<HashValue>>
      data_;
  bool raw_ = false;
  bool no_int_ = false;
  uint32_t version_ = 0;
};

}  // namespace plab
