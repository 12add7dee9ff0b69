// The watch's memory, an SQLite file (default $XDG_STATE_HOME/bcpkit/notices.db): per source
// its validators, last poll and when it may be polled again; per notice its source, the
// source's id for it, first and last seen, a hash of what it says and the parsed event; and
// the changes reported, numbered, each marked once written out.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_record.hpp"
#include "bcp/sqlite/sqlite.hpp"

namespace bcp {

struct SourceState {
    std::string etag, last_modified;
    std::string last_poll;    // RFC 3339, or empty
    double next_poll = 0;     // Unix seconds: not polled before
    std::string last_error;   // empty after a good poll
    std::int64_t failures = 0;  // consecutive
};

struct StoredNotice {
    std::string hash;
    std::string event;  // the notice's JSON record
    std::string first_seen, last_seen;
    std::string facts;    // notice_facts(), as JSON
    std::string changed;  // when what it says last changed (first_seen when never); empty: last_seen
};

// What the store indexes of a notice to answer "in force at T" without reading every record.
struct NoticeIndex {
    std::vector<ForceSpan> spans;
    std::vector<std::string> keys;  // notice_link_keys
};
[[nodiscard]] NoticeIndex notice_index(const Notice& n);

// A notice as bcp-notice reads it back (notice_from_record).
struct StoredRecord {
    std::string source, source_id;
    std::string event, facts;
    bool shown = true;  // asked for; false: read only because it is linked with one that is
};

// A stored record read back into a notice (notice_from_record); a record it cannot read is
// data_error naming the source and the notice.
[[nodiscard]] Notice notice_of(const StoredRecord& record);

struct StoredChange {
    std::int64_t seq = 0;
    std::string line;  // the change's JSON line
};

class NoticeStore {
public:
    // Opens or creates the store; one watch at a time (a second gets busy_error: exit 5).
    static NoticeStore open(const std::filesystem::path& path, bool lock);
    NoticeStore(NoticeStore&&) noexcept;
    NoticeStore& operator=(NoticeStore&&) noexcept;
    ~NoticeStore();

    [[nodiscard]] SourceState source(std::string_view id);
    [[nodiscard]] std::optional<StoredNotice> notice(std::string_view source, std::string_view source_id);

    // Everything a source's poll changes, in one transaction: `body` runs inside it.
    void transaction(const std::function<void()>& body);
    void put_source(std::string_view id, const SourceState& s);
    // `index` null: what the notice says did not change, its index stands.
    void put_notice(std::string_view source, std::string_view source_id, const StoredNotice& n,
                    const NoticeIndex* index);
    // Records a change to report; its seq is its position in the store's history.
    std::int64_t add_change(std::string_view line_without_seq);

    // The changes recorded but not yet marked written, oldest first.
    [[nodiscard]] std::vector<StoredChange> unwritten();
    void mark_written(std::int64_t seq);

    // Every source polled at least once (a poll's own validators per URL are not sources), by id.
    [[nodiscard]] std::vector<std::pair<std::string, SourceState>> polled_sources();
    // How many notices the store holds.
    [[nodiscard]] std::int64_t notice_count();

    // The notices that may be in force at `at` (open periods for `horizon` after their last
    // word), with every notice linked with them: what `active --from-store` reads, in the order
    // first seen. notice_in_force decides which are.
    [[nodiscard]] std::vector<StoredRecord> in_force(UtcTime at, std::chrono::hours horizon);
    // The notices first seen or changed at or after `since` (all when none), shown, with the
    // notices linked with them, not shown; in the order first seen.
    [[nodiscard]] std::vector<StoredRecord> seen_since(const std::optional<UtcTime>& since);

private:
    struct Impl;
    explicit NoticeStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// $XDG_STATE_HOME/bcpkit/notices.db.
[[nodiscard]] std::filesystem::path default_store_path();
// The store a user names: `given`, or default_store_path() when it is empty.
[[nodiscard]] std::filesystem::path store_path(const std::filesystem::path& given);

// What bcp-notice reads back from a store: with `at`, the notices that may be in force then
// (NoticeStore::in_force, open periods for `horizon`); without, those first seen or changed
// since `since` (all when null; NoticeStore::seen_since).
struct StoreQuery {
    std::optional<UtcTime> at;
    std::chrono::hours horizon{0};
    std::optional<UtcTime> since;
};
// Opens the store at `path` (default_store_path() when empty) read-only, which must exist, and
// hands each notice of `query` to `each`, read back, with whether it is shown (false: linked
// with one that is). A record it cannot read is data_error naming the store's file.
void read_store(const std::filesystem::path& path, const StoreQuery& query,
                const std::function<void(Notice&&, bool shown)>& each);

}  // namespace bcp
