// bcp-replay command line: flags only; the work is in replay_tool.cpp.
#include <csignal>
#include <iostream>

#include "replay_tool.hpp"
#include "bcp/cli/tool.hpp"

#include <CLI/CLI.hpp>

namespace {
std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted.store(true); }
}  // namespace

// A function-try-block: what escapes the flag parsing (out of memory while building the
// parser) is one error line and exit 2, never std::terminate.
int main(int argc, char** argv) try {
    namespace t = bcp::tool;
    using bcp::replay_tool::Command;
    t::ignore_sigpipe();
    std::ios::sync_with_stdio(false);

    bcp::replay_tool::Options o;
    CLI::App app;
    t::setup_app(app, "bcp-replay",
                 "A durable queue of buffered declarations, replayed after an outage with strict "
                 "rate limiting and never-twice delivery.");
    app.require_subcommand(1);
    app.fallthrough();
    app.add_option("--queue", o.queue, "Queue file, or postgresql:// URL (default: $XDG_STATE_HOME/bcpkit/replay.db)");
    app.add_flag("--errors-json", o.errors_json, "Write errors on stderr as JSON objects");

    auto* enq = app.add_subcommand("enqueue", "Store declarations (JSON Lines) in the queue");
    enq->add_option("--key", o.key, "JSON pointer of the idempotency key")->default_str("/lrn");
    enq->add_option("--prepared", o.prepared, "JSON pointer of the date of preparation")
        ->default_str("/prepared_at");
    enq->add_option("--country", o.country, "Country of the declarations (else from each record)");
    enq->add_option("--system", o.system, "System id of the declarations (else from each record)");
    enq->add_option("--rule", o.rule, "Procedure id that governs them (else the default rule)");
    enq->add_option("--call", o.call, "Call number of the emergency procedure (N + 5 digits)");
    enq->add_option("--start", o.start, "Start of the procedure (RFC 3339 or local time)");
    enq->add_option("--end", o.end, "End of the procedure");
    enq->add_option("--tz", o.zone, "Zone of local times (default: the rule's)");
    enq->add_option("--procedure", o.events,
                    "Notice events (bcp-notice output) naming the procedure; - for stdin");
    enq->add_option("--state", o.state, "Sequence file for generated references");
    enq->add_option("--prefix", o.prefix, "Prefix of generated references");
    enq->add_flag("--no-annotate", o.no_annotate,
                  "Store declarations without the procedure's codes even where a rule adds some");
    enq->add_option("--map", o.map,
                    "Field map: where the procedure's codes go in the declaration (default: the bundled map)");
    enq->add_option("FILE", o.files, "Input files; none or - reads stdin");

    auto* run = app.add_subcommand("run", "Send queued messages to a sink");
    run->add_option("--sink", o.sink, "URL, exec:COMMAND or stdout")->required();
    run->add_option("--rate", o.rate,
                    "Sends per second at most, or unlimited (default: the rule's cap, else 10)");
    run->add_flag("--force-rate", o.force_rate, "Allow a rate above the rule's cap");
    run->add_option("--burst", o.burst, "Sends that may start back to back (default 1)")
        ->check(CLI::Range(1u, 100000u));
    run->add_option("--concurrency", o.concurrency, "Requests in flight at most")
        ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
    run->add_option("--max-seconds", o.max_seconds, "Stop starting sends after this long")
        ->check(CLI::Range(0.0, 1e9));
    run->add_option("--retry-max", o.retry_max, "Retryable failures per message in one run")
        ->check(CLI::Range(0, 1000));
    run->add_option("--timeout", o.timeout, "Seconds a request may take (default 30)")
        ->check(CLI::Range(0.1, 3600.0));
    run->add_flag("--resend-unknown", o.resend_unknown,
                  "Send unknown messages again, with the same idempotency key");
    run->add_flag("--with-annotation", o.with_annotation,
                  "Send the bcp annotation inside each body (the receiver must expect it)");
    run->add_flag("--wait", o.wait, "Wait for another run on the queue instead of exiting 5");
    run->add_flag("--dry-run", o.dry_run, "Print the queued messages; send and change nothing");
    run->add_flag("--insecure", o.insecure, "Do not verify TLS certificates");
    run->add_option("--header", o.headers, "HTTP header 'Name: value' (not for secrets)")
        ->allow_extra_args(false);
    run->add_option("--header-file", o.header_files, "File of 'Name: value' lines (secrets)")
        ->allow_extra_args(false);
    run->add_option("--header-env", o.header_envs, "NAME=VARIABLE: header value from the environment")
        ->allow_extra_args(false);

    auto* status = app.add_subcommand("status", "Counts per state, oldest queued, last run");
    status->add_option("--format", o.format, "jsonl or text")->check(CLI::IsMember({"jsonl", "text"}));
    auto* list = app.add_subcommand("list", "List messages");
    list->add_option("--state", o.state_filter, "Only this state");
    list->add_flag("--body", o.bodies, "Include each message's body (what is sent)");
    list->add_flag("--annotation", o.annotations, "Include each message's bcp annotation");
    list->add_option("--format", o.format, "jsonl or text")->check(CLI::IsMember({"jsonl", "text"}));
    auto* resolve = app.add_subcommand("resolve", "Record an operator's verdict on a message");
    auto* resolve_key = resolve->add_option("--key", o.resolve_key, "Idempotency key");
    auto* resolve_all = resolve->add_flag(
        "--all", o.resolve_all, "Every message in the --state (default unknown), in one transaction");
    resolve_key->excludes(resolve_all);
    resolve->add_option("--state", o.resolve_from, "With --all: unknown, held or rejected")
        ->check(CLI::IsMember({"unknown", "held", "rejected"}));
    resolve->add_flag("--dry-run", o.dry_run, "With --all: print the messages, change nothing");
    resolve->add_option("--as", o.resolve_as, "accepted, rejected or retry")
        ->required()
        ->check(CLI::IsMember({"accepted", "rejected", "retry"}));
    resolve->add_option("--note", o.note, "Why (kept with the message)");

    run->add_option("--lease", o.lease,
                    "PostgreSQL: seconds a runner stays alive without a heartbeat (default 10)")
        ->check(CLI::Range(1.0, 3600.0));
    auto* migrate = app.add_subcommand("migrate", "Create or migrate the queue's schema");
    auto* copy = app.add_subcommand("copy", "Copy every message of one queue into another");
    copy->add_option("--from", o.copy_from, "The queue to copy (a file or a postgresql:// URL)")
        ->required();
    copy->add_option("--to", o.copy_to, "The queue to copy into (created or migrated)")->required();

    // --queue is accepted before or after the subcommand, and shown in every subcommand's help.
    for (auto* sub : {enq, run, status, list, resolve, migrate}) {
        sub->add_option("--queue", o.queue, "Queue file, or postgresql:// URL (default: $XDG_STATE_HOME/bcpkit/replay.db)");
    }
    t::Reporter reporter("bcp-replay", std::cerr);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--errors-json") reporter.set_json(true);
    }
    if (const int st = t::parse(app, argc, argv, std::cout, reporter); st >= 0) return st;
    if (enq->parsed()) o.command = Command::enqueue;
    if (run->parsed()) o.command = Command::run;
    if (status->parsed()) o.command = Command::status;
    if (list->parsed()) o.command = Command::list;
    if (resolve->parsed()) o.command = Command::resolve;
    if (migrate->parsed()) o.command = Command::migrate;
    if (copy->parsed()) o.command = Command::copy;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    o.interrupt = &interrupted;
    return bcp::replay_tool::run(o, std::cin, std::cout, std::cerr);
} catch (...) {
    return bcp::tool::setup_failed("bcp-replay");
}
