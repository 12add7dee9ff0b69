// JSON text written by hand on hot paths: tools and the annotator build output lines by
// appending pieces instead of building and dumping a DOM per record.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace bcp {

// Appends `s` as a JSON string literal (with quotes). Invalid UTF-8 bytes become U+FFFD so the
// output is always valid JSON. Controls other than \n, \r and \t are written as \u00XX.
void append_json_string(std::string& out, std::string_view s);

// The sentence of a JSON parser error without nlohmann's "[json.exception.parse_error.101] "
// prefix, for messages shown to people.
[[nodiscard]] std::string json_error_text(std::string_view what);

// One JSON text, whole. nlohmann's parser takes a NUL byte for the end of its input, so
// `{"a":1}<NUL>garbage` would be accepted and the garbage kept in a stored body; a NUL is never
// part of JSON text, so these report it as a parse error (json::parse_error, at its byte).
[[nodiscard]] nlohmann::json parse_json(std::string_view text);
[[nodiscard]] nlohmann::ordered_json parse_ordered_json(std::string_view text);
[[nodiscard]] bool accept_json(std::string_view text);

// parse_json of a document read from outside (a file, an HTTP body): what does not parse is
// data_error("json", "malformed JSON: ...") with the line of the offending byte; a number beyond
// a double ("1e999", out_of_range, not parse_error) is bad data too.
[[nodiscard]] nlohmann::json parse_json_document(std::string_view text);

// One value as one compact line of JSON text (no newline). A string holding invalid UTF-8 is
// written with U+FFFD in place of the bad bytes instead of throwing: output is always valid.
[[nodiscard]] std::string json_line(const nlohmann::json& j);
[[nodiscard]] std::string json_line(const nlohmann::ordered_json& j);

}  // namespace bcp
