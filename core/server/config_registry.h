// The config registry: Redis parameter names <-> Config fields. One table
// serves CONFIG GET / CONFIG SET, redis.conf-style files and `plab serve
// --name value` overrides, so a parameter is defined exactly once.
//
// Matching Redis 7.0 (config.c):
//   - names are case-insensitive; CONFIG GET takes glob patterns (several
//     patterns in one call since 7.0) and returns name/value pairs;
//   - booleans are "yes"/"no"; memory values accept 1k 1kb 1m 1mb 1g 1gb;
//   - CONFIG SET errors read
//       "ERR Unknown option or number of arguments for CONFIG SET - 'x'"
//       "ERR CONFIG SET failed (possibly related to argument 'x') - <reason>";
//   - a config file is lines of `name arg arg ...` (split like sdssplitargs),
//     '#' comments and blank lines ignored; an unknown name or bad value is an
//     error naming the line number, as redis-server refuses to start.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/server/config.h"
#include "core/util/status.h"

namespace plab {

// Sets one parameter from its textual arguments (usually one). Returns
// InvalidArgument with Redis's reason text on a bad value, NotFound for an
// unknown name. `at_startup` allows parameters that CONFIG SET refuses
// (immutable ones such as `databases`, `daemonize`).
Status SetConfigParam(Config* config, std::string_view name, const std::vector<std::string>& args,
                      bool at_startup);

// name/value pairs for every parameter matching any of `patterns` (glob,
// case-insensitive), in table order, each parameter at most once.
std::vector<std::pair<std::string, std::string>> GetConfigParams(
    const Config& config, const std::vector<std::string>& patterns);

// CONFIG SET name value [name value ...]: `pairs` alternates names and
// values (REQUIRES an even count). All or nothing, like configSetCommand():
// names are checked first (unknown, immutable, protected, duplicate: the
// first problem wins), then values in order; on any failure *config is left
// untouched. The error message is the reply text without the "ERR " prefix,
// e.g. "Unknown option or number of arguments for CONFIG SET - 'x'".
Status ConfigSet(Config* config, std::span<const std::string> pairs);

// Every parameter's canonical name (no aliases), in table order.
std::vector<std::string_view> ConfigParamNames();

// Applies a redis.conf-style text. `source` names it in error messages,
// which read "<source> line <n>: '<trimmed line>': <reason>", the reason
// worded like redis-server's FATAL CONFIG FILE ERROR ("Bad directive or
// wrong number of arguments", "argument must be 'yes' or 'no'" ...).
// `include`, `rename-command`, `user`, `loadmodule` and `sentinel` are
// refused as unsupported. Stops at the first error; lines before it stay
// applied (the caller exits anyway, as redis-server does).
Status ApplyConfigText(Config* config, std::string_view text, std::string_view source);

}  // namespace plab
