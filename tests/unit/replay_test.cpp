// The policy of a replay run: which rate, and what its outcome means for the exit status.
#include <doctest/doctest.h>

#include "bcp/core/error.hpp"
#include "bcp/replay/replay.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace replay_test {

using namespace bcp;
using Kind = RateRequest::Kind;

TEST_CASE("plan_rate: the rule's cap, else the conservative default") {
    const RatePlan capped = plan_rate({}, 400, "FI-ICS2 (Finnish Customs)");
    CHECK(capped.rate == 400);
    CHECK_FALSE(capped.above_cap);
    const RatePlan none = plan_rate({}, 0, "");
    CHECK(none.rate == default_rate);
    CHECK(none.why.find("default 10/s") != std::string::npos);
    CHECK(default_concurrency(none.rate) == default_in_flight);
}

TEST_CASE("plan_rate: a rate above the cap and unlimited need --force-rate") {
    CHECK_THROWS_AS((void)plan_rate({Kind::rate, 500, false}, 400, "X"), usage_error);
    CHECK_THROWS_AS((void)plan_rate({Kind::unlimited, 0, false}, 400, "X"), usage_error);
    const RatePlan forced = plan_rate({Kind::rate, 500, true}, 400, "X");
    CHECK(forced.rate == 500);
    CHECK(forced.above_cap);
    const RatePlan unlimited = plan_rate({Kind::unlimited, 0, false}, 0, "");
    CHECK(unlimited.rate == 0);
    CHECK_FALSE(unlimited.above_cap);
    CHECK(plan_rate({Kind::rate, 50, false}, 400, "X").rate == 50);
    CHECK(plan_rate({Kind::rate, 50, false}, 0, "").rate == 50);  // no default over a request
}

TEST_CASE("run_outcome: a message needing a verdict outranks everything") {
    ReplayReport r;
    CHECK(run_outcome(r, 0) == RunOutcome::done);
    r.remaining = 2;
    CHECK(run_outcome(r, 0) == RunOutcome::incomplete);
    r.totals.rejected = 1;
    CHECK(run_outcome(r, 0) == RunOutcome::rejected);
    CHECK(run_outcome(r, 3) == RunOutcome::needs_verdict);  // unknowns left, from any run
    ReplayReport crashed;
    crashed.recovered = 1;  // found `sending`: now unknown, even if since resolved
    CHECK(run_outcome(crashed, 0) == RunOutcome::needs_verdict);
}

TEST_CASE("nothing_to_send: queued, sending left by a dead runner, and unknown only when re-sent") {
    QueueCounts c;
    CHECK(nothing_to_send(c, false));
    c.by_state[static_cast<int>(MessageState::unknown)] = 2;
    CHECK(nothing_to_send(c, false));
    CHECK_FALSE(nothing_to_send(c, true));
    QueueCounts sending;
    sending.by_state[static_cast<int>(MessageState::sending)] = 1;
    CHECK_FALSE(nothing_to_send(sending, false));
    QueueCounts queued;
    queued.by_state[static_cast<int>(MessageState::queued)] = 1;
    CHECK_FALSE(nothing_to_send(queued, false));
}

TEST_CASE("read_rate_request: a rate, unlimited or unset; anything else says what a rate is") {
    CHECK(bcp::read_rate_request("", false, "--rate").kind == bcp::RateRequest::Kind::unset);
    CHECK(bcp::read_rate_request("unlimited", true, "--rate").kind == bcp::RateRequest::Kind::unlimited);
    const auto r = bcp::read_rate_request("12.5", false, "--rate");
    CHECK((r.kind == bcp::RateRequest::Kind::rate && r.rate == 12.5));
    try {
        (void)bcp::read_rate_request("fast", false, "--rate");
        FAIL("no usage error");
    } catch (const bcp::usage_error& e) {
        CHECK(std::string(e.what()) ==
              "--rate 'fast' is not a number of sends per second above 0 (at most 1000000) or 'unlimited'");
    }
}

}  // namespace replay_test
