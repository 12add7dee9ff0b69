#include "bcp/notice_date.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>

#include <fmt/format.h>

#include "bcp/error.hpp"

namespace bcp {
namespace {

// --- Tokens --------------------------------------------------------------------------------

enum class Kind : unsigned char { num, word, mixed, punct };

struct Tok {
    Kind kind;
    std::string_view s;
    std::size_t pos;
    bool nl;  // a line break before it
    signed char month = 0;     // 1-12 when the word names a month
    signed char weekday = -1;  // 0-6 when it names a day
};

bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes of a UTF-8 sequence starting with `lead` (1 for ASCII and stray bytes).
std::size_t seq_len(unsigned char lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

// Accented Latin letters (U+00C0-U+017F, lead bytes C3-C5) belong to words ("décembre",
// "März"); every other non-ASCII sequence (no-break space, bullets, curly quotes, dashes,
// the private-use bullets of seed 000) separates them: class 3 of tokenize()'s table.

// Tokens of `text` into `toks` (cleared first; its capacity is reused from call to call).
void tokenize(std::string_view text, std::vector<Tok>& toks) {
    toks.clear();
    toks.reserve(text.size() / 4 + 4);
    std::size_t i = 0;
    bool nl = false;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            nl = true;
            ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
            continue;
        }
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
            i += 2;  // no-break space: "07 :00" is often "07\u00a0:00"
            continue;
        }
        const std::size_t start = i;
        // Byte classes by table: this loop sees every byte of every notice.
        static constexpr auto cls = [] {
            std::array<unsigned char, 256> t{};  // 0 other, 1 digit, 2 ASCII letter, 3 accented lead
            for (int k = '0'; k <= '9'; ++k) t[static_cast<std::size_t>(k)] = 1;
            for (std::size_t k = 'a'; k <= 'z'; ++k) t[k] = t[k - 'a' + 'A'] = 2;
            for (int k = 0xC3; k <= 0xC5; ++k) t[static_cast<std::size_t>(k)] = 3;
            return t;
        }();
        if (cls[c] != 0) {
            bool digit = false, alpha = false;
            while (i < text.size()) {
                const auto d = static_cast<unsigned char>(text[i]);
                const unsigned char k = cls[d];
                if (k == 1) {
                    digit = true;
                    ++i;
                } else if (k == 2) {
                    alpha = true;
                    ++i;
                } else if (k == 3) {
                    alpha = true;
                    i += std::min(seq_len(d), text.size() - i);
                } else {
                    break;
                }
            }
            toks.push_back({digit && alpha ? Kind::mixed : digit ? Kind::num : Kind::word,
                            text.substr(start, i - start), start, nl, 0, -1});
        } else {
            const std::size_t n = std::min(seq_len(c), text.size() - i);
            i += n;
            std::string_view s = text.substr(start, n);
            // En dash, em dash and minus sign read as a hyphen in ranges.
            if (s == "\xE2\x80\x93" || s == "\xE2\x80\x94" || s == "\xE2\x88\x92") s = "-";
            if (s == "\xE2\x80\x99") s = "'";
            toks.push_back({Kind::punct, s, start, nl, 0, -1});
        }
        nl = false;
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    // Upper-case accented letters of names written in capitals ("DÉCEMBRE").
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (static_cast<unsigned char>(out[i]) == 0xC3) {
            auto b = static_cast<unsigned char>(out[i + 1]);
            if (b >= 0x80 && b <= 0x9E && b != 0x97) out[i + 1] = static_cast<char>(b + 0x20);
        }
    }
    return out;
}

// `s` equals `lowered` ignoring case (ASCII and the accented capitals of lower()), without
// allocating: this runs for every token against every word list.
bool ieq(std::string_view s, std::string_view lowered) {
    if (s.size() != lowered.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        } else if (i > 0 && static_cast<unsigned char>(s[i - 1]) == 0xC3) {
            const auto b = static_cast<unsigned char>(c);
            if (b >= 0x80 && b <= 0x9E && b != 0x97) c = static_cast<char>(b + 0x20);
        }
        if (c != lowered[i]) return false;
    }
    return true;
}

bool is_word(const Tok& t, std::initializer_list<std::string_view> words) {
    if (t.kind != Kind::word) return false;
    for (auto w : words) {
        if (ieq(t.s, w)) return true;
    }
    return false;
}

bool is_punct(const Tok& t, std::string_view p) { return t.kind == Kind::punct && t.s == p; }

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

// --- Names ---------------------------------------------------------------------------------

struct Name {
    std::string_view word;
    int value;
};

