// Unit tests of bcp/replay/run.hpp: a whole run on a real SQLite queue into a "stdout" sink (a
// string stream): the rate decided, the outcome, the summary, and nothing sent twice.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bcp/core/error.hpp"
#include "bcp/replay/queue.hpp"
#include "bcp/replay/run.hpp"
#include "queue_fill.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace run_test {

using namespace bcp;

namespace {

// Messages of a country no rule governs: the rules give no cap.
void fill(Queue& q, int n) { test::fill_queue(q, n, "XX", "NONE"); }

std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n' ? 1 : 0;
    return n;
}

RunRequest to_stdout(double rate) {
    RunRequest r;
    r.sink.spec = "stdout";
    if (rate > 0) {
        r.rate.kind = RateRequest::Kind::rate;
        r.rate.rate = rate;
    }
    return r;
}

}  // namespace

TEST_CASE("an empty queue: nothing to send, and the summary says so") {
    test::TempDir dir;
    auto q = Queue::open((dir.path / "q.db").string());
    std::ostringstream sent;
    const RunResult r = run_replay(q, to_stdout(100), sent);
    CHECK(r.end == RunEnd::nothing_to_send);
    CHECK_FALSE(r.report);
    CHECK(r.summary() == R"({"sent":0,"remaining":0,"message":"nothing to send"})");
    CHECK(sent.str().empty());
}

TEST_CASE("a run sends every message once at the rate asked; a second run finds nothing") {
    test::TempDir dir;
    auto q = Queue::open((dir.path / "q.db").string());
    fill(q, 5);
    std::ostringstream sent;
    std::vector<std::string> warnings;
    RunRequest req = to_stdout(1000);
    req.warn = [&](const std::string& w) { warnings.push_back(w); };
    const RunResult r = run_replay(q, req, sent);
    CHECK(r.end == RunEnd::done);
    REQUIRE(r.report);
    CHECK(r.report->totals.accepted == 5);
    CHECK(r.rate == 1000);
    // The sink writes the stream the summary would go to: the summary goes to stderr.
    CHECK(r.summary_to_stderr);
    CHECK(r.summary().find("\"sent\":5") != std::string::npos);
    CHECK(lines(sent.str()) == 5);
    CHECK(warnings.empty());  // the rate was asked for
    CHECK(q.counts().of(MessageState::accepted) == 5);
    std::ostringstream again;
    CHECK(run_replay(q, req, again).end == RunEnd::nothing_to_send);
    CHECK(again.str().empty());
}

TEST_CASE("without a rate and without a cap from a rule: the conservative default, said once") {
    test::TempDir dir;
    auto q = Queue::open((dir.path / "q.db").string());
    fill(q, 2);
    std::ostringstream sent;
    std::vector<std::string> warnings;
    RunRequest req = to_stdout(0);
    req.warn = [&](const std::string& w) { warnings.push_back(w); };
    const RunResult r = run_replay(q, req, sent);
    CHECK(r.end == RunEnd::done);
    CHECK(r.rate == default_rate);
    REQUIRE(warnings.size() == 1);
    CHECK_FALSE(warnings[0].empty());
}

TEST_CASE("a sink the library does not know is a usage error, before anything is sent") {
    test::TempDir dir;
    auto q = Queue::open((dir.path / "q.db").string());
    fill(q, 1);
    std::ostringstream sent;
    RunRequest req = to_stdout(10);
    req.sink.spec = "ftp://gateway.example/";
    CHECK_THROWS_AS((void)run_replay(q, req, sent), usage_error);
    CHECK(q.counts().of(MessageState::queued) == 1);
}

}  // namespace run_test
