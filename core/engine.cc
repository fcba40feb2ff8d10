#include "core/engine.h"

namespace plab {

Engine::Engine(const Clock& clock, Config config)
    : server_(clock, std::move(config)), default_client_(server_.NewClient()) {
  // The embedded client is the engine's owner: it is trusted like a client
  // that already authenticated (the REPL and tests run with full rights).
  default_client_->authenticated = true;
}

std::string Engine::Execute(std::vector<std::string> argv) {
  default_client_->output.clear();
  default_client_->close_after_reply = false;
  server_.Execute(default_client_, argv);
  std::string out;
  out.swap(default_client_->output);
  return out;
}

std::string Engine::Feed(std::string_view bytes) {
  default_client_->close_after_reply = false;
  server_.Feed(default_client_, bytes);
  std::string out;
  out.swap(default_client_->output);
  return out;
}

}  // namespace plab
