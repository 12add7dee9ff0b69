#include "bcp/data_dir.hpp"

#include <cstdlib>
#include <string>

#include "bcp/error.hpp"

namespace bcp {

std::vector<std::filesystem::path> data_search_path() {
    std::vector<std::filesystem::path> dirs;
    // An explicit setting is the only place looked at: a wrong one must fail loudly, not fall
    // back silently to another copy of the rules.
    if (const char* env = std::getenv("BCPKIT_DATA_DIR"); env != nullptr && *env != '\0') {
        dirs.emplace_back(env);
        return dirs;
    }
    dirs.emplace_back(BCP_BUILD_DATA_DIR);
    dirs.emplace_back(BCP_INSTALL_DATA_DIR);
    return dirs;
}

// A directory counts as the data directory only if it holds the data (countries.tsv): an
// empty or partial data/ left in a build tree must not hide the installed one.
std::filesystem::path data_dir() {
    std::string tried;
    for (const auto& dir : data_search_path()) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(dir / "countries.tsv", ec)) return dir;
        if (!tried.empty()) tried += ", ";
        tried += dir.string();
    }
    throw io_error("no bcpkit data directory found (tried " + tried + "); set BCPKIT_DATA_DIR");
}

std::filesystem::path data_file(std::string_view relative) {
    std::string tried;
    for (const auto& dir : data_search_path()) {
        auto path = dir / std::filesystem::path(relative);
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) return path;
        if (!tried.empty()) tried += ", ";
        tried += path.string();
    }
    throw io_error("missing data file " + std::string(relative) + " (tried " + tried +
                   "); set BCPKIT_DATA_DIR");
}

std::filesystem::path state_dir() {
    if (const char* env = std::getenv("XDG_STATE_HOME"); env != nullptr && *env == '/') {
        return std::filesystem::path(env) / "bcpkit";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".local" / "state" / "bcpkit";
    }
    throw io_error("cannot find a state directory: set XDG_STATE_HOME or HOME");
}

}  // namespace bcp
