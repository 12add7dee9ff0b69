// bcp-notice: customs outage and maintenance notices (status-page histories, e-mails,
// Statuspage JSON) into structured events, calendars and "what is in force now" answers.
// main.cpp fills Options from the command line; run() does the work so tests can call it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace bcp::notice_tool {

enum class Command { parse, active, authorities, lint, board };

struct Options {
    Command command = Command::parse;
    std::string input = "auto";    // auto, text, email, statuspage
    std::string format = "jsonl";  // jsonl, text, ics
    std::string reference_time;    // RFC 3339; empty: $BCPKIT_NOW or now
    std::string at;                // active --at; empty: now
    std::string zone;              // active --tz: the zone of an --at without offset
    std::string country, system;   // active filters
    bool procedures = false, outages = false;  // active: emergency procedures / outages only
    int open_horizon_hours = 72;   // active: an open window's horizon after the last word
    bool include_stale = false;    // active: use windows flagged stale-date
    std::vector<std::string> files;  // lint: the data directory to check (default: the one in use)
    bool errors_json = false;
    bool from_store = false;       // read the watch's store instead of files
    std::string store;             // --store: the store's path (empty: the default)
    std::string since;             // parse --from-store --since: RFC 3339
    std::string out;               // board --out: the page's path
    int days = 14;                 // board --days: the timeline's length
    // Longest line (and largest e-mail or JSON document) accepted, in bytes.
    std::size_t max_line = std::size_t{16} << 20;
};

[[nodiscard]] int run(const Options& options, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace bcp::notice_tool
