// A checked reference as output (bcp-id check): one JSON record or one text line per value,
// with where it came from, its type, errors, warnings and, for MRN-shaped types, the check
// character expected and the parts. The record's fields are listed in bcp-id(1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bcp/ref/reference.hpp"

namespace bcp {

// Where a checked value came from.
struct CheckOrigin {
    std::string_view file;  // empty for stdin
    std::size_t line = 0;
    std::string_view field;  // JSON pointer of the value, empty for a bare line
};

// Inputs longer than this are echoed truncated (the full length is given beside them), so a
// 10 MB line makes a readable record rather than a 10 MB one.
inline constexpr std::size_t check_echo_limit = 256;

// Appends the decimal digits of `v` (no allocation).
void append_decimal(std::string& out, std::uint64_t v);

// Appends the record as one JSON line (with its newline). `normalized` is the value as it
// would be valid (upper-cased, trimmed), or nullptr; `type_known` false writes "type": null.
// `scratch` is reused between calls so a record allocates nothing in the common case.
void append_check_json(std::string& out, const CheckOrigin& at, std::string_view input,
                       const Check& c, const std::string* normalized, bool type_known,
                       std::string& scratch);

// Appends the record as one text line: "file:line: field input type valid|INVALID: problems".
void append_check_text(std::string& out, const CheckOrigin& at, std::string_view input,
                       const Check& c, const std::string* normalized, bool type_known);

// A line that is not a usable record (not JSON, too long, empty), as its own record: JSON
// {"line","file","valid":false,"error":{"kind","message"}} or text "file:line: ERROR kind: message".
void append_bad_line_json(std::string& out, const CheckOrigin& at, std::string_view kind,
                          std::string_view message);
void append_bad_line_text(std::string& out, const CheckOrigin& at, std::string_view kind,
                          std::string_view message);

// A generated reference (bcp-id gen) as one JSON line: the reference, its type, country,
// procedure letter, the sequence it was drawn from and its number there.
void append_generated_json(std::string& out, std::string_view reference, RefType type,
                           std::string_view country, char procedure, std::string_view sequence,
                           std::uint64_t number);

}  // namespace bcp
