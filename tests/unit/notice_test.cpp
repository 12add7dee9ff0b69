// The notice parser (bcp/notice.hpp, notice_email.hpp, notice_statuspage.hpp): splitting a
// status-page history, linking updates, country and systems, procedures, e-mail decoding and
// the Statuspage shapes. Whole-seed behaviour is in the golden cases of tests/cli/bcp-notice.
#include <doctest/doctest.h>

#include <algorithm>

#include "bcp/core/error.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_email.hpp"
#include "bcp/notice/notice_statuspage.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_test {

using namespace bcp;

namespace {

std::vector<Notice> parse_history(std::string_view text) {
    std::vector<Notice> out;
    NoticeOptions o;
    o.reference_time = *parse_time("2025-11-28T00:00:00Z", "UTC");
    NoticeSplitter s([&](RawNotice&& raw) { out.push_back(interpret_notice(raw, out.size(), o)); });
    std::size_t n = 0, at = 0;
    while (at <= text.size()) {
        std::size_t e = text.find('\n', at);
        if (e == std::string_view::npos) e = text.size();
        s.line(text.substr(at, e - at), ++n);
        at = e + 1;
    }
    s.finish();
    return out;
}

std::string t(const std::optional<UtcTime>& x) { return x ? format_rfc3339(*x) : "null"; }

}  // namespace

TEST_CASE("a history splits into entries at day headers, closing and opening states") {
    const auto ns = parse_history(
        "Nov 21, 2025\n"
        "Resolved - This incident has been resolved.\n"
        "Nov 21, 09:09 CET\n"
        "Update - We have been notified that this Emergency Procedure has been prolonged until 21/11/25 9am CET.\n"
        "Nov 20, 14:12 CET\n"
        "Investigating - Emergency Procedure EMCS Call N04845: Connection Issue\n"
        "\n"
        " Start: 20-11-2025 at 08:00\n"
        " End: 20-11-2025 at 14:00\n"
        "Nov 20, 09:24 CET\n"
        "Completed - The scheduled maintenance has been completed.\n"
        "Nov 20, 17:00 CET\n"
        "Scheduled - \"German Customs has announced maintenance work from 20-11-2025 16:00 to 17:00 CET (15:00 to 16:00 UTC).\n"
        "Affected procedures: Ausfuhr, Versand\"\n"
        "Nov 13, 14:46 CET\n"
        "Nov 19, 2025\n"
        "\n"
        "No incidents reported.\n");
    REQUIRE(ns.size() == 2);
    const auto& emcs = ns[0];
    CHECK(emcs.updates.size() == 3);
    CHECK(emcs.updates.front().status == "Investigating");
    CHECK(emcs.status == "Resolved");
    CHECK(emcs.country == "BE");
    CHECK(emcs.systems == std::vector<std::string>{"EMCS"});
    REQUIRE(emcs.procedures.size() == 1);
    CHECK(emcs.procedures[0].call == "N04845");
    CHECK(t(emcs.procedures[0].start) == "2025-11-20T07:00:00Z");
    CHECK(t(emcs.procedures[0].end) == "2025-11-21T08:00:00Z");  // prolonged
    const auto& de = ns[1];
    CHECK(de.country == "DE");
    CHECK(de.systems == std::vector<std::string>{"ATLAS-AUSFUHR", "ATLAS-VERSAND"});
    CHECK(de.processes == std::vector<std::string>{"Ausfuhr", "Versand"});
    CHECK(t(de.window.start) == "2025-11-20T15:00:00Z");
    CHECK(de.planned == true);
    CHECK(de.warnings.empty());
}

TEST_CASE("a UTC time that contradicts the local one is a warning") {
    const auto n = parse_notice_text("German Customs: maintenance from 20-11-2025 16:00 to 17:00 CET (16:00 to 17:00 UTC).", {});
    REQUIRE(n.warnings.size() == 1);
    CHECK(n.warnings[0].code == "utc-mismatch");
}

