#include "bcp/core/time.hpp"

#include <cstdlib>
#include <string>
#include <ctime>
#include <algorithm>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "bcp/core/error.hpp"

namespace bcp {
namespace {

const date::time_zone* zone_or_throw(std::string_view zone) {
    // Nearly every lookup is for the default zone: find it once (an immutable pointer into the
    // tz database, which lives as long as the program).
    static const date::time_zone* const brussels = date::locate_zone(default_zone);
    static const date::time_zone* const utc = date::locate_zone("UTC");
    if (zone == default_zone) return brussels;
    if (zone == "UTC") return utc;
    try {
        return date::locate_zone(zone);
    } catch (const std::exception&) {
        throw usage_error(fmt::format("'{}' is not a time zone of the tz database "
                                      "(e.g. Europe/Brussels, UTC)",
                                      zone));
    }
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

int days_in_month(int year, int month) noexcept {
    if (month < 1 || month > 12) return 0;
    static constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

UtcTime local_to_utc(const LocalTime& l, std::string_view zone, LocalMapping* mapping) {
    const bool end_of_day = l.hour == 24 && l.minute == 0 && l.second == 0;
    if (l.day < 1 || l.day > days_in_month(l.year, l.month)) {
        throw usage_error(fmt::format("date {:04}-{:02}-{:02} does not exist", l.year, l.month, l.day));
    }
    if ((l.hour > 23 && !end_of_day) || l.hour < 0 || l.minute < 0 || l.minute > 59 ||
        l.second < 0 || l.second > 59) {
        throw usage_error(fmt::format("time {:02}:{:02}:{:02} does not exist", l.hour, l.minute, l.second));
    }
    const auto day = date::local_days{date::year{l.year} / l.month / l.day};
    const auto local = date::local_seconds{day} + std::chrono::hours{l.hour} +
                       std::chrono::minutes{l.minute} + std::chrono::seconds{l.second};
    // UTC needs no tz database (whose first use reads the whole zoneinfo tree: about 6 ms).
    if (zone == "UTC" || zone == "Etc/UTC") {
        if (mapping != nullptr) *mapping = LocalMapping::unique;
        return UtcTime{local.time_since_epoch()};
    }
    const auto* tz = zone_or_throw(zone);
    const auto info = tz->get_info(local);
    if (mapping != nullptr) {
        *mapping = info.result == date::local_info::unique      ? LocalMapping::unique
                   : info.result == date::local_info::ambiguous ? LocalMapping::ambiguous
                                                                : LocalMapping::nonexistent;
    }
    switch (info.result) {
        case date::local_info::unique:
        case date::local_info::ambiguous:
            return UtcTime{local.time_since_epoch() - info.first.offset};
        default:  // nonexistent: the clock jumped over it; take the instant of the jump
            return UtcTime{local.time_since_epoch() - info.first.offset};
    }
}

LocalTime utc_to_local(UtcTime t, std::string_view zone) {
    const auto* tz = zone_or_throw(zone);
    const auto local = tz->to_local(t);
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss hms{local - day};
    return LocalTime{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                     static_cast<int>(unsigned(ymd.day())), static_cast<int>(hms.hours().count()),
                     static_cast<int>(hms.minutes().count()),
                     static_cast<int>(hms.seconds().count())};
}

std::string zone_abbreviation(UtcTime t, std::string_view zone) {
    return zone_or_throw(zone)->get_info(t).abbrev;
}

bool is_zone(std::string_view zone) {
    try {
        (void)date::locate_zone(zone);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

namespace {

// parse_time; with `zone` null, a time without "Z" or an offset is no time.
std::optional<UtcTime> read_time(std::string_view s, const std::string_view* zone) {
    LocalTime l;
    if (!digits(s, 0, 4, l.year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, l.month) ||
        s[7] != '-' || !digits(s, 8, 2, l.day)) {
        return std::nullopt;
    }
    std::size_t at = 10;
    if (at < s.size() && (s[at] == 'T' || s[at] == 't' || s[at] == ' ')) {
        if (!digits(s, at + 1, 2, l.hour) || at + 3 >= s.size() || s[at + 3] != ':' ||
            !digits(s, at + 4, 2, l.minute)) {
            return std::nullopt;
        }
        at += 6;
        if (at < s.size() && s[at] == ':') {
            if (!digits(s, at + 1, 2, l.second)) return std::nullopt;
            at += 3;
            if (at < s.size() && s[at] == '.') {  // fractions are dropped
                ++at;
                while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
            }
        }
    }
    try {
        if (at == s.size()) {
            if (zone == nullptr) return std::nullopt;
            return local_to_utc(l, *zone);
        }
        int offset_minutes = 0;
        if ((s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
            offset_minutes = 0;
        } else if (s[at] == '+' || s[at] == '-') {
            int oh = 0, om = 0;
            if (!digits(s, at + 1, 2, oh)) return std::nullopt;
            std::size_t m = at + 3;
            if (m < s.size() && s[m] == ':') ++m;
            if (!digits(s, m, 2, om) || m + 2 != s.size() || oh > 23 || om > 59) {
                return std::nullopt;
            }
            offset_minutes = (s[at] == '-' ? -1 : 1) * (oh * 60 + om);
        } else {
            return std::nullopt;
        }
        const auto as_utc = local_to_utc(l, "UTC");
        return as_utc - std::chrono::minutes{offset_minutes};
    } catch (const usage_error&) {
        return std::nullopt;
    }
}

}  // namespace

std::optional<UtcTime> parse_time(std::string_view s, std::string_view zone) { return read_time(s, &zone); }

std::optional<UtcTime> parse_absolute_time(std::string_view s) { return read_time(s, nullptr); }

UtcTime resolve_instant(std::string_view text, std::string_view zone, std::string_view text_as,
                        std::string_view zone_as) {
    if (!zone.empty() && !is_zone(zone)) {
        throw usage_error(fmt::format("{} '{}' is not an IANA time zone (e.g. Europe/Brussels)", zone_as, zone));
    }
    if (text.empty() || text == "now") return now();
    if (const auto t = parse_absolute_time(text)) return *t;  // an offset: the zone plays no part
    if (!parse_time(text, "UTC")) throw usage_error(fmt::format("{} '{}' is not an RFC 3339 time", text_as, text));
    if (zone.empty()) {
        throw usage_error(fmt::format("{} '{}' has no UTC offset: add one ({}Z, {}+01:00) or give {} ZONE",
                                      text_as, text, text, text, zone_as));
    }
    return *parse_time(text, zone);
}

std::string format_rfc3339(UtcTime t) {
    return date::format("%Y-%m-%dT%H:%M:%SZ", t);
}

UtcTime now() {
    if (const char* env = std::getenv("BCPKIT_NOW"); env != nullptr && *env != '\0') {
        if (const auto t = parse_time(env, "UTC")) return *t;
    }
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

double parse_retry_after(std::string_view v, double now_unix) {
    if (v.empty()) return -1;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 9) return 86400.0 * 365;
        return static_cast<double>(std::stol(std::string(v)));
    }
    // An HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT".
    std::tm tm{};
    const std::string s(v);
    if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return -1;
    const double at = static_cast<double>(timegm(&tm));
    return std::max(0.0, at - now_unix);
}

}  // namespace bcp
