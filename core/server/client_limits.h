// Output buffer accounting and client-output-buffer-limit, the part of Redis
// 7.0's networking.c (getClientOutputBufferMemoryUsage,
// checkClientOutputBufferLimits) that needs no sockets, so every transport
// gets it: `plab serve`, the browser lab, tests.
//
// A client's pending output is client->output minus the front that the
// transport already delivered (client->output_sent). Redis keeps the first
// 16 KB of pending replies in a fixed per-client buffer (c->buf, reported as
// obl) and the rest in a list of blocks (oll blocks, omem bytes); only the
// list counts against the limits. PersistLab has one string, and reports and
// limits it the same way: the first 16 KB of pending output are "obl", the
// rest is omem, counted in 16 KB blocks for oll.
//
// The limits themselves (Config::client_output_buffer_limit, per class):
//   - hard: omem >= hard bytes closes the client at once;
//   - soft: omem >= soft bytes continuously for more than soft seconds
//     (whole seconds of the Clock, as Redis compares server.unixtime).
// A client found over its limit is flagged Client::close_asap by
// Server::EnforceOutputLimit, which logs Redis's line; the transport then
// drops it without delivering what is still pending (freeClientAsync).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/server/client.h"
#include "core/server/config.h"

namespace plab {

// PROTO_REPLY_CHUNK_BYTES: the size of Redis's fixed reply buffer.
constexpr size_t kReplyChunkBytes = 16 * 1024;

// Bytes appended to client.output that the transport has not delivered.
inline size_t PendingOutputBytes(const Client& c) {
  return c.output.size() > c.output_sent ? c.output.size() - c.output_sent : 0;
}

// CLIENT LIST's obl / oll / omem for `c` (see the header comment).
struct OutputBufferUsage {
  size_t buffer_bytes = 0;  // obl: pending bytes in the first 16 KB
  size_t list_blocks = 0;   // oll
  size_t list_bytes = 0;    // omem, what the limits are checked against
};
OutputBufferUsage OutputUsage(const Client& c);

// getClientType(): without replication or pub/sub, every client is normal.
inline ClientClass ClassOf(const Client& /*c*/) { return ClientClass::kNormal; }

// checkClientOutputBufferLimits(): true when `c` reached its class's hard
// limit, or has been at or above the soft limit for more than the soft
// seconds. Updates c->obuf_soft_limit_since_s as a side effect (set when the
// soft limit is first seen reached, -1 again when usage is back under it).
bool OutputLimitReached(const Config& config, Client* c, int64_t now_s);

}  // namespace plab
