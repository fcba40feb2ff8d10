// Config: the server's parameters, typed, with Redis 7.0's names and
// defaults. One struct read directly by the engine on hot paths; the
// registry in config_registry.h maps names to fields for CONFIG GET/SET and
// for redis.conf-style files and `--name value` overrides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plab {

// Values read on hot paths are typed: the registry parses the text once,
// when the parameter is set, and formats it back for CONFIG GET (as Redis
// keeps server.aof_fsync and server.saveparams, not strings).

// appendfsync (Redis's AOF_FSYNC_*), read on every AOF flush.
enum class FsyncPolicy : uint8_t { kAlways, kEverySec, kNo };
// The parameter's text: "always", "everysec" or "no".
std::string_view FsyncPolicyName(FsyncPolicy policy);

// enable-debug-command (PROTECTED_ACTION_ALLOWED_*).
enum class ProtectedAction : uint8_t { kNo, kYes, kLocal };

// A `save` rule: snapshot after `seconds` if at least `changes` writes.
struct SavePoint {
  int64_t seconds;
  int64_t changes;
  bool operator==(const SavePoint&) const = default;
};
// The `save` parameter's text: "3600 1 300 100", "" for none.
std::string FormatSavePoints(const std::vector<SavePoint>& points);

// Client classes for client-output-buffer-limit, in CONFIG GET's order
// (Redis's CLIENT_TYPE_NORMAL, _SLAVE, _PUBSUB). PersistLab has neither
// replication nor pub/sub, so every client it serves is kNormal; the other
// two classes are kept so the parameter reads and sets exactly as in Redis.
enum class ClientClass : uint8_t { kNormal, kReplica, kPubSub };
constexpr size_t kNumClientClasses = 3;

// One class's output limit (clientBufferLimitsConfig): a client is closed
// once its pending output reaches `hard_bytes`, or stays at or above
// `soft_bytes` for more than `soft_seconds`. 0 bytes disables that limit.
struct OutputLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
  bool operator==(const OutputLimit&) const = default;
};

struct Config {
  // Networking (used by native `plab serve`; reported by CONFIG GET).
  int64_t port = 6379;
  std::string bind = "127.0.0.1";
  bool protected_mode = true;
  int64_t maxclients = 10000;
  int64_t timeout = 0;  // idle client timeout, seconds (0 = never)
  int64_t tcp_keepalive = 300;
  int64_t tcp_backlog = 511;
  std::string requirepass;  // empty = no password (AUTH not required)

  // General.
  int64_t hz = 10;         // cron frequency
  int64_t databases = 16;  // fixed: 16 logical databases
  std::string dir = ".";
  std::string loglevel = "notice";
  std::string logfile;
  bool daemonize = false;
  std::string pidfile;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  int64_t maxmemory = 0;
  // client-output-buffer-limit, indexed by ClientClass; Redis 7.0's defaults
  // (config.c clientBufferLimitsDefaults).
  OutputLimit client_output_buffer_limit[kNumClientClasses] = {
      {0, 0, 0}, {256ULL << 20, 64ULL << 20, 60}, {32ULL << 20, 8ULL << 20, 60}};
  std::string maxmemory_policy = "noeviction";

  // Encoding thresholds (what OBJECT ENCODING and the RDB writer report).
  int64_t hash_max_listpack_entries = 512;  // Redis 7.0's default (config.c)
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  bool activerehashing = true;
  bool lazyfree_lazy_user_del = false;

  // RDB persistence (rdb.c, config.c).
  std::vector<SavePoint> save = {{3600, 1}, {300, 100}, {60, 10000}};  // empty = none
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  ProtectedAction enable_debug_command = ProtectedAction::kNo;  // DEBUG
  // PersistLab's own knobs for the fork-less BGSAVE (not Redis parameters,
  // so CONFIG cannot see them): bytes serialized per step, and at most this
  // many steps per cron tick or idle slice — a clock that does not move
  // (virtual time) still gets the save done a bounded piece at a time.
  int64_t rdb_save_slice_bytes = 256 * 1024;
  int64_t rdb_save_max_slices_per_tick = 64;
  // AOF persistence (aof.c, config.c), Redis 7.0's defaults.
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";  // immutable, a base name
  std::string appenddirname = "appendonlydir";    // immutable, a base name
  FsyncPolicy appendfsync = FsyncPolicy::kEverySec;
  bool no_appendfsync_on_rewrite = false;
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64 * 1024 * 1024;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  bool aof_disable_auto_gc = false;

  // Facts about the hosting process, filled in by the native binary and
  // reported by INFO server. They are not parameters: the registry does not
  // list them and CONFIG GET/SET cannot see them. Embedded engines (tests,
  // the browser) keep the defaults.
  int64_t process_id = 0;        // INFO process_id (getpid() in plab serve)
  std::string executable;        // INFO executable
  std::string config_file;       // INFO config_file (absolute path or "")
  std::string os;                // INFO os, e.g. "Linux 6.1.0 x86_64"
  std::string multiplexing_api;  // INFO multiplexing_api, e.g. "epoll"
};

}  // namespace plab
