// bcp-notice command line: flags only; the work is in notice_tool.cpp.
#include <iostream>
#include <string_view>
#include <vector>

#include "notice_tool.hpp"
#include "bcp/cli/tool.hpp"

#include <CLI/CLI.hpp>

// A function-try-block: what escapes the flag parsing (out of memory while building the
// parser) is one error line and exit 2, never std::terminate.
int main(int argc, char** argv) try {
    namespace t = bcp::tool;
    using bcp::notice_tool::Command;
    t::ignore_sigpipe();
    std::ios::sync_with_stdio(false);
    // `watch` is its own program (bcp-notice-watch), which alone links the network and the store.
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--errors-json") continue;
        if (a == "watch") {
            std::vector<char*> rest(argv + 1, argv + argc);
            rest.erase(rest.begin() + (i - 1));
            t::Reporter reporter("bcp-notice", std::cerr);
            return t::exec_sibling("bcp-notice-watch", "bcp-notice watch", static_cast<int>(rest.size()), rest.data(),
                                   reporter);
        }
        break;
    }

    bcp::notice_tool::Options o;
    CLI::App app;
    t::setup_app(app, "bcp-notice",
                 "Turn customs outage and maintenance notices (status-page histories, e-mails, "
                 "Statuspage JSON) into structured events: systems, country, windows in UTC, "
                 "emergency procedures.");
    app.fallthrough();
    bool errors_json = false;
    app.add_flag("--errors-json", errors_json, "Write errors on stderr as JSON objects");

    auto add_common = [&](CLI::App* sub) {
        sub->add_option("--input", o.input, "Input kind (default: detected)")
            ->check(CLI::IsMember({"auto", "text", "email", "statuspage"}));
        sub->add_option("--reference-time", o.reference_time,
                        "Anchor for dates without a year when a notice has no posting date "
                        "(RFC 3339; default $BCPKIT_NOW or now)");
        sub->add_option("--max-line", o.max_line, "Longest line or document accepted, in bytes")
            ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
        sub->add_flag("--from-store", o.from_store,
                      "Read the notices `bcp-notice watch` stored instead of files (see --store)");
        sub->add_option("--store", o.store, "The watch's store (default $XDG_STATE_HOME/bcpkit/notices.db)");
        sub->add_option("FILE", o.files, "Input files; none or - reads stdin");
    };
    // The default subcommand's options also work without naming it.
    add_common(&app);
    app.add_option("--format", o.format, "Output format")
        ->check(CLI::IsMember({"jsonl", "text", "ics"}));
    app.add_option("--since", o.since, "With --from-store: only notices first seen or changed since (RFC 3339)");

    auto* parse = app.add_subcommand("parse", "Notices as JSON Lines, a summary or a calendar (default)");
    add_common(parse);
    parse->add_option("--format", o.format, "Output format: jsonl, text or ics (RFC 5545)")
        ->check(CLI::IsMember({"jsonl", "text", "ics"}));
    parse->add_option("--since", o.since,
                      "With --from-store: only notices first seen or changed since this time (RFC 3339)");

    auto* active = app.add_subcommand("active", "Outages and procedures in force at a time; exit 1 if none");
    add_common(active);
    active->add_option("--at", o.at, "The time, RFC 3339 with an offset, or local with --tz (default: now)");
    active->add_option("--tz", o.zone, "IANA zone of an --at without offset (e.g. Europe/Brussels)");
    active->add_flag("--procedures", o.procedures, "Only emergency procedures in force");
    active->add_flag("--outages", o.outages, "Only windows of unavailability (planned or not)");
    active->add_option("--horizon", o.open_horizon_hours,
                       "Hours an open-ended window stays in force after the notice's last word (default 72)")
        ->check(CLI::Range(1, 24 * 366));
    active->add_flag("--include-stale", o.include_stale, "Also use windows flagged stale-date");
    active->add_option("--country", o.country, "Only notices of this country (ISO alpha-2)");
    active->add_option("--system", o.system, "Only notices about this system id");
    active->add_option("--format", o.format, "Output format: jsonl or text")
        ->check(CLI::IsMember({"jsonl", "text"}));

    auto* board = app.add_subcommand("board", "Write the situation board, one HTML page, from the watch's store");
    board->add_option("--out", o.out, "The page to write (replaced whole, never half written)")->required();
    board->add_option("--at", o.at, "The moment shown, RFC 3339 with an offset, or local with --tz (default: now)");
    board->add_option("--tz", o.zone, "IANA zone of an --at without offset (e.g. Europe/Brussels)");
    board->add_option("--store", o.store, "The watch's store (default $XDG_STATE_HOME/bcpkit/notices.db)");
    board->add_option("--horizon", o.open_horizon_hours,
                      "Hours an open-ended window stays in force after the notice's last word (default 72)")
        ->check(CLI::Range(1, 24 * 366));
    board->add_option("--days", o.days, "Days the timeline shows (default 14)")->check(CLI::Range(1, 60));

    // Listed for --help; bcp-notice runs bcp-notice-watch for it before parsing (above).
    app.add_subcommand("watch", "Poll where notices are published and write what changed (bcp-notice watch --help)");
    auto* authorities = app.add_subcommand("authorities", "List the authority profiles in use (data/authorities)");
    authorities->add_option("--format", o.format, "Output format: jsonl or text")
        ->check(CLI::IsMember({"jsonl", "text"}));
    auto* lint = app.add_subcommand("lint", "Check the authority profiles and language packs; exit 1 on a problem");
    lint->add_option("--format", o.format, "Output format: jsonl or text")->check(CLI::IsMember({"jsonl", "text"}));
    lint->add_option("DIR", o.files, "Data directory (default: the one in use)");

    t::Reporter reporter("bcp-notice", std::cerr);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--errors-json") reporter.set_json(true);
    }
    if (const int status = t::parse(app, argc, argv, std::cout, reporter); status >= 0) {
        return status;
    }
    o.errors_json = errors_json;
    if (active->parsed()) o.command = Command::active;
    if (authorities->parsed()) o.command = Command::authorities;
    if (lint->parsed()) o.command = Command::lint;
    if (board->parsed()) o.command = Command::board;
    return bcp::notice_tool::run(o, std::cin, std::cout, std::cerr);
} catch (...) {
    return bcp::tool::setup_failed("bcp-notice");
}
