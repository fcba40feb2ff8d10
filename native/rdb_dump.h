// `plab rdb-dump FILE [--json | --annotate]`: prints the keyspace stored in
// an RDB file, or (--annotate) what each byte range of it means.
// The file is only read. Every key is shown, including keys whose expire
// time is already past (the dump describes the file, not a live server).
//
// JSON form (--json), one document:
//   {"version":10, "aux":{"redis-ver":"7.0.15", ...},
//    "databases":{"0":{"key":{"type":"hash","encoding":"listpack",
//                             "expire_ms":4102444800000 or null,
//                             "value":...}}}}
// Databases without keys are left out; keys are sorted by their bytes.
// value by type:
//   string  a string
//   list    an array of strings, head first
//   hash    an object field -> value, in the hash's own order (a listpack
//           hash's insertion order)
//   set     an array of strings sorted by their bytes
//   zset    an array of [member, score] pairs in (score, member) order; a
//           score is a JSON number, or the string "inf" / "-inf"
// Binary data: JSON text must be UTF-8, so any byte string that is not
// valid UTF-8 is written as the object {"base64":"<RFC 4648 base64>"}
// instead of a JSON string (the two are told apart by their JSON type).
// Object keys cannot be objects, so:
//   * a key NAME that is not UTF-8 is listed under "base64:<base64>" and
//     its entry carries "key":{"base64":"..."} with the real name;
//   * a hash with any non-UTF-8 FIELD is written as an array of
//     [field, value] pairs instead of an object.
//
// Text form (default): one line per key, strings quoted like redis-cli:
//   db0 "hsmall" hash listpack expire_ms=4102444800000: "f1" "v1" "f2" "2"
//
// Annotated form (--annotate): one line per span of AnnotateRdb
// (core/persist/rdb_annotate.h, where the labels are listed), in file order:
//   0x<offset, 7 hex digits>  <length>  <label, indented 2 per depth>  <detail>
//   0x0000009  18  aux              redis-ver = "7.0.15"
// Works on an AOF file with an RDB preamble too (its RESP tail is one
// "aof-tail" span). On a corrupt file it prints the spans read before the
// error, an "unread" span, then the loader's error on stderr, and exits 1.
#pragma once

#include <string>
#include <vector>

namespace plab {

// `args` are the words after "rdb-dump". Returns the process exit code.
int RdbDumpMain(const std::vector<std::string>& args);

}  // namespace plab
