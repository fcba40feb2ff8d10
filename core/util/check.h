// PLAB_CHECK and PLAB_DCHECK: broken invariants (a caller breaking a
// REQUIRES: precondition a header states) stop the program with a message
// saying what broke, where. They are for bugs in PersistLab, never for bad
// input: hostile bytes, client mistakes and disk errors are Status values
// and RESP error replies (architecture rule 2).
//
//   PLAB_CHECK(cond, msg)   always on. For checks that cost nothing next to
//                           what they guard (Result<T>::value() on an error).
//   PLAB_DCHECK(cond, msg)  debug builds only (NDEBUG unset: the `asan`
//                           preset); compiled out, `msg` unevaluated, in
//                           RelWithDebInfo/Release. For preconditions on hot
//                           paths (Keyspace::Add, ZSet::Insert ...).
//
// Portable: the message goes to stderr (in the browser, Emscripten's
// console.error) and abort() ends the process (the wasm module's abort,
// which persistlab.js reports as an engine crash), so a broken invariant
// says what it was on every host instead of a bare trap.
#pragma once

#include <string_view>

namespace plab {

// Prints "file:line: check failed: cond: message" and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              std::string_view message);

}  // namespace plab

#define PLAB_CHECK(cond, msg)                                           \
  do {                                                                  \
    if (!(cond)) ::plab::CheckFailed(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)

#ifdef NDEBUG
// Still compiled (so a variable only a DCHECK reads is not "unused" and the
// expression keeps building), never run.
#define PLAB_DCHECK(cond, msg)        \
  do {                                \
    if (false) PLAB_CHECK(cond, msg); \
  } while (0)
#else
#define PLAB_DCHECK(cond, msg) PLAB_CHECK(cond, msg)
#endif
