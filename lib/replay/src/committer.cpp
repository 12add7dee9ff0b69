#include "bcp/replay/committer.hpp"

#include <algorithm>
#include <cmath>

namespace bcp {
namespace {

// The claim horizon: at least 20 ms of sends, three commit times when commits are slower (one
// commit may start just as the stock runs low, and the next must not find it empty), and never
// more than 100 ms: that bounds what a crash can leave `unknown`.
constexpr double min_horizon_s = 0.020;
constexpr double max_horizon_s = 0.100;
constexpr double commits_ahead = 3;

}  // namespace

Committer::Committer(Queue& queue, double rate, std::size_t concurrency, bool resend_unknown)
    : queue_(queue),
      concurrency_(std::max<std::size_t>(1, concurrency)),
      rate_(rate),
      resend_unknown_(resend_unknown),
      thread_([this] { run(); }) {}

Committer::~Committer() {
    {
        const std::lock_guard lock(mutex_);
        if (!quit_) {
            claiming_ = false;
            quit_ = true;
        }
        changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
}

std::size_t Committer::want_locked() const {
    if (rate_ <= 0) return concurrency_;
    const double horizon = std::clamp(commits_ahead * commit_s_, min_horizon_s, max_horizon_s);
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(rate_ * horizon)));
}

bool Committer::claim_needed_locked() const {
    // Claim again once the stock is below half the horizon: batches, not one commit a message.
    return claiming_ && !dry_ && exclusive_ == 0 && ready_.size() * 2 < want_locked();
}

void Committer::throw_if_failed_locked() {
    if (error_) std::rethrow_exception(error_);
}

void Committer::give_back_locked() {
    // Claimed, never started: nothing left this machine, so they go back as they were.
    for (const auto& m : ready_) {
        if (outcomes_.empty()) oldest_outcome_ = Clock::now();
        outcomes_.push_back({m.id, MessageState::queued, m.last_status, m.last_response, 0, false});
    }
    ready_.clear();
}

void Committer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        const auto due = [&] {
            if (exclusive_ > 0) return false;
            return quit_ || claim_needed_locked() || outcomes_.size() >= flush_batch ||
                   (!outcomes_.empty() &&
                    (syncing_ > 0 || Clock::now() - oldest_outcome_ >= flush_every));
        };
        while (!due()) {
            if (outcomes_.empty() || exclusive_ > 0) {
                changed_.wait(lock);
            } else {
                changed_.wait_until(lock, oldest_outcome_ + flush_every);
            }
        }
        if (quit_) give_back_locked();
        std::vector<Outcome> outs;
        outs.swap(outcomes_);
        // Any commit tops the stock up: a flush then costs no extra commit later.
        const std::size_t want = want_locked();
        const std::size_t n = claiming_ && !dry_ && ready_.size() < want ? want - ready_.size() : 0;
        const bool unknown = resend_unknown_;
        if (outs.empty() && n == 0) {
            if (quit_) return;
            continue;
        }
        busy_ = true;
        lock.unlock();
        std::vector<Message> got;
        std::exception_ptr error;
        const auto t0 = Clock::now();
        try {
            got = queue_.exchange(outs, n, unix_now(), unknown);
        } catch (...) {
            error = std::current_exception();
        }
        const double took = std::chrono::duration<double>(Clock::now() - t0).count();
        lock.lock();
        busy_ = false;
        if (error) {
            error_ = error;
            changed_.notify_all();
            return;
        }
        // A moving average that follows a slowing disk quickly and a recovering one slowly.
        commit_s_ = took > commit_s_ ? 0.5 * commit_s_ + 0.5 * took : 0.9 * commit_s_ + 0.1 * took;
        if (got.size() < n) {
            if (unknown) {
                resend_unknown_ = false;  // the unknown ones are all out: on to the queued
            } else {
                dry_ = true;
            }
        }
        if (!claiming_) {
            // Stopped or paused while this claim was under way: back they go, next commit.
            for (auto& m : got) ready_.push_back(std::move(m));
            give_back_locked();
        } else {
            for (auto& m : got) ready_.push_back(std::move(m));
        }
        changed_.notify_all();
        if (quit_ && outcomes_.empty()) return;
    }
}

std::optional<Message> Committer::take() {
    const std::lock_guard lock(mutex_);
    throw_if_failed_locked();
    if (ready_.empty()) return std::nullopt;
    std::optional<Message> m(std::move(ready_.front()));
    ready_.pop_front();
    if (claim_needed_locked()) changed_.notify_all();
    return m;
}

bool Committer::dry() {
    const std::lock_guard lock(mutex_);
    throw_if_failed_locked();
    return ready_.empty() && dry_ && !busy_;
}

void Committer::wait_ready(Clock::duration timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] {
        return error_ || !ready_.empty() || (dry_ && !busy_) || !claiming_;
    });
    throw_if_failed_locked();
}

void Committer::rewake() {
    const std::lock_guard lock(mutex_);
    dry_ = false;
    changed_.notify_all();
}

void Committer::set_rate(double rate) {
    const std::lock_guard lock(mutex_);
    if (rate == rate_) return;
    rate_ = rate;
    if (claim_needed_locked()) changed_.notify_all();
}

void Committer::submit(Outcome outcome) {
    const std::lock_guard lock(mutex_);
    throw_if_failed_locked();
    if (outcomes_.empty()) oldest_outcome_ = Clock::now();
    outcomes_.push_back(std::move(outcome));
    if (outcomes_.size() == 1 || outcomes_.size() >= flush_batch) changed_.notify_all();
}

void Committer::pause() {
    std::unique_lock lock(mutex_);
    claiming_ = false;
    // A claim under way gives its messages back itself when it ends.
    give_back_locked();
    changed_.notify_all();
    throw_if_failed_locked();
}

void Committer::resume() {
    const std::lock_guard lock(mutex_);
    if (quit_) return;
    claiming_ = true;
    changed_.notify_all();
}

void Committer::sync() {
    std::unique_lock lock(mutex_);
    ++syncing_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return error_ || (outcomes_.empty() && !busy_); });
    --syncing_;
    throw_if_failed_locked();
}

void Committer::finish() {
    {
        std::unique_lock lock(mutex_);
        claiming_ = false;
        quit_ = true;
        changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    const std::lock_guard lock(mutex_);
    throw_if_failed_locked();
}

double Committer::commit_seconds() {
    const std::lock_guard lock(mutex_);
    return commit_s_;
}

std::size_t Committer::horizon() {
    const std::lock_guard lock(mutex_);
    return want_locked();
}

}  // namespace bcp
