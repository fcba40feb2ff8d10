// The doctest main for the integration tests (tests/integration/). Each test
// suite is registered with CTest separately (see CMakeLists.txt). Besides
// doctest's verdict, a sanitizer report in the log of any plab server the
// tests stopped fails the run (scripts/test runs these tests against a plab
// built with ASan and UBSan).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/integration/server_process.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;
  const int reports = plab::it::SanitizerReportsSeen();
  if (reports == 0) return rc;
  std::fprintf(stderr, "%d sanitizer report(s) in plab serve's logs (printed above)\n", reports);
  return rc == 0 ? 1 : rc;
}
