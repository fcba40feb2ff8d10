// Glob-style pattern matching with Redis's stringmatchlen() semantics: used
// by KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH and CONFIG GET.
//   *  any sequence   ?  any one byte   [abc] [^a-z] sets   \x escapes x
#pragma once

#include <string_view>

namespace plab {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace plab
