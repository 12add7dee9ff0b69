// bcp-notice watch (bcp-notice-watch): flags only; the work is in watch_tool.cpp. bcp-notice
// runs this program for its `watch` command, so that bcp-notice itself, run once per line in
// shell loops, never loads libcurl, libxml2 and SQLite.
#include <iostream>

#include "watch_tool.hpp"
#include "bcp/cli/tool.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) try {
    namespace t = bcp::tool;
    t::ignore_sigpipe();
    bcp::watch_tool::Options o;
    CLI::App app;
    t::setup_app(app, "bcp-notice watch",
                 "Poll where customs notices are published (Statuspage sites, RSS and Atom feeds, Maildir "
                 "and mbox mailboxes), remember what was seen, and write what changed as JSON Lines.");
    app.add_option("--sources", o.sources_file,
                   "Sources file (default $XDG_CONFIG_HOME/bcpkit/sources.toml; bcp-sources(5))");
    app.add_option("--source", o.sources, "A source without a file, KIND=URL or KIND=PATH (repeatable)");
    app.add_option("--store", o.store, "State store (default $XDG_STATE_HOME/bcpkit/notices.db)");
    app.add_option("--format", o.format, "Output format: jsonl or text")->check(CLI::IsMember({"jsonl", "text"}));
    app.add_option("--cacert", o.cacert, "CA bundle to verify servers against (PEM file)")
        ->check(CLI::ExistingFile);
    app.add_option("--reference-time", o.reference_time,
                   "Anchor for dates without a year when a notice has no posting date (RFC 3339; default now)");
    app.add_flag("--force", o.force, "Poll every source now, even before its interval has passed");
    app.add_flag("--errors-json", o.errors_json, "Write errors on stderr as JSON objects");
    t::Reporter reporter("bcp-notice", std::cerr);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--errors-json") reporter.set_json(true);
    }
    if (const int status = t::parse(app, argc, argv, std::cout, reporter); status >= 0) return status;
    return bcp::watch_tool::run(o, std::cout, std::cerr);
} catch (...) {
    return bcp::tool::setup_failed("bcp-notice");
}