TEST_CASE("disregard and cancellation") {
    const auto ns = parse_history(
        "Nov 27, 2025\n"
        "Update - Please disregard the previous message, maintenance is still scheduled as initially informed.\n"
        "Nov 27, 2025 11:00-13:00 CET\n"
        "Update - The maintenance is moved to Nov 28, 2025 11:00-13:00 CET.\n"
        "Nov 27, 2025 11:00-13:00 CET\n"
        "Scheduled - AES maintenance Nov 27, 2025 11:00-13:00 CET\n"
        "Nov 20, 10:00 CET\n"
        "Completed - The previously announced downtime for CCS-UK on 19th November 2025 starting at 06:00 AM GMT to 07:00 AM GMT has been cancelled.\n"
        "Nov 18, 10:50 CET\n"
        "Scheduled - CCS-UK downtime on 19th November 2025 starting at 06:00 AM GMT to 07:00 AM GMT\n"
        "Oct 31, 10:16 CET\n");
    REQUIRE(ns.size() == 2);
    CHECK(ns[0].updates[1].disregarded);
    CHECK(t(ns[0].window.start) == "2025-11-27T10:00:00Z");  // the disregarded move does not count
    CHECK_FALSE(ns[0].cancelled);
    CHECK(ns[1].cancelled);
    const auto at = *parse_time("2025-11-19T06:30:00Z", "UTC");
    CHECK_FALSE(notice_active_at(ns[1], at, "", ""));
    CHECK(notice_events(ns[1]).empty());
}

TEST_CASE("malformed calls, mentions and placeholders") {
    const auto n = parse_notice_text(
        "Procédure de secours AES Call N046785\n Vous devez introduire la mention N04853-D:20251127-T110000\n"
        "Début: {{start_date}}\n", {});
    bool call = false, placeholder = false;
    for (const auto& w : n.warnings) {
        call = call || w.code == "call-malformed";
        placeholder = placeholder || w.code == "template-placeholder";
    }
    CHECK(call);
    CHECK(placeholder);
    // A document code is no call: "CHED (N853, C640)".
    const auto m = parse_notice_text("an accompanying document such as CHED (N853, C640, C678)", {});
    CHECK(m.warnings.empty());
    CHECK(m.procedures.empty());
}

TEST_CASE("the vendor's own platform is not relevant") {
    const auto n = parse_notice_text("CAS will be upgraded with new features to version v2.213 next Thursday.", {});
    CHECK(n.systems == std::vector<std::string>{"CAS"});
    CHECK(n.country.empty());
    CHECK_FALSE(n.relevant);
}

TEST_CASE("active at a time, with filters") {
    auto n = parse_notice_text("Emergency Procedure EMCS Call N04845\nStart: 20-11-2025 at 08:00\nEnd: 20-11-2025 at 14:00\n", {});
    const auto in = *parse_time("2025-11-20T10:00:00Z", "UTC");
    const auto out = *parse_time("2025-11-20T13:00:00Z", "UTC");
    CHECK(notice_active_at(n, in, "", ""));
    CHECK(notice_active_at(n, in, "be", "emcs"));
    CHECK_FALSE(notice_active_at(n, in, "NL", ""));
    CHECK_FALSE(notice_active_at(n, in, "", "AES"));
    CHECK_FALSE(notice_active_at(n, out, "", ""));  // the end is exclusive: 14:00 CET = 13:00Z
}

TEST_CASE("in force: open windows end at the horizon, procedures and outages apart") {
    NoticeOptions o;
    o.reference_time = *parse_time("2025-11-20T07:00:00Z", "UTC");
    auto open = parse_notice_text("Emergency Procedure EMCS Call N04845\nStart: 20-11-2025 at 08:00\n", o);
    ActiveQuery q;
    q.at = *parse_time("2025-11-21T10:00:00Z", "UTC");
    CHECK(notice_in_force(open, q));
    CHECK(std::any_of(open.warnings.begin(), open.warnings.end(),
                      [](const NoticeWarning& w) { return w.code == "open-window"; }));
    q.at = *parse_time("2025-11-23T08:00:00Z", "UTC");  // 72 h after the start (07:00Z)
    CHECK_FALSE(notice_in_force(open, q));
    q.open_horizon = std::chrono::hours{24 * 30};
    CHECK(notice_in_force(open, q));
    q.procedures = true;
    CHECK(notice_in_force(open, q));
    auto window = parse_notice_text("DMS will be unavailable on 7 December 2025 from 08:00 to 13:00 CET.", o);
    ActiveQuery w;
    w.at = *parse_time("2025-12-07T09:00:00Z", "UTC");
    w.procedures = true;
    CHECK_FALSE(notice_in_force(window, w));
    w.procedures = false;
    w.outages = true;
    CHECK(notice_in_force(window, w));
}

