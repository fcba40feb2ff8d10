#include "core/store/value.h"

#include "core/store/zset.h"
#include "core/util/numbers.h"

namespace plab {

std::string_view TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
  }
  return "none";
}

Value::Value() = default;
Value::~Value() = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(Value&&) noexcept = default;

Value Value::String(std::string s, bool raw) {
  Value v;
  v.data_ = std::move(s);
  v.raw_ = raw;
  return v;
}

Value Value::List() {
  Value v;
  v.data_ = std::make_unique<ListValue>();
  return v;
}

Value Value::Hash() {
  Value v;
  v.data_ = std::make_unique<HashValue>();
  return v;
}

Value Value::Set() {
  Value v;
  v.data_ = std::make_unique<SetValue>();
  return v;
}

Value Value::ZSet() {
  Value v;
  v.data_ = std::make_unique<ZSetValue>();
  return v;
}

Value Value::Clone() const {
  switch (type()) {
    case ValueType::kString: {
      Value v = String(str(), raw_);
      v.no_int_ = no_int_;
      return v;
    }
    case ValueType::kList: {
      Value v = List();
      v.list().items = list().items;
      return v;
    }
    case ValueType::kHash: {
      Value v;
      v.data_ = std::make_unique<HashValue>(hash().Clone());
      return v;
    }
    case ValueType::kSet: {
      Value v = Set();
      v.set().intset = set().intset;
      set().members.ForEach([&](const std::string& k, const NoValue&) {
        v.set().members.TryEmplace(k);
      });
      return v;
    }
    case ValueType::kZSet: {
      Value v;
      v.data_ = std::make_unique<ZSetValue>(zset().Clone());
      return v;
    }
  }
  return Value();
}

std::string_view Value::EncodingName() const {
  switch (type()) {
    case ValueType::kString: {
      // tryObjectEncoding(): integers that fit a long become "int", short
      // strings (<= 44 bytes, OBJ_ENCODING_EMBSTR_SIZE_LIMIT) "embstr".
      const std::string& s = str();
      if (raw_) return "raw";
      if (!no_int_ && IsCanonicalInt64(s)) return "int";
      return s.size() <= 44 ? "embstr" : "raw";
    }
    case ValueType::kList: return "quicklist";
    case ValueType::kHash: return hash().listpack() ? "listpack" : "hashtable";
    case ValueType::kSet: return set().intset ? "intset" : "hashtable";
    case ValueType::kZSet: return zset().listpack() ? "listpack" : "skiplist";
  }
  return "";
}

size_t Value::Length() const {
  switch (type()) {
    case ValueType::kString: return 1;
    case ValueType::kList: return list().items.size();
    case ValueType::kHash: return hash().size();
    case ValueType::kSet: return set().members.size();
    case ValueType::kZSet: return zset().size();
  }
  return 0;
}

}  // namespace plab
