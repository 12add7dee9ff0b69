// A notice's record (to_json) read back into a Notice, so that bcp-notice can answer from the
// watch's store (`active --from-store`) without reading and interpreting the notices again,
// and the index such a store keeps to answer without reading every record.
//
// The record prints all a reader needs but four facts only linking uses (NoticeLinker): whether
// the window's start and each procedure's start and end were stated in the text, and whether
// the notice voids the previous one. notice_facts() keeps them beside the record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice.hpp"

namespace bcp {

// {"window_stated":B,"disregards_previous":B,"stated":[[START,END],...]} (one pair per procedure).
[[nodiscard]] nlohmann::ordered_json notice_facts(const Notice& n);

// The Notice a record (and its facts) describe: notice_from_record(to_json(n), notice_facts(n))
// prints as n does. `facts` null (a record kept without them): a time present counts as stated,
// and the notice voids no other. Throws data_error("record", ...) when `record` is not a notice
// record (data/schema/notice.schema.json).
[[nodiscard]] Notice notice_from_record(const nlohmann::ordered_json& record,
                                        const nlohmann::ordered_json& facts = nullptr);

// The periods notice_in_force may count: the window and each procedure, with
//   late: the latest of the start and the notice's last word (none when it has neither); an
//   open period (no end) is in force until `late` + the query's horizon at most.
// Never narrower than the truth, so an index of them never misses a notice in force:
//   - on its own, a notice may be in force at T only if one of its spans may hold
//     (span_may_hold);
//   - linked (NoticeLinker), a notice takes the start, the end or the cancellation of the other
//     notices of its call or window: the group may be in force at T only if the earliest start
//     of its spans is at or before T and either their latest end is after T or their latest
//     `late` + horizon is after T (group_may_hold). Then the whole group is read again and
//     linked, and notice_in_force decides.
struct ForceSpan {
    std::optional<UtcTime> start, end, late;
};
[[nodiscard]] std::vector<ForceSpan> notice_force_spans(const Notice& n);

[[nodiscard]] bool span_may_hold(const ForceSpan& s, UtcTime at, std::chrono::hours horizon) noexcept;
[[nodiscard]] bool group_may_hold(const std::vector<ForceSpan>& spans, UtcTime at,
                                  std::chrono::hours horizon) noexcept;

}  // namespace bcp
