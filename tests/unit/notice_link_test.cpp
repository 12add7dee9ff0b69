#include <algorithm>
// Linking notices across entries (bcp/notice_link.hpp) and the country of an e-mail from its
// sender (sender_country, read_email): a later notice prolongs, cancels or voids an earlier one
// about the same call or window, in whichever order the input lists them.
#include <doctest/doctest.h>

#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_email.hpp"
#include "bcp/notice/notice_link.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_link_test {

using namespace bcp;

namespace {

NoticeOptions options() {
    NoticeOptions o;
    o.reference_time = *parse_time("2025-11-21T00:00:00Z", "UTC");
    return o;
}

// A notice posted at `posted` (RFC 3339) with one text update.
Notice notice(std::string_view text, std::string_view posted) {
    RawNotice raw;
    raw.newest_first = false;
    raw.line = 1;
    raw.posted_at = parse_time(posted, "UTC");
    raw.updates.push_back({"", std::string(text), {}, raw.posted_at, std::nullopt});
    return interpret_notice(raw, 0, options());
}

std::string t(const std::optional<UtcTime>& x) { return x ? format_rfc3339(*x) : "null"; }

const char* const first =
    "Emergency procedure EMCS Call N04845\nStart: 20-11-2025 at 08:00\nEnd: 20-11-2025 at 14:00\n"
    "The document must refer to the mention N04845-D:20251120-T080000.";
const char* const prolonged = "The emergency procedure N04845 has been prolonged until 21/11/25 9am CET.";

}  // namespace

TEST_CASE("a later notice moves the end of the same call (oldest first)") {
    NoticeLinker linker;
    Notice a = notice(first, "2025-11-20T08:00:00Z");
    CHECK(linker.link(a).empty());
    CHECK(a.links.empty());
    Notice b = notice(prolonged, "2025-11-20T13:00:00Z");
    REQUIRE(b.procedures.size() == 1);
    CHECK(b.procedures[0].start_stated == false);
    const auto gone = linker.link(b);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].id == a.id);
    CHECK(gone[0].call == "N04845");
    CHECK(t(b.procedures[0].start) == "2025-11-20T07:00:00Z");  // from the first notice
    CHECK(t(b.procedures[0].end) == "2025-11-21T08:00:00Z");    // its own, 9am CET
    CHECK(b.procedures[0].mention == "N04845-D:20251120-T080000");
    CHECK(b.procedures[0].system == "EMCS");
    REQUIRE(b.links.size() == 1);
    CHECK(b.links[0].id == a.id);
    CHECK(b.links[0].relation == bcp::LinkRelation::earlier);
    CHECK(linker.size() == 2);  // the call and the first notice's window
}

TEST_CASE("newest first: the earlier notice read last takes the later end") {
    NoticeLinker linker;
    Notice b = notice(prolonged, "2025-11-20T13:00:00Z");
    CHECK(linker.link(b).empty());
    Notice a = notice(first, "2025-11-20T08:00:00Z");
    const auto gone = linker.link(a);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].id == b.id);
    CHECK(t(a.procedures[0].start) == "2025-11-20T07:00:00Z");
    CHECK(t(a.procedures[0].end) == "2025-11-21T08:00:00Z");
    REQUIRE(a.links.size() == 1);
    CHECK(a.links[0].relation == bcp::LinkRelation::later);
    CHECK(a.links[0].id == b.id);
}

TEST_CASE("a cancellation of the same window cancels, in either order") {
    const char* const planned =
        "Planned maintenance of DMS (Dutch customs) on 07-12-2025 from 08:00 to 13:00.";
    const char* const cancelled =
        "The planned maintenance of DMS (Dutch customs) on 07-12-2025 from 08:00 has been cancelled.";
    for (const bool newest_first : {false, true}) {
        CAPTURE(newest_first);
        NoticeLinker linker;
        Notice p = notice(planned, "2025-11-26T12:00:00Z");
        Notice c = notice(cancelled, "2025-11-27T12:00:00Z");
        REQUIRE(notice_window_key(p) == notice_window_key(c));
        REQUIRE_FALSE(notice_window_key(p).empty());
        CHECK_FALSE(p.cancelled);
        CHECK(c.cancelled);
        Notice& second = newest_first ? p : c;
        (void)linker.link(newest_first ? c : p);
        const auto gone = linker.link(second);
        CHECK(gone.size() == 1);
        CHECK(second.cancelled);
        CHECK(t(second.window.end) == "2025-12-07T12:00:00Z");
        REQUIRE(second.links.size() == 1);
        CHECK(second.links[0].call.empty());
        CHECK(second.links[0].relation == (newest_first ? bcp::LinkRelation::later : bcp::LinkRelation::earlier));
        CHECK_FALSE(notice_active_at(second, *parse_time("2025-12-07T09:00:00Z", "UTC"), "", ""));
    }
}

