// Dict<V>: the hash table behind the keyspace and behind hashes, sets and
// sorted sets. std::unordered_map can't do two things Redis clients rely on:
//   - SCAN's guarantee (every element present for the whole iteration is
//     returned at least once, even if the table grows or shrinks between
//     calls). Redis gets it from a power-of-two bucket array walked with a
//     reverse-binary cursor (dict.c dictScan); so do we.
//   - cheap fair-ish random sampling (RANDOMKEY, SPOP, the active expiry
//     cycle): pick a random non-empty bucket, then a random chain element.
// Chained buckets, power-of-two sizes, load factor <= 1, grows by doubling,
// shrinks when less than 1/8 full (Redis resizes under 10% fill). Rehashing is
// done all at once, not incrementally as in Redis.
//
// Not thread-safe. Iterators and Node pointers are invalidated by Insert and
// Erase (which may resize); don't mutate inside ForEach or Scan callbacks.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& o) noexcept { *this = std::move(o); }
  Dict& operator=(Dict&& o) noexcept {
    if (this != &o) {
      Clear();
      buckets_ = std::move(o.buckets_);
      size_ = o.size_;
      o.size_ = 0;
      o.buckets_.clear();
    }
    return *this;
  }
  ~Dict() { Clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t bucket_count() const { return buckets_.size(); }

  // Grows the bucket array to hold `n` elements without further resizing
  // (a later shrink check may still shrink it if it stays nearly empty).
  void Reserve(size_t n) {
    size_t want = 4;
    while (want < n) want *= 2;
    if (want > buckets_.size()) Resize(want);
  }

  Node* FindNode(std::string_view key) const {
    if (size_ == 0) return nullptr;
    for (Node* n = buckets_[BucketOf(key)]; n != nullptr; n = n->next) {
      if (n->key == key) return n;
    }
    return nullptr;
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
    if (Node* n = FindNode(key)) return {n, false};
    if (size_ >= buckets_.size()) Resize(buckets_.empty() ? 4 : buckets_.size() * 2);
    Node* n = new Node{nullptr, std::string(std::forward<K>(key)), V{}};
    size_t b = BucketOf(n->key);
    n->next = buckets_[b];
    buckets_[b] = n;
    ++size_;
    return {n, true};
  }

  // Inserts or overwrites. Returns true when the key was new.
  template <typename K>
  bool Put(K&& key, V value) {
    auto [n, inserted] = TryEmplace(std::forward<K>(key));
    n->value = std::move(value);
    return inserted;
  }

  // Removes `key`; when `out` is given the removed value is moved into it.
  bool Erase(std::string_view key, V* out = nullptr) {
    if (size_ == 0) return false;
    Node** link = &buckets_[BucketOf(key)];
    for (Node* n = *link; n != nullptr; link = &n->next, n = n->next) {
      if (n->key == key) {
        *link = n->next;
        if (out != nullptr) *out = std::move(n->value);
        delete n;
        --size_;
        MaybeShrink();
        return true;
      }
    }
    return false;
  }

  void Clear() {
    for (Node*& head : buckets_) {
      while (head != nullptr) {
        Node* next = head->next;
        delete head;
        head = next;
      }
    }
    buckets_.clear();
    buckets_.shrink_to_fit();
    size_ = 0;
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (Node* head : buckets_) {
      for (Node* n = head; n != nullptr; n = n->next) f(n->key, n->value);
    }
  }
  template <typename F>
  void ForEachNode(F&& f) {
    for (Node* head : buckets_) {
      for (Node* n = head; n != nullptr; n = n->next) f(n);
    }
  }

  // Visits every element of the bucket named by `cursor` and returns the next
  // cursor (0 when the iteration is complete). Start with cursor 0.
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    return ScanNodes(cursor, [&](const Node* n) { f(n->key, n->value); });
  }
  // Scan with the nodes themselves: `f(Node*)` may change a node's value in
  // place (the snapshot restamps versions) but must not insert or erase.
  template <typename F>
  uint64_t ScanNodes(uint64_t cursor, F&& f) const {
    if (size_ == 0) return 0;
    const uint64_t mask = buckets_.size() - 1;
    for (Node* n = buckets_[cursor & mask]; n != nullptr; n = n->next) f(n);
    // Increment the reversed cursor: set the unmasked high bits, reverse,
    // add one, reverse back (dict.c dictScan).
    cursor |= ~mask;
    cursor = ReverseBits(cursor);
    ++cursor;
    return ReverseBits(cursor);
  }

  // A random element, or nullptr when empty.
  Node* RandomNode(std::mt19937_64& rng) const {
    if (size_ == 0) return nullptr;
    const uint64_t mask = buckets_.size() - 1;
    Node* head = nullptr;
    while (head == nullptr) head = buckets_[rng() & mask];
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = n->next) ++len;
    size_t pick = static_cast<size_t>(rng() % len);
    while (pick-- > 0) head = head->next;
    return head;
  }

  // Approximate memory owned by the table itself (bucket array + nodes),
  // excluding what values own. For INFO memory and MEMORY USAGE estimates.
  size_t OverheadBytes() const {
    // The bucket array holds pointers: sizeof(Node*) is meant.
    return buckets_.size() * sizeof(Node*) +  // NOLINT(bugprone-sizeof-expression)
           size_ * sizeof(Node);
  }

 private:
  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  size_t BucketOf(std::string_view key) const { return Hash(key) & (buckets_.size() - 1); }

  static uint64_t ReverseBits(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i) {
      r = (r << 1) | (v & 1);
      v >>= 1;
    }
    return r;
  }

  void MaybeShrink() {
    if (buckets_.size() > 4 && size_ * 8 < buckets_.size()) {
      size_t target = 4;
      while (target < size_) target *= 2;
      Resize(target);
    }
  }

  void Resize(size_t new_count) {
    std::vector<Node*> fresh(new_count, nullptr);
    const size_t mask = new_count - 1;
    for (Node* head : buckets_) {
      while (head != nullptr) {
        Node* next = head->next;
        size_t b = Hash(head->key) & mask;
        head->next = fresh[b];
        fresh[b] = head;
        head = next;
      }
    }
    buckets_.swap(fresh);
  }

  std::vector<Node*> buckets_;
  size_t size_ = 0;
};

}  // namespace plab
