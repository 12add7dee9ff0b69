// Locates the toolkit's data/ directory: $BCPKIT_DATA_DIR when set (and then only there); else,
// for a library running from its build tree, the source tree's data/; else, for an installed
// library, share/bcpkit under the prefix it is installed in, then the configured install
// directory. Tools and units read data only through it.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace bcp {

// The directories searched for data, in order, whether or not they exist.
[[nodiscard]] std::vector<std::filesystem::path> data_search_path();

// The first existing data directory; throws bcp::io_error naming every place tried.
[[nodiscard]] std::filesystem::path data_dir();

// data_dir() / relative, checked to exist; throws bcp::io_error otherwise.
[[nodiscard]] std::filesystem::path data_file(std::string_view relative);

// Default directory for durable state files: $XDG_STATE_HOME/bcpkit, else ~/.local/state/bcpkit.
[[nodiscard]] std::filesystem::path state_dir();

// Default directory for the user's configuration: $XDG_CONFIG_HOME/bcpkit, else ~/.config/bcpkit.
[[nodiscard]] std::filesystem::path config_dir();

}  // namespace bcp
