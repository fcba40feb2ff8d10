// Disk: the engine's only way to touch files (with Clock, the whole seam to
// the outside world, like LevelDB's Env). Three implementations share this
// contract: PosixDisk (native/, real files and fsync), SimDisk (core/, in
// memory, with crash and fault injection) and, in the browser, a SimDisk
// whose durable bytes are mirrored to IndexedDB.
//
// Paths are '/'-separated and relative to the Disk's root; directories are
// flat names ("appendonlydir/file.aof"). All calls are synchronous and
// return Status values, except durability:
//
// DURABILITY IS A BARRIER THAT MAY COMPLETE LATER. Sync() starts making a
// file's written bytes durable and returns a SyncTicket. Native disks
// complete the ticket before Sync() returns (fsync is synchronous); the
// IndexedDB disk completes it when the IDB transaction commits, possibly
// many event-loop turns later. The engine holds replies that need
// durability (appendfsync always) until their ticket is done, and snapshot
// renames happen only after the temp file's ticket completed. So nothing in
// core/ may assume that "Sync() returned" means "durable".
//
// TICKETS COMPLETE IN THE ORDER THEY WERE ISSUED (Sync and SyncDir alike):
// when one is done, every ticket issued before it is done too. Native
// disks get this for free; SimDisk completes pending tickets in order, and
// the IndexedDB mirror commits its transactions in order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// A pending or finished durability barrier.
class SyncTicket {
 public:
  virtual ~SyncTicket() = default;
  // True once the bytes covered by the Sync() are durable, or it failed.
  virtual bool done() const = 0;
  // The outcome; meaningful only when done(). A failed fsync is an IoError
  // (Redis treats it as fatal for appendfsync always).
  virtual Status status() const = 0;
};

// A file opened for writing. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Positional write; may extend the file.
  virtual Status WriteAt(uint64_t offset, std::string_view data) = 0;
  virtual Status Truncate(uint64_t size) = 0;
  // Bytes written so far (durable or not).
  virtual uint64_t Size() const = 0;
  // Starts an fsync of everything written so far.
  virtual std::shared_ptr<SyncTicket> Sync() = 0;
  virtual Status Close() = 0;
};

class Disk {
 public:
  virtual ~Disk() = default;

  // Opens `path` for writing: creates it when missing; `truncate` empties an
  // existing file, otherwise appends continue at its end.
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(std::string_view path,
                                                             bool truncate) = 0;
  // Reads `length` bytes at `offset` (fewer at end of file).
  virtual Result<std::string> Read(std::string_view path, uint64_t offset, uint64_t length) = 0;
  // Whole-file read, for small files (manifests) and tests.
  virtual Result<std::string> ReadAll(std::string_view path) = 0;
  virtual Result<uint64_t> FileSize(std::string_view path) = 0;
  virtual bool Exists(std::string_view path) = 0;
  // Atomic replace: after a crash either the old or the new `to` exists.
  // The rename itself is durable only after SyncDir() of its directory.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  virtual Status Remove(std::string_view path) = 0;
  virtual Status CreateDir(std::string_view dir) = 0;
  // Names (not paths) of the files in `dir` ("" is the root), sorted.
  virtual Result<std::vector<std::string>> List(std::string_view dir) = 0;
  // Makes renames/creates/removes in `dir` durable (fsync of the directory).
  virtual std::shared_ptr<SyncTicket> SyncDir(std::string_view dir) = 0;
};

// A ticket that is already complete: what synchronous disks return.
class DoneTicket final : public SyncTicket {
 public:
  explicit DoneTicket(Status status = Status::Ok()) : status_(std::move(status)) {}
  bool done() const override { return true; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace plab
