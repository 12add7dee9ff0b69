#include "bcp/replay/replay.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/replay/committer.hpp"
#include "bcp/replay/rate.hpp"

namespace bcp {
namespace {

using Clock = RateLimiter::Clock;

constexpr double max_backoff = 60;

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

class SteadyClock final : public ReplayClock {
public:
    [[nodiscard]] RateLimiter::Time now() const override { return Clock::now(); }
    void sleep_for(Clock::duration d) const override { std::this_thread::sleep_for(d); }
};

}  // namespace

const ReplayClock& steady_replay_clock() noexcept {
    static const SteadyClock clock;
    return clock;
}

RatePlan plan_rate(const RateRequest& request, double cap, std::string_view cap_from) {
    RatePlan plan;
    using Kind = RateRequest::Kind;
    switch (request.kind) {
        case Kind::unset:
            if (cap > 0) {
                plan.rate = cap;
                plan.why = fmt::format("sending at {}/s, the cap set by {}", cap, cap_from);
            } else {
                plan.rate = default_rate;
                plan.why = fmt::format("no rule gives a rate cap for these messages: sending at "
                                       "the default {}/s, {} in flight (--rate to change)",
                                       default_rate, default_in_flight);
            }
            return plan;
        case Kind::unlimited:
            if (cap > 0 && !request.force) {
                throw usage_error(fmt::format("--rate unlimited ignores the cap of {}/s set by "
                                              "{}; --force-rate overrides it",
                                              cap, cap_from));
            }
            plan.rate = 0;
            plan.above_cap = cap > 0;
            plan.why = cap > 0 ? fmt::format("sending unthrottled, above the cap of {}/s set by {}",
                                             cap, cap_from)
                               : std::string("sending unthrottled (--rate unlimited)");
            return plan;
        case Kind::rate:
            if (cap > 0 && request.rate > cap) {
                if (!request.force) {
                    throw usage_error(fmt::format("--rate {} exceeds the cap of {} messages per "
                                                  "second set by {}; --force-rate overrides it",
                                                  request.rate, cap, cap_from));
                }
                plan.above_cap = true;
                plan.why = fmt::format("sending at {}/s, above the cap of {}/s set by {}",
                                       request.rate, cap, cap_from);
            } else {
                plan.why = fmt::format("sending at {}/s (--rate)", request.rate);
            }
            plan.rate = request.rate;
            return plan;
    }
    return plan;
}

RunOutcome run_outcome(const ReplayReport& report, std::int64_t unknown_in_queue) {
    // A message that needs a person outranks everything else: a cron job that sees "retry
    // later" for a run that also left unknowns would hide them.
    if (unknown_in_queue > 0 || report.recovered > 0) return RunOutcome::needs_verdict;
    if (report.totals.rejected > 0) return RunOutcome::rejected;
    if (report.remaining > 0) return RunOutcome::incomplete;
    return RunOutcome::done;
}

bool nothing_to_send(const QueueCounts& counts, bool resend_unknown) noexcept {
    return counts.of(MessageState::queued) == 0 &&
           (!resend_unknown || counts.of(MessageState::unknown) == 0) &&
           counts.of(MessageState::sending) == 0;
}

std::size_t default_concurrency(double rate) {
    if (rate <= 0) return 64;
    return std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(rate * 0.25)), 4, 256);
}

