// The replay loop: drains a Queue into a Sink under a RateLimiter, claiming each message
// durably before it goes out and recording every outcome, so that no message is ever sent
// twice by the toolkit, whatever is killed when.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bcp/replay/queue.hpp"
#include "bcp/replay/rate.hpp"
#include "bcp/rules/rules.hpp"
#include "bcp/replay/sink.hpp"

namespace bcp {

struct ReplayProgress {
    // sent: requests written to the receiver; not_sent: started but nothing of them reached
    // it (connect refused or timed out, reset before a byte was acknowledged), back in queued.
    std::int64_t sent = 0, accepted = 0, rejected = 0, unknown = 0, requeued = 0, not_sent = 0;
    std::size_t in_flight = 0;
    double elapsed = 0;       // seconds
    double current_rate = 0;  // the limiter's current rate (0: unthrottled)
};

// The steady clock the replay loop reads and sleeps on. The default is the machine's; a test
// passes a virtual one (with a sink that advances it) to run the loop in simulated time.
class ReplayClock {
public:
    virtual ~ReplayClock() = default;
    [[nodiscard]] virtual RateLimiter::Time now() const = 0;
    virtual void sleep_for(RateLimiter::Clock::duration d) const = 0;
};
[[nodiscard]] const ReplayClock& steady_replay_clock() noexcept;

struct ReplayOptions {
    double rate = 0;              // sends per second at most (0: unthrottled)
    std::uint32_t burst = 1;      // sends that may start back to back
    std::size_t concurrency = 0;  // requests in flight at most (0: derived from the rate)
    double max_seconds = 0;       // stop starting new sends after this long (0: no limit)
    int retry_max = 5;            // retryable failures per message in one run
    bool resend_unknown = false;  // send `unknown` messages again (same key), first
    // The text to send for a message (default: its stored body).
    std::function<std::string(const Message&)> prepare;
    std::function<void(const ReplayProgress&)> progress;  // about 5 times a second
    const std::atomic<bool>* interrupt = nullptr;         // set by a signal: finish and stop
    const ReplayClock* clock = nullptr;                   // nullptr: steady_replay_clock()
    // The runner's place in the queue (Queue::join): its share of the rate and its lease. Null:
    // alone, at `rate`, with nothing to lose (tests of the loop).
    Runner* runner = nullptr;
};

struct ReplayReport {
    ReplayProgress totals;
    std::int64_t recovered = 0;       // found `sending` at start (a crashed run): now unknown
    std::int64_t remaining = 0;       // still queued at the end
    std::int64_t max_window = 0;      // most sends started in any one-second window
    double achieved_rate = 0;         // sends per second between the first and the last start
    double max_jitter_ms = 0;         // the largest dispatch lateness the window widened by
    std::int64_t push_backs = 0;      // 429/503 and refused connections
    bool stopped_early = false;       // deadline or interrupt with messages left
    std::string lease_lost;           // why the runner stopped when its lease was lost
    std::string started_at, ended_at;
};

// --- Policy of a run: which rate, and what the outcome means -----------------------------

// Without a cap from a rule, and without --rate, a run is conservative: the authority has not
// said what its gateway takes.
inline constexpr double default_rate = 10;               // sends per second
inline constexpr std::size_t default_in_flight = 4;      // requests in flight

// What the caller asked for: a rate, "unlimited", or nothing (the rule's cap, else the
// conservative default).
struct RateRequest {
    enum class Kind : std::uint8_t { unset, rate, unlimited };
    Kind kind = Kind::unset;
    double rate = 0;     // with Kind::rate, > 0
    bool force = false;  // a rate above the cap, or unlimited despite a cap
};

// Reads a rate as written ("12.5", "unlimited"; empty: unset). Null when it is neither a number
// above 0 and at most 1,000,000 nor "unlimited".
[[nodiscard]] std::optional<RateRequest> parse_rate_request(std::string_view text, bool force);
// parse_rate_request, or a usage error saying what a rate is; `as` names the value (a tool: its
// flag).
[[nodiscard]] RateRequest read_rate_request(std::string_view text, bool force, std::string_view as = "the rate");

// The strictest rate cap of the rules governing the queued messages' (country, system) pairs,
// and which rule sets it with its source; rate 0 when none caps them.
struct RuleCap {
    double rate = 0;
    std::string from;  // "eu-ics2-bcp (fi-1: \"...\")"
};
[[nodiscard]] RuleCap queued_rule_cap(Queue& queue, const RuleSet& rules);

struct RatePlan {
    double rate = 0;  // 0: unthrottled
    std::string why;  // one line for the operator: where the rate comes from
    bool above_cap = false;
};

// Decides the rate of a run from the request and the rules' cap (0: no rule gives one;
// `cap_from` names the rule and its source). Throws usage_error for a rate above the cap or
// unlimited despite a cap without `force`.
[[nodiscard]] RatePlan plan_rate(const RateRequest& request, double cap,
                                 std::string_view cap_from);

// The outcome of a run for the exit status: `verdicts` messages in the queue need a person
// (unknown: they may have reached the receiver), `rejected` were refused in this run,
// `remaining` are still queued.
enum class RunOutcome : std::uint8_t { done, needs_verdict, rejected, incomplete };
[[nodiscard]] RunOutcome run_outcome(const ReplayReport& report, std::int64_t unknown_in_queue);
// True when a run would find nothing to do: nothing queued (nor unknown, when those are to be
// re-sent) and nothing left sending by a runner that died.
[[nodiscard]] bool nothing_to_send(const QueueCounts& counts, bool resend_unknown) noexcept;

// The concurrency used when options.concurrency is 0: enough to hold the rate when each
// request takes a quarter of a second, within 4..256 (4 at the default 10/s); 64 when
// unthrottled (which is asked for explicitly).
[[nodiscard]] std::size_t default_concurrency(double rate);

// Runs one replay. The caller holds the RunnerLock. Throws what the queue throws.
[[nodiscard]] ReplayReport replay(Queue& queue, Sink& sink, const ReplayOptions& options);

}  // namespace bcp
