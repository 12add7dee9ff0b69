// JSON text helpers: string escaping and whole-text parsing.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "bcp/core/json_text.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace json_text_test {

using namespace std::string_literals;

TEST_CASE("append_json_string escapes controls and replaces bad UTF-8") {
    std::string out;
    bcp::append_json_string(out, "a\"b\\c\n\x01\xff"s);
    CHECK(out == R"("a\"b\\c\n\u0001�")");
    CHECK(nlohmann::json::parse(out).get<std::string>() == "a\"b\\c\n\x01\xEF\xBF\xBD");
}

TEST_CASE("parse_json refuses a NUL byte, where nlohmann stops reading") {
    const auto text = "{\"a\":1}\0garbage"s;
    REQUIRE(nlohmann::json::accept(text));  // the parser's own behaviour this guards against
    CHECK_FALSE(bcp::accept_json(text));
    try {
        (void)bcp::parse_json(text);
        FAIL("a NUL byte was accepted");
    } catch (const nlohmann::json::parse_error& e) {
        CHECK(e.byte == 8);
        CHECK(bcp::json_error_text(e.what()) == "parse error at byte 8: a NUL byte is not JSON text");
    }
    CHECK_THROWS_AS((void)bcp::parse_ordered_json(text), nlohmann::json::parse_error);
    CHECK(bcp::parse_json(R"({"a":[1,2]})")["a"][1] == 2);
    CHECK(bcp::accept_json(R"({"a":1})"));
    CHECK_FALSE(bcp::accept_json(R"({"a":1} x)"));
}

}  // namespace json_text_test
