// Helpers shared by unit tests: an engine on a manual clock, and a way to run
// a command line and get its RESP reply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/util/split_args.h"

namespace plab::testing {

// An engine whose time only moves when the test says so.
struct TestEngine {
  ManualClock clock;
  Engine engine{clock};

  // Runs a command written like a redis-cli line ("SET k \"a b\"") and
  // returns the raw RESP reply.
  std::string Run(std::string_view line) { return engine.Execute(*SplitArgs(line)); }
  std::string Run(std::vector<std::string> argv) { return engine.Execute(std::move(argv)); }
  void AdvanceMs(int64_t ms) { clock.AdvanceMillis(ms); }
};

// RESP builders for expected replies.
inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string Int(long long v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string Err(std::string_view msg) { return "-" + std::string(msg) + "\r\n"; }
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";
inline const std::string kNilArray = "*-1\r\n";
inline std::string Arr(std::initializer_list<std::string> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& i : items) out += i;
  return out;
}
// An array of bulk strings.
inline std::string BulkArr(std::initializer_list<std::string_view> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (auto i : items) out += Bulk(i);
  return out;
}

}  // namespace plab::testing
