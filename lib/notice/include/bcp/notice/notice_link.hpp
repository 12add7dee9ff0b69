// Links the notices of one run that speak of the same emergency procedure (call number) or the
// same announced window (country, system, start), so the final state reflects later entries:
// "has been prolonged until 21/11/25 9am CET" moves the end of call N04845, a cancellation
// cancels, "Please disregard the previous message" voids what the earlier notice said (
// "Updates"). Streaming: each notice is linked as it is read against an index kept for the
// run, whose size grows with the number of distinct calls and windows, not with the input.
//
// Rule (documented in bcp-notice(1), LINKING): of two linked notices, the one posted later
// (input order when the posting times are equal or unknown) states the final times and the
// cancellation; the earlier one fills in only what the later one does not state (start,
// mention, codes, system). The notice being linked takes the merged state, so the last record
// printed for a call or window always carries its final state, whichever order the input
// lists them in (a status page is newest first, a mailbox oldest first).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bcp/notice/notice.hpp"

namespace bcp {

class NoticeLinker {
public:
    // Links `n` with the notices seen before it in this run and updates the index. Returns the
    // ids of earlier-printed notices whose state `n` now supersedes (for calendars and active
    // lists that must keep only the final state), each with the shared call (empty: window).
    struct Superseded {
        std::string id;
        std::string call;
    };
    std::vector<Superseded> link(Notice& n);

    // Distinct calls and windows indexed (bounded memory check in tests).
    [[nodiscard]] std::size_t size() const noexcept { return calls_.size() + windows_.size(); }

private:
    struct Known {
        std::string id;
        std::optional<UtcTime> posted_at;
        std::size_t order = 0;  // input order
        std::optional<UtcTime> start, end;
        bool start_stated = false, end_stated = false;
        bool cancelled = false;
        bool disregards_previous = false;
        std::string system, mention;
        std::vector<std::string> codes;
        std::string printed;  // the last record printed with this state
    };
    std::map<std::string, Known, std::less<>> calls_;
    std::map<std::string, Known, std::less<>> windows_;
    std::size_t order_ = 0;
};

// What an "active" question keeps of a run of notices: each linked as it comes, held while in
// force for the query; a notice whose state a later one supersedes is dropped. The held list is
// bounded by the notices in force, not by the input.
class InForceSet {
public:
    explicit InForceSet(ActiveQuery query) : query_(std::move(query)) {}
    void add(Notice n);
    // A notice only linked (read for its state, never held): a store's linked neighbours.
    void link_only(Notice n) { (void)linker_.link(n); }
    [[nodiscard]] const std::vector<Notice>& notices() const noexcept { return held_; }
    [[nodiscard]] const ActiveQuery& query() const noexcept { return query_; }

private:
    ActiveQuery query_;
    NoticeLinker linker_;
    std::vector<Notice> held_;
};

// What a calendar keeps of a run: the windows and procedures (notice_events) of each notice as
// linked, the events of a call or window whose state a later notice supersedes dropped.
class EventSet {
public:
    void add(Notice n);
    [[nodiscard]] const std::vector<NoticeEvent>& events() const noexcept { return events_; }

private:
    NoticeLinker linker_;
    std::vector<NoticeEvent> events_;
};

// The key of a notice's window for linking, or empty when the window is not one to link: no
// start stated in the text, a stale copy-paste (stale-date warning), no system or a cancelled
// notice without country and system.
[[nodiscard]] std::string notice_window_key(const Notice& n);

// Every key the linker files a notice under: "call N04853" per call number, "window KEY" for its
// window (notice_window_key). Two notices can change each other's state only if they share one.
[[nodiscard]] std::vector<std::string> notice_link_keys(const Notice& n);

}  // namespace bcp
