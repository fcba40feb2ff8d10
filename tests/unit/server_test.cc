#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

using namespace plab::testing;

namespace {

// A parsed RESP2 reply, enough to walk COMMAND's nested arrays.
struct Resp {
  char type = 0;    // '+', '-', ':', '$', '*'
  std::string str;  // simple / error / bulk text; integer digits
  bool null = false;
  std::vector<Resp> items;
};

Resp ParseResp(const std::string& in, size_t* pos) {
  Resp r;
  r.type = in[*pos];
  const size_t eol = in.find("\r\n", *pos);
  const std::string head = in.substr(*pos + 1, eol - *pos - 1);
  *pos = eol + 2;
  if (r.type == '$') {
    const long n = std::stol(head);
    if (n < 0) {
      r.null = true;
    } else {
      r.str = in.substr(*pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
    }
  } else if (r.type == '*') {
    const long n = std::stol(head);
    r.null = n < 0;
    for (long i = 0; i < n; ++i) r.items.push_back(ParseResp(in, pos));
  } else {
    r.str = head;
  }
  return r;
}

Resp Parse(const std::string& in) {
  size_t pos = 0;
  Resp r = ParseResp(in, &pos);
  REQUIRE(pos == in.size());
  return r;
}

// The text of a bulk-string reply (INFO, CLIENT LIST).
std::string BulkText(const std::string& reply) {
  Resp r = Parse(reply);
  REQUIRE(r.type == '$');
  return r.str;
}

// Section title -> field names, in order, from an INFO text.
std::vector<std::pair<std::string, std::vector<std::string>>> InfoLayout(const std::string& text) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\r');
    line.pop_back();
    if (line.empty()) continue;
    if (line.rfind("# ", 0) == 0) {
      out.push_back({line.substr(2), {}});
    } else {
      REQUIRE(!out.empty());
      out.back().second.push_back(line.substr(0, line.find(':')));
    }
  }
  return out;
}

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Field(const std::string& info, const std::string& name) {
  const size_t at = info.find("\r\n" + name + ":");
  REQUIRE(at != std::string::npos);
  const size_t start = at + name.size() + 3;
  return info.substr(start, info.find("\r\n", start) - start);
}

}  // namespace

