// The RDB byte inspector's entry point for the browser playground's Disk
// view: annotateRdb(bytes) -> JSON, the spans of core/persist/rdb_annotate.h
// (AnnotationJson's shape: {"size","spans":[{offset,length,depth,label,
// detail}],"error"}). It takes a whole file, an RDB snapshot or an AOF file
// with an RDB preamble, as a Uint8Array (embind hands it over as a
// std::string) and needs no lab: the same loader that restarts the engine
// parses the bytes, so the inspector shows exactly what a restart reads.
#include <emscripten/bind.h>

#include <string>

#include "core/persist/rdb_annotate.h"

namespace {

std::string AnnotateRdbJson(const std::string& bytes) {
  return plab::AnnotationJson(plab::AnnotateRdb(bytes));
}

}  // namespace

EMSCRIPTEN_BINDINGS(plab_annotate) { emscripten::function("annotateRdb", &AnnotateRdbJson); }
