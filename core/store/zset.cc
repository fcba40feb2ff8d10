#include "core/store/zset.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <utility>

#include "core/util/check.h"

namespace plab {
namespace {

// Any fixed non-zero seed works; it only has to be the same every time.
constexpr uint64_t kLevelSeed = 0x9E3779B97F4A7C15ULL;

}  // namespace

// ---------------------------------------------------------------------------
// Ranges

int ZLexBound::Compare(std::string_view member) const {
  // A member compared with "-" is always above it and with "+" always below
  // (sdscmplex treats them as -inf/+inf strings).
  switch (kind) {
    case Kind::kMinusInf:
      return 1;
    case Kind::kPlusInf:
      return -1;
    case Kind::kValue:
      break;
  }
  int c = member.compare(value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool ZLexRange::AboveMin(std::string_view m) const {
  int c = min.Compare(m);
  return min.exclusive ? c > 0 : c >= 0;
}

bool ZLexRange::BelowMax(std::string_view m) const {
  int c = max.Compare(m);
  return max.exclusive ? c < 0 : c <= 0;
}

bool ZLexRange::Empty() const {
  using Kind = ZLexBound::Kind;
  // Compare the two bounds the way sdscmplex compares min against max.
  int cmp;
  if (min.kind == max.kind && min.kind != Kind::kValue) {
    cmp = 0;
  } else if (min.kind == Kind::kMinusInf || max.kind == Kind::kPlusInf) {
    cmp = -1;
  } else if (min.kind == Kind::kPlusInf || max.kind == Kind::kMinusInf) {
    cmp = 1;
  } else {
    int c = min.value.compare(max.value);
    cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
}

// ---------------------------------------------------------------------------
// Construction

ZSetValue::Node* ZSetValue::NewNode(int height) {
  void* mem = ::operator new(sizeof(Node) + sizeof(Node::Level) * static_cast<size_t>(height));
  Node* n = new (mem) Node();
  n->height_ = height;
  for (int i = 0; i < height; ++i) n->levels()[i] = Node::Level{nullptr, 0};
  return n;
}

void ZSetValue::FreeNode(Node* n) {
  n->~Node();
  ::operator delete(static_cast<void*>(n));
}

// The header starts with a few levels and grows on demand: 3 in 4 nodes
// have height 1, so most sorted sets never need more, and a full
// 32-level header (512 bytes) per small set would dominate their memory.
ZSetValue::ZSetValue() : header_(NewNode(kInitialHeaderHeight)), rng_state_(kLevelSeed) {}

void ZSetValue::GrowHeader(int height) {
  Node* bigger = NewNode(std::min(kMaxLevel, std::max(height, 2 * header_->height_)));
  for (int i = 0; i < header_->height_; ++i) bigger->levels()[i] = header_->levels()[i];
  // No node points back at the header (the first node's backward_ is null).
  FreeNode(header_);
  header_ = bigger;
}

ZSetValue::~ZSetValue() {
  Clear();
  FreeNode(header_);
}

// Moves swap with a freshly built empty set, so the source stays a valid,
// empty sorted set (the skiplist header is heap-allocated).
ZSetValue::ZSetValue(ZSetValue&& o) noexcept : ZSetValue() { *this = std::move(o); }

ZSetValue& ZSetValue::operator=(ZSetValue&& o) noexcept {
  if (this != &o) {
    std::swap(dict_, o.dict_);
    std::swap(header_, o.header_);
    std::swap(tail_, o.tail_);
    std::swap(length_, o.length_);
    std::swap(level_, o.level_);
    std::swap(rng_state_, o.rng_state_);
    std::swap(listpack_, o.listpack_);
  }
  return *this;
}

void ZSetValue::Clear() {
  Node* n = header_->levels()[0].forward;
  while (n != nullptr) {
    Node* next = n->levels()[0].forward;
    FreeNode(n);
    n = next;
  }
  for (int i = 0; i < header_->height_; ++i) header_->levels()[i] = Node::Level{nullptr, 0};
  tail_ = nullptr;
  length_ = 0;
  level_ = 1;
  dict_.Clear();
}

ZSetValue ZSetValue::Clone() const {
  ZSetValue z;
  z.listpack_ = listpack_;
  // Inserting from the greatest element down puts every new node at the
  // head, so no search is needed (the same trick as zsetDup).
  for (const Node* n = tail_; n != nullptr; n = n->backward_) z.Insert(n->member(), n->score_);
  return z;
}

// ---------------------------------------------------------------------------
// Core skiplist operations

// xorshift64*: tiny state, good enough spread for level selection. Each
// promotion happens with probability 1/4 (ZSKIPLIST_P), decided by two bits
// of one 64-bit draw: 32 pairs cover every level up to kMaxLevel.
int ZSetValue::RandomHeight() {
  rng_state_ ^= rng_state_ >> 12;
  rng_state_ ^= rng_state_ << 25;
  rng_state_ ^= rng_state_ >> 27;
  uint64_t r = rng_state_ * 0x2545F4914F6CDD1DULL;
  int h = 1;
  while (h < kMaxLevel && (r & 3) == 0) {
    ++h;
    r >>= 2;
  }
  return h;
}

bool ZSetValue::Before(const Node* n, double score, std::string_view member) {
  return n->score_ < score || (n->score_ == score && n->member().compare(member) < 0);
}

ZSetValue::Node* ZSetValue::FindPath(double score, std::string_view member, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && Before(x->levels()[i].forward, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  return x->levels()[0].forward;
}

void ZSetValue::Link(Node* x) {
  if (x->height_ > header_->height_) GrowHeader(x->height_);
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* p = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = (i == level_ - 1) ? 0 : rank[i + 1];
    while (p->levels()[i].forward != nullptr &&
           Before(p->levels()[i].forward, x->score_, x->member())) {
      rank[i] += p->levels()[i].span;
      p = p->levels()[i].forward;
    }
    update[i] = p;
  }
  const int h = x->height_;
  if (h > level_) {
    // New top levels start at the header, whose link spans the whole list.
    for (int i = level_; i < h; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = length_;
    }
    level_ = h;
  }
  for (int i = 0; i < h; ++i) {
    Node::Level& prev = update[i]->levels()[i];
    const size_t before = rank[0] - rank[i];  // steps from update[i] to x's left neighbour
    x->levels()[i].forward = prev.forward;
    x->levels()[i].span = prev.span - before;
    prev.forward = x;
    prev.span = before + 1;
  }
  // Links above x's height now jump over one more element.
  for (int i = h; i < level_; ++i) ++update[i]->levels()[i].span;
  x->backward_ = (update[0] == header_) ? nullptr : update[0];
  if (x->levels()[0].forward != nullptr) {
    x->levels()[0].forward->backward_ = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

void ZSetValue::Unlink(Node* x, Node* const* update) {
  for (int i = 0; i < level_; ++i) {
    Node::Level& prev = update[i]->levels()[i];
    if (prev.forward == x) {
      prev.span += x->levels()[i].span - 1;
      prev.forward = x->levels()[i].forward;
    } else {
      prev.span -= 1;
    }
  }
  if (x->levels()[0].forward != nullptr) {
    x->levels()[0].forward->backward_ = x->backward_;
  } else {
    tail_ = x->backward_;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void ZSetValue::EraseNode(Node* x, Node* const* update) {
  Unlink(x, update);
  // Copy the key before freeing anything: the dict owns the string x views.
  const std::string* key = x->member_;
  FreeNode(x);
  // Dict::Erase compares against `*key` before deleting that very node.
  dict_.Erase(*key);
}

// ---------------------------------------------------------------------------
// Member operations

const ZSetValue::Node* ZSetValue::Find(std::string_view member) const {
  Node* const* n = dict_.Find(member);
  return n ? *n : nullptr;
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  const Node* n = Find(member);
  if (n == nullptr) return std::nullopt;
  return n->score_;
}

const ZSetValue::Node* ZSetValue::Insert(std::string_view member, double score) {
  PLAB_DCHECK(!std::isnan(score), "ZSetValue::Insert: NaN score");
  auto [dnode, inserted] = dict_.TryEmplace(member);
  PLAB_DCHECK(inserted, "ZSetValue::Insert: member already present");
  Node* x = NewNode(RandomHeight());
  x->member_ = &dnode->key;
  x->score_ = score;
  dnode->value = x;
  Link(x);
  return x;
}

void ZSetValue::UpdateScore(std::string_view member, double score) {
  PLAB_DCHECK(!std::isnan(score), "ZSetValue::UpdateScore: NaN score");
  Node* const* found = dict_.Find(member);
  PLAB_CHECK(found != nullptr, "ZSetValue::UpdateScore: member not present");
  Node* x = *found;
  // Fast path (as zslUpdateScore): if the node keeps its position, just
  // rewrite the score.
  const Node* prev = x->backward_;
  const Node* next = x->levels()[0].forward;
  if ((prev == nullptr || prev->score_ < score) && (next == nullptr || next->score_ > score)) {
    x->score_ = score;
    return;
  }
  Node* update[kMaxLevel];
  FindPath(x->score_, x->member(), update);
  Unlink(x, update);
  // Relink the same node so the dict's pointer stays valid.
  x->score_ = score;
  for (int i = 0; i < x->height_; ++i) x->levels()[i] = Node::Level{nullptr, 0};
  x->backward_ = nullptr;
  Link(x);
}

ZAddResult ZSetValue::Add(std::string_view member, double score, const ZAddOptions& opts,
                          const ZSetLimits& limits) {
  ZAddResult res;
  if (std::isnan(score)) {
    res.nan = true;
    return res;
  }
  Node* const* found = dict_.Find(member);
  if (found != nullptr) {
    if (opts.nx) {
      res.nop = true;
      return res;
    }
    const double cur = (*found)->score_;
    if (opts.incr) {
      score += cur;
      if (std::isnan(score)) {  // inf + -inf
        res.nan = true;
        return res;
      }
    }
    if ((opts.lt && score >= cur) || (opts.gt && score <= cur)) {
      res.nop = true;
      return res;
    }
    res.score = score;
    if (score != cur) {
      UpdateScore(member, (listpack_ && score == 0) ? 0.0 : score);
      res.updated = true;
    }
    return res;
  }
  if (opts.xx) {
    res.nop = true;
    return res;
  }
  if (listpack_ &&
      (length_ + 1 > limits.max_listpack_entries || member.size() > limits.max_listpack_value)) {
    listpack_ = false;
  }
  Insert(member, (listpack_ && score == 0) ? 0.0 : score);
  res.added = true;
  res.score = score;
  return res;
}

bool ZSetValue::Erase(std::string_view member) {
  Node* const* found = dict_.Find(member);
  if (found == nullptr) return false;
  Node* x = *found;
  Node* update[kMaxLevel];
  FindPath(x->score_, x->member(), update);
  EraseNode(x, update);
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  const Node* target = Find(member);
  if (target == nullptr) return std::nullopt;
  // Walk down summing spans while not past the target (zslGetRank).
  size_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr &&
           (x->levels()[i].forward == target ||
            Before(x->levels()[i].forward, target->score_, target->member()))) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == target) return rank - 1;
  }
  return std::nullopt;  // unreachable for a consistent structure
}

const ZSetValue::Node* ZSetValue::ByRank(size_t rank) const {
  if (rank >= length_) return nullptr;
  const size_t want = rank + 1;  // spans count the header as position 0
  size_t traversed = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= want) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == want) return x;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Range queries

const ZSetValue::Node* ZSetValue::FirstInRange(const ZScoreRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.AboveMin(tail_->score_) || !r.BelowMax(First()->score_)) {
    return nullptr;
  }
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !r.AboveMin(x->levels()[i].forward->score_)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return (x != nullptr && r.BelowMax(x->score_)) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::LastInRange(const ZScoreRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.AboveMin(tail_->score_) || !r.BelowMax(First()->score_)) {
    return nullptr;
  }
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && r.BelowMax(x->levels()[i].forward->score_)) {
      x = x->levels()[i].forward;
    }
  }
  return (x != header_ && r.AboveMin(x->score_)) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::FirstInLexRange(const ZLexRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.AboveMin(tail_->member()) ||
      !r.BelowMax(First()->member())) {
    return nullptr;
  }
  if (listpack_) {
    // zzlFirstInLexRange: the first element at or above min decides.
    for (const Node* x = First(); x != nullptr; x = x->next()) {
      if (r.AboveMin(x->member())) return r.BelowMax(x->member()) ? x : nullptr;
    }
    return nullptr;
  }
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !r.AboveMin(x->levels()[i].forward->member())) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return (x != nullptr && r.BelowMax(x->member())) ? x : nullptr;
}

