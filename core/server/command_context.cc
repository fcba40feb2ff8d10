#include "core/server/command_spec.h"
#include "core/server/server.h"
#include "core/store/value.h"

namespace plab {

int CommandContext::db() const { return client.db; }
Keyspace& CommandContext::keyspace() { return server.keyspace(); }
const Config& CommandContext::config() const { return server.config(); }
int64_t CommandContext::now_ms() const { return server.keyspace().command_time(); }

namespace {

template <typename V>
bool CheckType(CommandContext& ctx, V* v, ValueType type, V** out) {
  *out = v;
  if (v != nullptr && !v->is(type)) {
    ctx.WrongType();
    return false;
  }
  return true;
}

}  // namespace

bool CommandContext::LookupTypedRead(std::string_view key, ValueType type, const Value** out) {
  return CheckType(*this, keyspace().LookupRead(db(), key), type, out);
}

bool CommandContext::LookupTypedWrite(std::string_view key, ValueType type, Value** out) {
  return CheckType(*this, keyspace().LookupWrite(db(), key), type, out);
}

void CommandContext::KeyModified(std::string_view key, int64_t dirty) {
  KeyModified(client.db, key, dirty);
}

void CommandContext::KeyModified(int target_db, std::string_view key, int64_t dirty) {
  server.TouchKey(target_db, key);
  server.add_dirty(dirty);
}

bool CommandContext::propagating() const { return server.propagating(); }
void CommandContext::PropagateAs(const std::vector<std::string>& args) {
  server.PropagateCurrentAs(args);
}
void CommandContext::AlsoPropagate(int target_db, const std::vector<std::string>& args) {
  server.AlsoPropagate(target_db, args);
}
void CommandContext::PreventPropagation() { server.PreventCurrentPropagation(); }
void CommandContext::ForcePropagation() { server.ForceCurrentPropagation(); }

}  // namespace plab
