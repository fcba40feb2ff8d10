// Client: one connection's state, the equivalent of Redis's `client` struct:
// selected database, name, MULTI queue, watched keys, authentication, the
// request parser and the pending output.
//
// Clients are created and owned by the Server (Server::NewClient); the
// transport (TCP server, browser terminal, tests) holds a pointer and hands
// received bytes to Server::Feed().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/resp/request_parser.h"
#include "core/server/command_spec.h"

namespace plab {

struct Client {
  uint64_t id = 0;
  int db = 0;
  std::string name;
  std::string addr = "embedded";  // "ip:port" for TCP clients
  std::string laddr;              // local address of the connection
  // The transport's own number for the connection, opaque to core (which
  // has no sockets): `plab serve` passes the socket's descriptor so that
  // CLIENT LIST's fd= reads as in Redis; -1 for embedded clients.
  int64_t transport_handle = -1;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  bool authenticated = false;
  int resp = 2;
  // The last command run (CLIENT LIST cmd=); null before the first one.
  const CommandSpec* last_command = nullptr;
  std::string lib_name, lib_ver;  // reported only; CLIENT SETINFO is 7.2

  // MULTI/EXEC state (multi.c).
  bool in_multi = false;
  bool multi_error = false;  // a command failed to queue: EXEC aborts
  bool dirty_cas = false;    // a WATCHed key changed: EXEC returns nil
  std::vector<std::vector<std::string>> queued;
  struct WatchedKey {
    int db;
    std::string key;
    bool expired_at_watch;  // Redis ignores keys already expired at WATCH
  };
  std::vector<WatchedKey> watched;

  // Set by QUIT or a protocol error: close once `output` is flushed.
  bool close_after_reply = false;
  // Set when the client must go now, its pending output dropped (Redis's
  // CLIENT_CLOSE_ASAP): over client-output-buffer-limit or
  // client-query-buffer-limit. No more commands are read or run for it.
  bool close_asap = false;
  // When usage was first seen at or over the soft output limit, in Clock
  // seconds; -1 while under it (client_limits.h).
  int64_t obuf_soft_limit_since_s = -1;

  // A reply that waits on the disk (SAVE on a disk whose sync completes
  // later, like IndexedDB). While set, this client's next commands wait in
  // the parser; Server::ResumeBlockedClients() calls it until it returns true
  // (having written the reply), like a Redis client blocked on a key.
  std::function<bool(ReplyBuilder& reply)> blocked_on;

  // Set while this client ran commands in the current event-loop batch
  // (Server::BeforeSleep), with where its output stood when it started.
  bool in_batch = false;
  size_t batch_output_start = 0;

  RequestParser parser;
  // RESP bytes for the transport. The transport delivers them from the
  // front and records how many went out in output_sent (so the engine can
  // tell what is still pending: client_limits.h); it may erase the delivered
  // front once output_sent is large, lowering output_sent by as much.
  std::string output;
  size_t output_sent = 0;
};

}  // namespace plab
