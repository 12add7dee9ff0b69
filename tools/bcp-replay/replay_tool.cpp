#include "replay_tool.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/annotate/annotate.hpp"
#include "bcp/cli/tool.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/time.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/registry/systems.hpp"
#include "bcp/replay/admit.hpp"
#include "bcp/replay/queue.hpp"
#include "bcp/replay/replay.hpp"
#include "bcp/replay/report.hpp"
#include "bcp/replay/sink.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp::replay_tool {
namespace {

namespace t = bcp::tool;
using nlohmann::json;


std::string queue_path(const Options& o) {
    return o.queue.empty() ? default_queue_path().string() : o.queue;
}

json::json_pointer pointer(const std::string& text, std::string_view option) {
    try {
        return json::json_pointer(text);
    } catch (const json::exception& e) {
        throw usage_error(fmt::format("{} '{}' is not a JSON pointer: {}", option, text,
                                      json_error_text(e.what())));
    }
}

// --- enqueue ---------------------------------------------------------------------------------

// The flags of enqueue as the library's admission options: every flag that holds for all lines
// is checked here, once, as a usage error naming it.
AdmitOptions admit_options(const Options& o) {
    (void)pointer(o.key, "--key");
    (void)pointer(o.prepared, "--prepared");
    if (!o.system.empty() && find_system(o.system) == nullptr) {
        throw usage_error(fmt::format("unknown system '{}' (see bcp-mention systems)", o.system));
    }
    if (!o.call.empty() && !check_call(o.call).valid()) {
        throw usage_error(fmt::format("--call '{}' is not a call number (N + 5 digits)", o.call));
    }
    if (!o.start.empty() && !parse_time(o.start, o.zone.empty() ? default_zone : o.zone)) {
        throw usage_error(fmt::format("--start '{}' is not a date and time", o.start));
    }
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
    return a;
}

class Enqueuer {
public:
    Enqueuer(const Options& o, Queue& q, t::Output& out, std::istream& in)
        : q_(q), out_(out), admitter_(admit_options(o), &in) {}

    void file(t::Input& input) {
        t::LineReader reader(input.stream());
        t::LineReader::Line line;
        // A reader that closed our stdout does not stop the storing: the results are a report,
        // the queue is the job, and input already taken must not be half stored.
        while (reader.next(line)) {
            if (line.too_long) {
                result(line.number, "", "invalid",
                       fmt::format("line of {} bytes is too long", line.length));
                continue;
            }
            if (pending_ == 0) {
                batch_file_ = input.name();
                batch_line_ = line.number;
            }
            record(line.number, line.text);
            if (++pending_ >= 5000) commit();
        }
    }

    // Commits the batch, and only then lets its results out: an "enqueued" line is a promise
    // that the declaration is on disk (a full disk used to roll back 5000 reported ones).
    void commit() {
        q_.commit();
        out_.maybe_flush();
        committed_ = out_.buffer().size();
        pending_ = 0;
        q_.begin();
    }

    // After the batch failed to commit: drops its results and says what was not stored.
    [[nodiscard]] io_error lost_batch(const bcp::error& e) {
        out_.buffer().resize(committed_);
        return io_error(fmt::format("{}; nothing from line {} of {} on was stored", e.what(),
                                    batch_line_, batch_file_),
                        e.file());
    }

    [[nodiscard]] bool all_stored() const noexcept { return skipped_ == 0; }
    [[nodiscard]] bool any_invalid() const noexcept { return invalid_ > 0; }
    [[nodiscard]] std::size_t stored() const noexcept { return stored_; }

private:
    void result(std::size_t line, const std::string& key, std::string_view outcome,
                std::string_view reason = {}, std::string_view source = {}) {
        auto& b = out_.buffer();
        b.append(R"({"line":)");
        b.append(std::to_string(line));
        b.append(R"(,"key":)");
        if (key.empty()) {
            b.append("null");
        } else {
            t::append_json_string(b, key);
        }
        b.append(R"(,"result":")");
        b.append(outcome);
        b.push_back('"');
        if (!reason.empty()) {
            b.append(R"(,"reason":)");
            t::append_json_string(b, reason);
        }
        if (!source.empty()) {
            b.append(R"(,"source":)");
            t::append_json_string(b, source);
        }
        b.append("}\n");
        if (outcome == "invalid" || outcome == "duplicate") ++skipped_;
        if (outcome == "invalid") ++invalid_;
    }

