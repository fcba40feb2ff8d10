#include "tests/unit/allocation_probe.h"

#include <cstdlib>
#include <new>

namespace {

// One probe at a time on one thread: the unit tests run single-threaded.
bool probing = false;
size_t largest_size = 0;
size_t total_size = 0;

void* Allocate(size_t size) {
  if (probing) {
    if (size > largest_size) largest_size = size;
    total_size += size;
  }
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(size_t size) { return Allocate(size); }
void* operator new[](size_t size) { return Allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace plab_test {

AllocationProbe::AllocationProbe() {
  probing = true;
  largest_size = 0;
  total_size = 0;
}

AllocationProbe::~AllocationProbe() { probing = false; }

size_t AllocationProbe::largest() const { return largest_size; }
size_t AllocationProbe::total() const { return total_size; }

}  // namespace plab_test
