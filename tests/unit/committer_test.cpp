// Unit tests of bcp/committer.hpp on real SQLite queue files, checked through a second
// connection the way a crash would find them: a message is handed out only once its claim is
// committed, outcomes are committed by sync(), what is not taken goes back to `queued`, and an
// error of the queue reaches the send loop.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "bcp/core/error.hpp"
#include "bcp/replay/committer.hpp"
#include "bcp/replay/queue.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace committer_test {

using namespace bcp;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using bcp::test::TempDir;

namespace {

void fill(Queue& q, int n, const char* prefix = "K") {
    q.begin();
    for (int i = 0; i < n; ++i) {
        NewMessage m;
        m.key = prefix + std::to_string(i);
        m.country = "NL";
        m.system = "DMS";
        m.body = "{}";
        m.prepared_at = "2025-12-07T09:00:00+01:00";
        CHECK(q.enqueue(m) == Queue::Added::enqueued);
    }
    q.commit();
}

// A scratch queue file holding `n` messages K0, K1, ...
struct QueueFile {
    TempDir dir;
    fs::path db = dir.path / "q.db";
    Queue queue = Queue::open(db);
    explicit QueueFile(int n = 0) {
        if (n > 0) fill(queue, n);
    }
};

// The next message, waiting for the committer up to two seconds.
std::optional<Message> next(Committer& c) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto m = c.take()) return m;
        if (c.dry()) return std::nullopt;
        c.wait_ready(50ms);
    }
    throw std::runtime_error("the committer handed out nothing within 2 s");
}

MessageState state_of(const fs::path& db, const std::string& key) {
    auto other = Queue::open(db, false);
    const auto m = other.find(key);
    REQUIRE(m.has_value());
    return m->state;
}

}  // namespace

TEST_CASE("a message is handed out only after its claim is committed, and each once") {
    QueueFile f(50);
    auto& q = f.queue;
    const auto& db = f.db;
    Committer c(q, 400, 16, false);
    std::set<std::string> seen;
    while (auto m = next(c)) {
        // What a crash right now would find: `sending`, so never sent again by itself.
        CHECK(state_of(db, m->key) == MessageState::sending);
        CHECK(m->attempts == 1);
        CHECK(seen.insert(m->key).second);
        c.submit({m->id, MessageState::accepted, 202, "ok", 0});
    }
    CHECK(seen.size() == 50);
    CHECK(c.dry());
    c.finish();
    const auto counts = q.counts();
    CHECK(counts.of(MessageState::accepted) == 50);
    CHECK(counts.of(MessageState::sending) == 0);
}

TEST_CASE("the claim horizon: 20 ms of sends, the concurrency when unthrottled") {
    QueueFile f;
    auto& q = f.queue;
    {
        Committer c(q, 400, 64, false);
        CHECK(c.horizon() >= 8);    // 400/s x 20 ms
        CHECK(c.horizon() <= 40);   // 400/s x 100 ms at most, however slow the disk
        c.set_rate(50);
        CHECK(c.horizon() >= 1);
        CHECK(c.horizon() <= 5);
        c.finish();
    }
    {
        Committer c(q, 0, 64, false);
        CHECK(c.horizon() == 64);
        c.finish();
    }
}

TEST_CASE("sync commits the submitted outcomes before it returns") {
    QueueFile f(3);
    auto& q = f.queue;
    const auto& db = f.db;
    Committer c(q, 100, 4, false);
    const auto m = next(c);
    REQUIRE(m.has_value());
    c.submit({m->id, MessageState::rejected, 400, "bad", 0});
    c.sync();
    CHECK(state_of(db, m->key) == MessageState::rejected);
    c.finish();
}

TEST_CASE("what was claimed and not taken goes back to queued: pause, finish, destructor") {
    QueueFile f(20);
    auto& q = f.queue;
    SUBCASE("pause, then resume") {
        Committer c(q, 1000, 8, false);
        const auto first = next(c);
        REQUIRE(first.has_value());
        c.pause();
        c.sync();
        auto counts = c.with_queue([](Queue& qq) { return qq.counts(); });
        CHECK(counts.of(MessageState::sending) == 1);  // only the one taken
        CHECK(counts.of(MessageState::queued) == 19);
        c.resume();
        CHECK(next(c).has_value());
        c.finish();
    }
    SUBCASE("finish") {
        Committer c(q, 1000, 8, false);
        REQUIRE(next(c).has_value());
        c.finish();
    }
    SUBCASE("destructor") {
        Committer c(q, 1000, 8, false);
        REQUIRE(next(c).has_value());
    }
    const auto counts = q.counts();
    CHECK(counts.of(MessageState::sending) + counts.of(MessageState::queued) == 20);
    CHECK(counts.of(MessageState::sending) <= 2);
}

TEST_CASE("an empty queue runs dry; rewake claims what became due") {
    QueueFile f;
    auto& q = f.queue;
    const auto& db = f.db;
    Committer c(q, 100, 4, false);
    CHECK_FALSE(next(c).has_value());
    CHECK(c.dry());
    {
        auto other = Queue::open(db, false);
        fill(other, 2, "LATE");
    }
    c.rewake();
    const auto m = next(c);
    REQUIRE(m.has_value());
    CHECK(m->key.rfind("LATE", 0) == 0);
    c.finish();
}

TEST_CASE("resend-unknown: the unknown messages first, then the queued ones") {
    QueueFile f;
    auto& q = f.queue;
    fill(q, 2, "U");
    (void)q.claim(2, unix_now());
    CHECK(q.recover_sending() == 2);
    fill(q, 2, "Q");
    Committer c(q, 100, 4, true);
    std::string order;
    while (auto m = next(c)) {
        order += m->key.substr(0, 1);
        c.submit({m->id, MessageState::accepted, 202, "", 0});
    }
    CHECK(order == "UUQQ");
    c.finish();
}

TEST_CASE("an error of the queue reaches the send loop instead of vanishing in the thread") {
    QueueFile f(5);
    auto& q = f.queue;
    const auto& db = f.db;
    Committer c(q, 100, 4, false);
    const auto m = next(c);
    REQUIRE(m.has_value());
    c.pause();
    c.sync();
    // The queue is damaged behind the runner's back (sqlite3 is one of the test packages):
    // the next commit, on the committer's thread, fails.
    const std::string drop = "sqlite3 '" + db.string() + "' 'DROP TABLE messages'";
    REQUIRE(std::system(drop.c_str()) == 0);
    c.submit({m->id, MessageState::accepted, 202, "", 0});
    CHECK_THROWS_AS(c.sync(), io_error);
    CHECK_THROWS_AS((void)c.take(), io_error);
    CHECK_THROWS_AS(c.finish(), io_error);
}

}  // namespace committer_test
