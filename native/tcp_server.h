// TcpServer: the RESP server behind `plab serve`. One thread, one epoll
// loop, like Redis's ae event loop (ae.c + networking.c):
//
//   - listening sockets for every address in config.bind on config.port
//     (non-blocking, SO_REUSEADDR; IPv6 ones IPV6_V6ONLY as Redis does);
//   - each accepted connection gets an engine Client; bytes read are handed to
//     Engine::Feed and whatever the engine appended to client->output is
//     written back without ever blocking: a partial write keeps the rest and
//     waits for EPOLLOUT;
//   - admission like acceptCommonHandler/clientAcceptHandler: maxclients and
//     protected mode are checked before a Client exists;
//   - cron at config.hz via the epoll timeout: Engine::Cron (active expiry,
//     stats) plus idle-client `timeout`;
//   - a client flagged close_after_reply (QUIT, protocol error, CLIENT KILL)
//     is closed once its pending output is flushed; others keep being served;
//   - a client the engine flagged close_asap (over client-output-buffer-limit
//     or client-query-buffer-limit) is closed at once, its output dropped;
//     client->output_sent tells the engine how much output is still pending;
//   - byte and read/write counters go to the engine's ServerStats (INFO);
//   - SIGTERM / SIGINT arrive through a signalfd and end Run() cleanly;
//   - a sync waker (set_sync_waker: PosixDisk's background fsync thread)
//     makes its fd readable when fsyncs finished; the loop then completes
//     their tickets on this thread and releases the replies that waited
//     for them (Server::ResumeBlockedClients), like Redis's bio completion
//     being noticed by the event loop.
//
// A Host (optional, set_host) owns the engine and may replace it: `plab
// serve --simulated-disk` runs the engine in a Lab whose disk can crash
// (native/simulated_disk_host.h). With a host, its Tick() runs the engine's
// cron on the host's clock; after every BeforeSleep it mirrors what became
// durable, before any reply of the batch is written; and when it asks for a
// restart (a simulated crash), the rest of that iteration's events are left,
// no reply of the batch is sent, every connection is closed, and serving
// goes on with the engine Restart() returns.
//
// Config values (maxclients, timeout, hz, protected-mode, requirepass) are
// read from the engine's live Config, so CONFIG SET takes effect at once.
// `bind` and `port` are read once by Listen(): unlike Redis 7.0, changing
// them with CONFIG SET does not rebind.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/engine.h"
#include "core/util/status.h"
#include "native/log.h"

namespace plab {

class TcpServer {
 public:
  // `engine` and `log` must outlive the server.
  TcpServer(Engine* engine, const Logger* log);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Creates the listening sockets. Fails (naming the address and the OS
  // error) if a non-optional address can't be bound. Addresses prefixed by
  // '-' are optional, as in Redis's `bind`.
  Status Listen();

  // Serves until SIGTERM or SIGINT. Returns the signal's name in *reason.
  Status Run(std::string* reason);

  // Number of connected clients (what maxclients limits).
  size_t connections() const { return conns_.size(); }

  class Host {
   public:
    virtual ~Host() = default;
    // Once per loop iteration, before its events: moves the host's clock to
    // now and runs the engine's periodic work that is due.
    virtual void Tick() = 0;
    // After each BeforeSleep, before the batch's replies go out. An error
    // stops the server (Run returns it).
    virtual Status AfterBeforeSleep() = 0;
    virtual bool RestartPending() const = 0;
    // Called with no client connected: the engine to serve from now on (not
    // owned), or why serving must stop.
    virtual Result<Engine*> Restart() = 0;
  };
  // `host` (not owned) must outlive the server; set before Run().
  void set_host(Host* host) { host_ = host; }
  // `fd` (not owned) becomes readable when background syncs finished;
  // `complete` is then called on the loop's thread to complete their
  // tickets. Set before Run().
  void set_sync_waker(int fd, std::function<void()> complete) {
    sync_fd_ = fd;
    complete_syncs_ = std::move(complete);
  }

 private:
  struct Connection {
    int fd = -1;
    Client* client = nullptr;
    bool reading = true;      // wants EPOLLIN (off once closing)
    bool writing = false;     // wants EPOLLOUT (output pending after EAGAIN)
    uint32_t registered = 0;  // the epoll mask currently installed
  };

  Status ListenOn(const std::string& addr, bool optional);
  Status SetUpSignals();
  void AcceptAll(int listen_fd);
  bool Admit(int fd, const std::string& ip);
  void OnEvent(Connection* c, uint32_t events);
  // Returns false if the connection was closed.
  bool ReadFrom(Connection* c);
  bool Flush(Connection* c);
  void UpdateInterest(Connection* c);
  void Close(Connection* c, const std::string& why);
  // Closes clients another command (CLIENT KILL) flagged close_after_reply.
  void CloseKilledClients();
  void Cron();
  // With a host asking for a restart: drops every client, switches engines.
  Status RestartIfAsked();
  // beforeSleep(): AOF flush, then the replies of the batch go out.
  void FlushBatch();
  // SIGTERM/SIGINT: true when the server may exit (the final save worked).
  bool ShutdownOnSignal(const char* name);
  int64_t CronPeriodMs() const;
  // The sync waker fired: complete tickets, send what they released.
  void OnSyncsFinished();

  Engine* engine_;
  Host* host_ = nullptr;
  Status host_status_;  // the first error AfterBeforeSleep returned
  const Logger* log_;
  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  int sync_fd_ = -1;
  std::function<void()> complete_syncs_;
  std::vector<int> listeners_;
  std::unordered_map<int, std::unique_ptr<Connection>> conns_;
  int64_t next_cron_ms_ = 0;
  // A background save wants the idle time (see Run).
  bool background_pending_ = false;
  // Connections that produced output in this batch: flushed after
  // BeforeSleep() (the AOF write and fsync come before any reply).
  std::vector<int> to_flush_;
  static constexpr int64_t kIdleBackgroundSliceUs = 5000;
  bool sweep_killed_ = false;
  std::string read_buf_;
};

}  // namespace plab
