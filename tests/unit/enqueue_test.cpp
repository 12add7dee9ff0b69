// Unit tests of bcp/replay/enqueue.hpp: one result line for each input line, results let out
// only after their batch is committed, and what was read before a failure kept.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "bcp/core/error.hpp"
#include "bcp/replay/enqueue.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace enqueue_test {

using namespace bcp;

namespace {

AdmitOptions bare() {
    AdmitOptions o;
    o.annotate = false;
    o.map = FieldMap::bundled();
    return o;
}

}  // namespace

TEST_CASE("each line gets one result: enqueued, duplicate, invalid, too long") {
    test::TempDir d;
    auto q = Queue::open(d.path / "q.db");
    std::string results;
    int commits = 0;
    Enqueue enq(q, bare(), nullptr, results, [&] { ++commits; });
    enq.store([&] {
        enq.line("in.jsonl", 1, R"({"lrn":"NL-1","country":"NL","system":"DMS"})");
        enq.line("in.jsonl", 2, R"({"lrn":"NL-1","country":"NL","system":"DMS"})");
        enq.line("in.jsonl", 3, R"({"lrn":"NL-3")");
        enq.too_long(4, 99999);
    });
    CHECK(results.find(R"({"line":1,"key":"NL-1","result":"enqueued"})"
                       "\n"
                       R"({"line":2,"key":"NL-1","result":"duplicate","reason":"a message with this key is already in the queue; it was not changed"})"
                       "\n") == 0);
    CHECK(results.find(R"({"line":3,"key":null,"result":"invalid","reason":)") != std::string::npos);
    CHECK(results.find(R"({"line":4,"key":null,"result":"invalid","reason":"line of 99999 bytes is too long"})") !=
          std::string::npos);
    CHECK(enq.stored() == 1);
    CHECK(enq.any_invalid());
    CHECK_FALSE(enq.all_stored());
    CHECK(commits == 0);  // one batch, committed at the end: the caller writes the rest out
    CHECK(Queue::open(d.path / "q.db", false).counts().of(MessageState::queued) == 1);
}

TEST_CASE("a full batch is committed before its results are let out") {
    test::TempDir d;
    auto q = Queue::open(d.path / "q.db");
    std::string results;
    std::size_t seen_at_commit = 0;
    Enqueue enq(q, bare(), nullptr, results, [&] {
        // The batch is on disk when its results are handed out.
        seen_at_commit = static_cast<std::size_t>(
            Queue::open(d.path / "q.db", false).counts().of(MessageState::queued));
        results.clear();
    });
    enq.store([&] {
        for (std::size_t i = 1; i <= Enqueue::batch_size + 2; ++i) {
            enq.line("in.jsonl", i, R"({"lrn":"K-)" + std::to_string(i) + R"(","country":"NL","system":"DMS"})");
        }
    });
    CHECK(seen_at_commit == Enqueue::batch_size);
    CHECK(results.find(R"({"line":5001,)") == 0);  // only the last batch's two results are left
    CHECK(enq.stored() == Enqueue::batch_size + 2);
    CHECK(enq.all_stored());
}

TEST_CASE("what was read before a failure is stored, and the failure passed on") {
    test::TempDir d;
    auto q = Queue::open(d.path / "q.db");
    std::string results;
    Enqueue enq(q, bare(), nullptr, results, {});
    CHECK_THROWS_AS(enq.store([&] {
        enq.line("a.jsonl", 1, R"({"lrn":"A-1","country":"NL","system":"DMS"})");
        throw io_error("cannot open b.jsonl", "b.jsonl");
    }),
                    io_error);
    CHECK(results.find(R"("key":"A-1","result":"enqueued")") != std::string::npos);
    CHECK(Queue::open(d.path / "q.db", false).counts().of(MessageState::queued) == 1);
}

}  // namespace enqueue_test
