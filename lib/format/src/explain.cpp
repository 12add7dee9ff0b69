#include "bcp/format/explain.hpp"

#include <iterator>

#include <fmt/format.h>

namespace bcp {

using nlohmann::json;

std::string explain_text(const json& j) {
    std::string out;
    auto row = [&](std::string_view label, const std::string& value) {
        fmt::format_to(std::back_inserter(out), "  {:<13}{}\n", label, value);
    };
    auto str = [](const json& v) { return v.is_null() ? std::string("?") : v.get<std::string>(); };
    const std::string type = j["type"].get<std::string>();
    fmt::format_to(std::back_inserter(out), "{}  {}  {}\n", j["input"].get<std::string>(),
                   type == "bcp-id" ? "Belgian BCP-ID" : type == "mrn" ? "MRN" :
                   type == "lrn" ? "LRN" : type == "eori" ? "EORI" :
                   type == "call" ? "call number" : "emergency mention",
                   j["valid"].get<bool>() ? "valid" : "INVALID");
    if (j.contains("year")) {
        const auto& y = j["year"];
        row("year", str(y["text"]) + (y["value"].is_null() ? "" : fmt::format(" ({})", y["value"].get<int>())));
        const auto& c = j["country"];
        const auto name = c["name"].get<std::string>();
        row("country", str(c["code"]) + (name.empty() ? "  (not an ISO 3166 code)" : "  " + name));
        if (j.contains("bcp")) {
            row("unique part", fmt::format("{}  (marker {}, operator part {})", str(j["unique"]),
                                           str(j["bcp"]["marker"]), str(j["bcp"]["operator_part"])));
        } else {
            row("unique part", str(j["unique"]));
        }
        const auto& p = j["procedure"];
        row("procedure", str(p["letter"]) + "  " +
                             (p["meaning"].is_null() ? std::string("not a Union Customs Code procedure letter")
                                                     : p["meaning"].get<std::string>()));
        const auto& k = j["check"];
        row("check", fmt::format("{}  (expected {})", str(k["found"]), str(k["expected"])));
    }
    if (j.contains("call")) {
        row("call", str(j["call"]));
        row("start", str(j["start"]) + " (local time of the procedure)");
    }
    if (j.contains("identifier")) {
        const auto name = j["country"]["name"].get<std::string>();
        row("country", str(j["country"]["code"]) + (name.empty() ? "" : "  " + name));
        row("identifier", str(j["identifier"]));
    }
    for (const auto& e : j["errors"]) {
        row("error", fmt::format("{}: {}", str(e["code"]), str(e["message"])));
    }
    for (const auto& w : j["warnings"]) {
        row("warning", fmt::format("{}: {}", str(w["code"]), str(w["message"])));
    }
    return out;
}

}  // namespace bcp
