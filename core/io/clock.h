// Clock: the engine's only source of time (the other half of the seam to the
// outside world, with Disk). Everything time-dependent reads it: key expiry,
// the active expiry cycle, and (later) save points and everysec fsyncs.
//
// Times are Unix epoch based, like Redis's mstime()/ustime(), because
// EXPIREAT / EXPIRETIME / TIME expose absolute Unix times to clients.
#pragma once

#include <cstdint>

namespace plab {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  int64_t NowMillis() const { return NowMicros() / 1000; }
  // For measuring how long work took (command stats, loading times), like
  // Redis's getMonotonicUs(). Distinct from NowMicros() because a virtual
  // clock (the playground's) stands still while the engine works, yet the
  // recovery report should still say how long loading really took.
  virtual int64_t MonotonicMicros() const { return NowMicros(); }
};

// The host's real clock is not in core/ (which reads no clock itself): see
// native/system_clock.h, which the native binary and the wasm module use.

// A clock that only moves when told to: deterministic tests, and the
// playground's virtual time.
class ManualClock final : public Clock {
 public:
  // Starts at 2026-01-01T00:00:00Z unless given another time.
  explicit ManualClock(int64_t start_micros = 1767225600LL * 1000000) : now_(start_micros) {}
  int64_t NowMicros() const override { return now_; }
  void SetMicros(int64_t now) { now_ = now; }
  void AdvanceMillis(int64_t ms) { now_ += ms * 1000; }

 private:
  int64_t now_;
};

}  // namespace plab
