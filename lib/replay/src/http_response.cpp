#include "bcp/replay/http_response.hpp"

#include <cctype>

namespace bcp {

std::optional<std::string_view> retry_after_header(std::string_view line) noexcept {
    constexpr std::string_view name = "retry-after:";
    if (line.size() <= name.size()) return std::nullopt;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return std::nullopt;
    }
    auto value = line.substr(name.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' ||
            value.back() == '\t')) {
        value.remove_suffix(1);
    }
    return value;
}

SinkResult classify_http_response(long status, std::string response, bool truncated,
                                  std::string_view retry_after, double now_unix) {
    SinkResult r;
    r.status = static_cast<int>(status);
    r.response = std::move(response);
    if (truncated) r.response += "\n[response truncated]";
    if (status >= 200 && status < 300) {
        r.state = MessageState::accepted;
    } else if (status == 429 || status == 503) {
        r.state = MessageState::queued;
        r.push_back = true;
        r.retry_after = parse_retry_after(retry_after, now_unix);
    } else if (status == 408 || status == 425) {
        // The server says it did not process the request: safe to send again.
        r.state = MessageState::queued;
        r.retry_after = parse_retry_after(retry_after, now_unix);
    } else if (status >= 300 && status < 500) {
        r.state = MessageState::rejected;
        if (status < 400) r.response = "redirect not followed: " + r.response;
    } else {
        // 500, 502, 504...: the request reached a server that may have processed it.
        r.state = MessageState::unknown;
    }
    return r;
}

}  // namespace bcp
