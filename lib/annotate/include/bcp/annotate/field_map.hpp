// Writing what a procedure requires into the declaration itself: the codes, mentions and
// references of a "bcp" annotation go into the declaration's own fields, at the places a field
// map names (JSON pointers per box name), so that what is sent to customs is a declaration and
// never our annotation. The bundled map is data/maps/declaration.json; the format is in
// bcp-replay(1).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bcp {

// How a box is written: one string ("value"), an array of strings ("list"), or an array of
// {code, value} objects ("coded-list", the keys named by code_key and value_key).
enum class FieldShape : std::uint8_t { value, list, coded_list };

struct FieldPlace {
    std::string box;  // the rules' field name, e.g. "Additional reference"
    nlohmann::json::json_pointer pointer;
    FieldShape shape = FieldShape::value;
    std::string code_key = "code", value_key = "value";
};

struct FieldMap {
    std::string name;
    std::string file;  // where it was read from
    std::vector<FieldPlace> places;

    // Reads a map file; throws data_error naming the file and the bad entry, io_error when it
    // cannot be read.
    static FieldMap load(const std::filesystem::path& path);
    // The bundled map, data/maps/declaration.json.
    static FieldMap bundled();

    [[nodiscard]] const FieldPlace* find(std::string_view box) const noexcept;
};

// Writes the items of `annotation` (a "bcp" object) that belong in a declaration submitted
// afterwards into `declaration`: mentions and codes of stage "after" or "both" not meant for a
// paper document, and every reference. Returns one message per item that cannot be written (a
// box the map does not place, a field that holds something else); `declaration` is then left
// partly written and must not be used.
// Both are ordered JSON, so the declaration keeps its own order of fields.
[[nodiscard]] std::vector<std::string> write_into_declaration(nlohmann::ordered_json& declaration,
                                                             const nlohmann::ordered_json& annotation,
                                                             const FieldMap& map);

}  // namespace bcp
