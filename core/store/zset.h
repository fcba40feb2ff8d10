// ZSetValue: a sorted set. PLACEHOLDER INTERFACE: the sorted-set helper
// replaces this with the member->score Dict plus an order-statistic skiplist.
#pragma once

#include <cstddef>
#include <string>

#include "core/store/dict.h"

namespace plab {

class ZSetValue {
 public:
  ZSetValue() = default;
  ZSetValue(ZSetValue&&) noexcept = default;
  ZSetValue& operator=(ZSetValue&&) noexcept = default;

  size_t size() const { return scores_.size(); }
  bool listpack() const { return listpack_; }
  void set_listpack(bool v) { listpack_ = v; }
  ZSetValue Clone() const {
    ZSetValue z;
    z.listpack_ = listpack_;
    scores_.ForEach([&](const std::string& m, double s) { z.scores_.Put(m, s); });
    return z;
  }

 private:
  Dict<double> scores_;
  bool listpack_ = true;
};

}  // namespace plab
