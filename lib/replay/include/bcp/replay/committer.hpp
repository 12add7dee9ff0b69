// The replay queue's disk work on a thread of its own: claims messages ahead of the sends and
// records outcomes, both in one commit.
//
// Every commit of the queue is durable (synchronous=FULL: it waits for fsync). Done on the send
// loop, each slow fsync is a gap in the pacing that the rate cap does not let the runner make up
// later: with 20 ms commits (a busy disk, a network file system) a run at --rate 400 reached
// only 287/s. Here the send loop takes already-claimed messages from memory and hands outcomes
// back; the claims stay ahead by the claim horizon.
//
// The never-twice rule is unchanged: a message reaches take() only after the commit that marked
// it `sending` returned. What a crash leaves in `sending` is what was in flight, what was
// claimed ahead (the horizon: 20 ms of sends, or three commit times when commits are slower,
// at most 100 ms) and outcomes not yet committed (at most 50 ms of them); the next run turns it
// into `unknown`, never into a second send.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bcp/replay/queue.hpp"

namespace bcp {

class Committer {
public:
    using Clock = std::chrono::steady_clock;

    // Outcomes are committed once `flush_batch` are waiting or the oldest is `flush_every` old.
    static constexpr std::size_t flush_batch = 512;
    static constexpr std::chrono::milliseconds flush_every{50};

    // `rate`: sends per second (0: unthrottled, then `concurrency` messages are kept claimed).
    // With `resend_unknown`, `unknown` messages are claimed first, then queued ones.
    Committer(Queue& queue, double rate, std::size_t concurrency, bool resend_unknown);
    Committer(const Committer&) = delete;
    Committer& operator=(const Committer&) = delete;
    // Gives back what was claimed and not taken (as queued: it never left), commits pending
    // outcomes, and stops the thread. Errors at this point are not reported: call finish().
    ~Committer();

    // The next claimed message, if one is ready. Rethrows an error of the queue.
    [[nodiscard]] std::optional<Message> take();
    // Nothing ready, no claim under way, and the last claim found nothing due.
    [[nodiscard]] bool dry();
    // Waits up to `timeout` for a message to be ready (or the queue to run dry).
    void wait_ready(Clock::duration timeout);
    // Messages may have become due (a backoff ended): claim again.
    void rewake();
    // The current send rate (it drops while the gateway pushes back): sets the claim horizon.
    void set_rate(double rate);

    // Records an outcome (committed within flush_every).
    void submit(Outcome outcome);

    // Stops claiming until resume(); what was claimed and not taken goes back to `queued`.
    void pause();
    void resume();

    // Waits until every submitted outcome is committed. Rethrows an error of the queue.
    void sync();
    // Runs `f(queue)` with the queue to itself (the thread is idle meanwhile).
    template <typename F>
    auto with_queue(F&& f) {
        std::unique_lock lock(mutex_);
        ++exclusive_;
        changed_.wait(lock, [&] { return !busy_; });
        lock.unlock();
        struct Release {
            Committer& c;
            ~Release() {
                const std::lock_guard relock(c.mutex_);
                --c.exclusive_;
                c.changed_.notify_all();
            }
        } release{*this};
        return f(queue_);
    }
    // Gives back what was not taken, commits everything and stops the thread. Rethrows an
    // error of the queue.
    void finish();

    // Seconds a commit took lately (moving average): for reports and tests.
    [[nodiscard]] double commit_seconds();
    // How many messages are claimed ahead now at most.
    [[nodiscard]] std::size_t horizon();

private:
    void run();
    void give_back_locked();
    [[nodiscard]] std::size_t want_locked() const;
    [[nodiscard]] bool claim_needed_locked() const;
    void throw_if_failed_locked();

    Queue& queue_;
    std::size_t concurrency_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Message> ready_;
    std::vector<Outcome> outcomes_;
    Clock::time_point oldest_outcome_{};
    double rate_;
    double commit_s_ = 0;
    bool resend_unknown_;
    bool claiming_ = true;
    bool dry_ = false;
    bool busy_ = false;
    bool quit_ = false;
    int syncing_ = 0;
    int exclusive_ = 0;
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace bcp
