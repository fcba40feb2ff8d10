// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings, as Redis 7.0's t_string.c lcsCommand
// computes it: the classic (len1+1) x (len2+1) dynamic-programming table,
// then a walk back from the bottom-right corner that rebuilds the string
// and the matched ranges. Ties in the walk go the same way as in Redis, so
// the reported string and ranges are identical, not just "a" valid LCS.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool withmatchlen = false;
  int64_t minmatchlen = 0;
};

// One run of consecutive matching bytes: [a_start, a_end] in the first
// string lines up with [b_start, b_end] in the second.
struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
};

// The DP table: cell (i, j) holds the LCS length of a[0, i) and b[0, j).
class LcsTable {
 public:
  LcsTable(std::string_view a, std::string_view b, uint32_t* cells)
      : a_(a), b_(b), width_(b.size() + 1), cells_(cells) {
    for (size_t i = 0; i <= a.size(); ++i) {
      for (size_t j = 0; j <= b.size(); ++j) {
        if (i == 0 || j == 0) {
          At(i, j) = 0;
        } else if (a[i - 1] == b[j - 1]) {
          At(i, j) = At(i - 1, j - 1) + 1;
        } else {
          At(i, j) = std::max(At(i - 1, j), At(i, j - 1));
        }
      }
    }
  }

  uint32_t Length() const { return At(a_.size(), b_.size()); }

  // Walks back from the end, filling *lcs (when non-null) and appending to
  // *ranges (when non-null) the runs of at least `minmatchlen` bytes, last
  // run first, in the order Redis emits them.
  void Walk(std::string* lcs, std::vector<LcsRange>* ranges, int64_t minmatchlen) const;

 private:
  uint32_t& At(size_t i, size_t j) { return cells_[i * width_ + j]; }
  uint32_t At(size_t i, size_t j) const { return cells_[i * width_ + j]; }

  std::string_view a_, b_;
  size_t width_;
  uint32_t* cells_;
};

void LcsTable::Walk(std::string* lcs, std::vector<LcsRange>* ranges, int64_t minmatchlen) const {
  const uint32_t alen = static_cast<uint32_t>(a_.size());
  uint32_t remaining = Length();
  if (lcs != nullptr) lcs->assign(remaining, '\0');
  // a_start == alen means "no run in progress", Redis's sentinel.
  LcsRange run{alen, 0, 0, 0};
  uint32_t i = alen;
  uint32_t j = static_cast<uint32_t>(b_.size());
  while (i > 0 && j > 0) {
    bool close_run = false;
    if (a_[i - 1] == b_[j - 1]) {
      if (lcs != nullptr) (*lcs)[remaining - 1] = a_[i - 1];
      if (run.a_start == alen) {
        run = {i - 1, i - 1, j - 1, j - 1};
      } else if (run.a_start == i && run.b_start == j) {
        --run.a_start;  // the run grows backwards
        --run.b_start;
      } else {
        close_run = true;
      }
      // A run touching the start of either string cannot grow further.
      if (run.a_start == 0 || run.b_start == 0) close_run = true;
      --remaining;
      --i;
      --j;
    } else {
      if (At(i - 1, j) > At(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (run.a_start != alen) close_run = true;
    }
    if (close_run) {
      const uint32_t run_len = run.a_end - run.a_start + 1;
      if (ranges != nullptr && (minmatchlen == 0 || run_len >= minmatchlen)) {
        ranges->push_back(run);
      }
      run.a_start = alen;
    }
  }
}

// Options are parsed only after both keys passed the type check.
bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  const auto& argv = ctx.argv;
  for (size_t j = 3; j < argv.size(); ++j) {
    const bool more = j + 1 < argv.size();
    if (EqualsIgnoreCase(argv[j], "idx")) {
      o->idx = true;
    } else if (EqualsIgnoreCase(argv[j], "len")) {
      o->len = true;
    } else if (EqualsIgnoreCase(argv[j], "withmatchlen")) {
      o->withmatchlen = true;
    } else if (EqualsIgnoreCase(argv[j], "minmatchlen") && more) {
      auto v = ParseInt64(argv[++j]);
      if (!v) {
        ctx.NotInteger();
        return false;
      }
      o->minmatchlen = *v < 0 ? 0 : *v;  // negative means "no minimum"
    } else {
      ctx.Syntax();
      return false;
    }
  }
  if (o->len && o->idx) {
    ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

// IDX's reply: a map {matches: [[[a0, a1], [b0, b1], (len)], ...], len: n}.
void ReplyIdx(CommandContext& ctx, const std::vector<LcsRange>& ranges, uint32_t len,
              bool withmatchlen) {
  ReplyBuilder& r = ctx.reply;
  r.MapHeader(2);
  r.Bulk("matches");
  r.ArrayHeader(ranges.size());
  for (const LcsRange& m : ranges) {
    r.ArrayHeader(withmatchlen ? 3 : 2);
    r.ArrayHeader(2);
    r.Integer(m.a_start);
    r.Integer(m.a_end);
    r.ArrayHeader(2);
    r.Integer(m.b_start);
    r.Integer(m.b_end);
    if (withmatchlen) r.Integer(m.a_end - m.a_start + 1);
  }
  r.Bulk("len");
  r.Integer(len);
}

void Lcs(CommandContext& ctx) {
  // Both keys are looked up (hits/misses counted) before either is judged.
  const Value* va = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[1]);
  const Value* vb = ctx.keyspace().LookupRead(ctx.db(), ctx.argv[2]);
  if ((va != nullptr && !va->is(ValueType::kString)) ||
      (vb != nullptr && !vb->is(ValueType::kString))) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  LcsOptions opts;
  if (!ParseLcsOptions(ctx, &opts)) return;
  const std::string_view a = va != nullptr ? std::string_view(va->str()) : std::string_view();
  const std::string_view b = vb != nullptr ? std::string_view(vb->str()) : std::string_view();
  // Lengths are kept in uint32_t cells, as in Redis.
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply.Error("ERR String too long for LCS");
  }
  // The table is transient memory; Redis caps it at proto-max-bulk-len.
  const uint64_t cells = (static_cast<uint64_t>(a.size()) + 1) * (b.size() + 1);
  const uint64_t bytes = cells * sizeof(uint32_t);
  if (bytes > static_cast<uint64_t>(ctx.config().proto_max_bulk_len)) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  std::unique_ptr<uint32_t[]> storage;
  if (bytes < SIZE_MAX) storage.reset(new (std::nothrow) uint32_t[static_cast<size_t>(cells)]);
  if (storage == nullptr) {
    return ctx.reply.Error("ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  LcsTable table(a, b, storage.get());
  if (opts.idx) {
    std::vector<LcsRange> ranges;
    table.Walk(nullptr, &ranges, opts.minmatchlen);
    return ReplyIdx(ctx, ranges, table.Length(), opts.withmatchlen);
  }
  if (opts.len) return ctx.reply.Integer(table.Length());
  std::string lcs;
  table.Walk(&lcs, nullptr, 0);
  ctx.reply.Bulk(lcs);
}

}  // namespace

void RegisterLcsCommand(CommandTable& t) {
  t.Add(MakeSpec("lcs", -3, kCmdReadOnly, Lcs, "string", "7.0.0",
                 "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]",
                 "Finds the longest common subsequence of two strings.", 1, 2, 1));
}

}  // namespace plab
