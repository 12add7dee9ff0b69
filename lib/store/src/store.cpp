#include "bcp/store/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/notice/notice_link.hpp"
#include "bcp/notice/notice_record.hpp"

namespace bcp {
namespace {

// 1: sources, notices, changes. 2: the notices' facts and change time, and the index that
// answers "in force at T" without reading every record (spans, keys).
constexpr int schema_version = 2;

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
  facts      TEXT NOT NULL DEFAULT 'null',
  changed    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (source, source_id)
);
CREATE TABLE IF NOT EXISTS spans (
  source    TEXT NOT NULL,
  source_id TEXT NOT NULL,
  start     INTEGER,
  end       INTEGER,
  late      INTEGER
);
CREATE INDEX IF NOT EXISTS spans_notice ON spans (source, source_id);
CREATE TABLE IF NOT EXISTS keys (
  source    TEXT NOT NULL,
  source_id TEXT NOT NULL,
  key       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS keys_notice ON keys (source, source_id);
CREATE INDEX IF NOT EXISTS keys_key ON keys (key);
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
    sqlite::Connection db;  // before the statements: closed after them
    std::unique_ptr<sqlite::FileLock> lock;
    // Prepared once: a poll runs them once per source or per notice.
    Stmt get_source, get_notice, set_source, set_notice, insert_change, set_written;
    Stmt del_spans, del_keys, add_span, add_key;
    void exec(const char* sql) const { sqlite::exec(db, sql, "store", path); }
    void prepare();
    void index(std::string_view source, std::string_view source_id, const NoticeIndex& ix);
    void migrate_from_1();
    std::vector<StoredRecord> linked_records(std::set<std::pair<std::string, std::string>> found,
                                             const std::set<std::pair<std::string, std::string>>* shown);
};

NoticeStore::NoticeStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NoticeStore::NoticeStore(NoticeStore&&) noexcept = default;
NoticeStore& NoticeStore::operator=(NoticeStore&&) noexcept = default;
NoticeStore::~NoticeStore() = default;

namespace {

void bind_time(sqlite::Statement& st, int i, const std::optional<UtcTime>& t) {
    if (t) st.bind(i, static_cast<std::int64_t>(t->time_since_epoch().count()));
    else st.bind_null(i);
}

}  // namespace

void NoticeStore::Impl::index(std::string_view source, std::string_view source_id, const NoticeIndex& ix) {
    del_spans.reset().bind(1, source).bind(2, source_id).run();
    del_keys.reset().bind(1, source).bind(2, source_id).run();
    for (const auto& sp : ix.spans) {
        auto& st = add_span.reset();
        st.bind(1, source).bind(2, source_id);
        bind_time(st, 3, sp.start);
        bind_time(st, 4, sp.end);
        bind_time(st, 5, sp.late);
        st.run();
    }
    for (const auto& k : ix.keys) add_key.reset().bind(1, source).bind(2, source_id).bind(3, k).run();
}

// Version 1 kept no facts, no change time and no index: the facts are taken as the records
// show them (notice_from_record), the change time as the last sighting (so that --since misses
// nothing), and the index is built from the records.
void NoticeStore::Impl::migrate_from_1() {
    exec("ALTER TABLE notices ADD COLUMN facts TEXT NOT NULL DEFAULT 'null'");
    exec("ALTER TABLE notices ADD COLUMN changed TEXT NOT NULL DEFAULT ''");
    exec("UPDATE notices SET changed = last_seen");
    prepare();
    Stmt all(db, "SELECT source, source_id, event FROM notices");
    while (all.step()) {
        const Notice n = notice_from_record(parse_ordered_json(all.text(2)));
        index(all.text(0), all.text(1), notice_index(n));
    }
}

void NoticeStore::Impl::prepare() {
    get_source = Stmt(db, "SELECT etag, last_modified, last_poll, next_poll, last_error, failures FROM sources "
                          "WHERE id = ?");
    get_notice = Stmt(db, "SELECT hash, event, first_seen, last_seen, facts, changed FROM notices "
                          "WHERE source = ? AND source_id = ?");
    set_source = Stmt(db,
                      "INSERT INTO sources (id, etag, last_modified, last_poll, next_poll, last_error, failures) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, "
                      "last_modified = excluded.last_modified, last_poll = excluded.last_poll, "
                      "next_poll = excluded.next_poll, last_error = excluded.last_error, failures = excluded.failures");
    set_notice = Stmt(db,
                      "INSERT INTO notices (source, source_id, first_seen, last_seen, hash, event, facts, changed) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO UPDATE SET "
                      "last_seen = excluded.last_seen, hash = excluded.hash, event = excluded.event, "
                      "facts = excluded.facts, changed = excluded.changed");
    insert_change = Stmt(db, "INSERT INTO changes (line) VALUES (?)");
    set_written = Stmt(db, "UPDATE changes SET written = 1 WHERE seq = ?");
    del_spans = Stmt(db, "DELETE FROM spans WHERE source = ? AND source_id = ?");
    del_keys = Stmt(db, "DELETE FROM keys WHERE source = ? AND source_id = ?");
    add_span = Stmt(db, "INSERT INTO spans (source, source_id, start, end, late) VALUES (?, ?, ?, ?, ?)");
    add_key = Stmt(db, "INSERT INTO keys (source, source_id, key) VALUES (?, ?, ?)");
}

NoticeStore NoticeStore::open(const std::filesystem::path& path, bool lock) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw io_error(fmt::format("{} is a directory", path.string()), path.string());
    }
    if (!std::filesystem::exists(path, ec)) {
        if (!lock) {
            throw io_error(fmt::format("no store at {}: bcp-notice watch --store {} makes one", path.string(),
                                       path.string()),
                           path.string());
        }
        sqlite::create_private_file(path);
    }
    if (lock) {
        impl->lock = std::make_unique<sqlite::FileLock>(
            path.string() + ".lock", false, fmt::format("another bcp-notice watch holds {}", path.string()),
            path.string());
    }
    impl->db.reset(sqlite::open_file(path, "store"));
    impl->exec("BEGIN IMMEDIATE");
    try {
        impl->exec(schema);
        Stmt get(impl->db, "SELECT value FROM meta WHERE key = 'schema'");
        if (get.step()) {
            const std::string found = get.text(0);
            get = Stmt();
            if (found == "1") {
                impl->migrate_from_1();
                impl->exec("UPDATE meta SET value = '2' WHERE key = 'schema'");
            } else if (found != std::to_string(schema_version)) {
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
    impl->prepare();
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

Notice notice_of(const StoredRecord& r) {
    try {
        return notice_from_record(parse_ordered_json(r.event), parse_ordered_json(r.facts));
    } catch (const data_error& e) {
        throw data_error(e.kind(), fmt::format("notice {} of source '{}': {}", r.source_id, r.source, e.what()));
    } catch (const nlohmann::json::exception& e) {
        throw data_error("json", fmt::format("notice {} of source '{}': {}", r.source_id, r.source, json_error_text(e.what())));
    }
}

std::vector<std::pair<std::string, SourceState>> NoticeStore::polled_sources() {
    Stmt st(impl_->db, "SELECT id, etag, last_modified, last_poll, next_poll, last_error, failures FROM sources "
                       "WHERE last_poll <> '' ORDER BY id");
    std::vector<std::pair<std::string, SourceState>> out;
    while (st.step()) {
        SourceState s{st.text(1), st.text(2), st.text(3), st.real(4), st.text(5), st.integer(6)};
        out.emplace_back(st.text(0), std::move(s));
    }
    return out;
}

std::int64_t NoticeStore::notice_count() {
    Stmt st(impl_->db, "SELECT COUNT(*) FROM notices");
    return st.step() ? st.integer(0) : 0;
}

std::optional<StoredNotice> NoticeStore::notice(std::string_view source, std::string_view source_id) {
    auto& st = impl_->get_notice.reset();
    st.bind(1, source).bind(2, source_id);
    std::optional<StoredNotice> out;
    if (st.step()) out = StoredNotice{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)};
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

void NoticeStore::put_notice(std::string_view source, std::string_view source_id, const StoredNotice& n,
                             const NoticeIndex* index) {
    auto& st = impl_->set_notice.reset();
    st.bind(1, source).bind(2, source_id).bind(3, n.first_seen).bind(4, n.last_seen).bind(5, n.hash);
    st.bind(6, n.event).bind(7, n.facts.empty() ? std::string_view("null") : std::string_view(n.facts));
    st.bind(8, n.changed.empty() ? n.last_seen : n.changed).run();
    if (index != nullptr) impl_->index(source, source_id, *index);
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

// Without an fsync: the mark survives a kill -9 once the UPDATE returns (it is in the WAL, in
// the page cache), and a power cut that loses it only repeats the line, with its seq. So the
// window in which a kill repeats a line written is that of one UPDATE, not of a disk flush.
void NoticeStore::mark_written(std::int64_t seq) {
    impl_->exec("PRAGMA synchronous=NORMAL");
    impl_->set_written.reset().bind(1, seq).run();
    impl_->exec("PRAGMA synchronous=FULL");
}

namespace {

using NoticeKey = std::pair<std::string, std::string>;  // source, source_id

}  // namespace

// The notices that may be in force at `at` on their own or through their group, and then every
// notice linked with them, transitively (notice_record.hpp). The SQL conditions are
// span_may_hold and group_may_hold; the unit tests check the two against each other.
std::vector<StoredRecord> NoticeStore::in_force(UtcTime at, std::chrono::hours horizon) {
    const auto t = static_cast<std::int64_t>(at.time_since_epoch().count());
    const auto h = static_cast<std::int64_t>(std::chrono::seconds(horizon).count());
    std::set<NoticeKey> found;
    Stmt alone(impl_->db,
               "SELECT DISTINCT source, source_id FROM spans WHERE start IS NOT NULL AND start <= ?1 AND "
               "((end IS NOT NULL AND ?1 < end) OR (end IS NULL AND late IS NOT NULL AND ?1 < late + ?2))");
    alone.bind(1, t).bind(2, h);
    while (alone.step()) found.emplace(alone.text(0), alone.text(1));
    Stmt groups(impl_->db,
                "SELECT k.source, k.source_id FROM keys k WHERE k.key IN (SELECT g.key FROM keys g JOIN spans s "
                "ON s.source = g.source AND s.source_id = g.source_id GROUP BY g.key HAVING min(s.start) <= ?1 "
                "AND ((max(s.end) IS NOT NULL AND ?1 < max(s.end)) OR (max(s.late) IS NOT NULL AND "
                "?1 < max(s.late) + ?2)))");
    groups.bind(1, t).bind(2, h);
    while (groups.step()) found.emplace(groups.text(0), groups.text(1));
    return impl_->linked_records(std::move(found), nullptr);
}

std::vector<StoredRecord> NoticeStore::seen_since(const std::optional<UtcTime>& since) {
    std::set<NoticeKey> shown;
    Stmt st(impl_->db, since ? "SELECT source, source_id FROM notices WHERE changed >= ?1 OR first_seen >= ?1"
                             : "SELECT source, source_id FROM notices");
    if (since) st.bind(1, format_rfc3339(*since));
    while (st.step()) shown.emplace(st.text(0), st.text(1));
    auto start = shown;
    return impl_->linked_records(std::move(start), &shown);
}

// `found` and every notice sharing a link key with one of them, transitively; read in the
// order they were first seen (the linker's input order), `shown` marking those asked for (all when null).
std::vector<StoredRecord> NoticeStore::Impl::linked_records(std::set<NoticeKey> found, const std::set<NoticeKey>* shown) {
    Stmt keys_of(db, "SELECT key FROM keys WHERE source = ? AND source_id = ?");
    Stmt members(db, "SELECT source, source_id FROM keys WHERE key = ?");
    std::set<std::string> seen_keys;
    std::vector<NoticeKey> frontier(found.begin(), found.end());
    while (!frontier.empty()) {
        const NoticeKey n = std::move(frontier.back());
        frontier.pop_back();
        keys_of.reset().bind(1, n.first).bind(2, n.second);
        std::vector<std::string> keys;
        while (keys_of.step()) keys.push_back(keys_of.text(0));
        for (const auto& k : keys) {
            if (!seen_keys.insert(k).second) continue;
            members.reset().bind(1, k);
            while (members.step()) {
                NoticeKey m{members.text(0), members.text(1)};
                if (found.insert(m).second) frontier.push_back(std::move(m));
            }
        }
    }
    Stmt get(db, "SELECT event, facts, first_seen, rowid FROM notices WHERE source = ? AND source_id = ?");
    struct Row {
        std::string first_seen;
        std::int64_t rowid;
        StoredRecord record;
    };
    std::vector<Row> rows;
    rows.reserve(found.size());
    for (const auto& n : found) {
        get.reset().bind(1, n.first).bind(2, n.second);
        if (!get.step()) continue;
        rows.push_back({get.text(2), get.integer(3), {n.first, n.second, get.text(0), get.text(1), shown == nullptr || shown->count(n) > 0}});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.first_seen != b.first_seen ? a.first_seen < b.first_seen : a.rowid < b.rowid;
    });
    std::vector<StoredRecord> out;
    out.reserve(rows.size());
    for (auto& r : rows) out.push_back(std::move(r.record));
    return out;
}

NoticeIndex notice_index(const Notice& n) { return {notice_force_spans(n), notice_link_keys(n)}; }

std::filesystem::path default_store_path() { return state_dir() / "notices.db"; }

std::filesystem::path store_path(const std::filesystem::path& given) {
    return given.empty() ? default_store_path() : given;
}

void read_store(const std::filesystem::path& given, const StoreQuery& query,
                const std::function<void(Notice&&, bool shown)>& each) {
    const std::filesystem::path path = store_path(given);
    auto store = NoticeStore::open(path, false);
    const auto records = query.at ? store.in_force(*query.at, query.horizon) : store.seen_since(query.since);
    for (const auto& r : records) {
        Notice n;
        try {
            n = notice_of(r);
        } catch (const data_error& e) {
            throw data_error(e.kind(), e.what(), path.string());
        }
        each(std::move(n), r.shown);
    }
}

}  // namespace bcp
