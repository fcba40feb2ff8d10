// maxmemory enforcement (processCommand's OOM rule): over the limit, a
// command that may grow memory is refused with Redis 7.0's OOM error; reads
// and deletes still run, and writes come back once memory is freed. The
// memory figure is PersistLab's estimate (INFO used_memory).
#include <doctest/doctest.h>

#include <string>

#include "tests/unit/persist_test_util.h"
#include "tests/unit/test_util.h"

namespace plab {
namespace {

using testing::DiskEngine;
using testing::InfoField;

const std::string kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

int64_t UsedMemory(DiskEngine& e) {
  return std::stoll(InfoField(e.Run("INFO memory"), "used_memory"));
}

// Writes 1 KB values until a SET is refused; returns how many were accepted.
int FillUntilOom(DiskEngine& e, int limit) {
  for (int i = 0; i < limit; ++i) {
    const std::string reply = e.Run({"SET", "k" + std::to_string(i), std::string(1024, 'v')});
    if (reply == kOom) return i;
    REQUIRE(reply == "+OK\r\n");
  }
  return limit;
}

TEST_SUITE("maxmemory") {
  TEST_CASE("over maxmemory writes get Redis's OOM error, reads and deletes still run") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    const int64_t start = UsedMemory(e);
    REQUIRE(e.Run({"CONFIG", "SET", "maxmemory", std::to_string(start + 200 * 1024)}) == "+OK\r\n");
    const int accepted = FillUntilOom(e, 100000);
    CHECK(accepted > 100);  // roughly 200 KB of 1 KB values, and no more
    CHECK(accepted < 400);
    CHECK(UsedMemory(e) <= start + 200 * 1024 + 80 * 1100);  // bounded overshoot
    CHECK(e.Run("GET k0") == testing::Bulk(std::string(1024, 'v')));
    CHECK(e.Run("RPUSH l x") == kOom);
    CHECK(e.Run("INCR n") == kOom);
    CHECK(InfoField(e.Run("INFO errorstats"), "errorstat_OOM").rfind("count=", 0) == 0);
    // DEL is not denyoom: freeing memory lets writes in again.
    for (int i = 0; i < accepted; ++i) e.Run({"DEL", "k" + std::to_string(i)});
    clock.AdvanceMillis(1);
    CHECK(e.Run("SET again 1") == "+OK\r\n");
    // maxmemory 0 means no limit.
    CHECK(e.Run("CONFIG SET maxmemory 0") == "+OK\r\n");
    CHECK(FillUntilOom(e, 1000) == 1000);
  }

  TEST_CASE("a transaction that would write is refused when queued or at EXEC") {
    ManualClock clock;
    SimDisk disk(&clock);
    DiskEngine e(clock, disk);
    const int64_t now = UsedMemory(e);
    CHECK(e.Run("MULTI") == "+OK\r\n");
    CHECK(e.Run("SET queued 1") == "+QUEUED\r\n");  // under the limit when queued
    // The limit drops under what is used (as CONFIG SET maxmemory from
    // another client would): EXEC of a writing transaction is refused.
    e.server().config().maxmemory = now / 2;
    clock.AdvanceMillis(1);
    CHECK(e.Run("EXEC") ==
          "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory "
          "> 'maxmemory'.\r\n");
    CHECK(e.Run("GET queued") == "$-1\r\n");
    CHECK(e.Run("MULTI") == "+OK\r\n");
    CHECK(e.Run("SET a 1") == kOom);  // refused while queueing: the EXEC is doomed
    CHECK(e.Run("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n");
    // A read-only transaction still runs.
    CHECK(e.Run("MULTI") == "+OK\r\n");
    CHECK(e.Run("GET a") == "+QUEUED\r\n");
    CHECK(e.Run("EXEC") == "*1\r\n$-1\r\n");
  }
}

}  // namespace
}  // namespace plab
