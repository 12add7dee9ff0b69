// Escaping JSON strings fast: plain ASCII runs are copied in one append.
#include "bcp/core/json_text.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"

namespace bcp {
namespace {

// Bytes that leave the plain-copy loop of append_json_string: controls, quote, backslash and
// everything non-ASCII (checked as UTF-8 there).
constexpr std::array<bool, 256> needs_escape = [] {
    std::array<bool, 256> t{};
    for (std::size_t c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return t;
}();

// The length of the run of plain bytes at the start of s[i, n): eight bytes per step while none
// of them needs escaping (a byte >= 0x80, < 0x20, '"' or '\\', found with word arithmetic),
// then byte by byte.
std::size_t plain_run_end(std::string_view s, std::size_t i) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const std::size_t n = s.size();
    while (i + 8 <= n) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        const std::uint64_t quote = w ^ (ones * '"');
        const std::uint64_t backslash = w ^ (ones * '\\');
        // (x - k) & ~x has a byte's high bit set when that byte of x is below k (k <= 0x80);
        // borrows only add hits above a real one, so the test is exact as a yes/no.
        const std::uint64_t control = (w - ones * 0x20) & ~w;
        const std::uint64_t is_quote = (quote - ones) & ~quote;
        const std::uint64_t is_backslash = (backslash - ones) & ~backslash;
        if (((control | is_quote | is_backslash | w) & highs) != 0) break;
        i += 8;
    }
    while (i < n && !needs_escape[static_cast<unsigned char>(s[i])]) ++i;
    return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        // Fast path: a run of plain printable ASCII.
        const std::size_t j = plain_run_end(s, i);
        out.append(s.data() + i, j - i);
        i = j;
        if (i >= n) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // Copy one valid UTF-8 sequence, or replace one bad byte with U+FFFD.
            if (const std::size_t len = utf8_sequence_length(s, i); len != 0) {
                out.append(s.data() + i, len);
                i += len;
            } else {
                out.append("\xEF\xBF\xBD");
                ++i;
            }
            continue;
        }
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                out.append("\\u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
        }
        ++i;
    }
    out.push_back('"');
}

std::string json_error_text(std::string_view what) {
    const auto close = what.find("] ");
    return std::string(close == std::string_view::npos ? what : what.substr(close + 2));
}

namespace {

void reject_nul(std::string_view text) {
    if (const auto at = text.find('\0'); at != std::string_view::npos) {
        throw nlohmann::json::parse_error::create(101, at + 1, "a NUL byte is not JSON text",
                                                  nullptr);
    }
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
    reject_nul(text);
    return nlohmann::json::parse(text);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text) {
    reject_nul(text);
    return nlohmann::ordered_json::parse(text);
}

nlohmann::json parse_json_document(std::string_view text) {
    try {
        return parse_json(text);
    } catch (const nlohmann::json::parse_error& e) {
        // The line of the offending byte, so the error names a place in the file.
        const std::size_t byte = std::min<std::size_t>(e.byte, text.size());
        std::size_t line = 1;
        for (std::size_t i = 0; i + 1 < byte; ++i) line += text[i] == '\n' ? 1u : 0u;
        throw data_error("json", "malformed JSON: " + json_error_text(e.what()), {}, line);
    } catch (const nlohmann::json::exception& e) {
        throw data_error("json", "malformed JSON: " + json_error_text(e.what()));
    }
}

bool accept_json(std::string_view text) {
    return text.find('\0') == std::string_view::npos && nlohmann::json::accept(text);
}

std::string json_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_line(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace bcp
