// Reply comparison rules for the differential test: what "the same reply"
// means when Redis leaves the order unspecified, picks at random, or reports
// a time that moves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/command_gen.h"
#include "tests/integration/resp_client.h"

namespace plab::it {

// "" when `a` and `b` match under cmd.compare (kExact, kUnordered,
// kUnorderedPairs, kTtl; anything else is compared exactly); otherwise a
// short reason.
std::string Mismatch(const Cmd& cmd, const Reply& a, const Reply& b);

// kRandom / kPop: `a` and `b` must have the same shape (type, nil-ness,
// length) and every pick of each side must come from that side's
// `content` (the reply to cmd.content_query). "" when fine.
std::string RandomMismatch(const Cmd& cmd, const Reply& a, const Reply& content_a, const Reply& b,
                           const Reply& content_b);

// The members a random-pick reply holds (a bulk, or an array's elements; for
// WITHSCORES/WITHVALUES replies the even positions).
std::vector<std::string> PickedMembers(const Reply& r, bool pairs);

// The items of a whole SCAN iteration, deduplicated and sorted (pairs for
// HSCAN/ZSCAN, joined with a NUL), as one canonical string.
std::string CanonicalScanItems(std::vector<std::string> items);

// Raw RESP made readable on one line: \r\n, control and high bytes escaped.
std::string Printable(std::string_view raw, size_t max_len = 600);

}  // namespace plab::it
