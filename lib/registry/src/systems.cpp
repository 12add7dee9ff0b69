#include "bcp/registry/systems.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bcp/registry/knowledge.hpp"

namespace bcp {
namespace {

// One row per id: the countries of every profile that runs a system of that id (vendor and
// community platforms add none), the first name given.
std::vector<SystemInfo> load() {
    std::vector<SystemInfo> out;
    for (const auto& a : Knowledge::get().authorities()) {
        for (const auto& sys : a.systems) {
            auto it = std::find_if(out.begin(), out.end(), [&](const SystemInfo& x) { return x.id == sys.id; });
            if (it == out.end()) {
                out.push_back({sys.id, {}, sys.name, fmt::format("{}: {}", a.id, sys.source)});
                it = out.end() - 1;
            }
            if (!a.platform() && !a.country.empty() &&
                std::find(it->countries.begin(), it->countries.end(), a.country) == it->countries.end()) {
                it->countries.push_back(a.country);
            }
        }
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
