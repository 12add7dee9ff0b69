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

}  // namespace bcp
