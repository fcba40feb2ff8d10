// CommandGenerator: a seeded random stream of Redis commands for the
// differential test (differential_test.cc), one function per command family.
//
// Keys come from small pools (six per type) so commands keep colliding; with
// a small probability a command picks a key of another type (WRONGTYPE) or
// gets bad arguments (arity, syntax, not-a-number errors). Expiry times are
// either far in the future or already past, so the two servers never see a
// key expire at different moments.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace plab::it {

// How the replies of the two servers are compared.
enum class Compare {
  kExact,           // byte-identical
  kUnordered,       // an array compared as a multiset (SMEMBERS, KEYS, HKEYS...)
  kUnorderedPairs,  // a flat field/value array compared as a set of pairs (HGETALL)
  kTtl,             // integers: equal when negative, else within `tolerance`
  kRandom,          // random picks: same shape, each pick in that side's content
  kPop,             // random removal (SPOP): like kRandom, then the sides are resynced
  kScan,            // a whole SCAN-family iteration, compared as the union of pages
};

struct Cmd {
  std::vector<std::string> argv;
  Compare compare = Compare::kExact;
  int client = 0;  // 0: the main connection; 1: a second one (WATCH scenarios)
  // kRandom / kPop: the command that lists the collection ("SMEMBERS k"),
  // run before `argv` on both sides.
  std::vector<std::string> content_query;
  bool pairs = false;     // kRandom: reply and content alternate member, value
  bool distinct = false;  // kRandom: picks must be distinct (positive count)
  int64_t tolerance = 0;  // kTtl
  int cursor_index = 0;   // kScan: position of the cursor argument
};

class CommandGenerator {
 public:
  // `families`: names to draw from (empty: all). Names: strings keys lists
  // hashes sets zsets db tx errors.
  CommandGenerator(uint64_t seed, std::vector<std::string> families);

  // The next step: usually one command; a transaction or a WATCH scenario is
  // several commands that must run in this order.
  std::vector<Cmd> Next();

  static const std::vector<std::string>& AllFamilies();

 private:
  // Families (command_gen.cc).
  Cmd Strings();
  Cmd Keys();
  Cmd Db();
  Cmd Errors();
  std::vector<Cmd> Transaction();
  // Families (command_gen_types.cc).
  Cmd Lists();
  Cmd Hashes();
  Cmd Sets();
  Cmd ZSets();

  // One command from a data family, fit to be queued inside MULTI (its
  // reply can be compared element-wise in EXEC's array).
  Cmd QueueableCommand();
  Cmd FromFamily(const std::string& family);

  // Random helpers. Families build argument lists with braced initializers
  // (evaluated left to right), so a seed gives the same stream everywhere.
  int Int(int lo, int hi);  // inclusive
  bool Chance(double p);
  // `args` with probability p, else nothing.
  std::vector<std::string> Maybe(double p, std::vector<std::string> args) {
    return Chance(p) ? args : std::vector<std::string>{};
  }
  // Concatenates argument lists.
  static std::vector<std::string> Cat(std::initializer_list<std::vector<std::string>> parts);
  template <typename T>
  T Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Num(int lo, int hi) { return std::to_string(Int(lo, hi)); }

  // A key of the given type's pool ('s' strings, 'l' lists, 'h' hashes,
  // 't' sets, 'z' zsets), sometimes of another pool.
  std::string Key(char type);
  std::string AnyKey();
  std::string Value();          // a string value: numbers, words, odd bytes
  std::string Member();         // a set / hash / zset member
  std::string Score();          // a zset score, sometimes invalid
  std::string RangeBound();     // ZRANGEBYSCORE-style bound
  std::string LexBound();       // ZRANGEBYLEX-style bound
  std::string Count();          // a count argument, sometimes invalid
  std::string ExpireSeconds();  // relative expiry: far future, past, or invalid
  std::string Side() { return Pick<std::string>({"LEFT", "RIGHT"}); }
  std::string ListElem();  // mostly from a small set, so LINSERT/LREM/LPOS match

  // Commands with many options.
  std::vector<std::string> SetCommand(const std::string& key);
  std::vector<std::string> GetexCommand(const std::string& key);
  std::vector<std::string> ScanCommand();
  std::vector<std::string> ZAddCommand(const std::string& key);

  std::mt19937_64 rng_;
  std::vector<std::string> families_;
  int db_ = 0;  // what client 0 selected last, for WATCH scenarios
};

// A Cmd with compare kExact.
inline Cmd Exact(std::vector<std::string> argv) {
  Cmd c;
  c.argv = std::move(argv);
  return c;
}
inline Cmd WithCompare(std::vector<std::string> argv, Compare compare) {
  Cmd c;
  c.argv = std::move(argv);
  c.compare = compare;
  return c;
}
inline Cmd Unordered(std::vector<std::string> argv) {
  return WithCompare(std::move(argv), Compare::kUnordered);
}
inline Cmd Ttl(std::vector<std::string> argv, int64_t tolerance) {
  Cmd c = WithCompare(std::move(argv), Compare::kTtl);
  c.tolerance = tolerance;
  return c;
}
// A reply of random picks, checked against `content_query`'s reply.
Cmd RandomPick(std::vector<std::string> argv, std::vector<std::string> content_query, bool pairs,
               bool distinct);
// A whole SCAN-family iteration; argv[cursor_index] is the cursor.
Cmd Scan(std::vector<std::string> argv, int cursor_index);

}  // namespace plab::it
