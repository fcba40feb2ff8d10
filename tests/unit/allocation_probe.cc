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

// Every unaligned form is replaced, nothrow ones too: a form left to the
// runtime would pair its allocator with this free(), which ASan reports as
// an alloc-dealloc mismatch (the over-aligned forms stay paired with the
// runtime's own).
void* operator new(size_t size) { return Allocate(size); }
void* operator new[](size_t size) { return Allocate(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

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
