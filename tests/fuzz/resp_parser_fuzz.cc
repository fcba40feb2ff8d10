// The RESP request parser target (fuzz_entries.h, FuzzRespParser).
#include <cstdint>
#include <string>
#include <vector>

#include "core/resp/request_parser.h"
#include "tests/fuzz/fuzz_entries.h"

namespace plab::fuzz {
namespace {

using Argv = std::vector<std::string>;

// What a parser made of a stream: its commands and how it stopped.
struct Outcome {
  std::vector<Argv> commands;
  bool failed = false;
  std::string error;
  size_t buffered = 0;
  std::string problem;  // an invariant broken while parsing
};

ParserLimits LimitsProfile(int profile) {
  ParserLimits l;
  if (profile == 1) {  // tiny: every limit is reachable with short inputs
    l.max_bulk_len = 16;
    l.max_multibulk_len = 8;
    l.max_inline_len = 24;
  } else if (profile == 2) {
    l.max_bulk_len = 1024;
    l.max_multibulk_len = 64;
    l.max_inline_len = 256;
  }
  return l;
}

// Pulls every command the buffered bytes hold.
void Drain(RequestParser& p, size_t fed, Outcome* out) {
  for (;;) {
    Argv argv;
    RequestParser::Result r = p.Next(&argv);
    if (r == RequestParser::Result::kNeedMore) break;
    if (r == RequestParser::Result::kError) {
      out->failed = true;
      out->error = p.error();
      if (out->error.empty()) out->problem = "kError with an empty error()";
      return;
    }
    if (argv.empty()) out->problem = "kCommand with an empty argv";
    out->commands.push_back(std::move(argv));
  }
  // Memory grows only with bytes received.
  if (p.buffered() > fed) out->problem = "buffered() exceeds the bytes fed";
}

Outcome Parse(const std::vector<std::string_view>& pieces, uint8_t flags) {
  RequestParser p(LimitsProfile((flags >> 1) & 3));
  p.set_auth_required((flags & 1) != 0);
  Outcome out;
  size_t fed = 0;
  for (std::string_view piece : pieces) {
    p.Feed(piece);
    fed += piece.size();
    Drain(p, fed, &out);
    if (out.failed || !out.problem.empty()) break;
  }
  out.buffered = p.buffered();
  return out;
}

// splitmix64: the split points come from the fuzz data, so a crash input
// replays with the same pieces.
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<std::string_view> RandomPieces(std::string_view s, uint64_t seed) {
  std::vector<std::string_view> pieces;
  // Mostly short pieces (1..8 bytes), sometimes longer ones.
  const uint64_t max_piece = (seed & 1) != 0 ? 8 : 64;
  size_t at = 0;
  while (at < s.size()) {
    size_t n = 1 + static_cast<size_t>(NextRandom(&seed) % max_piece);
    if (n > s.size() - at) n = s.size() - at;
    pieces.push_back(s.substr(at, n));
    at += n;
  }
  return pieces;
}

std::string EncodeMultibulk(const Argv& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Every accepted command, sent again as multibulk, parses back to itself
// (with generous limits: the command was already accepted once).
std::string ReencodeProblem(const std::vector<Argv>& commands) {
  for (const Argv& argv : commands) {
    RequestParser p;
    p.Feed(EncodeMultibulk(argv));
    Argv again;
    if (p.Next(&again) != RequestParser::Result::kCommand) {
      return "a command re-encoded as multibulk does not parse: " + p.error();
    }
    if (again != argv) return "a command re-encoded as multibulk parses to another argv";
    if (p.Next(&again) != RequestParser::Result::kNeedMore || p.buffered() != 0) {
      return "a re-encoded command leaves bytes behind";
    }
  }
  return "";
}

bool IsPrefix(const std::vector<Argv>& a, const std::vector<Argv>& b) {
  if (a.size() > b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string FuzzRespParser(std::string_view data) {
  if (data.size() < 5) return "";
  const uint8_t flags = static_cast<uint8_t>(data[0]);
  uint64_t seed = 0;
  for (int i = 1; i < 5; ++i) seed = (seed << 8) | static_cast<uint8_t>(data[i]);
  std::string_view stream = data.substr(5);

  Outcome whole = Parse({stream}, flags);
  if (!whole.problem.empty()) return "fed whole: " + whole.problem;
  Outcome split = Parse(RandomPieces(stream, seed), flags);
  if (!split.problem.empty()) return "fed in pieces: " + split.problem;

  const bool same = whole.commands == split.commands && whole.failed == split.failed &&
                    whole.error == split.error &&
                    // After an error the pieces not yet fed are not buffered.
                    (whole.failed || whole.buffered == split.buffered);
  if (!same) {
    // Redis judges "too big" (no line end within the limit) on what has
    // arrived so far, so pieces may hit it before the whole stream does.
    const bool early_limit = split.failed && split.error.find("too big") != std::string::npos &&
                             IsPrefix(split.commands, whole.commands);
    if (!early_limit) {
      return "pieces and whole stream differ: " + std::to_string(split.commands.size()) + " vs " +
             std::to_string(whole.commands.size()) + " commands, error '" + split.error + "' vs '" +
             whole.error + "'";
    }
  }
  return ReencodeProblem(whole.commands);
}

}  // namespace plab::fuzz
