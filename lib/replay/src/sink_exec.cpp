// The exec sink (a program per message, argv without a shell, message on stdin) and the stream
// sink (JSON Lines on an output stream).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/replay/sink.hpp"

extern char** environ;

namespace bcp {
namespace {

struct Job {
    std::int64_t id = 0;
    std::string key;
    std::string body;
};

// Runs one program with `input` on stdin; returns the outcome.
SinkResult run_program(const ExecOptions& o, const Job& job) {
    SinkResult r;
    r.id = job.id;
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) throw io_error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        ::close(in_pipe[0]);
        ::close(in_pipe[1]);
        throw io_error(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    std::vector<char*> argv;
    for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // The environment, with the idempotency key for the program to pass on.
    std::vector<std::string> env_store;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::strncmp(*e, "BCP_IDEMPOTENCY_KEY=", 20) != 0) env_store.emplace_back(*e);
    }
    env_store.push_back("BCP_IDEMPOTENCY_KEY=" + job.key);
    std::vector<char*> envp;
    envp.reserve(env_store.size() + 1);
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        // The program never ran: nothing was delivered.
        r.state = MessageState::queued;
        r.push_back = true;
        r.response = fmt::format("cannot run {}: {}", o.argv[0], std::strerror(rc));
        return r;
    }
    ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    int to_child = in_pipe[1];
    int from_child = out_pipe[0];
    if (job.body.empty()) {
        ::close(to_child);
        to_child = -1;
    }
    const auto deadline = std::chrono::steady_clock::now() + o.timeout;
    bool timed_out = false;
    char buf[8192];
    while (from_child >= 0) {
        pollfd fds[2];
        nfds_t n = 0;
        fds[n++] = {from_child, POLLIN, 0};
        if (to_child >= 0) fds[n++] = {to_child, POLLOUT, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int ready = ::poll(fds, n, static_cast<int>(std::min<long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) break;
        if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t k = ::write(to_child, job.body.data() + written, job.body.size() - written);
            if (k > 0) written += static_cast<std::size_t>(k);
            if (k < 0 && errno != EAGAIN && errno != EINTR) written = job.body.size();  // EPIPE
            if (written >= job.body.size()) {
                ::close(to_child);
                to_child = -1;
            }
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t k = ::read(from_child, buf, sizeof buf);
            if (k > 0) {
                const std::size_t room = o.max_output - std::min(o.max_output, r.response.size());
                r.response.append(buf, std::min(static_cast<std::size_t>(k), room));
            } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
                ::close(from_child);
                from_child = -1;
            }
        }
    }
    if (to_child >= 0) ::close(to_child);
    if (from_child >= 0) ::close(from_child);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        r.state = MessageState::unknown;
        r.response = fmt::format("killed after {} ms: it may have delivered the message",
                                 o.timeout.count());
        return r;
    }
    if (WIFEXITED(status)) {
        const int code = WEXITSTATUS(status);
        r.status = code;
        r.state = code == 0    ? MessageState::accepted
                  : code == 1  ? MessageState::rejected
                  : code == 75 ? MessageState::queued  // EX_TEMPFAIL: try again later
                               : MessageState::unknown;
    } else {
        r.state = MessageState::unknown;
        r.response += fmt::format("\n[killed by signal {}]", WTERMSIG(status));
    }
    return r;
}

class ExecSink final : public Sink {
public:
    explicit ExecSink(ExecOptions o) : o_(std::move(o)) {
        const std::size_t n = std::max<std::size_t>(1, o_.concurrency);
        for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
    }
    ExecSink(const ExecSink&) = delete;
    ExecSink& operator=(const ExecSink&) = delete;
    ~ExecSink() override {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        jobs_cv_.notify_all();
        for (auto& w : workers_) w.join();
    }

    void start(const Message& m, std::string body) override {
        {
            std::lock_guard lock(mu_);
            jobs_.push_back(Job{m.id, m.key, std::move(body)});
            ++in_flight_;
        }
        jobs_cv_.notify_one();
    }

    std::vector<SinkResult> poll(std::chrono::milliseconds timeout) override {
        std::unique_lock lock(mu_);
        if (done_.empty() && in_flight_ > 0) {
            done_cv_.wait_for(lock, timeout, [this] { return !done_.empty(); });
        }
        std::vector<SinkResult> out(std::make_move_iterator(done_.begin()),
                                    std::make_move_iterator(done_.end()));
        done_.clear();
        in_flight_ -= out.size();
        return out;
    }

    std::size_t in_flight() const override {
        std::lock_guard lock(mu_);
        return in_flight_;
    }

private:
    void work() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mu_);
                jobs_cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (jobs_.empty()) return;
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            SinkResult r;
            try {
                r = run_program(o_, job);
            } catch (const std::exception& e) {
                r.id = job.id;
                r.state = MessageState::queued;
                r.response = e.what();
            }
            {
                std::lock_guard lock(mu_);
                done_.push_back(std::move(r));
            }
            done_cv_.notify_one();
        }
    }

    ExecOptions o_;
    mutable std::mutex mu_;
    std::condition_variable jobs_cv_, done_cv_;
    std::deque<Job> jobs_;
    std::vector<SinkResult> done_;
    std::size_t in_flight_ = 0;
    bool stop_ = false;
    std::vector<std::thread> workers_;
};

class StreamSink final : public Sink {
public:
    explicit StreamSink(std::ostream& out) : out_(out) {}
    void start(const Message& m, std::string body) override {
        out_.write(body.data(), static_cast<std::streamsize>(body.size()));
        out_.put('\n');
        SinkResult r;
        r.id = m.id;
        if (out_) {
            r.state = MessageState::accepted;
        } else {
            // The reader went away: the line may or may not have been read.
            r.state = MessageState::unknown;
            r.response = "output closed";
        }
        done_.push_back(std::move(r));
    }
    std::vector<SinkResult> poll(std::chrono::milliseconds) override {
        out_.flush();
        std::vector<SinkResult> out;
        out.swap(done_);
        return out;
    }
    std::size_t in_flight() const override { return done_.size(); }

private:
    std::ostream& out_;
    std::vector<SinkResult> done_;
};

}  // namespace

std::vector<std::string> split_command(std::string_view s) {
    std::vector<std::string> argv;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
                cur.push_back(s[++i]);
            } else {
                cur.push_back(c);
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < s.size()) {
            cur.push_back(s[++i]);
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) argv.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur.push_back(c);
            in_word = true;
        }
    }
    if (quote != 0) throw usage_error(fmt::format("unterminated {} quote in command", quote));
    if (in_word) argv.push_back(std::move(cur));
    if (argv.empty()) throw usage_error("empty command after exec:");
    return argv;
}

std::unique_ptr<Sink> make_exec_sink(ExecOptions options) {
    if (options.argv.empty()) throw usage_error("empty command after exec:");
    return std::make_unique<ExecSink>(std::move(options));
}

std::unique_ptr<Sink> make_stream_sink(std::ostream& out) {
    return std::make_unique<StreamSink>(out);
}

}  // namespace bcp
