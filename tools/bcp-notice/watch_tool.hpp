// bcp-notice watch: the sources polled, the store updated, the changes written. The work is in
// lib/watch; this is the command line's side of it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bcp::watch_tool {

struct Options {
    std::string sources_file;          // empty: the default, unless --source is given
    std::vector<std::string> sources;  // KIND=URL
    std::string store;                 // empty: the default
    std::string format = "jsonl";      // jsonl or text
    std::string cacert;
    std::string reference_time;
    bool force = false;
    bool errors_json = false;
};

// Exit: 0 changes written, 1 no change, 5 a source failed for now or another watch holds the
// store (5 wins over 0: a failing source needs a look), 2 a configuration error.
[[nodiscard]] int run(const Options& o, std::ostream& out, std::ostream& err);

}  // namespace bcp::watch_tool
