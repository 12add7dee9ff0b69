// Choosing the sink from what the user wrote (--sink): one place for the forms understood.
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

}  // namespace bcp
