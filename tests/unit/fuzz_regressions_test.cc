// Replays every saved fuzz input (tests/fuzz/corpus/<target>/ and
// tests/fuzz/regressions/<target>/) through the same entry function the
// libFuzzer binary of that target calls (tests/fuzz/fuzz_entries.h), so
// the ordinary Release and ASan unit builds keep checking each crash ever
// found and the invariants on every seed, without clang or libFuzzer.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_entries.h"

namespace plab::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = PLAB_FUZZ_DIR;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The files of <kind>/<target>/, sorted so failures come in a stable order.
std::vector<fs::path> SavedInputs(const std::string& kind, std::string_view target) {
  std::vector<fs::path> out;
  const fs::path dir = kFuzzDir / kind / std::string(target);
  if (!fs::is_directory(dir)) return out;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs every saved input of `target`; returns how many were replayed.
size_t Replay(std::string_view name) {
  const FuzzTarget* target = FindFuzzTarget(name);
  REQUIRE(target != nullptr);
  size_t n = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    for (const fs::path& p : SavedInputs(kind, name)) {
      INFO("input ", p.string());
      CHECK(target->entry(ReadFile(p)) == "");
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_SUITE("fuzz regressions") {
  TEST_CASE("every directory under corpus/ and regressions/ names a fuzz target or a node loop") {
    for (const char* kind : {"corpus", "regressions"}) {
      if (!fs::is_directory(kFuzzDir / kind)) continue;
      for (const fs::directory_entry& e : fs::directory_iterator(kFuzzDir / kind)) {
        const std::string name = e.path().filename().string();
        INFO(kind, "/", name);
        // resp_js and idb_mirror are replayed by the node fuzz loops
        // (tests/node/*_fuzz.mjs).
        CHECK((FindFuzzTarget(name) != nullptr || name == "resp_js" || name == "idb_mirror"));
      }
    }
  }

  TEST_CASE(
      "saved resp_parser inputs: RESP requests parse the same whole and split, and re-encode to "
      "themselves") {
    CHECK(Replay("resp_parser") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved rdb_loader inputs: RDB files load into consistent keyspaces that survive a save and "
      "reload") {
    CHECK(Replay("rdb_loader") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved aof_reader inputs: AOF streams read with sound truncation points and re-encode to "
      "themselves") {
    CHECK(Replay("aof_reader") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved aof_replay inputs: AOF directories load through the engine the same way twice, or "
      "fail leaving the files alone") {
    CHECK(Replay("aof_replay") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved aof_manifest inputs: AOF manifests format and parse back to themselves, also after a "
      "rewrite") {
    CHECK(Replay("aof_manifest") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved listpack inputs: listpacks decode as the RDB loader reads them and rebuild to the "
      "same elements") {
    CHECK(Replay("listpack") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved ziplist inputs: ziplists decode as the RDB loader reads them and rebuild to the same "
      "elements") {
    CHECK(Replay("ziplist") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved intset inputs: intsets decode strictly ascending, re-encode and load as the same "
      "set") {
    CHECK(Replay("intset") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved zipmap inputs: zipmaps decode as the RDB loader reads them, duplicates refused by the "
      "loader") {
    CHECK(Replay("zipmap") > 0);  // a target without seeds would replay nothing
  }

  TEST_CASE(
      "saved quicklist inputs: quicklist values load with as many items as their nodes hold") {
    CHECK(Replay("quicklist") > 0);  // a target without seeds would replay nothing
  }
}

}  // namespace plab::fuzz
