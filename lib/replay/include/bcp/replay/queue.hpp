// The durable replay queue: buffered declarations in an SQLite database file (WAL, synchronous
// FULL, mode 0600), each with its idempotency key and delivery state.
//
// States: queued -> sending -> accepted | rejected | unknown, and held (refused by a rule).
// The never-twice promise rests on one rule: a message is claimed (marked `sending`, attempt
// counted, committed durably) before its first byte goes out, and only an operator or
// --resend-unknown ever moves it back. After a crash, `sending` can only mean "may have
// arrived": recover_sending() turns it into `unknown`.
#pragma once

#include "bcp/sqlite/sqlite.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bcp {

enum class MessageState : std::uint8_t { queued, sending, accepted, rejected, unknown, held };

[[nodiscard]] std::string_view to_string(MessageState s) noexcept;
[[nodiscard]] std::optional<MessageState> parse_state(std::string_view s) noexcept;
inline constexpr MessageState all_states[] = {MessageState::queued,   MessageState::sending,
                                              MessageState::accepted, MessageState::rejected,
                                              MessageState::unknown,  MessageState::held};

struct NewMessage {
    std::string key;
    std::string country, system;
    std::string body;         // what is sent: the declaration, with the procedure's codes written in
    std::string annotation;   // the "bcp" annotation (compact JSON) kept for the operator, or empty
    std::string prepared_at;  // kept as given: late-payment interest runs from it
    bool held = false;
    std::string held_reason, held_source;
};

struct Message {
    std::int64_t id = 0;
    std::string key, country, system, body, prepared_at, enqueued_at, updated_at;
    MessageState state = MessageState::queued;
    int attempts = 0;
    std::optional<int> last_status;  // HTTP status or exit status of the last attempt
    std::string last_response;       // body or stdout of the last attempt, or the error
    std::string held_reason, held_source;
    double not_before = 0;  // unix seconds before which a queued message is not sent
    std::string note;       // the operator's note of the last verdict (resolve --note)
    std::string annotation; // the "bcp" annotation kept beside the body, or empty
};

// The result of one attempt, recorded after it ends.
struct Outcome {
    std::int64_t id = 0;
    MessageState state = MessageState::accepted;  // accepted, rejected, unknown or queued
    std::optional<int> status;
    std::string response;
    double not_before = 0;  // for queued: when to try again
    // False when no byte of the request left this machine (claimed and never started, or a
    // connect failure): the claim's attempt is taken back, so `attempts` counts real sends.
    bool sent = true;
};

struct QueueCounts {
    std::int64_t by_state[6] = {0, 0, 0, 0, 0, 0};
    std::string oldest_queued;  // enqueue time of the oldest queued message, empty if none
    double next_attempt = 0;    // earliest not_before among queued messages (0: now)
    [[nodiscard]] std::int64_t of(MessageState s) const noexcept {
        return by_state[static_cast<int>(s)];
    }
};

// One replay run, kept for `status` (rate used).
struct RunRecord {
    std::string started_at, ended_at;
    std::int64_t sent = 0;
    double rate_limit = 0;   // messages per second, 0: unthrottled
    double achieved = 0;     // sends per second over the run
    std::int64_t max_window = 0;  // most sends started in any one-second window
};

class Queue {
public:
    // Opens (creating unless `create` is false) the queue file. Throws bcp::io_error when the
    // file cannot be opened or is not a bcpkit queue, bcp::busy_error when it stays locked.
    static Queue open(const std::filesystem::path& path, bool create = true);
    Queue(Queue&&) noexcept;
    Queue& operator=(Queue&&) noexcept;
    ~Queue();

    [[nodiscard]] const std::filesystem::path& path() const noexcept;

    // Batches enqueues into one transaction (much faster for large inputs).
    void begin();
    void commit();

    enum class Added { enqueued, held, duplicate };
    // Adds a message, or reports the key as a duplicate (the stored message is not touched).
    Added enqueue(const NewMessage& m);

    // Claims up to `n` queued messages due at `now` (unix seconds), oldest first: marks them
    // sending and counts the attempt, committed durably before returning.
    [[nodiscard]] std::vector<Message> claim(std::size_t n, double now);
    // Claims unknown messages for --resend-unknown, the same way.
    [[nodiscard]] std::vector<Message> claim_unknown(std::size_t n);

    // Records outcomes of claimed messages in one transaction.
    void record(const std::vector<Outcome>& outcomes);
    // Both in one transaction (one commit, one fsync): records `outcomes`, then claims up to
    // `n` messages (queued ones due at `now`, or unknown ones when `unknown`).
    [[nodiscard]] std::vector<Message> exchange(const std::vector<Outcome>& outcomes,
                                                std::size_t n, double now, bool unknown);

    // Turns every `sending` message into `unknown` (call only while holding the runner lock:
    // no other runner can then be sending). Returns how many.
    std::int64_t recover_sending();

    [[nodiscard]] QueueCounts counts();
    // Calls `each` for every message (in id order), optionally of one state, without loading
    // them all.
    void list(std::optional<MessageState> state, const std::function<void(const Message&)>& each);
    [[nodiscard]] std::optional<Message> find(std::string_view key);

    // An operator's verdict on an `unknown` (or `held`, `rejected`) message: accepted,
    // rejected, or queued (send again, same key). Throws bcp::usage_error for a key that does
    // not exist, bcp::data_error (kind "state") when the message is not in a state an operator
    // may change (queued, sending, accepted).
    Message resolve(std::string_view key, MessageState to, std::string_view note);
    // The same verdict on every message in state `from` (unknown, held or rejected), in one
    // transaction; with dry_run nothing changes. Returns the messages (as they were, dry).
    std::vector<Message> resolve_all(MessageState from, MessageState to, std::string_view note,
                                     bool dry_run);

    void add_run(const RunRecord& run);
    [[nodiscard]] std::optional<RunRecord> last_run();

private:
    struct Impl;
    explicit Queue(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// One runner per queue: an exclusive lock on "<queue>.lock", held for the life of the object.
class RunnerLock {
public:
    // Without `wait`, throws bcp::busy_error at once when another runner holds the lock.
    RunnerLock(const std::filesystem::path& queue, bool wait);

private:
    sqlite::FileLock lock_;
};

// The default queue file: state_dir() / "replay.db".
[[nodiscard]] std::filesystem::path default_queue_path();

// A queue location with a URL scheme ("postgresql://host/db", "ftp://...") is a URL, never a
// file name: throws bcp::usage_error naming the scheme, since this version keeps queues only in
// SQLite files. Called by Queue::open and RunnerLock before anything is created.
void check_queue_location(const std::filesystem::path& location);

// Current time as unix seconds with sub-second precision, and as RFC 3339 with milliseconds.
[[nodiscard]] double unix_now();
[[nodiscard]] std::string timestamp_now();

}  // namespace bcp