// English, French, Dutch and German month names and their usual abbreviations (seed 000 is
// English and French; the issue asks for Dutch and German as well).
constexpr std::array<Name, 62> month_names{{
    {"january", 1},   {"jan", 1},       {"janvier", 1},  {"janv", 1},      {"januari", 1},
    {"januar", 1},    {"jän", 1},       {"february", 2}, {"feb", 2},       {"février", 2},
    {"fevrier", 2},   {"févr", 2},      {"februari", 2}, {"februar", 2},   {"march", 3},
    {"mar", 3},       {"mars", 3},      {"maart", 3},    {"mrt", 3},       {"märz", 3},
    {"maerz", 3},     {"april", 4},     {"apr", 4},      {"avril", 4},     {"avr", 4},
    {"may", 5},       {"mai", 5},       {"mei", 5},      {"june", 6},      {"jun", 6},
    {"juin", 6},      {"juni", 6},      {"july", 7},     {"jul", 7},       {"juillet", 7},
    {"juil", 7},      {"juli", 7},      {"august", 8},   {"aug", 8},       {"août", 8},
    {"aout", 8},      {"augustus", 8},  {"september", 9}, {"sep", 9},      {"sept", 9},
    {"septembre", 9}, {"october", 10},  {"oct", 10},     {"octobre", 10},  {"oktober", 10},
    {"okt", 10},      {"november", 11}, {"nov", 11},     {"novembre", 11}, {"december", 12},
    {"dec", 12},      {"décembre", 12}, {"decembre", 12}, {"déc", 12},     {"dezember", 12},
    {"dez", 12},      {"mei", 5},
}};

constexpr std::array<Name, 40> weekday_names{{
    {"monday", 0},    {"mon", 0},      {"lundi", 0},    {"maandag", 0},   {"montag", 0},
    {"tuesday", 1},   {"tue", 1},      {"tues", 1},     {"mardi", 1},     {"dinsdag", 1},
    {"dienstag", 1},  {"wednesday", 2}, {"wed", 2},     {"mercredi", 2},  {"woensdag", 2},
    {"mittwoch", 2},  {"thursday", 3}, {"thu", 3},      {"thurs", 3},     {"jeudi", 3},
    {"donderdag", 3}, {"donnerstag", 3}, {"friday", 4}, {"fri", 4},       {"vendredi", 4},
    {"vrijdag", 4},   {"freitag", 4},  {"saturday", 5}, {"sat", 5},       {"samedi", 5},
    {"zaterdag", 5},  {"samstag", 5},  {"sonnabend", 5}, {"sunday", 6},   {"sun", 6},
    {"dimanche", 6},  {"zondag", 6},   {"sonntag", 6},  {"thur", 3},      {"dim", 6},
}};

constexpr std::array<std::string_view, 7> weekday_english{
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// Name tables as hash maps, built once: the scanner asks for every word of every notice.
template <std::size_t N>
std::unordered_map<std::string_view, int> index_of(const std::array<Name, N>& table) {
    std::unordered_map<std::string_view, int> m;
    for (const auto& n : table) m.emplace(n.word, n.value);
    return m;
}

// A month or day name folded to lower case into `buf` (at most 12 bytes): ASCII capitals and
// the Latin-1 capitals of UTF-8 (É -> é, Ä -> ä), so "DÉCEMBRE" finds "décembre".
std::string_view fold_name(std::string_view word, char (&buf)[12]) {
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = word[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        } else if (i > 0 && static_cast<unsigned char>(word[i - 1]) == 0xC3) {
            const auto b = static_cast<unsigned char>(c);
            if (b >= 0x80 && b <= 0x9E && b != 0x97) c = static_cast<char>(b + 0x20);
        }
        buf[i] = c;
    }
    return std::string_view(buf, word.size());
}

int lookup(std::string_view word, const std::unordered_map<std::string_view, int>& table, int none) {
    if (word.size() < 3 || word.size() > 12) return none;
    char buf[12];
    const auto it = table.find(fold_name(word, buf));
    return it == table.end() ? none : it->second;
}

// A cheap filter before the hash lookups: the (first letter, length) pairs that month and day
// names have. Most words of a notice fail it.
bool maybe_name(std::string_view word) {
    static const auto table = [] {
        std::array<std::uint16_t, 26> t{};
        auto add = [&t](std::string_view w) {
            if (w[0] >= 'a' && w[0] <= 'z') t[static_cast<std::size_t>(w[0] - 'a')] |= static_cast<std::uint16_t>(1u << w.size());
        };
        for (const auto& n : month_names) add(n.word);
        for (const auto& n : weekday_names) add(n.word);
        return t;
    }();
    char c = word[0];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') return true;  // accented initial: let the lookup decide
    return ((static_cast<unsigned>(table[static_cast<std::size_t>(c - 'a')]) >> word.size()) & 1u) != 0;
}

const std::unordered_map<std::string_view, int>& months() {
    static const auto m = index_of(month_names);
    return m;
}

