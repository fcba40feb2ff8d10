// CrashSimulator: the seam through which `DEBUG SIMULATE-CRASH` reaches the
// host that owns the engine. An engine cannot crash and restart itself (its
// memory is what the crash throws away), so the command only asks; the host
// (`plab serve --simulated-disk DIR`, native/simulated_disk_host.h) pulls
// the plug once the current event-loop iteration is over, restarts the
// engine from what its simulated disk kept, and keeps the recovery report.
//
// A server without a simulator (plain `plab serve` on real files, the REPL,
// the browser's lab) answers DEBUG SIMULATE-CRASH with an error: there is no
// simulated disk whose durable layer could be told from its page cache.
//
// Not owned by the Server; the host must outlive every engine it serves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/io/crash_kind.h"

namespace plab {

class CrashSimulator {
 public:
  virtual ~CrashSimulator() = default;

  // Asks for a crash of `kind` (torn writes tear the sectors `seed` picks;
  // nullopt: the host picks one and logs it). The crash happens after the
  // command returns, at the end of the event-loop iteration that ran it;
  // asking again before then replaces the request.
  virtual void RequestCrash(CrashKind kind, std::optional<uint64_t> seed) = 0;

  // The text of the last simulated crash and restart (what was asked, the
  // recovery report and the keyspace diff), or a line saying none happened.
  virtual std::string LastCrashReport() const = 0;
};

}  // namespace plab
