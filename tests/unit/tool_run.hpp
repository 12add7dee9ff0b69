// Runs a tool's run(options, in, out, err) on a string and keeps what it wrote: the harness of
// the four tools' run() tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bcp::test {

struct RunResult {
    int status = 0;
    std::string out, err;
    // Standard output as JSON Lines, one record per line.
    [[nodiscard]] std::vector<nlohmann::json> records() const {
        std::vector<nlohmann::json> r;
        std::istringstream in(out);
        std::string line;
        while (std::getline(in, line)) r.push_back(nlohmann::json::parse(line));
        return r;
    }
};

template <class Run, class Options>
RunResult run_tool(Run run, const Options& o, const std::string& input) {
    std::istringstream in(input);
    std::ostringstream out, err;
    const int status = run(o, in, out, err);
    return {status, out.str(), err.str()};
}

}  // namespace bcp::test
