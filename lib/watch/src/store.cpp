#include "bcp/watch/store.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"

namespace bcp {
namespace {

constexpr int schema_version = 1;

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
  id            TEXT PRIMARY KEY,
  etag          TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  last_poll     TEXT NOT NULL DEFAULT '',
  next_poll     REAL NOT NULL DEFAULT 0,
  last_error    TEXT NOT NULL DEFAULT '',
  failures      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS notices (
  source     TEXT NOT NULL,
  source_id  TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  hash       TEXT NOT NULL,
  event      TEXT NOT NULL,
  PRIMARY KEY (source, source_id)
);
CREATE TABLE IF NOT EXISTS changes (
  seq     INTEGER PRIMARY KEY,
  line    TEXT NOT NULL,
  written INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS changes_unwritten ON changes (seq) WHERE written = 0;
)sql";

struct Stmt : sqlite::Statement {
    Stmt() = default;
    Stmt(sqlite3* db, std::string_view sql) : sqlite::Statement(db, sql, "store") {}
};

}  // namespace

struct NoticeStore::Impl {
    std::filesystem::path path;
    sqlite3* db = nullptr;
    std::unique_ptr<sqlite::FileLock> lock;
    // Prepared once: a poll runs them once per source or per notice.
    Stmt get_source, get_notice, set_source, set_notice, insert_change, set_written;
    ~Impl() {
        // Statements must go before the connection.
        get_source = Stmt();
        get_notice = Stmt();
        set_source = Stmt();
        set_notice = Stmt();
        insert_change = Stmt();
        set_written = Stmt();
        if (db != nullptr) sqlite3_close_v2(db);
    }
    void exec(const char* sql) const { sqlite::exec(db, sql, "store", path); }
};

NoticeStore::NoticeStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NoticeStore::NoticeStore(NoticeStore&&) noexcept = default;
NoticeStore& NoticeStore::operator=(NoticeStore&&) noexcept = default;
NoticeStore::~NoticeStore() = default;

NoticeStore NoticeStore::open(const std::filesystem::path& path, bool lock) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw io_error(fmt::format("{} is a directory", path.string()), path.string());
    }
    if (!std::filesystem::exists(path, ec)) sqlite::create_private_file(path);
    if (lock) {
        impl->lock = std::make_unique<sqlite::FileLock>(
            path.string() + ".lock", false, fmt::format("another bcp-notice watch holds {}", path.string()),
            path.string());
    }
    impl->db = sqlite::open_file(path, "store");
    impl->exec("BEGIN IMMEDIATE");
    try {
        impl->exec(schema);
        Stmt get(impl->db, "SELECT value FROM meta WHERE key = 'schema'");
        if (get.step()) {
            const std::string found = get.text(0);
            if (found != std::to_string(schema_version)) {
                throw io_error(fmt::format("store {} has schema version {}; this bcp-notice knows {}", path.string(),
                                           found, schema_version),
                               path.string());
            }
        } else {
            Stmt put(impl->db, "INSERT INTO meta (key, value) VALUES ('schema', ?)");
            put.bind(1, std::to_string(schema_version)).run();
        }
        impl->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    auto& q = *impl;
    q.get_source = Stmt(q.db, "SELECT etag, last_modified, last_poll, next_poll, last_error, failures FROM sources "
                              "WHERE id = ?");
    q.get_notice = Stmt(q.db, "SELECT hash, event, first_seen, last_seen FROM notices WHERE source = ? AND source_id = ?");
    q.set_source = Stmt(q.db,
                        "INSERT INTO sources (id, etag, last_modified, last_poll, next_poll, last_error, failures) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, "
                        "last_modified = excluded.last_modified, last_poll = excluded.last_poll, "
                        "next_poll = excluded.next_poll, last_error = excluded.last_error, failures = excluded.failures");
    q.set_notice = Stmt(q.db,
                        "INSERT INTO notices (source, source_id, first_seen, last_seen, hash, event) "
                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO UPDATE SET "
                        "last_seen = excluded.last_seen, hash = excluded.hash, event = excluded.event");
    q.insert_change = Stmt(q.db, "INSERT INTO changes (line) VALUES (?)");
    q.set_written = Stmt(q.db, "UPDATE changes SET written = 1 WHERE seq = ?");
    return NoticeStore(std::move(impl));
}

SourceState NoticeStore::source(std::string_view id) {
    auto& st = impl_->get_source.reset();
    st.bind(1, id);
    SourceState s;
    if (st.step()) {
        s.etag = st.text(0);
        s.last_modified = st.text(1);
        s.last_poll = st.text(2);
        s.next_poll = st.real(3);
        s.last_error = st.text(4);
        s.failures = st.integer(5);
    }
    st.reset();
    return s;
}

std::optional<StoredNotice> NoticeStore::notice(std::string_view source, std::string_view source_id) {
    auto& st = impl_->get_notice.reset();
    st.bind(1, source).bind(2, source_id);
    std::optional<StoredNotice> out;
    if (st.step()) out = StoredNotice{st.text(0), st.text(1), st.text(2), st.text(3)};
    st.reset();
    return out;
}

void NoticeStore::transaction(const std::function<void()>& body) {
    impl_->exec("BEGIN IMMEDIATE");
    try {
        body();
        impl_->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void NoticeStore::put_source(std::string_view id, const SourceState& s) {
    auto& st = impl_->set_source.reset();
    st.bind(1, id).bind(2, s.etag).bind(3, s.last_modified).bind(4, s.last_poll).bind(5, s.next_poll);
    st.bind(6, s.last_error).bind(7, s.failures).run();
}

void NoticeStore::put_notice(std::string_view source, std::string_view source_id, const StoredNotice& n) {
    auto& st = impl_->set_notice.reset();
    st.bind(1, source).bind(2, source_id).bind(3, n.first_seen).bind(4, n.last_seen).bind(5, n.hash);
    st.bind(6, n.event).run();
}

std::int64_t NoticeStore::add_change(std::string_view line) {
    impl_->insert_change.reset().bind(1, line).run();
    return sqlite3_last_insert_rowid(impl_->db);
}

std::vector<StoredChange> NoticeStore::unwritten() {
    Stmt st(impl_->db, "SELECT seq, line FROM changes WHERE written = 0 ORDER BY seq");
    std::vector<StoredChange> out;
    while (st.step()) out.push_back({st.integer(0), st.text(1)});
    return out;
}

void NoticeStore::mark_written(std::int64_t seq) { impl_->set_written.reset().bind(1, seq).run(); }

std::filesystem::path default_store_path() { return state_dir() / "notices.db"; }

}  // namespace bcp
