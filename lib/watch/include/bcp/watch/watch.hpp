// One watch: every source polled (or read) once if its interval allows, each item parsed into
// a notice, compared with what the store remembers, and what changed reported as JSON lines:
//   {"seq":N,"change":KIND,"source":ID,"source_id":...,"notice":{...},"previous":{...}|null,
//    "diff":[{"field":F,"from":A,"to":B},...]}
// KIND is new, updated, cancelled, procedure-activated, procedure-ended, window-moved or
// window-prolonged (the most telling one when several apply).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/core/time.hpp"
#include "bcp/watch/source.hpp"
#include "bcp/store/store.hpp"

namespace bcp {

struct WatchOptions {
    UtcTime reference_time{};  // dates without a year; 0: bcp::now() ($BCPKIT_NOW or now)
    std::string cacert;
    bool force = false;        // poll even before a source's interval has passed
};

struct SourceFailure {
    std::string source;
    std::string message;
};

struct WatchReport {
    std::size_t changes = 0;
    std::size_t polled = 0, skipped = 0, not_modified = 0;
    std::vector<SourceFailure> failures;
};

// The change between a notice's previous record and its new one (both as to_json gives them);
// previous null for a notice not seen before. Empty kind: nothing a person cares about changed.
struct NoticeChange {
    std::string kind;
    nlohmann::ordered_json diff = nlohmann::ordered_json::array();
};
[[nodiscard]] NoticeChange compare_notices(const nlohmann::ordered_json& previous,
                                           const nlohmann::ordered_json& current);

// Polls the sources, records and reports; `write` gets each change line (with its newline) and
// must return only once the line is written. Lines left unwritten by a killed run come first.
WatchReport run_watch(const std::vector<Source>& sources, NoticeStore& store, const WatchOptions& o,
                      const std::function<void(std::string_view line)>& write);

// One line for a person or an e-mail: time, change, country, systems, window, title, source
// ("?" where the notice does not say).
[[nodiscard]] std::string change_text(const nlohmann::ordered_json& change_line);

}  // namespace bcp
