// Notices that arrive by e-mail (RFC 5322 .eml): Subject and Date headers, MIME text parts in
// quoted-printable or base64 and in the usual charsets, turned into a RawNotice for
// interpret_notice(). EU ICS2 unavailability notifications (fi-1, "What does the subject
// line of the notification mean?") have their subject parsed into its parts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/notice/notice.hpp"

namespace bcp {

// Reads one message. Throws bcp::data_error (kind "email") for a message that has no header
// block, a header without its body separator, or a multipart body cut off before its end.
[[nodiscard]] RawNotice read_email(std::string_view message);

// "Production unscheduled unavailability of ICS2 Common and or ICS2 National component on
// 21122024 0025 CET", "Production activation of the ICS2 BCP ...". Nothing when the subject
// is not an ICS2 notification.
[[nodiscard]] std::optional<Ics2Subject> parse_ics2_subject(std::string_view subject);

// Decoders, exposed for tests.
[[nodiscard]] std::string decode_quoted_printable(std::string_view text);
// Throws bcp::data_error (kind "email") on characters outside the base64 alphabet.
[[nodiscard]] std::string decode_base64(std::string_view text);
// Text in `charset` (utf-8, us-ascii, iso-8859-1, iso-8859-15, windows-1252) as UTF-8; other
// charsets are passed through unchanged.
[[nodiscard]] std::string charset_to_utf8(std::string_view text, std::string_view charset);
// RFC 2047 encoded words in a header ("=?UTF-8?Q?Proc=C3=A9dure?=").
[[nodiscard]] std::string decode_header_words(std::string_view header);
// The address of a From field ("Helpdesk Douane <helpdesk@example.be>" -> helpdesk@example.be).
[[nodiscard]] std::string sender_address(std::string_view from);

// An RFC 5322 date ("Fri, 21 Nov 2025 10:15:00 +0100", the weekday and the seconds optional;
// RSS's RFC 822 dates are the same), or nothing.
[[nodiscard]] std::optional<UtcTime> parse_email_date(std::string_view s);

// The messages of an mbox file (the "From " envelope lines removed), in file order. Text that
// does not start with an envelope line holds no message.
[[nodiscard]] std::vector<std::string_view> split_mbox(std::string_view mbox);

}  // namespace bcp
