// Unit tests of bcp/queue.hpp on real SQLite files: keys are never duplicated, claims are
// durable and exclusive, crash recovery, operator verdicts, permissions, bad files.
#include <doctest/doctest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bcp/core/error.hpp"
#include "bcp/replay/queue.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace queue_test {

using namespace bcp;
namespace fs = std::filesystem;

using bcp::test::TempDir;

namespace {

NewMessage msg(const std::string& key) {
    NewMessage m;
    m.key = key;
    m.country = "NL";
    m.system = "DMS";
    m.body = R"({"lrn":")" + key + R"("})";
    m.prepared_at = "2025-12-07T09:00:00+01:00";
    return m;
}

}  // namespace

TEST_CASE("enqueue keeps keys unique and the date of preparation as given") {
    TempDir d;
    auto q = Queue::open(d.path / "sub" / "q.db");
    CHECK(q.enqueue(msg("A")) == Queue::Added::enqueued);
    auto again = msg("A");
    again.body = R"({"lrn":"A","changed":true})";
    CHECK(q.enqueue(again) == Queue::Added::duplicate);
    const auto stored = q.find("A");
    REQUIRE(stored.has_value());
    CHECK(stored->body == R"({"lrn":"A"})");
    CHECK(stored->prepared_at == "2025-12-07T09:00:00+01:00");
    CHECK(stored->state == MessageState::queued);
    struct stat st {};
    REQUIRE(::stat((d.path / "sub" / "q.db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("held messages are stored with their reason and never claimed") {
    TempDir d;
    auto q = Queue::open(d.path / "q.db");
    auto h = msg("T1");
    h.held = true;
    h.held_reason = "transit started on paper";
    h.held_source = "no-9";
    CHECK(q.enqueue(h) == Queue::Added::held);
    CHECK(q.claim(10, unix_now()).empty());
    CHECK(q.find("T1")->held_source == "no-9");
}

TEST_CASE("claims mark sending, count attempts, respect not_before and order") {
    TempDir d;
    auto q = Queue::open(d.path / "q.db");
    q.begin();
    for (int i = 0; i < 5; ++i) (void)q.enqueue(msg("K" + std::to_string(i)));
    q.commit();
    auto first = q.claim(2, unix_now());
    REQUIRE(first.size() == 2);
    CHECK(first[0].key == "K0");
    CHECK(first[1].key == "K1");
    CHECK(first[0].attempts == 1);
    CHECK(q.find("K0")->state == MessageState::sending);
    // A second claim never returns what is already sending.
    auto second = q.claim(10, unix_now());
    CHECK(second.size() == 3);
    q.record({{first[0].id, MessageState::accepted, 200, "{\"mrn\":\"X\"}", 0},
              {first[1].id, MessageState::queued, 503, "busy", unix_now() + 3600}});
    CHECK(q.find("K0")->state == MessageState::accepted);
    CHECK(q.find("K0")->last_response == "{\"mrn\":\"X\"}");
    CHECK(q.find("K1")->state == MessageState::queued);
    CHECK(q.claim(10, unix_now()).empty());  // K1 waits for its backoff
    CHECK(q.claim(10, unix_now() + 7200).size() == 1);
}

TEST_CASE("an outcome never overwrites a message that is no longer sending") {
    TempDir d;
    auto q = Queue::open(d.path / "q.db");
    (void)q.enqueue(msg("A"));
    const auto c = q.claim(1, unix_now());
    CHECK(q.recover_sending() == 1);
    q.record({{c[0].id, MessageState::accepted, 200, "late", 0}});
    CHECK(q.find("A")->state == MessageState::unknown);
}

TEST_CASE("a second connection sees claims at once (durable before sending)") {
    TempDir d;
    auto a = Queue::open(d.path / "q.db");
    (void)a.enqueue(msg("A"));
    (void)a.enqueue(msg("B"));
    const auto claimed = a.claim(1, unix_now());
    auto b = Queue::open(d.path / "q.db");
    CHECK(b.find(claimed[0].key)->state == MessageState::sending);
    const auto other = b.claim(5, unix_now());
    REQUIRE(other.size() == 1);
    CHECK(other[0].key != claimed[0].key);
}

TEST_CASE("operator verdicts") {
    TempDir d;
    auto q = Queue::open(d.path / "q.db");
    (void)q.enqueue(msg("U"));
    (void)q.enqueue(msg("Q"));
    (void)q.claim(1, unix_now());
    (void)q.recover_sending();
    CHECK(q.resolve("U", MessageState::queued, "checked: never arrived").state == MessageState::queued);
    CHECK_THROWS_AS((void)q.resolve("Q", MessageState::accepted, ""), data_error);
    CHECK_THROWS_AS((void)q.resolve("missing", MessageState::accepted, ""), none_error);
    CHECK_THROWS_AS((void)q.resolve("U", MessageState::sending, ""), usage_error);
    const auto c = q.counts();
    CHECK(c.of(MessageState::queued) == 2);
    CHECK_FALSE(c.oldest_queued.empty());
}

TEST_CASE("not a queue, a directory, a missing file") {
    TempDir d;
    std::ofstream(d.path / "text") << "this is not a database, just text that is long enough\n";
    CHECK_THROWS_AS((void)Queue::open(d.path / "text"), io_error);
    CHECK_THROWS_AS((void)Queue::open(d.path), io_error);
    CHECK_THROWS_AS((void)Queue::open(d.path / "none.db", false), io_error);
}

TEST_CASE("one runner per queue") {
    TempDir d;
    const auto path = d.path / "q.db";
    RunnerLock first(path, false);
    CHECK_THROWS_AS(RunnerLock(path, false), busy_error);
}

TEST_CASE("runs are kept for status") {
    TempDir d;
    auto q = Queue::open(d.path / "q.db");
    CHECK_FALSE(q.last_run().has_value());
    q.add_run({"2025-11-27T10:00:00Z", "2025-11-27T10:00:20Z", 8000, 400, 396.2, 400});
    CHECK(q.last_run()->max_window == 400);
}

TEST_CASE("a queue of schema 1 is migrated to 2 on open, its messages kept") {
    TempDir dir;
    const auto path = dir.path / "v1.db";
    {
        // A version-1 queue as bcpkit 0.1 wrote it: no annotation column.
        auto q = Queue::open(path);
        (void)q.enqueue(msg("OLD-1"));
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "ALTER TABLE messages DROP COLUMN annotation; "
                                 "UPDATE meta SET value = '1' WHERE key = 'schema'",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto q = Queue::open(path);
    REQUIRE(q.find("OLD-1"));
    CHECK(q.find("OLD-1")->annotation.empty());
    auto m = msg("NEW-1");
    m.annotation = R"({"procedure":"p"})";
    CHECK(q.enqueue(m) == Queue::Added::enqueued);
    CHECK(q.find("NEW-1")->annotation == R"({"procedure":"p"})");
}

TEST_CASE("a queue of a newer schema is refused, not guessed at") {
    TempDir dir;
    const auto path = dir.path / "v9.db";
    { auto q = Queue::open(path); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE meta SET value = '9' WHERE key = 'schema'", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    CHECK_THROWS_WITH_AS(Queue::open(path), doctest::Contains("queue schema 9 is not supported"),
                         bcp::io_error);
}

TEST_CASE("a person's verdict: accepted, rejected, or retry (queued again); nothing else") {
    CHECK(parse_verdict("accepted") == MessageState::accepted);
    CHECK(parse_verdict("rejected") == MessageState::rejected);
    CHECK(parse_verdict("retry") == MessageState::queued);
    CHECK_FALSE(parse_verdict("queued").has_value());
    CHECK_FALSE(parse_verdict("Accepted").has_value());
}

}  // namespace queue_test
