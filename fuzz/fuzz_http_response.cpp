// Fuzz target: a gateway's raw HTTP answer as the HTTP sink sees it (status line, header lines
// one by one, body kept up to a limit): Retry-After extraction and parsing (delta seconds or an
// HTTP date) and the classification into accepted / rejected / retry / unknown.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bcp/replay/http_response.hpp"
#include "bcp/replay/sink.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    long status = 0;
    std::string retry_after;
    bool first = true;
    // Header lines up to the blank line, as libcurl's header callback receives them (with CRLF).
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        const auto line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
        rest.remove_prefix(line.size());
        if (first) {
            // "HTTP/1.1 503 ..." or any digits: the code libcurl would report.
            first = false;
            const auto sp = line.find(' ');
            if (sp != std::string_view::npos) {
                for (std::size_t i = sp + 1; i < line.size() && i < sp + 10; ++i) {
                    if (line[i] < '0' || line[i] > '9') break;
                    status = status * 10 + (line[i] - '0');
                }
            }
            continue;
        }
        if (line == "\r\n" || line == "\n") break;
        if (const auto value = bcp::retry_after_header(line)) retry_after = std::string(*value);
    }
    constexpr std::size_t max_response = 64;
    const bool truncated = rest.size() > max_response;
    const auto body = std::string(rest.substr(0, max_response));
    const double now = 1764244800;  // 2025-11-27T12:00:00Z

    const double wait = bcp::parse_retry_after(retry_after, now);
    if (std::isnan(wait) || (wait < 0 && wait != -1)) bcp::fuzz::fail("bad Retry-After wait");

    const auto r = bcp::classify_http_response(status, body, truncated, retry_after, now);
    using bcp::MessageState;
    if (r.state != MessageState::accepted && r.state != MessageState::rejected &&
        r.state != MessageState::queued && r.state != MessageState::unknown) {
        bcp::fuzz::fail("outcome outside accepted/rejected/queued/unknown");
    }
    if (r.push_back && r.state != MessageState::queued) bcp::fuzz::fail("push back without retry");
    if ((status >= 200 && status < 300) != (r.state == MessageState::accepted)) {
        bcp::fuzz::fail("2xx and accepted disagree");
    }
    // Only a status that says the request was not processed may lead to sending it again.
    if (r.state == MessageState::queued && status != 429 && status != 503 && status != 408 &&
        status != 425) {
        bcp::fuzz::fail("a processed request would be re-sent");
    }
    return 0;
}
