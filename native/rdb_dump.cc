#include "native/rdb_dump.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/rdb_annotate.h"
#include "core/persist/rdb_loader.h"
#include "core/resp/reply_format.h"
#include "core/server/config.h"
#include "core/server/rdb_persistence.h"  // RdbLoadOptionsFrom
#include "core/store/keyspace.h"
#include "core/store/value.h"
#include "core/store/zset.h"
#include "core/util/numbers.h"
#include "native/check_rdb.h"

namespace plab {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kDumpUsage[] =
    "Usage: plab rdb-dump FILE [--json | --annotate]\n"
    "Prints every key of an RDB snapshot: one line per key, or with --json a JSON\n"
    "document (non-UTF-8 byte strings become {\"base64\": ...}; see rdb_dump.h).\n"
    "--annotate prints what every byte range of the file is (magic, AUX fields,\n"
    "SELECTDB, each key's expiry/type/name/value encoding, EOF, CRC64), indented\n"
    "by nesting; it also reads AOF files with an RDB preamble (*.base.rdb).\n";

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kBase64Alphabet[n & 63] : '=';
  }
  return out;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF -- exactly what nlohmann's serializer accepts without throwing.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    // A lead byte gives the number of continuation bytes and its payload
    // bits; 0x80..0xC1 (continuations, overlong 2-byte leads) and 0xF5..
    // are never valid leads.
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Json Str(std::string_view s) {
  if (IsValidUtf8(s)) return Json(std::string(s));
  return Json{{"base64", Base64(s)}};
}

Json Score(double d) {
  if (std::isinf(d)) return Json(d > 0 ? "inf" : "-inf");
  return Json(d);
}

Json HashJson(const HashValue& h) {
  bool all_utf8 = true;
  h.ForEach([&](const std::string& f, const std::string&) { all_utf8 &= IsValidUtf8(f); });
  Json out = all_utf8 ? Json::object() : Json::array();
  h.ForEach([&](const std::string& f, const std::string& v) {
    if (all_utf8) {
      out[f] = Str(v);
    } else {
      out.push_back(Json::array({Str(f), Str(v)}));
    }
  });
  return out;
}

std::vector<std::string> SortedMembers(const SetValue& s) {
  std::vector<std::string> out;
  s.members.ForEach([&](const std::string& m, const NoValue&) { out.push_back(m); });
  std::sort(out.begin(), out.end());
  return out;
}

Json ValueJson(const Value& v) {
  Json out = Json::array();
  switch (v.type()) {
    case ValueType::kString:
      return Str(v.str());
    case ValueType::kList:
      for (const std::string& item : v.list().items) out.push_back(Str(item));
      return out;
    case ValueType::kHash:
      return HashJson(v.hash());
    case ValueType::kSet:
      for (const std::string& m : SortedMembers(v.set())) out.push_back(Str(m));
      return out;
    case ValueType::kZSet:
      for (const ZSetValue::Node* n = v.zset().First(); n != nullptr; n = n->next()) {
        out.push_back(Json::array({Str(n->member()), Score(n->score())}));
      }
      return out;
  }
  return out;
}

std::vector<std::string> SortedKeys(const Keyspace& ks, int db) {
  std::vector<std::string> keys;
  ks.keys(db).ForEach([&](const std::string& k, const Value&) { keys.push_back(k); });
  std::sort(keys.begin(), keys.end());
  return keys;
}

Json DatabaseJson(const Keyspace& ks, int db) {
  Json out = Json::object();
  for (const std::string& key : SortedKeys(ks, db)) {
    const Value* v = ks.keys(db).Find(key);
    Json entry = Json::object();
    const bool utf8 = IsValidUtf8(key);
    if (!utf8) entry["key"] = Str(key);
    entry["type"] = std::string(TypeName(v->type()));
    entry["encoding"] = std::string(v->EncodingName());
    const int64_t when = ks.GetExpire(db, key);
    entry["expire_ms"] = when == Keyspace::kNoExpire ? Json(nullptr) : Json(when);
    entry["value"] = ValueJson(*v);
    out[utf8 ? key : "base64:" + Base64(key)] = std::move(entry);
  }
  return out;
}

