// The situation board: one self-contained HTML page (no script, no external style, font or
// image) for the people of an operations desk, from what the watch has stored. It shows
//   - what is in force at a time, per country and system: outages and emergency procedures,
//     with each procedure's call number and mention;
//   - a timeline of the windows and procedures of the coming days;
//   - every source: when it was last polled, whether it failed and why.
// Readable on a phone (one column under 40em) and in print; no meaning is given by colour
// alone: every kind is written out, and bars differ in pattern as well as shade.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <filesystem>
#include <string>
#include <vector>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/store/store.hpp"

namespace bcp {

struct BoardOptions {
    UtcTime at{};                          // the moment shown
    std::chrono::hours horizon{72};        // an open window's horizon (bcp-notice active --horizon)
    int days = 14;                         // the timeline's length
    std::string store_name;                // shown in the page's header
};

// One line of "in force now".
struct BoardRow {
    std::string country;  // empty: not stated
    std::string system;   // empty: not stated
    std::string kind;     // "emergency procedure", "planned outage", "outage", "unplanned outage"
    std::optional<UtcTime> start, end;
    std::optional<UtcTime> open_until;  // no end stated: counted in force until then
    std::string call, mention;
    std::string fallback;  // "allowed", "advised-only", "not-allowed" or empty
    std::string title, source;
};

// One bar of the timeline.
struct BoardBar {
    std::string kind;  // as BoardRow::kind
    std::string country, system, call, title;
    UtcTime start{};
    std::optional<UtcTime> end;
};

struct BoardSource {
    std::string id;
    SourceState state;
};

struct Board {
    UtcTime at{};
    int days = 14;
    std::string store_name;
    std::int64_t notices = 0;
    std::vector<BoardRow> in_force;   // by country, then system ("not stated" last)
    std::vector<BoardBar> coming;     // by start
    std::vector<BoardSource> sources; // by id
};

// Reads every notice of the store in the order first seen, links them as bcp-notice does, and
// keeps what is in force at `at` and what falls within the coming `days`. A record that does not
// read back is data_error (notice_of).
[[nodiscard]] Board build_board(NoticeStore& store, const BoardOptions& options);

// The page. Every text from a notice is escaped.
void append_board_html(std::string& out, const Board& board);

// The page of the store at `path` (default_store_path() when empty; opened read-only, it must
// exist): build_board and append_board_html, with options.store_name set to the file. A record
// that does not read back is data_error naming the file.
[[nodiscard]] std::string render_board(const std::filesystem::path& path, BoardOptions options);

}  // namespace bcp