TEST_CASE("e-mail decoding") {
    CHECK(decode_quoted_printable("Proc=C3=A9dure=\r\n d'urgence") == "Procédure d'urgence");
    CHECK(decode_base64("UHJvY8OpZHVyZQ==") == "Procédure");
    CHECK_THROWS_AS((void)decode_base64("ab$c"), data_error);
    CHECK(charset_to_utf8("Proc\xE9" "dure", "iso-8859-1") == "Procédure");
    CHECK(charset_to_utf8("\x80", "windows-1252") == "\xE2\x82\xAC");
    CHECK(decode_header_words("=?ISO-8859-1?Q?Proc=E9dure?= =?UTF-8?B?ZA==?= NCTS") == "Procédured NCTS");
    const auto raw = read_email("Subject: Production activation of the ICS2 BCP\r\nDate: Sat, 21 Dec 2024 01:02:00 +0100\r\n\r\nBody\r\n");
    CHECK(raw.title == "Production activation of the ICS2 BCP");
    CHECK(t(raw.posted_at) == "2024-12-21T00:02:00Z");
    REQUIRE(raw.ics2.has_value());
    CHECK(raw.ics2->kind == "activation");
    CHECK_THROWS_AS((void)read_email("no header here\n\nbody"), data_error);
    CHECK_THROWS_AS((void)read_email("Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\ncut"), data_error);
}

TEST_CASE("a call number given only in the subject") {
    const auto raw = read_email("Subject: Noodprocedure IDMS call N04851\r\nDate: Thu, 27 Nov 2025 10:00:00 +0100\r\n\r\nZie onderwerp.\r\n");
    const auto n = interpret_notice(raw, 0, {});
    REQUIRE(n.procedures.size() == 1);
    CHECK(n.procedures[0].call == "N04851");
    CHECK(n.procedures[0].system == "IDMS");
    CHECK(n.country == "BE");
}

TEST_CASE("ICS2 subjects (fi-1)") {
    const auto s = parse_ics2_subject(
        "Production unscheduled unavailability of ICS2 Common and or ICS2 National component on 21122024 0025 CET");
    REQUIRE(s.has_value());
    CHECK(s->kind == "unavailability");
    CHECK(s->scheduled == false);
    CHECK_FALSE(s->update);
    CHECK(s->component == "ICS2 Common and or ICS2 National component");
    CHECK(t(s->registered) == "2024-12-20T23:25:00Z");
    const auto u = parse_ics2_subject("Production unscheduled unavailability update of TAPAS for FI on 03022025 1410 CET");
    REQUIRE(u.has_value());
    CHECK(u->update);
    CHECK(u->country == "FI");
    CHECK(u->component == "TAPAS");
    CHECK_FALSE(parse_ics2_subject("Weekly newsletter").has_value());
}

TEST_CASE("Statuspage JSON shapes and errors") {
    const auto raws = read_statuspage(
        R"({"scheduled_maintenances":[{"name":"AES maintenance","status":"scheduled","created_at":"2025-11-26T19:06:00+01:00",)"
        R"("scheduled_for":"2025-11-28T15:00:00+01:00","scheduled_until":"2025-11-28T16:00:00+01:00","incident_updates":[]}]})");
    REQUIRE(raws.size() == 1);
    const auto n = interpret_notice(raws[0], 0, {});
    CHECK(t(n.window.start) == "2025-11-28T14:00:00Z");
    CHECK(t(n.window.end) == "2025-11-28T15:00:00Z");
    CHECK(n.planned == true);
    CHECK_THROWS_AS((void)read_statuspage("{\"incidents\": [}"), data_error);
    CHECK_THROWS_AS((void)read_statuspage("{\"incidents\": 3}"), data_error);
    CHECK_THROWS_AS((void)read_statuspage("{\"incidents\": [{\"incident_updates\": 5}]}"), data_error);
    CHECK_THROWS_AS((void)read_statuspage("{}"), data_error);
}

