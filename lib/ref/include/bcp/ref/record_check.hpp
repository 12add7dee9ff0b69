// The references of one line of input checked as `bcp-id check` checks them: the line as one
// bare reference, or the fields of a JSON record named as POINTER[:TYPE] (parse_ref_field), with
// duplicates within the run, missing fields and values that are not strings. The caller reads
// the lines and writes the results; this decides what each line holds.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/ref/reference.hpp"

namespace bcp {

struct RecordCheckOptions {
    std::optional<RefType> type;     // every reference of this type; null: detected
    std::vector<std::string> fields; // "POINTER[:TYPE]"; none: each line is one reference
    bool normalize = false;          // EORI: upper case and spaces removed are warnings
    bool duplicates = false;         // a reference seen before in the run is a problem
    bool allow_missing = false;      // a record without a field is no problem
    std::string_view fields_as = "the field";  // names the fields in messages (a tool: its flag)
};

// One reference found and checked.
struct CheckedRef {
    std::string_view field;       // its JSON pointer; empty for a bare line
    std::string_view text;        // as written (empty for a missing field or a non-string)
    const Check& check;
    const std::string* normalized;  // the normalized EORI, when normalizing one
    bool type_known;              // false: the type was to be detected and there was no value
};

// Why a line is no record. `usage` is a mistake of the caller's, not of the data: a JSON record
// checked as one bare reference would be "a valid LRN", its references must be named.
struct LineProblem {
    bool usage = false;     // the caller's mistake (a usage error), not the data's
    std::string_view kind;  // the data's: "empty", "json"
    std::string message;
};

class RecordChecker {
public:
    // Throws usage_error for a field that is no JSON pointer.
    explicit RecordChecker(RecordCheckOptions options);

    // Checks line `number` (duplicates name the line first seen); each reference goes to
    // `found`, in the order of the fields. Returns the problem of a line that is no record.
    [[nodiscard]] std::optional<LineProblem> line(std::size_t number, std::string_view text,
                                                  const std::function<void(const CheckedRef&)>& found);

private:
    void reference(std::size_t number, std::string_view field, std::string_view text,
                   std::optional<RefType> type, const std::function<void(const CheckedRef&)>& found);

    RecordCheckOptions o_;
    std::vector<nlohmann::json::json_pointer> pointers_;
    std::vector<std::optional<RefType>> field_types_;  // per pointer; null: detected
    std::vector<std::string> field_names_;             // per pointer, without the type
    std::unordered_map<std::string, std::size_t> seen_;  // "type:reference" -> first line
};

}  // namespace bcp
