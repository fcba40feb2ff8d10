#include "native/tcp_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>

#include "core/server/client_limits.h"

namespace plab {
namespace {

// Read size per readable event; large enough that big values arrive in few
// loop iterations (Redis reads 16 KB, more when a big bulk is pending).
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kMaxAcceptsPerCall = 1000;  // like networking.c MAX_ACCEPTS_PER_CALL
constexpr int kMaxEvents = 256;
// Once this much already-written output sits at the front of a buffer that
// still has unwritten bytes, drop it instead of keeping it around.
constexpr size_t kCompactThreshold = 1 << 20;

// Sent, best effort, to connections refused before they get a client. These
// are protocol replies and must match Redis byte for byte.
constexpr char kMaxClientsReply[] = "-ERR max number of clients reached\r\n";
constexpr char kProtectedModeReply[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string ErrnoText() { return std::strerror(errno); }

// "ip:port", or "[ip]:port" for IPv6, like anetFormatAddr (CLIENT LIST addr=).
std::string FormatAddr(const sockaddr_storage& sa, std::string* ip_out = nullptr) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    port = ntohs(s->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
    port = ntohs(s->sin6_port);
  }
  if (ip_out != nullptr) *ip_out = ip;
  std::string host = sa.ss_family == AF_INET6 ? "[" + std::string(ip) + "]" : std::string(ip);
  return host + ":" + std::to_string(port);
}

std::string LocalAddr(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "";
  return FormatAddr(sa);
}

// TCP_NODELAY (replies go out at once) and keepalive probes like
// anetKeepAlive: idle `interval` seconds, then every interval/3, 3 probes.
void TuneSocket(int fd, int64_t keepalive) {
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  if (keepalive <= 0) return;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes));
  int idle = static_cast<int>(keepalive);
  int intvl = idle / 3 > 0 ? idle / 3 : 1;
  int cnt = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

// Errors that make an optional ('-' prefixed) bind address silently skipped,
// as Redis does for e.g. "-::*" on a host without IPv6.
bool IsUnsupportedAddressError(int err) {
  return err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
         err == ESOCKTNOSUPPORT || err == EPFNOSUPPORT || err == ENOPROTOOPT;
}

}  // namespace

TcpServer::TcpServer(Engine* engine, const Logger* log) : engine_(engine), log_(log) {}

TcpServer::~TcpServer() {
  while (!conns_.empty()) Close(conns_.begin()->second.get(), "Server shutting down");
  for (int fd : listeners_) close(fd);
  if (signal_fd_ >= 0) close(signal_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status TcpServer::Listen() {
  if (epoll_fd_ < 0) epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Status::IoError("epoll_create1: " + ErrnoText());
  const Config& config = engine_->server().config();
  // Redis: port 0 means "no TCP". Without a unix socket there is nothing
  // left to serve, and redis-server refuses to start in that case too.
  if (config.port == 0) return Status::InvalidArgument("Configured to not listen anywhere");
  std::istringstream words(config.bind);
  std::vector<std::string> addrs;
  for (std::string a; words >> a;) addrs.push_back(a);
  if (addrs.empty()) addrs = {"*", "-::*"};  // `bind ""`: every interface
  for (const std::string& a : addrs) {
    const bool optional = a[0] == '-';
    PLAB_RETURN_IF_ERROR(ListenOn(optional ? a.substr(1) : a, optional));
  }
  if (listeners_.empty()) {
    return Status::IoError("no address could be bound on port " + std::to_string(config.port));
  }
  return Status::Ok();
}

Status TcpServer::ListenOn(const std::string& addr, bool optional) {
  const Config& config = engine_->server().config();
  const std::string port = std::to_string(config.port);
  // "*" is every IPv4 interface, "::*" every IPv6 one (Redis's spelling).
  const char* host = addr == "*" ? "0.0.0.0" : addr == "::*" ? "::" : addr.c_str();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string where = addr + ":" + port;
  if (int rc = getaddrinfo(host, port.c_str(), &hints, &res); rc != 0) {
    return Status::IoError("Could not create server TCP listening socket " + where + ": " +
                           gai_strerror(rc));
  }
  int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int yes = 1;
  bool ok = fd >= 0;
  if (ok && res->ai_family == AF_INET6) {
    ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes)) == 0;
  }
  ok = ok && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) == 0 &&
       bind(fd, res->ai_addr, res->ai_addrlen) == 0 &&
       listen(fd, static_cast<int>(config.tcp_backlog)) == 0;
  const int err = errno;
  freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) close(fd);
    if (optional && IsUnsupportedAddressError(err)) {
      log_->Verbose("Skipping optional bind address " + where + ": " + std::strerror(err));
      return Status::Ok();
    }
    return Status::IoError("Could not create server TCP listening socket " + where + ": " +
                           std::strerror(err));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  listeners_.push_back(fd);
  return Status::Ok();
}

