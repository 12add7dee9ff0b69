// Unit tests of bcp/notice/notice_email.hpp: MIME decoding (quoted-printable, base64, encoded
// words, charsets), the sender, and the ICS2 notification subject grammar.
#include <string>

#include <doctest/doctest.h>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice_email.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_email_test {

TEST_CASE("quoted-printable and base64 bodies decode to their bytes") {
    CHECK(bcp::decode_quoted_printable("Proc=C3=A9dure de secours=\r\n AES") == "Procédure de secours AES");
    CHECK(bcp::decode_quoted_printable("a=3Db") == "a=b");
    CHECK(bcp::decode_base64("TkNUUyBkb3du") == "NCTS down");
    CHECK(bcp::decode_base64("TkNU\r\nUyBkb3du") == "NCTS down");  // line breaks between groups
}

TEST_CASE("charsets: Latin-1 and Windows-1252 become UTF-8, UTF-8 stays") {
    CHECK(bcp::charset_to_utf8("Douane fran\xe7" "aise", "iso-8859-1") == "Douane française");
    CHECK(bcp::charset_to_utf8("\x80 5", "windows-1252") == "€ 5");
    CHECK(bcp::charset_to_utf8("Zoll: Störung", "utf-8") == "Zoll: Störung");
}

TEST_CASE("encoded words in headers and the sender address") {
    CHECK(bcp::decode_header_words("=?UTF-8?Q?Proc=C3=A9dure_de_secours?=") == "Procédure de secours");
    CHECK(bcp::decode_header_words("=?iso-8859-1?B?U3T2cnVuZw==?=") == "Störung");
    CHECK(bcp::sender_address("Helpdesk Douane <helpdesk@minfin.fed.be>") == "helpdesk@minfin.fed.be");
    CHECK(bcp::sender_address("noreply@toldst.dk") == "noreply@toldst.dk");
}

TEST_CASE("a whole message: headers, transfer encoding and charset give the notice text") {
    const std::string mail =
        "From: Finnish Customs <noreply@tulli.fi>\r\n"
        "Subject: =?utf-8?Q?Katko_tullin_j=C3=A4rjestelmiss=C3=A4?=\r\n"
        "Date: Tue, 03 Mar 2026 09:00:00 +0200\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Tullin j=E4rjestelm=E4t eiv=E4t ole k=E4ytett=E4viss=E4 klo 14-18.\r\n";
    const auto raw = bcp::read_email(mail);
    CHECK(raw.title == "Katko tullin järjestelmissä");
    CHECK(raw.sender == "noreply@tulli.fi");
    REQUIRE(raw.updates.size() == 1);
    CHECK(raw.updates[0].text.find("järjestelmät eivät ole käytettävissä") != std::string::npos);
    REQUIRE(raw.posted_at.has_value());
    CHECK(bcp::format_rfc3339(*raw.posted_at) == "2026-03-03T07:00:00Z");
}

TEST_CASE("the ICS2 unavailability subject grammar") {
    const auto s = bcp::parse_ics2_subject(
        "Production unscheduled unavailability of ICS2 Common and or ICS2 National component on 21122024 0025 CET");
    REQUIRE(s.has_value());
    CHECK(s->kind == "unavailability");
    REQUIRE(s->scheduled.has_value());
    CHECK_FALSE(*s->scheduled);
    CHECK(s->component.find("ICS2 Common") != std::string::npos);
    REQUIRE(s->registered.has_value());
    CHECK(bcp::format_rfc3339(*s->registered) == "2024-12-20T23:25:00Z");  // CET = UTC+1
    const auto act = bcp::parse_ics2_subject("Production activation of the ICS2 BCP");
    REQUIRE(act.has_value());
    CHECK(act->kind == "activation");
    CHECK_FALSE(bcp::parse_ics2_subject("Weekly newsletter").has_value());
}

TEST_CASE("mbox: one message per envelope line, the envelope dropped; e-mail dates") {
    const std::string box = "From a@x Mon Mar  1 09:00:00 2027\nSubject: one\n\nbody 1\n>From quoted\n"
                            "From b@y Mon Mar  1 10:00:00 2027\nSubject: two\n\nbody 2\n";
    const auto m = bcp::split_mbox(box);
    REQUIRE(m.size() == 2);
    CHECK(m[0] == "Subject: one\n\nbody 1\n>From quoted\n");
    CHECK(m[1] == "Subject: two\n\nbody 2\n");
    CHECK(bcp::split_mbox("Subject: no envelope\n\nx\n").empty());
    CHECK(bcp::read_email(m[1]).title == "two");
    CHECK(bcp::parse_email_date("Mon, 1 Mar 2027 09:00:00 +0100") == bcp::parse_time("2027-03-01T08:00:00Z", "UTC"));
    CHECK_FALSE(bcp::parse_email_date("yesterday").has_value());
}

}  // namespace notice_email_test
