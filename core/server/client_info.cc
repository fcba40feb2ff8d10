#include "core/server/client_info.h"

#include "core/server/client_limits.h"
#include "core/server/server.h"
#include "core/util/numbers.h"

namespace plab {
namespace {

int64_t ArgvBytes(const std::vector<std::string>& argv) {
  int64_t n = 0;
  for (const std::string& a : argv) n += static_cast<int64_t>(a.size());
  return n;
}

// multiStateMemOverhead(): queued argument bytes plus one pointer each.
int64_t MultiBytes(const Client& c) {
  int64_t n = 0;
  for (const auto& argv : c.queued) {
    n += ArgvBytes(argv) + static_cast<int64_t>(argv.size() * sizeof(void*));
  }
  return n;
}

std::string ClientFlags(const Client& c) {
  std::string flags;
  if (c.in_multi) flags += 'x';
  if (c.dirty_cas) flags += 'd';
  if (c.close_after_reply) flags += 'c';
  if (c.close_asap) flags += 'A';                         // CLIENT_CLOSE_ASAP
  if (!c.addr.empty() && c.addr[0] == '/') flags += 'U';  // unix socket peer
  return flags.empty() ? "N" : flags;
}

}  // namespace

std::string ClientInfoString(const Server& server, const Client& c, const CommandSpec* running,
                             const std::vector<std::string>* running_argv) {
  const int64_t now_s = server.clock().NowMillis() / 1000;
  const int64_t qbuf = static_cast<int64_t>(c.parser.buffered());
  const int64_t argv_mem = running_argv ? ArgvBytes(*running_argv) : 0;
  const int64_t argv_ptrs =
      running_argv ? static_cast<int64_t>(running_argv->size() * sizeof(void*)) : 0;
  const int64_t multi_mem = MultiBytes(c);
  const int64_t rbs = static_cast<int64_t>(c.output.capacity());
  const OutputBufferUsage out = OutputUsage(c);
  const int64_t tot_mem =
      static_cast<int64_t>(sizeof(Client)) + qbuf + rbs + argv_mem + argv_ptrs + multi_mem;
  std::string s;
  auto add = [&s](std::string_view key, std::string_view value) {
    if (!s.empty()) s += ' ';
    s += key;
    s += '=';
    s += value;
  };
  auto num = [&add](std::string_view key, int64_t v) { add(key, FormatInt64(v)); };
  num("id", static_cast<int64_t>(c.id));
  add("addr", c.addr);
  add("laddr", c.laddr);
  num("fd", c.transport_handle);
  add("name", c.name);
  num("age", now_s - c.created_ms / 1000);
  num("idle", now_s - c.last_interaction_ms / 1000);
  add("flags", ClientFlags(c));
  num("db", c.db);
  add("sub", "0");
  add("psub", "0");
  add("ssub", "0");
  num("multi", c.in_multi ? static_cast<int64_t>(c.queued.size()) : -1);
  num("qbuf", qbuf);
  add("qbuf-free", "0");
  num("argv-mem", argv_mem);
  num("multi-mem", multi_mem);
  num("rbs", rbs);
  num("rbp", static_cast<int64_t>(c.output.size()));
  num("obl", static_cast<int64_t>(out.buffer_bytes));
  num("oll", static_cast<int64_t>(out.list_blocks));
  num("omem", static_cast<int64_t>(out.list_bytes));
  num("tot-mem", tot_mem);
  add("events", "r");
  const CommandSpec* last = running ? running : c.last_command;
  add("cmd", last ? std::string_view(last->full_name) : std::string_view("NULL"));
  add("user", "default");
  add("redir", "-1");
  num("resp", c.resp);
  return s;
}

}  // namespace plab