ReplayReport replay(Queue& queue, Sink& sink, const ReplayOptions& o) {
    const ReplayClock& clock = o.clock != nullptr ? *o.clock : steady_replay_clock();
    ReplayReport report;
    report.started_at = timestamp_now();
    report.recovered = queue.recover_sending();

    const std::size_t k = o.concurrency > 0 ? o.concurrency : default_concurrency(o.rate);
    RateLimiter limiter(o.rate, o.burst);
    WindowMeter meter;
    auto& t = report.totals;
    const auto t0 = clock.now();
    Clock::time_point first_start{}, last_start{}, pause_until{}, last_progress = t0;
    std::unordered_map<std::int64_t, int> retries;
    std::unordered_set<std::int64_t> exhausted;
    bool stop_claiming = false;
    bool paused = false;
    bool waited_for_limiter = false;  // the last pass slept until the limiter allowed a send
    double share = o.runner != nullptr ? 0 : o.rate;  // the share of the cap applied
    // Claims and outcome records happen on the committer's thread: a slow commit never
    // delays a send.
    Committer committer(queue, o.rate, k, o.resend_unknown);

    for (;;) {
        auto now = clock.now();
        const bool interrupted = o.interrupt != nullptr && o.interrupt->load();
        if (!stop_claiming &&
            (interrupted || (o.max_seconds > 0 && seconds_between(t0, now) >= o.max_seconds))) {
            stop_claiming = true;
            committer.pause();  // what was claimed and not started goes back to the queue
        }
        // A long push-back pause: nothing stays claimed meanwhile (a crash would leave it
        // `unknown` though it never left).
        const bool long_pause = now + std::chrono::seconds(1) < pause_until;
        if (!stop_claiming && long_pause != paused) {
            paused = long_pause;
            if (paused) {
                committer.pause();
            } else {
                committer.resume();
            }
        }
        // A shared queue: the share of the cap this runner holds now, and whether its lease
        // still lets it send (a runner that cannot renew it stops starting sends first).
        bool hold = false;
        if (o.runner != nullptr) {
            if (!stop_claiming) {
                if (auto lost = o.runner->lost(); !lost.empty()) {
                    report.lease_lost = std::move(lost);
                    stop_claiming = true;
                    committer.pause();
                }
            }
            const double s = o.runner->share();
            if (s != share && s > 0) {
                share = s;
                limiter.set_cap(std::isinf(s) ? 0 : s);
                committer.set_rate(std::isinf(s) ? 0 : limiter.rate());
            }
            hold = s <= 0 || !o.runner->may_send();
            o.runner->set_busy(sink.in_flight() > 0 || !committer.dry());
        }
        // Start what the limiter and the concurrency allow.
        bool nothing_due = false;
        bool starved = false;  // messages are due but their claim is still being committed
        std::size_t batch = 0;  // sends started in this pass
        // When the first send of this pass was due, if the runner waited for the limiter: its
        // lateness is the dispatch jitter of a loaded machine.
        RateLimiter::Time batch_due{};
        while (!stop_claiming && !hold && sink.in_flight() < k && now >= pause_until) {
            if (limiter.next_allowed(now) > now) break;
            if (batch == 0 && waited_for_limiter) batch_due = limiter.due();
            auto next = committer.take();
            if (!next) {
                if (committer.dry()) {
                    nothing_due = true;
                } else {
                    starved = true;
                }
                break;
            }
            Message m = std::move(*next);
            if (exhausted.count(m.id) != 0) {
                // Retried enough in this run: back to the queue untouched for a later run.
                committer.submit({m.id, MessageState::queued, m.last_status, m.last_response,
                                  unix_now() + max_backoff, false});
                continue;
            }
            std::string body = o.prepare ? o.prepare(m) : std::move(m.body);
            sink.start(m, std::move(body));
            now = clock.now();
            limiter.started(now);
            ++batch;
            if (t.sent == 0) first_start = now;
            last_start = now;
            ++t.sent;
        }
        // The batch is written now, and counted in the window from when the writes returned:
        // a runner descheduled between start and write (a loaded machine) cannot squeeze more
        // than the cap into a second at the receiver.
        if (batch > 0) {
            sink.write();
            now = clock.now();
            limiter.left_at(batch, now);
            if (batch_due != RateLimiter::Time{}) {
                limiter.late_by(batch_due, now);
                report.max_jitter_ms = std::max(
                    report.max_jitter_ms,
                    std::chrono::duration<double, std::milli>(limiter.jitter()).count());
            }
            for (std::size_t b = 0; b < batch; ++b) meter.add(now);
        }
        waited_for_limiter = false;

        // Wait for results, no longer than until the next send may start.
        Clock::duration wait = std::chrono::milliseconds(10);
        if (!stop_claiming && !nothing_due && !hold) {
            const auto allowed = limiter.next_allowed(now);
            const auto next = std::max(allowed, pause_until);
            wait = std::clamp<Clock::duration>(next - now, Clock::duration::zero(), wait);
            waited_for_limiter = allowed > now && allowed >= pause_until && sink.in_flight() < k;
        }
        if (starved) wait = std::min<Clock::duration>(wait, std::chrono::milliseconds(1));
        if (sink.in_flight() == 0) {
            // Nothing to wait for but the clock or the committer: sleep rather than spin.
            if (starved) {
                committer.wait_ready(wait);
            } else if (!nothing_due && !stop_claiming) {
                clock.sleep_for(wait);
            }
            wait = Clock::duration::zero();
        }
        auto results =
            sink.poll(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
        now = clock.now();
        const double rate_before = limiter.rate();
        for (auto& r : results) {
            Outcome out{r.id, r.state, r.status, std::move(r.response), 0, !r.not_sent};
            if (r.not_sent) {
                // Started, but nothing reached the receiver: not a send.
                --t.sent;
                ++t.not_sent;
            }
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
            committer.submit(std::move(out));
        }
        if (limiter.rate() != rate_before) committer.set_rate(limiter.rate());
        if (o.progress && now - last_progress >= std::chrono::milliseconds(200)) {
            last_progress = now;
            t.in_flight = sink.in_flight();
            t.elapsed = seconds_between(t0, now);
            t.current_rate = limiter.unlimited() ? 0 : limiter.rate();
            o.progress(t);
        }

        if (sink.in_flight() > 0) continue;
        if (stop_claiming) break;
        if (now < pause_until) {
            // The gateway asked for a pause: wait it out (what it pushed back is queued).
            clock.sleep_for(std::min<Clock::duration>(pause_until - now, std::chrono::milliseconds(200)));
            continue;
        }
        if (!nothing_due) continue;
        // Nothing in flight and nothing due now: finished, or wait for a backoff to end.
        committer.sync();
        const auto counts = committer.with_queue([](Queue& q) { return q.counts(); });
        const auto queued = counts.of(MessageState::queued);
        if (queued == 0) break;
        if (static_cast<std::int64_t>(exhausted.size()) >= queued) break;
        double wait_s = std::max(0.0, counts.next_attempt - unix_now());
        if (o.max_seconds > 0) {
            const double left = o.max_seconds - seconds_between(t0, now);
            if (left <= 0) break;
            wait_s = std::min(wait_s, left);
        }
        clock.sleep_for(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(std::min(wait_s, 0.2) + 0.001)));
        committer.rewake();
    }
    committer.finish();
    const auto counts = queue.counts();
    report.remaining = counts.of(MessageState::queued);
    report.stopped_early = stop_claiming && report.remaining > 0;
    report.max_window = static_cast<std::int64_t>(meter.max());
    const double span = seconds_between(first_start, last_start);
    report.achieved_rate = t.sent > 1 && span > 0 ? static_cast<double>(t.sent - 1) / span : 0;
    t.in_flight = 0;
    t.elapsed = seconds_between(t0, clock.now());
    t.current_rate = limiter.unlimited() ? 0 : limiter.rate();
    report.ended_at = timestamp_now();
    queue.add_run({report.started_at, report.ended_at, t.sent, o.rate, report.achieved_rate,
                   report.max_window});
    return report;
}

