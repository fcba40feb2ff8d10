// The RDB byte inspector's entry points for the browser playground's Disk
// view: annotateRdb(bytes) and annotateRdbWindow(bytes, first, count) ->
// JSON, the spans of core/persist/rdb_annotate.h (AnnotationJson's shape:
// {"size","entries","spans":[{offset,length,depth,label,detail}],"error"}). It takes a whole file,
// an RDB snapshot or an AOF file with an RDB preamble, as a Uint8Array (embind hands it over as a
// std::string) and needs no lab: the same loader that restarts the engine
// parses the bytes, so the inspector shows exactly what a restart reads.
#include <emscripten/bind.h>

#include <cstdint>
#include <string>

#include "core/persist/rdb_annotate.h"

namespace {

std::string AnnotateRdbJson(const std::string& bytes) {
  return plab::AnnotationJson(plab::AnnotateRdb(bytes));
}

// Only entries first .. first + count - 1 get spans (see
// RdbAnnotateOptions): a page of a big dump; "entries" in the JSON says
// how many there are in all.
std::string AnnotateRdbWindowJson(const std::string& bytes, uint32_t first, uint32_t count) {
  return plab::AnnotationJson(plab::AnnotateRdb(bytes, {first, count}));
}

}  // namespace

EMSCRIPTEN_BINDINGS(plab_annotate) {
  emscripten::function("annotateRdb", &AnnotateRdbJson);
  emscripten::function("annotateRdbWindow", &AnnotateRdbWindowJson);
}
