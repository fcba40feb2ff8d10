#include "native/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace plab {

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "verbose") return LogLevel::kVerbose;
  if (name == "notice") return LogLevel::kNotice;
  if (name == "warning") return LogLevel::kWarning;
  return std::nullopt;
}

void Logger::Log(LogLevel level, std::string_view msg) const {
  if (!Enabled(level)) return;
  constexpr char kMarks[] = {'.', '-', '*', '#'};
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm local;
  localtime_r(&tv.tv_sec, &local);
  char date[64];
  size_t n = strftime(date, sizeof(date), "%d %b %Y %H:%M:%S", &local);
  std::snprintf(date + n, sizeof(date) - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));

  FILE* out = path_.empty() ? stdout : std::fopen(path_.c_str(), "a");
  if (out == nullptr) return;  // like Redis: nowhere to complain, drop it
  std::fprintf(out, "%d:%c %s %c %.*s\n", static_cast<int>(getpid()), role_, date,
               kMarks[static_cast<int>(level)], static_cast<int>(msg.size()), msg.data());
  std::fflush(out);
  if (out != stdout) std::fclose(out);
}

}  // namespace plab
