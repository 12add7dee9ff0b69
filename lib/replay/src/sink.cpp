// Choosing the sink from what the user wrote (--sink): one place for the forms understood.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/replay/replay.hpp"
#include "bcp/replay/sink.hpp"

namespace bcp {

SinkKind sink_kind(std::string_view spec) {
    if (spec == "stdout") return SinkKind::stream;
    if (spec.starts_with("exec:")) return SinkKind::exec;
    if (spec.starts_with("http://") || spec.starts_with("https://")) return SinkKind::http;
    throw usage_error(fmt::format("sink '{}' is not understood: give an http:// or https:// URL, "
                                  "exec:COMMAND or stdout",
                                  spec));
}

std::size_t sink_concurrency(SinkKind kind, std::size_t asked, double rate) {
    if (asked > 0) return asked;
    return kind == SinkKind::exec ? 1 : default_concurrency(rate);
}

std::unique_ptr<Sink> make_sink(const SinkSpec& spec, double rate, std::ostream& stream) {
    switch (sink_kind(spec.spec)) {
        case SinkKind::stream: return make_stream_sink(stream);
        case SinkKind::exec: {
            ExecOptions e;
            e.argv = split_command(std::string_view(spec.spec).substr(5));
            e.concurrency = sink_concurrency(SinkKind::exec, spec.concurrency, rate);
            e.timeout = spec.timeout;
            return make_exec_sink(std::move(e));
        }
        case SinkKind::http: break;
    }
    HttpOptions h;
    h.url = spec.spec;
    h.headers = spec.headers;
    h.insecure = spec.insecure;
    h.timeout = spec.timeout;
    return make_http_sink(std::move(h));
}

std::vector<std::string> collect_headers(const HeaderSources& sources,
                                         const std::function<void(const std::string&)>& warn) {
    std::vector<std::string> headers;
    auto check = [](const std::string& h, std::string_view from) {
        const auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
            throw usage_error(fmt::format("a header from {} is not 'Name: value'", from));
        }
    };
    for (const auto& h : sources.given) {
        check(h, sources.given_as);
        headers.push_back(h);
    }
    for (const auto& file : sources.files) {
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) throw io_error("cannot read header file " + file, file);
        if ((st.st_mode & 077) != 0 && warn) {
            warn(fmt::format("header file {} is readable by other users (chmod 600)", file));
        }
        std::ifstream in(file);
        if (!in) throw io_error("cannot read header file " + file, file);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#') continue;
            check(line, file);
            headers.push_back(line);
        }
    }
    for (const auto& spec : sources.from_env) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
            throw usage_error(fmt::format("{} '{}' is not NAME=VARIABLE", sources.from_env_as, spec));
        }
        const std::string var = spec.substr(eq + 1);
        const char* value = std::getenv(var.c_str());
        if (value == nullptr) {
            throw usage_error(fmt::format("{}: the environment has no {}", sources.from_env_as, var));
        }
        headers.push_back(spec.substr(0, eq) + ": " + value);
    }
    return headers;
}

}  // namespace bcp
