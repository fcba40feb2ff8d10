#include "tests/integration/reply_compare.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace plab::it {
namespace {

// The array's elements as a sorted multiset; non-arrays stay as they are.
std::string CanonicalUnordered(const Reply& r) {
  if (!r.is_array()) return r.raw;
  std::vector<std::string> items;
  for (const Reply& e : r.elems) items.push_back(e.raw);
  std::sort(items.begin(), items.end());
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& i : items) out += i;
  return out;
}

// A flat field, value, field, value... array as a sorted list of pairs.
std::string CanonicalPairs(const Reply& r) {
  if (!r.is_array() || r.elems.size() % 2 != 0) return r.raw;
  std::vector<std::string> pairs;
  for (size_t i = 0; i < r.elems.size(); i += 2)
    pairs.push_back(r.elems[i].raw + r.elems[i + 1].raw);
  std::sort(pairs.begin(), pairs.end());
  std::string out = "*" + std::to_string(r.elems.size()) + "\r\n";
  for (const std::string& p : pairs) out += p;
  return out;
}

bool TtlMatch(const Reply& a, const Reply& b, int64_t tolerance) {
  if (a.type != ':' || b.type != ':') return a.raw == b.raw;
  // -1 (no expiry) and -2 (no key) must agree exactly.
  if (a.integer < 0 || b.integer < 0) return a.integer == b.integer;
  return std::abs(a.integer - b.integer) <= tolerance;
}

// Items of a content reply: members, or member+NUL+value pairs.
std::set<std::string> ContentSet(const Reply& content, bool pairs) {
  std::set<std::string> out;
  if (!content.is_array()) return out;
  size_t step = pairs ? 2 : 1;
  for (size_t i = 0; i + step <= content.elems.size(); i += step) {
    std::string item = content.elems[i].str;
    if (pairs) item += std::string(1, '\0') + content.elems[i + 1].str;
    out.insert(item);
  }
  return out;
}

// Checks one side's picks against its own content.
std::string CheckPicks(const char* side, const Cmd& cmd, const Reply& r, const Reply& content) {
  std::set<std::string> pool = ContentSet(content, cmd.pairs);
  std::vector<std::string> picks;
  if (r.type == '$') {
    if (r.is_null) return "";
    picks.push_back(r.str);
  } else if (r.is_array()) {
    size_t step = cmd.pairs ? 2 : 1;
    for (size_t i = 0; i + step <= r.elems.size(); i += step) {
      std::string item = r.elems[i].str;
      if (cmd.pairs) item += std::string(1, '\0') + r.elems[i + 1].str;
      picks.push_back(item);
    }
  }
  std::set<std::string> seen;
  for (const std::string& p : picks) {
    if (pool.count(p) == 0)
      return std::string(side) + " picked '" + Printable(p) + "', not in its content";
    if (cmd.distinct && !seen.insert(p).second) {
      return std::string(side) + " picked '" + Printable(p) + "' twice with a positive count";
    }
  }
  return "";
}

}  // namespace

std::string Mismatch(const Cmd& cmd, const Reply& a, const Reply& b) {
  bool same = false;
  switch (cmd.compare) {
    case Compare::kUnordered:
      same = CanonicalUnordered(a) == CanonicalUnordered(b);
      break;
    case Compare::kUnorderedPairs:
      same = CanonicalPairs(a) == CanonicalPairs(b);
      break;
    case Compare::kTtl:
      same = TtlMatch(a, b, cmd.tolerance);
      if (!same) return "TTL-like values differ by more than " + std::to_string(cmd.tolerance);
      break;
    default:
      same = a.raw == b.raw;
      break;
  }
  return same ? "" : "replies differ";
}

std::string RandomMismatch(const Cmd& cmd, const Reply& a, const Reply& content_a, const Reply& b,
                           const Reply& content_b) {
  if (a.type == '-' || b.type == '-' || a.type != b.type) {
    return a.raw == b.raw ? "" : "replies differ (type or error)";
  }
  if (a.is_null != b.is_null) return "one reply is nil, the other is not";
  if (a.elems.size() != b.elems.size()) return "different number of picks";
  std::string why = CheckPicks("first server", cmd, a, content_a);
  if (why.empty()) why = CheckPicks("second server", cmd, b, content_b);
  return why;
}

std::vector<std::string> PickedMembers(const Reply& r, bool pairs) {
  std::vector<std::string> out;
  if (r.type == '$' && !r.is_null) out.push_back(r.str);
  if (r.is_array()) {
    for (size_t i = 0; i < r.elems.size(); i += pairs ? 2 : 1) out.push_back(r.elems[i].str);
  }
  return out;
}

std::string CanonicalScanItems(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out = std::to_string(items.size()) + " items:";
  for (const std::string& i : items) out += " '" + Printable(i, 200) + "'";
  return out;
}

std::string Printable(std::string_view raw, size_t max_len) {
  std::string out;
  for (unsigned char c : raw) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace plab::it
