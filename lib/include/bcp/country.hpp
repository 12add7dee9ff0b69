// ISO 3166-1 alpha-2 country codes, read once from data/countries.tsv. Lookups are a table
// index, so validating millions of references costs nothing per call.
#pragma once

#include <string_view>

namespace bcp {

// True for a known alpha-2 code (upper case). Loads the table on first use (thread-safe).
[[nodiscard]] bool is_country(std::string_view code);

// The English short name of a known code, or an empty view.
[[nodiscard]] std::string_view country_name(std::string_view code);

}  // namespace bcp
