// libFuzzer's entry point for one target, chosen at compile time with
// -DPLAB_FUZZ_TARGET="name" (tests/fuzz/CMakeLists.txt builds one binary
// per target). A broken invariant aborts, so libFuzzer saves the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const plab::fuzz::FuzzTarget* target = plab::fuzz::FindFuzzTarget(PLAB_FUZZ_TARGET);
  if (target == nullptr) {
    std::fprintf(stderr, "no fuzz target named %s\n", PLAB_FUZZ_TARGET);
    std::abort();
  }
  const std::string problem =
      target->entry(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!problem.empty()) {
    std::fprintf(stderr, "\n%s: invariant broken: %s\n", PLAB_FUZZ_TARGET, problem.c_str());
    std::abort();
  }
  return 0;
}
