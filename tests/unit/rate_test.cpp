// Unit tests of bcp/rate.hpp with a synthetic clock: the sliding-window cap holds for any
// window, pacing avoids bursts after idle, push-back halves the rate and it recovers.
#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <vector>

#include "bcp/replay/rate.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace rate_test {

using namespace bcp;
using namespace std::chrono;
using T = RateLimiter::Time;

namespace {

// Starts as fast as the limiter allows from `from` for `span`, with jittered callers.
std::vector<T> drive(RateLimiter& r, T from, nanoseconds span, std::mt19937& rng) {
    std::uniform_int_distribution<int> jitter(0, 300);  // microseconds of caller lateness
    std::vector<T> starts;
    T now = from;
    while (now < from + span) {
        const T at = r.next_allowed(now);
        now = std::max(now, at) + microseconds(jitter(rng));
        if (r.next_allowed(now) > now) continue;
        r.started(now);
        starts.push_back(now);
    }
    return starts;
}

std::size_t max_in_window(const std::vector<T>& starts, nanoseconds window) {
    std::size_t best = 0, lo = 0;
    for (std::size_t hi = 0; hi < starts.size(); ++hi) {
        while (starts[hi] - starts[lo] >= window) ++lo;
        best = std::max(best, hi - lo + 1);
    }
    return best;
}

T last_of(const std::vector<T>& starts) { return starts.empty() ? T{} : starts.back(); }

}  // namespace

TEST_CASE("no one-second window holds more than the cap, and the cap is nearly reached") {
    std::mt19937 rng(7);
    for (double cap : {1.0, 10.0, 400.0, 1000.0}) {
        RateLimiter r(cap);
        const auto starts = drive(r, T{} + hours(1), seconds(20), rng);
        CHECK(max_in_window(starts, seconds(1)) <= static_cast<std::size_t>(cap));
        const double achieved = static_cast<double>(starts.size()) / 20.0;
        CHECK(achieved >= 0.98 * cap);
    }
}

TEST_CASE("evenly paced: no burst after an idle spell unless allowed") {
    RateLimiter paced(100);
    T t = T{} + hours(1);
    paced.started(t);
    t += seconds(10);  // idle
    int immediate = 0;
    while (paced.next_allowed(t) <= t) {
        paced.started(t);
        ++immediate;
    }
    CHECK(immediate == 1);

    RateLimiter bursty(100, 20);
    bursty.started(t);
    t += seconds(10);
    immediate = 0;
    while (bursty.next_allowed(t) <= t) {
        bursty.started(t);
        ++immediate;
    }
    CHECK(immediate == 20);
}

TEST_CASE("the burst never breaks the window cap") {
    RateLimiter r(50, 1000);
    std::mt19937 rng(3);
    const auto starts = drive(r, T{} + hours(1), seconds(5), rng);
    CHECK(max_in_window(starts, seconds(1)) <= 50);
}

TEST_CASE("push-back halves the rate, once per second, and it recovers") {
    RateLimiter r(400);
    T t = T{} + hours(1);
    r.started(t);
    r.push_back(t);
    CHECK(r.rate() == doctest::Approx(200));
    r.push_back(t + milliseconds(10));
    CHECK(r.rate() == doctest::Approx(200));
    r.push_back(t + milliseconds(1100));
    CHECK(r.rate() == doctest::Approx(100));
    for (int i = 1; i <= 100; ++i) r.recover(t + milliseconds(1100 + i * 100));
    CHECK(r.rate() == doctest::Approx(400));
    RateLimiter one(1);
    one.push_back(t);
    CHECK(one.rate() == doctest::Approx(1));
}

TEST_CASE("unlimited never waits") {
    RateLimiter r(0);
    const T t = T{} + hours(1);
    for (int i = 0; i < 1000; ++i) r.started(t);
    CHECK(r.next_allowed(t) == t);
}

TEST_CASE("window meter") {
    WindowMeter m;
    const T t = T{} + hours(1);
    for (int i = 0; i < 10; ++i) m.add(t + milliseconds(i * 50));   // 10 within 0.5 s
    for (int i = 0; i < 10; ++i) m.add(t + seconds(5) + milliseconds(i * 200));  // 5 per s
    CHECK(m.max() == 10);
}

TEST_CASE("sends counted from when they left: late writes never break the cap at the receiver") {
    // Each send is started on schedule but written up to 20 ms later (a descheduled runner);
    // left_at() moves it in the window, so the times the requests left never hold more than
    // the cap in any second, and the cap is still nearly reached.
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> late(0, 20000);  // microseconds between start and write
    RateLimiter r(400);
    std::vector<T> left;
    T now = T{} + hours(1);
    const T end = now + seconds(20);
    while (now < end) {
        now = std::max(now, r.next_allowed(now));
        r.started(now);
        const T written = now + microseconds(late(rng) < 19000 ? 50 : late(rng));
        r.left_at(1, written);
        left.push_back(written);
        now = written;
    }
    std::sort(left.begin(), left.end());
    CHECK(max_in_window(left, seconds(1)) <= 400);
    CHECK(static_cast<double>(left.size()) / 20.0 >= 0.95 * 400);
}

