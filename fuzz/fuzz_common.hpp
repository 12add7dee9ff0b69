// What every fuzz target shares: a fixed environment (data directory of the source tree, a
// private state directory, a fixed "now") so runs are reproducible, and the checks that hold
// for any input (an output line is JSON, an exit status is one of the documented ones).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#ifndef BCP_SOURCE_DIR
#error "BCP_SOURCE_DIR must name the source tree"
#endif

namespace bcp::fuzz {

// Aborts with the reason, so libFuzzer records the input as a crash.
[[noreturn]] inline void fail(const char* what) {
    std::fputs(what, stderr);
    std::fputc('\n', stderr);
    std::abort();
}

// Sets the environment once per process. Returns a private scratch directory.
inline const std::filesystem::path& setup() {
    static const std::filesystem::path dir = [] {
        setenv("BCPKIT_DATA_DIR", BCP_SOURCE_DIR "/data", 0);
        setenv("BCPKIT_NOW", "2025-11-27T12:00:00Z", 1);
        setenv("TZ", "UTC", 1);
        unsetenv("BCPKIT_RULES_PATH");
        // In memory when possible: the replay target's queue commits (fsync) on every input,
        // and a disk under load turned that into false timeouts.
        std::error_code ec;
        const auto base = std::filesystem::is_directory("/dev/shm", ec)
                              ? std::filesystem::path("/dev/shm")
                              : std::filesystem::temp_directory_path();
        std::string templ = (base / "bcp-fuzz-XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) fail("cannot create a scratch directory");
        setenv("XDG_STATE_HOME", templ.c_str(), 1);
        // Removed when the process exits normally (libFuzzer's end of run, a regression
        // runner's return); after a crash it stays for the post-mortem.
        static std::string scratch;
        scratch = templ;
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(scratch, ignored);
        });
        return std::filesystem::path(templ);
    }();
    return dir;
}

// Every line a tool writes to stdout is one JSON value.
inline void expect_json_lines(std::string_view out) {
    while (!out.empty()) {
        const auto nl = out.find('\n');
        const auto line = out.substr(0, nl);
        if (!nlohmann::json::accept(line)) fail("an output line is not JSON");
        if (nl == std::string_view::npos) fail("the output does not end with a newline");
        out.remove_prefix(nl + 1);
    }
}

// The exit statuses of bcpkit(7).
inline void expect_status(int status) {
    if (status < 0 || status > 5) fail("exit status outside 0..5");
}

// Runs a tool's run(options, in, out, err) on the input after its first byte (the mode byte
// that chose the options), checks the exit status and, for JSON output, that every line is
// JSON. Returns what the tool wrote on stdout.
template <typename Run, typename Options>
std::string run_tool(Run run, const Options& options, const std::uint8_t* data, std::size_t size,
                     bool json_output = true) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    std::ostringstream out, err;
    expect_status(run(options, in, out, err));
    if (json_output) expect_json_lines(out.str());
    return out.str();
}

}  // namespace bcp::fuzz
