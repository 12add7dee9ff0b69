#include "bcp/ref/generate.hpp"

#include <chrono>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {
namespace {

constexpr std::size_t unique_length = 12;
constexpr std::string_view bcp_unique_marker = "CPB";
constexpr std::string_view mrn_default_prefix = "CPB";

std::size_t counter_digits(const GenerateOptions& o) {
    return unique_length - (o.type == RefType::bcp_id ? bcp_unique_marker.size() : 0) -
           o.prefix.size();
}

std::string fixed_unique(const GenerateOptions& o) {
    return o.type == RefType::bcp_id ? std::string(bcp_unique_marker) + o.prefix : o.prefix;
}

}  // namespace

GenerateOptions resolve(GenerateOptions o) {
    if (o.type != RefType::bcp_id && o.type != RefType::mrn) {
        throw usage_error("only bcp-id and mrn references can be generated");
    }
    if (o.type == RefType::bcp_id) {
        if (!o.country.empty() && o.country != "BE") {
            throw usage_error("a BCP-ID is Belgian: its country is always BE");
        }
        o.country = "BE";
        if (o.procedure == 0) o.procedure = 'R';
    } else {
        // The MRN format of the Belgian procedure (bcp-id(1)): a reference for another country
        // is asked for by name.
        if (o.country.empty()) o.country = "BE";
        if (o.procedure == 0) o.procedure = 'A';
        if (o.prefix.empty()) o.prefix = std::string(mrn_default_prefix);
    }
    if (!is_country(o.country)) {
        throw usage_error(fmt::format("'{}' is not an ISO 3166 country code", o.country));
    }
    if (mrn_procedure_meaning(o.procedure).empty()) {
        throw usage_error(fmt::format(
            "procedure '{}' is not a Union Customs Code procedure letter (A-E, J-M, R-W)",
            o.procedure));
    }
    if (o.year2 < 0) {
        const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        const std::chrono::year_month_day ymd{today};
        o.year2 = static_cast<int>(ymd.year()) % 100;
    }
    if (o.year2 >= 2000 && o.year2 <= 2099) o.year2 -= 2000;  // 2025 is 25; 2100 on is refused
    if (o.year2 > 99) throw usage_error(fmt::format("year {} is not two digits", o.year2));
    const std::size_t room = unique_length - (o.type == RefType::bcp_id ? 3 : 0);
    if (o.prefix.size() + 3 > room) {
        throw usage_error(fmt::format("prefix '{}' is too long: at most {} characters, so that "
                                      "at least 3 digits remain for the counter",
                                      o.prefix, room - 3));
    }
    for (char c : o.prefix) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            throw usage_error(fmt::format("prefix '{}' may hold only digits and upper-case letters",
                                          o.prefix));
        }
    }
    if (o.count == 0) throw usage_error("count must be at least 1");
    return o;
}

std::string sequence_key(const GenerateOptions& o) { return o.country + fixed_unique(o); }

std::uint64_t sequence_max(const GenerateOptions& o) {
    std::uint64_t max = 1;
    for (std::size_t i = 0; i < counter_digits(o); ++i) max *= 10;
    return max - 1;
}

std::string make_reference(const GenerateOptions& o, std::uint64_t number) {
    const auto unique =
        fmt::format("{}{:0{}}", fixed_unique(o), number, counter_digits(o));
    return make_mrn(o.year2, o.country, unique, o.procedure);
}

std::vector<std::string> generate(const GenerateOptions& options, SequenceFile& sequence) {
    const auto o = resolve(options);
    const auto first = sequence.reserve(sequence_key(o), o.count, sequence_max(o));
    std::vector<std::string> out;
    out.reserve(o.count);
    for (std::uint64_t i = 0; i < o.count; ++i) out.push_back(make_reference(o, first + i));
    return out;
}

}  // namespace bcp
