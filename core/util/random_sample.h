// Random-sampling helpers shared by HRANDFIELD, SRANDMEMBER and ZRANDMEMBER.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace plab {

// Removes random elements from `items` until at most `count` remain, each
// removal moving the last element into the hole. This is the "count is close
// to the size" strategy of Redis's *RANDMEMBER/HRANDFIELD (case 3): copy
// everything, then drop at random. The survivors' order is not meaningful.
template <typename T>
void DropRandomUntil(std::vector<T>& items, size_t count, std::mt19937_64& rng) {
  while (items.size() > count) {
    items[static_cast<size_t>(rng() % items.size())] = items.back();
    items.pop_back();
  }
}

}  // namespace plab
