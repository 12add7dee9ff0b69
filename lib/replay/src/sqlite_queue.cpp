// The SQLite queue: one file (WAL, synchronous FULL, mode 0600), one runner at a time, which
// holds the file's lock (RunnerLock) for its run.
#include "bcp/replay/queue.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/sqlite/sqlite.hpp"

namespace bcp {
namespace {

// Schema versions: 1, the first; 2 adds messages.annotation (the "bcp" annotation kept beside
// the body, which no longer carries it). Opening a queue of an older version migrates it in the
// same transaction; a newer one is refused.
constexpr int schema_version = 2;

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id            INTEGER PRIMARY KEY,
  key           TEXT NOT NULL UNIQUE,
  country       TEXT NOT NULL DEFAULT '',
  system        TEXT NOT NULL DEFAULT '',
  body          TEXT NOT NULL,
  prepared_at   TEXT NOT NULL DEFAULT '',
  enqueued_at   TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN
                  ('queued','sending','accepted','rejected','unknown','held')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  not_before    REAL NOT NULL DEFAULT 0,
  last_status   INTEGER,
  last_response TEXT NOT NULL DEFAULT '',
  held_reason   TEXT NOT NULL DEFAULT '',
  held_source   TEXT NOT NULL DEFAULT '',
  note          TEXT NOT NULL DEFAULT '',
  annotation    TEXT NOT NULL DEFAULT ''
);
-- Only the states a run looks up are indexed, one partial index each (SQLite uses a partial
-- index only when the query repeats its WHERE term): a message leaving them (accepted,
-- rejected, held) drops out instead of being rewritten in an index of every message.
CREATE INDEX IF NOT EXISTS messages_queued ON messages (id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS messages_sending ON messages (id) WHERE state = 'sending';
CREATE INDEX IF NOT EXISTS messages_unknown ON messages (id) WHERE state = 'unknown';
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT NOT NULL,
  sent INTEGER NOT NULL, rate_limit REAL NOT NULL, achieved REAL NOT NULL,
  max_window INTEGER NOT NULL
);
)sql";

constexpr const char* message_columns =
    "id, key, country, system, body, prepared_at, enqueued_at, updated_at, state, attempts, "
    "last_status, last_response, held_reason, held_source, not_before, note, annotation";

// The queue's statements: errors name the queue.
struct Stmt : sqlite::Statement {
    Stmt() = default;
    Stmt(sqlite3* db, std::string_view sql) : sqlite::Statement(db, sql, "queue") {}
};

Message read_message(const sqlite::Statement& s) {
    Message m;
    m.id = s.integer(0);
    m.key = s.text(1);
    m.country = s.text(2);
    m.system = s.text(3);
    m.body = s.text(4);
    m.prepared_at = s.text(5);
    m.enqueued_at = s.text(6);
    m.updated_at = s.text(7);
    m.state = parse_state(s.text(8)).value_or(MessageState::unknown);
    m.attempts = static_cast<int>(s.integer(9));
    if (!s.is_null(10)) m.last_status = static_cast<int>(s.integer(10));
    m.last_response = s.text(11);
    m.held_reason = s.text(12);
    m.held_source = s.text(13);
    m.not_before = s.real(14);
    m.note = s.text(15);
    m.annotation = s.text(16);
    return m;
}


struct SqliteStore {
    std::filesystem::path path;
    sqlite::Connection db;  // before the statements: closed after them
    bool in_batch = false;
    Stmt insert, claim, claim_unknown, record_final, record_requeue, find, begin_st, commit_st;

    void exec(const char* sql) const { sqlite::exec(db, sql, "queue", path); }

    // Marks up to n rows of `st` (claim or claim_unknown) sending; inside a transaction.
    std::vector<Message> claim_rows(Stmt& st, std::size_t n, double now) {
        std::vector<Message> out;
        out.reserve(n);
        st.reset();
        st.bind(1, timestamp_now());
        if (&st == &claim) {
            st.bind(2, now).bind(3, static_cast<std::int64_t>(n));
        } else {
            st.bind(2, static_cast<std::int64_t>(n));
        }
        while (st.step()) out.push_back(read_message(st));
        return out;
    }

    // Writes outcomes of claimed messages; inside a transaction.
    void record_rows(const std::vector<Outcome>& outcomes) {
        if (outcomes.empty()) return;
        const auto now = timestamp_now();
        for (const auto& o : outcomes) {
            auto& st = record_final.reset();
            st.bind(1, to_string(o.state));
            if (o.status) {
                st.bind(2, static_cast<std::int64_t>(*o.status));
            } else {
                st.bind_null(2);
            }
            st.bind(3, o.response).bind(4, now).bind(5, o.not_before).bind(6, o.id);
            st.bind(7, static_cast<std::int64_t>(o.sent ? 0 : 1)).run();
        }
    }

