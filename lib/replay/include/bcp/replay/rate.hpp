// The replay rate limiter: a strict cap of N sends started in any sliding one-second window,
// with even pacing (no burst after an idle spell unless a burst is allowed) and a current rate
// that drops when the gateway pushes back (429/503) and climbs back while it does not.
//
// Pure: callers pass the time in, so tests drive it with a synthetic clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace bcp {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    using Time = Clock::time_point;

    // `cap` sends per window at most (0: unlimited); `burst` sends may start back to back
    // (1: evenly paced). The window is a little over a second so that arrival jitter on the
    // way to the gateway cannot squeeze cap + 1 arrivals into one second there.
    explicit RateLimiter(double cap, std::uint32_t burst = 1,
                         std::chrono::nanoseconds window = std::chrono::milliseconds(1010));

    [[nodiscard]] bool unlimited() const noexcept { return cap_ <= 0; }
    [[nodiscard]] double cap() const noexcept { return cap_; }
    [[nodiscard]] double rate() const noexcept { return rate_; }

    // The earliest time at or after `now` when a send may start.
    [[nodiscard]] Time next_allowed(Time now);
    // The same without the floor of `now`: when the next send was due (before `now` when the
    // caller is late). Time{} before the first send.
    [[nodiscard]] Time due() const;
    // A send that was due at `due` left at `left` (a loaded machine schedules the runner late,
    // and its late sends bunch at the receiver). The window widens by the largest lateness of
    // the last one to two seconds, up to 200 ms, so that bunched arrivals still hold at most
    // the cap in any second there; on a quiet machine (lateness within the base's margin) it
    // stays at its base.
    void late_by(Time due, Time left);
    // The window now: one second plus the measured dispatch jitter, never less than the base
    // (whose margin over a second already covers a jitter that small).
    [[nodiscard]] std::chrono::nanoseconds window() const noexcept {
        return std::max<std::chrono::nanoseconds>(window_, std::chrono::seconds(1) + jitter());
    }
    [[nodiscard]] std::chrono::nanoseconds jitter() const noexcept;
    // Records a send started at `t` (call only when t >= next_allowed(t)).
    void started(Time t);
    // The last `count` sends left at `t`, not when started() was told (the request was written
    // later, a descheduled runner later still): the window counts them from then.
    void left_at(std::size_t count, Time t);

    // A new cap (0: unlimited), for a runner whose share of a shared cap changed. The sends of
    // the last window still count against it, so a lower cap holds at once; a push-back's
    // slowdown is kept in proportion.
    void set_cap(double cap);

    // The gateway pushed back: halve the current rate (not below one per second).
    void push_back(Time now);
    // Called as sends succeed: the rate climbs back by a tenth of the cap per second without
    // push-back.
    void recover(Time now);

private:
    [[nodiscard]] Clock::duration interval() const;

    double cap_;
    double rate_;
    std::uint32_t burst_;
    std::chrono::nanoseconds window_;
    // Largest lateness in the current and the previous one-second bucket.
    std::chrono::nanoseconds late_now_{}, late_before_{};
    Time bucket_{};
    Time tat_{};  // theoretical start time of the next send at the current rate
    Time last_pushback_{};
    Time last_recover_{};
    std::vector<Time> ring_;  // start times of the last `cap` sends
    std::size_t ring_next_ = 0;
    std::size_t ring_size_ = 0;
    bool started_any_ = false;
};

// Counts the most sends started within any one-second window (for reports and tests).
class WindowMeter {
public:
    void add(RateLimiter::Time t);
    [[nodiscard]] std::size_t max() const noexcept { return max_; }

private:
    std::deque<RateLimiter::Time> window_;
    std::size_t max_ = 0;
};

}  // namespace bcp
