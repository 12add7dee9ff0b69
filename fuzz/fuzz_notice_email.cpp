// Fuzz target: a notice e-mail (RFC 5322 headers, MIME parts, quoted-printable, base64,
// encoded words, legacy charsets) read and interpreted; the record must be valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bcp/core/error.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_email.hpp"
#include "fuzz_notice.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bcp::fuzz::setup();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto options = bcp::fuzz::notice_options("fuzz.eml");
    try {
        const auto raw = bcp::read_email(text);
        bcp::fuzz::expect_notice_json(bcp::interpret_notice(raw, 0, options));
    } catch (const bcp::error&) {
        // A message that is not an e-mail is reported, not a crash.
    }
    // The decoders on their own; each reports bad input as bcp::error, never a crash.
    const auto guarded = [](auto&& f) {
        try {
            f();
        } catch (const bcp::error&) {
        }
    };
    guarded([&] { (void)bcp::decode_header_words(text); });
    guarded([&] { (void)bcp::decode_quoted_printable(text); });
    guarded([&] { (void)bcp::decode_base64(text); });
    guarded([&] { (void)bcp::parse_ics2_subject(text); });
    guarded([&] { (void)bcp::charset_to_utf8(text, "iso-8859-1"); });
    guarded([&] { (void)bcp::charset_to_utf8(text, "windows-1252"); });
    return 0;
}
