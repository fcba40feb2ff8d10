#include "core/server/recovery_report.h"

#include <nlohmann/json.hpp>

namespace plab {

std::string RecoveryReport::ToJson() const {
  nlohmann::json doc;
  doc["source"] = source;
  doc["files"] = nlohmann::json::array();
  for (const File& f : files) {
    doc["files"].push_back({{"name", f.name},
                            {"kind", f.kind},
                            {"bytes", f.bytes},
                            {"rdb_preamble", f.rdb_preamble},
                            {"keys_loaded", f.keys_loaded},
                            {"keys_expired", f.keys_expired},
                            {"commands", f.commands},
                            {"truncated_bytes", f.truncated_bytes},
                            {"millis", f.millis}});
  }
  doc["warnings"] = warnings;
  if (!error.empty()) doc["error"] = error;
  doc["keys_after"] = keys_after;
  doc["total_millis"] = total_millis;
  // Invalid UTF-8 in a file name must not throw: replace it.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace plab
