#include "tests/crash_replay/trace.h"

#include <fcntl.h>

#include <cstdlib>
#include <sstream>
#include <utility>

namespace plab::crash_replay {
namespace {

std::string Relative(std::string_view abs, const std::string& root) {
  if (abs == root) return "";
  if (abs.size() > root.size() && abs.substr(0, root.size()) == root && abs[root.size()] == '/') {
    return std::string(abs.substr(root.size() + 1));
  }
  return std::string(abs);
}

// The record letters fs_recorder.c writes, one per traced call.
bool KindOf(char c, TraceOp::Kind* kind) {
  using K = TraceOp::Kind;
  static constexpr std::pair<char, K> kLetters[] = {
      {'O', K::kOpen},      {'W', K::kWrite},  {'T', K::kTruncate}, {'S', K::kSync},
      {'R', K::kSyncRange}, {'C', K::kClose},  {'U', K::kUnlink},   {'M', K::kMkdir},
      {'N', K::kRename},    {'X', K::kSyncAll}};
  for (const auto& [letter, k] : kLetters) {
    if (letter == c) {
      *kind = k;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ParseTrace(std::string_view log, const std::string& root, std::vector<TraceOp>* ops,
                std::string* error) {
  size_t pos = 0;
  while (pos < log.size()) {
    const size_t eol = log.find('\n', pos);
    if (eol == std::string_view::npos) break;  // torn header
    std::istringstream head(std::string(log.substr(pos, eol - pos)));
    char op = 0;
    TraceOp t;
    uint64_t len = 0;
    if (!(head >> op >> t.fd >> t.arg >> len >> t.time_ns) || !KindOf(op, &t.kind)) {
      *error = "malformed trace record at byte " + std::to_string(pos);
      return false;
    }
    if (eol + 1 + len > log.size()) break;  // torn payload
    std::string_view payload = log.substr(eol + 1, len);
    pos = eol + 1 + len;
    t.log_end = pos;
    if (t.kind == TraceOp::Kind::kWrite) {
      t.data = std::string(payload);
    } else if (t.kind == TraceOp::Kind::kRename) {
      const size_t nul = payload.find('\0');
      t.path = Relative(payload.substr(0, nul), root);
      t.path2 = Relative(payload.substr(nul + 1), root);
    } else {
      t.path = Relative(payload, root);
    }
    ops->push_back(std::move(t));
  }
  return true;
}

std::string Describe(const TraceOp& op) {
  using K = TraceOp::Kind;
  std::ostringstream s;
  switch (op.kind) {
    case K::kOpen:
      s << "open fd " << op.fd << " " << (op.path.empty() ? "." : op.path)
        << ((op.arg & O_CREAT) ? " O_CREAT" : "") << ((op.arg & O_TRUNC) ? " O_TRUNC" : "");
      break;
    case K::kWrite:
      s << "write fd " << op.fd << " @" << op.arg << " +" << op.data.size();
      break;
    case K::kTruncate:
      s << "ftruncate fd " << op.fd << " to " << op.arg;
      break;
    case K::kSync:
      s << "fsync fd " << op.fd;
      break;
    case K::kSyncRange:
      s << "sync_file_range fd " << op.fd;
      break;
    case K::kClose:
      s << "close fd " << op.fd;
      break;
    case K::kUnlink:
      s << "unlink " << op.path;
      break;
    case K::kMkdir:
      s << "mkdir " << op.path;
      break;
    case K::kRename:
      s << "rename " << op.path << " -> " << op.path2;
      break;
    case K::kSyncAll:
      s << "sync()";
      break;
  }
  return s.str();
}

}  // namespace plab::crash_replay
