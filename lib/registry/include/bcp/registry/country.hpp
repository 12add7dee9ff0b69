// ISO 3166-1 alpha-2 country codes, read once from data/countries.tsv. Lookups are a table
// index, so validating millions of references costs nothing per call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bcp {

// True for a known alpha-2 code (upper case). Loads the table on first use (thread-safe).
[[nodiscard]] bool is_country(std::string_view code);

// The English short name of a known code, or an empty view.
[[nodiscard]] std::string_view country_name(std::string_view code);
// The alpha-2 code a user probably meant by `text`: the code in another case, the alpha-3
// code, the English name or another name of data/countries.tsv (UK and Britain: GB; EL: GR);
// nullopt when nothing matches. For "did you mean" messages only, never to accept a value.
[[nodiscard]] std::optional<std::string> suggest_country(std::string_view text);

// Checks a country a user filters on: an ISO 3166 alpha-2 code in any case, or EU for the
// Union's own systems (UK is not a code: GB). Anything else would silently match nothing, so it
// throws usage_error, with the code meant when suggest_country knows it; `as` names the value in
// the message (a tool says its flag). Empty passes: no filter.
void check_country_filter(std::string_view code, std::string_view as = "the country");

}  // namespace bcp