    void record(std::size_t line, std::string_view text) {
        auto a = admitter_.admit(text);
        if (a.verdict == Admission::Verdict::invalid) return result(line, a.key, "invalid", a.reason);
        switch (q_.enqueue(a.message)) {
            case Queue::Added::enqueued: ++stored_; return result(line, a.key, "enqueued");
            case Queue::Added::held:
                ++stored_;
                return result(line, a.key, "held", a.message.held_reason, a.message.held_source);
            case Queue::Added::duplicate:
                return result(line, a.key, "duplicate",
                              "a message with this key is already in the queue; it was not "
                              "changed");
        }
    }

    Queue& q_;
    t::Output& out_;
    Admitter admitter_;
    std::size_t pending_ = 0, skipped_ = 0, stored_ = 0, invalid_ = 0;
    std::size_t committed_ = 0;  // bytes of out_'s buffer that report committed work
    std::string batch_file_;
    std::size_t batch_line_ = 0;
};

int run_enqueue(const Options& o, std::istream& in, t::Output& out) {
    auto q = Queue::open(queue_path(o));
    Enqueuer enq(o, q, out, in);
    std::vector<std::string> files = o.files;
    if (files.empty()) files.emplace_back("-");
    q.begin();
    try {
        for (const auto& name : files) {
            t::Input input(name, in);
            enq.file(input);
        }
        q.commit();
    } catch (const bcp::error& e) {
        // What was read before the failure is kept: commit it, then report. When the commit
        // itself fails (disk full), the batch is gone and so are its results.
        try {
            q.commit();
        } catch (const std::exception&) {
            throw enq.lost_batch(e);
        }
        throw;
    } catch (...) {
        try {
            q.commit();
        } catch (const std::exception&) {
        }
        throw;
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
    // Invalid input is bad data (3), as in every tool; duplicates alone only mean "not all
    // stored this time" (1): they are in the queue already.
    if (enq.any_invalid()) return t::bad_data;
    return enq.all_stored() ? t::ok : t::no;
}

// --- run -------------------------------------------------------------------------------------

std::vector<std::string> load_headers(const Options& o, t::Reporter& reporter) {
    std::vector<std::string> headers;
    auto check_header = [](const std::string& h, std::string_view from) {
        const auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
            // Never echo the value: it may be a secret.
            throw usage_error(fmt::format("a header from {} is not 'Name: value'", from));
        }
    };
    for (const auto& h : o.headers) {
        check_header(h, "--header");
        headers.push_back(h);
    }
    for (const auto& file : o.header_files) {
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) throw io_error("cannot read header file " + file, file);
        if ((st.st_mode & 077) != 0) {
            reporter.warning(fmt::format("header file {} is readable by other users (chmod 600)", file));
        }
        std::ifstream in(file);
        if (!in) throw io_error("cannot read header file " + file, file);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#') continue;
            check_header(line, file);
            headers.push_back(line);
        }
    }
    for (const auto& spec : o.header_envs) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
            throw usage_error(fmt::format("--header-env '{}' is not NAME=VARIABLE", spec));
        }
        const std::string var = spec.substr(eq + 1);
        const char* value = std::getenv(var.c_str());
        if (value == nullptr) {
            throw usage_error(fmt::format("--header-env: the environment has no {}", var));
        }
        headers.push_back(spec.substr(0, eq) + ": " + value);
    }
    return headers;
}

// The one stderr line of a run that leaves messages needing a person.
void report_needs_verdict(t::Reporter& reporter, std::int64_t unknown) {
    reporter.error("needs-verdict",
                   fmt::format("{} message{} need{} a verdict (state unknown: {} may have "
                               "reached the receiver); see bcp-replay list --state unknown, "
                               "then bcp-replay resolve",
                               unknown, unknown == 1 ? "" : "s", unknown == 1 ? "s" : "",
                               unknown == 1 ? "it" : "they"));
}

