#include "tests/crash_replay/replay.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"

namespace plab::crash_replay {
namespace {

using it::Reply;
using it::RespClient;
using it::ServerProcess;

constexpr int64_t kEverySecWindowNs = 2'000'000'000;
constexpr size_t kSamplesPerPoint = 3;
constexpr size_t kMaxReportedFailures = 5;

uint64_t LogSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file under `dir` (relative path -> bytes), to see whether a server
// that refused to start changed anything.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      files[std::filesystem::relative(e.path(), dir).string()] = ReadAll(e.path().string());
    }
  }
  return files;
}

std::string InfoField(const std::string& info, const std::string& name) {
  const size_t at = info.find(name + ":");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 1;
  return info.substr(from, info.find("\r\n", from) - from);
}

// Records one run. acks[i] belongs to the i-th data step.
class Recorder {
 public:
  Recorder(const Policy& policy, const ReplayOptions& options, std::string dir, std::string log)
      : policy_(policy), options_(options), dir_(std::move(dir)), log_(std::move(log)) {}

  bool Run(const std::vector<Step>& steps, std::vector<Ack>* acks, std::string* error) {
    ::setenv("LD_PRELOAD", options_.recorder.c_str(), 1);
    ::setenv("PLAB_FSREC_ROOT", dir_.c_str(), 1);
    ::setenv("PLAB_FSREC_LOG", log_.c_str(), 1);
    ::setenv("PLAB_FSREC_DROP", options_.drop_syncs.c_str(), 1);
    std::vector<std::string> args = policy_.server_args;
    args.insert(args.end(), {"--dir", dir_});
    std::unique_ptr<ServerProcess> server =
        ServerProcess::Start(ServerProcess::Kind::kPlab, error, args);
    ::unsetenv("LD_PRELOAD");
    ::unsetenv("PLAB_FSREC_ROOT");
    ::unsetenv("PLAB_FSREC_LOG");
    ::unsetenv("PLAB_FSREC_DROP");
    if (server == nullptr) return false;
    // Saves are polled on a second connection: the first may be inside MULTI.
    if (!client_.Connect(server->port()) || !poller_.Connect(server->port())) {
      *error = "connect: " + client_.error() + poller_.error();
      return false;
    }
    for (const Step& s : steps) {
      if (!RunStep(s, acks, error)) return false;
      if (policy_.pause_ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(policy_.pause_ms));
      }
    }
    // Let a pending BGSAVE finish so its completion is in the trace too.
    for (int i = 0; i < 200 && pending_save_ >= 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!PollSave(acks, error)) return false;
    }
    server->Kill();
    return true;
  }

 private:
  bool RunStep(const Step& s, std::vector<Ack>* acks, std::string* error) {
    Ack a;
    a.sent_log = LogSize(log_);
    std::optional<Reply> r = client_.Call(s.argv);
    if (!r) {
      *error = "no reply to " + s.argv[0] + ": " + client_.error();
      return false;
    }
    a.ack_log = LogSize(log_);
    a.ack_ns = MonotonicNs();
    a.reply = r->raw;
    if (!s.control) {
      acks->push_back(std::move(a));
      return pending_save_ < 0 || PollSave(acks, error);
    }
    if (s.argv[0] == "SAVE" && r->raw == "+OK\r\n") MarkSaved(acks->size(), a.ack_log, acks);
    if (s.argv[0] == "BGSAVE" && r->str.find("started") != std::string::npos) {
      pending_save_ = static_cast<int64_t>(acks->size());
    }
    return true;
  }

  // Asks whether the pending BGSAVE is done; if so the steps before it are
  // durable from here on.
  bool PollSave(std::vector<Ack>* acks, std::string* error) {
    std::optional<Reply> info = poller_.Call({"INFO", "persistence"});
    if (!info) {
      *error = "INFO: " + poller_.error();
      return false;
    }
    if (InfoField(info->str, "rdb_bgsave_in_progress") != "0") return true;
    if (InfoField(info->str, "rdb_last_bgsave_status") == "ok") {
      MarkSaved(static_cast<size_t>(pending_save_), LogSize(log_), acks);
    }
    pending_save_ = -1;
    return true;
  }

  static void MarkSaved(size_t before, uint64_t log, std::vector<Ack>* acks) {
    for (size_t i = 0; i < before; ++i) (*acks)[i].saved_log = std::min((*acks)[i].saved_log, log);
  }

  const Policy& policy_;
  const ReplayOptions& options_;
  std::string dir_;
  std::string log_;
  RespClient client_;
  RespClient poller_;
  int64_t pending_save_ = -1;
};

