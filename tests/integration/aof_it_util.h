// Shared by the AOF end-to-end tests (aof_interop_test.cc,
// aof_startup_test.cc, aof_crash_test.cc): starting servers with the AOF on,
// waiting for BGREWRITEAOF, copying and fingerprinting data directories,
// running `plab serve` until it exits, and redis-check-aof's verdict.
//
// Data directories are always private temporary copies (DumpDir): a test
// never lets two servers share one, and never touches a file a live server
// may still write except to read it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/rdb_dataset.h"
#include "tests/integration/resp_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/shell_run.h"

namespace plab::it {

// Starts a server (REQUIRE on failure, with its log) with `args` appended.
std::unique_ptr<ServerProcess> StartServer(ServerProcess::Kind kind,
                                           const std::vector<std::string>& args = {});
// StartServer with the AOF on in `dir`: appendonly yes, no RDB save points
// (plab) and the given preamble setting, plus `more` args.
std::unique_ptr<ServerProcess> StartAof(ServerProcess::Kind kind, const std::string& dir,
                                        bool preamble, const std::vector<std::string>& more = {});
void Connect(RespClient& c, const ServerProcess& s);

// Runs `cmds` on every client in turn and checks that each reply is not an
// error and is byte-identical on all of them (the first is the reference).
void RunOnAll(const std::vector<RespClient*>& clients, const std::vector<Command>& cmds);

std::string PersistenceField(RespClient& c, const std::string& field);
// BGREWRITEAOF, then polls INFO persistence until neither a rewrite runs nor
// one is scheduled (at most 30 s); the rewrite must have succeeded.
void RewriteAndWait(RespClient& c);
// Sends SHUTDOWN and waits for the server to close the connection, then
// reaps the process.
void ShutdownServer(RespClient& c, ServerProcess& s);

// Copies a directory tree (e.g. a data dir with appendonlydir/) into a new
// temporary directory.
void CopyTree(const std::string& from, const std::string& to);
// Every regular file under `dir` (relative path -> bytes).
std::map<std::string, std::string> DirFiles(const std::string& dir);

// redis-check-aof on `path` (a manifest or a single file): exit code and
// output.
RunResult RedisCheckAof(const std::string& path);
// Runs `plab serve --dir dir --port <free> args...` until it exits (killed
// after 20 s: exit code 124) and captures its log.
RunResult RunPlabServeToExit(const std::string& dir, const std::vector<std::string>& args);

// The JSON object of the last "Recovery report: {...}" line of a log, or ""
// when there is none.
std::string RecoveryReportJson(const std::string& log);

// Path of the manifest in dir/appendonlydir with the default names.
std::string ManifestPath(const std::string& dir);

}  // namespace plab::it
