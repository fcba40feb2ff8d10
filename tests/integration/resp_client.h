// A tiny blocking RESP2 client over a loopback TCP socket, for integration
// tests only (POSIX sockets; never part of core/).
//
//   plab::it::RespClient c;
//   if (!c.Connect(port)) FAIL(c.error());
//   std::optional<Reply> r = c.Call({"SET", "k", "v"});   // r->raw == "+OK\r\n"
//
// Every read has a deadline (default 10 s) so a server that never answers
// fails the test instead of hanging it. Writes interleave with reads, so a
// huge pipelined burst can't deadlock on full socket buffers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plab::it {

// One parsed RESP2 reply. `raw` holds its exact bytes on the wire.
struct Reply {
  char type = 0;         // '+', '-', ':', '$', '*'
  bool is_null = false;  // $-1 or *-1
  std::string str;       // simple string, error (without '-'), bulk payload
  int64_t integer = 0;   // ':' replies, and array / bulk lengths
  std::vector<Reply> elems;
  std::string raw;

  bool is_error() const { return type == '-'; }
  bool is_array() const { return type == '*' && !is_null; }
};

// Encodes argv as a RESP multibulk request.
std::string EncodeCommand(const std::vector<std::string>& argv);

// Parses one complete reply from the front of `buf`. Returns the number of
// bytes used, 0 if `buf` holds no complete reply yet, or -1 if the bytes are
// not valid RESP2.
int64_t ParseReply(std::string_view buf, Reply* out);

class RespClient {
 public:
  RespClient() = default;
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  // Connects to 127.0.0.1:port. On failure returns false and sets error().
  bool Connect(int port);
  void Close();
  bool connected() const { return fd_ >= 0; }

  // Sends raw bytes (a whole pipeline is fine). Received bytes are buffered.
  bool SendRaw(std::string_view bytes);
  bool Send(const std::vector<std::string>& argv) { return SendRaw(EncodeCommand(argv)); }

  // Reads the next reply; nullopt on timeout, EOF, or bad RESP (see error()).
  std::optional<Reply> Read(int timeout_ms = 10000);
  // Send + Read.
  std::optional<Reply> Call(const std::vector<std::string>& argv, int timeout_ms = 10000);

  // True when the peer closes the connection within the timeout. Bytes that
  // arrive meanwhile are buffered (Read() still returns them).
  bool WaitForClose(int timeout_ms = 5000);

  const std::string& error() const { return error_; }

 private:
  // Reads what is available into buf_; waits up to timeout_ms for the first
  // byte. Returns false on EOF/error/timeout.
  bool Fill(int timeout_ms);

  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
  std::string error_;
};

}  // namespace plab::it
