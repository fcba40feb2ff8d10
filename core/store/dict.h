// Dict<V>: the hash table behind the keyspace and behind hashes, sets and
// sorted sets. std::unordered_map can't do three things Redis clients rely on:
//   - SCAN's guarantee (every element present for the whole iteration is
//     returned at least once, even if the table grows or shrinks between
//     calls). Redis gets it from power-of-two bucket arrays walked with a
//     reverse-binary cursor (dict.c dictScan); so do we.
//   - cheap fair-ish random sampling (RANDOMKEY, SPOP, the active expiry
//     cycle): pick a random non-empty bucket, then a random chain element.
//   - resizing without a pause: a table of millions of keys that doubles at
//     once stops the server for tens of milliseconds.
//
// Incremental rehash (Redis 7.0's two-table scheme): a resize allocates the
// new bucket array as table 1 and leaves every element in table 0; from then
// on each Find/Insert/Erase/RandomNode moves one bucket of table 0 (visiting
// at most 10 empty ones), and Keyspace's cron moves buckets for up to 1 ms
// (RehashForMicros, databasesCron's incrementallyRehash). New elements go to
// table 1. When table 0 is drained, table 1 becomes table 0. Lookups search
// both tables; SCAN and sampling cover both. No resize starts while one runs.
//
// Resize rules (dict.c / server.c of Redis 7.0):
//   - grow when an insert finds size >= buckets (load factor 1), to the next
//     power of two above size. Redis also grows at load factor 5 while a
//     fork()ed child saves ("resize avoided" to spare copy-on-write pages);
//     PersistLab never forks (its snapshot copies per key), so resizing is
//     never disallowed and that rule has no case here.
//   - shrink when under 10% full (htNeedsResize), to the smallest power of
//     two >= max(size, 4) (dictResize): checked after every Erase (Redis does
//     that for hashes, sets and sorted sets; for the keyspace it waits for
//     tryResizeHashTables in cron, which Keyspace also runs).
//
// Iteration: ForEach/ForEachNode/Scan pause rehashing while they run (Redis's
// safe iterators and dictScan call dictPauseRehashing), so a callback may
// look keys of this same table up (the snapshot's copy-on-write does, from
// inside FLUSHDB's ForEach) without moving elements under the iteration.
// Callbacks must still not insert or erase.
//
// Lookups are const but may move a bucket: the rehash state is `mutable`
// because it changes where elements are, never which elements there are.
// Nodes never move in memory: Node and value pointers stay valid until their
// own element is erased. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "core/io/clock.h"

namespace plab {

// Value type for set-like Dicts (members only).
struct NoValue {};

template <typename V>
class Dict {
 public:
  struct Node {
    Node* next;
    std::string key;
    V value;
  };

