#include "bcp/notice/notice_date.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/registry/knowledge.hpp"

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
    std::uint32_t cls = 0;     // word_class bits from the language packs
    const std::string* zone = nullptr;  // for word_class::zone
};

bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes of a UTF-8 sequence starting with `lead` (1 for ASCII and stray bytes).
std::size_t seq_len(unsigned char lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

// Letters beyond ASCII (U+00C0-U+052F: Latin, Greek, Cyrillic; lead bytes C3-D4) belong to
// words ("décembre", "März", "grudnia", "декабря"); every other non-ASCII sequence (no-break
// space, bullets, curly quotes, dashes, private-use bullets) separates them: class 3 of
// tokenize()'s table.

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
            for (int k = 0xC3; k <= 0xD4; ++k) t[static_cast<std::size_t>(k)] = 3;
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
                            text.substr(start, i - start), start, nl, 0, -1, 0, nullptr});
        } else {
            const std::size_t n = std::min(seq_len(c), text.size() - i);
            i += n;
            std::string_view s = text.substr(start, n);
            // En dash, em dash and minus sign read as a hyphen in ranges.
            if (s == "\xE2\x80\x93" || s == "\xE2\x80\x94" || s == "\xE2\x88\x92") s = "-";
            if (s == "\xE2\x80\x99") s = "'";
            toks.push_back({Kind::punct, s, start, nl, 0, -1, 0, nullptr});
        }
        nl = false;
    }
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

