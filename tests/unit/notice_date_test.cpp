// Dates and times as notices write them (bcp/notice_date.hpp): every format of customs4trade-1 and the
// issue, with their UTC instants, plus a round-trip property over generated dates.
#include <doctest/doctest.h>

#include <random>

#include <fmt/format.h>

#include "bcp/notice/notice_date.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_date_test {

using namespace bcp;

namespace {

// The first time found in `text`, resolved; "" when none.
std::string first(std::string_view text, std::string_view anchor = "2025-11-20T12:00:00Z",
                  std::string zone = "Europe/Brussels", std::vector<NoticeWarning>* out = nullptr,
                  bool compact = false) {
    const auto found = find_times(text, compact);
    if (found.empty()) return "";
    TimeContext ctx{parse_time(anchor, "UTC"), std::move(zone)};
    std::vector<NoticeWarning> w;
    const auto s = resolve_time(found.front().start, ctx, w);
    std::optional<UtcTime> e;
    if (found.front().end) e = resolve_time(*found.front().end, ctx, w);
    if (out) *out = w;
    std::string r = s ? format_rfc3339(*s) : "?";
    if (found.front().end) r += "/" + (e ? format_rfc3339(*e) : std::string("?"));
    return r;
}

}  // namespace

TEST_CASE("every date format of the Customs4trade status page (customs4trade-1)") {
    CHECK(first("Nov 27, 2025 11:00-13:00 CET") == "2025-11-27T10:00:00Z/2025-11-27T12:00:00Z");
    CHECK(first("Début: 22-11-25 à 07 :00") == "2025-11-22T06:00:00Z");
    CHECK(first("Start: 20-11-2025 at 08:00") == "2025-11-20T07:00:00Z");
    CHECK(first("from Sunday 07-12-2025 08:00 until (expected end-time) Sunday 07-12-2025 13:00") ==
          "2025-12-07T07:00:00Z/2025-12-07T12:00:00Z");
    CHECK(first("Saturday 13 December 2025 at 9:30pm", "2025-11-20T12:00:00Z", "Europe/London") ==
          "2025-12-13T21:30:00Z");
    CHECK(first("18 November 2025, 13:00 CET") == "2025-11-18T12:00:00Z");
    CHECK(first("13/11/2025, from 12:00 to 14:30") == "2025-11-13T11:00:00Z/2025-11-13T13:30:00Z");
    CHECK(first("from 15-11-2025 14:00 to 23:59 CET (13:00 to 22:59 UTC)") ==
          "2025-11-15T13:00:00Z/2025-11-15T22:59:00Z");
    CHECK(first("Thursday 27th November 2025 starting at 06:00 AM GMT to 07:30 AM GMT") ==
          "2025-11-27T06:00:00Z/2025-11-27T07:30:00Z");
    CHECK(first("prolonged until 21/11/25 9am CET") == "2025-11-21T08:00:00Z");
    CHECK(first("on 21122024 0025 CET", "2025-01-01T00:00:00Z", "Europe/Brussels", nullptr, true) ==
          "2024-12-20T23:25:00Z");
    CHECK(first("2 pm on Tuesday 25th November 2025 until 5 pm on Tuesday 25th November 2025",
                "2025-11-20T12:00:00Z", "Europe/London") == "2025-11-25T14:00:00Z/2025-11-25T17:00:00Z");
    CHECK(first("From Saturday, November 22, 2025, 8:00 PM to Thursday, November 23, 2025, 11:30 PM (CET)") ==
          "2025-11-22T19:00:00Z/2025-11-23T22:30:00Z");
    CHECK(first(" Début: 22-11-2025 à 07h00") == "2025-11-22T06:00:00Z");
    CHECK(first("on 13/11/2025, from 12:00 p.m., for 2 hours") == "2025-11-13T11:00:00Z");
    CHECK(first("next Thursday, November 27, 2025 at 12.30 CET") == "2025-11-27T11:30:00Z");
    CHECK(first("Dec 13, 2025 22:30 - Dec 14, 2025 22:30 CET") == "2025-12-13T21:30:00Z/2025-12-14T21:30:00Z");
}

TEST_CASE("a time-after marker written onto the minutes ('06:00u', '14:00h') keeps the time and its range") {
    CHECK(first("Start: 3/03/2026 om 06:00u") == "2026-03-03T05:00:00Z");
    CHECK(first("van 3/03/2026 om 06:00u tot 4/03/2026 om 10:00u") ==
          "2026-03-03T05:00:00Z/2026-03-04T09:00:00Z");
    CHECK(first("le 3 mars 2026 de 14:00h à 18:00h") == "2026-03-03T13:00:00Z/2026-03-03T17:00:00Z");
    CHECK(first("3 March 2026 2:30pm") == "2026-03-03T13:30:00Z");
    // Letters that are no time marker do not make a time: the date stays without one.
    CHECK(first("ref 3/03/2026 06:00xq") == "?");
}

