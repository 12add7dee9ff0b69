#include "bcp/format/notice.hpp"

#include <algorithm>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bcp/core/time.hpp"

namespace bcp {

void append_notice_text(std::string& b, const Notice& n) {
    auto t_or = [](const std::optional<UtcTime>& x) { return x ? format_rfc3339(*x) : std::string("?"); };
    std::string systems;
    for (const auto& s : n.systems) systems += (systems.empty() ? "" : ",") + s;
    fmt::format_to(std::back_inserter(b), "{} {} [{}] {}\n", n.country.empty() ? "--" : n.country,
                   systems.empty() ? "-" : systems, n.status.empty() ? "notice" : n.status, n.title);
    if (n.window.start || n.window.end) {
        fmt::format_to(std::back_inserter(b), "  window    {} .. {}{}\n", t_or(n.window.start), t_or(n.window.end),
                       n.cancelled ? "  (cancelled)" : "");
    }
    // The other windows, when the notice gives more than one.
    for (const auto& w : n.windows) {
        if (n.windows.size() < 2 || (w.start == n.window.start && w.end == n.window.end)) continue;
        fmt::format_to(std::back_inserter(b), "  also      {} .. {}  {}{}\n", t_or(w.start), t_or(w.end),
                       w.systems.empty() ? "-" : fmt::format("{}", fmt::join(w.systems, ",")),
                       w.status == WindowStatus::scheduled ? "" : fmt::format("  ({})", to_string(w.status)));
    }
    for (const auto& p : n.procedures) {
        fmt::format_to(std::back_inserter(b), "  procedure {} {} {} .. {}{}{}\n", p.system.empty() ? "-" : p.system,
                       p.call.empty() ? "(no call)" : p.call, t_or(p.start), t_or(p.end),
                       p.mention.empty() ? "" : "  mention " + p.mention,
                       p.codes.empty() ? "" : fmt::format("  codes {}", fmt::join(p.codes, ",")));
    }
    if (n.fallback != Fallback::unknown || n.buffering != Buffering::unknown) {
        fmt::format_to(std::back_inserter(b), "  fallback  {}  buffering {}\n",
                       n.fallback == Fallback::unknown ? "-" : to_string(n.fallback),
                       n.buffering == Buffering::unknown ? "-" : to_string(n.buffering));
    }
    for (const auto& w : n.warnings) fmt::format_to(std::back_inserter(b), "  warning   {}: {}\n", w.code, w.message);
}


namespace {

// RFC 5545: CRLF line ends, lines folded at 75 octets (never inside a UTF-8 sequence).
void ics_line(std::string& b, std::string_view s) {
    std::size_t col = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0xF0) len = 4; else if (c >= 0xE0) len = 3; else if (c >= 0xC0) len = 2;
        len = std::min(len, s.size() - i);
        if (col + len > 75) {
            b.append("\r\n ");
            col = 1;
        }
        b.append(s.substr(i, len));
        col += len;
        i += len;
    }
    b.append("\r\n");
}

std::string ics_text(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == ';' || c == ',') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c != '\r') {
            out.push_back(c);
        }
    }
    return out;
}

std::string ics_time(UtcTime t) {
    std::string out;
    for (char c : format_rfc3339(t)) {  // 2025-11-27T10:00:00Z
        if (c != '-' && c != ':') out.push_back(c);
    }
    return out;
}

}  // namespace

void append_calendar(std::string& b, const std::vector<NoticeEvent>& events, UtcTime stamp_time) {
    ics_line(b, "BEGIN:VCALENDAR");
    ics_line(b, "VERSION:2.0");
    ics_line(b, "PRODID:-//bcpkit//bcp-notice//EN");
    ics_line(b, "CALSCALE:GREGORIAN");
    const std::string stamp = ics_time(stamp_time);
    for (const auto& e : events) {
        ics_line(b, "BEGIN:VEVENT");
        ics_line(b, "UID:" + e.uid);
        ics_line(b, "DTSTAMP:" + stamp);
        ics_line(b, "DTSTART:" + ics_time(e.start));
        // An open-ended window is shown as its start only (RFC 5545: DTEND is optional).
        if (e.end && *e.end > e.start) ics_line(b, "DTEND:" + ics_time(*e.end));
        ics_line(b, "SUMMARY:" + ics_text(e.summary));
        if (!e.system.empty()) ics_line(b, "CATEGORIES:" + ics_text(e.system));
        if (!e.call.empty()) ics_line(b, "DESCRIPTION:" + ics_text("Emergency procedure call " + e.call));
        ics_line(b, "END:VEVENT");
    }
    ics_line(b, "END:VCALENDAR");
}

}  // namespace bcp
