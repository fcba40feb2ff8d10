#include "tests/crash_replay/kill_cycles.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "tests/crash_replay/workload.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::crash_replay {
namespace {

using it::EncodeCommand;
using it::Reply;
using it::RespClient;
using it::ServerProcess;

constexpr int kWriters = 2;
constexpr int kSeqsPerPipeline = 16;

// What one writer was told, across all cycles.
struct Writer {
  int db = 0;
  int64_t next = 0;        // next sequence number to send
  int64_t acked_ctr = 0;   // highest INCR reply
  int64_t acked_list = 0;  // highest RPUSH reply
  int64_t acked_hash = 0;  // HSETs acknowledged (sequences 0..n-1)
  int64_t acked_set = -1;  // last sequence whose SET was acknowledged
  int64_t acked_writes = 0;
  std::string error;

  // Pipelines until the server goes away. Whatever was sent but not
  // acknowledged is sent again (with new numbers) in the next cycle only if
  // it did not land: `next` restarts from what the restarted server holds.
  void Run(int port) {
    RespClient c;
    if (!c.Connect(port)) return;
    std::optional<Reply> ok = c.Call({"SELECT", std::to_string(db)});
    if (!ok || ok->raw != "+OK\r\n") return;
    for (;;) {
      std::string wire;
      for (int64_t s = next; s < next + kSeqsPerPipeline; ++s) {
        const std::string n = std::to_string(s);
        wire += EncodeCommand({"INCR", "ctr"}) + EncodeCommand({"RPUSH", "list", n}) +
                EncodeCommand({"HSET", "h", "f" + n, n}) + EncodeCommand({"SET", "k:" + n, n});
      }
      if (!c.SendRaw(wire)) return;
      for (int64_t s = next; s < next + kSeqsPerPipeline; ++s) {
        if (!Expect(c, ':', &acked_ctr) || !Expect(c, ':', &acked_list)) return;
        int64_t added = 0;
        if (!Expect(c, ':', &added)) return;
        acked_hash = s + 1;
        int64_t unused = 0;
        if (!Expect(c, '+', &unused)) return;
        acked_set = s;
      }
      next += kSeqsPerPipeline;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  bool Expect(RespClient& c, char type, int64_t* value) {
    std::optional<Reply> r = c.Read(5000);
    if (!r) return false;  // killed
    if (r->type != type) {
      error = "unexpected reply " + r->raw;
      return false;
    }
    *value = r->integer;
    ++acked_writes;
    return true;
  }
};

int64_t IntOf(const std::optional<Reply>& r) {
  if (!r || r->is_null) return 0;
  if (r->type == ':') return r->integer;
  return std::strtoll(r->str.c_str(), nullptr, 10);
}

// Checks one writer's database after a restart; sets w->next to continue
// from what survived. Returns "" or the problem.
std::string Verify(RespClient& c, Writer* w) {
  c.Call({"SELECT", std::to_string(w->db)});
  const int64_t ctr = IntOf(c.Call({"GET", "ctr"}));
  int64_t len = IntOf(c.Call({"LLEN", "list"}));
  const int64_t hlen = IntOf(c.Call({"HLEN", "h"}));
  std::string where = "db " + std::to_string(w->db) + ": ctr " + std::to_string(ctr) + " list " +
                      std::to_string(len) + " hash " + std::to_string(hlen) + "; acknowledged " +
                      std::to_string(w->acked_ctr) + "/" + std::to_string(w->acked_list) + "/" +
                      std::to_string(w->acked_hash) + ": ";
  if (ctr < w->acked_ctr || len < w->acked_list || hlen < w->acked_hash) {
    return where + "an acknowledged write is missing";
  }
  if (ctr - len < 0 || ctr - len > 1 || len - hlen < 0 || len - hlen > 1) {
    return where + "not a prefix of the connection's commands";
  }
  if (len > 0 && IntOf(c.Call({"LINDEX", "list", "-1"})) != len - 1) {
    return where + "the list does not end with " + std::to_string(len - 1);
  }
  if (w->acked_set >= 0 && IntOf(c.Call({"EXISTS", "k:" + std::to_string(w->acked_set)})) != 1) {
    return where + "acknowledged SET k:" + std::to_string(w->acked_set) + " is missing";
  }
  if (hlen > 0 && IntOf(c.Call({"EXISTS", "k:" + std::to_string(hlen - 1)})) != 1) {
    return where + "k:" + std::to_string(hlen - 1) + " is missing though HSET f" +
           std::to_string(hlen - 1) + " (sent after it) is there";
  }
  // Complete a sequence cut midway (unacknowledged commands may have
  // landed), so every cycle starts on a boundary: ctr == LLEN == HLEN.
  if (len > hlen) c.Call({"HSET", "h", "f" + std::to_string(len - 1), std::to_string(len - 1)});
  if (len > 0) c.Call({"SET", "k:" + std::to_string(len - 1), std::to_string(len - 1)});
  if (ctr > len) {
    const std::string n = std::to_string(len);
    c.Call({"RPUSH", "list", n});
    c.Call({"HSET", "h", "f" + n, n});
    c.Call({"SET", "k:" + n, n});
    ++len;
  }
  w->next = len;
  w->acked_ctr = w->acked_list = w->acked_hash = len;
  w->acked_set = len - 1;
  return "";
}

}  // namespace

KillResult RunKillCycles(int cycles, uint64_t seed) {
  KillResult result;
  std::mt19937_64 rng(seed);
  const std::string dir = MakeTempDir("kill");
  if (dir.empty()) {
    result.error = "mkdtemp failed";
    return result;
  }
  std::vector<Writer> writers(kWriters);
  for (int w = 0; w < kWriters; ++w) writers[w].db = w + 1;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::string error;
    std::unique_ptr<ServerProcess> server = ServerProcess::Start(
        ServerProcess::Kind::kPlab, &error,
        {"--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
         "--aof-use-rdb-preamble", cycle % 2 == 0 ? "yes" : "no", "--aof-load-truncated", "yes",
         "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "2mb"});
    if (server == nullptr) {
      result.error = "cycle " + std::to_string(cycle) + ": restart failed:\n" + error;
      break;
    }
    RespClient control;
    if (!control.Connect(server->port())) {
      result.error = "connect failed";
      break;
    }
    for (Writer& w : writers) {
      const std::string problem = Verify(control, &w);
      if (!problem.empty()) {
        ++result.failures;
        std::cerr << "FAIL [kill seed " << seed << "] after cycle " << cycle << ": " << problem
                  << "\n";
        result.error = "acknowledged data lost (directory kept: " + dir + ")";
        return result;
      }
    }
    std::vector<std::thread> threads;
    for (Writer& w : writers) threads.emplace_back([&w, port = server->port()] { w.Run(port); });
    const bool rewrite = cycle % 4 == 3;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    if (rewrite) {
      control.Call({"BGREWRITEAOF"});
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 60));
      std::optional<Reply> info = control.Call({"INFO", "persistence"});
      if (info && info->str.find("aof_rewrite_in_progress:1") != std::string::npos) {
        ++result.rewrites_killed_running;
      }
    }
    server->Kill();
    for (std::thread& t : threads) t.join();
    for (Writer& w : writers) {
      if (!w.error.empty()) {
        result.error = "writer: " + w.error;
        return result;
      }
    }
    result.cycles = cycle + 1;
  }
  for (const Writer& w : writers) result.acked_writes += w.acked_writes;
  if (result.error.empty()) std::filesystem::remove_all(dir);
  return result;
}

}  // namespace plab::crash_replay
