#include "bcp/replay/enqueue.hpp"

#include <utility>

#include <fmt/format.h>

#include "bcp/core/json_text.hpp"

namespace bcp {

Enqueue::Enqueue(Queue& queue, AdmitOptions options, std::istream* events_stdin,
                 std::string& results, std::function<void()> committed)
    : q_(queue), admitter_(std::move(options), events_stdin), out_(results),
      committed_cb_(std::move(committed)) {}

void Enqueue::store(const std::function<void()>& read) {
    q_.begin();
    try {
        read();
        q_.commit();
    } catch (const bcp::error& e) {
        // What was read before the failure is kept: commit it, then pass the failure on. When
        // the commit itself fails (disk full), the batch is gone and so are its results.
        try {
            q_.commit();
        } catch (const std::exception&) {
            throw lost_batch(e);
        }
        throw;
    } catch (...) {
        try {
            q_.commit();
        } catch (const std::exception&) {
        }
        throw;
    }
    committed_ = out_.size();
}

void Enqueue::too_long(std::size_t number, std::size_t length) {
    result(number, "", "invalid", fmt::format("line of {} bytes is too long", length));
}

void Enqueue::line(std::string_view file, std::size_t number, std::string_view text) {
    if (pending_ == 0) {
        batch_file_ = file;
        batch_line_ = number;
    }
    auto a = admitter_.admit(text);
    if (a.verdict == Admission::Verdict::invalid) {
        result(number, a.key, "invalid", a.reason);
    } else {
        switch (q_.enqueue(a.message)) {
            case Queue::Added::enqueued:
                ++stored_;
                result(number, a.key, "enqueued");
                break;
            case Queue::Added::held:
                ++stored_;
                result(number, a.key, "held", a.message.held_reason, a.message.held_source);
                break;
            case Queue::Added::duplicate:
                result(number, a.key, "duplicate",
                       "a message with this key is already in the queue; it was not changed");
                break;
        }
    }
    if (++pending_ >= batch_size) commit();
}

// Commits the batch, and only then lets its results out (a full disk used to roll back 5000
// results already reported).
void Enqueue::commit() {
    q_.commit();
    if (committed_cb_) committed_cb_();
    committed_ = out_.size();
    pending_ = 0;
    q_.begin();
}

io_error Enqueue::lost_batch(const bcp::error& e) {
    out_.resize(committed_);
    return io_error(fmt::format("{}; nothing from line {} of {} on was stored", e.what(), batch_line_,
                                batch_file_),
                    e.file());
}

void Enqueue::result(std::size_t line, const std::string& key, std::string_view outcome,
                     std::string_view reason, std::string_view source) {
    out_.append(R"({"line":)");
    out_.append(std::to_string(line));
    out_.append(R"(,"key":)");
    if (key.empty()) {
        out_.append("null");
    } else {
        append_json_string(out_, key);
    }
    out_.append(R"(,"result":")");
    out_.append(outcome);
    out_.push_back('"');
    if (!reason.empty()) {
        out_.append(R"(,"reason":)");
        append_json_string(out_, reason);
    }
    if (!source.empty()) {
        out_.append(R"(,"source":)");
        append_json_string(out_, source);
    }
    out_.append("}\n");
    if (outcome == "invalid" || outcome == "duplicate") ++skipped_;
    if (outcome == "invalid") ++invalid_;
}

}  // namespace bcp
