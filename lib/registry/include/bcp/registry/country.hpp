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

}  // namespace bcp