  // Buckets per cron batch, and the cap on batches per RehashForMicros call:
  // Redis checks its clock every 100 buckets. The cap keeps a call bounded
  // when the clock does not move while the engine works (ManualClock, a Lab
  // without a stopwatch): 100 batches are ~1 ms of work on a desktop.
  static constexpr int kCronBatch = 100;
  static constexpr int kCronMaxBatches = 100;

  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& o) noexcept { *this = std::move(o); }
  Dict& operator=(Dict&& o) noexcept {
    if (this != &o) {
      Clear();
      for (int t = 0; t < 2; ++t) {
        slots_[t] = std::exchange(o.slots_[t], nullptr);
        exp_[t] = std::exchange(o.exp_[t], int8_t{-1});
      }
      size_ = std::exchange(o.size_, 0);
      rehash_idx_ = std::exchange(o.rehash_idx_, 0);
    }
    return *this;
  }
  ~Dict() { Clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Buckets of both tables (Redis's dictSlots).
  size_t bucket_count() const { return Slots(0) + Slots(1); }
  // Whether an incremental rehash is under way (dictIsRehashing).
  bool rehashing() const { return slots_[1] != nullptr; }
  // Whether the rehash under way is a shrink (table 1 smaller).
  bool shrinking() const { return rehashing() && exp_[1] < exp_[0]; }
  // Whether rehash steps are paused by a running iteration.
  bool rehash_paused() const { return pause_ > 0; }

  // Which table holds `key`: 0 or 1 (1 only during a rehash), -1 when
  // absent. Moves nothing; for tests of the rehash itself.
  int TableOf(std::string_view key) const {
    int table = -1;
    FindIn(key, Hash(key), &table);
    return table;
  }

  // Sizes the table for `n` elements (dictExpand: RESIZEDB on load, known
  // collection sizes). Only grows; ignored while a rehash runs. On a
  // non-empty table the growth is incremental like any other.
  void Reserve(size_t n) {
    if (!rehashing() && (size_t{1} << NextExp(n)) > Slots(0)) Expand(n);
  }

  Node* FindNode(std::string_view key) const {
    if (size_ == 0) return nullptr;
    RehashStep();
    return FindIn(key, Hash(key));
  }
  V* Find(std::string_view key) {
    Node* n = FindNode(key);
    return n ? &n->value : nullptr;
  }
  const V* Find(std::string_view key) const {
    Node* n = FindNode(key);
    return n ? &n->value : nullptr;
  }
  bool Contains(std::string_view key) const { return FindNode(key) != nullptr; }

  // Inserts `key` with a default-constructed value if absent. Returns the node
  // and whether it was inserted. `key` is moved from only when inserted.
  template <typename K>
  std::pair<Node*, bool> TryEmplace(K&& key) {
    // dictAddRaw: a rehash step, the growth check, then the search.
    RehashStep();
    ExpandIfNeeded();
    const uint64_t h = Hash(std::string_view(key));
    if (Node* n = FindIn(std::string_view(key), h)) return {n, false};
    const int t = rehashing() ? 1 : 0;  // during a rehash, new keys go to table 1
    Node*& head = slots_[t][h & Mask(t)];
    head = new Node{head, std::string(std::forward<K>(key)), V{}};
    ++size_;
    return {head, true};
  }

  // Inserts or overwrites. Returns true when the key was new.
  template <typename K>
  bool Put(K&& key, V value) {
    auto [n, inserted] = TryEmplace(std::forward<K>(key));
    n->value = std::move(value);
    return inserted;
  }

  // Removes `key`; when `out` is given the removed value is moved into it.
  // `key` may view the erased node's own key.
  bool Erase(std::string_view key, V* out = nullptr) {
    if (size_ == 0) return false;
    RehashStep();
    const uint64_t h = Hash(key);
    for (int t = 0; t < 2 && slots_[t] != nullptr; ++t) {
      Node** link = &slots_[t][h & Mask(t)];
      for (Node* n = *link; n != nullptr; link = &n->next, n = n->next) {
        if (n->key != key) continue;
        *link = n->next;
        if (out != nullptr) *out = std::move(n->value);
        delete n;
        --size_;
        if (NeedsShrink()) Shrink();
        return true;
      }
    }
    return false;
  }

  void Clear() {
    for (int t = 0; t < 2; ++t) {
      for (size_t i = 0; i < Slots(t); ++i) {
        for (Node* n = slots_[t][i]; n != nullptr;) delete std::exchange(n, n->next);
      }
      std::free(slots_[t]);
      slots_[t] = nullptr;
      exp_[t] = -1;
    }
    size_ = 0;
    rehash_idx_ = 0;
  }

  template <typename F>
  void ForEach(F&& f) const {
    const PauseGuard pause(this);
    for (int t = 0; t < 2; ++t) {
      for (size_t i = 0; i < Slots(t); ++i) {
        for (Node* n = slots_[t][i]; n != nullptr; n = n->next) f(n->key, n->value);
      }
    }
  }
  template <typename F>
  void ForEachNode(F&& f) {
    const PauseGuard pause(this);
    for (int t = 0; t < 2; ++t) {
      for (size_t i = 0; i < Slots(t); ++i) {
        for (Node* n = slots_[t][i]; n != nullptr; n = n->next) f(n);
      }
    }
  }

  // Visits every element of the bucket(s) named by `cursor` and returns the
  // next cursor (0 when the iteration is complete). Start with cursor 0.
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    return ScanNodes(cursor, [&](const Node* n) { f(n->key, n->value); });
  }
  // Scan with the nodes themselves: `f(Node*)` may change a node's value in
  // place (the snapshot restamps versions) but must not insert or erase.
  // During a rehash (dictScan): the cursor's bucket in the smaller table,
  // then every bucket of the larger table that the smaller one's bucket
  // splits into (the cursor's low bits plus each value of the extra bits),
  // so elements on either side of the rehash point are all covered.
  template <typename F>
  uint64_t ScanNodes(uint64_t cursor, F&& f) const {
    if (size_ == 0) return 0;
    const PauseGuard pause(this);
    if (!rehashing()) {
      VisitChain(slots_[0][cursor & Mask(0)], f);
      return NextCursor(cursor, Mask(0));
    }
    const int small = exp_[0] <= exp_[1] ? 0 : 1;
    const uint64_t small_mask = Mask(small);
    const uint64_t large_mask = Mask(1 - small);
    VisitChain(slots_[small][cursor & small_mask], f);
    do {
      VisitChain(slots_[1 - small][cursor & large_mask], f);
      cursor = NextCursor(cursor, large_mask);
    } while ((cursor & (small_mask ^ large_mask)) != 0);
    return cursor;
  }

  // A random element, or nullptr when empty (dictGetRandomKey: during a
  // rehash the bucket is drawn from table 0's unmoved part and table 1).
  Node* RandomNode(std::mt19937_64& rng) const {
    if (size_ == 0) return nullptr;
    RehashStep();
    Node* head = nullptr;
    if (rehashing()) {
      const size_t s0 = Slots(0);
      const size_t range = s0 + Slots(1) - rehash_idx_;
      while (head == nullptr) {
        const size_t b = rehash_idx_ + static_cast<size_t>(rng() % range);
        head = b < s0 ? slots_[0][b] : slots_[1][b - s0];
      }
    } else {
      while (head == nullptr) head = slots_[0][rng() & Mask(0)];
    }
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    size_t pick = static_cast<size_t>(rng() % len);
    while (pick-- > 0) head = head->next;
    return head;
  }

  // Moves up to `buckets` non-empty buckets of table 0 (visiting at most ten
  // times that many empty ones) to table 1: dictRehash. Returns whether the
  // rehash still has work left. Not paused by iterations: callers check.
  bool RehashSteps(int buckets) const {
    if (!rehashing()) return false;
    int empty_visits = buckets * 10;
    const size_t s0 = Slots(0);
    while (buckets > 0 && rehash_idx_ < s0) {
      if (slots_[0][rehash_idx_] == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) break;
        continue;
      }
      MoveBucket(rehash_idx_++);
      --buckets;
    }
    if (rehash_idx_ < s0) return true;
    std::free(slots_[0]);
    slots_[0] = std::exchange(slots_[1], nullptr);
    exp_[0] = std::exchange(exp_[1], int8_t{-1});
    rehash_idx_ = 0;
    return false;
  }

