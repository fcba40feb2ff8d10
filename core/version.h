// Version strings: `plab --version`, the REPL banner, the server's startup
// log and the HELP text the native REPL and the browser terminal share.
#pragma once

namespace plab {

inline constexpr char kPlabVersion[] = "0.1.0";
// The Redis release whose behaviour PersistLab reproduces.
inline constexpr char kRedisCompatVersion[] = "7.0.15";

}  // namespace plab
