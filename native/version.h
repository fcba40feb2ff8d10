// Version strings shown by `plab --version`, the REPL banner and the server's
// startup log.
#pragma once

namespace plab {

inline constexpr char kPlabVersion[] = "0.1.0";
// The Redis release whose behaviour PersistLab reproduces.
inline constexpr char kRedisCompatVersion[] = "7.0.15";

}  // namespace plab