const ZSetValue::Node* ZSetValue::LastInLexRange(const ZLexRange& r) const {
  if (r.Empty() || tail_ == nullptr || !r.AboveMin(tail_->member()) ||
      !r.BelowMax(First()->member())) {
    return nullptr;
  }
  if (listpack_) {
    // zzlLastInLexRange: the last element at or below max decides.
    for (const Node* x = Last(); x != nullptr; x = x->prev()) {
      if (r.BelowMax(x->member())) return r.AboveMin(x->member()) ? x : nullptr;
    }
    return nullptr;
  }
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && r.BelowMax(x->levels()[i].forward->member())) {
      x = x->levels()[i].forward;
    }
  }
  return (x != header_ && r.AboveMin(x->member())) ? x : nullptr;
}

// ---------------------------------------------------------------------------
// Range removal. Each finds update[] for the first victim once, then deletes
// forward from there: update[] stays correct because every removed node is
// the successor of the same predecessors.

size_t ZSetValue::EraseRankRange(size_t start, size_t end) {
  if (start >= length_ || start > end) return 0;
  Node* update[kMaxLevel];
  size_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= start) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  size_t removed = 0;
  for (size_t rank = start; x != nullptr && rank <= end; ++rank) {
    Node* next = x->levels()[0].forward;
    EraseNode(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

size_t ZSetValue::EraseScoreRange(const ZScoreRange& r) {
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !r.AboveMin(x->levels()[i].forward->score_)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  size_t removed = 0;
  while (x != nullptr && r.BelowMax(x->score_)) {
    Node* next = x->levels()[0].forward;
    EraseNode(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

size_t ZSetValue::EraseLexRange(const ZLexRange& r) {
  if (listpack_) {
    // zzlDeleteRangeByLex: from the (linearly found) first match onwards.
    size_t removed = 0;
    for (const Node* x = FirstInLexRange(r); x != nullptr && r.BelowMax(x->member());) {
      const Node* next = x->next();
      Erase(x->member());
      ++removed;
      x = next;
    }
    return removed;
  }
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && !r.AboveMin(x->levels()[i].forward->member())) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  size_t removed = 0;
  while (x != nullptr && r.BelowMax(x->member())) {
    Node* next = x->levels()[0].forward;
    EraseNode(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

// ---------------------------------------------------------------------------
// Invariants

bool ZSetValue::CheckInvariants() const {
  if (dict_.size() != length_ || level_ < 1 || level_ > kMaxLevel) return false;
  // Level 0: order, backward links, tail, dict agreement.
  size_t count = 0;
  const Node* prev = nullptr;
  for (const Node* n = First(); n != nullptr; n = n->next()) {
    if (n->backward_ != prev || std::isnan(n->score_)) return false;
    if (prev != nullptr && !Before(prev, n->score_, n->member())) return false;
    Node* const* d = dict_.Find(n->member());
    if (d == nullptr || *d != n || &dict_.FindNode(n->member())->key != n->member_) return false;
    prev = n;
    ++count;
  }
  if (count != length_ || tail_ != prev) return false;
  // Every level: each link's span equals the real distance, and nothing is
  // linked above level_. (Spans of null links carry no meaning, as in Redis.)
  if (level_ > header_->height_) return false;
  for (int i = 0; i < header_->height_; ++i) {
    const Node* x = header_;
    while (x->levels()[i].forward != nullptr) {
      if (i >= level_) return false;
      const Node* target = x->levels()[i].forward;
      if (target->height_ <= i) return false;
      size_t steps = 0;
      for (const Node* y = x; y != target; y = y->levels()[0].forward) ++steps;
      if (steps != x->levels()[i].span) return false;
      x = target;
    }
  }
  return true;
}

}  // namespace plab