TEST_CASE("disregard the previous message voids the earlier notice") {
    NoticeLinker linker;
    Notice a = notice(first, "2025-11-20T08:00:00Z");
    (void)linker.link(a);
    Notice b = notice("Please disregard the previous message. Emergency procedure EMCS Call N04845\n"
                      "Start: 20-11-2025 at 09:00",
                      "2025-11-20T08:30:00Z");
    CHECK(b.disregards_previous);
    (void)linker.link(b);
    CHECK(t(b.procedures[0].start) == "2025-11-20T08:00:00Z");
    CHECK(b.procedures[0].mention.empty());  // nothing taken from the voided notice
    REQUIRE(b.links.size() == 1);
    CHECK(b.links[0].relation == bcp::LinkRelation::disregarded);

    // Newest first: the voided notice read last takes the correction whole.
    NoticeLinker reversed;
    Notice b2 = b;
    b2.links.clear();
    Notice a2 = notice(first, "2025-11-20T08:00:00Z");
    (void)reversed.link(b2);
    (void)reversed.link(a2);
    CHECK(t(a2.procedures[0].start) == "2025-11-20T08:00:00Z");
    CHECK(t(a2.procedures[0].end) == "null");
    CHECK(a2.procedures[0].mention.empty());
    REQUIRE(a2.links.size() == 1);
    CHECK(a2.links[0].relation == bcp::LinkRelation::disregarding);
}

TEST_CASE("the same notice read twice and stale windows are not linked") {
    NoticeLinker linker;
    Notice a = notice(first, "2025-11-20T08:00:00Z");
    Notice again = a;
    (void)linker.link(a);
    CHECK(linker.link(again).empty());
    CHECK(again.links.empty());
    // A window far before the posting date is a copy-paste, not the same outage.
    Notice stale = notice("The process Import (DMS) of Dutch customs is unavailable from Saturday 25-10-2025 09:02.",
                          "2025-11-27T08:00:00Z");
    CHECK(notice_window_key(stale).empty());
}

TEST_CASE("country from the sender of an e-mail") {
    CHECK(sender_country("helpdesk@minfin.fed.be", true) == "BE");
    CHECK(sender_country("noreply@news.douane.gouv.fr", true) == "FR");
    CHECK(sender_country("x@belastingdienst.nl", true) == "NL");
    CHECK(sender_country("x@tulli.fi", true) == "FI");
    CHECK(sender_country("x@toll.no", true) == "NO");
    CHECK(sender_country("tdrcommunications@hmrc.gov.uk", true) == "GB");
    CHECK(sender_country("x@ZOLL.DE", true) == "DE");
    CHECK(sender_country("x@notzoll.de", true).empty());  // a suffix is not a subdomain
    CHECK(sender_country("helpdesk@example.be", true).empty());
    CHECK(sender_country("helpdesk@example.be", false) == "BE");
    CHECK(sender_country("someone@example.co.uk", false) == "GB");
    // The Union's own domain gives the Union (country "EU", as the EU profile says).
    CHECK(sender_country("noreply-ics2@ec.europa.eu", false) == "EU");
    CHECK(sender_country("vendor@example.com", false).empty());
    CHECK(sender_country("no address", false).empty());
    CHECK(sender_address("Helpdesk Douane <helpdesk@example.be>") == "helpdesk@example.be");
    CHECK(sender_address("helpdesk@example.be (Helpdesk)") == "helpdesk@example.be");

    const auto mail = [](std::string_view from, std::string_view body) {
        std::string m = "From: " + std::string(from) + "\nSubject: Procedure NCTS Call N04617\n\n" + std::string(body) + "\n";
        return interpret_notice(read_email(m), 0, options());
    };
    CHECK(mail("Helpdesk <helpdesk@example.be>", "Emergency procedure NCTS.").country == "BE");
    CHECK(mail("Douane <info@douane.gouv.fr>", "Emergency procedure NCTS.").country == "FR");
    // What the text says about the authority beats a vendor's country-code domain.
    CHECK(mail("Vendor <support@vendor.be>", "French Customs authorised an emergency procedure for NCTS.").country ==
          "FR");
    // The authority's own domain beats a vendor named in the text.
    CHECK(mail("Zoll <info@zoll.de>", "Dutch customs partners: emergency procedure NCTS.").country == "DE");
    // No authority named, a shared system: only the call number's shape, which one profile
    // alone has (data/authorities/be.toml, calls = ["N#####"]), tells the country.
    const Notice vendor = mail("Vendor <support@vendor.com>", "Emergency procedure NCTS.");
    CHECK(vendor.country == "BE");
    const auto why = std::find_if(vendor.evidence.begin(), vendor.evidence.end(),
                                  [](const auto& e) { return e.first == "country"; });
    REQUIRE(why != vendor.evidence.end());
    CHECK(why->second.find("call number 'N04617'") != std::string::npos);
}

TEST_CASE("JSON strings: escapes, and invalid UTF-8 as U+FFFD byte by byte") {
    Notice n;
    n.id = "n0000000000000000";
    // Valid accents, an escaped quote and control characters, a stray continuation byte, a
    // lead byte without its continuation, a surrogate, and a truncated sequence at the end.
    n.title = "d\xC3\xA9" "but \"x\"\t\x01|\x80|\xC3(|\xED\xA0\x80|\xE2\x82";
    std::string line;
    append_json(line, n);
    const std::string want =
        "\"title\":\"d\xC3\xA9" "but \\\"x\\\"\\t\\u0001|\xEF\xBF\xBD|\xEF\xBF\xBD(|"
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\"";
    CHECK(line.find(want) != std::string::npos);
    CHECK(to_json(n)["title"].get<std::string>().find("\"x\"") != std::string::npos);
}

}  // namespace notice_link_test
