// Reads the RESP command stream of one AOF file (a .base.aof, an .incr.aof
// or a legacy single appendonly.aof), following the framing rules of Redis
// 7.0.15's loadSingleAppendOnlyFile (src/aof.c) byte for byte, so that a
// file Redis loads, truncates or refuses gets the same verdict here.
//
// The reader is pure: it only sees the bytes it is given, executes nothing
// and knows no command table (unknown commands are the caller's problem, as
// in Redis where the lookup happens after framing).
//
// Framing contract (what Redis 7.0.15 does, and therefore what we do):
//  * Lines are read like fgets() into a 1024-byte buffer
//    (AOF_ANNOTATION_LINE_MAX_LEN): a "line" ends after '\n', after 1023
//    bytes, or at end of input. A longer line is therefore consumed in
//    1023-byte chunks, each chunk judged as if it were a line of its own.
//  * A line starting with '#' is an annotation (e.g. "#TS:<unix>\r\n" written
//    with aof-timestamp-enabled). It is reported as kAnnotation and skipped.
//  * Otherwise the line must start with '*'; the count is parsed like C
//    atoi() (leading blanks, sign, digits, anything after ignored, 64-bit
//    overflow clamped and then truncated to int) and must be >= 1.
//  * Each argument is a '$' line whose length is parsed like strtol(), then
//    exactly that many payload bytes, then 2 bytes that are skipped WITHOUT
//    being checked (Redis discards "the CRLF" blindly).
//  * Reaching end of input inside a command is a short read: kTruncated with
//    the offset just after the last complete command, i.e. where
//    aof-load-truncated cuts the file. A payload length larger than the rest
//    of the input is also a short read (Redis would allocate it and then hit
//    EOF in fread); nothing is allocated beyond the input's size.
//  * Reaching end of input cleanly while a MULTI is open is also kTruncated,
//    with incomplete_multi set and the cut placed before that MULTI
//    ("Revert incomplete MULTI/EXEC transaction in AOF file"). A short read
//    inside a MULTI cuts before that MULTI too (incomplete_multi stays
//    false: the command is torn). Deliberate difference: Redis 7.0.15 cuts
//    after the last complete command, leaving the open MULTI in the file;
//    once its start has added an INCR file that file is no longer the last,
//    so the next start reverts the MULTI, truncates again and then refuses
//    to start ("the truncated file is not the last file"). The queued
//    commands never ran either way, so the dataset loaded is the same.
//    Commands yielded since the MULTI were only queued by Redis, never run:
//    the caller must drop them on kTruncated.
//  * MULTI tracking follows Redis's fake client: any command named MULTI
//    (case-insensitive, even a nested one, which Redis queues) moves the
//    revert point to just before it; EXEC inside a MULTI closes it. DISCARD
//    inside a MULTI is merely queued by Redis, so it does not close it.
//  * Anything else where '*' or '$' is expected is a format error:
//    Status::Corruption("offset N: Bad file format reading the append only
//    file"), N being the offset of the offending line. A negative '$' length
//    (Redis aborts trying to allocate it) and a "*\0" line not at end of
//    input (Redis: "Unrecoverable error reading the append only file") are
//    Corruption too.
//  * The truncation offset starts at 0 and only moves after a complete
//    command, even when SetOffset skipped an RDB preamble: Redis 7.0.15
//    behaves the same (a preamble file torn before its first RESP command is
//    truncated to 0). Callers wanting to keep the preamble must clamp.
//  * After kEnd, kTruncated or an error, Next() keeps returning that result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace plab {

// Encodes argv as one AOF record, "*<argc>\r\n" then "$<len>\r\n<arg>\r\n"
// per argument, the same bytes Redis's catAppendOnlyGenericCommand writes.
std::string EncodeAofCommand(const std::vector<std::string>& argv);

// "#TS:<unix_seconds>\r\n", the annotation aof-timestamp-enabled writes
// before the first command of each new second.
std::string EncodeAofAnnotation(int64_t unix_seconds);

class AofReader {
 public:
  enum class Kind {
    kCommand,     // *argv holds the next command.
    kAnnotation,  // A '#' line; see Item::annotation / Item::timestamp.
    kEnd,         // Clean end of input; every command was complete.
    kTruncated,   // Short read or open MULTI; cut the file at truncate_at.
  };

  struct Item {
    Kind kind = Kind::kEnd;
    // kAnnotation: the line after '#', without its trailing "\r\n" / "\n".
    // Points into the input bytes.
    std::string_view annotation;
    // kAnnotation: set when the line is "#TS:<integer>\r..." (the form
    // redis-check-aof --truncate-to-timestamp accepts).
    std::optional<int64_t> timestamp;
    // kTruncated: the offset where aof-load-truncated truncates the file.
    size_t truncate_at = 0;
    // kTruncated: the input ended cleanly but inside MULTI, and truncate_at
    // is the offset just before that MULTI.
    bool incomplete_multi = false;
  };

  // `bytes` must outlive the reader (a temporary std::string is refused).
  explicit AofReader(std::string_view bytes) : bytes_(bytes) {}
  explicit AofReader(const char* bytes) : bytes_(bytes) {}
  explicit AofReader(std::string&&) = delete;

  // True when the input starts with "REDIS": an RDB base or an RDB preamble.
  // The caller loads the RDB from offset 0, then calls SetOffset(rdb_end)
  // and continues reading the RESP tail here.
  bool HasRdbPreamble() const;

  // Moves the read position (clamped to the input size).
  void SetOffset(size_t offset);

  // Offset of the next unread byte.
  size_t offset() const { return pos_; }

  // Offset just after the last complete command (Redis's valid_up_to).
  size_t last_good_offset() const { return valid_up_to_; }

  // Reads the next item. On kCommand *argv is replaced by the arguments.
  Result<Item> Next(std::vector<std::string>* argv);

 private:
  Result<Item> ReadNext(std::vector<std::string>* argv);
  Result<Item> ReadCommand(std::string_view header, size_t line_start,
                           std::vector<std::string>* argv);
  bool ReadLine(std::string_view* line);
  void NoteCommand(const std::vector<std::string>& argv, size_t before);
  Item Truncated() const;

  std::string_view bytes_;
  size_t pos_ = 0;
  bool eof_ = false;  // Like feof(): a read tried to go past the end.
  size_t valid_up_to_ = 0;
  size_t before_multi_ = 0;
  bool in_multi_ = false;
  bool finished_ = false;
  Status final_status_;
  Item final_item_;
};

}  // namespace plab
