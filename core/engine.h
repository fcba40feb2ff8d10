// Engine: PersistLab's public façade. Bytes in, bytes out: the TCP server,
// the REPL, the browser terminal and the tests all drive the engine through
// this class.
//
//   plab::SystemClock clock;                                 // native/system_clock.h
//   plab::Engine engine(clock);
//   std::string reply = engine.Execute({"SET", "a", "1"});   // "+OK\r\n"
//
// For many connections (the TCP server), open a session per connection and
// Feed() it what the peer sent; replies accumulate in the session's output.
//
// Layering: the engine is where the commands (core/cmd's CommandTable) meet
// the server that dispatches them (core/server); see tests/layering/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/cmd/command_table.h"
#include "core/io/clock.h"
#include "core/io/disk.h"
#include "core/server/config.h"
#include "core/server/server.h"

namespace plab {

class Engine {
 public:
  // `clock` (and `disk`, when given) must outlive the engine. Without a
  // disk the engine keeps its files (dump.rdb) on an in-memory SimDisk of
  // its own, so SAVE, BGSAVE and DEBUG RELOAD work everywhere.
  explicit Engine(const Clock& clock, Config config = {}, Disk* disk = nullptr);

  // Runs one command on the engine's built-in client; returns the RESP reply.
  std::string Execute(std::vector<std::string> argv);
  // Feeds raw RESP (or inline) bytes to the built-in client; returns all
  // replies produced. Partial commands are kept for the next call.
  std::string Feed(std::string_view bytes);

  // Connections. The returned client is owned by the engine.
  // `transport_handle`: see Client::transport_handle.
  Client* Connect(std::string addr = "embedded", std::string laddr = "",
                  int64_t transport_handle = -1) {
    return server_.NewClient(std::move(addr), std::move(laddr), transport_handle);
  }
  void Disconnect(Client* client) { server_.FreeClient(client); }
  void Feed(Client* client, std::string_view bytes) { server_.Feed(client, bytes); }

  // Startup recovery (Server::Recover): the AOF when appendonly is yes,
  // else the RDB; then the AOF is opened for appending. Call once, before
  // the first command, whenever persistence is configured.
  Status Recover(RecoveryReport* report) { return server_.Recover(report); }

  // After Feed(client, ...) calls, before delivering their output: flushes
  // the AOF (Server::BeforeSleep). Execute() and Feed(bytes) do it already.
  void BeforeSleep() { server_.BeforeSleep(); }

  // Periodic work; call about config().hz times per second.
  void Cron() { server_.Cron(); }

  // Startup loading (loadDataFromDisk): reads dir/dbfilename when it
  // exists. NotFound when there is no file (a fresh start, not an error);
  // any other error leaves the dataset empty and the file untouched.
  Result<RdbLoadResult> LoadFromDisk();

  Disk& disk() { return server_.disk(); }

  Server& server() { return server_; }
  // The built-in client, created on first use so that a server that only
  // has network clients lists exactly those in CLIENT LIST / INFO clients.
  Client* default_client();

 private:
  CommandTable commands_;           // before server_, which keeps a reference
  std::unique_ptr<Disk> own_disk_;  // a SimDisk, when no disk was given
  Server server_;
  Client* default_client_ = nullptr;
};

}  // namespace plab