TEST_CASE("ranges of clock times with no date, with the weekday written before them") {
    const auto r = find_dateless_ranges("The portal is closed on Saturday between 08:00 and 18:45. Back on 7 March 2026.");
    REQUIRE(r.size() == 1);
    CHECK(r[0].start.hour == 8);
    CHECK(r[0].start.minute == 0);
    CHECK(r[0].start.date.weekday == 5);
    CHECK(r[0].start.date.month == 0);
    REQUIRE(r[0].end);
    CHECK(r[0].end->hour == 18);
    CHECK(r[0].end->minute == 45);
    // A bare hour counts only after a time marker ("klo 14-18"); "articles 14-18" is no time.
    const auto klo = find_dateless_ranges("lauantaina klo 14-18 katko");
    REQUIRE(klo.size() == 1);
    CHECK(klo[0].start.date.weekday == 5);
    CHECK(find_dateless_ranges("see articles 14-18 of the regulation").empty());
    // No weekday in its sentence: -1; a weekday in the sentence before does not count.
    const auto none = find_dateless_ranges("It is Saturday. The window is 08:00-12:00.");
    REQUIRE(none.size() == 1);
    CHECK(none[0].start.date.weekday == -1);
    // Opening hours: a range of weekdays gives no weekday.
    const auto hours = find_dateless_ranges("Helpdesk: Monday to Friday 08:00-17:00");
    REQUIRE(hours.size() == 1);
    CHECK(hours[0].start.date.weekday == -1);
    // A range with its date is find_times's, not a dateless one.
    CHECK(find_dateless_ranges("from 14:00 to 18:00 on 3 March 2026").empty());
    CHECK(find_dateless_ranges("3 March 2026 14:00-18:00").empty());
}

TEST_CASE("French, Dutch and German names; dates without a year; 24:00") {
    CHECK(first("le lundi 1er décembre 2025 à 07h30") == "2025-12-01T06:30:00Z");
    CHECK(first("op zaterdag 6 december 2025 om 20:00") == "2025-12-06T19:00:00Z");
    CHECK(first("am Samstag, 6. Dezember 2025 um 20:00") == "2025-12-06T19:00:00Z");
    CHECK(first("le 3 MARS 2026 à 10:00") == "2026-03-03T09:00:00Z");
    CHECK(first("März 3, 2026 10:00") == "2026-03-03T09:00:00Z");
    // No year: the nearest date to the anchor, also across the new year.
    CHECK(first("Nov 27, 12:00 CET") == "2025-11-27T11:00:00Z");
    CHECK(first("Jan 2, 12:00 CET", "2025-12-30T12:00:00Z") == "2026-01-02T11:00:00Z");
    CHECK(first("Dec 30, 12:00 CET", "2026-01-02T12:00:00Z") == "2025-12-30T11:00:00Z");
    CHECK(first("6. Dezember von 20:00 bis 24:00") == "2025-12-06T19:00:00Z/2025-12-06T23:00:00Z");
    CHECK(month_from_name("août") == 8);
    CHECK(month_from_name("Mrt") == 3);
    CHECK(month_from_name("Thursday") == 0);
    CHECK(weekday_from_name("donderdag") == 3);
    CHECK(weekday_from_name("Sonntag") == 6);
    CHECK(weekday_of(2025, 11, 18) == 1);  // a Tuesday
    CHECK(weekday_of(2024, 2, 29) == 3);
}

TEST_CASE("next Thursday: the first such day after the anchor") {
    // 2025-11-20 is a Thursday: "next Thursday" is a week later.
    CHECK(first("next Thursday at 10:00") == "2025-11-27T09:00:00Z");
    CHECK(first("le jeudi prochain à 10h00") == "2025-11-27T09:00:00Z");
    CHECK(first("volgende maandag om 08:00 CET") == "2025-11-24T07:00:00Z");
    // A full date after it wins over the relative reading.
    CHECK(first("next Thursday, November 13, 2025 at 12.30 CET") == "2025-11-13T11:30:00Z");
}

