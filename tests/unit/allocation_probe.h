// AllocationProbe: measures what the code under test asks operator new for
// while a probe is alive (the unit-test binary replaces the global
// operator new/delete to count). Tests use it where a claim is about
// memory reserved, not bytes received: "an announced 512 MB bulk does not
// allocate 512 MB up front" must fail if the parser reserve()s it.
#pragma once

#include <cstddef>

namespace plab_test {

class AllocationProbe {
 public:
  AllocationProbe();
  ~AllocationProbe();
  AllocationProbe(const AllocationProbe&) = delete;
  AllocationProbe& operator=(const AllocationProbe&) = delete;

  // The biggest single allocation, and the sum of all, since construction.
  size_t largest() const;
  size_t total() const;
};

}  // namespace plab_test