// A crash state to check: after `point` trace operations, chosen by `kind`
// (0 durable only, 1 every name kept and every file torn inside its last
// pending write, 2 everything written, 3.. sampled, last reordered) with
// `seed`.
struct Candidate {
  size_t point = 0;
  int kind = 0;
  uint64_t seed = 0;
};

constexpr int kKinds = 3 + static_cast<int>(kSamplesPerPoint) + 1;

FsImage MakeImage(const FsModel& fs, const Candidate& c) {
  if (c.kind == 0) return fs.Durable();
  if (c.kind == 1) return fs.TornLast();
  if (c.kind == 2) return fs.Volatile();
  std::mt19937_64 rng(c.seed);
  return fs.Sample(rng, c.kind == kKinds - 1);
}

// Whether a crash after `point` operations falls within a few operations
// after a name operation (create, rename, unlink, mkdir): where rewrites and
// saves switch files, and where a missing fsync shows.
bool NearNameOp(const std::vector<TraceOp>& ops, size_t point) {
  using K = TraceOp::Kind;
  for (size_t i = point >= 5 ? point - 5 : 0; i < point; ++i) {
    const TraceOp& t = ops[i];
    if (t.kind == K::kRename || t.kind == K::kUnlink || t.kind == K::kMkdir ||
        (t.kind == K::kOpen && (t.arg & O_CREAT) != 0)) {
      return true;
    }
  }
  return false;
}

// Walks the trace once and keeps every distinct state, then picks at most
// `options.states`: first (up to half) the durable-only and torn-last states
// near name operations, then (up to a quarter) durable-only states elsewhere
// (what a missing fsync breaks), then the rest at random; unused shares go to
// the others.
std::vector<Candidate> ChooseStates(const std::vector<TraceOp>& ops, const ReplayOptions& options,
                                    size_t* distinct) {
  FsModel fs(options.model);
  std::unordered_set<uint64_t> seen;
  std::vector<std::vector<Candidate>> buckets(3);  // near names, durable, others
  for (size_t p = 0; p <= ops.size(); ++p) {
    if (p > 0) fs.Apply(ops[p - 1]);
    const int kinds = fs.pending() == 0 ? 1 : kKinds;
    const bool near = NearNameOp(ops, p);
    for (int k = 0; k < kinds; ++k) {
      Candidate c{p, k, options.seed * 1000003 + p * 16 + static_cast<uint64_t>(k)};
      if (!seen.insert(MakeImage(fs, c).Hash()).second) continue;
      buckets[near && k <= 1 ? 0 : k == 0 ? 1 : 2].push_back(c);
    }
  }
  *distinct = seen.size();
  std::mt19937_64 rng(options.seed);
  for (auto& b : buckets) std::shuffle(b.begin(), b.end(), rng);
  std::vector<Candidate> chosen;
  std::vector<size_t> taken(3, 0);
  const size_t shares[2][3] = {{options.states / 2, options.states / 4, options.states},
                               {options.states, options.states, options.states}};
  for (const auto& share : shares) {  // fair shares, then the leftovers
    for (size_t b = 0; b < 3; ++b) {
      while (taken[b] < buckets[b].size() && taken[b] < share[b] &&
             chosen.size() < options.states) {
        chosen.push_back(buckets[b][taken[b]++]);
      }
    }
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const Candidate& a, const Candidate& b) { return a.point < b.point; });
  return chosen;
}

