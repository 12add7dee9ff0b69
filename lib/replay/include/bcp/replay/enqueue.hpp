// Enqueueing: declaration lines admitted (admit.hpp) and stored in a queue in batches, with one
// JSON result line for each input line (bcp-replay(1), ENQUEUE). A result leaves only once its
// batch is committed: an "enqueued" line is a promise that the declaration is stored.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "bcp/core/error.hpp"
#include "bcp/replay/admit.hpp"
#include "bcp/replay/queue.hpp"

namespace bcp {

class Enqueue {
public:
    static constexpr std::size_t batch_size = 5000;

    // `results` is the buffer the result lines are appended to; `committed` is called after each
    // batch is committed, and may write the buffer out and clear it.
    Enqueue(Queue& queue, AdmitOptions options, std::istream* events_stdin, std::string& results,
            std::function<void()> committed);

    // Runs `read` inside the queue's transactions; `read` calls line() and too_long() for each
    // input line. What was read before a failure of `read` is committed before the failure is
    // passed on; when that commit fails too (a full disk), the batch's results are dropped and
    // the io_error says from which line of which file nothing was stored.
    void store(const std::function<void()>& read);

    void line(std::string_view file, std::size_t number, std::string_view text);
    void too_long(std::size_t number, std::size_t length);

    [[nodiscard]] bool all_stored() const noexcept { return skipped_ == 0; }
    [[nodiscard]] bool any_invalid() const noexcept { return invalid_ > 0; }
    [[nodiscard]] std::size_t stored() const noexcept { return stored_; }

private:
    void commit();
    void result(std::size_t line, const std::string& key, std::string_view outcome,
                std::string_view reason = {}, std::string_view source = {});
    [[nodiscard]] io_error lost_batch(const bcp::error& e);

    Queue& q_;
    Admitter admitter_;
    std::string& out_;
    std::function<void()> committed_cb_;
    std::size_t pending_ = 0, skipped_ = 0, stored_ = 0, invalid_ = 0;
    std::size_t committed_ = 0;  // bytes of the results that report committed work
    std::string batch_file_;
    std::size_t batch_line_ = 0;
};

}  // namespace bcp
