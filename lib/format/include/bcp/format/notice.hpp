// Notices for people and calendars: the text view of bcp-notice --format text, and the
// iCalendar (RFC 5545) of their windows and procedures for --format ics. The JSON record is the
// notice module's own (append_json in bcp/notice/notice.hpp).
#pragma once

#include <string>
#include <vector>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice.hpp"

namespace bcp {

// Appends the notice as a few lines: country, systems, status and title; window, procedures,
// fallback and buffering, warnings.
void append_notice_text(std::string& out, const Notice& notice);

// Appends a whole VCALENDAR of `events`; `stamp` is every event's DTSTAMP (the reference time,
// so the same input gives the same calendar).
void append_calendar(std::string& out, const std::vector<NoticeEvent>& events, UtcTime stamp);

}  // namespace bcp
