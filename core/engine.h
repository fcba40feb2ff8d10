// Engine: PersistLab's public façade. Bytes in, bytes out: the TCP server,
// the REPL, the browser terminal and the tests all drive the engine through
// this class.
//
//   plab::SystemClock clock;
//   plab::Engine engine(clock);
//   std::string reply = engine.Execute({"SET", "a", "1"});   // "+OK\r\n"
//
// For many connections (the TCP server), open a session per connection and
// Feed() it what the peer sent; replies accumulate in the session's output.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/clock.h"
#include "core/server/config.h"
#include "core/server/server.h"

namespace plab {

class Engine {
 public:
  // `clock` must outlive the engine.
  explicit Engine(const Clock& clock, Config config = {});

  // Runs one command on the engine's built-in client; returns the RESP reply.
  std::string Execute(std::vector<std::string> argv);
  // Feeds raw RESP (or inline) bytes to the built-in client; returns all
  // replies produced. Partial commands are kept for the next call.
  std::string Feed(std::string_view bytes);

  // Connections. The returned client is owned by the engine.
  Client* Connect(std::string addr = "embedded", std::string laddr = "") {
    return server_.NewClient(std::move(addr), std::move(laddr));
  }
  void Disconnect(Client* client) { server_.FreeClient(client); }
  void Feed(Client* client, std::string_view bytes) { server_.Feed(client, bytes); }

  // Periodic work; call about config().hz times per second.
  void Cron() { server_.Cron(); }

  Server& server() { return server_; }
  // The built-in client, created on first use so that a server that only
  // has network clients lists exactly those in CLIENT LIST / INFO clients.
  Client* default_client();

 private:
  Server server_;
  Client* default_client_ = nullptr;
};

}  // namespace plab