const std::unordered_map<std::string_view, int>& weekdays() {
    static const auto m = index_of(weekday_names);
    return m;
}

// Month and day names in one table: the month in the low byte, the weekday + 1 above it
// (no word of the tables is both).
const std::unordered_map<std::string_view, int>& names() {
    static const auto m = [] {
        std::unordered_map<std::string_view, int> out;
        for (const auto& n : month_names) out.emplace(n.word, n.value);
        for (const auto& n : weekday_names) out[n.word] |= (n.value + 1) << 8;
        return out;
    }();
    return m;
}

// names() as an open-addressing table keyed by FNV-1a of the lower-cased word: the scanner
// asks for every word, and std::hash plus the node walk cost more than the rest of the test.
// Returns names()'s value, or 0.
int name_value(std::string_view word) {
    if (word.size() < 3 || word.size() > 12) return 0;
    struct Slot {
        std::string_view word;
        int value = 0;
    };
    auto hash = [](std::string_view w) {
        std::uint32_t h = 2166136261u;
        for (const char c : w) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
        return h;
    };
    static const auto table = [&hash] {
        std::array<Slot, 512> t{};
        for (const auto& [w, v] : names()) {
            std::size_t k = hash(w) % t.size();
            while (!t[k].word.empty()) k = (k + 1) % t.size();
            t[k] = {w, v};
        }
        return t;
    }();
    char buf[12];
    const std::string_view lowered = fold_name(word, buf);
    for (std::size_t k = hash(lowered) % table.size(); !table[k].word.empty(); k = (k + 1) % table.size()) {
        if (table[k].word == lowered) return table[k].value;
    }
    return 0;
}

// --- Grammar -------------------------------------------------------------------------------

class Scanner {
public:
    // `buffer` lends its capacity (see take()), so scanning allocates nothing once warm.
    Scanner(std::string_view text, bool compact, std::vector<Tok>&& buffer = {})
        : t_(std::move(buffer)), compact_(compact) {
        tokenize(text, t_);
        // Month and day names are looked up once per word, not once per grammar rule.
        for (auto& t : t_) {
            if (t.kind != Kind::word || t.s.size() < 3 || t.s.size() > 12 || !maybe_name(t.s)) continue;
            // One lower-casing and one lookup for both tables.
            const int both = name_value(t.s);
            t.month = static_cast<signed char>(both & 0xFF);
            t.weekday = static_cast<signed char>((both >> 8) - 1);
        }
    }

    // Gives the token buffer back for the next scan.
    std::vector<Tok> take() { return std::move(t_); }

    std::vector<FoundTime> run() {
        std::vector<FoundTime> out;
        std::size_t i = 0;
        while (i < t_.size()) {
            // Only a number, a month or day name, or "next" before a day name can start a time
            // (see date() and clock()); the other tokens are skipped without trying the rules.
            const auto& t = t_[i];
            if (t.kind == Kind::punct ||
                (t.kind == Kind::word && t.month == 0 && t.weekday < 0 && !(has(i + 1) && t_[i + 1].weekday >= 0))) {
                ++i;
                continue;
            }
            FoundTime f;
            std::size_t next = 0;
            joined_start_ = false;
            if (stamp(i, f.start, next) || time_first(i, f.start, next)) {
                const bool joined_start = joined_start_;
                f.begin = t_[i].pos;
                const std::size_t first = i;
                i = next;
                range_end(f, i);
                utc_note(f, i);
                f.finish = i > 0 ? t_[i - 1].pos + t_[i - 1].s.size() : 0;
                f.role = role_before(first);
                if (f.role == TimeRole::point && joined_start && !f.end) f.role = TimeRole::start;
                share_zone(f);
                out.push_back(std::move(f));
                continue;
            }
            ++i;
        }
        return out;
    }

    // Whether the tokens from `i` form a date header "Nov 27, 2025" and nothing else.
    [[nodiscard]] const std::vector<Tok>& tokens() const { return t_; }

    bool date_only(std::size_t i, WrittenDate& d, std::size_t& next) { return date(i, d, next); }

private:
    [[nodiscard]] bool has(std::size_t i) const { return i < t_.size(); }

