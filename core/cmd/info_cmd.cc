// INFO [section ...]: the same sections, field names and field order as
// Redis 7.0.15's genRedisInfoString(), with values that are true for
// PersistLab. Where PersistLab has no such machinery (replication, forks,
// Lua, modules, active defrag) the field reports what Redis reports when the
// feature is idle: zero, -1, "ok". Two sections are approximations, said so
// where they are built: memory (an estimate, see memory_estimate.h) and cpu
// (time spent in command handlers).
#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "core/cmd/command.h"
#include "core/cmd/server_family.h"
#include "core/server/client_limits.h"
#include "core/server/memory_estimate.h"
#include "core/server/server.h"
#include "core/util/ascii.h"

namespace plab {
namespace {

class InfoWriter {
 public:
  void Section(std::string_view title) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += title;
    out_ += "\r\n";
  }
  void Add(std::string_view name, std::string_view value) {
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  void Add(std::string_view name, int64_t value) { Add(name, std::to_string(value)); }
  void Add(std::string_view name, const char* value) { Add(name, std::string_view(value)); }
  void Zeros(std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) Add(n, "0");
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

template <typename... Args>
std::string Format(const char* fmt, Args... args) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), fmt, args...);
  return buf;
}

// bytesToHuman(): 100B, 1.50K, 2.00M ... with two decimals.
std::string BytesToHuman(uint64_t n) {
  const char* units = "KMGTP";
  if (n < 1024) return std::to_string(n) + "B";
  double d = static_cast<double>(n) / 1024;
  for (int i = 0; i < 5; ++i, d /= 1024) {
    if (d < 1024) return Format("%.2f%c", d, units[i]);
  }
  return std::to_string(n) + "B";
}

// getSafeInfoString(): characters that would break the format become '_'.
std::string SafeInfoName(std::string s) {
  for (char& c : s) {
    if (c == '#' || c == ':' || c == '\n' || c == '\r') c = '_';
  }
  return s;
}

std::string Seconds(int64_t usec) {
  return Format("%lld.%06lld", static_cast<long long>(usec / 1000000),
                static_cast<long long>(usec % 1000000));
}