TEST_CASE("a system said to be unaffected is left out wherever it is named in passing") {
    // The addressee line names NCTS; a later sentence says NCTS has no downtime.
    const auto n = parse_notice_text(
        "Til\nVirksomheder med import, eksport og transit (NCTS)\nToldstyrelsen\n\n"
        "ICS og Manifest vil opleve utilgængelighed lørdag den 7. december 2013.\n\n"
        "Vedrørende NCTS forventes opgraderingen gennemført uden nedetid.\n",
        {});
    CHECK(std::find(n.systems.begin(), n.systems.end(), "NCTS") == n.systems.end());
    CHECK(std::find(n.systems.begin(), n.systems.end(), "ICS") != n.systems.end());
    // Named again in a sentence about the outage, it counts.
    const auto m = parse_notice_text(
        "Toldstyrelsen\n\nNCTS er ikke tilgængelig lørdag den 7. december 2013.\n\n"
        "Bagefter kører NCTS igen; ICS er ikke berørt, NCTS bliver testet uden nedetid.\n",
        {});
    CHECK(std::find(m.systems.begin(), m.systems.end(), "NCTS") != m.systems.end());
}

TEST_CASE("a name only another country gives a system of is no system of a national publisher") {
    // Only Finnish Customs' profile has a system called "temporary storage declarations".
    const auto se = parse_notice_text(
        "Swedish Customs (Tullverket)\n\nThe declaration system is down. Submit temporary storage declarations by e-mail.\n",
        {});
    CHECK(se.country == "SE");
    CHECK(std::find(se.systems.begin(), se.systems.end(), "TS") == se.systems.end());
    const auto fi = parse_notice_text(
        "Finnish Customs (Tulli)\n\nThe declaration system is down. Submit temporary storage declarations by e-mail.\n",
        {});
    CHECK(fi.country == "FI");
    CHECK(std::find(fi.systems.begin(), fi.systems.end(), "TS") != fi.systems.end());
}

TEST_CASE("an abbreviation of single letters does not end the sentence that says unaffected") {
    const auto n = parse_notice_text(
        "Finnish Customs: the NCTS transit system will be upgraded on 25 November 2017.\n"
        "No changes will be made to other systems, i.e. the ELEX export system and the AREX system.\n",
        {});
    CHECK(n.systems == std::vector<std::string>{"NCTS"});
}

TEST_CASE("a range with no date is on the one date of its weekday the notice names") {
    NoticeOptions o;
    o.reference_time = *parse_time("2026-03-01T00:00:00Z", "UTC");
    const auto n = parse_notice_text(
        "Toldstyrelsen\n\nOn Saturday 7 March 2026 DMS Import is upgraded. "
        "It will be unavailable most of Saturday, from 08:00 to 18:45.\n", o);
    CHECK(t(n.window.start) == "2026-03-07T07:00:00Z");
    CHECK(t(n.window.end) == "2026-03-07T17:45:00Z");
    const auto ev = std::find_if(n.evidence.begin(), n.evidence.end(), [](const auto& e) { return e.first == "window"; });
    REQUIRE(ev != n.evidence.end());
    CHECK(ev->second.find("Saturday") != std::string::npos);
    // Past midnight, the end is on the next day.
    const auto late = parse_notice_text(
        "Toldstyrelsen\n\nDMS Import is upgraded on 7 March 2026: on Saturday from 22:00 to 02:00 it is down.\n", o);
    CHECK(t(late.window.start) == "2026-03-07T21:00:00Z");
    CHECK(t(late.window.end) == "2026-03-08T01:00:00Z");
    // Two Saturdays named, or no weekday beside the range: the day is not known.
    const auto two = parse_notice_text(
        "Toldstyrelsen\n\nDMS Import is upgraded on 7 March 2026 and on 14 March 2026. "
        "On Saturday it is down from 08:00 to 18:45.\n", o);
    CHECK(t(two.window.start) == "null");
    const auto plain = parse_notice_text(
        "Toldstyrelsen\n\nDMS Import is upgraded on 7 March 2026.\n\nIt is down from 08:00 to 18:45.\n", o);
    CHECK(t(plain.window.start) == "null");
    // The weekday must be the date's: 7 March 2026 is no Sunday.
    const auto wrong_day = parse_notice_text(
        "Toldstyrelsen\n\nDMS Import is upgraded on 7 March 2026.\n\nOn Sunday it is down from 08:00 to 18:45.\n", o);
    CHECK(t(wrong_day.window.start) == "null");
    // Opening hours beside the date are no window.
    const auto hours = parse_notice_text(
        "Toldstyrelsen\n\nDMS Import is upgraded on 7 March 2026.\n\nHelpdesk: Monday to Saturday 08:00-17:00.\n", o);
    CHECK(t(hours.window.start) == "null");
}