Status TcpServer::SetUpSignals() {
  // SIGPIPE: a peer that vanished must not kill the server (we also pass
  // MSG_NOSIGNAL). SIGTERM/SIGINT: delivered as readable data on a signalfd
  // so shutdown happens between events, never inside a handler.
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    return Status::IoError("sigprocmask: " + ErrnoText());
  }
  signal_fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return Status::IoError("signalfd: " + ErrnoText());
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = signal_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev);
  if (sync_fd_ >= 0) {
    ev.data.fd = sync_fd_;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, sync_fd_, &ev) != 0) {
      return Status::IoError("epoll_ctl (sync waker): " + ErrnoText());
    }
  }
  return Status::Ok();
}

Status TcpServer::Run(std::string* reason) {
  PLAB_RETURN_IF_ERROR(SetUpSignals());
  epoll_event events[kMaxEvents];
  next_cron_ms_ = SteadyMillis();
  for (;;) {
    int64_t now = SteadyMillis();
    if (now >= next_cron_ms_) {
      Cron();
      next_cron_ms_ = now + CronPeriodMs();
    }
    PLAB_RETURN_IF_ERROR(RestartIfAsked());
    // While a background save runs, idle time goes to it: poll without
    // waiting, and give the save a slice whenever no client needs us.
    const bool background = background_pending_;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents,
                       background ? 0 : static_cast<int>(next_cron_ms_ - now));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("epoll_wait: " + ErrnoText());
    }
    if (n == 0 && background) {
      background_pending_ = engine_->server().BackgroundWork(kIdleBackgroundSliceUs);
    }
    if (host_ != nullptr) host_->Tick();
    for (int i = 0; i < n; ++i) {
      // A simulated crash: what the other clients sent is never read.
      if (host_ != nullptr && host_->RestartPending()) break;
      const int fd = events[i].data.fd;
      if (fd == signal_fd_) {
        signalfd_siginfo info{};
        if (read(signal_fd_, &info, sizeof(info)) != sizeof(info)) continue;
        const char* name = info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
        if (ShutdownOnSignal(name)) {
          *reason = name;
          return Status::Ok();
        }
        continue;
      }
      if (fd == sync_fd_) {
        OnSyncsFinished();
        continue;
      }
      if (std::find(listeners_.begin(), listeners_.end(), fd) != listeners_.end()) {
        AcceptAll(fd);
        continue;
      }
      auto it = conns_.find(fd);
      if (it != conns_.end()) OnEvent(it->second.get(), events[i].events);
    }
    FlushBatch();
    PLAB_RETURN_IF_ERROR(RestartIfAsked());
    if (engine_->server().aof().fatal()) return Status::IoError("AOF write or fsync failed");
    if (sweep_killed_) CloseKilledClients();
    background_pending_ = engine_->server().HasActiveChild();
    if (engine_->server().shutdown_requested()) {
      *reason = "SHUTDOWN";
      return Status::Ok();
    }
  }
}

// sigShutdownHandler() + prepareForShutdown(): save when save points are
// configured; if that fails the server keeps running, as Redis does.
bool TcpServer::ShutdownOnSignal(const char* name) {
  log_->Warning(std::string("Received ") + name + " scheduling shutdown...");
  log_->Warning("User requested shutdown...");
  if (engine_->server().PrepareForShutdown(false, false) == RdbPersistence::Outcome::kOk) {
    return true;
  }
  log_->Warning("Error trying to save the DB, can't exit.");
  return false;
}

void TcpServer::CloseKilledClients() {
  sweep_killed_ = false;
  std::vector<int> killed;
  for (auto& [fd, conn] : conns_) {
    if (conn->reading && conn->client->close_after_reply) killed.push_back(fd);
  }
  for (int fd : killed) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) continue;
    it->second->reading = false;
    Flush(it->second.get());  // closes it once its pending output is out
  }
}

