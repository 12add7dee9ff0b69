// What every queue store shares: states, clocks, where a location points, and the handle.
#include "bcp/replay/queue.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"

namespace bcp {

std::string_view to_string(MessageState s) noexcept {
    switch (s) {
        case MessageState::queued: return "queued";
        case MessageState::sending: return "sending";
        case MessageState::accepted: return "accepted";
        case MessageState::rejected: return "rejected";
        case MessageState::unknown: return "unknown";
        case MessageState::held: return "held";
    }
    return "unknown";
}

std::optional<MessageState> parse_state(std::string_view s) noexcept {
    for (auto st : all_states) {
        if (to_string(st) == s) return st;
    }
    return std::nullopt;
}

std::optional<MessageState> parse_verdict(std::string_view s) noexcept {
    if (s == "accepted") return MessageState::accepted;
    if (s == "rejected") return MessageState::rejected;
    if (s == "retry") return MessageState::queued;
    return std::nullopt;
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string timestamp_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       ms.count() % 1000);
}

std::filesystem::path default_queue_path() { return state_dir() / "replay.db"; }

QueueKind queue_kind(std::string_view text) {
    const auto colon = text.find("://");
    if (colon == std::string_view::npos || colon == 0) return QueueKind::sqlite;
    const std::string_view scheme = text.substr(0, colon);
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const bool url = letter(scheme[0]) && std::all_of(scheme.begin(), scheme.end(), [&](char c) {
                         return letter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
                                c == '.';
                     });
    if (!url) return QueueKind::sqlite;
    if (scheme == "postgresql" || scheme == "postgres") return QueueKind::postgresql;
    throw usage_error(fmt::format("'{}://...' is a URL with the scheme '{}', which is not a queue: "
                                  "give an SQLite file path or a postgresql:// URL",
                                  scheme, scheme));
}

Queue::Queue(std::unique_ptr<QueueBackend> backend) : b_(std::move(backend)) {}
Queue::Queue(Queue&&) noexcept = default;
Queue& Queue::operator=(Queue&&) noexcept = default;
Queue::~Queue() = default;

Queue Queue::open(const std::string& location, bool create) {
    if (queue_kind(location) == QueueKind::postgresql) {
        return Queue(open_postgresql_queue(location));
    }
    return Queue(open_sqlite_queue(location, create));
}

CopyReport copy_queue(Queue& from, Queue& to) {
    // The same queue however it is spelt: one file under two paths (q.db, ./q.db, a link),
    // or one URL twice.
    std::error_code ec;
    if (from.location() == to.location() ||
        (!from.shared() && !to.shared() &&
         std::filesystem::equivalent(from.location(), to.location(), ec))) {
        throw usage_error("the queue to copy and the queue to copy into are the same");
    }
    std::unique_ptr<Runner> hold;
    if (!from.shared()) {
        hold = from.join({});
    } else if (const auto live = from.runners(); !live.empty()) {
        throw busy_error(fmt::format("{} has {} runner{}: stop them before copying",
                                     from.location(), live.size(), live.size() == 1 ? "" : "s"));
    }
    CopyReport c;
    to.begin();
    try {
        from.list(std::nullopt, [&](const Message& m) {
            if (to.import(m) == EnqueueResult::duplicate) {
                ++c.present;
                return;
            }
            ++c.copied;
            const auto s = m.state == MessageState::sending ? MessageState::unknown : m.state;
            ++c.by_state[static_cast<int>(s)];
        });
    } catch (...) {
        // What was copied is kept: a second copy goes on from there.
        try {
            to.commit();
        } catch (const std::exception&) {
        }
        throw;
    }
    to.commit();
    return c;
}

}  // namespace bcp
