// Text as the notice stages compare it: decoded to UTF-8 (a text that is not valid UTF-8 is
// read as Latin-1, the usual charset of older mail and pages), and folded for phrase matching:
// lower case across Latin, Greek and Cyrillic, typographic dashes, quotes and spaces made
// plain, every run of white space one space. The folded copy keeps a map back to the original
// byte offsets, so what matched can be quoted as written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bcp {

// `text` itself when it is valid UTF-8, else its bytes read as Latin-1 (ISO 8859-1).
[[nodiscard]] std::string decode_text(std::string_view text, bool* was_latin1 = nullptr);

// Whether the byte belongs to a word: ASCII letters and digits, and the bytes of letters
// beyond ASCII (punctuation such as U+00A0, U+2013 is folded away before this is asked).
[[nodiscard]] bool word_byte(unsigned char c) noexcept;

// A folded copy of a text and, for each of its bytes, the offset of the byte it came from.
struct FoldedText {
    std::string text;
    std::vector<std::uint32_t> origin;  // origin.size() == text.size() + 1 (the end maps too)
    void assign(std::string_view source);
    // The original span of folded bytes [begin, end).
    [[nodiscard]] std::pair<std::size_t, std::size_t> source_span(std::size_t begin,
                                                                  std::size_t end) const {
        return {origin[begin], origin[end]};
    }
};

// Folds one word or phrase (for dictionaries): the same folding as FoldedText.
[[nodiscard]] std::string fold(std::string_view s);

// Appends the lower-case form of one word (letters and digits only) to `out`: the letters of
// FoldedText, without allocating when `out` has room.
void fold_word(std::string_view word, std::string& out);

// ASCII letters to lower case, every other byte as it is (header names, MIME types, charsets).
[[nodiscard]] inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// 64-bit FNV-1a of the bytes, chained through `h`: ids and content hashes that must stay the
// same across runs and builds (std::hash promises neither).
[[nodiscard]] constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) noexcept {
    for (const char ch : s) {
        h ^= static_cast<std::uint8_t>(ch);
        h *= 1099511628211ULL;
    }
    return h;
}

// `s` without the blanks (space, tab, CR, LF) at either end.
[[nodiscard]] inline std::string_view trim_blanks(std::string_view s) noexcept {
    constexpr std::string_view blanks = " \t\r\n";
    const auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

// True when `s` is well-formed UTF-8; `bad_offset` receives the first bad byte's offset.
[[nodiscard]] bool valid_utf8(std::string_view s, std::size_t* bad_offset = nullptr) noexcept;

// The length of the well-formed UTF-8 sequence that starts at `s[i]` (1 to 4), or 0 when the
// byte there starts none: the step of a writer that replaces each bad byte with U+FFFD.
[[nodiscard]] inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    return len != 0 && i + len <= s.size() && valid_utf8(s.substr(i, len)) ? len : 0;
}

}  // namespace bcp
