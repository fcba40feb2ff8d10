#include "tests/integration/resp_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace plab::it {
namespace {

// Parses a decimal integer line ("-1", "42").
bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

int64_t ParseReply(std::string_view buf, Reply* out) {
  size_t eol = buf.find("\r\n");
  if (eol == std::string_view::npos) return 0;
  if (eol == 0) return -1;
  *out = Reply{};
  out->type = buf[0];
  std::string_view line = buf.substr(1, eol - 1);
  size_t used = eol + 2;
  switch (out->type) {
    case '+':
    case '-':
      out->str = std::string(line);
      break;
    case ':':
      if (!ParseInt(line, &out->integer)) return -1;
      break;
    case '$': {
      if (!ParseInt(line, &out->integer) || out->integer < -1) return -1;
      if (out->integer == -1) {
        out->is_null = true;
        break;
      }
      size_t len = static_cast<size_t>(out->integer);
      if (buf.size() < used + len + 2) return 0;
      if (buf.substr(used + len, 2) != "\r\n") return -1;
      out->str = std::string(buf.substr(used, len));
      used += len + 2;
      break;
    }
    case '*': {
      if (!ParseInt(line, &out->integer) || out->integer < -1) return -1;
      if (out->integer == -1) {
        out->is_null = true;
        break;
      }
      for (int64_t i = 0; i < out->integer; ++i) {
        Reply elem;
        int64_t n = ParseReply(buf.substr(used), &elem);
        if (n <= 0) return n;
        used += static_cast<size_t>(n);
        out->elems.push_back(std::move(elem));
      }
      break;
    }
    default:
      return -1;
  }
  out->raw = std::string(buf.substr(0, used));
  return static_cast<int64_t>(used);
}

RespClient::~RespClient() { Close(); }

bool RespClient::Connect(int port) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    error_ = "connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    Close();
    return false;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  buf_.clear();
  eof_ = false;
  return true;
}

void RespClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RespClient::SendRaw(std::string_view bytes) {
  if (fd_ < 0) {
    error_ = "not connected";
    return false;
  }
  size_t off = 0;
  while (off < bytes.size()) {
    pollfd p{fd_, POLLOUT | POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) {
      error_ = "send timed out";
      return false;
    }
    // Drain replies while writing so neither side blocks on a full buffer.
    if ((p.revents & POLLIN) != 0 && !eof_) Fill(0);
    if ((p.revents & POLLOUT) == 0) {
      if ((p.revents & (POLLERR | POLLHUP)) != 0) {
        error_ = "connection closed while sending";
        return false;
      }
      continue;
    }
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

bool RespClient::Fill(int timeout_ms) {
  if (fd_ < 0 || eof_) return false;
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  if (r <= 0) {
    error_ = r == 0 ? "timed out waiting for a reply" : std::strerror(errno);
    return false;
  }
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    eof_ = true;
    error_ = n == 0 ? "connection closed by server" : std::strerror(errno);
    return false;
  }
  buf_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<Reply> RespClient::Read(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (true) {
    Reply r;
    int64_t n = ParseReply(buf_, &r);
    if (n < 0) {
      error_ = "malformed reply: " + buf_.substr(0, 200);
      return std::nullopt;
    }
    if (n > 0) {
      buf_.erase(0, static_cast<size_t>(n));
      return r;
    }
    int64_t left = deadline - NowMs();
    if (left < 0 || !Fill(static_cast<int>(left))) return std::nullopt;
  }
}

std::optional<Reply> RespClient::Call(const std::vector<std::string>& argv, int timeout_ms) {
  if (!Send(argv)) return std::nullopt;
  return Read(timeout_ms);
}

bool RespClient::WaitForClose(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (!eof_) {
    int64_t left = deadline - NowMs();
    if (left < 0) return false;
    if (!Fill(static_cast<int>(left)) && !eof_) return false;
  }
  return true;
}

}  // namespace plab::it
