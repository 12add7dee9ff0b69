// Unit tests of the output layer (lib/format) and of the pieces it renders: reference
// explanations, the iCalendar writer, the notice text view, input detection.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "bcp/core/time.hpp"
#include "bcp/format/check.hpp"
#include "bcp/format/checklist.hpp"
#include "bcp/format/explain.hpp"
#include "bcp/format/notice.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/ref/explain.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace format_test {

using namespace bcp;

TEST_CASE("a two-digit year reads as this century unless that lies over a year ahead") {
    CHECK(full_year("25", 2026) == 2025);
    CHECK(full_year("27", 2026) == 2027);
    CHECK(full_year("28", 2026) == 1928);
    CHECK(full_year("97", 2026) == 1997);
    CHECK(full_year("2", 2026).is_null());
    CHECK(full_year("a5", 2026).is_null());
}

TEST_CASE("a BCP-ID explained part by part, and as text") {
    const auto j = explain_reference("25BECPB000000001R3");
    CHECK(j["type"] == "bcp-id");
    CHECK(j["valid"] == true);
    CHECK(j["country"]["code"] == "BE");
    CHECK(j["bcp"]["marker"] == "CPB");
    CHECK(j["check"]["expected"] == "3");
    const auto text = explain_text(j);
    CHECK(text.rfind("25BECPB000000001R3  Belgian BCP-ID  valid\n", 0) == 0);
    CHECK(text.find("  check        3  (expected 3)\n") != std::string::npos);
    const auto bad = explain_reference("25BECPB000000001R4");
    CHECK(bad["valid"] == false);
    CHECK(explain_text(bad).find("INVALID") != std::string::npos);
}

TEST_CASE("the calendar: CRLF lines, folded at 75 octets without splitting UTF-8, escaped text") {
    NoticeEvent e;
    e.uid = "n1-window@bcpkit";
    e.start = *parse_time("2025-11-27T10:00:00Z", "UTC");
    e.end = *parse_time("2025-11-27T12:00:00Z", "UTC");
    e.summary = "BE AES: procédure de secours; call N04853, " + std::string(60, 'x') + "é";
    std::string out;
    append_calendar(out, {e}, *parse_time("2025-11-28T00:00:00Z", "UTC"));
    CHECK(out.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0) == 0);
    CHECK(out.find("DTSTART:20251127T100000Z\r\n") != std::string::npos);
    CHECK(out.find("DTEND:20251127T120000Z\r\n") != std::string::npos);
    CHECK(out.find("DTSTAMP:20251128T000000Z\r\n") != std::string::npos);
    CHECK(out.find("secours\\; call N04853\\,") != std::string::npos);
    std::size_t start = 0;
    while (start < out.size()) {
        const auto end = out.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        CHECK(end - start <= 75);
        const auto next = static_cast<unsigned char>(out[end + 2 < out.size() ? end + 3 : end]);
        CHECK_FALSE((next & 0xC0) == 0x80);  // a continuation line never starts mid-character
        start = end + 2;
    }
    CHECK(out.size() >= 15);
    CHECK(out.compare(out.size() - 15, 15, "END:VCALENDAR\r\n") == 0);
}

TEST_CASE("what an input holds, from its first bytes") {
    CHECK(detect_notice_input("{\"incidents\":[]}") == NoticeInput::statuspage);
    CHECK(detect_notice_input("\xEF\xBB\xBF  [1]") == NoticeInput::statuspage);
    CHECK(detect_notice_input("From: helpdesk@example.be\nSubject: x\n") == NoticeInput::email);
    CHECK(detect_notice_input("Customs4trade\nIn progress - ...") == NoticeInput::text);
    // A bracketed tag before a text's title is no JSON array.
    CHECK(detect_notice_input("[Expired] Procedures in the declaration system") == NoticeInput::text);
    CHECK(detect_notice_input("[ {\"id\": 1} ]") == NoticeInput::statuspage);
    CHECK(detect_notice_input("[]") == NoticeInput::statuspage);
    CHECK(notice_input_name(NoticeInput::email) == "email");
}

