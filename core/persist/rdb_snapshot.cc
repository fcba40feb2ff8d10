#include "core/persist/rdb_snapshot.h"

#include <utility>

namespace plab::rdb {

RdbSnapshot::RdbSnapshot(Keyspace& keyspace, SnapshotFormat format,
                         const RdbWriteOptions& rdb_options, const AofRewriteOptions& aof_options)
    : keyspace_(&keyspace),
      format_(format),
      aof_options_(aof_options),
      writer_(&sink_, rdb_options),
      version_(keyspace.BeginWriteVersion()) {
  for (int db = 0; db < Keyspace::kNumDbs; ++db) {
    sizes_[db] = keyspace.Size(db);
    expires_[db] = keyspace.ExpiresSize(db);
    keys_total_ += static_cast<int64_t>(sizes_[db]);
  }
}

Status RdbSnapshot::CopyNode(int db, Dict<Value>::Node* node, std::string* side) {
  const int64_t expire_ms = keyspace_->GetExpire(db, node->key);
  Status status;
  if (format_ == SnapshotFormat::kAof) {
    AppendAofRewriteKey(node->key, node->value, expire_ms, side != nullptr ? side : &sink_);
  } else if (side != nullptr) {
    status = writer_.EncodeKey(node->key, node->value, expire_ms, side);
  } else {
    status = writer_.WriteKey(node->key, node->value, expire_ms);
  }
  node->value.set_version(version_);
  ++keys_processed_;
  return status;
}

void RdbSnapshot::BeforeWrite(int db, std::string_view key) {
  if (finished_ || detached_ || db < db_) return;  // earlier databases are complete
  Dict<Value>::Node* node = keyspace_->keys(db).FindNode(key);
  if (node == nullptr || node->value.version() >= version_) return;
  // Inside the database being walked the record can go straight into the
  // output; a later database keeps it aside until its SELECTDB is written.
  const bool direct = db == db_ && db_started_;
  std::string* target = direct ? &sink_ : &side_[db];
  const size_t before = target->size();
  Status status = CopyNode(db, node, direct ? nullptr : target);
  cow_bytes_ += static_cast<int64_t>(target->size() - before);
  if (!status.ok() && error_.ok()) error_ = std::move(status);
}

void RdbSnapshot::WriteHeader() {
  if (format_ == SnapshotFormat::kAof) {
    AppendAofRewriteHeader(aof_options_, &sink_);
  } else {
    writer_.Begin();
  }
}

void RdbSnapshot::WriteDbStart(int db) {
  if (format_ == SnapshotFormat::kAof) {
    AppendAofSelect(db, &sink_);
  } else {
    writer_.BeginDb(db, sizes_[db], expires_[db]);
  }
}

void RdbSnapshot::AppendSide(std::string_view records) {
  if (format_ == SnapshotFormat::kAof) {
    sink_.append(records);
  } else {
    writer_.AppendEncoded(records);  // folds them into the checksum
  }
}

void RdbSnapshot::WriteFooter() {
  // The command form simply ends after the last key.
  if (format_ == SnapshotFormat::kRdb) writer_.Finish();
}

void RdbSnapshot::AdvanceDb() {
  ++db_;
  db_started_ = false;
  cursor_ = 0;
}

Status RdbSnapshot::Produce(size_t budget_bytes, std::string* out) {
  if (!began_) {
    WriteHeader();
    began_ = true;
  }
  while (error_.ok() && !finished_ && sink_.size() < budget_bytes) {
    if (db_ == Keyspace::kNumDbs) {
      WriteFooter();
      finished_ = true;
    } else if (sizes_[db_] == 0) {
      AdvanceDb();  // Redis skips databases that are empty
    } else if (!db_started_) {
      WriteDbStart(db_);
      AppendSide(side_[db_]);
      std::string().swap(side_[db_]);
      db_started_ = true;
      if (detached_) AdvanceDb();
    } else {
      Dict<Value>& keys = keyspace_->mutable_keys(db_);
      const int db = db_;
      cursor_ = keys.ScanNodes(cursor_, [&](Dict<Value>::Node* n) {
        if (n->value.version() >= version_) return;
        Status status = CopyNode(db, n, nullptr);
        if (!status.ok() && error_.ok()) error_ = std::move(status);
      });
      if (cursor_ == 0) AdvanceDb();
    }
  }
  if (!error_.ok()) return error_;
  if (out->empty()) {
    out->swap(sink_);
  } else {
    out->append(sink_);
  }
  sink_.clear();
  return Status::Ok();
}

void RdbSnapshot::CopyAllRemaining() {
  if (finished_ || detached_) return;
  for (int db = db_; db < Keyspace::kNumDbs; ++db) {
    if (sizes_[db] == 0) continue;
    const bool direct = db == db_ && db_started_;
    std::string* target = direct ? &sink_ : &side_[db];
    const size_t before = target->size();
    uint64_t cursor = direct ? cursor_ : 0;
    Dict<Value>& keys = keyspace_->mutable_keys(db);
    do {
      cursor = keys.ScanNodes(cursor, [&](Dict<Value>::Node* n) {
        if (n->value.version() >= version_) return;
        Status status = CopyNode(db, n, direct ? nullptr : target);
        if (!status.ok() && error_.ok()) error_ = std::move(status);
      });
    } while (cursor != 0);
    cow_bytes_ += static_cast<int64_t>(target->size() - before);
  }
  detached_ = true;
  if (db_started_) AdvanceDb();
}

DurableWrite::Writer SnapshotSliceWriter(RdbSnapshot* snapshot, size_t slice_bytes) {
  return [snapshot, slice_bytes](WritableFile& file, bool& finished) -> Status {
    std::string slice;
    PLAB_RETURN_IF_ERROR(snapshot->Produce(slice_bytes, &slice));
    finished = snapshot->finished();
    return file.Append(slice);
  };
}

}  // namespace plab::rdb
