// Unit tests of bcp/core/line_reader.hpp: CRLF, BOM, a missing final newline, lines longer
// than the buffer, and lines over the limit reported and skipped with memory bounded.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bcp/core/line_reader.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace line_reader_test {

using bcp::LineReader;

namespace {

std::vector<LineReader::Line> read_all(const std::string& text, std::size_t max = 1u << 20,
                                       std::vector<std::string>* texts = nullptr) {
    std::istringstream in(text);
    LineReader r(in, max);
    std::vector<LineReader::Line> lines;
    LineReader::Line l;
    while (r.next(l)) {
        lines.push_back(l);
        if (texts != nullptr) texts->emplace_back(l.text);
    }
    return lines;
}

}  // namespace

TEST_CASE("lines: CRLF, BOM, empty lines and a missing final newline") {
    std::vector<std::string> t;
    const auto lines = read_all("\xEF\xBB\xBF" "a\r\n\r\nb\nc", 1u << 20, &t);
    REQUIRE(lines.size() == 4);
    CHECK(t == std::vector<std::string>{"a", "", "b", "c"});
    CHECK(lines[3].number == 4);
    CHECK(read_all("").empty());
    CHECK(read_all("\n").size() == 1);
}

TEST_CASE("lines longer than the buffer are assembled") {
    std::string big(3u << 20, 'x');
    std::vector<std::string> t;
    const auto lines = read_all(big + "\nshort\n", 8u << 20, &t);
    REQUIRE(lines.size() == 2);
    CHECK(t[0].size() == big.size());
    CHECK(t[1] == "short");
}

TEST_CASE("a line over the limit is reported with its length and skipped") {
    std::string big(5000, 'y');
    std::vector<std::string> t;
    const auto lines = read_all("ok\n" + big + "\nafter", 1000, &t);
    REQUIRE(lines.size() == 3);
    CHECK_FALSE(lines[0].too_long);
    CHECK(lines[1].too_long);
    CHECK(lines[1].length == 5000);
    CHECK(lines[1].number == 2);
    CHECK(t[2] == "after");
    // Also when the over-long line is the last one, without a newline.
    const auto tail = read_all("ok\n" + big, 1000);
    REQUIRE(tail.size() == 2);
    CHECK(tail[1].too_long);
}

}  // namespace line_reader_test
