// Unit tests of bcp/replay/report.hpp: the replay records as bcp-replay prints them.
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "bcp/replay/report.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace report_test {

namespace {

bcp::Message sample() {
    bcp::Message m;
    m.key = "BE-EXP-1";
    m.state = bcp::MessageState::rejected;
    m.country = "BE";
    m.system = "AES";
    m.attempts = 1;
    m.last_status = 422;
    m.last_response = "line one\r\nline two\n";
    m.body = R"({"lrn":"BE-EXP-1"})";
    m.annotation = R"({"procedure":"be-aes-emergency"})";
    m.note = "checked by phone";
    return m;
}

}  // namespace

TEST_CASE("a message as JSON, and as one line with its body and annotation spliced in") {
    const auto m = sample();
    const auto j = bcp::to_json(m);
    CHECK(j["state"] == "rejected");
    CHECK(j["last_status"] == 422);
    CHECK(j["note"] == "checked by phone");
    CHECK(j.find("body") == j.end());
    const auto line = nlohmann::json::parse(bcp::message_line(m, true, true));
    CHECK(line["body"]["lrn"] == "BE-EXP-1");
    CHECK(line["annotation"]["procedure"] == "be-aes-emergency");
    // A body that is not JSON is kept as a string, never lost.
    auto bad = m;
    bad.body = "not json {";
    CHECK(nlohmann::json::parse(bcp::message_line(bad, true, false))["body"] == "not json {");
}

TEST_CASE("a message as text: the response flattened onto one line, the note shown") {
    const auto text = bcp::to_text(sample(), false);
    CHECK(text.find("BE-EXP-1") == 0);
    CHECK(text.find("last status 422") != std::string::npos);
    CHECK(text.find("    last response: line one | line two\n") != std::string::npos);
    CHECK(text.find("    note: checked by phone\n") != std::string::npos);
    CHECK(text.find("annotation") == std::string::npos);
    CHECK(bcp::to_text(sample(), true).find("    annotation: {") != std::string::npos);
}

TEST_CASE("a queue's status and a run's summary") {
    bcp::QueueCounts c;
    c.by_state[static_cast<int>(bcp::MessageState::queued)] = 3;
    const auto j = bcp::status_json("q.db", c, std::nullopt);
    CHECK(j["counts"]["queued"] == 3);
    CHECK(j["last_run"].is_null());
    CHECK(bcp::status_text("q.db", c, std::nullopt).find("  queued   3\n") != std::string::npos);
    bcp::ReplayReport r;
    r.totals.sent = 10;
    r.achieved_rate = 9.96;
    r.max_jitter_ms = 12.34;
    const auto s = bcp::to_json(r, 0);
    CHECK(s["sent"] == 10);
    CHECK(s["rate_limit"].is_null());
    CHECK(s["achieved_rate"] == doctest::Approx(10.0));
    CHECK(s["max_jitter_ms"] == doctest::Approx(12.3));
}

TEST_CASE("progress: done out of the total, the rate so far and the time left") {
    bcp::ReplayProgress p;
    p.sent = 200;
    p.accepted = 150;
    p.rejected = 30;
    p.unknown = 20;
    p.in_flight = 4;
    p.elapsed = 2;
    CHECK(bcp::progress_text(p, 100200) ==
          "200/100200 done  sent 200  accepted 150  rejected 30  unknown 20  retry 0  not sent 0  "
          "in flight 4  100/s  ETA 0:16:40");
    CHECK(bcp::progress_text(p, 200).ends_with("ETA 0:00:00"));
    p.elapsed = 0;
    CHECK(bcp::progress_text(p, 1000).ends_with("0/s  ETA ?"));
}

TEST_CASE("needs a verdict: one and many") {
    CHECK(bcp::needs_verdict_text(1).starts_with("1 message needs a verdict (state unknown: it may"));
    CHECK(bcp::needs_verdict_text(3).starts_with("3 messages need a verdict (state unknown: they may"));
}

TEST_CASE("migrate and copy records") {
    CHECK(bcp::migrate_json("q.db", 3, 0).dump() == R"({"found":null,"migrated":true,"queue":"q.db","schema":3})");
    CHECK(bcp::migrate_json("q.db", 3, 3).dump() == R"({"found":3,"migrated":false,"queue":"q.db","schema":3})");
    bcp::CopyReport c;
    c.copied = 2;
    c.present = 1;
    c.by_state[static_cast<int>(bcp::MessageState::queued)] = 2;
    const auto j = bcp::to_json(c, "a.db", "postgresql://h/db");
    CHECK(j["copied"] == 2);
    CHECK(j["already_there"] == 1);
    CHECK(j["copied_by_state"]["queued"] == 2);
    CHECK(j["copied_by_state"]["held"] == 0);
    CHECK(j["to"] == "postgresql://h/db");
}

}  // namespace report_test