// --rate as the library's request, or a usage error naming the flag.
RateRequest rate_request(const Options& o) {
    const auto r = parse_rate_request(o.rate, o.force_rate);
    if (!r) {
        throw usage_error(fmt::format("--rate '{}' is not a number of sends per second above 0 "
                                      "(at most 1000000) or 'unlimited'",
                                      o.rate));
    }
    return *r;
}

int run_run(const Options& o, std::ostream& out_stream, std::ostream& err, t::Reporter& reporter) {
    if (o.sink.empty()) throw usage_error("--sink is required (URL, exec:COMMAND or stdout)");
    const SinkKind kind = sink_kind(o.sink);
    const auto path = queue_path(o);
    if (o.dry_run) {
        auto q = Queue::open(path, false);
        t::Output out(out_stream);
        q.list(MessageState::queued, [&](const Message& m) {
            out.write(o.with_annotation ? body_with_annotation(m) : m.body);
            out.put('\n');
        });
        if (!out.finish()) throw io_error("cannot write to standard output");
        return t::ok;
    }
    auto q = Queue::open(path, false);
    const RuleCap cap = queued_rule_cap(q, RuleSet::load());
    const RatePlan plan = plan_rate(rate_request(o), cap.rate, cap.from);
    const double rate = plan.rate;
    // With SQLite the queue's lock (busy: exit 5), with PostgreSQL a lease among the runners.
    const auto runner = q.join({o.wait, rate, o.lease});
    const bool to_stdout = kind == SinkKind::stream;
    SinkSpec spec;
    spec.spec = o.sink;
    spec.concurrency = o.concurrency;
    spec.timeout = std::chrono::milliseconds(static_cast<long>(o.timeout * 1000));
    if (kind == SinkKind::http) {
        spec.headers = load_headers(o, reporter);
        spec.insecure = o.insecure;
        if (o.insecure) reporter.warning("TLS certificates are not verified (--insecure)");
    }
    auto sink = make_sink(spec, rate, out_stream);
    ReplayOptions r;
    r.rate = rate;
    r.burst = o.burst;
    r.concurrency = sink_concurrency(kind, o.concurrency, rate);
    r.max_seconds = o.max_seconds;
    r.retry_max = o.retry_max;
    r.resend_unknown = o.resend_unknown;
    r.interrupt = o.interrupt;
    r.runner = runner.get();
    if (o.with_annotation) r.prepare = [](const Message& m) { return body_with_annotation(m); };
    const auto before = q.counts();
    const bool bar = t::colour_enabled(STDERR_FILENO) && &err == &std::cerr;
    if (bar) {
        // Out of the messages waiting when the run began (those due now and later), with the
        // time left at the rate achieved so far.
        const std::int64_t total = before.of(MessageState::queued) +
                                   (o.resend_unknown ? before.of(MessageState::unknown) : 0);
        r.progress = [&err, total](const ReplayProgress& p) {
            const std::int64_t done = p.accepted + p.rejected + p.unknown;
            const double speed = p.elapsed > 0 ? static_cast<double>(p.sent) / p.elapsed : 0.0;
            std::string eta = "?";
            if (speed > 0 && total > done) {
                const auto left = static_cast<long>(static_cast<double>(total - done) / speed);
                eta = fmt::format("{}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60);
            } else if (total <= done) {
                eta = "0:00:00";
            }
            err << fmt::format("\r\033[K{}/{} done  sent {}  accepted {}  rejected {}  unknown {}  "
                               "retry {}  not sent {}  in flight {}  {:.0f}/s  ETA {}",
                               done, total, p.sent, p.accepted, p.rejected, p.unknown, p.requeued,
                               p.not_sent, p.in_flight, speed, eta)
                << std::flush;
        };
    }
    if (before.of(MessageState::queued) == 0 &&
        (!o.resend_unknown || before.of(MessageState::unknown) == 0) &&
        before.of(MessageState::sending) == 0) {
        std::ostream& summary = to_stdout ? err : out_stream;
        summary << R"({"sent":0,"remaining":0,"message":"nothing to send"})" << '\n';
        summary.flush();
        const std::int64_t unknown = before.of(MessageState::unknown);
        if (unknown > 0) {
            report_needs_verdict(reporter, unknown);
            return t::bad_data;
        }
        return t::no;
    }
    // Said once the run is sure to start: where the rate comes from when it is not the cap.
    if (plan.above_cap || (o.rate.empty() && cap.rate == 0)) reporter.warning(plan.why);
    const auto report = replay(q, *sink, r);
    sink.reset();
    if (bar) err << "\r\033[K" << std::flush;
    std::ostream& summary = to_stdout ? err : out_stream;
    summary << json_line(to_json(report, rate)) << '\n';
    summary.flush();
    const std::int64_t unknown = q.counts().of(MessageState::unknown);
    if (!report.lease_lost.empty()) {
        reporter.error("busy", fmt::format("stopped: {}", report.lease_lost));
        return t::tempfail;
    }
    switch (run_outcome(report, unknown)) {
        case RunOutcome::needs_verdict:
            report_needs_verdict(reporter, unknown);
            return t::bad_data;
        case RunOutcome::rejected: return t::bad_data;
        case RunOutcome::incomplete: return t::tempfail;
        case RunOutcome::done: return t::ok;
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
        out.write(json_line(status_json(q.location(), counts, last, shown)));
        out.put('\n');
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
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
            out.write(message_line(m, o.bodies, o.annotations));
            out.put('\n');
        }
    });
    if (!out.finish()) throw io_error("cannot write to standard output");
    return n > 0 ? t::ok : t::no;
}