    // Runs `body` in an IMMEDIATE transaction (or inside the caller's batch).
    template <typename F>
    auto transaction(F&& body) {
        if (in_batch) return body();
        exec("BEGIN IMMEDIATE");
        try {
            if constexpr (std::is_void_v<decltype(body())>) {
                body();
                exec("COMMIT");
            } else {
                auto result = body();
                exec("COMMIT");
                return result;
            }
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
};

// The SQLite store: one file, one runner at a time (RunnerLock).
class SqliteQueue final : public QueueBackend {
public:
    explicit SqliteQueue(std::unique_ptr<SqliteStore> impl) : impl_(std::move(impl)) {}
    [[nodiscard]] const std::string& location() const noexcept override { return location_; }
    [[nodiscard]] bool shared() const noexcept override { return false; }
    void begin() override;
    void commit() override;
    EnqueueResult enqueue(const NewMessage& m) override;
    EnqueueResult import(const Message& m) override;
    [[nodiscard]] std::vector<Message> exchange(const std::vector<Outcome>& outcomes,
                                                std::size_t n, double now,
                                                bool unknown) override;
    std::int64_t recover_sending() override;
    [[nodiscard]] QueueCounts counts() override;
    void list(std::optional<MessageState> state,
              const std::function<void(const Message&)>& each) override;
    [[nodiscard]] std::optional<Message> find(std::string_view key) override;
    Message resolve(std::string_view key, MessageState to, std::string_view note) override;
    std::vector<Message> resolve_all(MessageState from, MessageState to, std::string_view note,
                                     bool dry_run) override;
    void add_run(const RunRecord& run) override;
    [[nodiscard]] std::optional<RunRecord> last_run() override;
    [[nodiscard]] std::unique_ptr<Runner> join(const RunnerOptions& options) override;
    [[nodiscard]] std::vector<RunnerInfo> runners() override { return {}; }
    [[nodiscard]] int schema() override { return schema_version; }
    [[nodiscard]] int migrated_from() override { return found_; }

    std::string location_;
    int found_ = 0;

private:
    std::unique_ptr<SqliteStore> impl_;
};

}  // namespace

std::unique_ptr<QueueBackend> open_sqlite_queue(const std::filesystem::path& path, bool create) {
    auto impl = std::make_unique<SqliteStore>();
    impl->path = path;
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists && !create) {
        throw io_error(fmt::format("no queue at {}", path.string()), path.string());
    }
    if (std::filesystem::is_directory(path, ec)) {
        throw io_error(fmt::format("{} is a directory", path.string()), path.string());
    }
    if (!exists) sqlite::create_private_file(path);
    impl->db.reset(sqlite::open_file(path, "queue"));
    int found_version = 0;
    impl->transaction([&] {
        impl->exec(schema);
        std::string found;
        {
            Stmt get(impl->db, "SELECT value FROM meta WHERE key = 'schema'");
            if (get.step()) found = get.text(0);
        }
        found_version = found.empty() ? 0 : std::atoi(found.c_str());
        if (!found.empty()) {
            if (found == "1") {
                // CREATE TABLE IF NOT EXISTS kept the version-1 table: add what 2 has.
                impl->exec("ALTER TABLE messages ADD COLUMN annotation TEXT NOT NULL DEFAULT ''");
                Stmt put(impl->db, "UPDATE meta SET value = ? WHERE key = 'schema'");
                put.bind(1, std::to_string(schema_version)).run();
            } else if (found != std::to_string(schema_version)) {
                throw io_error(fmt::format("{}: queue schema {} is not supported (this bcpkit "
                                           "reads schemas 1 to {})",
                                           path.string(), found, schema_version),
                               path.string());
            }
        } else {
            Stmt put(impl->db, "INSERT INTO meta (key, value) VALUES ('schema', ?)");
            put.bind(1, std::to_string(schema_version)).run();
        }
    });
    // WAL and shared-memory files inherit the umask; keep them private like the database.
    for (const char* suffix : {"", "-wal", "-shm"}) {
        ::chmod((path.string() + suffix).c_str(), 0600);
    }
    auto& q = *impl;
    q.insert = Stmt(q.db,
                    "INSERT INTO messages (key, country, system, body, prepared_at, enqueued_at, "
                    "updated_at, state, held_reason, held_source, annotation) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT (key) DO NOTHING");
    q.claim = Stmt(q.db, fmt::format("UPDATE messages SET state = 'sending', attempts = attempts + "
                                     "1, updated_at = ?1 WHERE id IN (SELECT id FROM messages "
                                     "WHERE state = 'queued' AND not_before <= ?2 ORDER BY id "
                                     "LIMIT ?3) RETURNING {}",
                                     message_columns));
    q.claim_unknown = Stmt(q.db, fmt::format("UPDATE messages SET state = 'sending', attempts = "
                                             "attempts + 1, updated_at = ?1 WHERE id IN (SELECT "
                                             "id FROM messages WHERE state = 'unknown' ORDER BY "
                                             "id LIMIT ?2) RETURNING {}",
                                             message_columns));
    q.record_final = Stmt(q.db,
                          "UPDATE messages SET state = ?1, last_status = ?2, last_response = ?3, "
                          "updated_at = ?4, not_before = ?5, attempts = max(0, attempts - ?7) "
                          "WHERE id = ?6 AND state = 'sending'");
    q.find = Stmt(q.db, fmt::format("SELECT {} FROM messages WHERE key = ?", message_columns));
    auto q_ = std::make_unique<SqliteQueue>(std::move(impl));
    q_->location_ = path.string();
    q_->found_ = found_version;
    return q_;
}

