// CrashKind: the ways a machine running Redis can stop without warning, as
// SimDisk simulates them and every host (the Lab, the wasm binding, the JS
// API, the REPL's `.crash`) names them. Defined once here so an unknown
// name is refused everywhere instead of quietly meaning something else.
//
//   process  Redis dies (kill -9, OOM killer, a crash): the OS page cache
//            survives, so every write(2) that returned is still there.
//   power    the machine loses power: only what was fsynced (or written
//            back by the kernel) survives.
//   torn     power loss in the middle of writing: like power, but some
//            un-synced sectors of a file's tail reached the medium too.
#pragma once

#include <optional>
#include <string_view>

namespace plab {

enum class CrashKind { kProcess, kPower, kPowerTorn };

// Every kind, in the order hosts list them.
inline constexpr CrashKind kCrashKinds[] = {CrashKind::kProcess, CrashKind::kPower,
                                            CrashKind::kPowerTorn};

// The name hosts use: "process", "power" or "torn".
constexpr std::string_view CrashKindName(CrashKind kind) {
  switch (kind) {
    case CrashKind::kProcess:
      return "process";
    case CrashKind::kPower:
      return "power";
    case CrashKind::kPowerTorn:
      return "torn";
  }
  return "process";
}

// The kind named `name` (exactly as CrashKindName spells it), or nullopt.
constexpr std::optional<CrashKind> ParseCrashKind(std::string_view name) {
  for (CrashKind k : kCrashKinds) {
    if (CrashKindName(k) == name) return k;
  }
  return std::nullopt;
}

}  // namespace plab