RateRequest read_rate_request(std::string_view text, bool force, std::string_view as) {
    const auto r = parse_rate_request(text, force);
    if (!r) {
        throw usage_error(fmt::format("{} '{}' is not a number of sends per second above 0 (at most 1000000) or "
                                      "'unlimited'",
                                      as, text));
    }
    return *r;
}

std::optional<RateRequest> parse_rate_request(std::string_view text, bool force) {
    RateRequest r;
    r.force = force;
    if (text.empty()) return r;
    if (text == "unlimited") {
        r.kind = RateRequest::Kind::unlimited;
        return r;
    }
    double v = 0;
    const auto* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || p != end || !(v > 0) || v > 1e6) return std::nullopt;
    r.kind = RateRequest::Kind::rate;
    r.rate = v;
    return r;
}

RuleCap queued_rule_cap(Queue& queue, const RuleSet& rules) {
    RuleCap cap;
    std::vector<std::pair<std::string, std::string>> seen;
    queue.list(MessageState::queued, [&](const Message& m) {
        std::pair<std::string, std::string> pair{m.country, m.system};
        if (m.system.empty() || std::find(seen.begin(), seen.end(), pair) != seen.end()) return;
        seen.push_back(std::move(pair));
        for (const auto* p : rules.match(m.country, m.system)) {
            if (p->rate_cap && (cap.rate == 0 || p->rate_cap->messages_per_second < cap.rate)) {
                cap.rate = p->rate_cap->messages_per_second;
                cap.from = fmt::format("{} ({})", p->id,
                                       p->rate_cap->origin.source.empty() ? p->origin.source
                                                                          : p->rate_cap->origin.source);
            }
        }
    });
    return cap;
}

}  // namespace bcp