void SqliteQueue::begin() {
    impl_->exec("BEGIN IMMEDIATE");
    impl_->in_batch = true;
}

void SqliteQueue::commit() {
    impl_->in_batch = false;
    impl_->exec("COMMIT");
}

EnqueueResult SqliteQueue::enqueue(const NewMessage& m) {
    return impl_->transaction([&] {
        const auto now = timestamp_now();
        auto& st = impl_->insert.reset();
        st.bind(1, m.key)
            .bind(2, m.country)
            .bind(3, m.system)
            .bind(4, m.body)
            .bind(5, m.prepared_at)
            .bind(6, now)
            .bind(7, now)
            .bind(8, m.held ? "held" : "queued")
            .bind(9, m.held_reason)
            .bind(10, m.held_source)
            .bind(11, m.annotation)
            .run();
        if (sqlite3_changes(impl_->db) == 0) return EnqueueResult::duplicate;
        return m.held ? EnqueueResult::held : EnqueueResult::enqueued;
    });
}

EnqueueResult SqliteQueue::import(const Message& m) {
    return impl_->transaction([&] {
        Stmt st(impl_->db,
                "INSERT INTO messages (key, country, system, body, prepared_at, enqueued_at, "
                "updated_at, state, attempts, not_before, last_status, last_response, "
                "held_reason, held_source, note, annotation) VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (key) DO NOTHING");
        const MessageState state =
            m.state == MessageState::sending ? MessageState::unknown : m.state;
        st.bind(1, m.key).bind(2, m.country).bind(3, m.system).bind(4, m.body);
        st.bind(5, m.prepared_at).bind(6, m.enqueued_at).bind(7, m.updated_at);
        st.bind(8, to_string(state)).bind(9, static_cast<std::int64_t>(m.attempts));
        st.bind(10, m.not_before);
        if (m.last_status) {
            st.bind(11, static_cast<std::int64_t>(*m.last_status));
        } else {
            st.bind_null(11);
        }
        st.bind(12, m.last_response).bind(13, m.held_reason).bind(14, m.held_source);
        st.bind(15, m.note).bind(16, m.annotation).run();
        if (sqlite3_changes(impl_->db) == 0) return EnqueueResult::duplicate;
        return state == MessageState::held ? EnqueueResult::held : EnqueueResult::enqueued;
    });
}

std::vector<Message> SqliteQueue::exchange(const std::vector<Outcome>& outcomes, std::size_t n,
                                     double now, bool unknown) {
    if (outcomes.empty() && n == 0) return {};
    return impl_->transaction([&] {
        impl_->record_rows(outcomes);
        return n == 0 ? std::vector<Message>{}
                      : impl_->claim_rows(unknown ? impl_->claim_unknown : impl_->claim, n, now);
    });
}

std::int64_t SqliteQueue::recover_sending() {
    return impl_->transaction([&] {
        Stmt st(impl_->db,
                "UPDATE messages SET state = 'unknown', updated_at = ?, last_response = "
                "'interrupted while sending: it may have arrived' WHERE state = 'sending'");
        st.bind(1, timestamp_now()).run();
        return static_cast<std::int64_t>(sqlite3_changes(impl_->db));
    });
}

QueueCounts SqliteQueue::counts() {
    QueueCounts c;
    Stmt st(impl_->db, "SELECT state, count(*) FROM messages GROUP BY state");
    while (st.step()) {
        if (const auto s = parse_state(st.text(0))) {
            c.by_state[static_cast<int>(*s)] = st.integer(1);
        }
    }
    Stmt oldest(impl_->db,
                "SELECT min(enqueued_at), min(not_before) FROM messages WHERE state = 'queued'");
    if (oldest.step() && !oldest.is_null(0)) {
        c.oldest_queued = oldest.text(0);
        c.next_attempt = oldest.real(1);
    }
    return c;
}

