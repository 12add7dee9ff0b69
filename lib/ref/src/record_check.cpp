#include "bcp/ref/record_check.hpp"

#include <utility>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"

namespace bcp {

using nlohmann::json;

RecordChecker::RecordChecker(RecordCheckOptions options) : o_(std::move(options)) {
    for (const auto& f : o_.fields) {
        const RefField field = parse_ref_field(f);
        try {
            pointers_.emplace_back(field.pointer);
        } catch (const json::exception& e) {
            throw usage_error(fmt::format("{} '{}' is not a JSON pointer: {}", o_.fields_as, f, json_error_text(e.what())));
        }
        switch (field.how) {
            case RefField::Type::named: field_types_.emplace_back(field.type); break;
            case RefField::Type::detected: field_types_.emplace_back(std::nullopt); break;
            case RefField::Type::inherited: field_types_.push_back(o_.type); break;
        }
        field_names_.push_back(field.pointer);
    }
}

void RecordChecker::reference(std::size_t number, std::string_view field, std::string_view text,
                              std::optional<RefType> fixed, const std::function<void(const CheckedRef&)>& found) {
    const RefType type = fixed ? *fixed : detect_type(text);
    Check c = check(type, text, o_.normalize);
    if (o_.duplicates && !text.empty()) {
        auto key = std::string(to_string(type));
        key.push_back(':');
        key.append(text);
        const auto [it, fresh] = seen_.try_emplace(std::move(key), number);
        if (!fresh) c.add(Code::duplicate, 0, 0, 0, it->second);
    }
    std::string normalized;
    const bool show_normalized = o_.normalize && type == RefType::eori;
    if (show_normalized) normalized = normalize_eori(text);
    found({field, text, c, show_normalized ? &normalized : nullptr, true});
}

std::optional<LineProblem> RecordChecker::line(std::size_t number, std::string_view text,
                                               const std::function<void(const CheckedRef&)>& found) {
    if (pointers_.empty()) {
        if (const auto c = text.find_first_not_of(" \t"); c != std::string_view::npos && (text[c] == '{' || text[c] == '[')) {
            return LineProblem{true, {}, fmt::format("the line is JSON; name the references to check with {} "
                                                    "POINTER[:TYPE], e.g. {} /mrn:mrn",
                                                    o_.fields_as, o_.fields_as)};
        }
        reference(number, {}, text, o_.type, found);
        return std::nullopt;
    }
    if (text.find_first_not_of(" \t") == std::string_view::npos) {
        return LineProblem{false, "empty", "empty line where a JSON object was expected"};
    }
    json doc;
    try {
        doc = parse_json(text);
    } catch (const json::exception& e) {
        return LineProblem{false, "json", "malformed JSON: " + json_error_text(e.what())};
    }
    if (!doc.is_object()) return LineProblem{false, "json", fmt::format("a record must be a JSON object, found {}", doc.type_name())};
    for (std::size_t i = 0; i < pointers_.size(); ++i) {
        const json* value = nullptr;
        try {
            value = doc.contains(pointers_[i]) ? &doc.at(pointers_[i]) : nullptr;
        } catch (const json::exception&) {
            value = nullptr;  // e.g. a pointer into an array with a non-numeric token
        }
        if (value == nullptr && o_.allow_missing) continue;
        if (value == nullptr || !value->is_string()) {
            Check c;
            c.type = field_types_[i].value_or(RefType::lrn);
            c.add(value == nullptr ? Code::missing_field : Code::not_a_string);
            found({field_names_[i], {}, c, nullptr, field_types_[i].has_value()});
            continue;
        }
        reference(number, field_names_[i], value->get_ref<const std::string&>(), field_types_[i], found);
    }
    return std::nullopt;
}

}  // namespace bcp
