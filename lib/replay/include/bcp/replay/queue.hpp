// The durable replay queue: buffered declarations, each with its idempotency key and delivery
// state, in an SQLite database file (WAL, synchronous FULL, mode 0600) or on a PostgreSQL server
// (shared by runners on several hosts: postgresql_queue.cpp).
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
// A person's verdict on a message (bcp-replay resolve): "accepted", "rejected", or "retry"
// (queued again); nothing for anything else.
[[nodiscard]] std::optional<MessageState> parse_verdict(std::string_view s) noexcept;
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

enum class EnqueueResult : std::uint8_t { enqueued, held, duplicate };

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

// A runner's place among the runners of one queue. With an SQLite file that is an exclusive
// lock: one runner at a time, alone with the whole rate. With PostgreSQL it is a row with a
// lease renewed by heartbeats, and a share of the rate cap that all runners split.
class Runner {
public:
    virtual ~Runner() = default;
    // Sends per second this runner may start now: the run's rate when it runs alone, its share
    // when several run, 0 while it has none (joining, or waiting for a share to cool), and
    // infinity when the run is unthrottled.
    [[nodiscard]] virtual double share() = 0;
    // False while the runner cannot be sure its lease holds (no heartbeat for most of the
    // lease): it must not start a send, since the queue may soon count it dead.
    [[nodiscard]] virtual bool may_send() = 0;
    // Whether the runner has messages to send: one with none gives its share back.
    virtual void set_busy(bool busy) = 0;
    // Non-empty once the lease is lost for good (other runners have taken over what this one
    // was sending): the run must stop.
    [[nodiscard]] virtual std::string lost() = 0;
};

struct RunnerOptions {
    bool wait = false;   // SQLite: wait for another run's lock instead of failing busy
    double rate = 0;     // the run's rate (0: unthrottled); PostgreSQL runners agree on the lowest
    double lease = 10;   // PostgreSQL: seconds a runner stays alive without a heartbeat
};

// One runner as `status` shows it (PostgreSQL queues).
struct RunnerInfo {
    std::int64_t id = 0;
    std::string host;
    std::int64_t pid = 0;
    std::string started_at, heartbeat_at, lease_until;
    double rate = 0;   // what it asked for (0: unthrottled)
    double share = 0;  // what it holds now
    bool busy = false;
};

// What a queue store does; Queue forwards to one. Each method is documented on Queue.
class QueueBackend {
public:
    virtual ~QueueBackend() = default;
    [[nodiscard]] virtual const std::string& location() const noexcept = 0;
    [[nodiscard]] virtual bool shared() const noexcept = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual EnqueueResult enqueue(const NewMessage& m) = 0;
    virtual EnqueueResult import(const Message& m) = 0;
    [[nodiscard]] virtual std::vector<Message> exchange(const std::vector<Outcome>& outcomes,
                                                        std::size_t n, double now,
                                                        bool unknown) = 0;
    virtual std::int64_t recover_sending() = 0;
    [[nodiscard]] virtual QueueCounts counts() = 0;
    virtual void list(std::optional<MessageState> state,
                      const std::function<void(const Message&)>& each) = 0;
    [[nodiscard]] virtual std::optional<Message> find(std::string_view key) = 0;
    virtual Message resolve(std::string_view key, MessageState to, std::string_view note) = 0;
    virtual std::vector<Message> resolve_all(MessageState from, MessageState to,
                                             std::string_view note, bool dry_run) = 0;
    virtual void add_run(const RunRecord& run) = 0;
    [[nodiscard]] virtual std::optional<RunRecord> last_run() = 0;
    [[nodiscard]] virtual std::unique_ptr<Runner> join(const RunnerOptions& options) = 0;
    [[nodiscard]] virtual std::vector<RunnerInfo> runners() = 0;
    [[nodiscard]] virtual int schema() = 0;
    [[nodiscard]] virtual int migrated_from() = 0;
};

class Queue {
public:
    // Opens the queue at `location`: a PostgreSQL URL (postgresql:// or postgres://), else an
    // SQLite file, created unless `create` is false (a PostgreSQL schema is created and migrated
    // either way). A location with any other URL scheme is a usage error, never a file name.
    // Throws bcp::io_error when the file cannot be opened or is not a bcpkit queue,
    // bcp::busy_error when it stays locked or the server cannot be reached.
    static Queue open(const std::string& location, bool create = true);
    explicit Queue(std::unique_ptr<QueueBackend> backend);
    Queue(Queue&&) noexcept;
    Queue& operator=(Queue&&) noexcept;
    ~Queue();

    // The file path, or the URL without its password.
    [[nodiscard]] const std::string& location() const noexcept { return b_->location(); }
    // Several runners may share it (PostgreSQL).
    [[nodiscard]] bool shared() const noexcept { return b_->shared(); }
    // The schema version in use (created or migrated by open).
    [[nodiscard]] int schema() { return b_->schema(); }
    // The version open() found: the same as schema() unless it migrated (0: it created it).
    [[nodiscard]] int migrated_from() { return b_->migrated_from(); }

    // Batches enqueues into one transaction (much faster for large inputs).
    void begin() { b_->begin(); }
    void commit() { b_->commit(); }

