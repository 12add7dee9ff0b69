// Unit tests of bcp/notice/notice_read.hpp: the input kind detected or as told, text split into
// entries, an e-mail and Statuspage JSON read whole, the limits, binary input, and stopping.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bcp/core/error.hpp"
#include "bcp/notice/notice_read.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_read_test {

using namespace bcp;

namespace {

std::vector<Notice> read_all(const std::string& text, NoticeReadOptions o = {}) {
    std::istringstream in(text);
    o.name = "in.txt";
    std::vector<Notice> out;
    read_notices(in, o, [&](Notice&& n) {
        out.push_back(std::move(n));
        return true;
    });
    return out;
}

const char* const mail =
    "From: noreply@example.org\r\nSubject: Planned maintenance of NCTS\r\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\r\n\r\nNCTS will be unavailable.\r\n";

}  // namespace

TEST_CASE("plain text is one notice; an e-mail is detected and read whole") {
    const auto text = read_all("Planned maintenance\nThe system will be unavailable.\n");
    REQUIRE(text.size() == 1);
    CHECK(text[0].title == "Planned maintenance");
    CHECK(text[0].file == "");  // source.file is the caller's (options.notice.file)
    const auto m = read_all(mail);
    REQUIRE(m.size() == 1);
    CHECK(m[0].title == "Planned maintenance of NCTS");  // the Subject header
}

TEST_CASE("the kind as told is not detected again") {
    NoticeReadOptions o;
    o.kind = NoticeInput::text;
    const auto n = read_all(mail, o);
    REQUIRE(n.size() == 1);
    CHECK(n[0].title != "Planned maintenance of NCTS");  // headers are text here
    CHECK(parse_notice_input("statuspage") == NoticeInput::statuspage);
    CHECK_FALSE(parse_notice_input("auto").has_value());
}

TEST_CASE("limits and binary input are data errors naming the input, the line and the limit") {
    NoticeReadOptions o;
    o.max_line = 16;
    o.max_line_as = "--max-line";
    try {
        (void)read_all("short\nthis line is much longer than sixteen bytes\n", o);
        FAIL("no error");
    } catch (const data_error& e) {
        CHECK(e.kind() == "too-long");
        CHECK(e.file() == "in.txt");
        CHECK(e.line() == 2);
        CHECK(std::string(e.what()).find("(--max-line)") != std::string::npos);
    }
    CHECK_THROWS_AS((void)read_all(std::string("text\0more", 9)), data_error);
    o.max_line = 64;
    CHECK_THROWS_WITH_AS((void)read_all(mail, o), doctest::Contains("email input longer than 64 bytes"),
                         data_error);
}

TEST_CASE("emit returning false stops the reading") {
    std::istringstream in(R"({"incidents":[{"name":"One","incident_updates":[{"body":"a"}]},)"
                          R"({"name":"Two","incident_updates":[{"body":"b"}]}]})");
    NoticeReadOptions o;
    o.kind = NoticeInput::statuspage;
    int n = 0;
    read_notices(in, o, [&](Notice&&) {
        ++n;
        return false;
    });
    CHECK(n == 1);
}

}  // namespace notice_read_test
