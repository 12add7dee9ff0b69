// One replay run as a whole (what `bcp-replay run` does after reading its flags): the rate
// decided from the request and the rules governing the queued messages, the runner joined, the
// sink built, the loop run, and what its end means for the caller. The caller says how it
// reports: warnings and the progress line are callbacks, and the result carries the summary.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "bcp/replay/queue.hpp"
#include "bcp/replay/replay.hpp"
#include "bcp/replay/sink.hpp"

namespace bcp {

struct RunRequest {
    RateRequest rate;       // as asked (parse_rate_request)
    SinkSpec sink;          // its headers already collected (collect_headers)
    bool wait = false;      // SQLite: wait for another run's lock instead of failing busy
    double lease = 10;      // PostgreSQL: seconds a runner lives without a heartbeat
    bool with_annotation = false;  // send each body with its "bcp" annotation inside
    // The loop's options; its rate, concurrency and runner are set by run_replay.
    ReplayOptions loop;
    // Called with the loop's progress and the messages waiting when the run began (null: none).
    std::function<void(const ReplayProgress&, std::int64_t total)> progress;
    // Hears once, before sending, where the rate comes from when it is not the rules' cap.
    std::function<void(const std::string&)> warn;
};

// How a run ended, most urgent first for the caller's exit status.
enum class RunEnd : std::uint8_t {
    lease_lost,      // the runner lost its lease and stopped sending (report.lease_lost says why)
    needs_verdict,   // messages are unknown: they may have reached the receiver, a person decides
    rejected,        // the receiver refused messages in this run
    incomplete,      // messages are still queued (deadline, interrupt, retries spent)
    nothing_to_send, // nothing queued (nor unknown, when those are re-sent): nothing was sent
    done,
};

struct RunResult {
    RunEnd end = RunEnd::done;
    std::optional<ReplayReport> report;  // null with nothing_to_send
    double rate = 0;                     // the rate the run held (0: unthrottled)
    std::int64_t unknown = 0;            // unknown messages in the queue at the end
    bool summary_to_stderr = false;      // the sink writes stdout: the summary goes to stderr
    // The run's one summary record (JSON, no newline).
    [[nodiscard]] std::string summary() const;
};

// Runs `queue` into the sink of `request`; `stream` is where a "stdout" sink writes. Throws
// usage_error for a sink or rate the caller must correct (naming no flag), busy_error when
// another run holds an SQLite queue, and what the queue and the sink throw.
[[nodiscard]] RunResult run_replay(Queue& queue, const RunRequest& request, std::ostream& stream);

}  // namespace bcp
