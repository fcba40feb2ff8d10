// `plab serve` against hostile clients (issue 13 §5), each case run on
// redis-server 7.0.15 too, which is the oracle: a client that never reads
// (client-output-buffer-limit), a seeded corpus of random and RESP-like
// garbage, arguments piling up past client-query-buffer-limit, 5,000
// concurrent connections and the client one past maxclients.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::it {
namespace {

using Kind = ServerProcess::Kind;

std::unique_ptr<ServerProcess> MustStart(Kind kind, const std::vector<std::string>& args = {}) {
  std::string error;
  std::unique_ptr<ServerProcess> s = ServerProcess::Start(kind, &error, args);
  REQUIRE_MESSAGE(s != nullptr, error);
  return s;
}

// The value of `field` in an INFO reply ("" when absent).
std::string InfoField(RespClient& c, const std::string& section, const std::string& field) {
  std::optional<Reply> r = c.Call({"INFO", section});
  if (!r || r->type != '$') return "";
  const std::string key = field + ":";
  size_t at = r->str.find("\r\n" + key);
  if (at == std::string::npos) return "";
  at += 2 + key.size();
  return r->str.substr(at, r->str.find("\r\n", at) - at);
}

// Resident set size of the server answering on `c`, in KB (VmRSS).
int64_t RssKb(RespClient& c) {
  const std::string pid = InfoField(c, "server", "process_id");
  std::ifstream status("/proc/" + pid + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Waits until INFO reports `n` connected clients (the asking one included).
bool WaitForClients(RespClient& c, int n, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (InfoField(c, "clients", "connected_clients") == std::to_string(n)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A raw loopback connection with a small receive buffer, for clients that
// send and then never read (RespClient reads while it writes).
int RawConnect(int port, int rcvbuf = 4096) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// The log line a server wrote about a client dropped for its output buffer.
std::string OutputLimitLine(const ServerProcess& s) {
  const std::string log = s.Log();
  const size_t end = log.find(" for overcoming of output buffer limits.");
  if (end == std::string::npos) return "";
  const size_t start = log.rfind("Client id=", end);
  return start == std::string::npos ? "" : log.substr(start, end - start);
}

// "id addr laddr fd name ...": the keys of a CLIENT LIST line, in order.
std::string KeysOf(const std::string& info) {
  std::string keys;
  size_t pos = 0;
  while (pos < info.size()) {
    size_t eq = info.find('=', pos);
    size_t sp = info.find(' ', pos);
    if (eq == std::string::npos) break;
    if (sp != std::string::npos && sp < eq) {  // a word without '=' (the verdict)
      pos = sp + 1;
      continue;
    }
    keys += info.substr(pos, eq - pos) + " ";
    pos = sp == std::string::npos ? info.size() : sp + 1;
  }
  return keys;
}

struct NeverReaderResult {
  bool dropped = false;
  int64_t rss_growth_kb = 0;
  int64_t ms_to_drop = 0;
  std::string log_line;
};

// A client pipelines `gets` GETs of a 100 KB value and never reads. Returns
// whether the server dropped it within 20 s and how much its RSS grew.
NeverReaderResult RunNeverReader(Kind kind, const std::string& limit, int gets) {
  std::unique_ptr<ServerProcess> s = MustStart(kind);
  RespClient control;
  REQUIRE(control.Connect(s->port()));
  REQUIRE(control.Call({"CONFIG", "SET", "client-output-buffer-limit", limit})->raw == "+OK\r\n");
  REQUIRE(control.Call({"SET", "big", std::string(100 * 1024, 'v')})->raw == "+OK\r\n");
  NeverReaderResult out;
  const int64_t rss_before = RssKb(control);
  std::string pipeline;
  for (int i = 0; i < gets; ++i) pipeline += EncodeCommand({"GET", "big"});
  int fd = RawConnect(s->port());
  REQUIRE(WaitForClients(control, 2, 5000));  // accepted, so a drop is seen
  const auto start = std::chrono::steady_clock::now();
  CHECK(SendAll(fd, pipeline));
  out.dropped = WaitForClients(control, 1, 20000);
  out.ms_to_drop = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  out.rss_growth_kb = RssKb(control) - rss_before;
  out.log_line = OutputLimitLine(*s);
  ::close(fd);
  MESSAGE(s->name() << ": dropped=" << out.dropped << " after " << out.ms_to_drop
                    << " ms, RSS grew by " << out.rss_growth_kb << " KB; log: " << out.log_line);
  return out;
}

// A seeded piece of garbage: random bytes, RESP-looking fragments (bad and
// huge lengths, missing CRLFs, nested arrays) or inline text with quotes.
// Multibulk counts stay at or under 1,048,576: above it PersistLab refuses
// up front where Redis 7.0 waits (a deliberate bound, protocol_test.cc).
std::string Garbage(std::mt19937_64& rng) {
  static const std::vector<std::string> kTokens = {"*",
                                                   "$",
                                                   "*1\r\n",
                                                   "*2\r\n",
                                                   "*-1\r\n",
                                                   "$-1\r\n",
                                                   "$4\r\n",
                                                   "PING",
                                                   "ECHO",
                                                   "GET",
                                                   "\r\n",
                                                   "\n",
                                                   "\r",
                                                   "0",
                                                   "1",
                                                   "99999999999999999999",
                                                   "-5",
                                                   "*3\r\n*1\r\n",
                                                   "\"",
                                                   "'",
                                                   "\\x41",
                                                   " ",
                                                   "$536870913\r\n",
                                                   "*1048576\r\n",
                                                   "+OK\r\n",
                                                   ":1\r\n",
                                                   "\x00",
                                                   "\xff"};
  std::string out;
  const int mode = static_cast<int>(rng() % 3);
  const size_t len = 1 + rng() % 300;
  while (out.size() < len) {
    if (mode == 0) {
      out.push_back(static_cast<char>(rng() & 0xff));
    } else if (mode == 1) {
      out += kTokens[rng() % kTokens.size()];
    } else {
      const char c = static_cast<char>(' ' + rng() % 95);
      out.push_back(rng() % 20 == 0 ? '\n' : c);
    }
  }
  return out;
}

// `s` with every byte outside printable ASCII as \xHH, for messages.
std::string Escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= ' ' && c < 127 && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Sends every piece of `corpus` on its own connection at once, waits, and
// returns what came back on each: the replies, then <closed> or <open>.
std::vector<std::string> Transcripts(int port, const std::vector<std::string>& corpus) {
  std::vector<int> fds;
  for (const std::string& bytes : corpus) {
    int fd = RawConnect(port, 1 << 20);
    SendAll(fd, bytes);  // a server may hang up early: what it said is kept
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::vector<std::string> out;
  for (int fd : fds) {
    std::string got;
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    char buf[65536];
    bool closed = false;
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n > 0) {
        got.append(buf, static_cast<size_t>(n));
        continue;
      }
      closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      break;
    }
    out.push_back(got + (closed ? "<closed>" : "<open>"));
    ::close(fd);
  }
  return out;
}

}  // namespace

TEST_SUITE("hostile clients") {
  TEST_CASE("a client that never reads is dropped at its output limit, as redis-server does") {
    // The measurement: GETs of a 100 KB value, pipelined, never read.
    const std::string limit = "normal 1mb 512kb 2";
    NeverReaderResult redis = RunNeverReader(Kind::kRedis, limit, 3000);
    NeverReaderResult plab = RunNeverReader(Kind::kPlab, limit, 3000);
    CHECK(redis.dropped);
    CHECK(plab.dropped);
    // 3,000 replies are 300 MB: a bounded server holds a few MB of them.
    CHECK(plab.rss_growth_kb < 64 * 1024);
    CHECK(redis.rss_growth_kb < 64 * 1024);
    // Both log "Client <CLIENT LIST line> scheduled to be closed ASAP ...".
    REQUIRE(!redis.log_line.empty());
    REQUIRE(!plab.log_line.empty());
    CHECK(KeysOf(plab.log_line) == KeysOf(redis.log_line));
    CHECK(plab.log_line.find(" cmd=get ") != std::string::npos);
    CHECK(plab.log_line.size() > 32);
    CHECK(plab.log_line.substr(plab.log_line.size() - 32) ==
          redis.log_line.substr(redis.log_line.size() - 32));
  }

  TEST_CASE("the soft output limit drops a client only after its seconds, as redis-server does") {
    // 4 MB of replies: more than the sockets hold, under no hard limit.
    const std::string limit = "normal 0 512kb 1";
    NeverReaderResult redis = RunNeverReader(Kind::kRedis, limit, 40);
    NeverReaderResult plab = RunNeverReader(Kind::kPlab, limit, 40);
    CHECK(redis.dropped);
    CHECK(plab.dropped);
    // "more than 1 second" in whole seconds of the clock: 1 to 2 s, plus a
    // cron period.
    CHECK(plab.ms_to_drop >= 900);
    CHECK(redis.ms_to_drop >= 900);
    CHECK(plab.ms_to_drop < 4000);
    CHECK(plab.log_line.find("closed") != std::string::npos);
  }

  TEST_CASE("a seeded corpus of garbage gets the same replies from plab serve as from Redis") {
    // PLAB_HOSTILE_SEED=<n> runs another corpus.
    const char* seed_env = std::getenv("PLAB_HOSTILE_SEED");
    const uint64_t seed = seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10) : 1313;
    MESSAGE("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<std::string> corpus;
    for (int i = 0; i < 400; ++i) corpus.push_back(Garbage(rng));
    std::unique_ptr<ServerProcess> redis = MustStart(Kind::kRedis);
    std::unique_ptr<ServerProcess> plab = MustStart(Kind::kPlab);
    RespClient control;
    REQUIRE(control.Connect(plab->port()));
    const int64_t rss_before = RssKb(control);
    const std::vector<std::string> want = Transcripts(redis->port(), corpus);
    const std::vector<std::string> got = Transcripts(plab->port(), corpus);
    int closed = 0, differ = 0;
    for (size_t i = 0; i < corpus.size(); ++i) {
      closed += want[i].ends_with("<closed>");
      if (got[i] == want[i]) continue;
      if (++differ <= 5) {
        MESSAGE("input " << i << ": " << Escaped(corpus[i]) << "\n  plab:  " << Escaped(got[i])
                         << "\n  redis: " << Escaped(want[i]));
      }
    }
    CHECK(differ == 0);
    MESSAGE(closed << " of " << corpus.size() << " connections closed by Redis");
    CHECK(closed > 50);  // the corpus does reach the protocol errors
    // The server still serves, and the garbage left no memory behind.
    CHECK(control.Call({"PING"})->raw == "+PONG\r\n");
    CHECK(RssKb(control) - rss_before < 32 * 1024);
  }

  TEST_CASE("arguments piling up past client-query-buffer-limit close the client") {
    // Each 400 KB argument of an unfinished command leaves the byte buffer
    // once parsed; PersistLab counts it against the limit anyway. Redis
    // 7.0.15 counts only its byte buffer and keeps this client (checked
    // below, so the difference stays documented by a test).
    for (Kind kind : {Kind::kPlab, Kind::kRedis}) {
      std::unique_ptr<ServerProcess> s = MustStart(kind);
      CAPTURE(s->name());
      RespClient control;
      REQUIRE(control.Connect(s->port()));
      REQUIRE(control.Call({"CONFIG", "SET", "client-query-buffer-limit", "1mb"})->raw ==
              "+OK\r\n");
      RespClient hostile;
      REQUIRE(hostile.Connect(s->port()));
      const std::string arg(400 * 1024, 'a');
      REQUIRE(hostile.SendRaw("*5\r\n$3\r\nSET\r\n"));
      for (int i = 0; i < 3; ++i) {
        hostile.SendRaw("$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      const bool closed = hostile.WaitForClose(2000);
      CHECK(closed == (kind == Kind::kPlab));
      if (kind == Kind::kPlab) {
        CHECK(s->Log().find("Closing client that reached max query buffer length: id=") !=
              std::string::npos);
      }
      CHECK(control.Call({"PING"})->raw == "+PONG\r\n");
    }
  }

  TEST_CASE("5,000 concurrent loopback connections all get PONG") {
    constexpr int kConnections = 5000;
    rlimit nofile{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &nofile) == 0);
    if (nofile.rlim_cur < kConnections + 100) {
      nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, kConnections + 100);
      ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
    REQUIRE_MESSAGE(nofile.rlim_cur >= kConnections + 100, "the open files limit is too low");
    std::unique_ptr<ServerProcess> s = MustStart(Kind::kPlab);
    std::vector<int> fds;
    for (int i = 0; i < kConnections; ++i) fds.push_back(RawConnect(s->port(), 1 << 16));
    for (int fd : fds) REQUIRE(SendAll(fd, "*1\r\n$4\r\nPING\r\n"));
    int pongs = 0;
    for (int fd : fds) {
      pollfd p{fd, POLLIN, 0};
      std::string got;
      while (got.size() < 7 && ::poll(&p, 1, 10000) == 1) {
        char buf[16];
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      pongs += got == "+PONG\r\n";
    }
    CHECK(pongs == kConnections);
    RespClient control;
    REQUIRE(control.Connect(s->port()));
    CHECK(InfoField(control, "clients", "connected_clients") == std::to_string(kConnections + 1));
    for (int fd : fds) ::close(fd);
    CHECK(WaitForClients(control, 1, 10000));
  }

  TEST_CASE("the client one past maxclients gets Redis's error and is closed") {
    for (Kind kind : {Kind::kRedis, Kind::kPlab}) {
      std::unique_ptr<ServerProcess> s = MustStart(kind, {"--maxclients", "3"});
      CAPTURE(s->name());
      std::vector<std::unique_ptr<RespClient>> admitted;
      for (int i = 0; i < 3; ++i) {
        admitted.push_back(std::make_unique<RespClient>());
        REQUIRE(admitted.back()->Connect(s->port()));
        REQUIRE(admitted.back()->Call({"PING"})->raw == "+PONG\r\n");
      }
      RespClient extra;
      REQUIRE(extra.Connect(s->port()));
      std::optional<Reply> r = extra.Read(5000);
      REQUIRE(r);
      CHECK(r->raw == "-ERR max number of clients reached\r\n");
      CHECK(extra.WaitForClose(5000));
      CHECK(admitted[0]->Call({"PING"})->raw == "+PONG\r\n");
      CHECK(InfoField(*admitted[0], "stats", "rejected_connections") == "1");
    }
  }
}

}  // namespace plab::it
