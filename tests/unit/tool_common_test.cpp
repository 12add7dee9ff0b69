// Unit tests of lib/cli: JSON string output, buffered output, inputs that are not files, exit
// codes (line reading: line_reader_test.cpp).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

#include "bcp/cli/tool.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace tool_common_test {

using namespace bcp::tool;

TEST_CASE("JSON strings: escapes, control characters, invalid UTF-8 replaced") {
    std::string out;
    append_json_string(out, "a\"b\\c\n\x01" "\xC3\xA9" "\xFF");
    CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\xEF\xBF\xBD\"");
}

TEST_CASE("JSON strings: the eight-bytes-at-a-time scan agrees with the byte rules") {
    // Every ASCII byte at every position of strings around the 8-byte steps, against the
    // escaping rules written out byte by byte.
    const auto expected = [](std::string_view s) {
        std::string e = "\"";
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == '"') e += "\\\"";
            else if (c == '\\') e += "\\\\";
            else if (c == '\n') e += "\\n";
            else if (c == '\r') e += "\\r";
            else if (c == '\t') e += "\\t";
            else if (c < 0x20) e += fmt::format("\\u{:04x}", c);
            else e += ch;
        }
        return e + "\"";
    };
    std::size_t cases = 0;
    for (std::size_t len : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 24u, 31u}) {
        for (std::size_t pos = 0; pos < len; ++pos) {
            for (int c = 0; c < 0x80; ++c) {
                std::string s(len, 'x');
                s[pos] = static_cast<char>(c);
                std::string out;
                append_json_string(out, s);
                CAPTURE(len);
                CAPTURE(pos);
                CAPTURE(c);
                REQUIRE(out == expected(s));
                ++cases;
            }
        }
    }
    CHECK(cases == 128 * (1 + 7 + 8 + 9 + 15 + 16 + 17 + 24 + 31));
    // Non-ASCII after a long plain run still goes through the UTF-8 checks.
    std::string out;
    append_json_string(out, "0123456789abcdef\xC3\xA9 \xFF" "0123456789");
    CHECK(out == "\"0123456789abcdef\xC3\xA9 \xEF\xBF\xBD" "0123456789\"");
}

TEST_CASE("Output writes everything on finish") {
    std::ostringstream s;
    {
        Output out(s, 8);
        out.write("0123456789");
        out.put('\n');
        CHECK(out.finish());
    }
    CHECK(s.str() == "0123456789\n");
}

TEST_CASE("inputs: a directory and a missing file are I/O errors naming them") {
    std::istringstream in;
    CHECK_THROWS_WITH_AS(Input("/tmp", in), "/tmp is a directory", bcp::io_error);
    CHECK_THROWS_AS(Input("/nonexistent/x", in), bcp::io_error);
    Input dash("-", in);
    CHECK(dash.name() == "<stdin>");
}

TEST_CASE("error types, not their kind strings, map to the house exit codes") {
    CHECK(exit_for(bcp::busy_error("x")) == tempfail);
    CHECK(exit_for(bcp::io_error("x")) == usage);
    CHECK(exit_for(bcp::usage_error("x")) == usage);
    CHECK(exit_for(bcp::data_error("json", "x")) == bad_data);
    CHECK(exit_for(bcp::refused_error("x")) == refused);
    CHECK(exit_for(bcp::none_error("x")) == no);
    // A data error whose kind happens to read like another class is still a data error.
    CHECK(exit_for(bcp::data_error("busy", "x")) == bad_data);
}

TEST_CASE("Output: a line is the text and a newline; close throws an I/O error when the write fails") {
    std::ostringstream s;
    {
        Output out(s, 4);
        out.line("{\"a\":1}");
        out.line("");
        out.close();
    }
    CHECK(s.str() == "{\"a\":1}\n\n");
    std::ostringstream bad;
    bad.setstate(std::ios::badbit);
    Output out(bad);
    out.line("x");
    CHECK_THROWS_AS(out.close(), bcp::io_error);
}

}  // namespace tool_common_test
