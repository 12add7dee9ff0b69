// Times as the tools exchange them: instants in UTC (std::chrono::sys_seconds), converted from
// local wall-clock times through the tz database (Howard Hinnant's date/tz over the system's
// zoneinfo), and printed as RFC 3339 UTC ("2025-11-27T10:00:00Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bcp {

using UtcTime = std::chrono::sys_seconds;

// A wall-clock time with no zone attached.
struct LocalTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// The zone assumed for unlabelled Belgian, Dutch, French and German local times.
inline constexpr std::string_view default_zone = "Europe/Brussels";

// How a local time mapped to UTC: exactly, or through a daylight-saving change (ambiguous in
// the autumn: the earlier instant is taken; nonexistent in the spring: moved forward by the gap).
enum class LocalMapping { unique, ambiguous, nonexistent };

// The instant of a local time in an IANA zone. Throws bcp::usage_error for an unknown zone or
// an impossible date/time (2025-02-30, 25:00). "24:00:00" means the start of the next day.
[[nodiscard]] UtcTime local_to_utc(const LocalTime& local, std::string_view zone,
                                   LocalMapping* mapping = nullptr);

// The wall-clock time of an instant in a zone.
[[nodiscard]] LocalTime utc_to_local(UtcTime t, std::string_view zone);

// The zone's abbreviation at that instant ("CET", "CEST", "GMT", "BST").
[[nodiscard]] std::string zone_abbreviation(UtcTime t, std::string_view zone);

// True when `zone` names an IANA zone of the tz database.
[[nodiscard]] bool is_zone(std::string_view zone);

// Parses a time given on a command line or in a record: RFC 3339 / ISO 8601 with "Z" or an
// offset ("2025-11-27T10:00:00Z", "2025-11-27T11:00+01:00"), or a local time without offset
// ("2025-11-27T11:00", "2025-11-27 11:00:00", "2025-11-27"), read in `zone`.
// Returns nothing when the text is not such a time.
[[nodiscard]] std::optional<UtcTime> parse_time(std::string_view text,
                                                std::string_view zone = default_zone);

// parse_time of a time that names its offset ("Z", "+01:00"): nothing for a local time, which
// would need a zone.
[[nodiscard]] std::optional<UtcTime> parse_absolute_time(std::string_view text);

// The instant a user asks about, as the tools take it: `text` empty or "now" is now(); an RFC
// 3339 time with an offset is that instant; a local time is read in `zone`, which it needs.
// Throws usage_error for a zone that is not an IANA zone, a text that is no time, and a local
// time without a zone; `text_as` and `zone_as` name the two in messages (a tool says its flags).
[[nodiscard]] UtcTime resolve_instant(std::string_view text, std::string_view zone,
                                      std::string_view text_as = "the time",
                                      std::string_view zone_as = "the zone");

// "2025-11-27T10:00:00Z".
[[nodiscard]] std::string format_rfc3339(UtcTime t);

// An HTTP Retry-After value (delta seconds, or an HTTP date "Sun, 06 Nov 1994 08:49:37 GMT")
// as seconds from `now_unix`; -1 when absent or unreadable.
[[nodiscard]] double parse_retry_after(std::string_view value, double now_unix);

// The current time, or $BCPKIT_NOW when set (RFC 3339), so tests and demos are reproducible.
[[nodiscard]] UtcTime now();

// Days in a month of the proleptic Gregorian calendar; 0 for a month outside 1-12.
[[nodiscard]] int days_in_month(int year, int month) noexcept;

}  // namespace bcp
