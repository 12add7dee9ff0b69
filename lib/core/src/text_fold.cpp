#include "bcp/core/text_fold.hpp"

#include <array>

namespace bcp {
namespace {

void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// The lower-case code point of a two-byte sequence's code point (Latin-1, Latin Extended-A,
// Romanian comma letters, Greek, Cyrillic); others unchanged. Every mapping stays two bytes.
unsigned lower_cp(unsigned cp) {
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
    if (cp >= 0x100 && cp <= 0x17F) {
        // Pairs: capital even then small odd, except 0x139-0x148 and 0x179-0x17E (capital odd).
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return (cp % 2 == 1) ? cp + 1 : cp;
        if (cp == 0x130 || cp == 0x131) return cp;  // Turkish dotted and dotless i: kept as written
        if (cp == 0x178) return 0xFF;
        return (cp % 2 == 0) ? cp + 1 : cp;
    }
    if (cp >= 0x218 && cp <= 0x21B) return (cp % 2 == 0) ? cp + 1 : cp;  // Ș ș Ț ț
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;     // Greek capitals
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
    if (cp == 0x3C2) return 0x3C3;  // final sigma folds to sigma
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;  // Cyrillic capitals
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
    if (cp >= 0x490 && cp <= 0x4BF) return (cp % 2 == 0) ? cp + 1 : cp;  // Ґ ґ ...
    return cp;
}

// Accents that do not change a word's meaning for matching are kept: "métro" and "metro" are
// different spellings in the packs, which list both where notices use both.

}  // namespace

std::string decode_text(std::string_view text, bool* was_latin1) {
    if (was_latin1 != nullptr) *was_latin1 = false;
    if (valid_utf8(text)) return std::string(text);
    if (was_latin1 != nullptr) *was_latin1 = true;
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (const char ch : text) put_utf8(out, static_cast<unsigned char>(ch));
    return out;
}

bool word_byte(unsigned char c) noexcept {
    static constexpr auto table = [] {
        std::array<bool, 256> t{};
        for (std::size_t k = 0; k < 256; ++k) {
            t[k] = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9') || k >= 0x80;
        }
        return t;
    }();
    return table[c];
}

void FoldedText::assign(std::string_view s) {
    // Written through raw pointers into buffers sized for the worst case (folding never
    // lengthens a text), then cut: this runs over every byte of every notice.
    text.resize(s.size());
    origin.resize(s.size() + 1);
    char* out = text.data();
    std::uint32_t* from_of = origin.data();
    std::size_t n = 0;
    bool space = true;  // no leading space
    auto push = [&](char c, std::size_t from) {
        out[n] = c;
        from_of[n] = static_cast<std::uint32_t>(from);
        ++n;
    };
    auto push_space = [&](std::size_t from) {
        if (!space) push(' ', from);
        space = true;
    };
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                push_space(i);
            } else {
                push(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c), i);
                space = false;
            }
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
            const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            if (cp == 0xA0) {
                push_space(i);
            } else if (cp < 0xC0 && cp != 0xAA && cp != 0xBA && cp != 0xB5) {
                // Latin-1 punctuation and symbols (« » ° · ­): one plain byte, not a word byte.
                push(cp == 0xAB || cp == 0xBB ? '"' : cp == 0xB0 ? '*' : cp == 0xAD ? '-' : '#', i);
                space = false;
            } else {
                const unsigned l = lower_cp(cp);  // two bytes in, two bytes out
                push(static_cast<char>(0xC0 | (l >> 6)), i);
                push(static_cast<char>(0x80 | (l & 0x3F)), i + 1);
                space = false;
            }
            i += 2;
            continue;
        }
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
            // General punctuation: spaces, dashes, quotes, bullets.
            const auto d = static_cast<unsigned char>(s[i + 2]);
            if ((d >= 0x80 && d <= 0x8B) || d == 0xAF) {
                push_space(i);
            } else if (d >= 0x90 && d <= 0x95) {
                push('-', i);
                space = false;
            } else if (d >= 0x98 && d <= 0x9B) {
                push('\'', i);
                space = false;
            } else if (d >= 0x9C && d <= 0x9F) {
                push('"', i);
                space = false;
            } else {
                push('#', i);
                space = false;
            }
            i += 3;
            continue;
        }
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x88 &&
            static_cast<unsigned char>(s[i + 2]) == 0x92) {
            push('-', i);  // minus sign
            space = false;
            i += 3;
            continue;
        }
        // Any other sequence: copied as it is (a letter of another script, a symbol), or one
        // byte when it is not UTF-8.
        std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i + len > s.size()) len = s.size() - i;
        const bool symbol = c >= 0xE2;  // arrows, boxes, bullets, private use: separators
        if (symbol) {
            push('#', i);
        } else {
            for (std::size_t k = 0; k < len; ++k) push(s[i + k], i + k);
        }
        space = false;
        i += len;
    }
    while (n > 0 && out[n - 1] == ' ') --n;
    text.resize(n);
    origin.resize(n + 1);
    origin[n] = static_cast<std::uint32_t>(s.size());
}

void fold_word(std::string_view s, std::string& out) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < s.size()) {
            const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            put_utf8(out, cp >= 0xC0 ? lower_cp(cp) : cp);
            ++i;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
}

std::string fold(std::string_view s) {
    FoldedText f;
    f.assign(s);
    return std::move(f.text);
}

bool valid_utf8(std::string_view s, std::size_t* bad_offset) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    auto fail = [&](std::size_t at) {
        if (bad_offset != nullptr) *bad_offset = at;
        return false;
    };
    while (i < n) {
        const unsigned c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned min = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, min = 0x10000;
        } else {
            return fail(i);
        }
        if (i + len > n) return fail(i);
        unsigned cp = c & (0xFFu >> (len + 1));
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return fail(i);
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(i);
        i += len;
    }
    return true;
}

}  // namespace bcp
