// plab_crash_enum: the crash-state enumeration's command line (see
// enumerator.h for what one run checks). Runs seeds 1, 2, ... of every
// setup until --states crash states were checked, prints the table of
// states per setup and crash kind and every failure with the command that
// reproduces it, and exits 1 if any invariant broke (or fewer states than
// asked for were checked).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/crash/enumerator.h"
#include "tests/crash/workload.h"

namespace {

using plab::crash::Options;
using plab::crash::Stats;

constexpr const char* kUsage =
    "usage: plab_crash_enum [--states N] [--min-states M] [--seed S] [--setup NAME]\n"
    "                       [--batches B]\n"
    "                       [--torn-seeds K] [--max-seconds T] [--strict]\n"
    "                       [--op N|end --crash VARIANT --verbose]   (reproduce one state)\n"
    "  --states N       check at least N crash states (default 10000)\n"
    "  --min-states M   with --max-seconds: fail only below M states (default N)\n"
    "  --seed S         first workload seed (default 1); seeds S, S+1, ... follow\n"
    "  --setup NAME     only this setup: rdb aof-always aof-everysec aof-no hybrid switch\n"
    "  --batches B      client batches per run (default 60)\n"
    "  --torn-seeds K   seeds per torn shape (prefix, subset, zero-tail; default 3)\n"
    "  --max-seconds T  stop starting runs after T seconds\n"
    "  --op N|end       only the crash point before disk op N (or after the last op)\n"
    "  --crash VARIANT  only this crash: process, power, torn-prefix/K, torn-subset/K,\n"
    "                   torn-zero-tail/K\n"
    "  --verbose        one line per state checked, with the crash image's files\n"
    "  --strict         also fail when torn zeros load as data (Redis 7.0 does that)\n";

struct Args {
  uint64_t states = 10000;
  std::optional<uint64_t> min_states;  // fail below this (default: states)
  uint64_t seed = 1;
  std::optional<std::string> setup;
  double max_seconds = 0;
  bool one_run = false;  // --op given: just that seed
  Options options;
};

[[noreturn]] void Usage(const std::string& error) {
  std::fprintf(stderr, "plab_crash_enum: %s\n%s", error.c_str(), kUsage);
  std::exit(2);
}

uint64_t Number(const std::string& flag, const char* value) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(value, &end, 10);
  if (end == value || *end != '\0') Usage(flag + " needs a number, not '" + value + "'");
  return n;
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (flag == "--verbose" || flag == "--strict") {
      (flag == "--verbose" ? a.options.verbose : a.options.strict) = true;
      continue;
    }
    if (i + 1 >= argc) Usage(flag + " needs a value");
    const char* value = argv[++i];
    if (flag == "--states") {
      a.states = Number(flag, value);
    } else if (flag == "--min-states") {
      a.min_states = Number(flag, value);
    } else if (flag == "--seed") {
      a.seed = Number(flag, value);
    } else if (flag == "--setup") {
      if (plab::crash::FindSetup(value) == nullptr) Usage(std::string("no setup '") + value + "'");
      a.setup = value;
    } else if (flag == "--batches") {
      a.options.batches = static_cast<int>(Number(flag, value));
    } else if (flag == "--torn-seeds") {
      a.options.torn_seeds = static_cast<int>(Number(flag, value));
    } else if (flag == "--max-seconds") {
      a.max_seconds = static_cast<double>(Number(flag, value));
    } else if (flag == "--op") {
      a.one_run = true;
      a.options.only_op = std::string_view(value) == "end" ? UINT64_MAX : Number(flag, value);
    } else if (flag == "--crash") {
      if (!plab::crash::ParseVariant(value)) Usage(std::string("no crash kind '") + value + "'");
      a.options.only_variant = value;
    } else {
      Usage("unknown flag " + flag);
    }
  }
  if (a.one_run && !a.setup) Usage("--op needs --setup");
  return a;
}

void PrintFailures(const Stats& stats) {
  if (stats.failure_count == 0) return;
  std::printf("\n%llu FAILURES (the first %zu):\n",
              static_cast<unsigned long long>(stats.failure_count), stats.failures.size());
  for (const plab::crash::Failure& f : stats.failures) {
    std::printf("\n* %s\n    setup %s, seed %llu, op %llu (%s), crash %s, at t+%lld ms\n",
                f.what.c_str(), f.setup.c_str(), static_cast<unsigned long long>(f.seed),
                static_cast<unsigned long long>(f.op), f.op_what.c_str(), f.variant.c_str(),
                static_cast<long long>(f.now_ms - plab::crash::kStartMs));
    std::printf("    during %s\n%s%s    reproduce: %s\n", f.step.c_str(), f.detail.c_str(),
                f.detail.empty() || f.detail.back() == '\n' ? "" : "\n", f.Reproducer().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  Stats stats;
  for (uint64_t seed = args.seed;; ++seed) {
    for (const plab::crash::Setup& setup : plab::crash::Setups()) {
      if (args.setup && setup.name != *args.setup) continue;
      plab::crash::EnumerateRun(setup, seed, args.options, &stats);
    }
    if (args.one_run || stats.states >= args.states) break;
    if (args.max_seconds > 0 && elapsed() >= args.max_seconds) break;
  }
  const double seconds = elapsed();
  std::printf("%s\n", stats.Table().c_str());
  std::printf("%llu crash states (%llu distinct restarts) in %llu runs, %.1f s (%.0f states/s)\n",
              static_cast<unsigned long long>(stats.states),
              static_cast<unsigned long long>(stats.restarts),
              static_cast<unsigned long long>(stats.runs), seconds, stats.states / seconds);
  PrintFailures(stats);
  if (stats.failure_count > 0) return 1;
  const uint64_t needed = args.min_states.value_or(args.states);
  if (!args.one_run && stats.states < needed) {
    std::printf("only %llu of the %llu states needed were checked\n",
                static_cast<unsigned long long>(stats.states),
                static_cast<unsigned long long>(needed));
    return 1;
  }
  std::printf("all invariants held\n");
  return 0;
}
