// Unit tests of bcp/notice/notice_statuspage.hpp: Atlassian Statuspage JSON (incidents,
// scheduled maintenances, summary) into raw notices with exact times and component context.
#include <string>

#include <doctest/doctest.h>

#include "bcp/core/error.hpp"
#include "bcp/core/time.hpp"
#include "bcp/notice/notice_statuspage.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_statuspage_test {

TEST_CASE("a scheduled maintenance keeps its window, its updates and its components") {
    const std::string json = R"({"scheduled_maintenances":[{"id":"m1","name":"DMS maintenance",
      "status":"scheduled","created_at":"2026-03-01T10:00:00.000+01:00",
      "scheduled_for":"2026-03-07T08:00:00.000+01:00","scheduled_until":"2026-03-07T13:00:00.000+01:00",
      "components":[{"name":"NL - DMS Import"}],
      "incident_updates":[{"status":"scheduled","body":"Messages are buffered during the maintenance.",
        "created_at":"2026-03-01T10:00:00.000+01:00"}]}]})";
    const auto notices = bcp::read_statuspage(json);
    REQUIRE(notices.size() == 1);
    const auto& n = notices[0];
    CHECK(n.title == "DMS maintenance");
    REQUIRE(n.window_start.has_value());
    REQUIRE(n.window_end.has_value());
    CHECK(bcp::format_rfc3339(*n.window_start) == "2026-03-07T07:00:00Z");
    CHECK(bcp::format_rfc3339(*n.window_end) == "2026-03-07T12:00:00Z");
    CHECK(n.context.find("NL - DMS Import") != std::string::npos);
    REQUIRE(n.updates.size() == 1);
    CHECK(n.updates[0].text == "Messages are buffered during the maintenance.");
    REQUIRE(n.updates[0].at.has_value());
    CHECK(bcp::format_rfc3339(*n.updates[0].at) == "2026-03-01T09:00:00Z");
}

TEST_CASE("incidents: one notice each, updates with their exact times") {
    const std::string json = R"({"incidents":[
      {"id":"a","name":"AES outage","status":"resolved","created_at":"2026-02-01T08:00:00Z",
       "incident_updates":[{"status":"resolved","body":"Resolved.","created_at":"2026-02-01T10:00:00Z"},
                           {"status":"investigating","body":"AES is down.","created_at":"2026-02-01T08:00:00Z"}]},
      {"id":"b","name":"NCTS slow","status":"monitoring","created_at":"2026-02-02T08:00:00Z",
       "incident_updates":[]}]})";
    const auto notices = bcp::read_statuspage(json);
    REQUIRE(notices.size() == 2);
    CHECK(notices[0].title == "AES outage");
    REQUIRE(notices[0].updates.size() == 2);
    CHECK_FALSE(notices[0].window_start.has_value());
    CHECK(notices[1].title == "NCTS slow");
}

TEST_CASE("JSON that is not a Statuspage document is refused, not guessed") {
    CHECK_THROWS_AS(static_cast<void>(bcp::read_statuspage("{\"incidents\":")), bcp::error);
    CHECK_THROWS_AS(static_cast<void>(bcp::read_statuspage("[1,2,3]")), bcp::error);
}

}  // namespace notice_statuspage_test
