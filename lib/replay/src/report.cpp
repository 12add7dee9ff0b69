#include "bcp/replay/report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bcp/core/json_text.hpp"

namespace bcp {

using json = nlohmann::json;  // keys in name order, as bcp-replay has always printed them

namespace {


double tenths(double v) { return std::round(v * 10) / 10; }

}  // namespace

json to_json(const Message& m) {
    json j{{"key", m.key},
            {"state", to_string(m.state)},
            {"country", m.country},
            {"system", m.system},
            {"attempts", m.attempts},
            {"prepared_at", m.prepared_at.empty() ? json() : json(m.prepared_at)},
            {"enqueued_at", m.enqueued_at},
            {"updated_at", m.updated_at},
            {"last_status", m.last_status ? json(*m.last_status) : json()},
            {"last_response", m.last_response.empty() ? json() : json(m.last_response)}};
    if (m.state == MessageState::held) {
        j["held_reason"] = m.held_reason;
        j["held_source"] = m.held_source;
    }
    if (!m.note.empty()) j["note"] = m.note;
    return j;
}

std::string message_line(const Message& m, bool body, bool annotation) {
    auto line = json_line(to_json(m));
    if (body) {
        line.pop_back();
        line += R"(,"body":)";
        if (accept_json(m.body)) {
            line += m.body;
        } else {
            append_json_string(line, m.body);
        }
        line += '}';
    }
    if (annotation) {
        line.pop_back();
        line += R"(,"annotation":)";
        line += m.annotation.empty() || !accept_json(m.annotation) ? "null" : m.annotation;
        line += '}';
    }
    return line;
}

std::string to_text(const Message& m, bool annotation) {
    std::string line = fmt::format("{:<24} {:<8} {}/{} attempts {}", m.key, to_string(m.state),
                                   m.country, m.system, m.attempts);
    if (m.last_status) line += fmt::format(" last status {}", *m.last_status);
    line += '\n';
    // One line each; a text of several lines is joined with " | ", a long one cut.
    auto detail = [&line](std::string_view label, std::string_view text) {
        if (text.empty()) return;
        std::string flat;
        for (char c : text.substr(0, 300)) {
            if (c == '\n') {
                flat += " | ";
            } else if (c != '\r') {
                flat += c;
            }
        }
        while (flat.size() >= 3 && flat.compare(flat.size() - 3, 3, " | ") == 0) {
            flat.resize(flat.size() - 3);
        }
        line += fmt::format("    {}: {}{}\n", label, flat, text.size() > 300 ? " ..." : "");
    };
    detail("last response", m.last_response);
    if (m.state == MessageState::held) detail("held", m.held_reason);
    detail("note", m.note);
    if (annotation) detail("annotation", m.annotation);
    return line;
}

json to_json(const RunnerInfo& r) {
    return json{{"id", r.id},
                {"host", r.host},
                {"pid", r.pid},
                {"started_at", r.started_at},
                {"heartbeat_at", r.heartbeat_at},
                {"lease_until", r.lease_until},
                {"rate", r.rate > 0 ? json(r.rate) : json()},
                {"share", std::isinf(r.share) ? json("unlimited") : json(tenths(r.share))},
                {"busy", r.busy}};
}

json status_json(std::string_view queue, const QueueCounts& c, const std::optional<RunRecord>& run,
                 const std::vector<RunnerInfo>* runners) {
    json counts = json::object();
    for (auto s : all_states) counts[std::string(to_string(s))] = c.of(s);
    json j{{"queue", queue}, {"counts", counts},
            {"oldest_queued", c.oldest_queued.empty() ? json() : json(c.oldest_queued)}};
    if (run) {
        j["last_run"] = {{"started_at", run->started_at}, {"ended_at", run->ended_at},
                         {"sent", run->sent},
                         {"rate_limit", run->rate_limit > 0 ? json(run->rate_limit) : json()},
                         {"achieved_rate", tenths(run->achieved)},
                         {"max_window", run->max_window}};
    } else {
        j["last_run"] = nullptr;
    }
    if (runners != nullptr) {
        json list = json::array();
        for (const auto& r : *runners) list.push_back(to_json(r));
        j["runners"] = std::move(list);
    }
    return j;
}

std::string status_text(std::string_view queue, const QueueCounts& c,
                        const std::optional<RunRecord>& run, const std::vector<RunnerInfo>* runners) {
    std::string text = fmt::format("queue {}\n", queue);
    for (auto s : all_states) text += fmt::format("  {:<9}{}\n", to_string(s), c.of(s));
    if (!c.oldest_queued.empty()) text += fmt::format("oldest queued: {}\n", c.oldest_queued);
    if (run) {
        text += fmt::format("last run: {} to {}, {} sent, {:.1f}/s (limit {}), busiest second {}\n",
                            run->started_at, run->ended_at, run->sent, run->achieved,
                            run->rate_limit > 0 ? fmt::format("{}/s", run->rate_limit)
                                                : std::string("none"),
                            run->max_window);
    }
    if (runners != nullptr) {
        text += fmt::format("runners: {}\n", runners->size());
        for (const auto& r : *runners) {
            text += fmt::format("  #{} {} pid {}  share {}  {}  lease until {}\n", r.id, r.host,
                                r.pid,
                                std::isinf(r.share) ? std::string("unlimited")
                                                    : fmt::format("{:.1f}/s", r.share),
                                r.busy ? "busy" : "idle", r.lease_until);
        }
    }
    return text;
}

json to_json(const ReplayReport& r, double rate) {
    return json{{"sent", r.totals.sent},
                 {"accepted", r.totals.accepted},
                 {"rejected", r.totals.rejected},
                 {"unknown", r.totals.unknown},
                 {"requeued", r.totals.requeued},
                 {"not_sent", r.totals.not_sent},
                 {"recovered", r.recovered},
                 {"remaining", r.remaining},
                 {"push_backs", r.push_backs},
                 {"rate_limit", rate > 0 ? json(rate) : json()},
                 {"achieved_rate", tenths(r.achieved_rate)},
                 {"max_window", r.max_window},
                 {"max_jitter_ms", tenths(r.max_jitter_ms)},
                 {"elapsed", std::round(r.totals.elapsed * 1000) / 1000},
                 {"stopped_early", r.stopped_early},
                 {"started_at", r.started_at},
                 {"ended_at", r.ended_at}};
}

std::string progress_text(const ReplayProgress& p, std::int64_t total) {
    const std::int64_t done = p.accepted + p.rejected + p.unknown;
    const double speed = p.elapsed > 0 ? static_cast<double>(p.sent) / p.elapsed : 0.0;
    std::string eta = "?";
    if (speed > 0 && total > done) {
        const auto left = static_cast<long>(static_cast<double>(total - done) / speed);
        eta = fmt::format("{}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60);
    } else if (total <= done) {
        eta = "0:00:00";
    }
    return fmt::format("{}/{} done  sent {}  accepted {}  rejected {}  unknown {}  retry {}  "
                       "not sent {}  in flight {}  {:.0f}/s  ETA {}",
                       done, total, p.sent, p.accepted, p.rejected, p.unknown, p.requeued,
                       p.not_sent, p.in_flight, speed, eta);
}

std::string needs_verdict_text(std::int64_t unknown) {
    const bool one = unknown == 1;
    return fmt::format("{} message{} need{} a verdict (state unknown: {} may have reached the "
                       "receiver); see bcp-replay list --state unknown, then bcp-replay resolve",
                       unknown, one ? "" : "s", one ? "s" : "", one ? "it" : "they");
}

nlohmann::json migrate_json(std::string_view queue, int schema, int found) {
    return nlohmann::json{{"queue", queue},
                          {"schema", schema},
                          {"found", found == 0 ? nlohmann::json() : nlohmann::json(found)},
                          {"migrated", found != schema}};
}

nlohmann::json to_json(const CopyReport& c, std::string_view from, std::string_view to) {
    nlohmann::json states = nlohmann::json::object();
    for (auto s : all_states) states[std::string(to_string(s))] = c.by_state[static_cast<int>(s)];
    return nlohmann::json{{"from", from},
                          {"to", to},
                          {"copied", c.copied},
                          {"already_there", c.present},
                          {"copied_by_state", states}};
}

}  // namespace bcp
