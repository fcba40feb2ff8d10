// The WebAssembly face of PersistLab: a thin embind wrapper around
// plab::Engine, so JavaScript (node smoke test today, the browser playground
// later) can type command lines and read RESP replies.
//
//   import createPlab from "./plab_wasm.mjs";
//   const plab = await createPlab();
//   const lab = new plab.Lab(true);           // true: virtual (manual) clock
//   lab.execute('SET k "hello world"');      // "+OK\r\n"
//   lab.delete();                            // embind objects are freed by hand
//
// Contract: execute() never throws into JavaScript. A line that can't be
// split (unbalanced quotes) gets the same error reply Redis gives an inline
// command with that problem; an empty line gets an empty reply.
#include <emscripten/bind.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/engine.h"
#include "core/io/clock.h"
#include "core/util/split_args.h"

namespace plab {
namespace {

// The page's user owns the engine, like a local connection to a Redis with
// enable-debug-command local: DEBUG RELOAD works in the playground.
Config LabConfig() {
  Config config;
  config.enable_debug_command = "local";
  return config;
}

class Lab {
 public:
  // `virtual_time`: a ManualClock that only moves through AdvanceMillis(), so
  // expiry can be demonstrated step by step; otherwise the wall clock.
  explicit Lab(bool virtual_time)
      : clock_(virtual_time ? static_cast<std::unique_ptr<Clock>>(std::make_unique<ManualClock>())
                            : std::make_unique<SystemClock>()),
        manual_(virtual_time ? static_cast<ManualClock*>(clock_.get()) : nullptr),
        engine_(std::make_unique<Engine>(*clock_, LabConfig())) {}

  // One command line, split like redis-cli / Redis inline commands.
  std::string Execute(const std::string& line) {
    std::optional<std::vector<std::string>> argv = SplitArgs(line);
    // Same wording as Redis's processInlineBuffer() for a bad inline line.
    if (!argv) return "-ERR Protocol error: unbalanced quotes in request\r\n";
    if (argv->empty()) return "";
    return engine_->Execute(std::move(*argv));
  }

  // Raw RESP (or inline) bytes, for clients that speak the protocol.
  std::string Feed(const std::string& bytes) { return engine_->Feed(bytes); }

  // Moves virtual time forward and runs the periodic tasks once, like a
  // server cron tick. A no-op clock-wise with the wall clock.
  void AdvanceMillis(double ms) {
    if (manual_ != nullptr) manual_->AdvanceMillis(static_cast<int64_t>(ms));
    engine_->Cron();
  }

  double NowMillis() const { return static_cast<double>(clock_->NowMillis()); }
  bool virtual_time() const { return manual_ != nullptr; }

 private:
  std::unique_ptr<Clock> clock_;  // declared first: the engine reads it
  ManualClock* manual_;           // clock_ when virtual time, else nullptr
  std::unique_ptr<Engine> engine_;
};

}  // namespace
}  // namespace plab

EMSCRIPTEN_BINDINGS(plab) {
  emscripten::class_<plab::Lab>("Lab")
      .constructor<bool>()
      .function("execute", &plab::Lab::Execute)
      .function("feed", &plab::Lab::Feed)
      .function("advanceMillis", &plab::Lab::AdvanceMillis)
      .function("nowMillis", &plab::Lab::NowMillis)
      .function("virtualTime", &plab::Lab::virtual_time);
}
