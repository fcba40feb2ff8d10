// SystemClock: the host's real time behind core's Clock seam. core/ itself
// never reads a clock (no <chrono> there, tests/check_core_portability.sh);
// every host hands the engine one: `plab serve` this one, the lab a virtual
// clock whose durations come from this one (Lab's stopwatch), tests a
// ManualClock. Pure C++ (std::chrono), so the wasm build compiles it too
// (std::chrono under Emscripten reads Date.now() and performance.now()).
#pragma once

#include <cstdint>

#include "core/io/clock.h"

namespace plab {

class SystemClock final : public Clock {
 public:
  // The wall clock (std::chrono::system_clock), Unix epoch microseconds.
  int64_t NowMicros() const override;
  // A monotonic clock (std::chrono::steady_clock), like Redis's
  // getMonotonicUs(): durations stay right when the wall clock is set.
  int64_t MonotonicMicros() const override;
};

}  // namespace plab