TEST_CASE("warnings instead of silent guesses") {
    std::vector<NoticeWarning> w;
    CHECK(first("unavailable from Saturday 18-11-2025 09:02", "2025-11-18T00:00:00Z", "Europe/Brussels", &w) ==
          "2025-11-18T08:02:00Z");
    REQUIRE(w.size() == 1);
    CHECK(w[0].code == "weekday-mismatch");
    CHECK(w[0].message == "Saturday 18-11-2025 is a Tuesday, not a Saturday");
    // "CEST" in November: the wall clock is kept in Brussels time and the label reported.
    CHECK(first("November 13, 2025 at 12.30 CEST", "2025-11-06T12:00:00Z", "Europe/Brussels", &w) ==
          "2025-11-13T11:30:00Z");
    REQUIRE(w.size() == 1);
    CHECK(w[0].code == "zone-label-mismatch");
    CHECK(first("July 1, 2025 at 10:00 CET", "2025-06-20T12:00:00Z", "Europe/Brussels", &w) == "2025-07-01T08:00:00Z");
    CHECK(w.size() == 1);
    CHECK(first("July 1, 2025 at 10:00 CEST", "2025-06-20T12:00:00Z", "Europe/Brussels", &w) == "2025-07-01T08:00:00Z");
    CHECK(w.empty());
    // A date that does not exist.
    const auto found = find_times("31-11-2025 10:00");
    REQUIRE(found.size() == 1);
    std::vector<NoticeWarning> w2;
    CHECK_FALSE(resolve_time(found[0].start, TimeContext{}, w2).has_value());
    REQUIRE(w2.size() == 1);
    CHECK(w2[0].code == "date-invalid");
}

TEST_CASE("roles: start, end, next update") {
    auto role = [](std::string_view text) {
        const auto f = find_times(text);
        REQUIRE(!f.empty());
        return f.front().role;
    };
    CHECK(role("Start time:\n18 November 2025, 13:00 CET") == TimeRole::start);
    CHECK(role("Fin: 23-11-25 à 23:59") == TimeRole::end);
    CHECK(role("no longer authorized on 18/11/2025 at 17:40.") == TimeRole::end);
    CHECK(role("We will provide an update by 18 November 2025, 17:00") == TimeRole::next_update);
    CHECK(role("on 21/11/2025 since 07:50.") == TimeRole::start);
    CHECK(role("at 2:30 PM on 13/11/2025") == TimeRole::point);
}

TEST_CASE("status page lines") {
    CHECK(parse_day_header("Nov 27, 2025").has_value());
    CHECK_FALSE(parse_day_header("Nov 27, 12:00 CET").has_value());
    CHECK_FALSE(parse_day_header("No incidents reported.").has_value());
    CHECK(parse_stamp_line("Nov 27, 12:00 CET").has_value());
    CHECK(parse_stamp_line("Nov 27, 2025 - 11:00 CET").has_value());
    CHECK(parse_stamp_line("Nov 27, 2025 11:00-13:00 CET")->end.has_value());
    CHECK_FALSE(parse_stamp_line("Nov 27, 2025").has_value());
    CHECK_FALSE(parse_stamp_line("Nov 27, 12:00 CET and more words").has_value());
}

TEST_CASE("property: generated dates in every layout read back to the same instant") {
    std::mt19937 rng(20251127);
    static constexpr const char* months[] = {"January", "February", "March", "April", "May", "June", "July",
                                             "August", "September", "October", "November", "December"};
    static constexpr const char* mois[] = {"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
                                           "août", "septembre", "octobre", "novembre", "décembre"};
    for (int i = 0; i < 20000; ++i) {
        const int y = 2020 + static_cast<int>(rng() % 10);
        const int m = 1 + static_cast<int>(rng() % 12);
        const int d = 1 + static_cast<int>(rng() % static_cast<unsigned>(days_in_month(y, m)));
        const int h = static_cast<int>(rng() % 24);
        const int mi = static_cast<int>(rng() % 60);
        const auto want = local_to_utc({y, m, d, h, mi, 0}, "Europe/Brussels");
        const std::string layouts[] = {
            fmt::format("{:02}-{:02}-{:04} {:02}:{:02}", d, m, y, h, mi),
            fmt::format("{:02}/{:02}/{:02} à {:02}h{:02}", d, m, y % 100, h, mi),
            fmt::format("{} {}, {} at {}:{:02}", months[m - 1], d, y, h, mi),
            fmt::format("{} {} {}, {:02}:{:02}", d, mois[m - 1], y, h, mi),
            fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", y, m, d, h, mi),
        };
        for (const auto& text : layouts) {
            const auto f = find_times(text);
            REQUIRE_MESSAGE(f.size() == 1, text);
            std::vector<NoticeWarning> w;
            const auto got = resolve_time(f[0].start, TimeContext{want, "Europe/Brussels"}, w);
            REQUIRE_MESSAGE(got.has_value(), text);
            CHECK_MESSAGE(*got == want, text);
        }
    }
}

}  // namespace notice_date_test
