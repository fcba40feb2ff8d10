#include "core/util/status.h"

namespace plab {

std::string Status::ToString() const {
  const char* prefix = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kNotFound: prefix = "NotFound"; break;
    case Code::kCorruption: prefix = "Corruption"; break;
    case Code::kIoError: prefix = "IO error"; break;
    case Code::kInvalidArgument: prefix = "Invalid argument"; break;
    case Code::kNotSupported: prefix = "Not supported"; break;
  }
  return std::string(prefix) + ": " + message_;
}

}  // namespace plab
