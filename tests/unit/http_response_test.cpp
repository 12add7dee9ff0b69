// Unit tests of bcp/http_response.hpp: the Retry-After header line and the classification of
// a gateway's status into the delivery outcomes of bcp-replay(1).
#include <doctest/doctest.h>

#include "bcp/replay/http_response.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace http_response_test {

using namespace bcp;

TEST_CASE("Retry-After is found in a raw header line, in any case, trimmed") {
    CHECK(retry_after_header("Retry-After: 3\r\n") == "3");
    CHECK(retry_after_header("retry-after:\t  Thu, 27 Nov 2025 10:00:30 GMT \r\n") ==
          "Thu, 27 Nov 2025 10:00:30 GMT");
    CHECK(retry_after_header("RETRY-AFTER:5") == "5");
    CHECK(retry_after_header("Retry-After:\r\n") == "");
    CHECK_FALSE(retry_after_header("Retry-After"));
    CHECK_FALSE(retry_after_header("Retry-Afterwards: 3\r\n"));
    CHECK_FALSE(retry_after_header("Content-Type: application/json\r\n"));
    CHECK_FALSE(retry_after_header(""));
}

TEST_CASE("a status becomes accepted, rejected, retry later or unknown") {
    const double now = 1764237600.0;  // 2025-11-27T10:00:00Z
    auto r = classify_http_response(202, "{}", false, "", now);
    CHECK(r.state == MessageState::accepted);
    CHECK(r.status == 202);
    CHECK(r.response == "{}");

    r = classify_http_response(429, "", false, "7", now);
    CHECK(r.state == MessageState::queued);
    CHECK(r.push_back);
    CHECK(r.retry_after == doctest::Approx(7));

    r = classify_http_response(503, "", false, "Thu, 27 Nov 2025 10:00:30 GMT", now);
    CHECK(r.state == MessageState::queued);
    CHECK(r.retry_after == doctest::Approx(30));

    r = classify_http_response(408, "", false, "", now);
    CHECK(r.state == MessageState::queued);
    CHECK_FALSE(r.push_back);
    CHECK(r.retry_after == -1);

    r = classify_http_response(302, "moved", false, "", now);
    CHECK(r.state == MessageState::rejected);
    CHECK(r.response == "redirect not followed: moved");

    CHECK(classify_http_response(400, "", false, "", now).state == MessageState::rejected);
    // The request may have been processed: never sent again by itself.
    CHECK(classify_http_response(500, "", false, "", now).state == MessageState::unknown);
    CHECK(classify_http_response(504, "", false, "1", now).state == MessageState::unknown);
    CHECK(classify_http_response(0, "", false, "", now).state == MessageState::unknown);
    CHECK(classify_http_response(-5, "", false, "", now).state == MessageState::unknown);
    CHECK(classify_http_response(999999, "", false, "", now).state == MessageState::unknown);

    r = classify_http_response(200, "abc", true, "", now);
    CHECK(r.response == "abc\n[response truncated]");
}

}  // namespace http_response_test
