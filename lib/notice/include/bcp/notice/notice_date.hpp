// Dates and times as customs notices write them, found in free text and turned into UTC
// instants: "Nov 27, 2025 11:00-13:00 CET", "22-11-25 à 07 :00", "Sunday 07-12-2025 08:00",
// "2 pm on Tuesday 25th November 2025", "21/11/25 9am CET", "21122024 0025 CET", month and day
// names in English, French, Dutch and German, dates without a year (completed from a context
// date) and "24:00" (the Customs4trade status page, customs4trade-1). The scanner never guesses silently:
// what it cannot reconcile (a weekday that is not the date's, "CEST" in November, a UTC time
// that contradicts the local one) is reported as a warning beside the value it kept.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/core/time.hpp"

namespace bcp {

// A warning about a notice; `code` is stable and documented in bcp-notice(1).
struct NoticeWarning {
    std::string code;
    std::string message;
};

// A calendar date as written; year 0 when the text gave none.
struct WrittenDate {
    int year = 0, month = 0, day = 0;
    int weekday = -1;  // 0 = Monday ... 6 = Sunday, as written; -1 when none
    // "next Thursday", "jeudi prochain": no date, the first such weekday after the anchor.
    bool next_weekday = false;
    // "13-09-25" read year first (2013-09-25): alt_year 2013, alt_day 25; 0 when the text
    // allows one reading only. resolve_time() decides between the two.
    int alt_year = 0, alt_day = 0;
};

// One point in time as written: a date, maybe a time, maybe a zone label.
struct WrittenTime {
    WrittenDate date;
    bool has_time = false;
    int hour = 0, minute = 0;
    std::string zone_label;  // "CET", "CEST", "GMT", "UTC", "BST" or empty
};

// What the words before a time say it is.
enum class TimeRole { point, start, end, next_update };

// A time or a range found in text, with the byte offsets of the text it came from.
struct FoundTime {
    WrittenTime start;
    std::optional<WrittenTime> end;
    // "(13:00 to 22:59 UTC)" right after a range: the UTC times the notice itself gives.
    std::optional<WrittenTime> utc_start, utc_end;
    TimeRole role = TimeRole::point;
    std::size_t begin = 0, finish = 0;
};

// Scans `text` for dates with or without times, ranges and labelled start/end times.
// Compact ICS2 forms ("21122024 0025") are recognised only with `compact`.
// `language` (an index of Knowledge::languages()) decides names the packs disagree on.
[[nodiscard]] std::vector<FoundTime> find_times(std::string_view text, bool compact = false,
                                                std::size_t language = std::string::npos);

// Ranges of clock times the text writes with no date ("i tidsrummet 08:00 til 18:45", "kell
// 18-20"), outside the times find_times() finds. Each has start and end times only; the start's
// date.weekday is the weekday written before the range in its sentence (-1 when none, or when
// it is a range of weekdays: "Monday to Friday 08:00-17:00"). Only a caller that knows the day
// from elsewhere in the notice may give them one.
[[nodiscard]] std::vector<FoundTime> find_dateless_ranges(std::string_view text,
                                                          std::size_t language = std::string::npos);

// How written times become instants.
struct TimeContext {
    // The date that completes a date written without a year (the nearest such date is taken).
    std::optional<UtcTime> anchor;
    // The IANA zone of unlabelled local times (Europe/Brussels for BE/NL/FR/DE notices).
    std::string zone = std::string(default_zone);
};

// The instant of a written time, or nothing when it has no time of day or does not exist
// (the reason goes to `warnings`). A zone label that contradicts the date ("CEST" in
// November) is reported and the wall-clock time is read in the context zone, which is what
// such a notice means: the label is the mistake, not the clock time.
[[nodiscard]] std::optional<UtcTime> resolve_time(const WrittenTime& t, const TimeContext& context,
                                                  std::vector<NoticeWarning>& warnings);

// The year a date written without one gets from the anchor: the nearest such date.
[[nodiscard]] int complete_year(const WrittenDate& d, UtcTime anchor, std::string_view zone);

// Month (1-12) from an English, French, Dutch or German name or abbreviation, 0 if none.
[[nodiscard]] int month_from_name(std::string_view word) noexcept;
// Weekday (0 = Monday) from an English, French, Dutch or German name, -1 if none.
[[nodiscard]] int weekday_from_name(std::string_view word) noexcept;
// The English name of a weekday (0 = Monday), for messages; "" out of range.
[[nodiscard]] std::string_view weekday_english_name(int weekday) noexcept;

// The weekday of a date of the proleptic Gregorian calendar (0 = Monday).
[[nodiscard]] int weekday_of(int year, int month, int day) noexcept;

// "Nov 27, 2025" as a status page prints day headers; and the timestamp line of an update
// ("Nov 27, 12:00 CET", "Nov 27, 2025 - 11:00 CET", "Nov 27, 2025 11:00-13:00 CET").
[[nodiscard]] std::optional<WrittenDate> parse_day_header(std::string_view line);
[[nodiscard]] std::optional<FoundTime> parse_stamp_line(std::string_view line);

}  // namespace bcp
