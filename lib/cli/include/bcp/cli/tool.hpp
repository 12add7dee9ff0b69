// Plumbing shared by every bcp-* executable: exit statuses, error reporting (text or JSON),
// command-line parsing with CLI11 mapped to the house exit codes, fast line reading with line
// numbers, and buffered output that ends quietly when the reader closes the pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/core/error.hpp"
#include "bcp/core/line_reader.hpp"
#include "bcp/core/json_text.hpp"

namespace CLI {
class App;  // <CLI/CLI.hpp>, included only where an app is built: it is the heaviest header
}  // namespace CLI

namespace bcp::tool {

// The exit statuses, the same in every tool (see bcpkit(7)).
enum Exit : int {
    ok = 0,         // success
    no = 1,         // the answer is "no": invalid references, nothing active, nothing to do
    usage = 2,      // usage error, unreadable file, I/O or system error
    bad_data = 3,   // invalid input data stopped the run
    refused = 4,    // refused by a procedure rule
    tempfail = 5,   // temporary failure, retry later
};

// The exit status for a library error kind.
[[nodiscard]] int exit_for(const bcp::error& e) noexcept;

// Writes one-line errors to stderr: "bcp-<tool>: error: <message> (at FILE:LINE)", or with
// --errors-json one JSON object {"tool","kind","message","file","line"}.
class Reporter {
public:
    Reporter(std::string tool, std::ostream& err) : tool_(std::move(tool)), err_(err) {}
    void set_json(bool json) noexcept { json_ = json; }
    [[nodiscard]] const std::string& tool() const noexcept { return tool_; }

    void error(std::string_view kind, std::string_view message, std::string_view file = {},
               std::size_t line = 0);
    void error(const bcp::error& e) { error(e.kind(), e.what(), e.file(), e.line()); }
    // A usage error adds "Try 'bcp-<tool> --help'." in text mode.
    void usage(std::string_view message);
    void warning(std::string_view message);

private:
    std::string tool_;
    std::ostream& err_;
    bool json_ = false;
};

// Runs a tool's body and turns what it throws into the house exit status, reported once:
// usage errors (2, with the --help hint), library errors by kind (see exit_for), anything else
// as an internal error (2).
template <typename Body>
[[nodiscard]] int guarded(Reporter& reporter, Body&& body) {
    try {
        return body();
    } catch (const bcp::usage_error& e) {
        reporter.usage(e.what());
        return usage;
    } catch (const bcp::error& e) {
        reporter.error(e);
        return exit_for(e);
    } catch (const std::exception& e) {
        reporter.error("internal", e.what());
        return usage;
    }
}

// For the catch clause of a main's function-try-block, where what escapes the flag setup
// lands (out of memory while building the parser): reports the exception in flight as one
// error line and returns the usage status (2), never std::terminate.
[[nodiscard]] int setup_failed(const char* tool) noexcept;

// Applies the house settings to a CLI11 app: --version, help footer with the exit statuses.
void setup_app(CLI::App& app, std::string_view tool, std::string_view description);

// Parses the command line. Returns -1 to go on, or the exit status to end with (0 after --help
// or --version, which print to `out`; 2 after a usage error, reported through `reporter`).
[[nodiscard]] int parse(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                        Reporter& reporter);

// --- Input ---------------------------------------------------------------------------------

// Opens a named input ("-" is `stdin_stream`). Throws bcp::io_error for a missing file, a
// directory or an unreadable file, naming it.
class Input {
public:
    Input(std::string name, std::istream& stdin_stream);
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;
    ~Input();
    [[nodiscard]] std::istream& stream() noexcept { return *stream_; }
    // The name used in messages: the path, or "<stdin>".
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
    std::unique_ptr<std::istream> owned_;
    std::istream* stream_;
};

// LineReader: bcp/core/line_reader.hpp.
using bcp::LineReader;

// --- Output --------------------------------------------------------------------------------

// Collects output in a buffer and writes it in large blocks. A reader that closed the pipe
// (EPIPE) ends the run quietly: closed() turns true and further writes are dropped.
class Output {
public:
    explicit Output(std::ostream& out, std::size_t block = 1u << 16);
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    ~Output();

    std::string& buffer() noexcept { return buf_; }
    void write(std::string_view s) {
        buf_.append(s);
        if (buf_.size() >= block_) flush_block();
    }
    void put(char c) {
        buf_.push_back(c);
        if (buf_.size() >= block_) flush_block();
    }
    // One record: `s` and a newline.
    void line(std::string_view s) {
        buf_.append(s);
        put('\n');
    }
    // Call after appending to buffer() directly.
    void maybe_flush() {
        if (buf_.size() >= block_) flush_block();
    }
    // Writes everything and flushes the stream. Returns false on an error other than a closed
    // pipe (reported by the caller as an I/O error, exit 2).
    [[nodiscard]] bool finish();
    // finish(), and an io_error ("cannot write to standard output", exit 2) when it fails: the
    // end of every command that writes records.
    void close();
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    [[nodiscard]] bool failed() const noexcept { return failed_; }

private:
    void flush_block();
    // After a failed write or flush: a closed reader (EPIPE) is `closed`, anything else `failed`.
    void classify_failure() noexcept;
    std::ostream& out_;
    std::string buf_;
    std::size_t block_;
    bool closed_ = false;
    bool failed_ = false;
};

// Appends `s` as a JSON string literal (with quotes), invalid UTF-8 bytes as U+FFFD; it lives
// in the library (bcp/json_text.hpp) so the library's annotator writes the same text.
using bcp::append_json_string;

// True when the stream is a terminal (for colour and progress bars) and NO_COLOR is unset.
[[nodiscard]] bool colour_enabled(int fd);
// True when the file descriptor is a terminal (for defaults meant for people).
[[nodiscard]] bool is_terminal(int fd);

// Ignores SIGPIPE so a closed pipe shows up as EPIPE on write; call once from main().
void ignore_sigpipe();

// Replaces the process with the program `name` installed beside this one (a command kept in
// its own program, as `bcp-notice watch` is), with `args` as its arguments after argv[0]
// `shown_as`. Returns only on failure, after reporting it: the usage status (2).
[[nodiscard]] int exec_sibling(const char* name, const char* shown_as, int argc, char** args, Reporter& reporter);

}  // namespace bcp::tool
