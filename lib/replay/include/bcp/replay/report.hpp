// The replay records as output, in one place: a message (JSON and its text line), a queue's
// status (JSON and text) and a run's summary. bcp-replay prints them; their fields are listed
// in bcp-replay(1).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bcp/replay/queue.hpp"
#include "bcp/replay/replay.hpp"

namespace bcp {

// A message as `list` prints it (no body, no annotation).
[[nodiscard]] nlohmann::json to_json(const Message& m);
// The same as one JSON line, without the newline; with `body` the stored body and with
// `annotation` the stored annotation spliced in as they were accepted (never re-parsed: a
// declaration nested 100,000 levels deep would overflow the stack).
[[nodiscard]] std::string message_line(const Message& m, bool body, bool annotation);
// A message as text: key, state, country/system, attempts, last status, then the last
// response, held reason, note (and the annotation) on lines of their own, flattened and cut.
[[nodiscard]] std::string to_text(const Message& m, bool annotation);

// A queue's counts and last run, and with a shared queue its runners (null: not shared).
[[nodiscard]] nlohmann::json to_json(const RunnerInfo& runner);
[[nodiscard]] nlohmann::json status_json(std::string_view queue, const QueueCounts& counts,
                                         const std::optional<RunRecord>& last_run,
                                         const std::vector<RunnerInfo>* runners = nullptr);
[[nodiscard]] std::string status_text(std::string_view queue, const QueueCounts& counts,
                                      const std::optional<RunRecord>& last_run,
                                      const std::vector<RunnerInfo>* runners = nullptr);

// The summary of a run, one JSON object; `rate` is the limit it ran at (0: none).
[[nodiscard]] nlohmann::json to_json(const ReplayReport& r, double rate);

// A run's progress as one line (no newline) out of `total` messages waiting when it began,
// with the time left at the rate achieved so far: what a terminal shows on one line.
[[nodiscard]] std::string progress_text(const ReplayProgress& p, std::int64_t total);
// The sentence of a run that leaves `unknown` messages needing a person's verdict.
[[nodiscard]] std::string needs_verdict_text(std::int64_t unknown);

// A migration: the queue, its schema now, the version found (0: a new queue) and whether it
// changed.
[[nodiscard]] nlohmann::json migrate_json(std::string_view queue, int schema, int found);
// A copy between two queues: how many copied, how many were there already, by state.
[[nodiscard]] nlohmann::json to_json(const CopyReport& c, std::string_view from, std::string_view to);

}  // namespace bcp
