// What the HTTP sink makes of a gateway's answer, apart from libcurl: the Retry-After header
// picked from the raw header lines, and the status code turned into the delivery outcome of
// bcp-replay(1). Separate so the fuzz target and the unit tests reach it without a network.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bcp/replay/sink.hpp"

namespace bcp {

// The value of a "Retry-After:" header line as libcurl hands it over (name in any case, value
// trimmed of blanks and the line end); nothing for another header.
[[nodiscard]] std::optional<std::string_view> retry_after_header(std::string_view line) noexcept;

// The outcome of a completed exchange with HTTP `status`: 2xx accepted; 429/503 retry later and
// slow down; 408/425 retry later (not processed); other 3xx/4xx rejected; anything else (5xx,
// nonsense) unknown, since the request may have been processed. `response` is the body kept
// (truncated when `truncated`), `retry_after` the header value, if any.
[[nodiscard]] SinkResult classify_http_response(long status, std::string response, bool truncated,
                                                std::string_view retry_after, double now_unix);

}  // namespace bcp
