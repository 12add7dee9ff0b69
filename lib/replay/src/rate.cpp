#include "bcp/replay/rate.hpp"

#include <algorithm>
#include <cmath>

namespace bcp {

RateLimiter::RateLimiter(double cap, std::uint32_t burst, std::chrono::nanoseconds window)
    : cap_(cap), rate_(cap), burst_(std::max<std::uint32_t>(1, burst)), window_(window) {
    if (cap_ > 0) ring_.resize(static_cast<std::size_t>(std::max(1.0, std::floor(cap_))));
}

void RateLimiter::set_cap(double cap) {
    if (cap == cap_) return;
    const double ratio = cap_ > 0 && rate_ > 0 ? rate_ / cap_ : 1.0;
    // The most recent starts, oldest first, as many as the new ring holds.
    std::vector<Time> recent;
    recent.reserve(ring_size_);
    for (std::size_t k = ring_size_; k > 0; --k) {
        recent.push_back(ring_[(ring_next_ + ring_.size() - k) % ring_.size()]);
    }
    cap_ = cap;
    rate_ = cap > 0 ? cap * ratio : cap;
    ring_.assign(cap > 0 ? static_cast<std::size_t>(std::max(1.0, std::floor(cap))) : 0, Time{});
    ring_next_ = ring_size_ = 0;
    if (ring_.empty()) return;
    const std::size_t keep = std::min(recent.size(), ring_.size());
    for (std::size_t i = recent.size() - keep; i < recent.size(); ++i) {
        ring_[ring_next_] = recent[i];
        ring_next_ = (ring_next_ + 1) % ring_.size();
        ++ring_size_;
    }
}

RateLimiter::Clock::duration RateLimiter::interval() const {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate_));
}

RateLimiter::Time RateLimiter::due() const {
    if (unlimited()) return Time{};
    Time at{};
    if (started_any_) {
        // Pacing: the theoretical start time of the next send, less the burst tolerance.
        const auto tolerance = interval() * static_cast<long>(burst_ - 1);
        at = tat_ - tolerance;
    }
    // The hard cap: the cap-th most recent start must lie a whole window back.
    if (ring_size_ == ring_.size()) {
        const Time free_at =
            ring_[ring_next_] + std::chrono::duration_cast<Clock::duration>(window());
        at = std::max(at, free_at);
    }
    return at;
}

RateLimiter::Time RateLimiter::next_allowed(Time now) {
    if (unlimited()) return now;
    return std::max(now, due());
}

std::chrono::nanoseconds RateLimiter::jitter() const noexcept {
    return std::min<std::chrono::nanoseconds>(std::max(late_now_, late_before_),
                                              std::chrono::milliseconds(200));
}

void RateLimiter::late_by(Time due_at, Time left) {
    if (unlimited() || left <= due_at) return;
    if (left - bucket_ >= std::chrono::seconds(1)) {
        // A new bucket; the previous one is kept only when it is the one just before.
        late_before_ = left - bucket_ < std::chrono::seconds(2) ? late_now_
                                                                 : std::chrono::nanoseconds{};
        late_now_ = {};
        bucket_ = left;
    }
    late_now_ = std::max<std::chrono::nanoseconds>(late_now_, left - due_at);
}

void RateLimiter::started(Time t) {
    if (unlimited()) return;
    const auto step = interval();
    // Keep the schedule when the caller is a little late (an event loop always is, and a
    // queue commit can take a few milliseconds: losing that time would lower the rate), so
    // the sends it owes start back to back; after a longer gap start a new schedule, so an
    // idle spell never turns into a burst. The window cap holds either way.
    const auto catch_up = std::max<Clock::duration>(step, std::chrono::milliseconds(25));
    if (!started_any_ || t - tat_ >= catch_up) {
        tat_ = t + step;
    } else {
        tat_ += step;
    }
    if (!started_any_) last_recover_ = t;
    started_any_ = true;
    ring_[ring_next_] = t;
    ring_next_ = (ring_next_ + 1) % ring_.size();
    ring_size_ = std::min(ring_size_ + 1, ring_.size());
}

void RateLimiter::left_at(std::size_t count, Time t) {
    if (unlimited()) return;
    count = std::min(count, ring_size_);
    for (std::size_t k = 1; k <= count; ++k) {
        auto& at = ring_[(ring_next_ + ring_.size() - k) % ring_.size()];
        at = std::max(at, t);
    }
}

void RateLimiter::push_back(Time now) {
    if (unlimited()) return;
    // One halving per second at most: a burst of 429s for requests already in flight is one
    // signal, not twenty.
    if (last_pushback_ != Time{} && now - last_pushback_ < std::chrono::seconds(1)) return;
    last_pushback_ = now;
    last_recover_ = now;
    rate_ = std::max(1.0, rate_ / 2);
}

void RateLimiter::recover(Time now) {
    if (unlimited() || rate_ >= cap_) return;
    const double secs = std::chrono::duration<double>(now - last_recover_).count();
    if (secs < 0.1) return;
    last_recover_ = now;
    rate_ = std::min(cap_, rate_ + cap_ * 0.1 * secs);
}

void WindowMeter::add(RateLimiter::Time t) {
    window_.push_back(t);
    while (!window_.empty() && window_.front() <= t - std::chrono::seconds(1)) window_.pop_front();
    max_ = std::max(max_, window_.size());
}

}  // namespace bcp