TEST_CASE("left_at moves only the last sends, never earlier in time") {
    RateLimiter r(2);
    const T t0 = T{} + hours(1);
    r.started(t0);
    r.started(t0 + milliseconds(500));
    r.left_at(1, t0 + milliseconds(400));  // earlier than recorded: kept
    CHECK(r.next_allowed(t0 + milliseconds(600)) == t0 + milliseconds(1010));
    r.left_at(1, t0 + milliseconds(700));  // the second send's write: the first still bounds it
    CHECK(r.next_allowed(t0 + milliseconds(600)) == t0 + milliseconds(1010));
    r.left_at(2, t0 + milliseconds(300));  // the first send written at 300 ms
    CHECK(r.next_allowed(t0 + milliseconds(600)) == t0 + milliseconds(1310));
}

TEST_CASE("the window widens by the measured dispatch jitter, and narrows again when it stops") {
    RateLimiter r(2);
    const T t0 = T{} + hours(1);
    CHECK(r.window() == milliseconds(1010));
    r.started(t0);
    r.late_by(t0, t0 + milliseconds(40));  // left 40 ms after it was due
    CHECK(r.jitter() == milliseconds(40));
    CHECK(r.window() == milliseconds(1040));  // one second and the lateness
    r.started(t0 + milliseconds(500));
    // The cap-th most recent send bounds the next one a whole widened window later.
    CHECK(r.next_allowed(t0 + milliseconds(600)) == t0 + milliseconds(1040));
    r.late_by(t0, t0 + seconds(5));  // lateness beyond the clamp counts as 200 ms
    CHECK(r.jitter() == milliseconds(200));
    // Two quiet seconds later the lateness of before is forgotten.
    r.late_by(t0 + seconds(8), t0 + seconds(8) + microseconds(100));
    CHECK(r.jitter() == microseconds(100));
    CHECK(r.window() == milliseconds(1010));  // within the base's margin: the base
    // A send that left early or on time is no lateness.
    r.late_by(t0 + seconds(9), t0 + seconds(9));
    CHECK(r.jitter() == microseconds(100));
}

TEST_CASE("sends bunched by a loaded machine hold the cap at the receiver once the window widens") {
    // On a loaded machine the runner is descheduled now and then for up to 30 ms, and so is
    // the receiver (one read in twenty): a request may be read up to 30 ms after the one
    // before it left. Measuring
    // the runner's own lateness and widening the window by it keeps every second at the
    // receiver at the cap or below, and still reaches 95% of it; without it the cap breaks.
    auto run = [](bool measure) {
        std::mt19937 rng(5);
        std::uniform_int_distribution<int> stall(0, 199);
        std::uniform_int_distribution<int> stall_us(5000, 30000);
        RateLimiter r(400);
        std::vector<T> arrivals;
        T now = T{} + hours(1);
        const T end = now + seconds(20);
        while (now < end) {
            const T due = r.due();
            now = std::max(now, r.next_allowed(now));
            if (stall(rng) == 0) now += microseconds(stall_us(rng));  // the runner descheduled
            r.started(now);
            r.left_at(1, now);
            if (measure && due != T{}) r.late_by(due, now);
            // The receiver reads it after 1 ms, or later when it was descheduled itself.
            const auto read = microseconds(1000 + (stall(rng) < 10 ? stall_us(rng) : 0));
            arrivals.push_back(now + read);
        }
        std::sort(arrivals.begin(), arrivals.end());
        return std::pair{max_in_window(arrivals, seconds(1)), arrivals.size()};
    };
    const auto [busiest, sent] = run(true);
    CHECK(busiest <= 400);
    CHECK(static_cast<double>(sent) / 20.0 >= 0.95 * 400);
    CHECK(run(false).first > 400);  // the same load without the measured jitter
}

TEST_CASE("a runner's share changes: a lower cap holds at once, a higher one is reached") {
    std::mt19937 rng(11);
    RateLimiter r(400);
    auto starts = drive(r, T{} + hours(1), seconds(3), rng);
    REQUIRE(starts.size() > 1000);
    const T cut = last_of(starts);
    // Down to 100 (three more runners joined): the sends of the last second still count, so
    // no second that ends after the change holds more than the old cap, and from one window
    // later none holds more than 100.
    r.set_cap(100);
    CHECK(r.cap() == 100);
    const auto after = drive(r, cut, seconds(5), rng);
    std::vector<T> all = starts;
    all.insert(all.end(), after.begin(), after.end());
    CHECK(max_in_window(all, seconds(1)) <= 400);
    std::vector<T> late;
    std::copy_if(after.begin(), after.end(), std::back_inserter(late),
                 [&](T t) { return t >= cut + milliseconds(1010); });
    CHECK(max_in_window(late, seconds(1)) <= 100);
    CHECK(static_cast<double>(late.size()) / 3.99 >= 0.97 * 100);
    // Up to 250: reached, and never above.
    r.set_cap(250);
    const auto up = drive(r, last_of(after), seconds(4), rng);
    CHECK(max_in_window(up, seconds(1)) <= 250);
    CHECK(static_cast<double>(up.size()) / 4.0 >= 0.95 * 250);
    // A push-back's slowdown is kept in proportion.
    r.push_back(last_of(up) + seconds(2));
    CHECK(r.rate() == doctest::Approx(125));
    r.set_cap(100);
    CHECK(r.rate() == doctest::Approx(50));
    // 0 is unlimited, as at construction.
    r.set_cap(0);
    CHECK(r.unlimited());
}

}  // namespace rate_test