void SqliteQueue::list(std::optional<MessageState> state,
                 const std::function<void(const Message&)>& each) {
    Stmt st(impl_->db, state ? fmt::format("SELECT {} FROM messages WHERE state = ? ORDER BY id",
                                           message_columns)
                             : fmt::format("SELECT {} FROM messages ORDER BY id", message_columns));
    if (state) st.bind(1, to_string(*state));
    while (st.step()) each(read_message(st));
}

std::optional<Message> SqliteQueue::find(std::string_view key) {
    auto& st = impl_->find.reset();
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    auto m = read_message(st);
    st.reset();
    return m;
}

Message SqliteQueue::resolve(std::string_view key, MessageState to, std::string_view note) {
    if (to != MessageState::accepted && to != MessageState::rejected &&
        to != MessageState::queued) {
        throw usage_error("a message can be resolved as accepted, rejected or retry");
    }
    return impl_->transaction([&] {
        auto current = find(key);
        if (!current) {
            throw none_error(fmt::format("no message with key '{}' in the queue", key));
        }
        if (current->state != MessageState::unknown && current->state != MessageState::held &&
            current->state != MessageState::rejected) {
            throw data_error("state",
                             fmt::format("message '{}' is {}: only unknown, held or rejected "
                                         "messages can be resolved",
                                         key, to_string(current->state)));
        }
        Stmt st(impl_->db,
                "UPDATE messages SET state = ?, note = ?, updated_at = ?, not_before = 0 "
                "WHERE id = ?");
        st.bind(1, to_string(to)).bind(2, note).bind(3, timestamp_now()).bind(4, current->id).run();
        current->state = to;
        current->note = std::string(note);
        return *current;
    });
}

std::vector<Message> SqliteQueue::resolve_all(MessageState from, MessageState to, std::string_view note,
                                        bool dry_run) {
    if (from != MessageState::unknown && from != MessageState::held &&
        from != MessageState::rejected) {
        throw usage_error(fmt::format("only unknown, held or rejected messages can be resolved, "
                                      "not {}",
                                      to_string(from)));
    }
    const bool outer = impl_->in_batch;
    return impl_->transaction([&] {
        // The single verdicts below run inside this transaction.
        impl_->in_batch = true;
        struct Restore {
            SqliteStore& impl;
            bool was;
            ~Restore() { impl.in_batch = was; }
        } restore{*impl_, outer};
        std::vector<std::string> keys;
        {
            Stmt st(impl_->db, "SELECT key FROM messages WHERE state = ? ORDER BY id");
            st.bind(1, to_string(from));
            while (st.step()) keys.push_back(st.text(0));
        }
        std::vector<Message> out;
        out.reserve(keys.size());
        for (const auto& key : keys) {
            if (dry_run) {
                auto m = find(key);
                if (m) out.push_back(std::move(*m));
            } else {
                out.push_back(resolve(key, to, note));  // inside this transaction
            }
        }
        return out;
    });
}

void SqliteQueue::add_run(const RunRecord& r) {
    impl_->transaction([&] {
        Stmt st(impl_->db,
                "INSERT INTO runs (started_at, ended_at, sent, rate_limit, achieved, max_window) "
                "VALUES (?,?,?,?,?,?)");
        st.bind(1, r.started_at)
            .bind(2, r.ended_at)
            .bind(3, r.sent)
            .bind(4, r.rate_limit)
            .bind(5, r.achieved)
            .bind(6, r.max_window)
            .run();
    });
}

std::optional<RunRecord> SqliteQueue::last_run() {
    Stmt st(impl_->db,
            "SELECT started_at, ended_at, sent, rate_limit, achieved, max_window FROM runs "
            "ORDER BY id DESC LIMIT 1");
    if (!st.step()) return std::nullopt;
    return RunRecord{st.text(0), st.text(1), st.integer(2), st.real(3), st.real(4), st.integer(5)};
}

namespace {
std::filesystem::path lock_path(const std::filesystem::path& queue) {
    return queue.string() + ".lock";
}
}  // namespace

namespace {
// The only runner of an SQLite queue, with the whole rate.
class LocalRunner final : public Runner {
public:
    LocalRunner(const std::filesystem::path& queue, const RunnerOptions& o)
        : lock_(queue, o.wait),
          share_(o.rate > 0 ? o.rate : std::numeric_limits<double>::infinity()) {}
    double share() override { return share_; }
    bool may_send() override { return true; }
    void set_busy(bool) override {}
    std::string lost() override { return {}; }

private:
    RunnerLock lock_;
    double share_;
};
}  // namespace

std::unique_ptr<Runner> SqliteQueue::join(const RunnerOptions& options) {
    return std::make_unique<LocalRunner>(location_, options);
}

RunnerLock::RunnerLock(const std::filesystem::path& queue, bool wait)
    : lock_(lock_path(queue), wait,
            fmt::format("another bcp-replay run holds {}", queue.string()), queue.string()) {}

}  // namespace bcp
