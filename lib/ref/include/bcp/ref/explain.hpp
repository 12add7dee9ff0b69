// A reference explained part by part (bcp-id explain): its type, validity with every problem,
// and the meaning of each part (year, country, unique part, procedure letter, check character;
// the call and start of an emergency mention; the country and identifier of an EORI).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace bcp {

// The explanation as one JSON object (schema in bcp-id(1)).
[[nodiscard]] nlohmann::json explain_reference(std::string_view ref);

// A two-digit year as a full one: this century unless that lies more than a year ahead of
// `this_year` (references are not made for years to come), so "97" reads as 1997 and "25" as
// 2025. Null for anything but two digits.
[[nodiscard]] nlohmann::json full_year(std::string_view yy, int this_year);

}  // namespace bcp
