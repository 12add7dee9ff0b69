#include "bcp/registry/country.hpp"

#include <array>
#include <cctype>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"

namespace bcp {
namespace {

std::string fold_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return out;
}

struct CountryTable {
    std::array<std::string, 26 * 26> names{};
    // Upper-cased alpha-3 codes, names and other names -> alpha-2, for suggestions.
    std::vector<std::pair<std::string, std::string>> spellings;

    CountryTable() {
        const auto path = data_file("countries.tsv");
        std::ifstream in(path);
        if (!in) throw io_error("cannot read " + path.string(), path.string());
        std::string line;
        std::size_t lineno = 0;
        while (std::getline(in, line)) {
            ++lineno;
            if (line.empty() || line[0] == '#') continue;
            const auto tab = line.find('\t');
            if (tab != 2 || line[0] < 'A' || line[0] > 'Z' || line[1] < 'A' || line[1] > 'Z') {
                throw data_error("data", "malformed country line", path.string(), lineno);
            }
            // code, name, then optionally alpha-3 and other names (comma-separated).
            std::vector<std::string> cols;
            for (std::size_t at = 0;;) {
                const auto next = line.find('\t', at);
                cols.push_back(line.substr(at, next == std::string::npos ? next : next - at));
                if (next == std::string::npos) break;
                at = next + 1;
            }
            const std::string code = cols[0];
            names[index(line[0], line[1])] = cols[1];
            spellings.emplace_back(fold_ascii(cols[1]), code);
            if (cols.size() > 2 && !cols[2].empty()) spellings.emplace_back(cols[2], code);
            if (cols.size() > 3) {
                for (std::size_t at = 0; at <= cols[3].size();) {
                    auto comma = cols[3].find(',', at);
                    if (comma == std::string::npos) comma = cols[3].size();
                    if (comma > at) spellings.emplace_back(fold_ascii(cols[3].substr(at, comma - at)), code);
                    at = comma + 1;
                }
            }
        }
    }

    static std::size_t index(char a, char b) {
        return static_cast<std::size_t>(a - 'A') * 26 + static_cast<std::size_t>(b - 'A');
    }
};

const CountryTable& table() {
    static const CountryTable t;
    return t;
}

bool upper2(std::string_view code) {
    return code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
           code[1] <= 'Z';
}

}  // namespace

bool is_country(std::string_view code) {
    return upper2(code) && !table().names[CountryTable::index(code[0], code[1])].empty();
}

std::optional<std::string> suggest_country(std::string_view text) {
    const std::string folded = fold_ascii(text);
    if (is_country(folded)) return folded;
    for (const auto& [spelling, code] : table().spellings) {
        if (spelling == folded) return code;
    }
    return std::nullopt;
}

std::string_view country_name(std::string_view code) {
    if (!upper2(code)) return {};
    return table().names[CountryTable::index(code[0], code[1])];
}

void check_country_filter(std::string_view code, std::string_view as) {
    if (code.empty()) return;
    std::string upper(code);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "EU" || (upper.size() == 2 && is_country(upper) && upper != "UK")) return;
    if (const auto meant = suggest_country(code)) {
        throw usage_error(fmt::format("{} '{}' is not an ISO 3166 alpha-2 code; did you mean {} ({})?", as, code,
                                      *meant, country_name(*meant)));
    }
    throw usage_error(fmt::format("{} '{}' is not an ISO 3166 alpha-2 code (BE, NL, GB...) or EU", as, code));
}

}  // namespace bcp