TEST_SUITE("server") {
  TEST_CASE("INFO sections have Redis 7.0.15's field names in Redis's order") {
    TestEngine t;
    // Field lists as printed by redis-server 7.0.15 (INFO everything).
    const std::vector<std::pair<std::string, std::string>> kExpected = {
        {"Server",
         "redis_version redis_git_sha1 redis_git_dirty redis_build_id redis_mode os arch_bits "
         "monotonic_clock multiplexing_api atomicvar_api gcc_version process_id "
         "process_supervised run_id tcp_port server_time_usec uptime_in_seconds uptime_in_days "
         "hz configured_hz lru_clock executable config_file io_threads_active"},
        {"Clients",
         "connected_clients cluster_connections maxclients client_recent_max_input_buffer "
         "client_recent_max_output_buffer blocked_clients tracking_clients "
         "clients_in_timeout_table"},
        {"Memory",
         "used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak "
         "used_memory_peak_human used_memory_peak_perc used_memory_overhead used_memory_startup "
         "used_memory_dataset used_memory_dataset_perc allocator_allocated allocator_active "
         "allocator_resident total_system_memory total_system_memory_human used_memory_lua "
         "used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval "
         "number_of_cached_scripts number_of_functions number_of_libraries "
         "used_memory_vm_functions used_memory_vm_total used_memory_vm_total_human "
         "used_memory_functions used_memory_scripts used_memory_scripts_human maxmemory "
         "maxmemory_human maxmemory_policy allocator_frag_ratio allocator_frag_bytes "
         "allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio rss_overhead_bytes "
         "mem_fragmentation_ratio mem_fragmentation_bytes mem_not_counted_for_evict "
         "mem_replication_backlog mem_total_replication_buffers mem_clients_slaves "
         "mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator "
         "active_defrag_running lazyfree_pending_objects lazyfreed_objects"},
        {"Persistence",
         "loading async_loading current_cow_peak current_cow_size current_cow_size_age "
         "current_fork_perc current_save_keys_processed current_save_keys_total "
         "rdb_changes_since_last_save rdb_bgsave_in_progress rdb_last_save_time "
         "rdb_last_bgsave_status rdb_last_bgsave_time_sec rdb_current_bgsave_time_sec rdb_saves "
         "rdb_last_cow_size rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled "
         "aof_rewrite_in_progress aof_rewrite_scheduled aof_last_rewrite_time_sec "
         "aof_current_rewrite_time_sec aof_last_bgrewrite_status aof_rewrites "
         "aof_rewrites_consecutive_failures aof_last_write_status aof_last_cow_size "
         "module_fork_in_progress module_fork_last_cow_size"},
        {"Stats",
         "total_connections_received total_commands_processed instantaneous_ops_per_sec "
         "total_net_input_bytes total_net_output_bytes total_net_repl_input_bytes "
         "total_net_repl_output_bytes instantaneous_input_kbps instantaneous_output_kbps "
         "instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections "
         "sync_full sync_partial_ok sync_partial_err expired_keys expired_stale_perc "
         "expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys "
         "evicted_clients total_eviction_exceeded_time current_eviction_exceeded_time "
         "keyspace_hits keyspace_misses pubsub_channels pubsub_patterns pubsubshard_channels "
         "latest_fork_usec total_forks migrate_cached_sockets slave_expires_tracked_keys "
         "active_defrag_hits active_defrag_misses active_defrag_key_hits "
         "active_defrag_key_misses total_active_defrag_time current_active_defrag_time "
         "tracking_total_keys tracking_total_items tracking_total_prefixes "
         "unexpected_error_replies total_error_replies dump_payload_sanitizations "
         "total_reads_processed total_writes_processed io_threaded_reads_processed "
         "io_threaded_writes_processed reply_buffer_shrinks reply_buffer_expands"},
        {"Replication",
         "role connected_slaves master_failover_state master_replid master_replid2 "
         "master_repl_offset second_repl_offset repl_backlog_active repl_backlog_size "
         "repl_backlog_first_byte_offset repl_backlog_histlen"},
        {"CPU",
         "used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children "
         "used_cpu_sys_main_thread used_cpu_user_main_thread"},
        {"Modules", ""},
        {"Commandstats", ""},
        {"Errorstats", ""},
        {"Latencystats", ""},
        {"Cluster", "cluster_enabled"},
        {"Keyspace", ""},
    };
    auto layout = InfoLayout(BulkText(t.Run("INFO everything")));
    REQUIRE(layout.size() == kExpected.size());
    for (size_t i = 0; i < layout.size(); ++i) {
      CAPTURE(layout[i].first);
      CHECK(layout[i].first == kExpected[i].first);
      CHECK(layout[i].second == Words(kExpected[i].second));
    }
  }

  TEST_CASE("INFO picks sections like Redis: default, all, names in any case") {
    TestEngine t;
    auto titles = [&](const std::string& cmd) {
      std::vector<std::string> out;
      for (const auto& [title, fields] : InfoLayout(BulkText(t.Run(cmd)))) out.push_back(title);
      return out;
    };
    const std::vector<std::string> kDefault = {
        "Server", "Clients", "Memory",     "Persistence", "Stats",   "Replication",
        "CPU",    "Modules", "Errorstats", "Cluster",     "Keyspace"};
    CHECK(titles("INFO") == kDefault);
    CHECK(titles("INFO default") == kDefault);
    CHECK(titles("INFO all").size() == 13);
    CHECK(titles("INFO KEYSPACE clients") == std::vector<std::string>{"Clients", "Keyspace"});
    CHECK(t.Run("INFO nosuch") == Bulk(""));
    // Sections are separated by one blank line; the text ends with CRLF.
    CHECK(BulkText(t.Run("INFO cluster keyspace")) ==
          "# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n");
  }

  TEST_CASE("INFO values describe PersistLab truthfully") {
    TestEngine t;
    t.Run("SET a 1");
    t.Run("SET b 2");
    t.Run("EXPIRE b 100");
    t.Run("SELECT 3");
    t.Run("SET c 3");
    t.Run("SELECT 0");
    t.Run("NOSUCH");
    t.Run("GET");
    const std::string info = "\r\n" + BulkText(t.Run("INFO everything"));
    CHECK(Field(info, "redis_version") == "7.0.15");
    CHECK(Field(info, "redis_mode") == "standalone");
    CHECK(Field(info, "tcp_port") == "6379");
    CHECK(Field(info, "process_id") == "0");
    CHECK(Field(info, "run_id").size() == 40);
    CHECK(Field(info, "role") == "master");
    CHECK(Field(info, "aof_enabled") == "0");
    CHECK(Field(info, "loading") == "0");
    CHECK(Field(info, "rdb_changes_since_last_save") == "4");
    CHECK(Field(info, "rdb_last_save_time") == "1767225600");
    CHECK(Field(info, "server_time_usec") == "1767225600000000");
    CHECK(Field(info, "connected_clients") == "1");
    CHECK(Field(info, "maxmemory_human") == "0B");
    CHECK(std::stoll(Field(info, "used_memory")) > 0);
    CHECK(Field(info, "db0") == "keys=2,expires=1,avg_ttl=0");
    CHECK(Field(info, "db3") == "keys=1,expires=0,avg_ttl=0");
    CHECK(info.find("\r\ndb1:") == std::string::npos);
    CHECK(Field(info, "errorstat_ERR") == "count=2");
    CHECK(Field(info, "cmdstat_get") ==
          "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
    CHECK(Field(info, "cmdstat_select").rfind("calls=2,usec=", 0) == 0);
    CHECK(Field(info, "total_error_replies") == "2");
    t.AdvanceMs(90061000);  // one day, one hour, one minute, one second
    const std::string later = "\r\n" + BulkText(t.Run("INFO server"));
    CHECK(Field(later, "uptime_in_seconds") == "90061");
    CHECK(Field(later, "uptime_in_days") == "1");
  }

  TEST_CASE("INFO memory reports human sizes and a peak that never drops") {
    TestEngine t;
    for (int i = 0; i < 200; ++i) {
      t.Run({"SET", "key:" + std::to_string(i), std::string(100, 'x')});
    }
    const std::string full = "\r\n" + BulkText(t.Run("INFO memory"));
    const long long used = std::stoll(Field(full, "used_memory"));
    CHECK(used > 200 * 100);
    CHECK(Field(full, "used_memory_peak") == Field(full, "used_memory"));
    CHECK(Field(full, "used_memory_peak_perc") == "100.00%");
    const std::string human = Field(full, "used_memory_human");
    CHECK((human.back() == 'K' || human.back() == 'M'));
    CHECK(human.find('.') == human.size() - 4);  // two decimals
    t.Run("FLUSHALL");
    const std::string empty = "\r\n" + BulkText(t.Run("INFO memory"));
    CHECK(std::stoll(Field(empty, "used_memory")) < used);
    CHECK(std::stoll(Field(empty, "used_memory_peak")) == used);
    CHECK(t.Run("CONFIG SET maxmemory 1536kb") == kOk);
    CHECK(Field("\r\n" + BulkText(t.Run("INFO memory")), "maxmemory_human") == "1.50M");
  }

  TEST_CASE("TIME reports the engine clock as seconds and microseconds") {
    TestEngine t;
    t.clock.SetMicros(1767225600123456);
    CHECK(t.Run("TIME") == BulkArr({"1767225600", "123456"}));
    CHECK(t.Run("TIME x") == Err("ERR wrong number of arguments for 'time' command"));
  }

  TEST_CASE("COMMAND COUNT equals the size of the command table") {
    TestEngine t;
    const auto& all = t.engine.server().commands().all();
    CHECK(t.Run("COMMAND COUNT") == Int(static_cast<long long>(all.size())));
    CHECK(Parse(t.Run("COMMAND")).items.size() == all.size());
    CHECK(Parse(t.Run("COMMAND INFO")).items.size() == all.size());
    CHECK(Parse(t.Run("COMMAND DOCS")).items.size() == 2 * all.size());
  }

  TEST_CASE("COMMAND INFO has Redis 7.0's ten-element shape") {
    TestEngine t;
    Resp r = Parse(t.Run("COMMAND INFO config|get nosuch time"));
    REQUIRE(r.items.size() == 3);
    const Resp& get = r.items[0];
    REQUIRE(get.items.size() == 10);
    CHECK(get.items[0].str == "config|get");
    CHECK(get.items[1].str == "-3");
    std::vector<std::string> flags, cats;
    for (const Resp& f : get.items[2].items) flags.push_back(f.str);
    for (const Resp& c : get.items[6].items) cats.push_back(c.str);
    CHECK(flags == std::vector<std::string>{"admin", "noscript", "loading", "stale"});
    CHECK(cats == std::vector<std::string>{"@admin", "@slow", "@dangerous"});
    CHECK(get.items[2].items[0].type == '+');
    CHECK(r.items[1].null);
    const Resp& time = r.items[2];
    REQUIRE(time.items[7].items.size() == 1);
    CHECK(time.items[7].items[0].str == "nondeterministic_output");
    // The CONFIG container lists its subcommands.
    Resp config = Parse(t.Run("COMMAND INFO config")).items[0];
    CHECK(config.items[1].str == "-2");
    CHECK(config.items[9].items.size() == 4);
  }

  TEST_CASE("COMMAND INFO derives key specs from key positions") {
    TestEngine t;
    // WATCH key [key ...]: first 1, last -1, step 1.
    Resp watch = Parse(t.Run("COMMAND INFO watch")).items[0];
    CHECK(watch.items[3].str == "1");
    CHECK(watch.items[4].str == "-1");
    CHECK(watch.items[5].str == "1");
    REQUIRE(watch.items[8].items.size() == 1);
    const Resp& spec = watch.items[8].items[0];
    REQUIRE(spec.items.size() == 6);
    CHECK(spec.items[2].str == "begin_search");
    CHECK(spec.items[3].items[3].items[1].str == "1");   // index 1
    CHECK(spec.items[5].items[3].items[1].str == "-1");  // lastkey -1
    std::vector<std::string> cats;
    for (const Resp& c : watch.items[6].items) cats.push_back(c.str);
    CHECK(cats == std::vector<std::string>{"@fast", "@transaction"});
  }

  TEST_CASE("COMMAND DOCS gives redis-cli summary, since, group and arguments") {
    TestEngine t;
    Resp r = Parse(t.Run("COMMAND DOCS watch nosuch config"));
    REQUIRE(r.items.size() == 4);
    CHECK(r.items[0].str == "watch");
    const Resp& watch = r.items[1];
    REQUIRE(watch.items.size() == 8);
    CHECK(watch.items[0].str == "summary");
    CHECK(watch.items[2].str == "since");
    CHECK(watch.items[3].str == "2.2.0");
    CHECK(watch.items[4].str == "group");
    CHECK(watch.items[5].str == "transactions");
    CHECK(watch.items[6].str == "arguments");
    // "key [key ...]" is one key argument flagged multiple.
    const Resp& args = watch.items[7];
    REQUIRE(args.items.size() == 1);
    const Resp& key = args.items[0];
    REQUIRE(key.items.size() == 6);
    CHECK(key.items[1].str == "key");
    CHECK(key.items[3].str == "key");
    CHECK(key.items[4].str == "flags");
    CHECK(key.items[5].items[0].str == "multiple");
    CHECK(r.items[2].str == "config");
    const Resp& config = r.items[3];
    CHECK(config.items[6].str == "subcommands");
    CHECK(config.items[7].items[0].str == "config|get");
  }

  TEST_CASE("COMMAND DOCS turns optional tokens and choices into nested arguments") {
    TestEngine t;
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    Resp hello = Parse(t.Run("COMMAND DOCS hello")).items[1];
    const Resp& args = hello.items[7];
    REQUIRE(args.items.size() == 1);
    const Resp& block = args.items[0];
    CHECK(block.items[3].str == "block");
    CHECK(block.items[5].items[0].str == "optional");
    const Resp& inner = block.items[7];
    REQUIRE(inner.items.size() == 3);
    CHECK(inner.items[0].items[1].str == "protover");
    const Resp& auth = inner.items[1];
    CHECK(auth.items[3].str == "block");
    CHECK(auth.items[7].items[0].items[3].str == "pure-token");
    CHECK(auth.items[7].items[0].items[5].str == "AUTH");
  }

  TEST_CASE("COMMAND LIST and GETKEYS") {
    TestEngine t;
    Resp list = Parse(t.Run("COMMAND LIST FILTERBY PATTERN config*"));
    std::vector<std::string> names;
    for (const Resp& n : list.items) names.push_back(n.str);
    CHECK(names == std::vector<std::string>{"config", "config|get", "config|set",
                                            "config|resetstat", "config|help"});
    CHECK(Parse(t.Run("COMMAND LIST FILTERBY ACLCAT transaction")).items.size() == 5);
    CHECK(t.Run("COMMAND LIST FILTERBY MODULE x") == "*0\r\n");
    CHECK(t.Run("COMMAND LIST foo") == Err("ERR syntax error"));
    CHECK(t.Run("COMMAND GETKEYS WATCH a b") == BulkArr({"a", "b"}));
    CHECK(t.Run("COMMAND GETKEYS PING x") == Err("ERR The command has no key arguments"));
    CHECK(t.Run("COMMAND GETKEYS NOSUCH x") == Err("ERR Invalid command specified"));
    CHECK(t.Run("COMMAND GETKEYS WATCH") ==
          Err("ERR wrong number of arguments for 'command|getkeys' command"));
  }

  TEST_CASE("CLIENT SETNAME and GETNAME validate like Redis") {
    TestEngine t;
    CHECK(t.Run("CLIENT GETNAME") == kNil);
    CHECK(t.Run("CLIENT SETNAME worker-1") == kOk);
    CHECK(t.Run("CLIENT GETNAME") == Bulk("worker-1"));
    CHECK(t.Run("CLIENT SETNAME \"a b\"") ==
          Err("ERR Client names cannot contain spaces, newlines or special characters."));
    CHECK(t.Run("CLIENT SETNAME \"a\\nb\"") ==
          Err("ERR Client names cannot contain spaces, newlines or special characters."));
    CHECK(t.Run("CLIENT GETNAME") == Bulk("worker-1"));
    CHECK(t.Run("CLIENT SETNAME \"\"") == kOk);
    CHECK(t.Run("CLIENT GETNAME") == kNil);
    CHECK(t.Run("CLIENT SETNAME") ==
          Err("ERR wrong number of arguments for 'client|setname' command"));
    CHECK(t.Run("CLIENT ID") == Int(static_cast<long long>(t.engine.default_client()->id)));
  }

  TEST_CASE("CLIENT LIST lines have Redis 7.0.15's keys in order") {
    TestEngine t;
    t.Run("PING");  // creates the built-in client first: id 1
    t.AdvanceMs(5000);
    plab::Client* other = t.engine.Connect("127.0.0.1:6000", "127.0.0.1:6379");
    t.engine.Feed(other, "CLIENT SETNAME bob\r\nMULTI\r\nPING\r\n");
    t.AdvanceMs(2000);
    const std::string text = BulkText(t.Run("CLIENT LIST"));
    std::istringstream lines(text);
    std::string self, peer;
    REQUIRE(std::getline(lines, self));
    REQUIRE(std::getline(lines, peer));
    CHECK(text.back() == '\n');
    const std::string kKeys =
        "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem "
        "multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp";
    std::vector<std::string> keys;
    for (const std::string& field : Words(self)) keys.push_back(field.substr(0, field.find('=')));
    CHECK(keys == Words(kKeys));
    CHECK(self.rfind("id=1 addr=embedded laddr= fd=-1 name= age=7 idle=", 0) == 0);
    CHECK(self.find(" flags=N db=0 sub=0 psub=0 ssub=0 ") != std::string::npos);
    CHECK(self.find(" multi=-1 ") != std::string::npos);
    CHECK(self.find(" argv-mem=10 ") != std::string::npos);  // "CLIENT" + "LIST"
    CHECK(self.find(" cmd=client|list user=default redir=-1 resp=2") != std::string::npos);
    CHECK(peer.rfind("id=2 addr=127.0.0.1:6000 laddr=127.0.0.1:6379 fd=-1 name=bob age=2 idle=2 "
                     "flags=x db=0 ",
                     0) == 0);
    CHECK(peer.find(" multi=1 ") != std::string::npos);
    CHECK(peer.find(" multi-mem=12 ") != std::string::npos);  // "PING" + one pointer
    CHECK(peer.find(" cmd=multi ") != std::string::npos);
    CHECK(BulkText(t.Run("CLIENT LIST ID 2 99")) == peer + "\n");
    CHECK(t.Run("CLIENT LIST TYPE replica") == Bulk(""));
    CHECK(t.Run("CLIENT LIST TYPE foo") == Err("ERR Unknown client type 'foo'"));
    CHECK(t.Run("CLIENT LIST ID x") == Err("ERR Invalid client ID"));
    CHECK(t.Run("CLIENT LIST foo") == Err("ERR syntax error"));
    CHECK(BulkText(t.Run("CLIENT INFO")).rfind("id=1 addr=embedded ", 0) == 0);
  }

  TEST_CASE("CLIENT KILL marks the matching connections to close") {
    TestEngine t;
    t.Run("PING");  // creates the built-in client first: id 1
    plab::Client* a = t.engine.Connect("127.0.0.1:7001");
    plab::Client* b = t.engine.Connect("127.0.0.1:7002");
    CHECK(t.Run("CLIENT KILL 127.0.0.1:7001") == kOk);
    CHECK(a->close_after_reply);
    CHECK_FALSE(b->close_after_reply);
    CHECK(t.Run("CLIENT KILL 1.2.3.4:5") == Err("ERR No such client"));
    CHECK(t.Run("CLIENT KILL ID 3") == Int(1));
    CHECK(b->close_after_reply);
    CHECK(t.Run("CLIENT KILL ID 999") == Int(0));
    CHECK(t.Run("CLIENT KILL ID 0") == Err("ERR client-id should be greater than 0"));
    CHECK(t.Run("CLIENT KILL ID abc") == Err("ERR client-id should be greater than 0"));
    CHECK(t.Run("CLIENT KILL TYPE foo") == Err("ERR Unknown client type 'foo'"));
    CHECK(t.Run("CLIENT KILL USER nobody") == Err("ERR No such user 'nobody'"));
    CHECK(t.Run("CLIENT KILL foo bar") == Err("ERR syntax error"));
    CHECK(t.Run("CLIENT KILL ID 1") == Int(0));  // SKIPME yes by default
    CHECK_FALSE(t.engine.default_client()->close_after_reply);
    CHECK(t.Run("CLIENT KILL ID 1 SKIPME no") == Int(1));
  }

  TEST_CASE("CLIENT HELP and unknown subcommands") {
    TestEngine t;
    CHECK(t.Run("CLIENT HELP")
              .find("+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n") !=
          std::string::npos);
    CHECK(t.Run("CLIENT FOO") == Err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
    CHECK(t.Run("CLIENT") == Err("ERR wrong number of arguments for 'client' command"));
  }
}