int64_t TcpServer::CronPeriodMs() const {
  // Redis clamps hz to 1..500 (CONFIG_MIN_HZ / CONFIG_MAX_HZ).
  int64_t hz = engine_->server().config().hz;
  hz = hz < 1 ? 1 : hz > 500 ? 500 : hz;
  return 1000 / hz;
}

void TcpServer::AcceptAll(int listen_fd) {
  for (int i = 0; i < kMaxAcceptsPerCall; ++i) {
    sockaddr_storage sa{};
    socklen_t len = sizeof(sa);
    int fd =
        accept4(listen_fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        log_->Warning("Accepting client connection: " + ErrnoText());
      }
      return;
    }
    std::string ip;
    std::string addr = FormatAddr(sa, &ip);
    log_->Verbose("Accepted " + addr);
    if (!Admit(fd, ip)) continue;
    const Config& config = engine_->server().config();
    TuneSocket(fd, config.tcp_keepalive);
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    // CLIENT LIST's fd= is the socket's descriptor, as in Redis.
    conn->client = engine_->Connect(addr, LocalAddr(fd), fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    conn->registered = EPOLLIN;
    conns_[fd] = std::move(conn);
  }
}

bool TcpServer::Admit(int fd, const std::string& ip) {
  const Config& config = engine_->server().config();
  const char* refusal = nullptr;
  // acceptCommonHandler: the limit counts connected clients.
  if (static_cast<int64_t>(conns_.size()) >= config.maxclients) {
    refusal = kMaxClientsReply;
  } else if (config.protected_mode && config.requirepass.empty() && ip != "127.0.0.1" &&
             ip != "::1") {
    // clientAcceptHandler (7.0): without a password, protected mode refuses
    // every peer that is not on the loopback interface, whatever `bind` says.
    refusal = kProtectedModeReply;
  }
  if (refusal == nullptr) return true;
  // Best effort, like Redis: the connection is dropped either way.
  ssize_t ignored = send(fd, refusal, std::strlen(refusal), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)ignored;
  ++engine_->server().stats().rejected_connections;
  close(fd);
  return false;
}

void TcpServer::OnEvent(Connection* c, uint32_t events) {
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (c->reading) {
      if (!ReadFrom(c)) return;
    } else if (events & (EPOLLHUP | EPOLLERR)) {
      Close(c, "Client closed connection");
      return;
    }
  }
  if (events & EPOLLOUT) Flush(c);
}

bool TcpServer::ReadFrom(Connection* c) {
  read_buf_.resize(kReadChunk);
  ssize_t n = read(c->fd, read_buf_.data(), read_buf_.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    Close(c, "Reading from client: " + ErrnoText());
    return false;
  }
  if (n == 0) {
    Close(c, "Client closed connection");
    return false;
  }
  ServerStats& stats = engine_->server().stats();
  stats.total_net_input_bytes += n;
  ++stats.total_reads_processed;
  Client* client = c->client;
  engine_->Feed(client, std::string_view(read_buf_.data(), static_cast<size_t>(n)));
  // Over client-query-buffer-limit or client-output-buffer-limit (the
  // engine logged why): dropped now, pending output and all (Redis's
  // freeClientAsync, done before the next wait).
  if (client->close_asap) {
    Close(c, "Client over a buffer limit");
    return false;
  }
  // After QUIT or a protocol error nothing more is read: the reply is
  // flushed and the connection closed (CLIENT_CLOSE_AFTER_REPLY).
  if (client->close_after_reply) c->reading = false;
  // CLIENT KILL marks *other* clients; close them before the next wait
  // rather than when they next send something.
  if (client->last_command && (client->last_command->flags & kCmdKillsClients)) {
    sweep_killed_ = true;
  }
  to_flush_.push_back(c->fd);
  return true;
}

void TcpServer::FlushBatch() {
  engine_->BeforeSleep();
  if (host_ != nullptr) {
    if (Status s = host_->AfterBeforeSleep(); !s.ok() && host_status_.ok()) host_status_ = s;
    // The machine dies before any reply of this batch leaves it.
    if (!host_status_.ok() || host_->RestartPending()) return;
  }
  std::vector<int> fds = std::move(to_flush_);
  to_flush_.clear();
  for (int fd : fds) {
    auto it = conns_.find(fd);
    if (it != conns_.end()) Flush(it->second.get());
  }
}

