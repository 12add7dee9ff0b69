// The closed list of customs system ids (AES, IDMS, NCTS, ICS2, ...) that rules, notices and
// the replay queue share: the systems of every authority profile (data/authorities/*.toml,
// knowledge.hpp), one row per id with the countries that run it. An id outside the list is an error
// everywhere, so a typo in a rule file or a command line is caught rather than matching nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bcp {

struct SystemInfo {
    std::string id;                      // upper case, e.g. "IDMS-H7"
    std::vector<std::string> countries;  // ISO codes and/or "EU"; empty for a vendor platform
    std::string name;
    std::string source;  // "<profile id>: <source id>" of the first profile listing it
};

// Every known system, in the order of the data file.
[[nodiscard]] const std::vector<SystemInfo>& systems();

// The system with this id (case-insensitive), or nullptr.
[[nodiscard]] const SystemInfo* find_system(std::string_view id);

// The canonical (upper-case) id, or an empty string when unknown.
[[nodiscard]] std::string canonical_system(std::string_view id);

}  // namespace bcp