    // A day number, also with an ordinal suffix: "27", "27th", "1er", "2e".
    bool day_number(std::size_t i, int& day) const {
        if (!has(i)) return false;
        const auto& t = t_[i];
        std::string_view digits = t.s;
        if (t.kind == Kind::mixed) {
            std::size_t k = 0;
            while (k < t.s.size() && ascii_digit(t.s[k])) ++k;
            const std::string suffix = lower(t.s.substr(k));
            if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th" &&
                suffix != "er" && suffix != "e" && suffix != "ème") {
                return false;
            }
            digits = t.s.substr(0, k);
        } else if (t.kind != Kind::num) {
            return false;
        }
        if (digits.empty() || digits.size() > 2) return false;
        day = to_int(digits);
        return day >= 1 && day <= 31;
    }

    bool year4(std::size_t i, int& year) const {
        if (!has(i) || t_[i].kind != Kind::num || t_[i].s.size() != 4) return false;
        if (has(i + 1) && is_punct(t_[i + 1], ":")) return false;  // "2025:" is no year here
        year = to_int(t_[i].s);
        return year >= 1990 && year <= 2099;
    }

    // A date, maybe after a weekday: numeric day-first, ISO, month name either side.
    bool date(std::size_t i, WrittenDate& d, std::size_t& next) {
        d = {};
        std::size_t j = i;
        // "next Thursday" (unless a full date follows: "next Thursday, November 27, 2025").
        if (has(j + 1) && t_[j + 1].weekday >= 0 &&
            is_word(t_[j], {"next", "coming", "volgende", "komende", "nächsten", "kommenden", "naechsten"})) {
            std::size_t after = 0;
            if (date(j + 1, d, after)) {
                next = after;
                return true;
            }
            d = {};
            d.weekday = t_[j + 1].weekday;
            d.next_weekday = true;
            next = j + 2;
            return true;
        }
        if (has(j) && t_[j].kind == Kind::word) {
            const int wd = t_[j].weekday;
            if (wd >= 0) {
                d.weekday = wd;
                ++j;
                if (has(j) && is_punct(t_[j], ",")) ++j;
            }
        }
        if (!has(j)) return false;
        // "jeudi prochain", "Thursday next".
        if (d.weekday >= 0 && is_word(t_[j], {"prochain", "prochaine", "next"})) {
            d.next_weekday = true;
            next = j + 1;
            return true;
        }
        const auto& a = t_[j];
        // dd-mm-yyyy, dd/mm/yy, dd.mm.yyyy (European day first), or yyyy-mm-dd.
        if (a.kind == Kind::num && has(j + 4) && t_[j + 1].kind == Kind::punct &&
            (t_[j + 1].s == "-" || t_[j + 1].s == "/" || t_[j + 1].s == ".") &&
            t_[j + 2].kind == Kind::num && is_punct(t_[j + 3], t_[j + 1].s) &&
            t_[j + 4].kind == Kind::num && adjacent(j, j + 4)) {
            const auto& b = t_[j + 2];
            const auto& c = t_[j + 4];
            if (a.s.size() <= 2 && b.s.size() <= 2 && (c.s.size() == 2 || c.s.size() == 4)) {
                d.day = to_int(a.s);
                d.month = to_int(b.s);
                d.year = c.s.size() == 2 ? 2000 + to_int(c.s) : to_int(c.s);
            } else if (a.s.size() == 4 && b.s.size() == 2 && c.s.size() == 2 && t_[j + 1].s == "-") {
                d.year = to_int(a.s);
                d.month = to_int(b.s);
                d.day = to_int(c.s);
            } else {
                return false;
            }
            if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return false;
            next = j + 5;
            return true;
        }
        // ddmmyyyy of the ICS2 notification subjects ("on 21122024 0025 CET", seed 001).
        if (compact_ && a.kind == Kind::num && a.s.size() == 8) {
            d.day = to_int(a.s.substr(0, 2));
            d.month = to_int(a.s.substr(2, 2));
            d.year = to_int(a.s.substr(4));
            if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return false;
            next = j + 1;
            return true;
        }
        // Month name first: "Nov 27, 2025", "November 27", "Nov. 27th 2025".
        if (a.kind == Kind::word) {
            const int m = a.month;
            if (m == 0) return false;
            std::size_t k = j + 1;
            if (has(k) && is_punct(t_[k], ".")) ++k;
            int day = 0;
            if (!day_number(k, day)) return false;
            if (has(k + 1) && is_punct(t_[k + 1], ":")) return false;  // "May 12:00"
            d.month = m;
            d.day = day;
            ++k;
            std::size_t y = k;
            if (has(y) && is_punct(t_[y], ",")) ++y;
            if (year4(y, d.year)) k = y + 1;
            next = k;
            return true;
        }
        // Day first: "13 December 2025", "25th November 2025", "1er décembre", "7. Dezember".
        int day = 0;
        if (!day_number(j, day)) return false;
        std::size_t k = j + 1;
        if (has(k) && is_punct(t_[k], ".")) ++k;
        if (!has(k) || t_[k].kind != Kind::word) return false;
        const int m = t_[k].month;
        if (m == 0) return false;
        d.day = day;
        d.month = m;
        ++k;
        std::size_t y = k;
        if (has(y) && is_punct(t_[y], ",")) ++y;
        if (year4(y, d.year)) k = y + 1;
        next = k;
        return true;
    }

    // No whitespace between tokens i..j (a numeric date is one word).
    [[nodiscard]] bool adjacent(std::size_t i, std::size_t j) const {
        for (std::size_t k = i; k < j; ++k) {
            if (t_[k].pos + t_[k].s.size() != t_[k + 1].pos) return false;
        }
        return true;
    }

    static bool ampm_word(std::string_view w, bool& pm) {
        const std::string l = lower(w);
        if (l == "am") {
            pm = false;
            return true;
        }
        if (l == "pm") {
            pm = true;
            return true;
        }
        return false;
    }

    // After a clock time: "am", "PM", "a.m.", "p.m.".
    bool ampm(std::size_t i, bool& pm, std::size_t& next) const {
        if (!has(i) || t_[i].kind != Kind::word) return false;
        if (ampm_word(t_[i].s, pm)) {
            next = i + 1;
            return true;
        }
        if ((is_word(t_[i], {"a"}) || is_word(t_[i], {"p"})) && has(i + 2) && is_punct(t_[i + 1], ".") &&
            is_word(t_[i + 2], {"m"})) {
            pm = is_word(t_[i], {"p"});
            next = i + 3;
            if (has(next) && is_punct(t_[next], ".")) ++next;
            return true;
        }
        return false;
    }

    static bool apply_ampm(int& h, bool pm) {
        if (h < 1 || h > 12) return false;
        h = h % 12 + (pm ? 12 : 0);
        return true;
    }

    // A clock time: "11:00", "07 :00", "9:30pm", "9am", "2 pm", "07h00", "12.30" (after "at"),
    // "0025" (compact ICS2 form only).
    bool clock(std::size_t i, int& h, int& m, std::size_t& next, bool dot_ok, bool compact4) const {
        if (!has(i)) return false;
        const auto& a = t_[i];
        bool pm = false;
        if (a.kind == Kind::num && a.s.size() <= 2 && has(i + 2) && is_punct(t_[i + 1], ":")) {
            const auto& b = t_[i + 2];
            h = to_int(a.s);
            if (b.kind == Kind::num && b.s.size() == 2) {
                m = to_int(b.s);
                next = i + 3;
                if (ampm(next, pm, next) && !apply_ampm(h, pm)) return false;
            } else if (b.kind == Kind::mixed && b.s.size() == 4 && ascii_digit(b.s[0]) &&
                       ascii_digit(b.s[1]) && ampm_word(b.s.substr(2), pm)) {
                m = to_int(b.s.substr(0, 2));
                if (!apply_ampm(h, pm)) return false;
                next = i + 3;
            } else {
                return false;
            }
            return valid(h, m);
        }
        if (a.kind == Kind::mixed) {
            std::size_t k = 0;
            while (k < a.s.size() && ascii_digit(a.s[k])) ++k;
            if (k == 0 || k > 2) return false;
            const std::string rest = lower(a.s.substr(k));
            h = to_int(a.s.substr(0, k));
            if (rest == "h" || rest == "u") {
                // "07h00" is one token only when the minutes follow directly; "07h" alone is 07:00.
                m = 0;
                next = i + 1;
                return valid(h, m);
            }
            if (rest.size() > 1 && (rest[0] == 'h' || rest[0] == 'u')) {
                const std::string_view mm = a.s.substr(k + 1);
                if (mm.size() != 2 || !ascii_digit(mm[0]) || !ascii_digit(mm[1])) return false;
                m = to_int(mm);
                next = i + 1;
                return valid(h, m);
            }
            if (ampm_word(rest, pm)) {
                m = 0;
                if (!apply_ampm(h, pm)) return false;
                next = i + 1;
                return valid(h, m);
            }
            return false;
        }
        if (a.kind != Kind::num) return false;
        if (a.s.size() <= 2) {
            h = to_int(a.s);
            if (dot_ok && has(i + 2) && is_punct(t_[i + 1], ".") && t_[i + 2].kind == Kind::num &&
                t_[i + 2].s.size() == 2 && adjacent(i, i + 2)) {
                m = to_int(t_[i + 2].s);
                next = i + 3;
                if (ampm(next, pm, next) && !apply_ampm(h, pm)) return false;
                return valid(h, m);
            }
            if (ampm(i + 1, pm, next)) {
                m = 0;
                return apply_ampm(h, pm) && valid(h, m);
            }
            return false;
        }
        if (compact4 && a.s.size() == 4) {
            h = to_int(a.s.substr(0, 2));
            m = to_int(a.s.substr(2));
            next = i + 1;
            return valid(h, m);
        }
        return false;
    }

    static bool valid(int h, int m) { return m >= 0 && m <= 59 && h >= 0 && (h < 24 || (h == 24 && m == 0)); }

    bool zone(std::size_t i, std::string& label, std::size_t& next) const {
        std::size_t k = i;
        const bool paren = has(k) && is_punct(t_[k], "(");
        if (paren) ++k;
        if (!has(k) || t_[k].kind != Kind::word) return false;
        const auto s = t_[k].s;
        if (s != "CET" && s != "CEST" && s != "GMT" && s != "UTC" && s != "BST" && s != "MEZ" &&
            s != "MESZ" && s != "Z") {
            return false;
        }
        ++k;
        if (paren) {
            if (!has(k) || !is_punct(t_[k], ")")) return false;
            ++k;
        }
        label = s == "MEZ" ? "CET" : s == "MESZ" ? "CEST" : s == "Z" ? "UTC" : std::string(s);
        next = k;
        return true;
    }

    // Words allowed between a date and its time: "13/11/2025, from 12:00", "27th November 2025
    // starting at 06:00", "22-11-25 à 07 :00", "Nov 27, 2025 - 11:00".
    [[nodiscard]] bool joiner(const Tok& t) const {
        if (t.kind == Kind::punct) return t.s == "," || t.s == "-";
        return is_word(t, {"at", "à", "a", "om", "um", "from", "starting", "start", "de", "vanaf",
                           "van", "ab", "since", "depuis", "dès", "le", "vers", "around",
                           "approximately", "approx", "circa", "sinds", "seit", "von"});
    }

    // Date [joiners] [time [zone]]: the date-first forms.
    bool stamp(std::size_t i, WrittenTime& w, std::size_t& next) {
        w = {};
        std::size_t k = 0;
        if (!date(i, w.date, k)) return false;
        next = k;
        // A zone right after a date without time is not a time ("Nov 27, 2025 CET").
        std::size_t j = k;
        bool dot_ok = false;
        bool start_word = false;
        for (int n = 0; n < 3 && has(j) && !t_[j].nl && joiner(t_[j]); ++n, ++j) {
            if (is_word(t_[j], {"at", "à", "om", "um"})) dot_ok = true;
            if (is_word(t_[j], {"from", "starting", "start", "since", "depuis", "vanaf", "ab",
                                "seit", "sinds", "dès", "von"})) {
                start_word = true;
            }
        }
        int h = 0, m = 0;
        std::size_t after = 0;
        const bool compact4 = compact_ && w.date.year != 0 && t_[k - 1].s.size() == 8;
        if (has(j) && !t_[j].nl && clock(j, h, m, after, dot_ok || compact4, compact4)) {
            w.has_time = true;
            w.hour = h;
            w.minute = m;
            next = after;
            joined_start_ = start_word;
            std::string label;
            if (zone(next, label, after)) {
                w.zone_label = label;
                next = after;
            }
        }
        return true;
    }

    // Time first: "2 pm on Tuesday 25th November 2025", "at 2:30 PM on 13/11/2025".
    bool time_first(std::size_t i, WrittenTime& w, std::size_t& next) {
        w = {};
        int h = 0, m = 0;
        std::size_t k = 0;
        const bool dot_ok = i > 0 && is_word(t_[i - 1], {"at"});
        if (!clock(i, h, m, k, dot_ok, false)) return false;
        std::string label;
        std::size_t z = 0;
        if (zone(k, label, z)) k = z;
        if (!has(k) || !is_word(t_[k], {"on", "le", "op", "am"})) return false;
        WrittenDate d;
        std::size_t after = 0;
        if (!date(k + 1, d, after)) return false;
        w.date = d;
        w.has_time = true;
        w.hour = h;
        w.minute = m;
        w.zone_label = label;
        next = after;
        if (label.empty() && zone(next, label, z)) {
            w.zone_label = label;
            next = z;
        }
        return true;
    }

    // "... to 13:00", "- Dec 14, 2025 22:30 CET", "until (expected end-time) Sunday 07-12-2025
    // 13:00", "until 5 pm on Tuesday 25th November 2025".
    void range_end(FoundTime& f, std::size_t& i) {
        if (!f.start.has_time || !has(i)) return;
        std::size_t k = i;
        if (!(is_punct(t_[k], "-") ||
              is_word(t_[k], {"to", "until", "till", "tot", "bis", "au", "à", "a", "and", "et",
                              "en", "und", "jusqu"}))) {
            return;
        }
        if (is_word(t_[k], {"jusqu"}) && has(k + 2) && is_punct(t_[k + 1], "'")) k += 2;
        ++k;
        if (has(k) && is_punct(t_[k], "(")) {  // "(expected end-time)"
            std::size_t close = k + 1;
            while (close < t_.size() && close < k + 8 && !is_punct(t_[close], ")")) ++close;
            if (close < t_.size() && is_punct(t_[close], ")")) k = close + 1;
        }
        WrittenTime end;
        std::size_t next = 0;
        if (stamp(k, end, next) && end.has_time) {
            f.end = end;
            i = next;
            return;
        }
        if (time_first(k, end, next)) {
            f.end = end;
            i = next;
            return;
        }
        int h = 0, m = 0;
        if (clock(k, h, m, next, false, false)) {
            end.date = f.start.date;
            end.date.weekday = -1;
            end.has_time = true;
            end.hour = h;
            end.minute = m;
            std::string label;
            std::size_t z = 0;
            if (zone(next, label, z)) {
                end.zone_label = label;
                next = z;
            }
            f.end = end;
            i = next;
        }
    }

    // "(13:00 to 22:59 UTC)" after a range (seed 000, German Customs notices).
    void utc_note(FoundTime& f, std::size_t& i) {
        if (!has(i) || !is_punct(t_[i], "(")) return;
        int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
        std::size_t k = 0;
        if (!clock(i + 1, h1, m1, k, false, false)) return;
        WrittenTime a;
        a.date = f.start.date;
        a.date.weekday = -1;
        a.has_time = true;
        a.hour = h1;
        a.minute = m1;
        std::optional<WrittenTime> b;
        if (has(k) && (is_punct(t_[k], "-") || is_word(t_[k], {"to", "until", "tot", "bis", "à"})) &&
            clock(k + 1, h2, m2, k, false, false)) {
            WrittenTime e;
            e.date = f.end ? f.end->date : f.start.date;
            e.date.weekday = -1;
            e.has_time = true;
            e.hour = h2;
            e.minute = m2;
            b = e;
        }
        std::string label;
        std::size_t z = 0;
        if (!zone(k, label, z) || label != "UTC" || !has(z) || !is_punct(t_[z], ")")) return;
        a.zone_label = label;
        if (b) b->zone_label = label;
        f.utc_start = a;
        f.utc_end = b;
        i = z + 1;
    }

    static void share_zone(FoundTime& f) {
        if (!f.end) return;
        if (f.start.zone_label.empty()) f.start.zone_label = f.end->zone_label;
        if (f.end->zone_label.empty()) f.end->zone_label = f.start.zone_label;
    }

    // What the words just before a time make of it: a start ("Start:", "from", "since",
    // "Début"), an end ("End:", "Fin", "until", "prolonged until", "no longer authorized on")
    // or the time of a next update ("We will provide an update by ...").
    TimeRole role_before(std::size_t i) const {
        const std::size_t lo = i >= 8 ? i - 8 : 0;
        for (std::size_t k = i; k-- > lo;) {
            const auto& t = t_[k];
            if (t.kind == Kind::punct && (t.s == "." || t.s == ";" || t.s == "!")) break;
            if (is_word(t, {"start", "started", "starting", "début", "debut", "begin", "beginn",
                            "from", "since", "depuis", "vanaf", "sinds", "seit", "ab",
                            "commencing", "starts", "aanvang"})) {
                return TimeRole::start;
            }
            if (is_word(t, {"end", "ends", "fin", "einde", "ende", "until", "till", "tot", "bis",
                            "jusqu", "longer", "plus", "prolonged", "extended", "verlengd",
                            "verlängert", "prolongée", "prolongé"})) {
                return TimeRole::end;
            }
            // "We will provide an update by 18 November 2025, 17:00" (seed 000): not a window.
            if (is_word(t, {"by", "before", "avant", "vóór", "voor", "bis"}) && k > 0 &&
                is_word(t_[k - 1], {"update", "updates", "information", "jour", "nieuws"})) {
                return TimeRole::next_update;
            }
            // A label on the line before: "Start time:\n18 November 2025, 13:00 CET".
            if (t.nl && k != i) break;
            if (k == i - 1 && t_[i].nl && !is_punct(t, ":")) break;
        }
        return TimeRole::point;
    }

    std::vector<Tok> t_;
    bool compact_;
    bool joined_start_ = false;  // the last stamp() joined its time with "from", "since"...
};

}  // namespace

