// JSON text written by hand on hot paths: tools and the annotator build output lines by
// appending pieces instead of building and dumping a DOM per record.
#pragma once

#include <string>
#include <string_view>

namespace bcp {

// Appends `s` as a JSON string literal (with quotes). Invalid UTF-8 bytes become U+FFFD so the
// output is always valid JSON. Controls other than \n, \r and \t are written as \u00XX.
void append_json_string(std::string& out, std::string_view s);

// The sentence of a JSON parser error without nlohmann's "[json.exception.parse_error.101] "
// prefix, for messages shown to people.
[[nodiscard]] std::string json_error_text(std::string_view what);

}  // namespace bcp
