#include "bcp/notice/notice_statuspage.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"

namespace bcp {
namespace {

using nlohmann::json;

// Statuspage's lower-case states as the rendered page writes them (customs4trade-1).
std::string status_name(std::string_view s) {
    if (s == "in_progress") return "In progress";
    if (s.empty()) return {};
    std::string out(s);
    if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    for (auto& c : out) {
        if (c == '_') c = ' ';
    }
    return out;
}

std::string string_field(const json& o, const char* key) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

std::optional<UtcTime> time_field(const json& o, const char* key) {
    const std::string s = string_field(o, key);
    if (s.empty()) return std::nullopt;
    return parse_time(s, "UTC");
}

RawNotice incident(const json& o) {
    if (!o.is_object()) throw data_error("json", "an incident or maintenance must be a JSON object");
    RawNotice raw;
    raw.newest_first = true;
    raw.title = string_field(o, "name");
    raw.source_id = string_field(o, "id");
    raw.posted_at = time_field(o, "created_at");
    raw.window_start = time_field(o, "scheduled_for");
    raw.window_end = time_field(o, "scheduled_until");
    if (const auto c = o.find("components"); c != o.end() && c->is_array()) {
        for (const auto& comp : *c) {
            if (!comp.is_object()) continue;
            const std::string name = string_field(comp, "name");
            if (!name.empty()) raw.context += name + "\n";
        }
    }
    if (const auto u = o.find("incident_updates"); u != o.end()) {
        if (!u->is_array()) throw data_error("json", "incident_updates must be an array");
        for (const auto& up : *u) {
            if (!up.is_object()) throw data_error("json", "an incident update must be a JSON object");
            RawUpdate ru;
            ru.status = status_name(string_field(up, "status"));
            ru.text = string_field(up, "body");
            ru.at = time_field(up, "display_at");
            if (!ru.at) ru.at = time_field(up, "created_at");
            raw.updates.push_back(std::move(ru));
        }
    }
    if (raw.updates.empty()) {
        RawUpdate ru;
        ru.status = status_name(string_field(o, "status"));
        ru.at = raw.posted_at;
        raw.updates.push_back(std::move(ru));
    }
    return raw;
}

}  // namespace

std::vector<RawNotice> read_statuspage(std::string_view text) {
    const json doc = parse_json_document(text);
    std::vector<RawNotice> out;
    try {
        bool shaped = false;
        auto take = [&](const char* key) {
            if (!doc.is_object()) return;
            const auto it = doc.find(key);
            if (it == doc.end()) return;
            if (!it->is_array()) throw data_error("json", fmt::format("'{}' must be an array", key));
            shaped = true;
            for (const auto& o : *it) out.push_back(incident(o));
        };
        take("incidents");
        take("scheduled_maintenances");
        if (doc.is_object() && doc.contains("incident_updates")) {  // a single incident
            shaped = true;
            out.push_back(incident(doc));
        }
        if (!shaped) {
            throw data_error("json",
                             "not a Statuspage document: no 'incidents' or 'scheduled_maintenances' "
                             "(incidents.json, scheduled-maintenances.json, summary.json)");
        }
    } catch (const json::exception& e) {
        throw data_error("json", fmt::format("unexpected Statuspage JSON: {}", e.what()));
    }
    return out;
}

}  // namespace bcp
