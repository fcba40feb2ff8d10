#include "tests/integration/aof_it_util.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace plab::it {

namespace fs = std::filesystem;

std::unique_ptr<ServerProcess> StartServer(ServerProcess::Kind kind,
                                           const std::vector<std::string>& args) {
  std::string error;
  auto s = ServerProcess::Start(kind, &error, args);
  REQUIRE_MESSAGE(s != nullptr, error);
  return s;
}

std::unique_ptr<ServerProcess> StartAof(ServerProcess::Kind kind, const std::string& dir,
                                        bool preamble, const std::vector<std::string>& more) {
  std::vector<std::string> args = {
      "--dir",  dir, "--appendonly",           "yes",
      "--save", "",  "--aof-use-rdb-preamble", preamble ? "yes" : "no"};
  args.insert(args.end(), more.begin(), more.end());
  return StartServer(kind, args);
}

void Connect(RespClient& c, const ServerProcess& s) {
  REQUIRE_MESSAGE(c.Connect(s.port()), c.error());
}

void RunOnAll(const std::vector<RespClient*>& clients, const std::vector<Command>& cmds) {
  for (const Command& cmd : cmds) {
    Reply first = Call(*clients[0], cmd);
    REQUIRE_MESSAGE(!first.is_error(), cmd[0] << ": " << first.str);
    for (size_t i = 1; i < clients.size(); ++i) {
      Reply r = Call(*clients[i], cmd);
      CAPTURE(cmd[0]);
      CAPTURE(cmd.size() > 1 ? cmd[1] : std::string());
      REQUIRE(r.raw == first.raw);
    }
  }
}

std::string PersistenceField(RespClient& c, const std::string& field) {
  return InfoField(Call(c, {"INFO", "persistence"}), field);
}

void RewriteAndWait(RespClient& c) {
  Reply r = Call(c, {"BGREWRITEAOF"});
  REQUIRE_MESSAGE(!r.is_error(), r.str);
  for (int waited = 0; waited < 30000; waited += 10) {
    const Reply info = Call(c, {"INFO", "persistence"});
    if (InfoField(info, "aof_rewrite_in_progress") == "0" &&
        InfoField(info, "aof_rewrite_scheduled") == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(PersistenceField(c, "aof_rewrite_in_progress") == "0");
  CHECK(PersistenceField(c, "aof_last_bgrewrite_status") == "ok");
}

void ShutdownServer(RespClient& c, ServerProcess& s) {
  REQUIRE(c.Send({"SHUTDOWN"}));
  CHECK(c.WaitForClose(10000));
  int code = -1;
  REQUIRE_MESSAGE(s.WaitForExit(10000, &code), s.name() << " did not exit after SHUTDOWN");
  CHECK_MESSAGE(code == 0, s.Log());
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::map<std::string, std::string> DirFiles(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[fs::relative(e.path(), dir).string()] = ReadFile(e.path().string());
  }
  return out;
}

RunResult RedisCheckAof(const std::string& path) {
  std::string tool = FindProgram("redis-check-aof");
  REQUIRE_MESSAGE(!tool.empty(), "redis-check-aof is not on PATH");
  // It asks for confirmation only with --fix; stdin is closed anyway.
  return RunShell(tool + " " + Quote(path) + " </dev/null");
}

RunResult RunPlabServeToExit(const std::string& dir, const std::vector<std::string>& args) {
  std::string cmd = "timeout 20 " + Quote(PlabBinary()) + " serve --port " +
                    std::to_string(FindFreePort()) + " --dir " + Quote(dir);
  for (const std::string& a : args) cmd += " " + (a.empty() ? std::string("''") : Quote(a));
  return RunShell(cmd + " </dev/null");
}

std::string RecoveryReportJson(const std::string& log) {
  const std::string marker = "Recovery report: ";
  size_t at = log.rfind(marker);
  if (at == std::string::npos) return "";
  size_t begin = at + marker.size();
  size_t end = log.find('\n', begin);
  return log.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string ManifestPath(const std::string& dir) {
  return dir + "/appendonlydir/appendonly.aof.manifest";
}

}  // namespace plab::it
