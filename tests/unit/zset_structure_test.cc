// ZSetValue (dict + skiplist) checked against a plain reference model: a
// std::set of (score, member) ordered the way Redis orders sorted sets, plus
// a std::map for member -> score. Randomized operations print their seed;
// rerun with PLAB_TEST_SEED=<seed> to reproduce a failure.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/store/zset.h"

using plab::ZLexBound;
using plab::ZLexRange;
using plab::ZScoreRange;
using plab::ZSetValue;

namespace {

// (score, member) with Redis's order: score first, then bytewise member.
struct RefLess {
  bool operator()(const std::pair<double, std::string>& a,
                  const std::pair<double, std::string>& b) const {
    if (a.first < b.first) return true;
    if (a.first > b.first) return false;
    return a.second < b.second;
  }
};

struct Reference {
  std::set<std::pair<double, std::string>, RefLess> order;
  std::map<std::string, double> scores;

  std::vector<std::pair<double, std::string>> Items() const { return {order.begin(), order.end()}; }
};

uint64_t TestSeed() {
  if (const char* env = std::getenv("PLAB_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

std::vector<std::pair<double, std::string>> Forward(const ZSetValue& z) {
  std::vector<std::pair<double, std::string>> out;
  for (auto* n = z.First(); n != nullptr; n = n->next()) out.emplace_back(n->score(), n->member());
  return out;
}

std::vector<std::pair<double, std::string>> Backward(const ZSetValue& z) {
  std::vector<std::pair<double, std::string>> out;
  for (auto* n = z.Last(); n != nullptr; n = n->prev()) out.emplace_back(n->score(), n->member());
  return out;
}

ZLexBound Bound(ZLexBound::Kind kind, std::string v = "", bool exclusive = false) {
  ZLexBound b;
  b.kind = kind;
  b.value = std::move(v);
  b.exclusive = kind == ZLexBound::Kind::kValue ? exclusive : true;
  return b;
}

// Full comparison of the structure with the model, including rank lookups
// for every element and range queries with random bounds.
void CheckAgainst(const ZSetValue& z, const Reference& ref, std::mt19937_64& rng) {
  REQUIRE(z.CheckInvariants());
  REQUIRE(z.size() == ref.order.size());
  auto items = ref.Items();
  REQUIRE(Forward(z) == items);
  auto rev = items;
  std::reverse(rev.begin(), rev.end());
  REQUIRE(Backward(z) == rev);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto* n = z.ByRank(i);
    REQUIRE(n != nullptr);
    CHECK(n->member() == items[i].second);
    REQUIRE(z.Rank(items[i].second).has_value());
    CHECK(*z.Rank(items[i].second) == i);
    CHECK(*z.Score(items[i].second) == items[i].first);
  }
  CHECK(z.ByRank(items.size()) == nullptr);
  // Score ranges.
  std::uniform_int_distribution<int> pick(-12, 12);
  ZScoreRange r{static_cast<double>(pick(rng)), static_cast<double>(pick(rng)), (rng() & 1) != 0,
                (rng() & 1) != 0};
  const std::pair<double, std::string>* first = nullptr;
  const std::pair<double, std::string>* last = nullptr;
  for (const auto& it : items) {
    if (r.AboveMin(it.first) && r.BelowMax(it.first)) {
      if (first == nullptr) first = &it;
      last = &it;
    }
  }
  const auto* f = z.FirstInRange(r);
  const auto* l = z.LastInRange(r);
  REQUIRE((f == nullptr) == (first == nullptr));
  REQUIRE((l == nullptr) == (last == nullptr));
  if (f != nullptr) {
    CHECK(f->member() == first->second);
    CHECK(l->member() == last->second);
  }
}

}  // namespace

TEST_SUITE("zset structure") {
  TEST_CASE("an empty sorted set has no elements, ranks or ranges") {
    ZSetValue z;
    CHECK(z.size() == 0);
    CHECK(z.First() == nullptr);
    CHECK(z.Last() == nullptr);
    CHECK(z.ByRank(0) == nullptr);
    CHECK_FALSE(z.Rank("a").has_value());
    CHECK_FALSE(z.Erase("a"));
    CHECK(z.FirstInRange(ZScoreRange{-INFINITY, INFINITY, false, false}) == nullptr);
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("elements are ordered by score, then bytewise by member") {
    ZSetValue z;
    z.Insert("b", 1);
    z.Insert("a", 1);
    z.Insert("\xff", 0.5);
    z.Insert("ab", 1);
    z.Insert("\x01", 2);
    z.Insert("", 1);
    std::vector<std::string> got;
    for (auto* n = z.First(); n != nullptr; n = n->next()) got.push_back(n->member());
    // Bytes compare unsigned: "\xff" sorts after ASCII, but its lower score
    // puts it first; among score 1 the empty string comes first.
    CHECK(got == std::vector<std::string>{"\xff", "", "a", "ab", "b", "\x01"});
    CHECK(*z.Rank("ab") == 3);
    CHECK(z.ByRank(5)->member() == "\x01");
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("UpdateScore moves the element and keeps the same node") {
    ZSetValue z;
    for (int i = 0; i < 50; ++i) z.Insert("m" + std::to_string(i), i);
    const auto* node = z.Find("m10");
    z.UpdateScore("m10", 100);
    CHECK(z.Find("m10") == node);
    CHECK(z.Last()->member() == "m10");
    CHECK(*z.Rank("m10") == 49);
    z.UpdateScore("m10", 10.5);  // stays between m10's old neighbours
    CHECK(*z.Rank("m10") == 10);
    z.UpdateScore("m10", -1);
    CHECK(z.First()->member() == "m10");
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("lex ranges honour open, closed and infinite bounds") {
    ZSetValue z;
    for (const char* m : {"a", "b", "c", "d", "e"}) z.Insert(m, 0);
    using K = ZLexBound::Kind;
    ZLexRange all{Bound(K::kMinusInf), Bound(K::kPlusInf)};
    CHECK(z.FirstInLexRange(all)->member() == "a");
    CHECK(z.LastInLexRange(all)->member() == "e");
    ZLexRange open{Bound(K::kValue, "b", true), Bound(K::kValue, "d", true)};
    CHECK(z.FirstInLexRange(open)->member() == "c");
    CHECK(z.LastInLexRange(open)->member() == "c");
    ZLexRange closed{Bound(K::kValue, "b"), Bound(K::kValue, "d")};
    CHECK(z.FirstInLexRange(closed)->member() == "b");
    CHECK(z.LastInLexRange(closed)->member() == "d");
    ZLexRange none{Bound(K::kValue, "bb"), Bound(K::kValue, "bc")};
    CHECK(z.FirstInLexRange(none) == nullptr);
    ZLexRange reversed{Bound(K::kPlusInf), Bound(K::kMinusInf)};
    CHECK(reversed.Empty());
    CHECK(z.FirstInLexRange(reversed) == nullptr);
    CHECK(z.EraseLexRange(closed) == 3);
    CHECK(z.size() == 2);
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("range removal by rank and by score keeps spans consistent") {
    ZSetValue z;
    for (int i = 0; i < 200; ++i) z.Insert("k" + std::to_string(i), i % 20);
    CHECK(z.EraseRankRange(10, 19) == 10);
    CHECK(z.size() == 190);
    CHECK(z.CheckInvariants());
    CHECK(z.EraseRankRange(185, 1000) == 5);
    CHECK(z.EraseRankRange(500, 600) == 0);
    CHECK(z.EraseScoreRange(ZScoreRange{3, 5, true, false}) == 20);
    CHECK(z.CheckInvariants());
    CHECK_FALSE(z.FirstInRange(ZScoreRange{3, 5, true, false}));
    CHECK(z.EraseScoreRange(ZScoreRange{-INFINITY, INFINITY, false, false}) == 165);
    CHECK(z.size() == 0);
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("Clone and move give independent, valid sorted sets") {
    ZSetValue z;
    for (int i = 0; i < 100; ++i) z.Insert(std::to_string(i), i * 0.5);
    z.set_listpack(false);
    ZSetValue c = z.Clone();
    CHECK_FALSE(c.listpack());
    CHECK(Forward(c) == Forward(z));
    CHECK(c.CheckInvariants());
    c.Erase("3");
    CHECK(z.Contains("3"));
    ZSetValue moved(std::move(z));
    CHECK(moved.size() == 100);
    CHECK(z.size() == 0);  // NOLINT(bugprone-use-after-move): documented state
    z.Insert("x", 1);
    CHECK(z.CheckInvariants());
    CHECK(moved.CheckInvariants());
  }

  TEST_CASE("equal scores of -0 and 0 compare equal and fall back to the member") {
    ZSetValue z;
    z.Insert("b", -0.0);
    z.Insert("a", 0.0);
    CHECK(z.First()->member() == "a");
    CHECK(std::signbit(*z.Score("b")));
    CHECK(z.CheckInvariants());
  }

  TEST_CASE("randomized operations match a std::set reference model") {
    const uint64_t seed = TestSeed();
    MESSAGE("zset structure seed: " << seed << " (set PLAB_TEST_SEED to reproduce)");
    std::mt19937_64 rng(seed);
    ZSetValue z;
    Reference ref;
    std::uniform_int_distribution<int> member_pick(0, 299);
    std::uniform_int_distribution<int> score_pick(-10, 10);
    for (int step = 0; step < 6000; ++step) {
      std::string m = "m" + std::to_string(member_pick(rng));
      double score = score_pick(rng) + ((rng() & 3) == 0 ? 0.5 : 0.0);
      int op = static_cast<int>(rng() % 10);
      auto it = ref.scores.find(m);
      if (op < 4) {  // insert or update
        if (it == ref.scores.end()) {
          z.Insert(m, score);
        } else {
          ref.order.erase({it->second, m});
          z.UpdateScore(m, score);
        }
        ref.scores[m] = score;
        ref.order.insert({score, m});
      } else if (op < 7) {  // erase one
        bool existed = it != ref.scores.end();
        CHECK(z.Erase(m) == existed);
        if (existed) {
          ref.order.erase({it->second, m});
          ref.scores.erase(it);
        }
      } else if (op == 7 && !ref.order.empty()) {  // erase by rank range
        size_t a = rng() % (ref.order.size() + 2);
        size_t b = a + rng() % 6;
        size_t expect = 0;
        auto items = ref.Items();
        for (size_t i = a; i <= b && i < items.size(); ++i) {
          ref.order.erase(items[i]);
          ref.scores.erase(items[i].second);
          ++expect;
        }
        CHECK(z.EraseRankRange(a, b) == expect);
      } else if (op == 8) {  // erase a small score range
        double lo = score_pick(rng);
        ZScoreRange r{lo, lo + static_cast<double>(rng() % 2), (rng() & 1) != 0, (rng() & 1) != 0};
        size_t expect = 0;
        for (auto e = ref.order.begin(); e != ref.order.end();) {
          if (r.AboveMin(e->first) && r.BelowMax(e->first)) {
            ref.scores.erase(e->second);
            e = ref.order.erase(e);
            ++expect;
          } else {
            ++e;
          }
        }
        CHECK(z.EraseScoreRange(r) == expect);
      } else {  // pop the first or last element via a view into the set
        const auto* n = (rng() & 1) ? z.First() : z.Last();
        if (n != nullptr) {
          auto key = std::make_pair(n->score(), n->member());
          ref.order.erase(key);
          ref.scores.erase(key.second);
          CHECK(z.Erase(n->member()));
        }
      }
      if (step % 500 == 0) CheckAgainst(z, ref, rng);
    }
    CheckAgainst(z, ref, rng);
  }

  TEST_CASE("randomized lex ranges over equal scores match a std::set model") {
    const uint64_t seed = TestSeed();
    MESSAGE("zset lex seed: " << seed << " (set PLAB_TEST_SEED to reproduce)");
    std::mt19937_64 rng(seed);
    ZSetValue z;
    std::set<std::string> ref;
    auto random_word = [&] {
      std::string w;
      for (size_t n = rng() % 3; n > 0; --n) w.push_back(static_cast<char>('a' + rng() % 4));
      return w;
    };
    auto random_bound = [&] {
      switch (rng() % 6) {
        case 0:
          return Bound(ZLexBound::Kind::kMinusInf);
        case 1:
          return Bound(ZLexBound::Kind::kPlusInf);
        default:
          return Bound(ZLexBound::Kind::kValue, random_word(), (rng() & 1) != 0);
      }
    };
    for (int step = 0; step < 3000; ++step) {
      std::string w = random_word();
      if (ref.insert(w).second) z.Insert(w, 0);
      ZLexRange r{random_bound(), random_bound()};
      std::vector<std::string> in;
      for (const auto& m : ref) {
        if (r.AboveMin(m) && r.BelowMax(m)) in.push_back(m);
      }
      const auto* f = z.FirstInLexRange(r);
      const auto* l = z.LastInLexRange(r);
      REQUIRE((f == nullptr) == in.empty());
      REQUIRE((l == nullptr) == in.empty());
      if (f != nullptr) {
        CHECK(f->member() == in.front());
        CHECK(l->member() == in.back());
      }
      if (step % 7 == 0) {
        CHECK(z.EraseLexRange(r) == in.size());
        for (const auto& m : in) ref.erase(m);
        REQUIRE(z.CheckInvariants());
        REQUIRE(z.size() == ref.size());
      }
    }
  }
}