void PrintJson(const RdbLoadResult& r, const Keyspace& ks) {
  Json doc = Json::object();
  doc["version"] = r.version;
  Json aux = Json::object();
  for (const auto& [name, value] : r.aux) {
    aux[IsValidUtf8(name) ? name : "base64:" + Base64(name)] = Str(value);
  }
  doc["aux"] = std::move(aux);
  Json dbs = Json::object();
  for (int db = 0; db < 16; ++db) {
    if (ks.Size(db) != 0) dbs[std::to_string(db)] = DatabaseJson(ks, db);
  }
  doc["databases"] = std::move(dbs);
  std::fputs(doc.dump(2).c_str(), stdout);
  std::fputc('\n', stdout);
}

// The elements of a value as redis-cli would quote them, space separated.
std::string ValueText(const Value& v) {
  std::string out;
  auto add = [&out](std::string_view s) {
    if (!out.empty()) out += ' ';
    out += s;
  };
  switch (v.type()) {
    case ValueType::kString:
      add(QuoteReplyString(v.str()));
      break;
    case ValueType::kList:
      for (const std::string& item : v.list().items) add(QuoteReplyString(item));
      break;
    case ValueType::kHash:
      v.hash().ForEach([&](const std::string& f, const std::string& val) {
        add(QuoteReplyString(f));
        add(QuoteReplyString(val));
      });
      break;
    case ValueType::kSet:
      for (const std::string& m : SortedMembers(v.set())) add(QuoteReplyString(m));
      break;
    case ValueType::kZSet:
      for (const ZSetValue::Node* n = v.zset().First(); n != nullptr; n = n->next()) {
        add(QuoteReplyString(n->member()));
        add(FormatDoubleReply(n->score()));
      }
      break;
  }
  return out;
}

void PrintText(const RdbLoadResult& r, const Keyspace& ks) {
  std::printf("# RDB version %d\n", r.version);
  for (const auto& [name, value] : r.aux) {
    std::printf("# aux %s = %s\n", QuoteReplyString(name).c_str(), QuoteReplyString(value).c_str());
  }
  for (int db = 0; db < 16; ++db) {
    for (const std::string& key : SortedKeys(ks, db)) {
      const Value* v = ks.keys(db).Find(key);
      const int64_t when = ks.GetExpire(db, key);
      std::string ttl = when == Keyspace::kNoExpire ? "" : " expire_ms=" + FormatInt64(when);
      std::printf("db%d %s %s %s%s: %s\n", db, QuoteReplyString(key).c_str(),
                  std::string(TypeName(v->type())).c_str(), std::string(v->EncodingName()).c_str(),
                  ttl.c_str(), ValueText(*v).c_str());
    }
  }
}

// One line per span: offset, length, label indented by depth, detail.
// Exit 1 after the spans when the loader failed, like the other forms.
int PrintAnnotated(std::string_view bytes) {
  const RdbAnnotation a = AnnotateRdb(bytes);
  const int width = static_cast<int>(std::to_string(a.size).size());
  constexpr int kLabelColumn = 16;
  for (const RdbSpan& s : a.spans) {
    const int indent = 2 * s.depth;
    std::printf("0x%07llx  %*llu  %*s%-*s %s\n", static_cast<unsigned long long>(s.offset), width,
                static_cast<unsigned long long>(s.length), indent, "", kLabelColumn - indent,
                std::string(s.label).c_str(), s.detail.c_str());
  }
  if (!a.error.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "plab rdb-dump: RDB ERROR: %s\n", a.error.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RdbDumpMain(const std::vector<std::string>& args) {
  std::string path;
  bool json = false;
  bool annotate = false;
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(kDumpUsage, stdout);
      return 0;
    }
    if (a == "--json") {
      json = true;
    } else if (a == "--annotate") {
      annotate = true;
    } else if (path.empty()) {
      path = a;
    } else {
      std::fputs(kDumpUsage, stderr);
      return 1;
    }
  }
  if (path.empty() || (json && annotate)) {
    std::fputs(kDumpUsage, stderr);
    return 1;
  }
  Result<std::string> bytes = ReadRdbFile(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "plab rdb-dump: %s\n", bytes.status().message().c_str());
    return 1;
  }
  if (annotate) return PrintAnnotated(*bytes);
  Config config;
  Keyspace ks;
  // now_ms = 0: keep every key, even those whose expire time has passed.
  Result<RdbLoadResult> r = LoadRdb(*bytes, 0, RdbLoadOptionsFrom(config), &ks);
  if (!r.ok()) {
    std::fprintf(stderr, "plab rdb-dump: RDB ERROR: %s\n", r.status().message().c_str());
    return 1;
  }
  if (json) {
    PrintJson(*r, ks);
  } else {
    PrintText(*r, ks);
  }
  return 0;
}

}  // namespace plab
