#include "bcp/country.hpp"

#include <array>
#include <fstream>
#include <string>

#include "bcp/data_dir.hpp"
#include "bcp/error.hpp"

namespace bcp {
namespace {

struct CountryTable {
    std::array<std::string, 26 * 26> names{};

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
            names[index(line[0], line[1])] = line.substr(3);
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

std::string_view country_name(std::string_view code) {
    if (!upper2(code)) return {};
    return table().names[CountryTable::index(code[0], code[1])];
}

}  // namespace bcp
