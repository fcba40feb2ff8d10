// Logger: server log lines in Redis's format, so tools and people used to
// redis-server logs can read ours:
//
//   12345:M 05 Mar 2026 14:02:11.123 * Ready to accept connections
//
// pid, role (C while reading the config, M once the server runs), local time
// with milliseconds, a level mark ('.' debug, '-' verbose, '*' notice,
// '#' warning) and the message. Lines below the configured level are dropped.
// With a log file, each line is appended with the file reopened, like Redis's
// serverLogRaw, so external log rotation works.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/util/log_sink.h"

namespace plab {

// "debug", "verbose", "notice", "warning" (Redis's loglevel names).
std::optional<LogLevel> ParseLogLevel(std::string_view name);

class Logger {
 public:
  // Logs to stdout until SetFile() names a file.
  Logger() = default;

  void SetFile(std::string path) { path_ = std::move(path); }
  void SetLevel(LogLevel level) { level_ = level; }
  void SetRole(char role) { role_ = role; }
  bool Enabled(LogLevel level) const { return level >= level_; }

  void Log(LogLevel level, std::string_view msg) const;
  void Debug(std::string_view msg) const { Log(LogLevel::kDebug, msg); }
  void Verbose(std::string_view msg) const { Log(LogLevel::kVerbose, msg); }
  void Notice(std::string_view msg) const { Log(LogLevel::kNotice, msg); }
  void Warning(std::string_view msg) const { Log(LogLevel::kWarning, msg); }

 private:
  std::string path_;  // empty: stdout
  LogLevel level_ = LogLevel::kNotice;
  char role_ = 'C';
};

}  // namespace plab
