#include "bcp/systems.hpp"

#include <fstream>

#include "bcp/data_dir.hpp"
#include "bcp/error.hpp"

namespace bcp {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (true) {
        const auto at = s.find(sep);
        out.emplace_back(s.substr(0, at));
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

std::vector<SystemInfo> load() {
    const auto path = data_file("systems.tsv");
    std::ifstream in(path);
    if (!in) throw io_error("cannot read " + path.string(), path.string());
    std::vector<SystemInfo> out;
    std::string line;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty() || line[0] == '#') continue;
        auto cols = split(line, '\t');
        if (cols.size() != 4 || cols[0].empty()) {
            throw data_error("data", "expected 4 tab-separated columns", path.string(), lineno);
        }
        SystemInfo s;
        s.id = cols[0];
        if (cols[1] != "-") s.countries = split(cols[1], ',');
        s.name = cols[2];
        s.source = cols[3];
        out.push_back(std::move(s));
    }
    return out;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
        if (x != y) return false;
    }
    return true;
}

}  // namespace

const std::vector<SystemInfo>& systems() {
    static const std::vector<SystemInfo> all = load();
    return all;
}

const SystemInfo* find_system(std::string_view id) {
    for (const auto& s : systems()) {
        if (iequal(s.id, id)) return &s;
    }
    return nullptr;
}

std::string canonical_system(std::string_view id) {
    const auto* s = find_system(id);
    return s == nullptr ? std::string() : s->id;
}

}  // namespace bcp