// What the checks of one state need to know about the run.
struct RunFacts {
  const Policy* policy = nullptr;
  const std::vector<TraceOp>* ops = nullptr;
  const std::vector<Ack>* acks = nullptr;
  const std::vector<uint64_t>* prefix_hashes = nullptr;
  int64_t start_ns = 0;
};

// The fewest and the most data steps a state after `point` operations may
// reflect.
void Bounds(const RunFacts& f, size_t point, size_t* required, size_t* upper) {
  const uint64_t end = point == 0 ? 0 : (*f.ops)[point - 1].log_end;
  const int64_t now = point == 0 ? f.start_ns : (*f.ops)[point - 1].time_ns;
  *required = 0;
  *upper = 0;
  for (size_t i = 0; i < f.acks->size(); ++i) {
    const Ack& a = (*f.acks)[i];
    if (a.sent_log <= end) *upper = i + 1;
    bool promised = false;
    switch (f.policy->promise) {
      case Policy::Promise::kEveryWrite:
        promised = a.ack_log <= end;
        break;
      case Policy::Promise::kEverySecond:
        promised = a.ack_log <= end && a.ack_ns + kEverySecWindowNs <= now;
        break;
      case Policy::Promise::kSaves:
        promised = a.saved_log <= end;
        break;
      case Policy::Promise::kNothing:
        break;
    }
    if (promised) *required = i + 1;
  }
}

std::string Listing(const FsImage& image) {
  std::string out;
  for (const std::string& d : image.dirs) out += "    " + d + "/\n";
  for (const auto& [path, bytes] : image.files) {
    out += "    " + path + " (" + std::to_string(bytes.size()) + " bytes)\n";
  }
  return out;
}

// Starts a server on the state and checks it. Returns "" when it holds, or
// what went wrong; *refused is set for an allowed refusal.
std::string CheckState(const RunFacts& f, const FsImage& image, size_t point,
                       const std::string& dir, bool* refused, bool* promised) {
  size_t required = 0, upper = 0;
  Bounds(f, point, &required, &upper);
  *promised = required > 0;
  std::string error;
  if (!image.Materialize(dir, &error)) return error;
  const auto before = Snapshot(dir);
  std::vector<std::string> args = f.policy->server_args;
  args.insert(args.end(), {"--dir", dir, "--aof-load-truncated", "yes"});
  std::unique_ptr<ServerProcess> server =
      ServerProcess::Start(ServerProcess::Kind::kPlab, &error, args);
  if (server == nullptr) {
    if (Snapshot(dir) != before) return "refused to start and changed the files:\n" + error;
    if (!image.reordered) return "refused to start:\n" + error;
    *refused = true;
    return "";
  }
  std::string dump;
  if (!DumpDataset(server->port(), &dump, &error)) return "dump: " + error;
  server->Kill();
  const uint64_t h = HashText(dump);
  const std::vector<uint64_t>& prefixes = *f.prefix_hashes;
  for (size_t n = required; n <= upper && n < prefixes.size(); ++n) {
    if (prefixes[n] == h) return "";
  }
  std::string matches;
  for (size_t n = 0; n < prefixes.size(); ++n) {
    if (prefixes[n] == h) matches += " " + std::to_string(n);
  }
  return "dataset is not an allowed prefix: it must reflect between " + std::to_string(required) +
         " and " + std::to_string(upper) + " steps; it matches prefixes [" + matches +
         " ] (none: a state that never existed)";
}

}  // namespace

