// Generates MRN-shaped references for business continuity procedures: Belgian BCP-IDs
// (aaBECPBbbbbbbbbbRc, IDMS) and individual references in MRN format (AES after an emergency
// procedure, code 1NPS). The varying characters come from a durable SequenceFile, so a number
// is never handed out twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bcp/ref/reference.hpp"
#include "bcp/ref/sequence.hpp"

namespace bcp {

struct GenerateOptions {
    RefType type = RefType::bcp_id;  // bcp_id or mrn
    std::string country;            // empty: BE (a BCP-ID is always BE)
    char procedure = 0;             // 0: R for a BCP-ID, A for an MRN
    int year2 = -1;                 // two digits (25), or 2000-2099; -1: the current UTC year
    // Fixed characters before the counter in the unique part. A BCP-ID's unique part is
    // CPB + 9 operator characters: `prefix` takes the first of the nine. An MRN's unique part
    // is 12 characters: `prefix` (default CPB) then the counter.
    std::string prefix;
    std::uint64_t count = 1;
};

// Checks the options (throws bcp::usage_error with a precise message) and fills defaults.
[[nodiscard]] GenerateOptions resolve(GenerateOptions options);

// The sequence key the options draw from: the fixed characters before the counter (country +
// unique-part prefix), so references that would share a shape share a counter.
[[nodiscard]] std::string sequence_key(const GenerateOptions& resolved);

// How many counter digits the unique part leaves, and so the largest number.
[[nodiscard]] std::uint64_t sequence_max(const GenerateOptions& resolved);

// Reserves options.count numbers and returns the references, in counter order.
[[nodiscard]] std::vector<std::string> generate(const GenerateOptions& options,
                                                SequenceFile& sequence);

// The reference built from the resolved options and one counter value.
[[nodiscard]] std::string make_reference(const GenerateOptions& resolved, std::uint64_t number);

}  // namespace bcp
