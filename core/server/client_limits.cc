#include "core/server/client_limits.h"

#include <string>

#include "core/resp/reply_format.h"
#include "core/server/client_info.h"
#include "core/server/server.h"

namespace plab {

OutputBufferUsage OutputUsage(const Client& c) {
  const size_t pending = PendingOutputBytes(c);
  OutputBufferUsage u;
  u.buffer_bytes = pending < kReplyChunkBytes ? pending : kReplyChunkBytes;
  u.list_bytes = pending - u.buffer_bytes;
  u.list_blocks = (u.list_bytes + kReplyChunkBytes - 1) / kReplyChunkBytes;
  return u;
}

bool OutputLimitReached(const Config& config, Client* c, int64_t now_s) {
  const OutputLimit& limit = config.client_output_buffer_limit[static_cast<size_t>(ClassOf(*c))];
  const uint64_t used = OutputUsage(*c).list_bytes;
  const bool hard = limit.hard_bytes != 0 && used >= limit.hard_bytes;
  bool soft = limit.soft_bytes != 0 && used >= limit.soft_bytes;
  if (!soft) {
    c->obuf_soft_limit_since_s = -1;
  } else if (c->obuf_soft_limit_since_s < 0) {
    // First time seen over the soft limit: the clock starts now. (Redis
    // marks "not reached" with 0; -1 lets a virtual clock start at 0.)
    c->obuf_soft_limit_since_s = now_s;
    soft = false;
  } else if (now_s - c->obuf_soft_limit_since_s <= limit.soft_seconds) {
    soft = false;  // over it, but not for long enough yet
  }
  return hard || soft;
}

}  // namespace plab

namespace plab {

bool Server::EnforceOutputLimit(Client* client, bool from_cron) {
  // closeClientOnOutputBufferLimitReached(): not for connection-less
  // clients, not twice, and not while nothing is queued past the fixed
  // buffer (so, as in Redis, the soft-limit timer is not reset then).
  if (client->transport_handle < 0 || client->close_asap) return false;
  if (OutputUsage(*client).list_bytes == 0) return false;
  if (!OutputLimitReached(config_, client, clock_.NowMillis() / 1000)) return false;
  const std::string info = ClientInfoString(*this, *client);
  client->close_asap = true;
  Log(LogLevel::kWarning, from_cron
                              ? "Client " + info + " closed for overcoming of output buffer limits."
                              : "Client " + info +
                                    " scheduled to be closed ASAP for overcoming of "
                                    "output buffer limits.");
  return true;
}

bool Server::EnforceQueryLimit(Client* client) {
  if (client->transport_handle < 0 || client->close_asap) return false;
  if (client->parser.query_bytes() <= static_cast<uint64_t>(config_.client_query_buffer_limit)) {
    return false;
  }
  const std::string info = ClientInfoString(*this, *client);
  client->close_asap = true;
  Log(LogLevel::kWarning, "Closing client that reached max query buffer length: " + info +
                              " (qbuf initial bytes: " +
                              QuoteReplyString(client->parser.unparsed().substr(0, 64)) + ")");
  return true;
}

}  // namespace plab
