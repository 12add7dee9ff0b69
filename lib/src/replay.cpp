#include "bcp/replay.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "bcp/rate.hpp"

namespace bcp {
namespace {

using Clock = RateLimiter::Clock;

constexpr auto flush_every = std::chrono::milliseconds(50);
constexpr std::size_t flush_batch = 512;
constexpr double max_backoff = 60;

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::size_t default_concurrency(double rate) {
    if (rate <= 0) return 64;
    return std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(rate * 0.25)), 4, 256);
}

ReplayReport replay(Queue& queue, Sink& sink, const ReplayOptions& o) {
    ReplayReport report;
    report.started_at = timestamp_now();
    report.recovered = queue.recover_sending();

    const std::size_t k = o.concurrency > 0 ? o.concurrency : default_concurrency(o.rate);
    RateLimiter limiter(o.rate, o.burst);
    WindowMeter meter;
    auto& t = report.totals;
    const auto t0 = Clock::now();
    Clock::time_point first_start{}, last_start{}, pause_until{}, last_flush = t0,
                                      last_progress = t0;
    std::deque<Message> claimed;  // claimed (sending) but not yet started
    std::vector<Outcome> outcomes;
    std::unordered_map<std::int64_t, int> retries;
    std::unordered_set<std::int64_t> exhausted;
    bool resend_phase = o.resend_unknown;
    bool stop_claiming = false;

    auto flush = [&] {
        queue.record(outcomes);
        outcomes.clear();
        last_flush = Clock::now();
    };
    auto lookahead = [&]() -> std::size_t {
        const std::size_t free = k - std::min(k, sink.in_flight());
        if (o.rate <= 0) return std::max<std::size_t>(1, free);
        // Claim only what can start within about 20 ms: a crash leaves few claimed messages.
        const auto ahead = static_cast<std::size_t>(std::ceil(limiter.rate() * 0.02));
        return std::clamp<std::size_t>(ahead, 1, std::max<std::size_t>(1, free));
    };

    for (;;) {
        auto now = Clock::now();
        const bool interrupted = o.interrupt != nullptr && o.interrupt->load();
        if (interrupted || (o.max_seconds > 0 && seconds_between(t0, now) >= o.max_seconds)) {
            stop_claiming = true;
        }
        // Start what the limiter and the concurrency allow.
        bool nothing_due = false;
        while (!stop_claiming && sink.in_flight() < k && now >= pause_until) {
            if (limiter.next_allowed(now) > now) break;
            if (claimed.empty()) {
                // Unthrottled, claim in batches of at least a quarter of the slots: one commit
                // per message would cost more than sending it.
                const std::size_t free = k - std::min(k, sink.in_flight());
                if (o.rate <= 0 && sink.in_flight() > 0 && free < std::max<std::size_t>(1, k / 4)) {
                    break;
                }
                auto batch = resend_phase ? queue.claim_unknown(lookahead())
                                          : queue.claim(lookahead(), unix_now());
                if (batch.empty()) {
                    if (resend_phase) {
                        resend_phase = false;
                        continue;
                    }
                    nothing_due = true;
                    break;
                }
                for (auto& m : batch) claimed.push_back(std::move(m));
            }
            Message m = std::move(claimed.front());
            claimed.pop_front();
            if (exhausted.count(m.id) != 0) {
                // Retried enough in this run: back to the queue untouched for a later run.
                outcomes.push_back({m.id, MessageState::queued, m.last_status, m.last_response,
                                    unix_now() + max_backoff});
                continue;
            }
            std::string body = o.prepare ? o.prepare(m) : m.body;
            sink.start(m, std::move(body));
            // Counted from when the request was handed to the socket, not from the decision:
            // a delay in between then only makes the window accounting more conservative.
            now = Clock::now();
            limiter.started(now);
            meter.add(now);
            if (t.sent == 0) first_start = now;
            last_start = now;
            ++t.sent;
        }
        if (stop_claiming && !claimed.empty()) {
            // Claimed but never started: nothing left this machine, so they go back.
            for (const auto& m : claimed) {
                outcomes.push_back({m.id, MessageState::queued, m.last_status, m.last_response, 0});
            }
            claimed.clear();
        }

        // Wait for results, no longer than until the next send may start.
        Clock::duration wait = std::chrono::milliseconds(10);
        if (!stop_claiming && !nothing_due) {
            const auto next = std::max(limiter.next_allowed(now), pause_until);
            wait = std::clamp<Clock::duration>(next - now, Clock::duration::zero(), wait);
        }
        if (sink.in_flight() == 0) {
            // Nothing to wait for but the clock: sleep rather than spin.
            if (!nothing_due && !stop_claiming) std::this_thread::sleep_for(wait);
            wait = Clock::duration::zero();
        }
        auto results =
            sink.poll(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
        now = Clock::now();
        for (auto& r : results) {
            Outcome out{r.id, r.state, r.status, std::move(r.response), 0};
            switch (r.state) {
                case MessageState::accepted:
                    ++t.accepted;
                    limiter.recover(now);
                    break;
                case MessageState::rejected: ++t.rejected; break;
                case MessageState::unknown: ++t.unknown; break;
                case MessageState::queued: {
                    ++t.requeued;
                    const int n = ++retries[r.id];
                    double backoff = r.retry_after >= 0 ? r.retry_after
                                                        : std::min(max_backoff, 0.5 * std::pow(2.0, n));
                    backoff = std::min(backoff, max_backoff);
                    if (n > o.retry_max) exhausted.insert(r.id);
                    out.not_before = unix_now() + backoff;
                    if (r.push_back) {
                        ++report.push_backs;
                        limiter.push_back(now);
                        if (r.retry_after > 0) {
                            pause_until = std::max(
                                pause_until, now + std::chrono::duration_cast<Clock::duration>(
                                                       std::chrono::duration<double>(backoff)));
                        }
                    }
                    break;
                }
                default: out.state = MessageState::unknown; ++t.unknown; break;
            }
            outcomes.push_back(std::move(out));
        }
        if (outcomes.size() >= flush_batch || (!outcomes.empty() && now - last_flush >= flush_every)) {
            flush();
        }
        if (o.progress && now - last_progress >= std::chrono::milliseconds(200)) {
            last_progress = now;
            t.in_flight = sink.in_flight();
            t.elapsed = seconds_between(t0, now);
            t.current_rate = limiter.unlimited() ? 0 : limiter.rate();
            o.progress(t);
        }

        if (sink.in_flight() > 0 || !claimed.empty()) continue;
        if (stop_claiming) break;
        if (!nothing_due && now >= pause_until) continue;
        // Nothing in flight and nothing due now: finished, or wait for a backoff to end.
        flush();
        const auto counts = queue.counts();
        const auto queued = counts.of(MessageState::queued);
        if (queued == 0) break;
        if (static_cast<std::int64_t>(exhausted.size()) >= queued) break;
        double wait_s = std::max(0.0, counts.next_attempt - unix_now());
        if (now < pause_until) wait_s = std::max(wait_s, seconds_between(now, pause_until));
        if (o.max_seconds > 0) {
            const double left = o.max_seconds - seconds_between(t0, now);
            if (left <= 0) break;
            wait_s = std::min(wait_s, left);
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait_s, 0.2) + 0.001));
    }
    flush();
    const auto counts = queue.counts();
    report.remaining = counts.of(MessageState::queued);
    report.stopped_early = stop_claiming && report.remaining > 0;
    report.max_window = static_cast<std::int64_t>(meter.max());
    const double span = seconds_between(first_start, last_start);
    report.achieved_rate = t.sent > 1 && span > 0 ? static_cast<double>(t.sent - 1) / span : 0;
    t.in_flight = 0;
    t.elapsed = seconds_between(t0, Clock::now());
    t.current_rate = limiter.unlimited() ? 0 : limiter.rate();
    report.ended_at = timestamp_now();
    queue.add_run({report.started_at, report.ended_at, t.sent, o.rate, report.achieved_rate,
                   report.max_window});
    return report;
}

}  // namespace bcp
