// PosixDisk: the Disk contract on real files under a root directory.
//
// Sync() is fdatasync(2) (the file's size is part of what fdatasync
// flushes, and mtime is not worth a second journal write, the same choice
// Redis makes with redis_fsync on Linux); SyncDir() opens the directory
// O_RDONLY|O_DIRECTORY and fsyncs it, which is what makes a rename(2)
// survive a power failure on ext4. Both complete before returning, so their
// tickets are DoneTickets.
//
// Errors are Status values naming the path relative to the root and the
// strerror text ("dump.rdb: No space left on device"); ENOENT is NotFound,
// everything else IoError.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/disk.h"

namespace plab {

class PosixDisk final : public Disk {
 public:
  // `root` must exist; every path is relative to it.
  explicit PosixDisk(std::string root);

  Result<std::unique_ptr<WritableFile>> OpenWritable(std::string_view path, bool truncate) override;
  Result<std::string> Read(std::string_view path, uint64_t offset, uint64_t length) override;
  Result<std::string> ReadAll(std::string_view path) override;
  Result<uint64_t> FileSize(std::string_view path) override;
  bool Exists(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  // Succeeds when the directory already exists (like `mkdir -p`).
  Status CreateDir(std::string_view dir) override;
  // Files and subdirectories of `dir`, sorted, without "." and "..".
  Result<std::vector<std::string>> List(std::string_view dir) override;
  std::shared_ptr<SyncTicket> SyncDir(std::string_view dir) override;

  const std::string& root() const { return root_; }

 private:
  std::string Full(std::string_view path) const;

  std::string root_;
};

}  // namespace plab
