// Where the engine's log lines go. Redis logs persistence events ("DB saved
// on disk", "Background saving started") and people read them to learn what
// happened; the engine reports the same events through a LogSink so the
// native server can print them in Redis's log format and the playground can
// show them next to the terminal. No sink: the lines are dropped.
#pragma once

#include <functional>
#include <string_view>

namespace plab {

// Redis's levels: '.' debug, '-' verbose, '*' notice, '#' warning.
enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

using LogSink = std::function<void(LogLevel level, std::string_view message)>;

}  // namespace plab