  // Cron's time-bounded rehash (dictRehashMilliseconds): batches of
  // kCronBatch buckets until the rehash ends or `budget_us` of the clock's
  // monotonic time has passed (at most kCronMaxBatches batches). Nothing
  // while an iteration pauses rehashing. Returns the buckets attempted.
  //
  // The clock is the engine's Clock (core/ reads no clock itself): natively
  // and in the Lab MonotonicMicros() is real elapsed time, which is what a
  // latency budget is about; a step budget alone would take 1 ms on one
  // machine and 10 on another. The batch cap covers clocks that stand still.
  int64_t RehashForMicros(const Clock& clock, int64_t budget_us) const {
    if (pause_ > 0 || !rehashing()) return 0;
    const int64_t start = clock.MonotonicMicros();
    int64_t attempted = 0;
    for (int batch = 0; batch < kCronMaxBatches; ++batch) {
      attempted += kCronBatch;
      if (!RehashSteps(kCronBatch) || clock.MonotonicMicros() - start >= budget_us) break;
    }
    return attempted;
  }

  // htNeedsResize(): more than 4 buckets and under 10% of them used.
  bool NeedsShrink() const {
    const size_t slots = bucket_count();
    return slots > 4 && size_ * 100 / slots < 10;
  }
  // dictResize(): starts shrinking to the smallest power of two holding
  // max(size, 4). False while a rehash runs (or if that is the current size).
  bool Shrink() { return !rehashing() && Expand(size_ < 4 ? 4 : size_); }

  // Approximate memory owned by the table itself (bucket arrays + nodes),
  // excluding what values own. For INFO memory and MEMORY USAGE estimates.
  size_t OverheadBytes() const {
    // The bucket arrays hold pointers: sizeof(Node*) is meant.
    return bucket_count() * sizeof(Node*) +  // NOLINT(bugprone-sizeof-expression)
           size_ * sizeof(Node);
  }

