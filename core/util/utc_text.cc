#include "core/util/utc_text.h"

#include <cinttypes>
#include <cstdio>

namespace plab {

std::string UtcText(int64_t unix_ms) {
  constexpr int64_t kMsPerDay = 86400000;
  // Whole days and the milliseconds into the day, rounding towards minus
  // infinity so times before 1970 land on the right day.
  int64_t days = unix_ms / kMsPerDay;
  int64_t ms = unix_ms % kMsPerDay;
  if (ms < 0) {
    ms += kMsPerDay;
    --days;
  }
  // Day count -> civil date, counting in 400-year eras that start on
  // 0000-03-01 (so the leap day ends a year): era, day of era, year of era,
  // day of that March-based year, then month and day.
  const int64_t z = days + 719468;  // days from 0000-03-01 to 1970-01-01
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[80];
  std::snprintf(buf, sizeof(buf),
                "%04" PRId64 "-%02" PRId64 "-%02" PRId64 " %02" PRId64 ":%02" PRId64 ":%02" PRId64
                ".%03" PRId64 " UTC",
                year, month, day, ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  return buf;
}

}  // namespace plab
