// ZSetValue: a sorted set, the structure behind Redis's "skiplist" encoding
// (t_zset.c: a dict for member -> score plus a zskiplist ordered by score).
//
// Ordering: elements are kept sorted by (score, member), scores compared as
// doubles and equal scores broken by comparing members bytewise (unsigned,
// shorter prefix first), exactly like zslInsert/sdscmp. NaN is never stored.
//
// Layout and lifetimes ("members stored once"):
//   - dict_ (Dict<Node*>) owns every member string as its key. Dict nodes are
//     heap-allocated and never move when the table resizes, so a pointer to a
//     key stays valid until that key is erased.
//   - Each skiplist Node points at its member's dict key (member_) and holds
//     the score. Erase() unlinks the skiplist node first, then erases the dict
//     entry, so a node never outlives the string it points to.
//   - The dict's value is the member's Node*, so score lookups are O(1) and
//     rank/position queries start from the node.
// Node pointers handed out stay valid until that member is erased (score
// updates relink the same node). Any mutation may reorder the list, so don't
// hold a traversal across mutations except where a function says so.
//
// The skiplist keeps spans (how many level-0 steps each forward link skips)
// so rank <-> element is O(log n), like Redis's zskiplist. Node heights come
// from a small xorshift generator seeded with a constant, so a given
// sequence of operations always builds the same structure (deterministic
// tests, reproducible benchmarks).
//
// Encoding: PersistLab always uses this representation, and only records in
// listpack_ whether Redis 7.0 would be using its "listpack" encoding (see
// value.h). The command layer decides conversions; this class just stores
// the flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/store/dict.h"

namespace plab {

// A score interval as parsed by zslParseRange: [min, max] with either end
// optionally exclusive.
struct ZScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool AboveMin(double v) const { return min_exclusive ? v > min : v >= min; }
  bool BelowMax(double v) const { return max_exclusive ? v < max : v <= max; }
  // True when no score can satisfy the range (min > max, or a point range
  // with an open end), like the early test in zslIsInRange.
  bool Empty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// A member interval as parsed by zslParseLexRange: each end is "-" (below
// every string), "+" (above every string) or a string, open or closed.
struct ZLexBound {
  enum class Kind : uint8_t { kMinusInf, kPlusInf, kValue };
  Kind kind = Kind::kMinusInf;
  std::string value;      // for kValue
  bool exclusive = true;  // "-" and "+" count as exclusive, as in Redis

  // Three-way comparison of a member against this bound.
  int Compare(std::string_view member) const;
};

struct ZLexRange {
  ZLexBound min;
  ZLexBound max;

  bool AboveMin(std::string_view m) const;
  bool BelowMax(std::string_view m) const;
  // True when no member can satisfy the range (zslIsInLexRange's first test).
  bool Empty() const;
};

// ZADD's option flags (zsetAdd's in_flags).
struct ZAddOptions {
  bool incr = false;  // add the score to the current one (missing counts as 0)
  bool nx = false;    // only add new members
  bool xx = false;    // only update existing members
  bool gt = false;    // only update when the new score is greater
  bool lt = false;    // only update when the new score is less
};

// What an Add did (zsetAdd's out_flags).
struct ZAddResult {
  bool nan = false;      // the resulting score would be NaN: nothing changed
  bool added = false;    // a new member was inserted
  bool updated = false;  // an existing member's score changed
  bool nop = false;      // skipped because of NX/XX/GT/LT
  double score = 0;      // the member's new score when it was added/updated/kept
};

// The encoding thresholds (zset-max-listpack-entries/-value).
struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class ZSetValue {
 public:
  class Node {
   public:
    const std::string& member() const { return *member_; }
    double score() const { return score_; }
    // Neighbours in (score, member) order; nullptr at the ends.
    const Node* next() const { return levels()[0].forward; }
    const Node* prev() const { return backward_; }

   private:
    friend class ZSetValue;
    struct Level {
      Node* forward;
      size_t span;  // level-0 steps from this node to `forward`
    };
    // The level array lives right after the node in the same allocation.
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }

    const std::string* member_ = nullptr;  // the dict's key; see header comment
    double score_ = 0;
    Node* backward_ = nullptr;
    int height_ = 0;
  };

  // Deepest skiplist level (ZSKIPLIST_MAXLEVEL) and promotion odds (1/4).
  static constexpr int kMaxLevel = 32;
  static constexpr int kInitialHeaderHeight = 4;

