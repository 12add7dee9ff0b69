// Escaping JSON strings fast: plain ASCII runs are copied in one append.
#include "bcp/json_text.hpp"

#include <array>
#include <cstddef>

#include "bcp/reference.hpp"

namespace bcp {
namespace {

// Bytes that leave the plain-copy loop of append_json_string: controls, quote, backslash and
// everything non-ASCII (checked as UTF-8 there).
constexpr std::array<bool, 256> needs_escape = [] {
    std::array<bool, 256> t{};
    for (std::size_t c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return t;
}();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        // Fast path: a run of plain printable ASCII.
        std::size_t j = i;
        while (j < n && !needs_escape[static_cast<unsigned char>(s[j])]) ++j;
        out.append(s.data() + i, j - i);
        i = j;
        if (i >= n) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // Copy one valid UTF-8 sequence, or replace one bad byte with U+FFFD.
            std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            if (len != 0 && i + len <= n && valid_utf8(s.substr(i, len))) {
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

}  // namespace bcp
