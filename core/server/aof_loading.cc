// AofPersistence's startup half: loadAppendOnlyFiles(), the legacy
// single-file upgrade, loadSingleAppendOnlyFile() and
// aofOpenIfNeededOnServerStart() of Redis 7.0.15's src/aof.c.
#include <algorithm>
#include <cstdio>

#include "core/persist/aof_reader.h"
#include "core/persist/rdb_loader.h"
#include "core/persist/rdb_writer.h"
#include "core/server/aof_persistence.h"
#include "core/server/server.h"

namespace plab {
namespace {

double MillisSince(const Clock& clock, int64_t start_us) {
  return static_cast<double>(clock.MonotonicMicros() - start_us) / 1000.0;
}

std::string Seconds(double millis) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", millis / 1000.0);
  return buf;
}

}  // namespace

Status AofPersistence::Load(RecoveryReport* report) {
  const Config& c = server_.config();
  const std::string& f = c.appendfilename;
  const std::string manifest_path = DirPath(ManifestFileName(f));
  AofManifest am;
  const bool dir_exists = disk_->List(c.appenddirname).ok();
  if (disk_->Exists(manifest_path)) {
    Result<std::string> text = disk_->ReadAll(manifest_path);
    if (!text.ok()) return text.status();
    Result<AofManifest> parsed = ParseAofManifest(*text);
    if (!parsed.ok()) {
      return Status::Corruption("Fatal error reading the AOF manifest " + manifest_path + ": " +
                                parsed.status().message());
    }
    am = std::move(*parsed);
  }
  // A Redis <= 6 appendonly.aof in `dir`: adopt it as the BASE (moving it
  // into the directory) in the three situations loadAppendOnlyFiles() does.
  bool legacy = false;
  if (disk_->Exists(f)) {
    const bool empty = !am.base && am.incrs.empty();
    const bool only_legacy_base =
        am.base && am.incrs.empty() && am.base->name == f && !disk_->Exists(DirPath(f));
    if (!dir_exists || empty || only_legacy_base) {
      PLAB_RETURN_IF_ERROR(EnsureDir());
      AdoptLegacyAofAsBase(&am, f);
      PLAB_RETURN_IF_ERROR(PersistManifest(am));
      Status moved = disk_->Rename(f, DirPath(f));
      if (!moved.ok()) {
        return Status::IoError("Error trying to move the old AOF file " + f + " into dir " +
                               c.appenddirname + ": " + moved.message());
      }
      // aoftest fix: the file's new entry must be durable before its old
      // one goes, or a power cut in between (e.g. after this file then fails
      // to load) loses the only copy of the legacy AOF. Redis does not sync
      // here at all; a failed or later-completing directory sync leaves the
      // rename as durable as Redis leaves it, so the tickets are not waited on.
      (void)disk_->SyncDir(c.appenddirname);
      (void)disk_->SyncDir("");
      Log(LogLevel::kNotice, "Successfully migrated an old-style AOF file (" + f +
                                 ") into the AOF directory (" + c.appenddirname + ").");
      legacy = true;
      report->warnings.push_back("An old-style " + f + " was moved into " + c.appenddirname +
                                 "/ and is now its BASE file");
    }
  }
  if (!am.base && am.incrs.empty()) return Status::NotFound("no AOF");

  std::vector<std::string> names;
  if (am.base) names.push_back(am.base->name);
  for (const AofFileInfo& i : am.incrs) names.push_back(i.name);
  int64_t total = 0;
  for (const std::string& name : names) {
    Result<uint64_t> size = disk_->FileSize(DirPath(name));
    if (!size.ok()) {
      // An AOF named by the manifest but missing is fatal, as in Redis.
      Log(LogLevel::kWarning, "The append log file " + name + " doesn't exist");
      return Status::Corruption("The AOF file " + name + " named by the manifest doesn't exist");
    }
    total += static_cast<int64_t>(*size);
  }
  report->source = "aof";
  const int64_t dirty_before = server_.dirty();
  server_.keyspace().set_loading(true);
  Status status;
  for (size_t i = 0; i < names.size() && status.ok(); ++i) {
    const bool is_base = am.base && i == 0;
    RecoveryReport::File file;
    file.name = DirPath(names[i]);
    file.kind = !is_base                     ? "incr"
                : legacy                     ? "legacy-aof"
                : names[i].ends_with(".rdb") ? "base-rdb"
                                             : "base-aof";
    status = LoadFile(names[i], i + 1 == names.size(), &file);
    if (file.truncated_bytes > 0) {
      report->warnings.push_back("The last " + std::to_string(file.truncated_bytes) + " bytes of " +
                                 file.name +
                                 " were a torn command and were cut off (aof-load-truncated)");
    }
    report->files.push_back(std::move(file));
  }
  server_.keyspace().set_loading(false);
  // Loaded writes are already on disk: they don't count toward save points.
  server_.add_dirty(dirty_before - server_.dirty());
  if (!status.ok()) return status;
  for (const RecoveryReport::File& file : report->files) {
    if (file.truncated_bytes > 0) total -= file.truncated_bytes;
  }
  manifest_ = std::move(am);
  info_.current_size = total;
  // Like Redis, the size after the last rewrite is not persisted; the BASE
  // stands in for it, so the first automatic rewrite may come early.
  Result<uint64_t> base_size =
      manifest_.base ? disk_->FileSize(DirPath(manifest_.base->name)) : Result<uint64_t>(0);
  info_.base_size = base_size.ok() ? static_cast<int64_t>(*base_size) : 0;
  return Status::Ok();
}