// For warnings only: the message names the weekday in English.
constexpr std::array<std::string_view, 7> weekday_english{
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// The language packs' entry for a word (months, days, range words, time idioms), or nullptr.
const WordInfo* word_info(std::string_view word) {
    if (word.empty() || word.size() > 40) return nullptr;
    const Knowledge& k = Knowledge::get();
    // ASCII first bytes fold by themselves: most words are ruled out before the whole word is.
    const auto a = static_cast<unsigned char>(word[0]);
    const auto b = word.size() > 1 ? static_cast<unsigned char>(word[1]) : 0u;
    if (a < 0x80 && b < 0x80) {
        auto low = [](unsigned char c) { return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
        if (!k.may_be_word(low(a), low(static_cast<unsigned char>(b)), word.size())) return nullptr;
    }
    thread_local std::string buf;
    buf.clear();
    fold_word(word, buf);
    return k.word(buf);
}

bool has_class(const Tok& t, std::uint32_t c) { return t.kind == Kind::word && (t.cls & c) != 0; }

// --- Grammar -------------------------------------------------------------------------------

class Scanner {
public:
    // `buffer` lends its capacity (see take()), so scanning allocates nothing once warm.
    Scanner(std::string_view text, bool compact, std::vector<Tok>&& buffer = {}, std::size_t language = std::string::npos)
        : t_(std::move(buffer)), compact_(compact), language_(language) {
        tokenize(text, t_);
        // Every word is looked up once in the packs, not once per grammar rule.
        for (auto& t : t_) {
            if (t.kind != Kind::word) continue;
            if (const WordInfo* w = word_info(t.s)) {
                t.month = static_cast<signed char>(w->month_in(language_));
                t.weekday = static_cast<signed char>(w->weekday_in(language_));
                t.cls = w->classes;
                if (!w->zone.empty()) t.zone = &w->zone;
            }
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
                (t.kind == Kind::word && t.month == 0 && t.weekday < 0 && !(has(i + 1) && t_[i + 1].weekday >= 0) &&
                 !has_class(t, word_class::noon | word_class::midnight))) {
                ++i;
                continue;
            }
            FoundTime f;
            std::size_t next = 0;
            joined_start_ = false;
            pending_end_.reset();
            if (stamp(i, f.start, next) || time_first(i, f.start, next, &f.end)) {
                if (pending_end_) f.end = std::exchange(pending_end_, std::nullopt);
                const bool joined_start = joined_start_;
                f.begin = t_[i].pos;
                const std::size_t first = i;
                i = next;
                if (!f.start.has_time) late_time(f, i);
                if (!f.end) range_end(f, i);
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

    // Ranges of clock times written with no date of their own, outside the times `dated`
    // found: "lørdagen i tidsrummet 08:00 til 18:45", "neljapäeval kell 18-20". The start's
    // date holds only the weekday written before the range in its sentence (-1 when none); a
    // range of weekdays before it ("Monday to Friday 08:00-17:00", opening hours) gives none.
    std::vector<FoundTime> dateless(const std::vector<FoundTime>& dated) {
        std::vector<FoundTime> out;
        std::size_t covered = 0;  // the next dated span, in text order
        for (std::size_t i = 0; i < t_.size(); ++i) {
            while (covered < dated.size() && dated[covered].finish <= t_[i].pos) ++covered;
            if (covered < dated.size() && dated[covered].begin <= t_[i].pos) continue;
            if (t_[i].kind == Kind::word || t_[i].kind == Kind::punct) continue;
            const bool dot_ok = i > 0 && has_class(t_[i - 1], word_class::at | word_class::from | word_class::between |
                                                              word_class::to | word_class::until);
            int h = 0, m = 0;
            std::size_t k = 0;
            if (!clock(i, h, m, k, dot_ok, false)) continue;
            const bool dotted = last_dotted_, bare = last_bare_;
            std::string label;
            std::size_t z = 0;
            if (zone(k, label, z)) k = z;
            if (!has(k) || !(is_punct(t_[k], "-") || has_class(t_[k], word_class::to | word_class::and_ | word_class::until))) continue;
            std::size_t e = k + 1;
            while (has(e) && e < k + 3 && has_class(t_[e], word_class::time_before | word_class::at)) ++e;
            int h2 = 0, m2 = 0;
            std::size_t after = 0;
            follow_dot_ = dot_ok || dotted;
            follow_bare_ = bare;
            const bool ok = clock(e, h2, m2, after, follow_dot_, false);
            follow_dot_ = follow_bare_ = false;
            if (!ok) continue;
            if (zone(after, label, z)) after = z;
            // A date right after it is time_first's ("08:00-18:45 on 7 December"), not ours.
            WrittenDate ignored;
            std::size_t past = 0;
            if (has(after) && !t_[after].nl && date(after, ignored, past)) continue;
            int weekday = -1;
            bool weekday_range = false;
            for (std::size_t b = i, n = 0; b-- > 0 && n < 8; ++n) {
                const Tok& t = t_[b];
                if (t.kind == Kind::punct && (t.s == "." || t.s == ";" || t.s == "!" || t.s == "?")) break;
                if (t.weekday >= 0) {
                    weekday = t.weekday;
                    weekday_range = (b > 0 && (is_punct(t_[b - 1], "-") || has_class(t_[b - 1], word_class::to | word_class::until))) ||
                                    (has(b + 2) && (is_punct(t_[b + 1], "-") || has_class(t_[b + 1], word_class::to | word_class::until)) &&
                                     t_[b + 2].weekday >= 0);
                    break;
                }
                if (t.nl) break;
            }
            FoundTime f;
            f.start.has_time = true;
            f.start.hour = h;
            f.start.minute = m;
            f.start.zone_label = label;
            f.start.date.weekday = weekday_range ? -1 : weekday;
            WrittenTime x;
            x.has_time = true;
            x.hour = h2;
            x.minute = m2;
            x.zone_label = label;
            f.end = x;
            f.begin = t_[i].pos;
            f.finish = t_[after - 1].pos + t_[after - 1].s.size();
            f.role = role_before(i);
            out.push_back(std::move(f));
            i = after - 1;
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
            const WordInfo* w = word_info(t.s.substr(k));
            if (w == nullptr || (w->classes & word_class::day_suffix) == 0) return false;
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
            has_class(t_[j], word_class::next)) {
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
                if (has(j + 1) && has_class(t_[j], word_class::on) && t_[j + 1].kind != Kind::word) ++j;
            }
        }
        if (!has(j)) return false;
        // "jeudi prochain", "Thursday next".
        if (d.weekday >= 0 && has_class(t_[j], word_class::next) && !(has(j + 1) && t_[j + 1].kind == Kind::num)) {
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
                // "13-09-25" is also 2013-09-25 read year first: the context decides
                // (resolve_time), unless that reading is no date.
                if (c.s.size() == 2 && a.s.size() == 2 && d.day >= 1 && to_int(c.s) >= 1 && to_int(c.s) <= 31 &&
                    to_int(c.s) <= days_in_month(2000 + to_int(a.s), d.month) && t_[j + 1].s == "-") {
                    d.alt_year = 2000 + to_int(a.s);
                    d.alt_day = to_int(c.s);
                }
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
        // ddmmyyyy of the ICS2 notification subjects ("on 21122024 0025 CET", fi-1).
        if (compact_ && a.kind == Kind::num && a.s.size() == 8) {
            d.day = to_int(a.s.substr(0, 2));
            d.month = to_int(a.s.substr(2, 2));
            d.year = to_int(a.s.substr(4));
            if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return false;
            next = j + 1;
            return true;
        }
        // Year first with a month name: "2022 m. kovo 19 d." (Lithuanian), "2026. március 3."
        // (Hungarian), "2026 m. gegužės 24 d.".
        if (a.kind == Kind::num && a.s.size() == 4) {
            int year = 0;
            if (!year4(j, year)) return false;
            std::size_t k = j + 1;
            if (has(k) && is_punct(t_[k], ".")) ++k;
            if (has(k + 1) && t_[k].kind == Kind::word && t_[k].s.size() == 1 && t_[k].month == 0) {
                ++k;  // "m." (metų, year)
                if (has(k) && is_punct(t_[k], ".")) ++k;
            }
            if (!has(k) || t_[k].month == 0) return false;
            const int m = t_[k].month;
            int day = 0;
            if (!day_number(k + 1, day)) return false;
            d.year = year;
            d.month = m;
            d.day = day;
            k += 2;
            if (has(k) && is_punct(t_[k], ".")) ++k;
            if (has(k) && t_[k].kind == Kind::word && t_[k].s.size() == 1 && t_[k].month == 0) {
                ++k;  // "d." (diena, day)
                if (has(k) && is_punct(t_[k], ".")) ++k;
            }
            next = k;
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
        if (has(k) && (is_punct(t_[k], ".") || is_punct(t_[k], "\xC2\xBA") || is_punct(t_[k], "\xC2\xB0"))) ++k;
        if (has(k + 1) && has_class(t_[k], word_class::on) && t_[k + 1].month != 0) ++k;  // "13 de enero"
        if (!has(k) || t_[k].kind != Kind::word) return false;
        const int m = t_[k].month;
        if (m == 0) return false;
        d.day = day;
        d.month = m;
        ++k;
        std::size_t y = k;
        if (has(y) && is_punct(t_[y], ",")) ++y;
        if (has(y + 1) && has_class(t_[y], word_class::on) && t_[y + 1].kind == Kind::num) ++y;  // "de 2026"
        if (year4(y, d.year)) {
            k = y + 1;
            if (has(k) && is_punct(t_[k], ".")) ++k;  // "2026." of Hungarian and Baltic dates
        }
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
        const WordInfo* info = word_info(w);
        if (info == nullptr) return false;
        if ((info->classes & word_class::am) != 0) {
            pm = false;
            return true;
        }
        if ((info->classes & word_class::pm) != 0) {
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

    // Noon and midnight as the packs name them: "until midday Monday 11 April", "Monday 11
    // April at noon", "à midi", "to midnight". Noon counts after a time word ("at", "until",
    // "from", a marker) or before a day or date, so "après-midi" (afternoon) and "the Midi" are
    // no times. Midnight only ends a range ("until midnight", "to midnight": 24:00); as a start
    // it is either edge of a day, so it is left out.
    bool named_time(std::size_t i, int& h, int& m, std::size_t& next) const {
        const auto& a = t_[i];
        constexpr std::uint32_t lead = word_class::at | word_class::until | word_class::to | word_class::from |
                                       word_class::since | word_class::latest | word_class::by | word_class::time_before |
                                       word_class::between | word_class::and_;
        const bool after_word = i > 0 && !t_[i].nl && has_class(t_[i - 1], lead);
        if (has_class(a, word_class::noon)) {
            const bool before_date = has(i + 1) && !t_[i + 1].nl &&
                                     (t_[i + 1].weekday >= 0 || t_[i + 1].kind == Kind::num || has_class(t_[i + 1], word_class::on));
            if (!after_word && !before_date) return false;
            h = 12;
            m = 0;
            next = i + 1;
            return true;
        }
        if (has_class(a, word_class::midnight) && i > 0 && !t_[i].nl && has_class(t_[i - 1], word_class::until | word_class::to)) {
            h = 24;
            m = 0;
            next = i + 1;
            return true;
        }
        return false;
    }

    static bool apply_ampm(int& h, bool pm) {
        if (h < 1 || h > 12) return false;
        h = h % 12 + (pm ? 12 : 0);
        return true;
    }

    // Past the word after a clock time that says it is one ("Uhr", "hod", "óra"), and past the
    // dot of its abbreviation ("22:00 hod. do 23:30 hod.") when a word follows: a number after
    // the dot may be a date of its own.
    [[nodiscard]] std::size_t past_time_after(std::size_t next) const {
        if (!has(next) || !has_class(t_[next], word_class::time_after) || t_[next].nl) return next;
        ++next;
        if (has(next + 1) && is_punct(t_[next], ".") && !t_[next + 1].nl && t_[next + 1].kind == Kind::word) ++next;
        return next;
    }

    // A clock time: "11:00", "07 :00", "9:30pm", "9am", "2 pm", "07h00", "12.30" (after "at"),
    // "0025" (compact ICS2 form only).
    bool clock(std::size_t i, int& h, int& m, std::size_t& next, bool dot_ok, bool compact4) const {
        if (!has(i)) return false;
        const auto& a = t_[i];
        if (a.kind == Kind::word) return named_time(i, h, m, next);
        bool pm = false;
        // After a time marker ("kl.", "klo", "godz.", "ore", "um") "18.00" and a bare "14" are
        // clock times too; so is the second half of a range whose first half was.
        const bool marker = i > 0 && (has_class(t_[i - 1], word_class::time_before) ||
                                      (i > 1 && is_punct(t_[i - 1], ".") && has_class(t_[i - 2], word_class::time_before)));
        dot_ok = dot_ok || marker || follow_dot_;
        const bool bare = marker || follow_bare_;
        last_dotted_ = last_bare_ = false;
        if (a.kind == Kind::num && a.s.size() <= 2 && has(i + 2) && is_punct(t_[i + 1], ":")) {
            const auto& b = t_[i + 2];
            h = to_int(a.s);
            if (b.kind == Kind::num && b.s.size() == 2) {
                m = to_int(b.s);
                next = i + 3;
                if (ampm(next, pm, next) && !apply_ampm(h, pm)) return false;
                next = past_time_after(next);  // "14:00 Uhr", "22:00 hod."
            } else if (b.kind == Kind::mixed && b.s.size() >= 3 && ascii_digit(b.s[0]) && ascii_digit(b.s[1]) &&
                       !ascii_digit(b.s[2])) {
                // "2:30pm", and a time-after marker written onto the minutes: "06:00u", "14:00h".
                m = to_int(b.s.substr(0, 2));
                const std::string_view rest = b.s.substr(2);
                if (ampm_word(rest, pm)) {
                    if (!apply_ampm(h, pm)) return false;
                } else if (const WordInfo* w = word_info(rest); w == nullptr || (w->classes & word_class::time_after) == 0) {
                    return false;
                }
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
            const std::string_view rest = a.s.substr(k);
            h = to_int(a.s.substr(0, k));
            // "07h", "18u", "07h00": a time-after marker of the packs written onto the digits.
            std::size_t letters = 0;
            while (letters < rest.size() && !ascii_digit(rest[letters])) ++letters;
            const WordInfo* marker_word = word_info(rest.substr(0, letters));
            if (marker_word != nullptr && (marker_word->classes & word_class::time_after) != 0) {
                const std::string_view mm = rest.substr(letters);
                if (mm.empty()) {
                    m = 0;
                } else if (mm.size() == 2 && ascii_digit(mm[0]) && ascii_digit(mm[1])) {
                    m = to_int(mm);
                } else {
                    return false;
                }
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
            const bool dotted = has(i + 2) && is_punct(t_[i + 1], ".") && t_[i + 2].kind == Kind::num &&
                                t_[i + 2].s.size() == 2 && adjacent(i, i + 2);
            // "19.00 hrs", "18.00 Uhr": the word after it makes a dotted pair a time anywhere.
            const bool named = dotted && has(i + 3) && has_class(t_[i + 3], word_class::time_after) &&
                               !t_[i + 3].nl;
            if ((dot_ok || named) && dotted) {
                m = to_int(t_[i + 2].s);
                next = i + 3;
                if (ampm(next, pm, next) && !apply_ampm(h, pm)) return false;
                next = past_time_after(next);  // "18.00 Uhr"
                last_dotted_ = true;
                return valid(h, m);
            }
            if (ampm(i + 1, pm, next)) {
                m = 0;
                return apply_ampm(h, pm) && valid(h, m);
            }
            // "14 Uhr", "14 h", "18 óra": a whole hour named by the word after it.
            if (has(i + 1) && has_class(t_[i + 1], word_class::time_after) && !t_[i + 1].nl) {
                m = 0;
                next = past_time_after(i + 1);
                return valid(h, m);
            }
            // "klo 14", "kl. 18", "ore 15": a whole hour after a time marker; never the day of
            // a date written on ("a 16.2.2020").
            const bool date_follows = has(i + 2) && is_punct(t_[i + 1], ".") &&
                                      t_[i + 2].kind == Kind::num && adjacent(i, i + 2);
            if (bare && !date_follows) {
                m = 0;
                next = i + 1;
                last_bare_ = true;
                return valid(h, m);
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
        // The zone abbreviations of Europe's time zones, written in capitals, and the zone words
        // of the language packs ("MEZ", "suomen aikaa" -> a label or an IANA zone).
        static constexpr std::array<std::string_view, 11> labels{"CET", "CEST", "EET", "EEST", "WET", "WEST",
                                                                 "GMT", "UTC", "BST", "Z", "UT"};
        if (std::find(labels.begin(), labels.end(), s) != labels.end()) {
            label = s == "Z" || s == "UT" ? "UTC" : std::string(s);
        } else if (t_[k].zone != nullptr) {
            label = *t_[k].zone;
        } else {
            return false;
        }
        ++k;
        // "GMT+2", "UTC+01:00": an offset written after the label.
        if ((label == "GMT" || label == "UTC") && has(k + 1) && (is_punct(t_[k], "+") || is_punct(t_[k], "-")) &&
            t_[k + 1].kind == Kind::num && t_[k + 1].s.size() <= 2 && adjacent(k - 1, k + 1)) {
            const int hours = to_int(t_[k + 1].s);
            int minutes = 0;
            std::size_t e = k + 2;
            if (has(e + 1) && is_punct(t_[e], ":") && t_[e + 1].kind == Kind::num && t_[e + 1].s.size() == 2) {
                minutes = to_int(t_[e + 1].s);
                e += 2;
            }
            if (hours > 14 || minutes > 59) return false;
            label = fmt::format("{}{:02}:{:02}", t_[k].s, hours, minutes);
            k = e;
        }
        if (paren) {
            if (!has(k) || !is_punct(t_[k], ")")) return false;
            ++k;
        }
        next = k;
        return true;
    }

    // Words allowed between a date and its time: "13/11/2025, from 12:00", "27th November 2025
    // starting at 06:00", "22-11-25 à 07 :00", "Nov 27, 2025 - 11:00".
    [[nodiscard]] bool joiner(const Tok& t) const {
        if (t.kind == Kind::punct) return t.s == "," || t.s == "-";
        return has_class(t, word_class::at | word_class::from | word_class::since | word_class::on |
                                word_class::start | word_class::between | word_class::time_before);
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
        for (int n = 0; n < 4 && has(j) && !t_[j].nl; ++n, ++j) {
            // "kl." and "godz.": the dot of a marker is part of it.
            if (is_punct(t_[j], ".") && j > k && has_class(t_[j - 1], word_class::time_before)) continue;
            if (!joiner(t_[j])) break;
            if (has_class(t_[j], word_class::at | word_class::time_before)) dot_ok = true;
            if (has_class(t_[j], word_class::from | word_class::since | word_class::start | word_class::between)) {
                start_word = true;
            }
        }
        int h = 0, m = 0;
        std::size_t after = 0;
        const bool compact4 = compact_ && w.date.year != 0 && t_[k - 1].s.size() == 8;
        // "Tuesday May 19, 2026, 1800-2300": a range of four-digit times right after a full
        // date (no year can follow a date that has one).
        if (w.date.year != 0 && has(j + 2) && !t_[j].nl && t_[j].kind == Kind::num && t_[j].s.size() == 4 &&
            is_punct(t_[j + 1], "-") && t_[j + 2].kind == Kind::num && t_[j + 2].s.size() == 4 && adjacent(j, j + 2)) {
            const int h1 = to_int(t_[j].s.substr(0, 2)), m1 = to_int(t_[j].s.substr(2));
            const int h2 = to_int(t_[j + 2].s.substr(0, 2)), m2 = to_int(t_[j + 2].s.substr(2));
            if (valid(h1, m1) && valid(h2, m2)) {
                w.has_time = true;
                w.hour = h1;
                w.minute = m1;
                WrittenTime e;
                e.date = w.date;
                e.date.weekday = -1;
                e.has_time = true;
                e.hour = h2;
                e.minute = m2;
                pending_end_ = e;
                next = j + 3;
                return true;
            }
        }
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

    // Time first: "2 pm on Tuesday 25th November 2025", "at 2:30 PM on 13/11/2025", and a
    // range before its date: "from 14:00 to 18:00 on 3 March 2026", "dalle ore 15:00 alle
    // 18:00 del 1° novembre" (the end, when there is one, goes to `range`).
    bool time_first(std::size_t i, WrittenTime& w, std::size_t& next, std::optional<WrittenTime>* range = nullptr) {
        w = {};
        int h = 0, m = 0;
        std::size_t k = 0;
        const bool dot_ok = i > 0 && has_class(t_[i - 1], word_class::at | word_class::from | word_class::between |
                                                          word_class::to | word_class::until);
        if (!clock(i, h, m, k, dot_ok, false)) return false;
        std::string label;
        std::size_t z = 0;
        if (zone(k, label, z)) k = z;
        std::optional<WrittenTime> end;
        if (range != nullptr && has(k) && (is_punct(t_[k], "-") || has_class(t_[k], word_class::to | word_class::and_ | word_class::until))) {
            std::size_t e = k + 1;
            while (has(e) && e < k + 3 && (has_class(t_[e], word_class::time_before | word_class::at) ||
                                           (is_punct(t_[e], ".") && has_class(t_[e - 1], word_class::time_before)))) {
                ++e;
            }
            int h2 = 0, m2 = 0;
            std::size_t after_end = 0;
            follow_dot_ = dot_ok;
            const bool ok = clock(e, h2, m2, after_end, dot_ok, false);
            follow_dot_ = false;
            if (ok) {
                WrittenTime x;
                x.has_time = true;
                x.hour = h2;
                x.minute = m2;
                k = after_end;
                if (zone(k, label, z)) k = z;
                end = x;
            }
        }
        // The date: right after, after a comma, or after "on"-words ("on", "le", "am", "del").
        std::size_t dk = k;
        if (has(dk) && is_punct(t_[dk], ",")) ++dk;
        for (int n = 0; n < 2 && has(dk) && has_class(t_[dk], word_class::on | word_class::at); ++n) ++dk;
        // "on the evening of 4 December", "am Morgen des 5. Dezember": a few words after "on".
        if (dk > k && has_class(t_[dk - 1], word_class::on)) {
            std::size_t f = dk;
            while (has(f) && f < dk + 3 && t_[f].kind == Kind::word && t_[f].month == 0 && t_[f].weekday < 0 && !t_[f].nl) ++f;
            if (f > dk && has(f) && (t_[f].kind == Kind::num || t_[f].month != 0 || t_[f].weekday >= 0)) dk = f;
        }
        if (dk == k && range == nullptr) return false;  // a lone time before a date needs "on"
        WrittenDate d;
        std::size_t after = 0;
        if (!has(dk) || t_[dk].nl || !date(dk, d, after)) return false;
        if (end) {
            end->date = d;
            end->date.weekday = -1;
            end->zone_label = label;
            *range = end;
        }
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

    // A date whose times come later in the same line: "Am 3. März 2026 ist ATLAS von 14:00
    // bis 18:00 Uhr nicht erreichbar". Only times that a range word or a time marker
    // introduces, before any other date, and at most a dozen words on.
    void late_time(FoundTime& f, std::size_t& i) {
        for (std::size_t k = i; has(k) && k < i + 8 && !t_[k].nl; ++k) {
            const Tok& t = t_[k];
            // A weekday in brackets ("14.2.2020 (piatok) v čase od 22:00") belongs to the date.
            if (t.weekday >= 0 && k > 0 && is_punct(t_[k - 1], "(")) continue;
            if (t.month != 0 || t.weekday >= 0) return;
            if (t.kind == Kind::num && has(k + 1) && (is_punct(t_[k + 1], "/") || is_punct(t_[k + 1], "-") || (is_punct(t_[k + 1], ".") && has(k + 2) && t_[k + 2].kind == Kind::num && !has_class(t_[k - 1], word_class::time_before | word_class::at | word_class::from | word_class::between)))) {
                return;  // another date
            }
            if (t.kind == Kind::punct && (t.s == ";" || t.s == "!" || t.s == "?")) return;
            if (!has_class(t, word_class::from | word_class::between | word_class::time_before | word_class::at | word_class::since)) continue;
            std::size_t c = k + 1;
            while (has(c) && c < k + 3 && (has_class(t_[c], word_class::time_before) || is_punct(t_[c], "."))) ++c;
            int h = 0, m = 0;
            std::size_t after = 0;
            if (!clock(c, h, m, after, true, false)) continue;
            {
                // "... from 05.00 on Saturday 31 December": the time has a date of its own.
                WrittenTime own;
                std::size_t own_next = 0;
                std::optional<WrittenTime> own_end;
                if (time_first(c, own, own_next, &own_end)) return;
            }
            f.start.has_time = true;
            f.start.hour = h;
            f.start.minute = m;
            std::string label;
            std::size_t z = 0;
            if (zone(after, label, z)) {
                f.start.zone_label = label;
                after = z;
            }
            if (has_class(t, word_class::from | word_class::since | word_class::between)) joined_start_ = true;
            i = after;
            return;
        }
    }

    // "... to 13:00", "- Dec 14, 2025 22:30 CET", "until (expected end-time) Sunday 07-12-2025
    // 13:00", "until 5 pm on Tuesday 25th November 2025".
    void range_end(FoundTime& f, std::size_t& i) {
        if (!f.start.has_time || !has(i)) return;
        const bool start_dotted = last_dotted_, start_bare = last_bare_;
        std::size_t k = i;
        if (!(is_punct(t_[k], "-") || has_class(t_[k], word_class::to | word_class::until | word_class::and_))) {
            return;
        }
        // "jusqu'au", "bis zum", "to the", "alle ore", "kl.": the rest of a multi-word range word.
        ++k;
        for (int n = 0; n < 3 && has(k); ++n) {
            if (is_punct(t_[k], "'") || (is_punct(t_[k], ".") && has_class(t_[k - 1], word_class::time_before)) ||
                (has_class(t_[k], word_class::to | word_class::until | word_class::time_before | word_class::at) &&
                 t_[k].month == 0 && t_[k].weekday < 0)) {
                ++k;
            } else {
                break;
            }
        }
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
        // The end's date, then up to three words of time ("at", a marker, "to") and its time:
        // "do 15.2.2020 v čase do 02:00", "bis zum 15.2.2020 um 02:00".
        if (WrittenDate d; date(k, d, next)) {
            std::size_t c = next;
            int words = 0;
            for (; words < 3 && has(c) && !t_[c].nl && t_[c].month == 0 && t_[c].weekday < 0 &&
                   has_class(t_[c], word_class::at | word_class::time_before | word_class::to | word_class::until);
                 ++words) {
                ++c;
                if (has(c) && is_punct(t_[c], ".")) ++c;  // "kl."
            }
            std::size_t after = 0;
            if (words > 0 && has(c) && !t_[c].nl && clock(c, h, m, after, true, false)) {
                set_end(f, d, h, m, after, i);
                return;
            }
        }
        // The end is written as the start was: "kl. 18.00-23.00", "klo 14-18".
        follow_dot_ = start_dotted || start_bare;  // "kl. 14 - 18.30"
        follow_bare_ = start_bare;
        const bool ok = clock(k, h, m, next, false, false);
        follow_dot_ = follow_bare_ = false;
        if (ok) set_end(f, f.start.date, h, m, next, i);
    }

    // The range's end: the date, the clock time, a zone label right after it; `i` past it all.
    void set_end(FoundTime& f, const WrittenDate& d, int h, int m, std::size_t next, std::size_t& i) const {
        WrittenTime end;
        end.date = d;
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

    // "(13:00 to 22:59 UTC)" after a range (customs4trade-1, German Customs notices).
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
        if (has(k) && (is_punct(t_[k], "-") || has_class(t_[k], word_class::to | word_class::until)) &&
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
            // "We will provide an update by 18 November 2025, 17:00": not a window.
            if (has_class(t, word_class::by) && k > 0 && has_class(t_[k - 1], word_class::update)) {
                return TimeRole::next_update;
            }
            if (has_class(t, word_class::start)) return TimeRole::start;
            // "from", "since" only close before the date: "de", "del" are also "of" in Spanish,
            // French, Catalan ("la activación del protocolo el domingo 23 ...").
            if (has_class(t, word_class::from | word_class::since) && (i - k <= 2 || !has_class(t, word_class::on))) return TimeRole::start;
            if (has_class(t, word_class::end | word_class::until | word_class::latest)) return TimeRole::end;
            // A label on the line before: "Start time:\n18 November 2025, 13:00 CET".
            if (t.nl && k != i) break;
            if (k == i - 1 && t_[i].nl && !is_punct(t, ":")) break;
        }
        return TimeRole::point;
    }

    std::vector<Tok> t_;
    bool compact_;
    std::size_t language_;  // the notice's language pack, for names the packs disagree on
    bool joined_start_ = false;  // the last stamp() joined its time with "from", "since"...
    // While reading the end of a range: its start was written "18.00" or as a bare hour after
    // a marker, so the end may be too ("kl. 18.00-23.00", "klo 14-18").
    bool follow_dot_ = false, follow_bare_ = false;
    // The end of a range stamp() read whole ("1800-2300"), for run() to take.
    std::optional<WrittenTime> pending_end_;
    // How the last clock time clock() read was written.
    mutable bool last_dotted_ = false, last_bare_ = false;
};

}  // namespace

int month_from_name(std::string_view word) noexcept {
    try {
        const WordInfo* w = word_info(word);
        return w != nullptr ? w->month : 0;
    } catch (...) {
        return 0;
    }
}

int weekday_from_name(std::string_view word) noexcept {
    try {
        const WordInfo* w = word_info(word);
        return w != nullptr ? w->weekday : -1;
    } catch (...) {
        return -1;
    }
}

std::string_view weekday_english_name(int weekday) noexcept {
    return weekday >= 0 && weekday < 7 ? weekday_english[static_cast<std::size_t>(weekday)] : std::string_view();
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

std::vector<FoundTime> find_times(std::string_view text, bool compact, std::size_t language) {
    // The token buffer is kept per thread: find_times runs for every update of every notice.
    thread_local std::vector<Tok> buffer;
    Scanner s(text, compact, std::move(buffer), language);
    auto found = s.run();
    buffer = s.take();
    return found;
}

std::vector<FoundTime> find_dateless_ranges(std::string_view text, std::size_t language) {
    thread_local std::vector<Tok> buffer;
    Scanner s(text, false, std::move(buffer), language);
    const auto dated = s.run();
    auto found = s.dateless(dated);
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
    const bool year_guessed = l.year == 0;
    if (year_guessed) {
        if (!context.anchor) return std::nullopt;
        l.year = complete_year(t.date, *context.anchor, context.zone);
    }
    // "13-09-25": day first (13 September 2025) or year first (25 September 2013). A weekday
    // written beside it decides, else the reading near the notice's own date; when neither
    // does, no date.
    if (t.date.alt_year != 0) {
        const int alt_day = t.date.alt_day;
        const bool alt_valid = alt_day >= 1 && alt_day <= days_in_month(t.date.alt_year, l.month);
        int choice = 0;  // 1 day first, 2 year first
        if (!alt_valid) {
            choice = 1;
        } else if (t.date.weekday >= 0) {
            const bool a = weekday_of(l.year, l.month, l.day) == t.date.weekday;
            const bool b = weekday_of(t.date.alt_year, l.month, alt_day) == t.date.weekday;
            choice = a && !b ? 1 : b && !a ? 2 : 0;
        }
        if (choice == 0 && context.anchor) {
            const LocalTime a = utc_to_local(*context.anchor, context.zone);
            auto days = [&a](int y, int m, int d) {
                return std::labs((static_cast<long>(y) * 372 + m * 31 + d) - (static_cast<long>(a.year) * 372 + a.month * 31 + a.day));
            };
            const bool near1 = days(l.year, l.month, l.day) <= 400;
            const bool near2 = days(t.date.alt_year, l.month, alt_day) <= 400;
            choice = near1 && !near2 ? 1 : near2 && !near1 ? 2 : 0;
        }
        if (choice == 0) {
            warnings.push_back({"date-ambiguous",
                                fmt::format("'{:02}-{:02}-{:02}' can be day first or year first and nothing in the notice decides",
                                            l.day, l.month, l.year % 100)});
            return std::nullopt;
        }
        if (choice == 2) {
            l.year = t.date.alt_year;
            l.day = alt_day;
        }
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
            // A year the notice did not write, which its own weekday contradicts, is a wrong
            // guess (an old notice read long after, corpus 049): no date rather than that one.
            if (year_guessed) return std::nullopt;
        }
    }
    if (!t.has_time) return std::nullopt;
    const std::string& label = t.zone_label;
    if (label == "UTC") return local_to_utc(l, "UTC");
    if (label == "GMT") return local_to_utc(l, "UTC");  // GMT is an offset, not a season
    // "GMT+02:00", "UTC-05:00": a fixed offset.
    if (label.size() == 9 && (label[3] == '+' || label[3] == '-') && (label.rfind("GMT", 0) == 0 || label.rfind("UTC", 0) == 0)) {
        const int off = ((label[4] - '0') * 10 + (label[5] - '0')) * 60 + (label[7] - '0') * 10 + (label[8] - '0');
        return local_to_utc(l, "UTC") - std::chrono::minutes(label[3] == '+' ? off : -off);
    }
    std::string zone = context.zone;
    // A label of a zone family reads the time in that family's zone: the context's own zone
    // when it keeps that label on the date (EET in Helsinki, Vilnius or Sofia alike), else a
    // representative zone of the family.
    auto family = [&](std::string_view standard, std::string_view summer, std::string_view representative) {
        if (label != standard && label != summer) return;
        const std::string here = zone_abbreviation(local_to_utc(l, context.zone), context.zone);
        zone = here == standard || here == summer ? context.zone : std::string(representative);
    };
    family("CET", "CEST", default_zone);
    family("EET", "EEST", "Europe/Helsinki");
    family("WET", "WEST", "Europe/Lisbon");
    if (label == "BST") zone = "Europe/London";
    if (label.find('/') != std::string::npos && is_zone(label)) zone = label;  // a pack's zone word
    const UtcTime at = local_to_utc(l, zone);
    if (!label.empty() && label.find('/') == std::string::npos) {
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