TEST_CASE("an incident word a planned word qualifies is the planned outage") {
    const auto n = parse_notice_text(
        "Zoll: EMCS am Samstag offline\n\nEin geplanter, ganztägiger Ausfall von EMCS betrifft den Handel. "
        "Während der Ausfall dauert, gilt das Papierverfahren.\n", {});
    REQUIRE(n.planned.has_value());
    CHECK(*n.planned);
    // A planned word and an incident of its own: the words do not decide.
    const auto m = parse_notice_text(
        "EMCS\n\nDie geplante Wartung ist beendet. Seit 10 Uhr gibt es einen Ausfall von EMCS.\n", {});
    CHECK_FALSE(m.planned.has_value());
    CHECK(std::any_of(m.warnings.begin(), m.warnings.end(), [](const auto& w) { return w.code == "planned-unclear"; }));
}

TEST_CASE("windows: one per range, each with the systems named beside it") {
    NoticeOptions o;
    o.reference_time = *parse_time("2020-02-10T12:00:00Z", "UTC");
    const auto n = parse_notice_text(
        "Finančná správa oznamuje plánované odstávky.\n\n"
        "Dňa 14.2.2020 (piatok) v čase od 22:00 hod. do 15.2.2020 v čase do 02:00 hod. a 16.2.2020 (nedeľa) "
        "v čase od 08:00 hod. do 12:00 hod. bude vykonaná odstávka IS CEP.\n\n"
        "Dňa 14.2.2020 v čase od 22:00 hod. do 23:30 hod. bude vykonaná odstávka IS CIS.\n",
        o);
    REQUIRE(n.windows.size() == 3);
    CHECK(t(n.windows[0].start) == "2020-02-14T21:00:00Z");
    // Same start, in text order: the CEP window (to 02:00 the next day), then the CIS one.
    CHECK(t(n.windows[0].end) == "2020-02-15T01:00:00Z");
    CHECK(n.windows[0].systems == std::vector<std::string>{"CEP"});
    CHECK(t(n.windows[1].end) == "2020-02-14T22:30:00Z");
    CHECK(n.windows[1].systems == std::vector<std::string>{"CIS"});
    CHECK(t(n.windows[2].start) == "2020-02-16T07:00:00Z");
    CHECK(t(n.windows[2].end) == "2020-02-16T11:00:00Z");
    CHECK(n.windows[2].status == WindowStatus::scheduled);
    // The window is the first; active and the calendar use all of them.
    CHECK(t(n.window.end) == "2020-02-15T01:00:00Z");
    CHECK(notice_active_at(n, *parse_time("2020-02-16T09:00:00Z", "UTC"), "SK", "CEP"));
    CHECK_FALSE(notice_active_at(n, *parse_time("2020-02-16T09:00:00Z", "UTC"), "SK", "CIS"));
    CHECK_FALSE(notice_active_at(n, *parse_time("2020-02-15T12:00:00Z", "UTC"), "SK", ""));
    CHECK(notice_events(n).size() == 3);
}

TEST_CASE("windows: a range an update moves is superseded, and stays out of force") {
    const auto ns = parse_history(
        "Nov 21, 2025\n"
        "Update - The maintenance has been moved to 28-11-2025 10:00 to 12:00 CET.\n"
        "Nov 21, 12:00 CET\n"
        "Scheduled - Dutch Customs: DMS maintenance on 27-11-2025 10:00 to 12:00 CET.\n"
        "Nov 20, 12:00 CET\n");
    REQUIRE_FALSE(ns.empty());
    const auto& n = ns.back();
    REQUIRE(n.windows.size() == 2);
    CHECK(n.windows[0].status == WindowStatus::superseded);
    CHECK(n.windows[1].status == WindowStatus::scheduled);
    CHECK(t(n.window.start) == t(n.windows[1].start));
    CHECK_FALSE(notice_active_at(n, *n.windows[0].start + std::chrono::minutes{30}, "", ""));
    CHECK(notice_active_at(n, *n.windows[1].start + std::chrono::minutes{30}, "", ""));
}

}  // namespace notice_test