TEST_CASE("a checked reference as a JSON record and a text line") {
    const std::string mrn = "25BECPB000000006R9";
    const auto c = bcp::check(bcp::RefType::bcp_id, mrn);
    std::string out, scratch;
    bcp::append_check_json(out, {"refs.txt", 7, "/bcp_id"}, mrn, c, nullptr, true, scratch);
    REQUIRE(!out.empty());
    CHECK(out.back() == '\n');
    const auto j = nlohmann::json::parse(out);
    CHECK(j["line"] == 7);
    CHECK(j["file"] == "refs.txt");
    CHECK(j["field"] == "/bcp_id");
    CHECK(j["type"] == "bcp-id");
    CHECK(j["valid"] == true);
    CHECK(j["parts"]["country"] == "BE");
    std::string text;
    bcp::append_check_text(text, {"", 3, ""}, mrn, c, nullptr, true);
    CHECK(text == "3: \"25BECPB000000006R9\" bcp-id valid\n");
    // A 10 kB input is echoed cut, its length given beside it.
    const std::string big(10000, 'X');
    const auto bad = bcp::check(bcp::RefType::lrn, big);
    out.clear();
    bcp::append_check_json(out, {"", 1, ""}, big, bad, nullptr, false, scratch);
    const auto b = nlohmann::json::parse(out);
    CHECK(b["input"].get<std::string>().size() == bcp::check_echo_limit);
    CHECK(b["input_truncated"] == true);
    CHECK(b["input_length"] == 10000);
    CHECK(b["type"].is_null());
}

TEST_CASE("a line that is no record, as JSON and as text; a generated reference") {
    std::string out;
    append_bad_line_json(out, CheckOrigin{"in.jsonl", 7, {}}, "json", "malformed \"JSON\"");
    CHECK(out == R"({"line":7,"file":"in.jsonl","valid":false,"error":{"kind":"json","message":"malformed \"JSON\""}})"
                 "\n");
    out.clear();
    append_bad_line_json(out, CheckOrigin{{}, 2, {}}, "empty", "empty line");
    CHECK(nlohmann::json::parse(out).contains("file") == false);
    out.clear();
    append_bad_line_text(out, CheckOrigin{"in.jsonl", 7, {}}, "too-long", "line of 9 bytes");
    append_bad_line_text(out, CheckOrigin{{}, 3, {}}, "empty", "empty line");
    CHECK(out == "in.jsonl:7: ERROR too-long: line of 9 bytes\n3: ERROR empty: empty line\n");
    out.clear();
    append_generated_json(out, "25BECPB000000001A8", RefType::mrn, "BE", 'A', "BECPB", 1);
    const auto j = nlohmann::json::parse(out);
    CHECK(j["reference"] == "25BECPB000000001A8");
    CHECK(j["type"] == "mrn");
    CHECK(j["procedure"] == "A");
    CHECK(j["number"] == 1);
}

TEST_CASE("bcp-mention records: a rule's system, a rule file's lint, the refusal") {
    const auto rules = RuleSet::load();
    const Procedure* p = nullptr;
    for (const auto& q : rules.procedures()) {
        if (q.retrospective.status != Retrospective::not_stated && !q.systems.empty()) p = &q;
    }
    REQUIRE(p != nullptr);
    const auto j = rule_system_json(*p, p->systems.front());
    CHECK(j["procedure"] == p->id);
    CHECK(j["retrospective"] == std::string(to_string(p->retrospective.status)));
    CHECK(rule_system_text(*p, p->systems.front()).find(p->id) != std::string::npos);

    RuleProblem bad{"x.toml", 4, "procedure[0].id", "missing"};
    const auto lint = rule_lint_json("x.toml", {}, {bad});
    CHECK(lint.dump() == R"({"file":"x.toml","valid":false,"procedures":[],"problems":[{"line":4,"key":"procedure[0].id","message":"missing"}]})");
    CHECK(rule_lint_text("x.toml", {}, {bad}) == "x.toml:4: procedure[0].id: missing\n");
    CHECK(rule_lint_text("y.toml", {*p}, {}) == "y.toml: ok, 1 procedure\n");
    RuleProblem whole{"z.toml", 0, "", "unreadable"};
    CHECK(rule_lint_json("z.toml", {}, {whole})["problems"][0]["key"].is_null());
}

}  // namespace format_test