bool TcpServer::Flush(Connection* c) {
  std::string& out = c->client->output;
  size_t& sent = c->client->output_sent;  // the engine reads it (client_limits.h)
  ServerStats& stats = engine_->server().stats();
  bool wrote = false;
  while (size_t pending = PendingOutputBytes(*c->client)) {
    ssize_t n = send(c->fd, out.data() + sent, pending, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Close(c, "Error writing to client: " + ErrnoText());
      return false;
    }
    sent += static_cast<size_t>(n);
    stats.total_net_output_bytes += n;
    ++stats.total_writes_processed;
    wrote = true;
  }
  if (wrote) c->client->last_interaction_ms = engine_->server().clock().NowMillis();
  if (sent == out.size()) {
    out.clear();
    sent = 0;
    if (c->client->close_after_reply) {
      Close(c, "Closing client after reply");
      return false;
    }
  } else if (sent >= kCompactThreshold && sent * 2 >= out.size()) {
    out.erase(0, sent);
    sent = 0;
  }
  c->writing = !out.empty();
  UpdateInterest(c);
  return true;
}

void TcpServer::UpdateInterest(Connection* c) {
  uint32_t want = (c->reading ? EPOLLIN : 0u) | (c->writing ? EPOLLOUT : 0u);
  if (want == c->registered) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = c->fd;
  // A mask without EPOLLIN still reports EPOLLHUP/EPOLLERR, which is what a
  // connection that stopped reading waits for.
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
  c->registered = want;
}

void TcpServer::Close(Connection* c, const std::string& why) {
  if (log_->Enabled(LogLevel::kVerbose)) {
    log_->Verbose(why + ": id=" + std::to_string(c->client->id) + " addr=" + c->client->addr);
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  engine_->Disconnect(c->client);
  conns_.erase(c->fd);  // destroys *c
}

Status TcpServer::RestartIfAsked() {
  if (host_ == nullptr) return Status::Ok();
  PLAB_RETURN_IF_ERROR(host_status_);
  if (!host_->RestartPending()) return Status::Ok();
  while (!conns_.empty()) Close(conns_.begin()->second.get(), "Simulated crash");
  to_flush_.clear();
  sweep_killed_ = false;
  Result<Engine*> next = host_->Restart();
  if (!next.ok()) return next.status();
  engine_ = *next;
  background_pending_ = engine_->server().HasActiveChild();
  return Status::Ok();
}

void TcpServer::OnSyncsFinished() {
  complete_syncs_();
  // Replies held for those fsyncs (appendfsync always) go out with this
  // iteration's batch, after its BeforeSleep.
  engine_->server().ResumeBlockedClients();
  for (auto& [fd, conn] : conns_) {
    if (!conn->client->output.empty()) to_flush_.push_back(fd);
  }
}

void TcpServer::Cron() {
  if (host_ == nullptr) engine_->Cron();  // a host runs it from Tick()
  background_pending_ = engine_->server().HasActiveChild();
  // clientsCron() closed these (the soft output limit ran out, or a reply
  // released by cron went over a limit).
  std::vector<Connection*> over_limit;
  for (auto& [fd, conn] : conns_) {
    if (conn->client->close_asap) over_limit.push_back(conn.get());
  }
  for (Connection* c : over_limit) Close(c, "Client over a buffer limit");
  // Replies released by cron (a SAVE or an fsync that completed).
  for (auto& [fd, conn] : conns_) {
    if (!conn->client->output.empty()) to_flush_.push_back(fd);
  }
  FlushBatch();
  CloseKilledClients();  // catches kills the per-read check missed
  const int64_t timeout_s = engine_->server().config().timeout;
  if (timeout_s <= 0) return;
  // clientsCronHandleTimeout: idle longer than `timeout` seconds.
  const int64_t now_ms = engine_->server().clock().NowMillis();
  std::vector<Connection*> idle;
  for (auto& [fd, conn] : conns_) {
    if (now_ms - conn->client->last_interaction_ms > timeout_s * 1000) idle.push_back(conn.get());
  }
  for (Connection* c : idle) Close(c, "Closing idle client");
}

}  // namespace plab
