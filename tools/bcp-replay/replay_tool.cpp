#include "replay_tool.hpp"

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/cli/tool.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/replay/admit.hpp"
#include "bcp/replay/enqueue.hpp"
#include "bcp/replay/queue.hpp"
#include "bcp/replay/replay.hpp"
#include "bcp/replay/report.hpp"
#include "bcp/replay/run.hpp"
#include "bcp/replay/sink.hpp"

namespace bcp::replay_tool {
namespace {

namespace t = bcp::tool;
std::string queue_path(const Options& o) {
    return o.queue.empty() ? default_queue_path().string() : o.queue;
}

// --- enqueue ---------------------------------------------------------------------------------

// The flags of enqueue as the library's admission options; the library checks those that hold
// for every line once, naming them as the flags.
AdmitOptions admit_options(const Options& o) {
    if (o.events == "-" && (o.files.empty() || o.files == std::vector<std::string>{"-"})) {
        throw usage_error("--procedure - reads the events from stdin: give the declarations as files");
    }
    AdmitOptions a;
    a.key = o.key;
    a.prepared = o.prepared;
    a.country = o.country;
    a.system = o.system;
    a.procedure = ActivationRequest{o.country, o.system, o.rule, o.call, o.start, o.end, o.zone, o.events};
    a.annotate = !o.no_annotate;
    a.annotation.state = o.state;
    a.annotation.prefix = o.prefix;
    a.map = o.map.empty() ? FieldMap::bundled() : FieldMap::load(o.map);
    a.names = {"--key", "--prepared", "--call", "--start"};
    return a;
}

int run_enqueue(const Options& o, std::istream& in, t::Output& out) {
    auto q = Queue::open(queue_path(o));
    Enqueue enq(q, admit_options(o), &in, out.buffer(), [&out] { out.maybe_flush(); });
    std::vector<std::string> files = o.files;
    if (files.empty()) files.emplace_back("-");
    // A reader that closed our stdout does not stop the storing: the results are a report, the
    // queue is the job, and input already taken must not be half stored.
    enq.store([&] {
        for (const auto& name : files) {
            t::Input input(name, in);
            t::LineReader reader(input.stream());
            t::LineReader::Line line;
            while (reader.next(line)) {
                if (line.too_long) {
                    enq.too_long(line.number, line.length);
                } else {
                    enq.line(input.name(), line.number, line.text);
                }
            }
        }
    });
    out.close();
    // Invalid input is bad data (3), as in every tool; duplicates alone only mean "not all
    // stored this time" (1): they are in the queue already.
    if (enq.any_invalid()) return t::bad_data;
    return enq.all_stored() ? t::ok : t::no;
}

// --- run -------------------------------------------------------------------------------------

// The flags of run as the library's request; --rate and the headers' flags named here.
RunRequest run_request(const Options& o, SinkKind kind, t::Reporter& reporter) {
    RunRequest r;
    r.rate = read_rate_request(o.rate, o.force_rate, "--rate");
    r.sink.spec = o.sink;
    r.sink.concurrency = o.concurrency;
    r.sink.timeout = std::chrono::milliseconds(static_cast<long>(o.timeout * 1000));
    if (kind == SinkKind::http) {
        r.sink.headers = collect_headers({o.headers, "--header", o.header_files, o.header_envs, "--header-env"},
                                         [&reporter](const std::string& w) { reporter.warning(w); });
        r.sink.insecure = o.insecure;
        if (o.insecure) reporter.warning("TLS certificates are not verified (--insecure)");
    }
    r.wait = o.wait;
    r.lease = o.lease;
    r.with_annotation = o.with_annotation;
    r.loop.burst = o.burst;
    r.loop.max_seconds = o.max_seconds;
    r.loop.retry_max = o.retry_max;
    r.loop.resend_unknown = o.resend_unknown;
    r.loop.interrupt = o.interrupt;
    r.warn = [&reporter](const std::string& w) { reporter.warning(w); };
    return r;
}

int run_run(const Options& o, std::ostream& out_stream, std::ostream& err, t::Reporter& reporter) {
    if (o.sink.empty()) throw usage_error("--sink is required (URL, exec:COMMAND or stdout)");
    const SinkKind kind = sink_kind(o.sink);
    auto q = Queue::open(queue_path(o), false);
    if (o.dry_run) {
        t::Output out(out_stream);
        q.list(MessageState::queued, [&](const Message& m) {
            out.line(o.with_annotation ? body_with_annotation(m) : m.body);
        });
        out.close();
        return t::ok;
    }
    RunRequest request = run_request(o, kind, reporter);
    // A progress line on a terminal, with the time left at the rate achieved so far.
    const bool bar = t::colour_enabled(STDERR_FILENO) && &err == &std::cerr;
    if (bar) {
        request.progress = [&err](const ReplayProgress& p, std::int64_t total) {
            err << "\r\033[K" << progress_text(p, total) << std::flush;
        };
    }
    const RunResult result = run_replay(q, request, out_stream);
    if (bar && result.report) err << "\r\033[K" << std::flush;
    (result.summary_to_stderr ? err : out_stream) << result.summary() << '\n' << std::flush;
    switch (result.end) {
        case RunEnd::lease_lost:
            reporter.error("busy", fmt::format("stopped: {}", result.report->lease_lost));
            return t::tempfail;
        case RunEnd::needs_verdict:
            reporter.error("needs-verdict", needs_verdict_text(result.unknown));  // a person decides
            return t::bad_data;
        case RunEnd::rejected: return t::bad_data;
        case RunEnd::incomplete: return t::tempfail;
        case RunEnd::nothing_to_send: return t::no;
        case RunEnd::done: return t::ok;
    }
    return t::ok;
}

// --- status, list, resolve --------------------------------------------------------------------

int run_status(const Options& o, t::Output& out) {
    auto q = Queue::open(queue_path(o), false);
    const auto counts = q.counts();
    const auto last = q.last_run();
    std::vector<RunnerInfo> runners;
    if (q.shared()) runners = q.runners();
    const auto* shown = q.shared() ? &runners : nullptr;
    if (o.format == "text") {
        out.write(status_text(q.location(), counts, last, shown));
    } else {
        out.line(json_line(status_json(q.location(), counts, last, shown)));
    }
    out.close();
    return t::ok;
}

int run_list(const Options& o, t::Output& out) {
    std::optional<MessageState> state;
    if (!o.state_filter.empty()) {
        state = parse_state(o.state_filter);
        if (!state) throw usage_error(fmt::format("unknown state '{}'", o.state_filter));
    }
    auto q = Queue::open(queue_path(o), false);
    std::size_t n = 0;
    q.list(state, [&](const Message& m) {
        if (out.closed()) return;
        ++n;
        if (o.format == "text") {
            out.write(to_text(m, o.annotations));
        } else {
            out.line(message_line(m, o.bodies, o.annotations));
        }
    });
    out.close();
    return n > 0 ? t::ok : t::no;
}

int run_resolve(const Options& o, t::Output& out) {
    const auto verdict = parse_verdict(o.resolve_as);
    if (!verdict) throw usage_error("--as takes accepted, rejected or retry");
    const MessageState to = *verdict;
    auto q = Queue::open(queue_path(o), false);
    if (o.resolve_all) {
        const auto from = parse_state(o.resolve_from.empty() ? "unknown" : o.resolve_from);
        const auto done = q.resolve_all(*from, to, o.note, o.dry_run);
        for (const auto& m : done) {
            auto j = to_json(m);
            if (o.dry_run) j["would_become"] = to_string(to);
            out.line(json_line(j));
        }
        out.close();
        return done.empty() ? t::no : t::ok;
    }
    if (o.resolve_key.empty()) throw usage_error("resolve needs --key KEY, or --all");
    if (o.dry_run) throw usage_error("--dry-run goes with --all");
    const auto m = q.resolve(o.resolve_key, to, o.note);
    out.line(json_line(to_json(m)));
    out.close();
    return t::ok;
}

// --- migrate, copy ------------------------------------------------------------------------------

int run_migrate(const Options& o, t::Output& out) {
    auto q = Queue::open(queue_path(o));
    const int from = q.migrated_from();
    out.line(json_line(migrate_json(q.location(), q.schema(), from)));
    out.close();
    return t::ok;
}

int run_copy(const Options& o, t::Output& out) {
    if (o.copy_from.empty() || o.copy_to.empty()) throw usage_error("copy needs --from and --to");
    auto from = Queue::open(o.copy_from, false);
    auto to = Queue::open(o.copy_to);
    const CopyReport c = copy_queue(from, to);
    out.line(json_line(to_json(c, from.location(), to.location())));
    out.close();
    return c.copied > 0 ? t::ok : t::no;
}

}  // namespace

int run(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
    t::Reporter reporter("bcp-replay", err);
    reporter.set_json(o.errors_json);
    return t::guarded(reporter, [&] {
        if (o.command == Command::run) return run_run(o, out, err, reporter);
        t::Output output(out);
        switch (o.command) {
            case Command::enqueue: return run_enqueue(o, in, output);
            case Command::status: return run_status(o, output);
            case Command::list: return run_list(o, output);
            case Command::resolve: return run_resolve(o, output);
            case Command::migrate: return run_migrate(o, output);
            case Command::copy: return run_copy(o, output);
            case Command::run: break;
        }
        return static_cast<int>(t::usage);
    });
}

}  // namespace bcp::replay_tool