std::vector<Policy> AllPolicies() {
  const std::vector<std::string> aof = {"--appendonly",
                                        "yes",
                                        "--save",
                                        "",
                                        "--aof-use-rdb-preamble",
                                        "no",
                                        "--auto-aof-rewrite-percentage",
                                        "0"};
  auto with = [](std::vector<std::string> a, std::vector<std::string> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const Command rewrite = {"BGREWRITEAOF"};
  const Command bgsave = {"BGSAVE"};
  std::vector<Policy> p;
  p.push_back({"always",
               with(aof, {"--appendfsync", "always"}),
               Policy::Promise::kEveryWrite,
               {rewrite, rewrite},
               150,
               0});
  p.push_back({"everysec",
               with(aof, {"--appendfsync", "everysec"}),
               Policy::Promise::kEverySecond,
               {rewrite},
               150,
               25});
  p.push_back(
      {"no", with(aof, {"--appendfsync", "no"}), Policy::Promise::kNothing, {rewrite}, 120, 0});
  p.push_back({"rdb",
               {"--appendonly", "no", "--save", ""},
               Policy::Promise::kSaves,
               {bgsave, {"SAVE"}, bgsave, bgsave, {"SAVE"}, bgsave},
               120,
               0});
  std::vector<std::string> hybrid = with(aof, {"--appendfsync", "always"});
  hybrid[5] = "yes";  // aof-use-rdb-preamble
  p.push_back({"hybrid", hybrid, Policy::Promise::kEveryWrite, {rewrite, bgsave, rewrite}, 150, 0});
  // CONFIG SET appendonly yes mid-workload (the first rewrite, the temp
  // INCR renamed at the switch). Nothing is promised: the ledger does not
  // know when the first rewrite completed, so only startup and the prefix
  // property are checked.
  p.push_back({"aof-on",
               {"--appendonly", "no", "--save", "", "--appendfsync", "always"},
               Policy::Promise::kNothing,
               {{"CONFIG", "SET", "appendonly", "yes"}, rewrite},
               120,
               0});
  return p;
}

ReplayResult RunPolicy(const Policy& policy, const ReplayOptions& options) {
  ReplayResult result;
  const std::string work = MakeTempDir(policy.name.c_str());
  const std::string data = work + "/data";
  const std::string log = work + "/trace.log";
  std::filesystem::create_directory(data);
  const std::vector<Step> steps = MakeWorkload(options.seed, policy.steps, policy.controls);
  std::vector<Ack> acks;
  const int64_t start_ns = MonotonicNs();
  Recorder recorder(policy, options, data, log);
  if (!recorder.Run(steps, &acks, &result.error)) return result;
  std::vector<TraceOp> ops;
  if (!ParseTrace(ReadAll(log), data, &ops, &result.error)) return result;
  std::vector<uint64_t> hashes;
  std::vector<std::string> replies;
  if (!ModelPrefixHashes(steps, &hashes, &replies, &result.error)) return result;
  for (size_t i = 0; i < acks.size(); ++i) {
    if (acks[i].reply != replies[i]) {
      result.error = "step " + std::to_string(i) + " replied " + acks[i].reply +
                     " but the model replied " + replies[i];
      return result;
    }
  }
  result.trace_ops = ops.size();
  result.steps = acks.size();
  const std::vector<Candidate> chosen = ChooseStates(ops, options, &result.distinct);
  RunFacts facts{&policy, &ops, &acks, &hashes, start_ns};
  FsModel fs(options.model);
  size_t applied = 0;
  for (const Candidate& c : chosen) {
    while (applied < c.point) fs.Apply(ops[applied++]);
    const FsImage image = MakeImage(fs, c);
    const std::string dir = MakeTempDir("state");
    bool refused = false, promised = false;
    const std::string problem = CheckState(facts, image, c.point, dir, &refused, &promised);
    ++result.checked;
    result.refused += refused ? 1 : 0;
    result.promised += promised ? 1 : 0;
    const bool report = !problem.empty() && ++result.failures <= kMaxReportedFailures;
    if (!report || options.quiet) {
      std::filesystem::remove_all(dir);
    } else {
      std::cerr << "FAIL [" << policy.name << " seed " << options.seed << "] crash after "
                << c.point << " of " << ops.size() << " operations"
                << (c.point > 0 ? " (last: " + Describe(ops[c.point - 1]) + ")" : "") << ", "
                << image.how << "\n  " << problem << "\n  state kept in " << dir << ":\n"
                << Listing(image);
    }
  }
  if (::getenv("PLAB_CRASH_REPLAY_KEEP") != nullptr) {
    std::cout << policy.name << ": trace kept in " << log << std::endl;
  } else {
    std::filesystem::remove_all(work);
  }
  return result;
}

}  // namespace plab::crash_replay
