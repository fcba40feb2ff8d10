// The doctest main for the integration tests (tests/integration/). Each test
// suite is registered with CTest separately (see CMakeLists.txt).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