// loadSingleAppendOnlyFile(): an RDB (BASE .rdb, or the preamble of a
// hybrid file) and then RESP commands.
Status AofPersistence::LoadFile(const std::string& name, bool last_file,
                                RecoveryReport::File* file) {
  const Clock& clock = server_.clock();
  const int64_t start = clock.MonotonicMicros();
  Result<std::string> bytes = disk_->ReadAll(DirPath(name));
  if (!bytes.ok()) {
    return Status::IoError("Fatal error: can't open the append log file " + name +
                           " for reading: " + bytes.status().message());
  }
  file->bytes = static_cast<int64_t>(bytes->size());
  if (bytes->empty()) return Status::Ok();  // an empty file loads nothing
  size_t from = 0;
  if (bytes->starts_with("REDIS")) {
    file->rdb_preamble = !name.ends_with(".rdb");
    Log(LogLevel::kNotice, file->rdb_preamble ? "Reading RDB preamble from AOF file..."
                                              : "Reading RDB base file on AOF loading...");
    Keyspace fresh;
    // A preamble keeps keys whose TTL passed (rdbLoad with
    // RDBFLAGS_AOF_PREAMBLE): they expire, and propagate, after loading.
    Result<RdbLoadResult> rdb =
        LoadRdb(*bytes, /*now_ms=*/0, RdbLoadOptionsFrom(server_.config()), &fresh);
    if (!rdb.ok()) {
      return Status::Corruption(
          "Error reading the RDB " +
          std::string(file->rdb_preamble ? "preamble of the AOF file " : "base file ") + name +
          ", AOF loading aborted: " + rdb.status().message());
    }
    server_.ReplaceKeyspace(std::move(fresh));
    file->keys_loaded = rdb->keys_loaded;
    from = rdb->bytes_read;
    if (from < bytes->size() && file->kind == "legacy-aof") {
      Log(LogLevel::kNotice, "Reading the remaining AOF tail...");
    }
  }
  Status s = ReplayCommands(*bytes, from, name, last_file, file);
  file->millis = MillisSince(clock, start);
  if (s.ok()) {
    const bool base = file->kind != "incr";
    Log(LogLevel::kNotice, std::string("DB loaded from ") + (base ? "base" : "incr") + " file " +
                               name + ": " + Seconds(file->millis) + " seconds");
  }
  return s;
}

