#include "bcp/cli/tool.hpp"

#include "bcp/core/json_text.hpp"

#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/core/version.hpp"

namespace bcp::tool {

int exit_for(const bcp::error& e) noexcept {
    switch (e.error_class()) {
        case ErrorClass::busy: return tempfail;
        case ErrorClass::io:
        case ErrorClass::usage: return usage;
        case ErrorClass::refused: return refused;
        case ErrorClass::none: return no;
        case ErrorClass::data: return bad_data;
    }
    return bad_data;
}

void Reporter::error(std::string_view kind, std::string_view message, std::string_view file,
                     std::size_t line) {
    if (json_) {
        nlohmann::json j{{"tool", tool_}, {"kind", kind}, {"message", message}};
        j["file"] = file.empty() ? nlohmann::json() : nlohmann::json(file);
        j["line"] = line == 0 ? nlohmann::json() : nlohmann::json(line);
        err_ << json_line(j) << '\n';
    } else {
        err_ << tool_ << ": error: " << message;
        if (!file.empty()) {
            err_ << " (at " << file;
            if (line != 0) err_ << ':' << line;
            err_ << ')';
        }
        err_ << '\n';
    }
    err_.flush();
}

void Reporter::usage(std::string_view message) {
    error("usage", message);
    if (!json_) err_ << "Try '" << tool_ << " --help'.\n";
    err_.flush();
}

void Reporter::warning(std::string_view message) {
    if (json_) {
        nlohmann::json j{{"tool", tool_}, {"kind", "warning"}, {"message", message},
                         {"file", nullptr}, {"line", nullptr}};
        err_ << j.dump() << '\n';
    } else {
        err_ << tool_ << ": warning: " << message << '\n';
    }
    err_.flush();
}

void setup_app(CLI::App& app, std::string_view tool, std::string_view description) {
    app.name(std::string(tool));
    app.description(std::string(description));
    app.set_version_flag("--version", fmt::format("{} (bcpkit) {}", tool, bcp::version),
                         "Print the version and exit");
    app.footer(fmt::format(
        "Exit status: 0 success, 1 the answer is no (invalid or nothing found), 2 usage or I/O "
        "error,\n3 invalid input data, 4 refused by a procedure rule, 5 temporary failure (retry)."
        "\nSee {}(1).",
        tool));
    app.get_formatter()->column_width(34);
}

int parse(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
          Reporter& reporter) {
    try {
        app.parse(argc, argv);
        return -1;
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return ok;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return ok;
    } catch (const CLI::CallForVersion&) {
        out << app.version() << '\n';
        return ok;
    } catch (const CLI::ParseError& e) {
        reporter.usage(e.what());
        return usage;
    }
}

Input::Input(std::string name, std::istream& stdin_stream) : name_(std::move(name)) {
    if (name_ == "-") {
        name_ = "<stdin>";
        stream_ = &stdin_stream;
        return;
    }
    struct stat st {};
    if (::stat(name_.c_str(), &st) != 0) {
        throw io_error(fmt::format("cannot open {}: {}", name_, std::strerror(errno)), name_);
    }
    if (S_ISDIR(st.st_mode)) throw io_error(fmt::format("{} is a directory", name_), name_);
    auto file = std::make_unique<std::ifstream>(name_, std::ios::binary);
    if (!*file) {
        throw io_error(fmt::format("cannot open {}: {}", name_, std::strerror(errno)), name_);
    }
    owned_ = std::move(file);
    stream_ = owned_.get();
}

Input::~Input() = default;

Output::Output(std::ostream& out, std::size_t block) : out_(out), block_(block) {
    buf_.reserve(block + 4096);
}

Output::~Output() {
    if (!closed_ && !failed_ && !buf_.empty()) (void)finish();
}

void Output::flush_block() {
    if (closed_ || failed_) {
        buf_.clear();
        return;
    }
    errno = 0;
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
    if (!out_) classify_failure();
}

void Output::classify_failure() noexcept {
    if (errno == EPIPE) {
        closed_ = true;
    } else {
        failed_ = true;
    }
}

bool Output::finish() {
    flush_block();
    if (!closed_ && !failed_) {
        errno = 0;
        out_.flush();
        if (!out_) classify_failure();
    }
    return !failed_;
}

void Output::close() {
    if (!finish()) throw io_error("cannot write to standard output");
}

bool is_terminal(int fd) { return ::isatty(fd) != 0; }

bool colour_enabled(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    return is_terminal(fd) && (no_colour == nullptr || *no_colour == '\0');
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

int exec_sibling(const char* name, const char* shown_as, int argc, char** args, Reporter& reporter) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        reporter.error("io", fmt::format("cannot find this program's directory to run {}: {}", name, ec.message()));
        return usage;
    }
    const std::string path = (self.parent_path() / name).string();
    std::vector<char*> argv;
    argv.reserve(static_cast<std::size_t>(argc) + 2);
    std::string argv0 = shown_as;
    argv.push_back(argv0.data());
    for (int i = 0; i < argc; ++i) argv.push_back(args[i]);
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    reporter.error("io", fmt::format("cannot run {}: {}", path, std::strerror(errno)));
    return usage;
}

int setup_failed(const char* tool) noexcept {
    try {
        throw;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
    } catch (...) {
        std::fprintf(stderr, "%s: error: unknown exception\n", tool);
    }
    return usage;
}

}  // namespace bcp::tool
