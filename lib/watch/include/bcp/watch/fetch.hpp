// One polite HTTP GET with libcurl: conditional (If-None-Match, If-Modified-Since; a 304 costs
// one round trip), compressed, bounded in size, redirects and time, TLS verified, the proxy
// from the environment (http_proxy, https_proxy, no_proxy), a User-Agent naming the tool.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace bcp {

struct FetchRequest {
    std::string url;
    std::string etag;           // the validator of the last 200, or empty
    std::string last_modified;  // likewise
    std::string userpwd;        // "user:password" for HTTP authentication, or empty
    std::string cacert;         // a CA bundle to verify against instead of the system's
    std::size_t max_bytes = 10u << 20;   // a longer body is a failure, not a truncated notice
    long max_redirects = 5;
    std::chrono::milliseconds timeout{30000};
    std::chrono::milliseconds connect_timeout{10000};
};

struct FetchResult {
    long status = 0;            // HTTP status; 0 when no response came
    bool not_modified = false;  // 304
    std::string body;           // as sent (decompressed)
    std::string content_type;   // without parameters, lower case
    std::string charset;        // the Content-Type's charset parameter, lower case, or empty
    std::string etag, last_modified;
    std::optional<std::chrono::seconds> retry_after;  // from a 429 or 503
    std::string error;          // why the fetch failed, for a person; empty on success
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Never throws for what the network or the server does: those are in FetchResult::error.
[[nodiscard]] FetchResult fetch(const FetchRequest& request);

// The Retry-After header's value (core's parse_retry_after) as a delay before the next poll,
// at most a week; nothing when absent or unreadable.
[[nodiscard]] std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace bcp
