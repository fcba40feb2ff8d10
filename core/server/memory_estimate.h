// An estimate of the memory the engine holds, for INFO memory (and later
// maxmemory and MEMORY USAGE). Redis reads its allocator's counters; a
// portable engine cannot, so PersistLab adds up the sizes of what it owns:
// table nodes and buckets, key and value bytes, client buffers.
//
// Cost: tables of at most 16 entries are walked completely; larger ones are
// sampled (16 entries picked by a fixed-seed generator, scaled up to the
// entry count), so INFO stays cheap on big datasets and repeatable on the
// same data. Aggregate values are sampled the same way. The numbers are estimates, not allocator
// truth: they ignore allocator rounding and fragmentation.
#pragma once

#include <cstdint>

namespace plab {

class Server;
class Value;

struct MemoryEstimate {
  int64_t startup = 0;  // the engine itself with no keys and no clients
  int64_t clients = 0;  // every client's struct and buffers
  int64_t tables = 0;   // key and expire tables (buckets and nodes)
  int64_t dataset = 0;  // key bytes and what values own
  int64_t overhead() const { return startup + clients + tables; }
  int64_t total() const { return overhead() + dataset; }
};

MemoryEstimate EstimateMemory(Server& server);

// Bytes owned by one value beyond the table node that holds it.
int64_t EstimateValueBytes(const Value& v);

}  // namespace plab
