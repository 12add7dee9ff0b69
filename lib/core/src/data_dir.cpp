#include "bcp/core/data_dir.hpp"

#include <fmt/format.h>

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "bcp/core/error.hpp"

namespace bcp {

namespace {

// The file this library was loaded from (libbcp.so), or empty when the loader cannot say.
std::filesystem::path library_file() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&data_search_path), &info) == 0 ||
        info.dli_fname == nullptr) {
        return {};
    }
    std::error_code ec;
    auto path = std::filesystem::weakly_canonical(info.dli_fname, ec);
    return ec ? std::filesystem::path(info.dli_fname) : path;
}

bool inside(const std::filesystem::path& file, const std::filesystem::path& dir) {
    const auto rel = file.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::vector<std::filesystem::path> data_search_path() {
    std::vector<std::filesystem::path> dirs;
    // An explicit setting is the only place looked at: a wrong one must fail loudly, not fall
    // back silently to another copy of the rules.
    if (const char* env = std::getenv("BCPKIT_DATA_DIR"); env != nullptr && *env != '\0') {
        dirs.emplace_back(env);
        return dirs;
    }
    // A library in the build tree reads the source tree's data; an installed one reads the data
    // installed beside it (share/bcpkit under the same prefix, so a copy installed under a
    // scratch root or another prefix finds its own), then the configured install directory.
    // Where this library lives does not change while it runs: asked of the loader once.
    static const std::filesystem::path lib = library_file();
    if (!lib.empty() && inside(lib, BCP_BUILD_BINARY_DIR)) {
        dirs.emplace_back(BCP_BUILD_DATA_DIR);
        return dirs;
    }
    if (!lib.empty()) {
        dirs.push_back((lib.parent_path() / BCP_LIB_TO_DATA_DIR).lexically_normal());
    }
    if (dirs.empty() || dirs.front() != std::filesystem::path(BCP_INSTALL_DATA_DIR)) {
        dirs.emplace_back(BCP_INSTALL_DATA_DIR);
    }
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

namespace {
// $<variable>/bcpkit when the variable holds an absolute path (the XDG rule), else
// $HOME/<fallback>/bcpkit.
std::filesystem::path xdg_dir(const char* variable, const char* fallback, const char* what) {
    if (const char* env = std::getenv(variable); env != nullptr && *env == '/') {
        return std::filesystem::path(env) / "bcpkit";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / fallback / "bcpkit";
    }
    throw io_error(fmt::format("cannot find a {} directory: set {} or HOME", what, variable));
}
}  // namespace

std::filesystem::path state_dir() { return xdg_dir("XDG_STATE_HOME", ".local/state", "state"); }

std::filesystem::path config_dir() { return xdg_dir("XDG_CONFIG_HOME", ".config", "configuration"); }

}  // namespace bcp