    using Added = EnqueueResult;
    // Adds a message, or reports the key as a duplicate (the stored message is not touched).
    Added enqueue(const NewMessage& m) { return b_->enqueue(m); }
    // Adds a message of another queue as it is (state, attempts, responses, note), or reports
    // its key as a duplicate; one found `sending` is stored `unknown`. For `copy`.
    Added import(const Message& m) { return b_->import(m); }

    // Claims up to `n` queued messages due at `now` (unix seconds), oldest first: marks them
    // sending and counts the attempt, committed durably before returning.
    [[nodiscard]] std::vector<Message> claim(std::size_t n, double now) {
        return b_->exchange({}, n, now, false);
    }
    // Claims unknown messages for --resend-unknown, the same way.
    [[nodiscard]] std::vector<Message> claim_unknown(std::size_t n) {
        return b_->exchange({}, n, 0, true);
    }
    // Records outcomes of claimed messages in one transaction.
    void record(const std::vector<Outcome>& outcomes) {
        if (!outcomes.empty()) (void)b_->exchange(outcomes, 0, 0, false);
    }
    // Both in one transaction (one commit, one fsync): records `outcomes`, then claims up to
    // `n` messages (queued ones due at `now`, or unknown ones when `unknown`). With a shared
    // queue, only the joined runner's own `sending` messages take outcomes, and it claims only
    // while its lease holds.
    [[nodiscard]] std::vector<Message> exchange(const std::vector<Outcome>& outcomes,
                                                std::size_t n, double now, bool unknown) {
        return b_->exchange(outcomes, n, now, unknown);
    }

    // Turns into `unknown` every `sending` message no live runner holds: with SQLite (call only
    // while holding the runner lock) all of them, with PostgreSQL those of runners whose lease
    // has expired. Returns how many.
    std::int64_t recover_sending() { return b_->recover_sending(); }

    [[nodiscard]] QueueCounts counts() { return b_->counts(); }
    // Calls `each` for every message (in id order), optionally of one state, without loading
    // them all.
    void list(std::optional<MessageState> state,
              const std::function<void(const Message&)>& each) {
        b_->list(state, each);
    }
    [[nodiscard]] std::optional<Message> find(std::string_view key) { return b_->find(key); }

    // An operator's verdict on an `unknown` (or `held`, `rejected`) message: accepted,
    // rejected, or queued (send again, same key). Throws bcp::none_error for a key that does
    // not exist, bcp::data_error (kind "state") when the message is not in a state an operator
    // may change (queued, sending, accepted).
    Message resolve(std::string_view key, MessageState to, std::string_view note) {
        return b_->resolve(key, to, note);
    }
    // The same verdict on every message in state `from` (unknown, held or rejected), in one
    // transaction; with dry_run nothing changes. Returns the messages (as they were, dry).
    std::vector<Message> resolve_all(MessageState from, MessageState to, std::string_view note,
                                     bool dry_run) {
        return b_->resolve_all(from, to, note, dry_run);
    }

    void add_run(const RunRecord& run) { b_->add_run(run); }
    [[nodiscard]] std::optional<RunRecord> last_run() { return b_->last_run(); }

    // Joins the queue's runners (see Runner); held for the life of the run. SQLite: throws
    // bcp::busy_error at once, unless options.wait, when another run holds the queue.
    [[nodiscard]] std::unique_ptr<Runner> join(const RunnerOptions& options) {
        return b_->join(options);
    }
    // The live runners (none for SQLite, whose runner is a lock).
    [[nodiscard]] std::vector<RunnerInfo> runners() { return b_->runners(); }

    [[nodiscard]] QueueBackend& backend() noexcept { return *b_; }

private:
    std::unique_ptr<QueueBackend> b_;
};

// One runner per SQLite queue: an exclusive lock on "<queue>.lock", held for the life of the
// object.
class RunnerLock {
public:
    // Without `wait`, throws bcp::busy_error at once when another runner holds the lock.
    RunnerLock(const std::filesystem::path& queue, bool wait);

private:
    sqlite::FileLock lock_;
};

// Copies every message of `from` into `to` as it is, in one transaction of `to`; keys already
// there are left alone, so a second copy adds nothing. `from` must have no runner (SQLite: its
// lock is taken, busy_error if held; PostgreSQL: busy_error when runners are listed); a message
// in flight there is copied as `unknown`. Throws usage_error when both are the same queue.
struct CopyReport {
    std::int64_t copied = 0, present = 0;
    std::int64_t by_state[6] = {0, 0, 0, 0, 0, 0};  // of the copies, as stored
};
CopyReport copy_queue(Queue& from, Queue& to);

// The kind of queue a location names: an SQLite file, or a PostgreSQL URL. Throws
// bcp::usage_error for a location with another URL scheme ("ftp://...", "postgresq://..."),
// naming it: such a value is never taken as a file name.
enum class QueueKind : std::uint8_t { sqlite, postgresql };
[[nodiscard]] QueueKind queue_kind(std::string_view location);

[[nodiscard]] std::unique_ptr<QueueBackend> open_sqlite_queue(const std::filesystem::path& path,
                                                              bool create);
[[nodiscard]] std::unique_ptr<QueueBackend> open_postgresql_queue(const std::string& url);

// The default queue file: state_dir() / "replay.db".
[[nodiscard]] std::filesystem::path default_queue_path();

// Current time as unix seconds with sub-second precision, and as RFC 3339 with milliseconds.
[[nodiscard]] double unix_now();
[[nodiscard]] std::string timestamp_now();

}  // namespace bcp