void ServerSection(Server& s, InfoWriter& w) {
  const Config& c = s.config();
  const int64_t now_us = s.clock().NowMicros();
  const int64_t uptime = now_us / 1000000 - s.stats().start_time_us / 1000000;
  w.Section("Server");
  w.Add("redis_version", "7.0.15");
  w.Add("redis_git_sha1", "00000000");
  w.Add("redis_git_dirty", "0");
  w.Add("redis_build_id", "0");
  w.Add("redis_mode", "standalone");
  w.Add("os", c.os);
  w.Add("arch_bits", static_cast<int64_t>(sizeof(void*) * 8));
  w.Add("monotonic_clock", "engine clock");
  w.Add("multiplexing_api", c.multiplexing_api.empty() ? "none" : c.multiplexing_api);
  w.Add("atomicvar_api", "none");
#ifdef __GNUC__
  w.Add("gcc_version", Format("%d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
#else
  w.Add("gcc_version", "0.0.0");
#endif
  w.Add("process_id", c.process_id);
  w.Add("process_supervised", "no");
  w.Add("run_id", s.run_id());
  w.Add("tcp_port", c.port);
  w.Add("server_time_usec", now_us);
  w.Add("uptime_in_seconds", uptime);
  w.Add("uptime_in_days", uptime / 86400);
  w.Add("hz", c.hz);
  w.Add("configured_hz", c.hz);
  // LRU_CLOCK(): seconds, wrapped to 24 bits.
  w.Add("lru_clock", (now_us / 1000000) & ((1 << 24) - 1));
  w.Add("executable", c.executable);
  w.Add("config_file", c.config_file);
  w.Add("io_threads_active", "0");
}

void ClientsSection(Server& s, InfoWriter& w) {
  size_t max_in = 0, max_out = 0;
  for (const auto& [id, client] : s.clients()) {
    max_in = std::max(max_in, client->parser.buffered());
    // getClientOutputBufferMemoryUsage(): omem, what the limits measure.
    max_out = std::max(max_out, OutputUsage(*client).list_bytes);
  }
  w.Section("Clients");
  w.Add("connected_clients", static_cast<int64_t>(s.clients().size()));
  w.Add("cluster_connections", "0");
  w.Add("maxclients", s.config().maxclients);
  w.Add("client_recent_max_input_buffer", static_cast<int64_t>(max_in));
  w.Add("client_recent_max_output_buffer", static_cast<int64_t>(max_out));
  w.Zeros({"blocked_clients", "tracking_clients", "clients_in_timeout_table"});
}

// Memory: an estimate (memory_estimate.h). With no allocator or RSS to ask,
// rss and allocator figures equal the estimate and ratios read 1.00.
void MemorySection(Server& s, InfoWriter& w) {
  const MemoryEstimate m = EstimateMemory(s);
  const int64_t used = m.total();
  int64_t& peak = s.stats().used_memory_peak;
  if (used > peak) peak = used;
  const int64_t net = used > m.startup ? used - m.startup : 1;
  const uint64_t maxmemory = static_cast<uint64_t>(s.config().maxmemory);
  w.Section("Memory");
  w.Add("used_memory", used);
  w.Add("used_memory_human", BytesToHuman(used));
  w.Add("used_memory_rss", used);
  w.Add("used_memory_rss_human", BytesToHuman(used));
  w.Add("used_memory_peak", peak);
  w.Add("used_memory_peak_human", BytesToHuman(peak));
  w.Add("used_memory_peak_perc", Format("%.2f%%", used * 100.0f / peak));
  w.Add("used_memory_overhead", m.overhead());
  w.Add("used_memory_startup", m.startup);
  w.Add("used_memory_dataset", m.dataset);
  w.Add("used_memory_dataset_perc", Format("%.2f%%", m.dataset * 100.0f / net));
  w.Add("allocator_allocated", used);
  w.Add("allocator_active", used);
  w.Add("allocator_resident", used);
  w.Add("total_system_memory", "0");  // unknown to a portable engine
  w.Add("total_system_memory_human", "0B");
  w.Zeros({"used_memory_lua", "used_memory_vm_eval"});
  w.Add("used_memory_lua_human", "0B");
  w.Zeros({"used_memory_scripts_eval", "number_of_cached_scripts", "number_of_functions",
           "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total"});
  w.Add("used_memory_vm_total_human", "0B");
  w.Zeros({"used_memory_functions", "used_memory_scripts"});
  w.Add("used_memory_scripts_human", "0B");
  w.Add("maxmemory", s.config().maxmemory);  // Redis prints it with %lld
  w.Add("maxmemory_human", BytesToHuman(maxmemory));
  w.Add("maxmemory_policy", s.config().maxmemory_policy);
  w.Add("allocator_frag_ratio", "1.00");
  w.Add("allocator_frag_bytes", "0");
  w.Add("allocator_rss_ratio", "1.00");
  w.Add("allocator_rss_bytes", "0");
  w.Add("rss_overhead_ratio", "1.00");
  w.Add("rss_overhead_bytes", "0");
  w.Add("mem_fragmentation_ratio", "1.00");
  w.Add("mem_fragmentation_bytes", "0");
  w.Zeros({"mem_not_counted_for_evict", "mem_replication_backlog", "mem_total_replication_buffers",
           "mem_clients_slaves"});
  w.Add("mem_clients_normal", m.clients);
  w.Zeros({"mem_cluster_links", "mem_aof_buffer"});
  w.Add("mem_allocator", "libc");
  w.Zeros({"active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects"});
}

// Persistence (the RDB half; AOF arrives with its own issue). The cow_*
// fields report the fork-less snapshot's copy-on-write bytes: values copied
// aside because a command changed them before the snapshot had written them.
void AofSection(Server& s, InfoWriter& w, int64_t now_s);

void PersistenceSection(Server& s, InfoWriter& w) {
  const RdbPersistence& rdb = s.rdb();
  const RdbInfo& info = rdb.info();
  const int64_t now_s = s.clock().NowMillis() / 1000;
  const int64_t processed = rdb.current_keys_processed();
  const int64_t total = rdb.current_keys_total();
  w.Section("Persistence");
  w.Zeros({"loading", "async_loading"});
  const int64_t cow = rdb.current_cow_size() + s.aof().current_cow_size();
  w.Add("current_cow_peak", cow);
  w.Add("current_cow_size", cow);
  w.Add("current_cow_size_age", "0");
  char perc[32];
  std::snprintf(
      perc, sizeof perc, "%.2f",
      total > 0 ? 100.0 * static_cast<double>(processed) / static_cast<double>(total) : 0.0);
  w.Add("current_fork_perc", perc);
  w.Add("current_save_keys_processed", processed);
  w.Add("current_save_keys_total", total);
  w.Add("rdb_changes_since_last_save", s.dirty());
  w.Add("rdb_bgsave_in_progress", rdb.bgsave_in_progress() ? "1" : "0");
  w.Add("rdb_last_save_time", info.last_save_time_s);
  w.Add("rdb_last_bgsave_status", info.last_bgsave_ok ? "ok" : "err");
  w.Add("rdb_last_bgsave_time_sec", info.last_bgsave_time_sec);
  w.Add("rdb_current_bgsave_time_sec",
        rdb.bgsave_in_progress() ? now_s - info.bgsave_start_s : int64_t{-1});
  w.Add("rdb_saves", info.saves);
  w.Add("rdb_last_cow_size", info.last_cow_size);
  w.Add("rdb_last_load_keys_expired", info.last_load_keys_expired);
  w.Add("rdb_last_load_keys_loaded", info.last_load_keys_loaded);
  AofSection(s, w, now_s);
}

// The AOF half of INFO persistence; the aof_* size fields only while the
// AOF is on, as in Redis 7.0.
void AofSection(Server& s, InfoWriter& w, int64_t now_s) {
  const AofPersistence& aof = s.aof();
  const AofInfo& info = aof.info();
  w.Add("aof_enabled", aof.enabled() ? "1" : "0");
  w.Add("aof_rewrite_in_progress", aof.rewrite_in_progress() ? "1" : "0");
  w.Add("aof_rewrite_scheduled", info.rewrite_scheduled ? "1" : "0");
  w.Add("aof_last_rewrite_time_sec", info.last_rewrite_time_sec);
  w.Add("aof_current_rewrite_time_sec",
        aof.rewrite_in_progress() ? now_s - info.rewrite_start_s : int64_t{-1});
  w.Add("aof_last_bgrewrite_status", info.last_bgrewrite_ok ? "ok" : "err");
  w.Add("aof_rewrites", info.rewrites);
  w.Add("aof_rewrites_consecutive_failures", "0");
  w.Add("aof_last_write_status", aof.last_write_ok() ? "ok" : "err");
  if (aof.awaiting_rewrite_after_fsync_error()) {
    // PersistLab only, and only in this state (Redis has no such state: it
    // accepts writes again after any successful fsync).
    w.Add("aof_writes_refused_until_rewrite",
          "an fsync failed (" + info.last_write_error +
              "); writes resume once the AOF is rewritten from memory");
  }
  w.Add("aof_last_cow_size", info.last_cow_size);
  w.Zeros({"module_fork_in_progress", "module_fork_last_cow_size"});
  if (!aof.enabled()) return;
  w.Add("aof_current_size", info.current_size);
  w.Add("aof_base_size", info.base_size);
  w.Add("aof_pending_rewrite", info.rewrite_scheduled ? "1" : "0");
  w.Add("aof_buffer_length", static_cast<int64_t>(aof.buffer_length()));
  w.Add("aof_pending_bio_fsync", "0");
  w.Add("aof_delayed_fsync", info.delayed_fsync);
}

void StatsSection(Server& s, InfoWriter& w) {
  const ServerStats& st = s.stats();
  const KeyspaceStats& ks = s.keyspace().stats();
  int64_t ops = 0;
  for (int64_t sample : st.ops_samples) ops += sample;
  w.Section("Stats");
  w.Add("total_connections_received", st.total_connections_received);
  w.Add("total_commands_processed", st.total_commands_processed);
  w.Add("instantaneous_ops_per_sec", ops / 16);  // getInstantaneousMetric()
  w.Add("total_net_input_bytes", st.total_net_input_bytes);
  w.Add("total_net_output_bytes", st.total_net_output_bytes);
  w.Zeros({"total_net_repl_input_bytes", "total_net_repl_output_bytes"});
  for (const char* name : {"instantaneous_input_kbps", "instantaneous_output_kbps",
                           "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"}) {
    w.Add(name, "0.00");
  }
  w.Add("rejected_connections", st.rejected_connections);
  w.Zeros({"sync_full", "sync_partial_ok", "sync_partial_err"});
  w.Add("expired_keys", ks.expired_keys);
  w.Add("expired_stale_perc", Format("%.2f", static_cast<double>(ks.expired_stale_perc)));
  w.Add("expired_time_cap_reached_count", ks.expired_time_cap_reached_count);
  w.Zeros({"expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients",
           "total_eviction_exceeded_time", "current_eviction_exceeded_time"});
  w.Add("keyspace_hits", ks.keyspace_hits);
  w.Add("keyspace_misses", ks.keyspace_misses);
  w.Zeros({"pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "latest_fork_usec",
           "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys",
           "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
           "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time",
           "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"});
  w.Add("unexpected_error_replies", st.unexpected_error_replies);
  w.Add("total_error_replies", st.total_error_replies);
  w.Add("dump_payload_sanitizations", "0");
  w.Add("total_reads_processed", st.total_reads_processed);
  w.Add("total_writes_processed", st.total_writes_processed);
  w.Zeros({"io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks",
           "reply_buffer_expands"});
}

// Replication: always a master without replicas (no replication yet).
void ReplicationSection(Server& s, InfoWriter& w) {
  w.Section("Replication");
  w.Add("role", "master");
  w.Add("connected_slaves", "0");
  w.Add("master_failover_state", "no-failover");
  w.Add("master_replid", s.run_id());
  w.Add("master_replid2", std::string(40, '0'));
  w.Add("master_repl_offset", "0");
  w.Add("second_repl_offset", "-1");
  w.Add("repl_backlog_active", "0");
  w.Add("repl_backlog_size", "1048576");
  w.Add("repl_backlog_first_byte_offset", "0");
  w.Add("repl_backlog_histlen", "0");
}

// CPU: a portable engine cannot ask the OS for rusage. "user" time is the
// time spent inside command handlers (the commandstats usec total); system
// time and children are reported as zero.
void CpuSection(Server& s, InfoWriter& w) {
  int64_t usec = 0;
  for (const CommandStats& cs : s.stats().commands) usec += cs.usec;
  w.Section("CPU");
  w.Add("used_cpu_sys", Seconds(0));
  w.Add("used_cpu_user", Seconds(usec));
  w.Add("used_cpu_sys_children", Seconds(0));
  w.Add("used_cpu_user_children", Seconds(0));
  w.Add("used_cpu_sys_main_thread", Seconds(0));
  w.Add("used_cpu_user_main_thread", Seconds(usec));
}

void AddCommandStat(const CommandSpec& spec, const std::vector<CommandStats>& all, InfoWriter& w) {
  if (spec.id >= all.size()) return;
  const CommandStats& cs = all[spec.id];
  if (cs.calls == 0 && cs.failed_calls == 0 && cs.rejected_calls == 0) return;
  // Redis divides in float precision before printing "%.2f".
  const float per_call = cs.calls == 0 ? 0.0f : static_cast<float>(cs.usec) / cs.calls;
  w.Add("cmdstat_" + SafeInfoName(spec.full_name),
        Format("calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld",
               static_cast<long long>(cs.calls), static_cast<long long>(cs.usec),
               static_cast<double>(per_call), static_cast<long long>(cs.rejected_calls),
               static_cast<long long>(cs.failed_calls)));
}

// Sorted by name, as the map this replaced printed them (Redis's own order
// is its command dict's hash order).
void CommandStatsSection(Server& s, InfoWriter& w) {
  w.Section("Commandstats");
  std::vector<const CommandSpec*> specs;
  for (const auto& spec : s.commands().all()) {
    specs.push_back(spec.get());
    for (const CommandSpec& sub : spec->subcommands) specs.push_back(&sub);
  }
  std::sort(specs.begin(), specs.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->full_name < b->full_name; });
  for (const CommandSpec* spec : specs) AddCommandStat(*spec, s.stats().commands, w);
}

void ErrorStatsSection(Server& s, InfoWriter& w) {
  w.Section("Errorstats");
  for (const auto& [prefix, count] : s.stats().error_counts) {
    w.Add("errorstat_" + SafeInfoName(prefix), "count=" + std::to_string(count));
  }
}

// avg_ttl: Redis keeps a running estimate from its expire cycle; PersistLab
// does not track one yet and reports 0, as Redis does before its first
// sample.
void KeyspaceSection(Server& s, InfoWriter& w) {
  w.Section("Keyspace");
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    const size_t keys = s.keyspace().Size(db), expires = s.keyspace().ExpiresSize(db);
    if (keys == 0 && expires == 0) continue;
    w.Add("db" + std::to_string(db),
          "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) + ",avg_ttl=0");
  }
}

std::string Lower(std::string s) {
  LowerInPlace(s);
  return s;
}

}  // namespace

