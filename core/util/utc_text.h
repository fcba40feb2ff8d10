// Unix time in milliseconds as UTC calendar text, "2100-01-01 00:00:00.000
// UTC", for people reading a tool's output (expiry times in an RDB file,
// the lab's virtual clock). core/ has no <chrono> calendar (and C's gmtime
// is not portable to every target), so the date is computed here:
// proleptic Gregorian, any int64 time, negative times before 1970.
#pragma once

#include <cstdint>
#include <string>

namespace plab {

std::string UtcText(int64_t unix_ms);

}  // namespace plab
