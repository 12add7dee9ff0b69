#include "bcp/replay/run.hpp"

#include "bcp/core/json_text.hpp"
#include "bcp/replay/admit.hpp"
#include "bcp/replay/report.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp {

std::string RunResult::summary() const {
    if (!report) return R"({"sent":0,"remaining":0,"message":"nothing to send"})";
    return json_line(to_json(*report, rate));
}

RunResult run_replay(Queue& queue, const RunRequest& request, std::ostream& stream) {
    const SinkKind kind = sink_kind(request.sink.spec);
    const RuleCap cap = queued_rule_cap(queue, RuleSet::load());
    const RatePlan plan = plan_rate(request.rate, cap.rate, cap.from);
    RunResult result;
    result.rate = plan.rate;
    result.summary_to_stderr = kind == SinkKind::stream;
    // With SQLite the queue's lock (busy), with PostgreSQL a lease among the runners.
    const auto runner = queue.join({request.wait, plan.rate, request.lease});
    auto sink = make_sink(request.sink, plan.rate, stream);
    ReplayOptions r = request.loop;
    r.rate = plan.rate;
    r.concurrency = sink_concurrency(kind, request.sink.concurrency, plan.rate);
    r.runner = runner.get();
    if (request.with_annotation) r.prepare = [](const Message& m) { return body_with_annotation(m); };
    const auto before = queue.counts();
    if (request.progress) {
        // Out of the messages waiting when the run began (those due now and later).
        const std::int64_t total = before.of(MessageState::queued) +
                                   (r.resend_unknown ? before.of(MessageState::unknown) : 0);
        r.progress = [&request, total](const ReplayProgress& p) { request.progress(p, total); };
    }
    if (nothing_to_send(before, r.resend_unknown)) {
        result.unknown = before.of(MessageState::unknown);
        result.end = result.unknown > 0 ? RunEnd::needs_verdict : RunEnd::nothing_to_send;
        return result;
    }
    // Said once the run is sure to start: where the rate comes from when it is not the cap.
    if (request.warn && (plan.above_cap || (request.rate.kind == RateRequest::Kind::unset && cap.rate == 0))) {
        request.warn(plan.why);
    }
    result.report = replay(queue, *sink, r);
    sink.reset();  // everything a "stdout" sink holds is written before the summary
    result.unknown = queue.counts().of(MessageState::unknown);
    if (!result.report->lease_lost.empty()) {
        result.end = RunEnd::lease_lost;
        return result;
    }
    switch (run_outcome(*result.report, result.unknown)) {
        case RunOutcome::needs_verdict: result.end = RunEnd::needs_verdict; break;
        case RunOutcome::rejected: result.end = RunEnd::rejected; break;
        case RunOutcome::incomplete: result.end = RunEnd::incomplete; break;
        case RunOutcome::done: result.end = RunEnd::done; break;
    }
    return result;
}

}  // namespace bcp