int run_resolve(const Options& o, t::Output& out) {
    MessageState to = MessageState::queued;
    if (o.resolve_as == "accepted") {
        to = MessageState::accepted;
    } else if (o.resolve_as == "rejected") {
        to = MessageState::rejected;
    } else if (o.resolve_as != "retry") {
        throw usage_error("--as takes accepted, rejected or retry");
    }
    auto q = Queue::open(queue_path(o), false);
    if (o.resolve_all) {
        const auto from = parse_state(o.resolve_from.empty() ? "unknown" : o.resolve_from);
        const auto done = q.resolve_all(*from, to, o.note, o.dry_run);
        for (const auto& m : done) {
            auto j = to_json(m);
            if (o.dry_run) j["would_become"] = to_string(to);
            out.write(json_line(j));
            out.put('\n');
        }
        if (!out.finish()) throw io_error("cannot write to standard output");
        return done.empty() ? t::no : t::ok;
    }
    if (o.resolve_key.empty()) throw usage_error("resolve needs --key KEY, or --all");
    if (o.dry_run) throw usage_error("--dry-run goes with --all");
    const auto m = q.resolve(o.resolve_key, to, o.note);
    out.write(json_line(to_json(m)));
    out.put('\n');
    if (!out.finish()) throw io_error("cannot write to standard output");
    return t::ok;
}

// --- migrate, copy ------------------------------------------------------------------------------

int run_migrate(const Options& o, t::Output& out) {
    auto q = Queue::open(queue_path(o));
    const int from = q.migrated_from();
    out.write(json_line(nlohmann::json{{"queue", q.location()},
                                       {"schema", q.schema()},
                                       {"found", from == 0 ? nlohmann::json() : nlohmann::json(from)},
                                       {"migrated", from != q.schema()}}));
    out.put('\n');
    if (!out.finish()) throw io_error("cannot write to standard output");
    return t::ok;
}

int run_copy(const Options& o, t::Output& out) {
    if (o.copy_from.empty() || o.copy_to.empty()) throw usage_error("copy needs --from and --to");
    auto from = Queue::open(o.copy_from, false);
    auto to = Queue::open(o.copy_to);
    const CopyReport c = copy_queue(from, to);
    nlohmann::json states = nlohmann::json::object();
    for (auto s : all_states) states[std::string(to_string(s))] = c.by_state[static_cast<int>(s)];
    out.write(json_line(nlohmann::json{{"from", from.location()},
                                       {"to", to.location()},
                                       {"copied", c.copied},
                                       {"already_there", c.present},
                                       {"copied_by_state", states}}));
    out.put('\n');
    if (!out.finish()) throw io_error("cannot write to standard output");
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
