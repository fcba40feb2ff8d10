#include "core/engine.h"

#include "core/io/sim_disk.h"

namespace plab {

namespace {

Disk& DiskOrOwn(const Clock& clock, Disk* disk, std::unique_ptr<Disk>* own) {
  if (disk != nullptr) return *disk;
  *own = std::make_unique<SimDisk>(&clock);
  return **own;
}

}  // namespace

Engine::Engine(const Clock& clock, Config config, Disk* disk)
    : server_(clock, std::move(config), DiskOrOwn(clock, disk, &own_disk_), commands_) {}

Result<RdbLoadResult> Engine::LoadFromDisk() {
  Keyspace fresh;
  Result<RdbLoadResult> loaded = server_.rdb().Load(&fresh);
  if (loaded.ok()) server_.ReplaceKeyspace(std::move(fresh));
  return loaded;
}

Client* Engine::default_client() {
  if (default_client_ == nullptr) {
    default_client_ = server_.NewClient();
    // The embedded client is the engine's owner: it is trusted like a client
    // that already authenticated (the REPL and tests run with full rights).
    default_client_->authenticated = true;
  }
  return default_client_;
}

std::string Engine::Execute(std::vector<std::string> argv) {
  Client* c = default_client();
  c->output.clear();
  c->close_after_reply = false;
  server_.Execute(c, argv);
  server_.BeforeSleep();
  std::string out;
  out.swap(c->output);
  return out;
}

std::string Engine::Feed(std::string_view bytes) {
  Client* c = default_client();
  c->close_after_reply = false;
  server_.Feed(c, bytes);
  server_.BeforeSleep();
  std::string out;
  out.swap(c->output);
  return out;
}

}  // namespace plab
