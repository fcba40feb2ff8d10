#include "core/cmd/command.h"

#include "core/server/server.h"

namespace plab {

int CommandContext::db() const { return client.db; }
Keyspace& CommandContext::keyspace() { return server.keyspace(); }
const Config& CommandContext::config() const { return server.config(); }
int64_t CommandContext::now_ms() const { return server.keyspace().command_time(); }

void CommandContext::KeyModified(std::string_view key, int64_t dirty) {
  KeyModified(client.db, key, dirty);
}

void CommandContext::KeyModified(int target_db, std::string_view key, int64_t dirty) {
  server.TouchKey(target_db, key);
  server.add_dirty(dirty);
}

}  // namespace plab