int month_from_name(std::string_view word) noexcept {
    try {
        return lookup(word, months(), 0);
    } catch (...) {
        return 0;
    }
}

int weekday_from_name(std::string_view word) noexcept {
    try {
        return lookup(word, weekdays(), -1);
    } catch (...) {
        return -1;
    }
}

int weekday_of(int year, int month, int day) noexcept {
    // Days since 1970-01-01 (a Thursday), Howard Hinnant's days_from_civil.
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int mp = (month + 9) % 12;
    const int doy = (153 * mp + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long days = static_cast<long>(era) * 146097 + doe - 719468;
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::vector<FoundTime> find_times(std::string_view text, bool compact) {
    // The token buffer is kept per thread: find_times runs for every update of every notice.
    thread_local std::vector<Tok> buffer;
    Scanner s(text, compact, std::move(buffer));
    auto found = s.run();
    buffer = s.take();
    return found;
}

int complete_year(const WrittenDate& d, UtcTime anchor, std::string_view zone) {
    const LocalTime a = utc_to_local(anchor, zone);
    int best = a.year;
    long best_distance = -1;
    for (int y = a.year - 1; y <= a.year + 1; ++y) {
        if (d.day > days_in_month(y, d.month)) continue;
        const long here = static_cast<long>(y) * 372 + d.month * 31 + d.day;
        const long there = static_cast<long>(a.year) * 372 + a.month * 31 + a.day;
        const long dist = std::labs(here - there);
        if (best_distance < 0 || dist < best_distance) {
            best_distance = dist;
            best = y;
        }
    }
    return best;
}

std::optional<UtcTime> resolve_time(const WrittenTime& t, const TimeContext& context,
                                    std::vector<NoticeWarning>& warnings) {
    LocalTime l{t.date.year, t.date.month, t.date.day, t.hour, t.minute, 0};
    if (t.date.next_weekday) {
        if (!context.anchor) return std::nullopt;
        const LocalTime a = utc_to_local(*context.anchor, context.zone);
        int ahead = (t.date.weekday - weekday_of(a.year, a.month, a.day) + 7) % 7;
        if (ahead == 0) ahead = 7;
        const auto day = local_to_utc({a.year, a.month, a.day, 12, 0, 0}, "UTC") + std::chrono::days{ahead};
        const LocalTime target = utc_to_local(day, "UTC");
        WrittenTime absolute = t;
        absolute.date = {target.year, target.month, target.day, -1, false};
        return resolve_time(absolute, context, warnings);
    }
    if (l.year == 0) {
        if (!context.anchor) return std::nullopt;
        l.year = complete_year(t.date, *context.anchor, context.zone);
    }
    // Formatted only for a warning: most times raise none.
    auto shown = [&l] { return fmt::format("{:02}-{:02}-{:04}", l.day, l.month, l.year); };
    if (l.day > days_in_month(l.year, l.month)) {
        warnings.push_back({"date-invalid", fmt::format("the date {} does not exist", shown())});
        return std::nullopt;
    }
    if (t.date.weekday >= 0) {
        const int actual = weekday_of(l.year, l.month, l.day);
        if (actual != t.date.weekday) {
            warnings.push_back(
                {"weekday-mismatch",
                 fmt::format("{} {} is a {}, not a {}", weekday_english[static_cast<std::size_t>(t.date.weekday)], shown(),
                             weekday_english[static_cast<std::size_t>(actual)],
                             weekday_english[static_cast<std::size_t>(t.date.weekday)])});
        }
    }
    if (!t.has_time) return std::nullopt;
    const std::string& label = t.zone_label;
    if (label == "UTC") return local_to_utc(l, "UTC");
    if (label == "GMT") return local_to_utc(l, "UTC");  // GMT is an offset, not a season
    std::string zone = context.zone;
    if (label == "CET" || label == "CEST") zone = std::string(default_zone);
    if (label == "BST") zone = "Europe/London";
    const UtcTime at = local_to_utc(l, zone);
    if (!label.empty()) {
        const std::string actual = zone_abbreviation(at, zone);
        if (actual != label) {
            warnings.push_back(
                {"zone-label-mismatch",
                 fmt::format("{} {:02}:{:02} is labelled {}, but {} keeps {} on that date; read "
                             "as {} local time",
                             shown(), t.hour, t.minute, label, zone, actual, zone)});
        }
    }
    return at;
}

std::optional<WrittenDate> parse_day_header(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.size() < 8 || line.size() > 20) return std::nullopt;
    // "Nov 27, 2025": a capital first, a digit last; checked before tokenizing every line.
    if (line[0] < 'A' || line[0] > 'Z' || !ascii_digit(line.back())) return std::nullopt;
    Scanner s(line, false);
    const auto& t = s.tokens();
    if (t.size() != 4 || t[0].kind != Kind::word || !is_punct(t[2], ",")) return std::nullopt;
    WrittenDate d;
    std::size_t next = 0;
    if (!s.date_only(0, d, next) || next != t.size() || d.year == 0 || d.weekday >= 0) {
        return std::nullopt;
    }
    return d;
}

std::optional<FoundTime> parse_stamp_line(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.size() < 10 || line.size() > 60) return std::nullopt;
    if (line[0] < 'A' || line[0] > 'Z' || month_from_name(line.substr(0, 3)) == 0) return std::nullopt;
    auto found = find_times(line);
    if (found.size() != 1) return std::nullopt;
    const auto& f = found.front();
    if (f.begin != 0 || f.finish != line.size() || !f.start.has_time) return std::nullopt;
    return f;
}

}  // namespace bcp