 private:
  // Pauses rehash steps for its lifetime (dictPauseRehashing).
  class PauseGuard {
   public:
    explicit PauseGuard(const Dict* d) : d_(d) { ++d_->pause_; }
    ~PauseGuard() { --d_->pause_; }
    PauseGuard(const PauseGuard&) = delete;
    PauseGuard& operator=(const PauseGuard&) = delete;

   private:
    const Dict* d_;
  };

  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  size_t Slots(int t) const { return exp_[t] < 0 ? 0 : size_t{1} << exp_[t]; }
  uint64_t Mask(int t) const { return Slots(t) - 1; }

  // The smallest exponent with 2^exp >= n, at least 2 (4 buckets).
  static int8_t NextExp(size_t n) {
    int8_t exp = 2;
    while (exp < 63 && (size_t{1} << exp) < n) ++exp;
    return exp;
  }

  // Next reverse-binary cursor: set the bits above `mask`, reverse, add one,
  // reverse back (dictScan), so the cursor counts up in its high bits.
  static uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
    cursor |= ~mask;
    cursor = ReverseBits(cursor);
    ++cursor;
    return ReverseBits(cursor);
  }
  static uint64_t ReverseBits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
  }

  template <typename F>
  static void VisitChain(Node* n, F& f) {
    // The callback may restamp the node, never unlink it; `next` is read after.
    for (; n != nullptr; n = n->next) f(n);
  }

  // Searches table 0, then table 1 if a rehash runs; `table` gets where.
  Node* FindIn(std::string_view key, uint64_t h, int* table = nullptr) const {
    for (int t = 0; t < 2 && slots_[t] != nullptr; ++t) {
      for (Node* n = slots_[t][h & Mask(t)]; n != nullptr; n = n->next) {
        if (n->key != key) continue;
        if (table != nullptr) *table = t;
        return n;
      }
    }
    return nullptr;
  }

  // _dictRehashStep: one bucket, unless an iteration paused rehashing.
  void RehashStep() const {
    if (pause_ == 0 && rehashing()) RehashSteps(1);
  }

  // _dictExpandIfNeeded (never "resize avoided": see the header).
  void ExpandIfNeeded() {
    if (rehashing()) return;
    if (slots_[0] == nullptr) {
      Expand(4);
    } else if (size_ >= Slots(0)) {
      Expand(size_ + 1);
    }
  }

  // _dictExpand: a table for `n` elements. On an empty table it simply
  // replaces the bucket array; otherwise it becomes table 1 and the rehash
  // starts. calloc, not a vector: a large zeroed block comes straight from
  // the OS already zero, so a 64 MB table costs no 64 MB memset up front.
  bool Expand(size_t n) {
    if (rehashing() || size_ > n) return false;
    const int8_t exp = NextExp(n);
    if (exp == exp_[0]) return false;
    // An array of pointers: sizeof(Node*) is meant.
    auto* fresh = static_cast<Node**>(
        std::calloc(size_t{1} << exp, sizeof(Node*)));  // NOLINT(bugprone-sizeof-expression)
    if (fresh == nullptr) throw std::bad_alloc();       // as `new` would
    if (size_ == 0) {
      std::free(slots_[0]);
      slots_[0] = fresh;
      exp_[0] = exp;
    } else {
      slots_[1] = fresh;
      exp_[1] = exp;
      rehash_idx_ = 0;
    }
    return true;
  }

  // Moves table 0's bucket `i` to table 1. When shrinking, an element's new
  // bucket is its old index under the smaller mask; no need to rehash.
  void MoveBucket(size_t i) const {
    const bool shrinking = exp_[1] < exp_[0];
    const uint64_t mask = Mask(1);
    for (Node* n = std::exchange(slots_[0][i], nullptr); n != nullptr;) {
      Node* next = n->next;
      Node*& head = slots_[1][(shrinking ? i : Hash(n->key)) & mask];
      n->next = head;
      head = n;
      n = next;
    }
  }

  // Table t has 2^exp_[t] buckets (exp -1: no table). Table 1 exists only
  // during a rehash; rehash_idx_ is the next bucket of table 0 to move.
  // 40 bytes in all, like the 32 of one vector and a count plus a second
  // table, so big hashes/sets/zsets stay small.
  mutable Node** slots_[2] = {nullptr, nullptr};
  size_t size_ = 0;
  mutable size_t rehash_idx_ = 0;
  mutable int8_t exp_[2] = {-1, -1};
  mutable uint16_t pause_ = 0;
};

}  // namespace plab