Status AofPersistence::ReplayCommands(std::string_view bytes, size_t from, const std::string& name,
                                      bool last_file, RecoveryReport::File* file) {
  const std::string manifest = ManifestFileName(server_.config().appendfilename);
  AofReader reader(bytes);
  reader.SetOffset(from);
  // createAOFClient(): a client with no connection and every right.
  Client fake;
  fake.authenticated = true;
  std::vector<std::string> argv;
  for (;;) {
    const size_t command_start = reader.offset();
    Result<AofReader::Item> item = reader.Next(&argv);
    if (!item.ok()) {
      return Status::Corruption("Bad file format reading the append only file " + name + " (" +
                                item.status().message() +
                                "): make a backup of your AOF file, then use plab check-aof "
                                "--fix <" +
                                manifest + ">");
    }
    if (item->kind == AofReader::Kind::kAnnotation) continue;
    if (item->kind == AofReader::Kind::kEnd) break;
    if (item->kind == AofReader::Kind::kCommand) {
      const size_t at = command_start;
      Status replayed = server_.ReplayCommand(&fake, argv);
      if (!replayed.ok()) {
        // Redis's wording for an unknown command, plus where it is.
        return Status::Corruption(replayed.message() + " reading the append only file " + name +
                                  " at offset " + std::to_string(at));
      }
      ++file->commands;
      continue;
    }
    // kTruncated: a torn last command, or a MULTI without its EXEC.
    if (!last_file) {
      Log(LogLevel::kWarning, "Fatal error: the truncated file is not the last file");
      return Status::Corruption("The AOF file " + name +
                                " is truncated but is not the last file of the manifest");
    }
    if (!server_.config().aof_load_truncated) {
      return Status::Corruption(
          "Unexpected end of file reading the append only file " + name +
          ". You can: 1) Make a backup of your AOF file, then use plab check-aof --fix <" +
          manifest +
          ">. 2) Alternatively you can set the 'aof-load-truncated' configuration "
          "option to yes and restart the server.");
    }
    if (item->incomplete_multi) {
      Log(LogLevel::kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file " + name);
    }
    // Never cut into the RDB preamble: it loaded completely (Redis 7.0.15
    // would cut a hybrid file torn before its first command to 0 bytes).
    const size_t cut = std::max(item->truncate_at, from);
    Log(LogLevel::kWarning, "!!! Warning: short read while loading the AOF file " + name + "!!!");
    Log(LogLevel::kWarning,
        "!!! Truncating the AOF " + name + " at offset " + std::to_string(cut) + " !!!");
    Result<std::unique_ptr<WritableFile>> w = disk_->OpenWritable(DirPath(name), false);
    if (!w.ok()) return w.status();
    PLAB_RETURN_IF_ERROR((*w)->Truncate(cut));
    std::shared_ptr<SyncTicket> t = (*w)->Sync();
    (void)(*w)->Close();  // releases the handle; the sync's outcome is checked next
    if (t->done() && !t->status().ok()) return t->status();
    file->truncated_bytes = static_cast<int64_t>(bytes.size() - cut);
    Log(LogLevel::kWarning, "AOF " + name + " loaded anyway because aof-load-truncated is enabled");
    break;
  }
  return Status::Ok();
}

Status AofPersistence::OpenOnStartup() {
  const Config& c = server_.config();
  if (!c.appendonly) return Status::Ok();
  PLAB_RETURN_IF_ERROR(EnsureDir());
  if (!manifest_.base && manifest_.incrs.empty()) {
    // Starting with no AOF at all: an (empty) BASE comes first, so the
    // directory always describes the whole dataset.
    Result<std::string> base = AddNewBase(&manifest_, c.appendfilename, c.aof_use_rdb_preamble);
    if (!base.ok()) return base.status();
    rdb::RdbSnapshot snapshot(server_.keyspace(), BaseFormat(), BaseRdbOptions(), BaseAofOptions());
    std::string data;
    PLAB_RETURN_IF_ERROR(snapshot.Produce(SIZE_MAX, &data));
    PLAB_RETURN_IF_ERROR(WriteFileInIssueOrder(*disk_, DirPath(*base), data));
    // Redis leaves aof_current_size at 0 for this file until a write or
    // a rewrite: it was not loaded (INFO shows the same).
    Log(LogLevel::kNotice, "Creating AOF base file " + *base + " on server start");
  }
  const bool had_incr = !manifest_.incrs.empty();
  Result<std::string> incr = LastOrNewIncr(&manifest_, c.appendfilename);
  if (!incr.ok()) return incr.status();
  PLAB_RETURN_IF_ERROR(OpenIncr(*incr, /*truncate=*/false));
  PLAB_RETURN_IF_ERROR(PersistManifest(manifest_));
  Log(LogLevel::kNotice, std::string(had_incr ? "Opening" : "Creating") + " AOF incr file " +
                             *incr + " on server start");
  state_ = State::kOn;
  selected_db_ = -1;
  info_.last_fsync_s = server_.clock().NowMillis() / 1000;
  server_.set_propagating(true);
  DeleteHistory();
  return Status::Ok();
}

}  // namespace plab
