#include "bcp/annotate/field_map.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"

namespace bcp {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

[[noreturn]] void bad_map(const std::string& file, const std::string& what) {
    throw data_error("map", fmt::format("field map {}: {}", file, what), file);
}

std::string pointer_text(const json::json_pointer& p) { return p.to_string(); }

// The place of `p` in `doc`, created (with its parents as objects) when absent. Null when a
// parent exists and is not an object.
ojson* reach(ojson& doc, const json::json_pointer& p) {
    if (p.empty()) return nullptr;
    ojson* parent = &doc;
    const auto parent_ptr = p.parent_pointer();
    if (!parent_ptr.empty()) {
        if (!doc.contains(parent_ptr)) doc[parent_ptr] = ojson::object();
        parent = &doc[parent_ptr];
    }
    if (!parent->is_object()) return nullptr;
    return &(*parent)[p.back()];
}

}  // namespace

FieldMap FieldMap::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(fmt::format("cannot open field map {}", path.string()), path.string());
    std::ostringstream text;
    text << in.rdbuf();
    const std::string file = path.string();
    json doc;
    try {
        doc = parse_json(text.str());
    } catch (const json::exception& e) {
        bad_map(file, "not JSON: " + json_error_text(e.what()));
    }
    if (!doc.is_object() || !doc.contains("fields") || !doc["fields"].is_object()) {
        bad_map(file, "must be an object with a \"fields\" object");
    }
    FieldMap map;
    map.file = file;
    map.name = doc.value("name", path.stem().string());
    for (const auto& [box, spec] : doc["fields"].items()) {
        if (!spec.is_object() || !spec.contains("pointer") || !spec["pointer"].is_string()) {
            bad_map(file, fmt::format("field \"{}\" needs a \"pointer\" (a JSON pointer)", box));
        }
        FieldPlace place;
        place.box = box;
        try {
            place.pointer = json::json_pointer(spec["pointer"].get<std::string>());
        } catch (const json::exception&) {
            bad_map(file, fmt::format("field \"{}\": \"{}\" is not a JSON pointer", box,
                                      spec["pointer"].get<std::string>()));
        }
        if (place.pointer.empty()) bad_map(file, fmt::format("field \"{}\": the pointer is empty", box));
        const std::string shape = spec.value("shape", std::string("value"));
        if (shape == "value") {
            place.shape = FieldShape::value;
        } else if (shape == "list") {
            place.shape = FieldShape::list;
        } else if (shape == "coded-list") {
            place.shape = FieldShape::coded_list;
        } else {
            bad_map(file, fmt::format("field \"{}\": shape \"{}\" is not value, list or coded-list",
                                      box, shape));
        }
        place.code_key = spec.value("code_key", std::string("code"));
        place.value_key = spec.value("value_key", std::string("value"));
        for (const auto& [k, v] : spec.items()) {
            if (k != "pointer" && k != "shape" && k != "code_key" && k != "value_key") {
                bad_map(file, fmt::format("field \"{}\": unknown key \"{}\"", box, k));
            }
        }
        map.places.push_back(std::move(place));
    }
    return map;
}

FieldMap FieldMap::bundled() { return load(data_file("maps/declaration.json")); }

const FieldPlace* FieldMap::find(std::string_view box) const noexcept {
    for (const auto& p : places) {
        if (p.box == box) return &p;
    }
    return nullptr;
}

std::vector<std::string> write_into_declaration(ojson& declaration, const ojson& annotation,
                                                const FieldMap& map) {
    std::vector<std::string> problems;
    auto place_of = [&](const ojson& item, const char* what) -> const FieldPlace* {
        const std::string box = item.value("field", std::string());
        if (box.empty()) {
            problems.push_back(fmt::format("the {} {} names no field (box) to write it in", what,
                                           item.value("code", item.value("value", std::string()))));
            return nullptr;
        }
        const auto* place = map.find(box);
        if (place == nullptr) {
            problems.push_back(fmt::format("the field map {} has no place for the {} box \"{}\"; "
                                           "give a map that places it (--map FILE)",
                                           map.name, what, box));
        }
        return place;
    };
    auto for_after = [](const ojson& item) {
        if (item.contains("document") && !item["document"].is_null()) return false;  // on paper
        const std::string stage = item.value("stage", std::string("both"));
        return stage == "after" || stage == "both";
    };
    auto write_value = [&](const FieldPlace& place, const std::string& value) {
        ojson* slot = reach(declaration, place.pointer);
        if (slot == nullptr) {
            problems.push_back(fmt::format("{} cannot be written: a field above it is not an object",
                                           pointer_text(place.pointer)));
            return;
        }
        switch (place.shape) {
            case FieldShape::value:
                if (slot->is_null()) {
                    *slot = value;
                } else if (!slot->is_string() || slot->get_ref<const std::string&>() != value) {
                    problems.push_back(fmt::format("{} already holds {}, not {}",
                                                   pointer_text(place.pointer), slot->dump(),
                                                   ojson(value).dump()));
                }
                return;
            case FieldShape::list:
                if (slot->is_null()) *slot = ojson::array();
                if (!slot->is_array()) {
                    problems.push_back(fmt::format("{} holds {}, not a list",
                                                   pointer_text(place.pointer), slot->type_name()));
                    return;
                }
                for (const auto& v : *slot) {
                    if (v == value) return;
                }
                slot->push_back(value);
                return;
            case FieldShape::coded_list: break;
        }
    };
    auto write_coded = [&](const FieldPlace& place, const std::string& code, const std::string& value) {
        if (place.shape != FieldShape::coded_list) {
            // A code written into a plain box: "CODE value", as on paper.
            return write_value(place, value.empty() ? code : code + " " + value);
        }
        ojson* slot = reach(declaration, place.pointer);
        if (slot == nullptr || !(slot->is_null() || slot->is_array())) {
            problems.push_back(fmt::format("{} holds {}, not a list of codes",
                                           pointer_text(place.pointer),
                                           slot == nullptr ? "a non-object parent" : slot->type_name()));
            return;
        }
        if (slot->is_null()) *slot = ojson::array();
        ojson entry{{place.code_key, code}, {place.value_key, value}};
        for (const auto& v : *slot) {
            if (v == entry) return;
        }
        slot->push_back(std::move(entry));
    };

    for (const char* kind : {"mentions", "codes", "references"}) {
        if (!annotation.contains(kind) || !annotation[kind].is_array()) continue;
        for (const auto& item : annotation[kind]) {
            if (!item.is_object()) continue;
            const bool reference = std::string_view(kind) == "references";
            if (!reference && !for_after(item)) continue;
            const auto* place = place_of(item, reference ? "reference" : std::string_view(kind) == "codes" ? "code" : "mention");
            if (place == nullptr) continue;
            const std::string value = item.value("value", std::string());
            if (std::string_view(kind) == "codes") {
                write_coded(*place, item.value("code", std::string()), value);
            } else if (place->shape == FieldShape::coded_list) {
                problems.push_back(fmt::format("the map places the {} box \"{}\" as a coded list, "
                                               "but it holds no code",
                                               reference ? "reference" : "mention", place->box));
            } else {
                write_value(*place, value);
            }
        }
    }
    // One line per distinct problem (two mentions in one box say the same thing twice).
    std::vector<std::string> distinct;
    for (auto& p : problems) {
        if (std::find(distinct.begin(), distinct.end(), p) == distinct.end()) distinct.push_back(std::move(p));
    }
    return distinct;
}

}  // namespace bcp