std::string GenerateInfo(Server& server, const std::vector<std::string>& args) {
  static constexpr std::string_view kDefaults[] = {
      "server", "clients",     "memory",     "persistence", "stats",   "replication",
      "cpu",    "module_list", "errorstats", "cluster",     "keyspace"};
  // genInfoSectionDict(): no argument means "default".
  std::set<std::string, std::less<>> wanted;
  bool all = false;
  if (args.empty()) wanted.insert(std::begin(kDefaults), std::end(kDefaults));
  for (const std::string& arg : args) {
    std::string name = Lower(arg);
    if (name == "default") {
      wanted.insert(std::begin(kDefaults), std::end(kDefaults));
    } else if (name == "all" || name == "everything") {
      all = true;
    } else {
      wanted.insert(std::move(name));
    }
  }
  auto on = [&](std::string_view name) { return all || wanted.count(name) > 0; };
  InfoWriter w;
  if (on("server")) ServerSection(server, w);
  if (on("clients")) ClientsSection(server, w);
  if (on("memory")) MemorySection(server, w);
  if (on("persistence")) PersistenceSection(server, w);
  if (on("stats")) StatsSection(server, w);
  if (on("replication")) ReplicationSection(server, w);
  if (on("cpu")) CpuSection(server, w);
  if (on("module_list") || on("modules")) w.Section("Modules");  // no modules
  if (on("commandstats")) CommandStatsSection(server, w);
  if (on("errorstats")) ErrorStatsSection(server, w);
  // Latency percentiles are not tracked yet: the section stays empty, as in
  // Redis with latency-tracking off.
  if (on("latencystats")) w.Section("Latencystats");
  if (on("cluster")) {
    w.Section("Cluster");
    w.Add("cluster_enabled", "0");
  }
  if (on("keyspace")) KeyspaceSection(server, w);
  return std::move(w.out());
}

void InfoCommand(CommandContext& ctx) {
  std::vector<std::string> sections(ctx.argv.begin() + 1, ctx.argv.end());
  ctx.reply.Verbatim(GenerateInfo(ctx.server, sections));  // "txt" verbatim in RESP3
}

}  // namespace plab
