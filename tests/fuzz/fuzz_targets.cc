// The table of fuzz targets (fuzz_entries.h).
#include "tests/fuzz/fuzz_entries.h"

namespace plab::fuzz {

std::span<const FuzzTarget> AllFuzzTargets() {
  static const FuzzTarget kTargets[] = {
      {"resp_parser", FuzzRespParser},
      {"rdb_loader", FuzzRdbLoader},
      {"aof_reader", FuzzAofReader},
      {"aof_replay", FuzzAofReplay},
      {"aof_manifest", FuzzAofManifest},
      {"listpack", FuzzListpack},
      {"ziplist", FuzzZiplist},
      {"intset", FuzzIntset},
      {"zipmap", FuzzZipmap},
      {"quicklist", FuzzQuicklist},
  };
  return kTargets;
}

const FuzzTarget* FindFuzzTarget(std::string_view name) {
  for (const FuzzTarget& t : AllFuzzTargets()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace plab::fuzz
