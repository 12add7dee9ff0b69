// bcp-mention command line: flags only; the work is in mention_tool.cpp.
#include <iostream>

#include "mention_tool.hpp"
#include "bcp/cli/tool.hpp"

#include <CLI/CLI.hpp>

// A function-try-block: what escapes the flag parsing (out of memory while building the
// parser) is one error line and exit 2, never std::terminate.
int main(int argc, char** argv) try {
    namespace t = bcp::tool;
    using bcp::mention_tool::Command;
    t::ignore_sigpipe();
    std::ios::sync_with_stdio(false);

    bcp::mention_tool::Options o;
    CLI::App app;
    t::setup_app(app, "bcp-mention",
                 "Annotate declarations with what a business continuity procedure asks: "
                 "mentions, codes, references, documents, deadlines, retrospective submission.");
    app.fallthrough();
    bool errors_json = false;
    app.add_flag("--errors-json", errors_json, "Write errors on stderr as JSON objects");
    app.add_option("--country", o.country, "Country of the procedure (ISO code, or EU)");
    app.add_option("--system", o.system, "Customs system id (see 'bcp-mention systems')");
    app.add_option("--call", o.call, "Call number of the emergency procedure (N#####)");
    app.add_option("--start", o.start, "Start of the procedure (local time in --tz, or RFC 3339)");
    app.add_option("--end", o.end, "End of the procedure, when announced");
    app.add_option("--tz", o.tz, "IANA zone of --start/--end (default: the rule's zone; for an EU rule, the country's)");
    app.add_option("--procedure", o.procedure,
                   "Notice events (JSON Lines, from bcp-notice); the last one matching "
                   "--country/--system gives call, start and end");
    app.add_option("--rule", o.rule, "Procedure rule id, when several rules match");
    app.add_flag("--checklist", o.checklist, "Print the procedure's checklist, read no declarations");
    app.add_flag("--retrospective", o.retrospective,
                 "Annotate for electronic submission after the outage (exit 4 if a rule forbids it)");
    app.add_flag("--skip-invalid", o.skip_invalid,
                 "Report malformed lines as error records and go on (exit 1, not 3)");
    app.add_option("--state", o.state, "Sequence file (default: $XDG_STATE_HOME/bcpkit/sequence)");
    app.add_option("--prefix", o.prefix, "Operator characters before the counter of generated references");
    bool no_sources = false;
    app.add_flag("--no-sources", no_sources,
                 "Leave the rules' sources out of each annotated declaration (see --checklist)");
    app.add_option("--format", o.format, "Output format (text: --checklist only)")
        ->check(CLI::IsMember({"jsonl", "text"}));
    app.add_option("FILE", o.files, "Declarations (JSON Lines); none or - reads stdin");

    auto* systems = app.add_subcommand("systems", "List the (country, system) pairs with rules");
    systems->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"jsonl", "text"}));
    auto* lint = app.add_subcommand("lint", "Validate rule files (default: the rule search path)");
    lint->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"jsonl", "text"}));
    lint->add_option("FILE", o.files, "Rule files");

    t::Reporter reporter("bcp-mention", std::cerr);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--errors-json") reporter.set_json(true);
    }
    if (const int status = t::parse(app, argc, argv, std::cout, reporter); status >= 0) {
        return status;
    }
    o.errors_json = errors_json;
    o.sources = !no_sources;
    if (systems->parsed()) o.command = Command::systems;
    if (lint->parsed()) o.command = Command::lint;
    return bcp::mention_tool::run(o, std::cin, std::cout, std::cerr);
} catch (...) {
    return bcp::tool::setup_failed("bcp-mention");
}
