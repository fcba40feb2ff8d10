// PosixDisk's background fsync (native/posix_disk.h, Redis's bio thread):
// tickets pending while the worker is held back by the test hook, completed
// on the main thread in issue order, inline syncs/renames/closes waiting for
// earlier background fsyncs, errors carried by the ticket; and, with the
// engine on top, what each appendfsync policy promises when the fsync
// completes late: `always` holds replies until the fsync is done and never
// acknowledges a write a power cut could take; everysec answers at once and
// loses at most the last ~2 s. The "power cut" is the model PosixDisk makes
// observable: what the last completed fdatasync covered, i.e. the INCR
// file's size when the worker last ran (the test lets it run only at chosen
// moments, so nothing else is written meanwhile).
#include <doctest/doctest.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/io/clock.h"
#include "core/server/config_registry.h"
#include "native/posix_disk.h"

namespace plab {
namespace {

bool InAof(std::string_view path) { return path.substr(0, 4) == "aof/"; }

// A PosixDisk with background fsyncs for files under "aof/", rooted at a
// fresh temp directory (removed afterwards), its worker paused.
struct BackgroundDisk {
  static std::string MakeRoot() {
    std::string tmpl = "/tmp/plab-bgsync-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    return tmpl;
  }
  BackgroundDisk() : root(MakeRoot()), disk(root) {
    REQUIRE(disk.StartBackgroundSync(InAof).ok());
    REQUIRE(disk.CreateDir("aof").ok());
    disk.PauseBackgroundSyncForTest(true);
  }
  ~BackgroundDisk() {
    disk.StopBackgroundSync();
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::unique_ptr<WritableFile> Open(std::string_view path) {
    auto f = disk.OpenWritable(path, /*truncate=*/true);
    REQUIRE(f.ok());
    return std::move(*f);
  }
  // Whether the worker has signalled the event loop within `ms`.
  bool Woken(int ms) {
    pollfd p{disk.wake_fd(), POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }
  // Lets the worker run everything queued, then completes the tickets the
  // way the event loop does when woken. Returns how many completed.
  size_t RunWorker() {
    if (disk.pending_syncs() == 0) return 0;
    disk.PauseBackgroundSyncForTest(false);
    REQUIRE(Woken(10000));
    disk.PauseBackgroundSyncForTest(true);
    return disk.CompleteFinishedSyncs();
  }
  std::string root;
  PosixDisk disk;
};

}  // namespace

TEST_SUITE("posix disk: background fsync") {
  TEST_CASE("a background ticket completes on the main thread, in issue order, after the worker") {
    BackgroundDisk b;
    auto f = b.Open("aof/a.incr.aof");
    REQUIRE(f->Append("one").ok());
    std::shared_ptr<SyncTicket> first = f->Sync();
    REQUIRE(f->Append("two").ok());
    std::shared_ptr<SyncTicket> second = f->Sync();
    CHECK_FALSE(first->done());
    CHECK_FALSE(second->done());
    CHECK(b.disk.pending_syncs() == 2);
    CHECK_FALSE(b.Woken(50));  // paused: no fsync ran
    b.disk.PauseBackgroundSyncForTest(false);
    REQUIRE(b.Woken(10000));
    // The worker finished, but only the main thread marks tickets done.
    CHECK_FALSE(first->done());
    CHECK(b.disk.CompleteFinishedSyncs() == 2);
    CHECK(first->done());
    CHECK(second->done());
    CHECK(first->status().ok());
    CHECK(b.disk.pending_syncs() == 0);
    CHECK_FALSE(b.Woken(0));  // completing cleared the wake-up
  }

  TEST_CASE("files outside the background set sync inline") {
    BackgroundDisk b;
    auto f = b.Open("dump.rdb");
    REQUIRE(f->Append("x").ok());
    CHECK(f->Sync()->done());
    CHECK(b.disk.pending_syncs() == 0);
  }

  TEST_CASE("an inline sync, a directory sync, a rename or a close waits for earlier fsyncs") {
    for (int which = 0; which < 4; ++which) {
      CAPTURE(which);
      BackgroundDisk b;  // paused: only the wait can get the fsync done
      auto f = b.Open("aof/a.incr.aof");
      REQUIRE(f->Append("data").ok());
      std::shared_ptr<SyncTicket> background = f->Sync();
      REQUIRE_FALSE(background->done());
      auto other = b.Open("manifest");
      if (which == 0) {
        CHECK(other->Sync()->done());
      } else if (which == 1) {
        CHECK(b.disk.SyncDir("aof")->done());
      } else if (which == 2) {
        CHECK(b.disk.Rename("manifest", "manifest2").ok());
      } else {
        CHECK(f->Close().ok());
      }
      // Issue order: the earlier ticket is done no later than what followed.
      CHECK(background->done());
      CHECK(background->status().ok());
      CHECK(b.disk.pending_syncs() == 0);
    }
  }

  TEST_CASE("a failed background fsync reports strerror through its ticket") {
    BackgroundDisk b;
    // fdatasync on a character device fails (EINVAL): a stand-in for EIO.
    REQUIRE(::symlink("/dev/null", (b.root + "/aof/dev.incr.aof").c_str()) == 0);
    auto f = b.disk.OpenWritable("aof/dev.incr.aof", false);
    REQUIRE(f.ok());
    std::shared_ptr<SyncTicket> t = (*f)->Sync();
    CHECK(b.RunWorker() == 1);
    REQUIRE(t->done());
    CHECK_FALSE(t->status().ok());
    CHECK(t->status().message().find("aof/dev.incr.aof: ") == 0);
  }

  TEST_CASE("stopping the worker completes what is still queued") {
    BackgroundDisk b;
    auto f = b.Open("aof/a.incr.aof");
    REQUIRE(f->Append("data").ok());
    std::shared_ptr<SyncTicket> t = f->Sync();
    b.disk.StopBackgroundSync();  // paused, yet shutdown gets the fsync done
    CHECK(t->done());
    CHECK_FALSE(b.disk.background_sync());
    CHECK(f->Sync()->done());  // inline from now on
  }
}

namespace {

// An engine over a BackgroundDisk whose AOF directory is the background
// set, on a manual clock, with one client sending a SET every 100 ms.
struct SlowFsyncServer {
  static Config AofConfig(std::string_view fsync) {
    Config c;
    c.appendonly = true;
    c.appenddirname = "aof";
    c.save = {};
    REQUIRE(SetConfigParam(&c, "appendfsync", {std::string(fsync)}, /*at_startup=*/true).ok());
    return c;
  }
  explicit SlowFsyncServer(std::string_view fsync) : engine(clock, AofConfig(fsync), &b.disk) {
    RecoveryReport report;
    REQUIRE(engine.Recover(&report).ok());
    b.RunWorker();  // whatever startup queued is durable before the test starts
    client = engine.Connect();
  }
  std::string Incr() { return *b.disk.ReadAll("aof/appendonly.aof.1.incr.aof"); }
  // One event-loop turn with a new write; returns the replies released.
  std::string Set(int i) {
    const std::string key = "k" + std::to_string(i);
    engine.Feed(client, "SET " + key + " v\r\n");
    engine.BeforeSleep();
    return Take();
  }
  // The wake-up: complete finished fsyncs, release held replies
  // (TcpServer::OnSyncsFinished), then the next beforeSleep.
  std::string FsyncCompletes() {
    const size_t completed = b.RunWorker();
    if (completed > 0) durable_size = Incr().size();
    engine.server().ResumeBlockedClients();
    engine.BeforeSleep();
    return Take();
  }
  std::string Take() {
    std::string out;
    out.swap(client->output);
    return out;
  }
  // Whether key i's SET lies within what the last completed fsync covered.
  bool Durable(int i) {
    const std::string key = "k" + std::to_string(i);
    const std::string enc = "$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
    const size_t at = Incr().find(enc);
    return at != std::string::npos && at + enc.size() <= durable_size;
  }
  BackgroundDisk b;
  ManualClock clock;
  Engine engine;
  Client* client = nullptr;
  size_t durable_size = 0;
};

// Acknowledgements per write index, with the virtual time they arrived.
struct Acks {
  std::vector<int64_t> at_ms;
  void Count(const std::string& replies, int64_t now_ms) {
    for (size_t p = replies.find("+OK\r\n"); p != std::string::npos;
         p = replies.find("+OK\r\n", p + 1)) {
      at_ms.push_back(now_ms);
    }
  }
};

}  // namespace

TEST_SUITE("posix disk: background fsync under the AOF policies") {
  TEST_CASE(
      "always: replies wait for the late fsync and a power cut never takes an acknowledged write") {
    SlowFsyncServer s("always");
    Acks acks;
    bool held_seen = false;
    for (int i = 0; i < 60; ++i) {
      s.clock.AdvanceMillis(100);
      const std::string now = s.Set(i);
      held_seen = held_seen || now.empty();
      acks.Count(now, s.clock.NowMillis());
      // The disk is slow: the worker gets to run every 700 ms.
      if (i % 7 == 6) acks.Count(s.FsyncCompletes(), s.clock.NowMillis());
      // A power cut now keeps what the completed fsyncs covered.
      for (size_t k = 0; k < acks.at_ms.size(); ++k) {
        CAPTURE(k);
        REQUIRE(s.Durable(static_cast<int>(k)));
      }
    }
    CHECK(held_seen);
    // A held client's pipelined SETs run once it is released, and wait for
    // their own fsync: a few more rounds answer everything.
    for (int round = 0; round < 5 && acks.at_ms.size() < 60; ++round) {
      acks.Count(s.FsyncCompletes(), s.clock.NowMillis());
    }
    CHECK(acks.at_ms.size() == 60);
  }

  TEST_CASE("everysec: replies never wait, a busy fsync postpones writes up to 2 s, loss <= ~2 s") {
    SlowFsyncServer s("everysec");
    Acks acks;
    bool undurable_ack_seen = false;
    for (int i = 0; i < 100; ++i) {
      s.clock.AdvanceMillis(100);
      acks.Count(s.Set(i), s.clock.NowMillis());
      CHECK(acks.at_ms.size() == static_cast<size_t>(i + 1));  // answered at once
      if (i % 9 == 8) acks.Count(s.FsyncCompletes(), s.clock.NowMillis());
      for (size_t k = 0; k < acks.at_ms.size(); ++k) {
        if (!s.Durable(static_cast<int>(k))) {
          undurable_ack_seen = true;
          CAPTURE(k);
          CHECK(s.clock.NowMillis() - acks.at_ms[k] <= 2000);
        }
      }
    }
    CHECK(undurable_ack_seen);
  }

  TEST_CASE("everysec: a write waits up to 2 s for a stuck fsync, then goes out as Redis does") {
    SlowFsyncServer s("everysec");
    s.clock.AdvanceMillis(1000);
    CHECK(s.Set(0) == "+OK\r\n");  // written, and its fsync queued
    REQUIRE(s.b.disk.pending_syncs() == 1);
    s.clock.AdvanceMillis(1000);
    CHECK(s.Set(1) == "+OK\r\n");  // answered, but postponed
    CHECK(s.Incr().find("k1") == std::string::npos);
    s.clock.AdvanceMillis(1000);
    CHECK(s.Set(2) == "+OK\r\n");
    CHECK(s.Incr().find("k1") == std::string::npos);
    CHECK(s.engine.Execute({"INFO", "persistence"}).find("aof_delayed_fsync:0") !=
          std::string::npos);
    s.clock.AdvanceMillis(1000);
    CHECK(s.Set(3) == "+OK\r\n");  // 2 s later: written without waiting
    CHECK(s.Incr().find("k3") != std::string::npos);
    CHECK(s.engine.Execute({"INFO", "persistence"}).find("aof_delayed_fsync:1") !=
          std::string::npos);
    s.FsyncCompletes();
    CHECK(s.b.disk.pending_syncs() == 0);
  }
}

}  // namespace plab
