// LabText: what a PersistLab prompt prints about the lab itself — the
// recovery report and keyspace diff after .restart, the file list of
// .files, the clock of .clock, the dot-command list of .help. One
// rendering for both prompts (the native REPL prints these strings; the
// wasm binding returns them to the browser terminal), so neither host
// writes a second one.
//
// Plain text ending in "\n", lines under ~80 columns where the data allows.
// With `color`, ANSI SGR codes a terminal (or xterm.js) understands: red
// for lost keys and broken promises, yellow for values that went back and
// bytes not yet durable, green for "nothing lost", bold headings. Without
// it, no escape codes at all (pipes, tests, screen readers).
//
// Portable: no OS calls; no iostreams (the wasm download budget).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/crash_kind.h"
#include "core/lab/keyspace_diff.h"
#include "core/lab/lab.h"
#include "core/server/recovery_report.h"

namespace plab {

// The recovery report (files loaded in order with kind, bytes, what each
// held and how long it took; torn bytes cut; keys after loading; warnings;
// the error when loading failed), then, when `diff` is given, the diff
// against the moment the server stopped: broken promises first and
// prominently, then keys lost, values that went back (`counter: "1042" ->
// "987"` and each entry's note), keys that came back after a DEL, and the
// counts — or that nothing was lost. At most 20 entries per list are
// printed, then how many more there are. `cause` is why the server had stopped
// (Lab::down_reason() before the restart: "power loss", "SHUTDOWN", ...);
// empty for the first start of a lab.
std::string RecoveryText(const RecoveryReport& report, const KeyspaceDiff* diff,
                         std::string_view cause, bool color);

// .files: each file with its written (page cache) and durable bytes, what a
// power loss would cut, and whether its directory entry is durable.
std::string FilesText(const std::vector<Lab::FileEntry>& files, bool color);

// .clock: "Virtual time 2026-01-01 00:15:00.000 UTC, running at 1x real
// time." (or "paused"). `speed` is printed as typed (10, 0.5).
std::string ClockText(int64_t now_ms, bool paused, double speed);

// What a host prints right after .crash: one line naming what survived and
// how to go on.
std::string CrashText(CrashKind kind);

// What a Redis command typed while the server is down prints (redis-cli
// prints "Could not connect..." once its server is gone). `down_reason` is
// Lab::down_reason().
std::string NotConnectedText(std::string_view down_reason);

// The .help text: every dot-command with one line each. `color` makes the
// commands bold.
std::string DotHelpText(bool color);

}  // namespace plab
