#include "bcp/ref/explain.hpp"

#include <chrono>

#include <fmt/format.h>

#include "bcp/ref/reference.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {

using nlohmann::json;

namespace {

int current_year() {
    const auto today = std::chrono::year_month_day{
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return static_cast<int>(today.year());
}

}  // namespace

json full_year(std::string_view yy, int this_year) {
    if (yy.size() != 2 || yy.find_first_not_of("0123456789") != std::string_view::npos) {
        return json();
    }
    const int y = (yy[0] - '0') * 10 + (yy[1] - '0');
    return 2000 + y > this_year + 1 ? 1900 + y : 2000 + y;
}

json explain_reference(std::string_view ref) {
    const RefType type = detect_type(ref);
    const Check c = check(type, ref);
    json j{{"input", ref}, {"type", to_string(type)}, {"valid", c.valid()}};
    json errors = json::array(), warnings = json::array();
    for (const auto& p : c) {
        (p.severity == Severity::error ? errors : warnings)
            .push_back({{"code", code_name(p.code)}, {"message", describe(p, ref)}});
    }
    j["errors"] = errors;
    j["warnings"] = warnings;
    if (is_mrn_shaped(type)) {
        if (const auto parts = split_mrn(ref)) {
            const char proc = parts->procedure[0];
            j["year"] = {{"text", parts->year}, {"value", full_year(parts->year, current_year())}};
            j["country"] = {{"code", parts->country}, {"name", country_name(parts->country)}};
            j["unique"] = parts->unique;
            // In a BCP-ID the letter is part of the structure (aaBECPBbbbbbbbbbRc), not a
            // procedure category chosen for the declaration.
            const auto meaning = type == RefType::bcp_id && proc == 'R'
                                     ? std::string_view("the letter every BCP-ID has at "
                                                        "position 17 (aaBECPBbbbbbbbbbRc)")
                                     : mrn_procedure_meaning(proc);
            j["procedure"] = {{"letter", parts->procedure},
                              {"meaning", meaning.empty() ? json() : json(meaning)}};
            j["check"] = {{"found", parts->check},
                          {"expected", c.check_expected ? json(std::string(1, c.check_expected))
                                                        : json()}};
            if (type == RefType::bcp_id) {
                j["bcp"] = {{"marker", parts->unique.substr(0, 3)},
                            {"operator_part", parts->unique.substr(3)}};
            }
        }
    } else if (type == RefType::mention) {
        if (const auto m = parse_mention(ref)) {
            j["call"] = m->call;
            j["start"] = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", m->year, m->month,
                                     m->day, m->hour, m->minute, m->second);
        }
    } else if (type == RefType::eori && ref.size() >= 2) {
        j["country"] = {{"code", ref.substr(0, 2)}, {"name", country_name(ref.substr(0, 2))}};
        j["identifier"] = ref.substr(2);
    }
    return j;
}

}  // namespace bcp