  ZSetValue();
  ~ZSetValue();
  // A moved-from ZSetValue is a valid, empty sorted set.
  ZSetValue(ZSetValue&& o) noexcept;
  ZSetValue& operator=(ZSetValue&& o) noexcept;
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  bool listpack() const { return listpack_; }
  // Room for `n` members in the member table (RDB loading knows the count).
  void Reserve(size_t n) { dict_.Reserve(n); }
  void set_listpack(bool v) { listpack_ = v; }

  // Deep copy with the same elements and encoding flag (COPY, zsetDup).
  ZSetValue Clone() const;

  // The member's score, or nullopt when absent.
  std::optional<double> Score(std::string_view member) const;
  bool Contains(std::string_view member) const { return dict_.Contains(member); }
  const Node* Find(std::string_view member) const;

  // zsetAdd(): adds or updates `member` under ZADD's rules, switching the
  // encoding flag from listpack to skiplist exactly where Redis 7.0 converts
  // (a new member that makes the set too long or is itself too long).
  // While "listpack", a score of -0 is stored as 0, because the listpack
  // keeps integral scores as integers and reads them back as +0.
  ZAddResult Add(std::string_view member, double score, const ZAddOptions& opts,
                 const ZSetLimits& limits);

  // Adds a member that is not present. REQUIRES: !Contains(member), !isnan.
  const Node* Insert(std::string_view member, double score);
  // Changes an existing member's score, moving it if the order changes.
  // REQUIRES: Contains(member), !isnan(score).
  void UpdateScore(std::string_view member, double score);
  // Removes the member; false when absent. `member` may view the stored
  // string (e.g. First()->member()); it is dangling afterwards.
  bool Erase(std::string_view member);
  void Clear();

  // 0-based rank in ascending order, or nullopt when absent.
  std::optional<size_t> Rank(std::string_view member) const;
  // Element at 0-based ascending rank, or nullptr when out of range.
  const Node* ByRank(size_t rank) const;

  const Node* First() const { return header_->levels()[0].forward; }
  const Node* Last() const { return tail_; }

  // First/last element inside a score or lex range, or nullptr when none.
  //
  // Lex ranges only make sense when all scores are equal; otherwise the
  // answer depends on how the encoding searches, and Redis gives different
  // answers for its two encodings. While listpack() is set these functions
  // (and EraseLexRange) scan linearly like the zzl*LexRange functions, so
  // results match Redis exactly; as a skiplist they descend the levels like
  // zslFirstInLexRange, whose answer on mixed scores also depends on node
  // heights (random in Redis) and so cannot match byte for byte.
  const Node* FirstInRange(const ZScoreRange& r) const;
  const Node* LastInRange(const ZScoreRange& r) const;
  const Node* FirstInLexRange(const ZLexRange& r) const;
  const Node* LastInLexRange(const ZLexRange& r) const;

  // Removes elements with 0-based ranks in [start, end] (clamped), or within
  // a range; returns how many were removed.
  size_t EraseRankRange(size_t start, size_t end);
  size_t EraseScoreRange(const ZScoreRange& r);
  size_t EraseLexRange(const ZLexRange& r);

  // The member -> node table: SCAN cursors and random sampling (ZSCAN,
  // ZRANDMEMBER) use it like Redis uses zset->dict.
  const Dict<Node*>& dict() const { return dict_; }

  // Checks every structural invariant (spans, backward links, order, dict
  // agreement). For tests; O(n * levels).
  bool CheckInvariants() const;

 private:
  static Node* NewNode(int height);
  static void FreeNode(Node* n);
  static bool Before(const Node* n, double score, std::string_view member);
  int RandomHeight();
  // Links a detached node into the list at its (score, member) position.
  void Link(Node* x);
  // Replaces the header with one of at least `height` levels.
  void GrowHeader(int height);
  // Unlinks x; update[i] is the rightmost node before x at level i.
  void Unlink(Node* x, Node* const* update);
  // Finds update[] for (score, member); returns the node at that position
  // (which may not be an exact match) or nullptr.
  Node* FindPath(double score, std::string_view member, Node** update) const;
  // Unlinks and frees x (already located with update[]) and its dict entry.
  void EraseNode(Node* x, Node* const* update);

  Dict<Node*> dict_;
  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  uint64_t rng_state_;
  bool listpack_ = true;
};

}  // namespace plab
