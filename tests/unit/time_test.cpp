// Unit tests of bcp/core/time.hpp: local times in IANA zones across daylight-saving changes,
// RFC 3339 parsing and formatting, 24:00, and what is refused.
#include <doctest/doctest.h>

#include "bcp/core/error.hpp"
#include "bcp/core/time.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace time_test {

using bcp::LocalTime;

TEST_CASE("local times map to UTC in their zone, summer and winter") {
    CHECK(bcp::format_rfc3339(bcp::local_to_utc({2025, 11, 27, 11, 0, 0}, "Europe/Brussels")) ==
          "2025-11-27T10:00:00Z");
    CHECK(bcp::format_rfc3339(bcp::local_to_utc({2025, 6, 1, 10, 0, 0}, "Europe/Helsinki")) ==
          "2025-06-01T07:00:00Z");
    CHECK(bcp::format_rfc3339(bcp::local_to_utc({2025, 1, 15, 9, 30, 0}, "Europe/London")) ==
          "2025-01-15T09:30:00Z");
    const auto back = bcp::utc_to_local(bcp::local_to_utc({2025, 7, 4, 23, 59, 59}, "Europe/Oslo"),
                                        "Europe/Oslo");
    CHECK(back.day == 4);
    CHECK(back.hour == 23);
    CHECK(back.second == 59);
}

TEST_CASE("daylight-saving changes: the autumn hour is ambiguous, the spring hour does not exist") {
    bcp::LocalMapping m = bcp::LocalMapping::unique;
    // 26 October 2025, 02:30 happens twice in Brussels: the earlier instant (CEST) is taken.
    const auto autumn = bcp::local_to_utc({2025, 10, 26, 2, 30, 0}, "Europe/Brussels", &m);
    CHECK(m == bcp::LocalMapping::ambiguous);
    CHECK(bcp::format_rfc3339(autumn) == "2025-10-26T00:30:00Z");
    // 30 March 2025, 02:30 never happens: moved forward by the gap.
    const auto spring = bcp::local_to_utc({2025, 3, 30, 2, 30, 0}, "Europe/Brussels", &m);
    CHECK(m == bcp::LocalMapping::nonexistent);
    CHECK(bcp::format_rfc3339(spring) == "2025-03-30T01:30:00Z");
    static_cast<void>(bcp::local_to_utc({2025, 3, 30, 12, 0, 0}, "Europe/Brussels", &m));
    CHECK(m == bcp::LocalMapping::unique);
}

TEST_CASE("24:00 is the start of the next day; impossible dates and unknown zones are refused") {
    CHECK(bcp::format_rfc3339(bcp::local_to_utc({2025, 12, 31, 24, 0, 0}, "UTC")) ==
          "2026-01-01T00:00:00Z");
    CHECK_THROWS_AS(static_cast<void>(bcp::local_to_utc({2025, 2, 30, 10, 0, 0}, "UTC")), bcp::usage_error);
    CHECK_THROWS_AS(static_cast<void>(bcp::local_to_utc({2025, 2, 1, 25, 0, 0}, "UTC")), bcp::usage_error);
    CHECK_THROWS_AS(static_cast<void>(bcp::local_to_utc({2025, 2, 1, 10, 0, 0}, "Europe/Atlantis")),
                    bcp::usage_error);
    CHECK(bcp::is_zone("Europe/Tallinn"));
    CHECK_FALSE(bcp::is_zone("CET+1"));
    CHECK(bcp::days_in_month(2024, 2) == 29);
    CHECK(bcp::days_in_month(2025, 2) == 28);
    CHECK(bcp::days_in_month(2100, 2) == 28);
}

TEST_CASE("parse_time: RFC 3339 with Z or an offset, or a local time in the zone given") {
    auto at = [](const char* text, const char* zone = "Europe/Brussels") {
        const auto t = bcp::parse_time(text, zone);
        return t ? bcp::format_rfc3339(*t) : std::string("none");
    };
    CHECK(at("2025-11-27T10:00:00Z") == "2025-11-27T10:00:00Z");
    CHECK(at("2025-11-27T11:00+01:00") == "2025-11-27T10:00:00Z");
    CHECK(at("2025-11-27T11:00") == "2025-11-27T10:00:00Z");
    CHECK(at("2025-11-27 11:00:00") == "2025-11-27T10:00:00Z");
    CHECK(at("2025-11-27") == "2025-11-26T23:00:00Z");
    CHECK(at("2025-11-27T11:00", "Europe/Helsinki") == "2025-11-27T09:00:00Z");
    CHECK(at("27/11/2025 11:00") == "none");
    CHECK(at("2025-13-01T00:00") == "none");
    CHECK(at("") == "none");
    CHECK(at("tomorrow") == "none");
}

TEST_CASE("zone abbreviations follow the instant") {
    const auto winter = bcp::local_to_utc({2025, 1, 10, 12, 0, 0}, "Europe/Berlin");
    const auto summer = bcp::local_to_utc({2025, 7, 10, 12, 0, 0}, "Europe/Berlin");
    CHECK(bcp::zone_abbreviation(winter, "Europe/Berlin") == "CET");
    CHECK(bcp::zone_abbreviation(summer, "Europe/Berlin") == "CEST");
    CHECK(bcp::zone_abbreviation(summer, "Europe/London") == "BST");
}

TEST_CASE("resolve_instant: now, an offset, a local time only with a zone, named as the caller says") {
    CHECK(bcp::format_rfc3339(bcp::resolve_instant("2027-03-01T10:00:00+01:00", "", "--at", "--tz")) ==
          "2027-03-01T09:00:00Z");
    CHECK(bcp::format_rfc3339(bcp::resolve_instant("2027-03-01T10:00", "Europe/Helsinki", "--at", "--tz")) ==
          "2027-03-01T08:00:00Z");
    const auto message = [](const char* at, const char* zone) {
        try {
            (void)bcp::resolve_instant(at, zone, "--at", "--tz");
        } catch (const bcp::usage_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("2027-03-01T10:00", "") ==
          "--at '2027-03-01T10:00' has no UTC offset: add one (2027-03-01T10:00Z, 2027-03-01T10:00+01:00) or give "
          "--tz ZONE");
    CHECK(message("tomorrow", "") == "--at 'tomorrow' is not an RFC 3339 time");
    CHECK(message("now", "Mars/Olympus") == "--tz 'Mars/Olympus' is not an IANA time zone (e.g. Europe/Brussels)");
    CHECK(message("", "") == "no error");
}

}  // namespace time_test
