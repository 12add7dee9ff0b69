#include "bcp/notice/notice.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/registry/country.hpp"
#include "bcp/registry/knowledge.hpp"
#include "bcp/registry/systems.hpp"

namespace bcp {
namespace {

std::string_view rtrim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ASCII letters and digits, and every non-ASCII byte (by table: called for every byte).
bool alnum(char c) {
    static constexpr auto table = [] {
        std::array<bool, 256> t{};
        for (std::size_t k = 0; k < 256; ++k) {
            t[k] = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9') || k >= 0x80;
        }
        return t;
    }();
    return table[static_cast<unsigned char>(c)];
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Occurrence of `word` in `text` from `from` with non-alphanumeric characters around it.
std::size_t find_word(std::string_view text, std::string_view word, std::size_t from = 0) {
    while (true) {
        const std::size_t at = text.find(word, from);
        if (at == std::string_view::npos) return at;
        const bool left = at == 0 || !alnum(text[at - 1]);
        const std::size_t e = at + word.size();
        const bool right = e >= text.size() || !alnum(text[e]);
        if (left && right) return at;
        from = at + 1;
    }
}

bool contains_any(std::string_view lowered, std::initializer_list<std::string_view> phrases) {
    for (auto p : phrases) {
        if (lowered.find(p) != std::string_view::npos) return true;
    }
    return false;
}

// Which trigrams (hashed to 4096 buckets) occur in a text: enough to rule out a phrase. Plain
// words rather than std::bitset, whose element proxy cost more than the hashing.
struct Trigrams {
    std::array<std::uint64_t, 64> bits{};
    bool operator[](std::size_t i) const { return ((bits[i >> 6] >> (i & 63u)) & 1u) != 0; }
    void set(std::size_t i) { bits[i >> 6] |= std::uint64_t{1} << (i & 63u); }
};

// A fixed list of lower-case phrases searched with Boyer-Moore-Horspool: the same lists run
// over every notice, so their skip tables are built once.
class Phrases {
public:
    Phrases(std::initializer_list<std::string_view> list) {
        for (auto p : list) {
            phrases_.push_back(p);
            searchers_.emplace_back(p.begin(), p.end());
        }
    }
    [[nodiscard]] bool in(std::string_view lowered) const {
        for (const auto& s : searchers_) {
            if (std::search(lowered.begin(), lowered.end(), s) != lowered.end()) return true;
        }
        return false;
    }
    // With the trigrams of the text: a phrase is searched only when all of its trigrams occur,
    // which rules out nearly every absent phrase without scanning the text.
    [[nodiscard]] bool in(std::string_view lowered, const Trigrams& trigrams) const {
        for (std::size_t k = 0; k < searchers_.size(); ++k) {
            const std::string_view p = phrases_[k];
            bool possible = true;
            for (std::size_t i = 0; possible && i + 3 <= p.size(); ++i) possible = trigrams[trigram(p, i)];
            if (possible && std::search(lowered.begin(), lowered.end(), searchers_[k]) != lowered.end()) return true;
        }
        return false;
    }
    static std::size_t trigram(std::string_view s, std::size_t i) {
        const auto a = static_cast<std::uint8_t>(s[i]);
        const auto b = static_cast<std::uint8_t>(s[i + 1]);
        const auto c = static_cast<std::uint8_t>(s[i + 2]);
        return ((static_cast<std::size_t>(a) * 961u) ^ (static_cast<std::size_t>(b) * 31u) ^ c) & 0xFFFu;
    }
    // `low` = lower_ascii(s) and its trigrams, in one pass.
    static void lower_and_trigrams(std::string_view s, std::string& low, Trigrams& lowered) {
        low.assign(s);
        std::size_t la = 0, lb = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            std::size_t lc = static_cast<std::uint8_t>(s[i]);
            if (lc >= 'A' && lc <= 'Z') lc = lc - 'A' + 'a';
            low[i] = static_cast<char>(lc);
            if (i >= 2) lowered.set(((la * 961u) ^ (lb * 31u) ^ lc) & 0xFFFu);
            la = lb;
            lb = lc;
        }
    }

private:
    std::vector<std::string_view> phrases_;
    std::vector<std::boyer_moore_horspool_searcher<std::string_view::const_iterator>> searchers_;
};

// False when a text cannot contain `s`, given the trigrams of its lower-case copy (`s` may
// have capitals: a text that contains it contains its lower-case form).
bool may_contain(const Trigrams& trigrams, std::string_view s) {
    auto lower = [](char c) {
        const auto u = static_cast<std::size_t>(static_cast<std::uint8_t>(c));
        return u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u;
    };
    for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
        const std::size_t h = ((lower(s[i]) * 961u) ^ (lower(s[i + 1]) * 31u) ^ lower(s[i + 2])) & 0xFFFu;
        if (!trigrams[h]) return false;
    }
    return true;
}

// --- Statuses ------------------------------------------------------------------------------

// Statuspage's incident states and scheduled-maintenance states (the Customs4trade status page, customs4trade-1, uses all of them).
constexpr std::array<std::string_view, 10> statuses{
    "Scheduled", "In progress", "Completed",  "Identified", "Investigating",
    "Monitoring", "Update",     "Resolved",   "Verifying",  "Postmortem"};

bool closing(std::string_view s) { return s == "Resolved" || s == "Completed"; }
bool opening(std::string_view s) { return s == "Scheduled" || s == "Investigating"; }
bool maintenance_status(std::string_view s) {
    return s == "Scheduled" || s == "In progress" || s == "Completed" || s == "Verifying";
}
bool incident_status(std::string_view s) {
    return s == "Investigating" || s == "Identified" || s == "Monitoring" || s == "Resolved";
}
bool active_status(std::string_view s) {
    return s == "In progress" || s == "Investigating" || s == "Identified" ||
           s == "Monitoring" || s == "Verifying";
}

// --- Text helpers --------------------------------------------------------------------------


// format_rfc3339() without its stream formatting, which dominated output time (Howard
// Hinnant's civil_from_days, digits written by hand): the same text for years 0000-9999.
void append_rfc3339(std::string& out, UtcTime t) {
    const long long secs = t.time_since_epoch().count();
    long long days = secs / 86400;
    long long rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    const long long z = days + 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const long long d = doy - (153 * mp + 2) / 5 + 1;
    const long long m = mp < 10 ? mp + 3 : mp - 9;
    const long long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    if (y < 0 || y > 9999) {
        out.append(format_rfc3339(t));
        return;
    }
    char buf[20];
    auto two = [&buf](std::size_t at, long long v) {
        buf[at] = static_cast<char>('0' + v / 10);
        buf[at + 1] = static_cast<char>('0' + v % 10);
    };
    two(0, y / 100);
    two(2, y % 100);
    buf[4] = '-';
    two(5, m);
    buf[7] = '-';
    two(8, d);
    buf[10] = 'T';
    two(11, rem / 3600);
    buf[13] = ':';
    two(14, rem / 60 % 60);
    buf[16] = ':';
    two(17, rem % 60);
    buf[19] = 'Z';
    out.append(buf, sizeof buf);
}

// Cuts at most `n` bytes without splitting a UTF-8 sequence.
std::string cut(std::string_view s, std::size_t n) {
    if (s.size() <= n) return std::string(s);
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n)) + "...";
}

void add_warning(std::vector<NoticeWarning>& out, NoticeWarning w) {
    for (const auto& x : out) {
        if (x.code == w.code && x.message == w.message) return;
    }
    out.push_back(std::move(w));
}

// Unfilled template fields: "{{date}}", "[DATE]", "<TIME>", "dd-mm-yyyy", "XX:XX", "NXXXXX".
void find_placeholders(std::string_view text, const Trigrams& trigrams,
                       std::vector<NoticeWarning>& warnings) {
    static constexpr std::array<std::string_view, 14> literal{
        "dd-mm-yyyy", "DD-MM-YYYY", "dd/mm/yyyy", "DD/MM/YYYY", "jj/mm/aaaa", "XX:XX", "xx:xx",
        "hh:mm",      "HH:MM",      "NXXXXX",     "N0XXXX",     "[...]",      "TBD:",  "%s"};
    for (auto p : literal) {
        if (may_contain(trigrams, p) && text.find(p) != std::string_view::npos) {
            add_warning(warnings, {"template-placeholder",
                                   fmt::format("unfilled template placeholder '{}'", p)});
        }
    }
    for (std::size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
        const std::size_t e = text.find("}}", at);
        if (e == std::string_view::npos || e - at > 40) continue;
        add_warning(warnings, {"template-placeholder",
                               fmt::format("unfilled template placeholder '{}'", text.substr(at, e + 2 - at))});
    }
    // The next '[' and the next '<' found with memchr (find_first_of tests every byte against
    // the set through char_traits), taken in text order.
    std::size_t square = text.find('['), angle = text.find('<');
    while (square != std::string_view::npos || angle != std::string_view::npos) {
        const std::size_t at = std::min(square, angle);
        if (at == square) {
            square = text.find('[', at + 1);
        } else {
            angle = text.find('<', at + 1);
        }
        const char close = text[at] == '[' ? ']' : '>';
        std::size_t e = at + 1;
        while (e < text.size() && ((text[e] >= 'A' && text[e] <= 'Z') || text[e] == '_' || text[e] == ' ')) ++e;
        if (e < text.size() && text[e] == close && e - at >= 4 && e - at <= 30) {
            add_warning(warnings, {"template-placeholder",
                                   fmt::format("unfilled template placeholder '{}'", text.substr(at, e + 1 - at))});
        }
    }
}

// A time in the notice with its resolved instants.
struct Resolved {
    FoundTime found;
    std::optional<UtcTime> start, end;
    std::size_t update = 0;  // index of the update (chronological); npos for the title
    std::size_t offset = 0;  // offset of the update text within its own text
};

struct Period {
    std::optional<UtcTime> start, end;
    std::string zone, text;
};

// Applies the times of one update to a period: a range sets both ends, labelled or worded
// start and end times set their end, later updates overriding earlier ones ("prolonged until
// 21/11/25 9am CET" moves the end, customs4trade-1).
void apply_times(Period& p, const std::vector<const Resolved*>& times, std::string_view text) {
    bool ranged = false;
    for (const auto* r : times) {
        if (r->found.role == TimeRole::next_update || !r->start) continue;
        const auto snippet = std::string(text.substr(r->found.begin, r->found.finish - r->found.begin));
        const std::string zone = r->found.start.zone_label;
        if (r->found.end && r->end && !ranged) {
            if (r->found.role == TimeRole::end) {
                p.end = r->end;
            } else {
                p.start = r->start;
                p.end = r->end;
            }
            p.zone = zone;
            p.text = snippet;
            ranged = true;
            continue;
        }
        if (r->found.end) continue;
        if (r->found.role == TimeRole::start && !ranged) {
            p.start = r->start;
            if (p.text.empty() || p.zone.empty()) {
                p.zone = zone;
                p.text = snippet;
            }
        } else if (r->found.role == TimeRole::end) {
            p.end = r->start;
            if (p.zone.empty()) p.zone = zone;
        }
    }
}

struct CallHit {
    std::string call;
    std::size_t pos;
    bool valid;
};

bool digit(char c) { return c >= '0' && c <= '9'; }

// Call numbers: N + 5 digits; other lengths count (as malformed) only on a line that speaks
// of a call or an emergency procedure, so document codes such as "CHED (N853" are left alone.
std::vector<CallHit> find_calls(std::string_view text) {
    std::vector<CallHit> out;
    for (std::size_t at = text.find('N'); at != std::string_view::npos; at = text.find('N', at + 1)) {
        if (at > 0 && alnum(text[at - 1])) continue;
        std::size_t e = at + 1;
        while (e < text.size() && digit(text[e])) ++e;
        const std::size_t n = e - at - 1;
        if (n < 4 || n > 7) continue;
        if (e < text.size() && alnum(text[e])) continue;
        const std::string_view call = text.substr(at, e - at);
        const bool ok = check_call(call).valid();
        if (!ok) {
            const std::size_t ls = text.rfind('\n', at);
            std::size_t le = text.find('\n', at);
            if (le == std::string_view::npos) le = text.size();
            const std::string line = lower_ascii(text.substr(ls == std::string_view::npos ? 0 : ls + 1,
                                                             le - (ls == std::string_view::npos ? 0 : ls + 1)));
            if (!contains_any(line, {"call", "procedure", "procédure", "noodprocedure", "notfall"})) continue;
        }
        out.push_back({std::string(call), at, ok});
    }
    return out;
}

struct MentionHit {
    std::string text;
    std::size_t pos;
};

std::vector<MentionHit> find_mentions(std::string_view text) {
    std::vector<MentionHit> out;
    for (std::size_t at = text.find("-D:"); at != std::string_view::npos; at = text.find("-D:", at + 1)) {
        std::size_t b = at;
        while (b > 0 && alnum(text[b - 1])) --b;
        std::size_t e = at + 3;
        while (e < text.size() && (alnum(text[e]) || text[e] == '-' || text[e] == ':')) ++e;
        if (b == at || text[b] != 'N') continue;
        out.push_back({std::string(text.substr(b, e - b)), b});
    }
    return out;
}

// The codes the profiles' emergency procedures ask declarations to carry ("1NPS", "FIXEV"),
// as whole words of `text`.
std::vector<std::string> find_codes(std::string_view text, const Knowledge& know) {
    std::vector<std::string> out;
    for (const auto& a : know.authorities()) {
        for (const auto& c : a.codes) {
            if (find_word(text, c) != std::string_view::npos && std::find(out.begin(), out.end(), c) == out.end()) {
                out.push_back(c);
            }
        }
    }
    return out;
}

// Calls `f` with every run of letters and digits of `text`.
template <class F>
void for_each_word(std::string_view text, F&& f) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !alnum(text[i])) ++i;
        const std::size_t b = i;
        while (i < text.size() && alnum(text[i])) ++i;
        if (i > b) f(text.substr(b, i - b));
    }
}

// A system name found in a notice, resolved to the authority that runs it.
struct SystemPick {
    std::string id, alias;
    std::size_t authority = std::string::npos;  // npos: a shared name with no owner in context
    bool shared = false;
    std::size_t pos = 0;  // folded offset
    std::size_t end = 0;  // folded offset after the name
};

// One scan of a notice's text against the knowledge, and the stages' questions about it.
struct Analysis {
    FoldedText folded;
    std::vector<PhraseHit> hits;
    std::string_view text;
    std::string systems_evidence;
    std::string unaffected_evidence;  // systems left out: named as not affected
    std::string context_evidence;     // systems left out: named outside the headline, not as down
    std::size_t language_ = std::string::npos;  // the notice's language, once known

    void run(const Knowledge& k, std::string_view t) {
        language_ = std::string::npos;
        text = t;
        folded.assign(t);
        k.scan(folded, t, hits);
        systems_evidence.clear();
        unaffected_evidence.clear();
    }

    // The text a hit matched, as written.
    [[nodiscard]] std::string written(const PhraseHit& h) const {
        const auto [b, e] = folded.source_span(h.begin, h.end);
        return cut(text.substr(b, e - b), 80);
    }

    [[nodiscard]] std::string quote(const PhraseHit& h, const Knowledge& k) const {
        return fmt::format("'{}' ({} phrase '{}')", written(h), k.languages()[h.language].id, h.phrase);
    }

    // The language whose frequent words the start of the text has most of (two at least).
    [[nodiscard]] std::size_t language(const Knowledge& k) const {
        std::vector<int> count(k.languages().size());
        for (const auto& h : hits) {
            if (h.kind == PhraseHit::Kind::common_word && h.begin < Knowledge::kCommonSpan) ++count[h.language];
        }
        std::size_t best = std::string::npos;
        for (std::size_t i = 0; i < count.size(); ++i) {
            if (count[i] >= 2 && (best == std::string::npos || count[i] > count[best])) best = i;
        }
        return best;
    }

    // The first hit meaning `a` (or `b`).
    [[nodiscard]] const PhraseHit* first_of(Meaning a, Meaning b = Meaning::count) const {
        for (const auto& h : hits) {
            if (h.kind == PhraseHit::Kind::meaning && (h.meaning == a || h.meaning == b)) return &h;
        }
        return nullptr;
    }

    // The first incident phrase that is not the noun a planned phrase just before it qualifies:
    // in "ein geplanter, ganztägiger IT-Ausfall", "planned outage", "scheduled downtime" the
    // outage is the planned one. At most three words between, in one sentence; the same word
    // further on ("der komplette EMCS-Ausfall") names the same outage.
    [[nodiscard]] const PhraseHit* first_unqualified_incident() const {
        const PhraseHit* planned = nullptr;
        std::vector<std::string_view> qualified;  // the incident phrases a planned word qualified
        for (const auto& h : hits) {
            if (h.kind != PhraseHit::Kind::meaning) continue;
            if (h.meaning == Meaning::planned) {
                planned = &h;
                continue;
            }
            if (h.meaning != Meaning::unplanned) continue;
            if (std::find(qualified.begin(), qualified.end(), h.phrase) != qualified.end()) continue;
            if (planned != nullptr && planned->end <= h.begin) {
                const std::string_view gap(folded.text.data() + planned->end, h.begin - planned->end);
                const bool sentence_end = gap.find_first_of(".;!?:") != std::string_view::npos;
                if (!sentence_end && std::count(gap.begin(), gap.end(), ' ') <= 3) {
                    qualified.push_back(h.phrase);
                    continue;
                }
            }
            return &h;
        }
        return nullptr;
    }

    // The authority the text names most (an authority before a relaying platform, a national
    // authority before the Union's on a tie), or npos. Two national authorities of different
    // countries named equally often: ambiguous, npos.
    std::size_t named_authority(const Knowledge& k, std::string& evidence, bool& ambiguous) const {
        const auto& all = k.authorities();
        std::vector<int> count(all.size());
        std::vector<const PhraseHit*> first(all.size(), nullptr);
        for (const auto& h : hits) {
            if (h.kind != PhraseHit::Kind::authority_name && h.kind != PhraseHit::Kind::domain) continue;
            ++count[h.authority];
            if (first[h.authority] == nullptr) first[h.authority] = &h;
        }
        auto rank = [&](std::size_t i) { return all[i].platform() ? 0 : all[i].kind == "union" ? 1 : 2; };
        std::size_t best = std::string::npos;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (count[i] == 0) continue;
            if (best == std::string::npos || rank(i) > rank(best) ||
                (rank(i) == rank(best) && (count[i] > count[best] || (count[i] == count[best] && first[i]->begin < first[best]->begin)))) {
                best = i;
            }
        }
        if (best == std::string::npos) return best;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (i != best && count[i] == count[best] && rank(i) == 2 && rank(best) == 2 && all[i].country != all[best].country) {
                ambiguous = true;
                evidence = fmt::format("'{}' and '{}'", written(*first[best]), written(*first[i]));
                return std::string::npos;
            }
        }
        evidence = fmt::format("{} '{}' ({})", first[best]->kind == PhraseHit::Kind::domain ? "domain" : "authority name",
                               written(*first[best]), all[best].id);
        return best;
    }

    // The systems named, in text order, each resolved: to the publisher's system of that name;
    // else to the one country that runs a system of that name that is not shared; else, a
    // shared name, to its common id with no owner.
    // The sentence around a folded offset: from after the last '.', '!', '?', ';' or line
    // break before it to the next one (a dot between letters or digits, "e.g." or "2.7", does
    // not end a sentence).
    // The sentence around folded offset `at`, ended by its punctuation; with `lines`, by a
    // line that ends a paragraph or a short line too.
    [[nodiscard]] std::pair<std::size_t, std::size_t> sentence(std::size_t at, bool lines = false) const {
        const std::string& f = folded.text;
        // Folding made every line break a space. With `lines`, one ends a sentence when it ends
        // a paragraph (a blank line follows) or a short line (a heading, an addressee line, a
        // list item); the breaks of a paragraph wrapped at 70-odd columns do not.
        auto line_end = [&](std::size_t i) {
            if (!lines) return false;
            const std::size_t ob = folded.origin[i], oe = folded.origin[i + 1];
            const std::size_t nl = text.find('\n', ob);
            if (nl == std::string_view::npos || nl >= oe) return false;
            if (const std::size_t next = text.find('\n', nl + 1); next != std::string_view::npos && next < oe) return true;
            const std::size_t before = nl == 0 ? std::string_view::npos : text.rfind('\n', nl - 1);
            constexpr std::size_t kWrapped = 60;  // bytes: a wrapped line is longer
            return nl - (before == std::string_view::npos ? 0 : before + 1) < kWrapped;
        };
        auto ends = [&](std::size_t i) {
            const char c = f[i];
            if (c == '!' || c == '?' || c == ';') return true;
            if (c == ' ') return line_end(i);
            if (c != '.' || !(i + 1 >= f.size() || f[i + 1] == ' ' || f[i + 1] == '\n')) return false;
            // The dot of an abbreviation of single letters ("i.e.", "e.g.", "a.o.", "z.B.") ends
            // no sentence: "no changes to other systems, i.e. the ELEX ..." is one.
            const auto letter = [](char x) { return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z'); };
            return !(i >= 3 && letter(f[i - 1]) && f[i - 2] == '.' && letter(f[i - 3]) &&
                     (i == 3 || !letter(f[i - 4])));
        };
        std::size_t b = std::min(at, f.size());
        while (b > 0 && !ends(b - 1)) --b;
        std::size_t e = std::min(at, f.size());
        while (e < f.size() && !ends(e)) ++e;
        return {b, e};
    }

    // A system named in a sentence that says it is not affected ("no impact on ... STI",
    // "NCTS remains available") is context, not a system the notice is about.
    [[nodiscard]] const PhraseHit* unaffected_in_sentence(std::size_t at,
                                                         const std::vector<const PhraseHit*>& calm) const {
        if (calm.empty()) return nullptr;  // most notices: no sentence to find
        // Line by line: an addressee line or a heading naming a system is not the sentence
        // that says it is unaffected.
        const auto [b, e] = sentence(at, true);
        for (const auto* h : calm) {
            if (h->begin >= b && h->end <= e) return h;
        }
        return nullptr;
    }

    // A phrase of the packs that speaks of an outage: down, planned, unplanned, a procedure,
    // messages held; not "unaffected", "disregard" or where the fault lies.
    [[nodiscard]] static bool says_outage(const PhraseHit& h) {
        return h.kind == PhraseHit::Kind::meaning && h.meaning != Meaning::unaffected && h.meaning != Meaning::disregard &&
               h.meaning != Meaning::national_system && h.meaning != Meaning::central_system;
    }

    // Whether the sentence at folded offset `at` has such a phrase.
    [[nodiscard]] bool sentence_says_outage(std::size_t at, bool lines) const {
        const auto [b, e] = sentence(at, lines);
        auto h = std::lower_bound(hits.begin(), hits.end(), b, [](const PhraseHit& x, std::size_t offset) { return x.begin < offset; });
        for (; h != hits.end() && h->begin < e; ++h) {
            if (h->end <= e && says_outage(*h)) return true;
        }
        return false;
    }

    // When the headline names systems, they are what the notice is about: a system named only
    // further on counts when its sentence speaks of the outage (a phrase of the packs: down,
    // planned, unplanned, a procedure, messages held), not when it is context ("the arrival is
    // sent on the system used, either CHIEF or CDS"). Those left out are in context_evidence.
    void keep_headline_systems(std::vector<SystemPick>& picks, std::string_view all, std::string_view head) {
        context_evidence.clear();
        if (head.empty() || picks.size() < 2) return;
        const std::size_t at = all.find(head);
        if (at == std::string_view::npos) return;
        const auto folded_at = [&](std::size_t original) {
            return static_cast<std::size_t>(std::lower_bound(folded.origin.begin(), folded.origin.end(), original) - folded.origin.begin());
        };
        const std::size_t hb = folded_at(at), he = folded_at(at + head.size());
        const auto in_headline = [&](const SystemPick& p) { return p.pos >= hb && p.end <= he; };
        if (std::none_of(picks.begin(), picks.end(), in_headline)) return;
        std::vector<std::string> headline_ids;
        for (const auto& p : picks) {
            if (in_headline(p)) headline_ids.push_back(p.id);
        }
        // A phrase after the system speaks of it unless a headline system is named between the
        // two ("CHIEF or CDS ... until GVMS is back in operation" is about GVMS); one before it
        // introduces it ("during the outage of CEP, eDovoz and ECS cannot be used").
        const auto between_headline = [&](std::size_t phrase, std::size_t system) {
            if (phrase < system) return false;
            const std::size_t x = system, y = phrase;
            return std::any_of(picks.begin(), picks.end(), [&](const SystemPick& q) { 
                return q.pos > x && q.end < y && std::find(headline_ids.begin(), headline_ids.end(), q.id) != headline_ids.end();
            });
        };
        const auto about_outage = [&](const SystemPick& p) {
            const auto [b, e] = sentence(p.pos);
            // The hits are in text order: only those of the sentence are looked at.
            auto h = std::lower_bound(hits.begin(), hits.end(), b, [](const PhraseHit& x, std::size_t offset) { return x.begin < offset; });
            for (; h != hits.end() && h->begin < e; ++h) {
                if (h->end <= e && says_outage(*h) && !between_headline(h->begin, p.pos)) return true;
            }
            return false;
        };
        std::vector<bool> keep(picks.size());
        for (std::size_t i = 0; i < picks.size(); ++i) {
            const auto& p = picks[i];
            keep[i] = in_headline(p) || std::find(headline_ids.begin(), headline_ids.end(), p.id) != headline_ids.end() || about_outage(p);
        }
        std::vector<SystemPick> kept;
        for (std::size_t i = 0; i < picks.size(); ++i) {
            if (keep[i]) kept.push_back(std::move(picks[i]));
        }
        // The names left out, of systems no kept name stands for.
        for (std::size_t i = 0; i < picks.size(); ++i) {
            if (keep[i] || picks[i].id.empty()) continue;
            if (std::any_of(kept.begin(), kept.end(), [&](const SystemPick& k) { return k.id == picks[i].id; })) continue;
            if (context_evidence.size() < 300) {
                if (!context_evidence.empty()) context_evidence += ", ";
                context_evidence += fmt::format("'{}'", picks[i].alias);
            }
        }
        picks = std::move(kept);
    }

    std::vector<SystemPick> systems(const Knowledge& k, std::size_t publisher) {
        std::vector<SystemPick> out;
        const auto& all = k.authorities();
        std::vector<const PhraseHit*> calm;  // the "unaffected" phrases, found once
        std::set<std::string> calm_ids;       // the systems named beside one of them
        for (const auto& h : hits) {
            if (h.kind == PhraseHit::Kind::meaning && h.meaning == Meaning::unaffected) calm.push_back(&h);
        }
        std::size_t i = 0;
        std::uint32_t taken_end = 0;
        while (i < hits.size()) {
            if (hits[i].kind != PhraseHit::Kind::system || hits[i].begin < taken_end) {
                ++i;
                continue;
            }
            std::size_t j = i;
            std::vector<const PhraseHit*> group;
            // The longest name at this place, with every authority that has it.
            for (; j < hits.size() && hits[j].begin == hits[i].begin; ++j) {
                if (hits[j].kind == PhraseHit::Kind::system && hits[j].end == hits[i].end) group.push_back(&hits[j]);
            }
            taken_end = hits[i].end;
            i = j;
            if (const auto* quiet = unaffected_in_sentence(group.front()->begin, calm)) {
                if (unaffected_evidence.size() < 300) {
                    if (!unaffected_evidence.empty()) unaffected_evidence += ", ";
                    unaffected_evidence += fmt::format("'{}' beside '{}'", written(*group.front()), written(*quiet));
                }
                for (const auto* h : group) calm_ids.insert(all[h->authority].systems[h->system].id);
                continue;
            }
            const PhraseHit* pick = nullptr;
            for (const auto* h : group) {
                if (h->authority == publisher) pick = h;
            }
            if (pick == nullptr) {
                std::string country;
                bool one_country = true;
                const PhraseHit* national = nullptr;
                for (const auto* h : group) {
                    const auto& sys = all[h->authority].systems[h->system];
                    if (sys.shared) continue;
                    if (national == nullptr) {
                        national = h;
                        country = all[h->authority].country;
                    } else if (all[h->authority].country != country) {
                        one_country = false;
                    }
                }
                if (national != nullptr && one_country) pick = national;
            }
            SystemPick sp;
            sp.pos = group.front()->begin;
            sp.end = group.front()->end;
            sp.alias = written(*group.front());
            if (pick != nullptr) {
                const auto& sys = all[pick->authority].systems[pick->system];
                sp.id = sys.id;
                sp.authority = pick->authority;
                sp.shared = sys.shared;
            } else {
                // A shared name: the id most of its authorities give it ("AES", though German
                // Customs calls its process ATLAS-AES); none on a tie.
                std::map<std::string, int> ids;
                for (const auto* h : group) ++ids[all[h->authority].systems[h->system].id];
                int best = 0;
                for (const auto& [id, count] : ids) {
                    if (count > best) {
                        best = count;
                        sp.id = id;
                    } else if (count == best) {
                        sp.id.clear();
                    }
                }
                sp.shared = true;
                if (sp.id.empty()) continue;
                // A generic name few authorities use ("IMPORT", "EXPORT" of two Nordic
                // administrations) counts without its owner only in a language an owner writes
                // in: "DELTA I/E IMPORT" in a French notice is no system of its own.
                std::set<std::size_t> owners;
                bool language_of_owner = false;
                for (const auto* h : group) {
                    owners.insert(h->authority);
                    const auto& langs = all[h->authority].languages;
                    language_of_owner = language_of_owner || (language_ != std::string::npos &&
                                                              std::find(langs.begin(), langs.end(), k.languages()[language_].id) != langs.end());
                }
                if (owners.size() < 3 && !language_of_owner) continue;
                // Nor, when the publisher is a national authority, a name only other countries
                // give a system of: "temporary storage declarations" on Tullverket's page is not
                // Finnish Customs' TS. The Union's names serve every country.
                if (owners.size() < 3 && publisher != std::string::npos && !all[publisher].platform() &&
                    std::none_of(owners.begin(), owners.end(), [&](std::size_t o) {
                        return all[o].kind == "union" || all[o].country == all[publisher].country;
                    })) {
                    continue;
                }
                // Right after another system's name it qualifies that name.
                if (owners.size() < 3 && !out.empty() && out.back().end + 1 >= sp.pos) continue;
            }
            const bool told = std::any_of(out.begin(), out.end(), [&](const SystemPick& x) { return x.alias == sp.alias && x.id == sp.id; });
            if (!told && systems_evidence.size() < 300) {
                if (!systems_evidence.empty()) systems_evidence += ", ";
                systems_evidence += sp.authority == std::string::npos
                                        ? fmt::format("'{}' (shared name)", sp.alias)
                                        : fmt::format("'{}' ({} {})", sp.alias, all[sp.authority].id, sp.id);
            }
            out.push_back(std::move(sp));
        }
        // A system the notice says is not affected, named elsewhere only in passing (an
        // addressee line "import, eksport og transit (NCTS)" before "NCTS ... uden nedetid"),
        // is not one it is about: its other names count only in a sentence about the outage.
        if (!calm_ids.empty()) {
            out.erase(std::remove_if(out.begin(), out.end(), [&](const SystemPick& p) {
                          return calm_ids.count(p.id) != 0 && !sentence_says_outage(p.pos, true);
                      }),
                      out.end());
        }
        return out;
    }
};

// Whether `text` says `m` in any language.
bool says(std::string_view text, Meaning m) {
    thread_local Analysis a;
    a.run(Knowledge::get(), text);
    return a.first_of(m) != nullptr;
}

// The system named last before `pos` on the same line, or the first one after it.
std::string system_on_line(std::string_view text, std::size_t pos, const Knowledge& know, std::size_t publisher) {
    const std::size_t ls = text.rfind('\n', pos == 0 ? 0 : pos - 1);
    const std::size_t begin = ls == std::string_view::npos ? 0 : ls + 1;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    thread_local Analysis a;  // its buffers are reused: this runs for every call number
    a.run(know, text.substr(begin, end - begin));
    std::string before, after;
    for (const auto& p : a.systems(know, publisher)) {
        const std::size_t at = begin + a.folded.origin[p.pos];
        if (at < pos) {
            before = p.id;
        } else if (after.empty()) {
            after = p.id;
        }
    }
    return before.empty() ? after : before;
}

// Line starts of page furniture (every profile's boilerplate, and greetings and rules),
// skipped when choosing a title.
bool boilerplate(std::string_view l, const Knowledge& know) {
    if (l.empty() || l == "\"" || starts_with(l, "---")) return true;
    const std::string f = fold(l);
    return std::any_of(know.boilerplate().begin(), know.boilerplate().end(),
                       [&f](const std::string& b) { return f.compare(0, b.size(), b) == 0; });
}

// The headline of a text: the first sentence of its first line that is not page furniture,
// uncut (a title is its first 120 bytes).
std::string_view headline(std::string_view text, const Knowledge& know) {
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t e = text.find('\n', at);
        if (e == std::string_view::npos) e = text.size();
        std::string_view l = trim_blanks(text.substr(at, e - at));
        at = e + 1;
        // Bullets and quotes around relayed text.
        while (!l.empty() && (l.front() == '"' || l.front() == '-' || l.front() == '*')) {
            l.remove_prefix(1);
        }
        l = trim_blanks(l);
        if (boilerplate(l, know)) continue;
        // The first sentence is the headline.
        if (const std::size_t stop = l.find(". "); stop != std::string_view::npos && stop >= 20) {
            l = l.substr(0, stop + 1);
        }
        return l;
    }
    return {};
}

// The countries a headline names by name ("PRZERWA ECS I EMCS W WIELKIEJ BRYTANII"), each once,
// with the first name written for each; several countries: ambiguous (045: "a failure in
// Poland slows lorries at the border with Ukraine").
struct HeadlineCountries {
    std::vector<std::string> codes;
    std::string evidence;
};
HeadlineCountries headline_countries(std::string_view line, std::size_t language, const Knowledge& know) {
    HeadlineCountries out;
    if (line.empty()) return out;
    thread_local FoldedText folded;
    thread_local std::vector<PhraseHit> hits;
    folded.assign(line);
    know.scan_countries(folded, line, hits);
    // Each country once, quoted from the notice's language's pack when that pack has the name
    // ("Portugal" is the name in a dozen packs).
    std::vector<const PhraseHit*> quoted;
    for (const auto& h : hits) {
        const std::string& code = know.country_codes()[h.system];
        const auto at = std::find(out.codes.begin(), out.codes.end(), code);
        if (at == out.codes.end()) {
            out.codes.push_back(code);
            quoted.push_back(&h);
        } else if (h.language == language && quoted[static_cast<std::size_t>(at - out.codes.begin())]->language != language) {
            quoted[static_cast<std::size_t>(at - out.codes.begin())] = &h;
        }
    }
    for (std::size_t i = 0; i < quoted.size(); ++i) {
        const auto [b, e] = folded.source_span(quoted[i]->begin, quoted[i]->end);
        if (!out.evidence.empty()) out.evidence += ", ";
        out.evidence += fmt::format("'{}' ({} name of {})", line.substr(b, e - b), know.languages()[quoted[i]->language].id, out.codes[i]);
    }
    return out;
}

// Stage: windows. Every range the notice gives with both ends (a range of dates without
// times is no window), with the systems named on its line or in the short heading line above
// it, else the notice's. A range in an update before a later one that moves or prolongs the
// window and gives a range of its own is superseded; all are cancelled with the notice. The
// notice's window is among them (added when it was built from separate start and end times).
std::vector<NoticeWindow> notice_windows(const Notice& n, const std::vector<Resolved>& times,
                                         std::string_view title, const std::vector<SystemPick>& picks) {
    std::vector<NoticeWindow> out;
    const auto text_of = [&](std::size_t update) {
        return update == std::string::npos ? title : std::string_view(n.updates[update].text);
    };
    const auto ranged = [](const Resolved& r) {
        return r.found.end && r.start && r.end && (r.found.role == TimeRole::point || r.found.role == TimeRole::start);
    };
    // The last update that moves or prolongs a window and gives a range of its own.
    std::size_t mover = std::string::npos;
    for (const auto& r : times) {
        if (r.update == std::string::npos || !ranged(r) || (mover != std::string::npos && r.update <= mover)) continue;
        const std::string_view t = text_of(r.update);
        if (says(t, Meaning::moved) || says(t, Meaning::prolonged)) mover = r.update;
    }
    for (const auto& r : times) {
        if (!ranged(r)) continue;
        const std::string_view t = text_of(r.update);
        NoticeWindow w;
        w.start = r.start;
        w.end = r.end;
        w.zone = r.found.start.zone_label;
        w.text = std::string(t.substr(r.found.begin, r.found.finish - r.found.begin));
        // Its line, and the line above when that is a short heading ("NCTS:", "ICS og Manifest").
        std::size_t b = r.found.begin == 0 ? std::string_view::npos : t.rfind('\n', r.found.begin - 1);
        b = b == std::string_view::npos ? 0 : b + 1;
        std::size_t e = t.find('\n', r.found.finish);
        if (e == std::string_view::npos) e = t.size();
        std::string_view heading;
        if (b >= 2) {
            std::size_t hb = t.rfind('\n', b - 2);
            hb = hb == std::string_view::npos ? 0 : hb + 1;
            const std::string_view above = trim_blanks(t.substr(hb, b - 1 - hb));
            constexpr std::size_t kHeading = 60;  // bytes: a longer line is a paragraph
            if (!above.empty() && above.size() <= kHeading && above.back() != '.') heading = above;
        }
        const std::string_view line = t.substr(b, e - b);
        for (const auto& p : picks) {
            if (p.id.empty() || std::find(n.systems.begin(), n.systems.end(), p.id) == n.systems.end()) continue;
            if (std::find(w.systems.begin(), w.systems.end(), p.id) != w.systems.end()) continue;
            if (find_word(line, p.alias) != std::string_view::npos ||
                (!heading.empty() && find_word(heading, p.alias) != std::string_view::npos)) {
                w.systems.push_back(p.id);
            }
        }
        if (w.systems.empty()) w.systems = n.systems;
        if (n.cancelled) {
            w.status = WindowStatus::cancelled;
        } else if (mover != std::string::npos && r.update != std::string::npos && r.update < mover) {
            w.status = WindowStatus::superseded;
        }
        // The same range named twice (a summary and a section): one window, the systems of both.
        auto same = std::find_if(out.begin(), out.end(), [&](const NoticeWindow& x) { return x.start == w.start && x.end == w.end; });
        if (same == out.end()) {
            out.push_back(std::move(w));
            continue;
        }
        for (auto& id : w.systems) {
            if (std::find(same->systems.begin(), same->systems.end(), id) == same->systems.end()) same->systems.push_back(std::move(id));
        }
    }
    if (n.window.start && std::none_of(out.begin(), out.end(), [&](const NoticeWindow& x) {
            return x.start == n.window.start && x.end == n.window.end;
        })) {
        NoticeWindow w = n.window;
        w.systems = n.systems;
        w.status = n.cancelled ? WindowStatus::cancelled : WindowStatus::scheduled;
        out.push_back(std::move(w));
    }
    std::stable_sort(out.begin(), out.end(), [](const NoticeWindow& a, const NoticeWindow& b) { return *a.start < *b.start; });
    return out;
}

}  // namespace

bool is_update_status(std::string_view word) noexcept {
    return std::find(statuses.begin(), statuses.end(), word) != statuses.end();
}

// --- Splitting -----------------------------------------------------------------------------

void NoticeSplitter::add_text(std::string_view text) {
    auto& u = current_.updates.back();
    if (!u.text.empty() || !text.empty()) {
        if (!u.text.empty()) u.text.push_back('\n');
        u.text.append(text);
    }
    pending_ += text.size() + 1;
}

void NoticeSplitter::flush() {
    if (!current_.updates.empty() || !current_.title.empty()) {
        for (auto& u : current_.updates) {
            while (!u.text.empty() && (u.text.back() == '\n' || u.text.back() == ' ')) u.text.pop_back();
        }
        sink_(std::move(current_));
    }
    current_ = RawNotice{};
    current_.day = day_;
    in_update_ = false;
    pending_ = 0;
}

void NoticeSplitter::begin_update(std::string status, std::string_view rest, std::size_t number) {
    if (current_.updates.empty()) {
        current_.line = number;
        current_.day = day_;
    }
    current_.updates.push_back({std::move(status), std::string(rest), {}, std::nullopt, std::nullopt});
    pending_ += rest.size();
    in_update_ = true;
}

void NoticeSplitter::line(std::string_view raw, std::size_t number) {
    const std::string_view text = rtrim(raw);
    if (text == "About This Site") {
        flush();
        structured_ = true;
        mode_ = Mode::about;
        return;
    }
    if (const auto d = parse_day_header(text)) {
        flush();
        day_ = d;
        current_.day = d;
        structured_ = true;
        mode_ = Mode::entries;
        return;
    }
    if (mode_ == Mode::about) {
        if (text == "Scheduled Maintenance") mode_ = Mode::upcoming_title;
        return;
    }
    if (structured_ && text == "No incidents reported.") return;
    if (mode_ == Mode::upcoming_title) {
        if (text.empty()) return;
        current_ = RawNotice{};
        current_.title = std::string(trim_blanks(text));
        current_.line = number;
        current_.updates.push_back({"Scheduled", {}, {}, std::nullopt, std::nullopt});
        in_update_ = true;
        mode_ = Mode::upcoming_body;
        return;
    }
    if (mode_ == Mode::upcoming_body) {
        if (starts_with(text, "Posted on ")) {
            current_.posted = std::string(text.substr(10));
            flush();
            mode_ = Mode::upcoming_title;
            return;
        }
        add_text(text);
        return;
    }
    // "Status - text": a status update of a status-page entry.
    const std::size_t dash = text.find(" - ");
    if (dash <= 13 && is_update_status(text.substr(0, dash))) {
        const std::string status(text.substr(0, dash));
        if (!structured_) {
            plain_.clear();  // the page header ("Customs4trade") is no notice
            structured_ = true;
        }
        mode_ = Mode::entries;
        if (!current_.updates.empty()) {
            const auto& last = current_.updates.back().status;
            // Updates are listed newest first: a closing state starts an entry, an opening
            // state ends one.
            if (closing(status) || opening(last)) flush();
        }
        begin_update(status, text.substr(dash + 3), number);
        return;
    }
    if (structured_) {
        if (!in_update_) return;
        if (auto stamp = parse_stamp_line(text)) {
            current_.updates.back().stamp = std::string(text);
            current_.updates.back().stamp_time = std::move(stamp);  // not parsed again
            in_update_ = false;
            return;
        }
        add_text(raw.size() > text.size() ? text : raw);
        return;
    }
    if (plain_.empty()) plain_line_ = number;
    plain_.emplace_back(text);
    pending_ += text.size() + 1;
}

void NoticeSplitter::finish() {
    if (structured_) {
        flush();
        return;
    }
    RawNotice n;
    n.line = plain_line_;
    n.newest_first = false;
    std::string body;
    for (const auto& l : plain_) {
        body.append(l);
        body.push_back('\n');
    }
    while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
    plain_.clear();
    pending_ = 0;
    if (trim_blanks(body).empty()) return;
    n.updates.push_back({"", std::move(body), {}, std::nullopt, std::nullopt});
    sink_(std::move(n));
}

// --- Interpretation ------------------------------------------------------------------------

Notice interpret_notice(const RawNotice& raw, std::size_t entry, const NoticeOptions& options) {
    Notice n;
    n.file = options.file;
    n.entry = entry;
    n.line = raw.line;
    n.ics2 = raw.ics2;

    std::vector<RawUpdate> ups(raw.updates.begin(), raw.updates.end());
    if (raw.newest_first) std::reverse(ups.begin(), ups.end());

    // The date that completes dates written without a year: the day header above the entry,
    // else the reference time.
    UtcTime anchor = options.reference_time;
    if (raw.day) {
        anchor = local_to_utc({raw.day->year, raw.day->month, raw.day->day, 12, 0, 0}, default_zone);
    }
    std::vector<NoticeWarning> ignored;
    TimeContext stamp_context{anchor, std::string(default_zone)};

    // Update timestamps. A maintenance timestamp may be its window ("Nov 27, 2025 11:00-13:00
    // CET"), kept as a fallback for the window.
    Period stamp_window;
    for (const auto& u : ups) {
        NoticeUpdate nu;
        nu.status = u.status;
        nu.text = u.text;
        nu.at = u.at;
        const auto f = u.at ? std::nullopt : u.stamp_time ? u.stamp_time : parse_stamp_line(u.stamp);
        if (f) {
            nu.at = resolve_time(f->start, stamp_context, ignored);
            if (f->end) {
                stamp_window.start = nu.at;
                stamp_window.end = resolve_time(*f->end, stamp_context, ignored);
                stamp_window.zone = f->start.zone_label;
                stamp_window.text = u.stamp;
            }
        }
        n.updates.push_back(std::move(nu));
    }
    n.posted_at = raw.posted_at;
    if (!n.posted_at && !raw.posted.empty()) {
        if (const auto f = parse_stamp_line(raw.posted)) {
            n.posted_at = resolve_time(f->start, stamp_context, ignored);
        }
    }
    if (!n.posted_at) {
        for (const auto& u : n.updates) {
            if (u.at) {
                n.posted_at = u.at;
                break;
            }
        }
    }
    if (raw.ics2 && raw.ics2->registered && !n.posted_at) n.posted_at = raw.ics2->registered;
    // A dateline: a line of its own near the top of a plain notice that is only a date and a
    // time ("09.11.2020 | 10:38"): when the notice was posted, not a window.
    std::size_t dateline_end = 0;
    if (!n.posted_at && raw.updates.size() == 1 && raw.title.empty()) {
        const std::string_view body = raw.updates.front().text;
        std::size_t at = 0;
        for (int line = 0; line < 3 && at < body.size(); ++line) {
            std::size_t e = body.find('\n', at);
            if (e == std::string_view::npos) e = body.size();
            const std::string_view l = trim_blanks(body.substr(at, e - at));
            // A time with seconds at the start of a line ("24.01.2026 - 12:43:12", text glued
            // on after it) is a publishing stamp too: windows are not written to the second.
            auto digit = [](char c) { return c >= '0' && c <= '9'; };
            const bool long_line = l.size() > 40;
            const std::string_view head = long_line ? l.substr(0, 40) : l;
            const auto found = l.empty() ? decltype(find_times(head)){} : find_times(head);
            auto with_seconds = [&] {
                if (found.empty() || found[0].start.date.year == 0 || found[0].begin > 2) return false;
                const std::size_t f = found[0].finish;
                return f + 3 <= head.size() && head[f] == ':' && digit(head[f + 1]) &&
                       digit(head[f + 2]) && (f + 3 == head.size() || !digit(head[f + 3]));
            };
            if (long_line && with_seconds()) {
                if (const auto t = resolve_time(found[0].start, stamp_context, ignored)) {
                    n.posted_at = t;
                    dateline_end = static_cast<std::size_t>(l.data() - body.data()) + found[0].finish + 3;
                    n.evidence.emplace_back("posted_at", fmt::format("dateline '{}'", l.substr(0, found[0].finish + 3)));
                }
                break;
            }
            if (!l.empty() && !long_line) {
                if (found.size() == 1 && found[0].start.date.year != 0 && found[0].finish + 8 >= l.size() && found[0].begin <= 2) {
                    if (const auto t = resolve_time(found[0].start, stamp_context, ignored)) {
                        n.posted_at = t;
                        dateline_end = e;
                        n.evidence.emplace_back("posted_at", fmt::format("dateline '{}'", l));
                    }
                    break;
                }
            }
            if (l.empty()) --line;
            at = e + 1;
        }
    }
    // An upcoming maintenance has one implicit update, posted when the entry was.
    if (n.updates.size() == 1 && !n.updates[0].at) n.updates[0].at = n.posted_at;
    if (!n.updates.empty()) n.status = n.updates.back().status;

    // Everything the notice says, oldest first, without disregarded updates, scanned once
    // against every profile and pack.
    const Knowledge& know = Knowledge::get();
    thread_local Analysis an;
    std::string all;
    auto gather = [&] {
        all = raw.title;
        if (!raw.context.empty()) {
            all.push_back('\n');
            all.append(raw.context);
        }
        for (const auto& u : n.updates) {
            if (u.disregarded) continue;
            all.push_back('\n');
            all.append(u.text);
        }
        an.run(know, all);
    };
    gather();
    // "Please disregard the previous message": the update before it no longer counts. Said in a
    // notice's first update, it is about an earlier notice (linked by NoticeLinker). The
    // updates are read one by one only when the notice says it at all.
    if (an.first_of(Meaning::disregard) != nullptr) {
        bool dropped = false;
        for (std::size_t i = 1; i < n.updates.size(); ++i) {
            if (says(n.updates[i].text, Meaning::disregard)) n.updates[i - 1].disregarded = dropped = true;
        }
        if (!n.updates.empty() && says(n.updates.front().text, Meaning::disregard)) n.disregards_previous = true;
        if (dropped) gather();
    }
    std::string low;
    Trigrams grams;
    Phrases::lower_and_trigrams(all, low, grams);
    const Trigrams& grams_cs = grams;

    std::string_view head = raw.title;
    if (head.empty()) {
        for (const auto& u : n.updates) {
            head = headline(u.text, know);
            if (!head.empty()) break;
        }
    }
    n.title = raw.title.empty() ? cut(head, 120) : raw.title;

    // Stage: language, from the packs' frequent words.
    const std::size_t notice_language = an.language(know);
    an.language_ = notice_language;
    if (notice_language != std::string::npos) n.language = know.languages()[notice_language].id;

    // Stage: the publishing authority, from the sender's domain, then the names and domains
    // the text gives (an authority before a relaying platform).
    std::size_t publisher = std::string::npos;
    std::string publisher_evidence;
    bool publisher_ambiguous = false;
    bool publisher_is_sender = false;  // found by the e-mail sender's domain, not in the text
    if (!raw.sender.empty()) {
        const std::size_t at = raw.sender.rfind('@');
        const std::string host(trim_blanks(std::string_view(raw.sender).substr(at == std::string::npos ? 0 : at + 1)));
        if (const auto* a = know.authority_of_host(host)) {
            publisher = static_cast<std::size_t>(a - know.authorities().data());
            publisher_evidence = fmt::format("sender domain {}", host);
            publisher_is_sender = true;
        }
    }
    if (publisher == std::string::npos) {
        publisher = an.named_authority(know, publisher_evidence, publisher_ambiguous);
    }
    if (publisher == std::string::npos && !publisher_ambiguous) {
        // A call number of the one authority whose call numbers have its shape.
        std::size_t shaped = std::string::npos;
        bool several = false;
        std::string call;
        for_each_word(all, [&](std::string_view word) {
            for (const auto& shape : know.shapes(true, word.size())) {
                if (!Knowledge::shape_matches(shape.shape, word)) continue;
                if (shaped != std::string::npos && shaped != shape.authority) several = true;
                if (shaped == std::string::npos) call = std::string(word);
                shaped = shape.authority;
            }
        });
        if (shaped != std::string::npos && !several) {
            publisher = shaped;
            publisher_evidence = fmt::format("call number '{}' ({} call-number shape)", call, know.authorities()[shaped].id);
        }
    }
    if (publisher_ambiguous) {
        add_warning(n.warnings, {"country-ambiguous", fmt::format("the notice names authorities of several countries ({}); no country is given", publisher_evidence)});
    }
    const AuthorityProfile* pub = publisher == std::string::npos ? nullptr : &know.authorities()[publisher];
    if (pub != nullptr) n.authority = pub->id;

    // Stage: systems, each name resolved to the authority that runs it.
    std::vector<std::string> national_countries;
    std::string national_evidence;
    std::vector<std::pair<std::size_t, std::size_t>> union_names;  // folded spans of the Union's systems
    std::vector<SystemPick> picks = an.systems(know, publisher);
    an.keep_headline_systems(picks, all, head);
    for (const auto& pick : picks) {
        if (std::find(n.systems.begin(), n.systems.end(), pick.id) == n.systems.end()) n.systems.push_back(pick.id);
        if (pick.authority != std::string::npos && !pick.shared) {
            const auto& owner = know.authorities()[pick.authority];
            if (owner.kind == "union") union_names.emplace_back(pick.pos, pick.end);
            if (!owner.platform() && std::find(national_countries.begin(), national_countries.end(), owner.country) == national_countries.end()) {
                national_countries.push_back(owner.country);
                if (!national_evidence.empty()) national_evidence += ", ";
                national_evidence += fmt::format("{} system name '{}' ({})", owner.kind == "union" ? "Union" : "national", pick.alias, owner.id);
            }
        }
    }
    // A member state's system beside a Union one (GUN and TRACES-NT): the notice is the member
    // state's; the Union's systems serve every country.
    if (national_countries.size() == 2 && std::count(national_countries.begin(), national_countries.end(), "EU") == 1) {
        national_countries.erase(std::find(national_countries.begin(), national_countries.end(), "EU"));
    }
    // A sub-process named makes its family redundant ("ATLAS Ausfuhr" is ATLAS-AUSFUHR).
    for (auto it = n.systems.begin(); it != n.systems.end();) {
        const std::string prefix = *it + "-";
        const bool general = std::any_of(n.systems.begin(), n.systems.end(), [&](const std::string& x) { return x.rfind(prefix, 0) == 0; });
        it = general ? n.systems.erase(it) : it + 1;
    }
    // A relaying platform's own systems count only when no authority's system is named.
    {
        auto platform_system = [&](const std::string& id) {
            for (const auto& a : know.authorities()) {
                if (a.platform() && a.system(id) != nullptr && know.authority_of_country(a.country) == nullptr) {
                    bool elsewhere = false;
                    for (const auto& b : know.authorities()) elsewhere = elsewhere || (!b.platform() && b.system(id) != nullptr);
                    if (!elsewhere) return true;
                }
            }
            return false;
        };
        const bool authority_system = std::any_of(n.systems.begin(), n.systems.end(), [&](const std::string& id) { return !platform_system(id); });
        if (authority_system) {
            n.systems.erase(std::remove_if(n.systems.begin(), n.systems.end(), platform_system), n.systems.end());
        }
    }
    if (!n.systems.empty()) n.evidence.emplace_back("systems", an.systems_evidence);
    if (!an.unaffected_evidence.empty()) n.evidence.emplace_back("unaffected", an.unaffected_evidence);
    if (!an.context_evidence.empty()) {
        n.evidence.emplace_back("context", fmt::format("{}: named outside the headline, in no sentence about the outage", an.context_evidence));
    }

    // The Union's systems as country evidence. A notice that puts the fault on the national
    // system (a national customs page: "problems with messages passed via the STI-CR to the
    // national system") is not the Union's; one that puts it on a central system beside a
    // Union system ("a malfunction in the TAPAS central system") is, whoever relays it.
    const bool union_only = national_countries.size() == 1 && national_countries.front() == "EU";
    const PhraseHit* central = nullptr;
    std::string union_doubt;  // why the Union's systems named do not make the notice the Union's
    if (union_only) {
        if (const PhraseHit* h = an.first_of(Meaning::national_system); h != nullptr && an.first_of(Meaning::central_system) == nullptr) {
            const std::size_t quoted = national_evidence.find('\'');
            union_doubt = fmt::format("the notice names the Union's {} and puts the fault on {}",
                                      quoted == std::string::npos ? national_evidence : national_evidence.substr(quoted), an.quote(*h, know));
            national_countries.clear();
        }
        for (const auto& h : an.hits) {
            if (h.kind != PhraseHit::Kind::meaning || h.meaning != Meaning::central_system) continue;
            constexpr std::size_t kNear = 40;  // folded bytes: "the TAPAS central system", "het centrale ICS2-systeem"
            if (std::any_of(union_names.begin(), union_names.end(), [&](const auto& u) {
                    return h.begin + kNear >= u.first && h.begin <= u.second + kNear;
                })) {
                central = &h;
                break;
            }
        }
    }

    // Stage: country. A "NL - " title prefix (a status page's convention), the publishing
    // authority, the one country whose national systems are named, the ICS2 subject, the
    // sender's country-code domain; never a system several countries run.
    if (raw.title.size() > 5 && raw.title[2] == ' ' && raw.title[3] == '-' &&
        raw.title[0] >= 'A' && raw.title[0] <= 'Z' && raw.title[1] >= 'A' && raw.title[1] <= 'Z' && is_country(raw.title.substr(0, 2))) {
        n.country = raw.title.substr(0, 2);
        n.evidence.emplace_back("country", fmt::format("title prefix '{} - '", n.country));
    } else if (central != nullptr && !publisher_is_sender) {
        n.country = "EU";
        n.evidence.emplace_back("country", fmt::format("{} beside {}{}", an.quote(*central, know), national_evidence,
                                                       pub == nullptr ? std::string() : fmt::format(", relayed by {}", publisher_evidence)));
    } else if (pub != nullptr && !pub->platform() &&
               !(national_countries.size() == 1 && national_countries.front() != pub->country &&
                 std::none_of(n.systems.begin(), n.systems.end(), [&](const std::string& id) { return pub->system(id) != nullptr; }))) {
        n.country = pub->country;
        n.evidence.emplace_back("country", publisher_evidence);
    } else if (pub != nullptr && !pub->platform()) {
        // A relay: the publisher runs none of the systems named, and they are one other
        // country's (a national customs page about the Union's STI).
        n.country = national_countries.front();
        n.evidence.emplace_back("country", fmt::format("{}, relayed by {}", national_evidence, publisher_evidence));
    } else if (!publisher_ambiguous && national_countries.size() == 1) {
        n.country = national_countries.front();
        n.evidence.emplace_back("country", national_evidence);
    } else if (national_countries.size() > 1) {
        add_warning(n.warnings, {"country-ambiguous", fmt::format("systems of several countries are named ({}); no country is given", national_evidence)});
    } else if (raw.ics2 && !raw.ics2->country.empty()) {
        n.country = raw.ics2->country;
        n.evidence.emplace_back("country", "ICS2 notification subject");
    } else if (!publisher_ambiguous && pub == nullptr && !raw.sender.empty()) {
        n.country = sender_country(raw.sender, false);
        if (!n.country.empty()) n.evidence.emplace_back("country", fmt::format("sender's country-code domain ({})", raw.sender.substr(raw.sender.rfind('@') + 1)));
    }
    if (n.country.empty() && !union_doubt.empty()) {
        add_warning(n.warnings, {"country-ambiguous", fmt::format("{}; no country is given", union_doubt)});
    }
    // A headline naming one country: the notice is about it. It settles a notice with no other
    // evidence (a relay: "PRZERWA ECS I EMCS W WIELKIEJ BRYTANII") and one of the Union's (DG
    // TAXUD on ICS2 "en España"). Against other evidence, or with several countries named, no
    // country is given: a relay of another country's outage must not read as its publisher's.
    if (const HeadlineCountries named = headline_countries(head, notice_language, know); !named.codes.empty()) {
        auto evidence = std::find_if(n.evidence.begin(), n.evidence.end(), [](const auto& e) { return e.first == "country"; });
        const std::string& one = named.codes.front();
        if (named.codes.size() == 1 && n.country == one) {
            if (evidence != n.evidence.end()) evidence->second += fmt::format("; named in the headline: {}", named.evidence);
        } else if (!n.country.empty() && n.country != "EU" && std::find(national_countries.begin(), national_countries.end(), n.country) != national_countries.end()) {
            // The system at fault is the country's own (ATLAS in "Störung ATLAS: Verkehr mit der
            // Schweiz"): a country the headline names beside it is a partner, not the notice's.
            if (evidence != n.evidence.end()) evidence->second += fmt::format("; the headline also names {}", named.evidence);
        } else if (named.codes.size() == 1 && (n.country.empty() || n.country == "EU")) {
            const std::string why = fmt::format("named in the headline: {}", named.evidence);
            if (evidence == n.evidence.end()) {
                n.evidence.emplace_back("country", why);
            } else {
                evidence->second = fmt::format("{} (over {})", why, evidence->second);
            }
            n.country = one;
        } else {
            add_warning(n.warnings, {"country-ambiguous",
                                     n.country.empty()
                                         ? fmt::format("the headline names several countries ({}); no country is given", named.evidence)
                                         : fmt::format("the headline names {} but the notice is {}'s by {}; no country is given",
                                                       named.evidence, n.country, evidence == n.evidence.end() ? std::string("its text") : evidence->second)});
            if (evidence != n.evidence.end()) n.evidence.erase(evidence);
            n.country.clear();
        }
    }
    if (n.country.empty() && !raw.source_authority.empty() &&
        std::none_of(n.warnings.begin(), n.warnings.end(), [](const NoticeWarning& w) { return w.code == "country-ambiguous"; })) {
        // The notice does not say; the source it came from speaks for a national authority.
        if (const AuthorityProfile* a = know.authority(raw.source_authority); a != nullptr && a->kind == "authority") {
            n.country = a->country;
            if (n.authority.empty()) n.authority = a->id;
            n.evidence.emplace_back("country", fmt::format("the source speaks for {} (its authority in sources.toml); the notice names no country", a->id));
        }
    }
    const AuthorityProfile* home = pub != nullptr && !pub->platform() ? pub : n.country.empty() ? nullptr : know.authority_of_country(n.country);
    const bool authority_system_named = std::any_of(n.systems.begin(), n.systems.end(), [&](const std::string& id) {
        return std::any_of(know.authorities().begin(), know.authorities().end(),
                           [&](const AuthorityProfile& a) { return a.kind != "vendor" && a.system(id) != nullptr; });
    });
    if (!authority_system_named && home != nullptr && !home->unnamed_systems.empty()) {
        // Only a relaying vendor's platform named ("submitted by CAS"): the authority's own.
        n.systems = home->unnamed_systems;
        n.evidence.emplace_back("systems", fmt::format("no system of an authority named; {} runs {} for all declarations", home->id, home->unnamed_systems.front()));
    }


    // Processes as the notice names them (customs4trade-1: "Import to EU, Export from EU and Storage
    // (DMS)", "Import and/or Exports clearances", "Affected procedures: Einfuhr, ...").
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> process_words{{
        {"Import", "Import"}, {"IMPORT", "Import"}, {"Export", "Export"}, {"Exports", "Export"},
        {"Storage", "Storage"}, {"Transit", "Transit"}, {"Einfuhr", "Einfuhr"},
        {"Ausfuhr", "Ausfuhr"}, {"Versand", "Versand"}, {"EXPORT", "Export"},
    }};
    {
        std::vector<std::pair<std::size_t, std::string>> found;
        for (const auto& [w, name] : process_words) {
            if (!may_contain(grams_cs, w)) continue;
            const std::size_t at = find_word(all, w);
            if (at != std::string_view::npos) found.emplace_back(at, std::string(name));
        }
        std::sort(found.begin(), found.end());
        for (auto& [at, name] : found) {
            if (std::find(n.processes.begin(), n.processes.end(), name) == n.processes.end()) {
                n.processes.push_back(name);
            }
        }
    }

    // Planned: maintenance states (or a maintenance section) versus incident states.
    {
        bool m = !raw.title.empty() && raw.updates.size() == 1 && raw.updates[0].status == "Scheduled";
        bool inc = false;
        for (const auto& u : n.updates) {
            m = m || maintenance_status(u.status);
            inc = inc || incident_status(u.status);
        }
        if (m) {
            n.planned = true;
        } else if (inc) {
            n.planned = false;
        } else if (raw.ics2 && raw.ics2->scheduled) {
            n.planned = raw.ics2->scheduled;
        } else if (const auto* hit = an.first_of(Meaning::planned, Meaning::unplanned)) {
            // Both kinds of phrase in one text (a planned release that "may cause disruptions",
            // an outage during maintenance): the words do not decide, so neither does the tool.
            // An incident word a planned word qualifies ("geplanter IT-Ausfall") is no incident.
            const auto* incident = an.first_unqualified_incident();
            if (hit->meaning == Meaning::unplanned && incident != hit) hit = an.first_of(Meaning::planned);
            const auto* other = hit->meaning == Meaning::planned ? incident : an.first_of(Meaning::planned);
            if (other == nullptr) {
                n.planned = hit->meaning == Meaning::planned;
                n.evidence.emplace_back("planned", an.quote(*hit, know));
            } else {
                add_warning(n.warnings, {"planned-unclear",
                                         fmt::format("the text has words of a planned window ({}) and of an incident ({}); planned is not given",
                                                     an.quote(hit->meaning == Meaning::planned ? *hit : *other, know),
                                                     an.quote(hit->meaning == Meaning::planned ? *other : *hit, know))});
            }
        }
    }

    if (const auto* hit = an.first_of(Meaning::cancelled)) {
        n.cancelled = true;
        n.evidence.emplace_back("cancelled", an.quote(*hit, know));
    }

    // Times. Unlabelled local times are read in the country's zone.
    // Without an authority, the language may still tell the zone: when every authority that
    // publishes in it keeps the same clock (Dutch: NL and BE), else the zone is unknown.
    std::string language_zone;
    if (home == nullptr && pub == nullptr && notice_language != std::string::npos) {
        language_zone = know.zone_of_language(notice_language);
        if (!language_zone.empty()) n.evidence.emplace_back("zone", fmt::format("every authority publishing in '{}' keeps {}", n.language, language_zone));
    }
    // A relaying platform writes its times in its own zone.
    const AuthorityProfile* clock_of = home != nullptr ? home : pub;
    const bool zone_known = clock_of != nullptr || !language_zone.empty();
    const std::string zone = clock_of != nullptr ? clock_of->zone : !language_zone.empty() ? language_zone : std::string(default_zone);
    TimeContext ctx{n.posted_at ? n.posted_at : std::optional<UtcTime>(anchor), zone};
    // Without a posting date, a date the notice writes with its year anchors the dates it
    // writes without one ("30. septembril ... 01.10.2023"), before the reference time does.
    if (!n.posted_at && !raw.day) {
        auto year_anchor = [&](std::string_view text) -> std::optional<UtcTime> {
            for (const auto& f : find_times(text, raw.ics2.has_value(), notice_language)) {
                const auto& d = f.start.date;
                if (d.year != 0 && d.alt_year == 0 && d.day >= 1 && d.day <= days_in_month(d.year, d.month)) {
                    return local_to_utc(LocalTime{d.year, d.month, d.day, 12, 0, 0}, zone);
                }
            }
            return std::nullopt;
        };
        std::optional<UtcTime> a = year_anchor(raw.title);
        for (std::size_t i = 0; !a && i < n.updates.size(); ++i) a = year_anchor(n.updates[i].text);
        if (a) ctx.anchor = a;
    }
    std::vector<Resolved> times;
    std::vector<std::string> texts;  // the text each update's times refer to
    const bool compact = raw.ics2.has_value();
    auto scan = [&](std::string_view text, std::size_t update) {
        for (auto& f : find_times(text, compact, notice_language)) {
            if (update == 0 && f.begin < dateline_end) continue;
            Resolved r;
            r.found = f;
            r.update = update;
            std::vector<NoticeWarning> w;
            // A clock time with no zone written, in a notice whose authority is unknown: its
            // zone would be a guess, so it gives no instant.
            if (!zone_known && f.start.has_time && f.start.zone_label.empty()) {
                add_warning(n.warnings, {"zone-unknown", fmt::format("'{}' gives no zone and the notice names no authority; the time is left out",
                                                                     cut(text.substr(f.begin, f.finish - f.begin), 60))});
                continue;
            }
            r.start = resolve_time(f.start, ctx, w);
            if (f.end) r.end = resolve_time(*f.end, ctx, w);
            if (f.utc_start && r.start) {
                std::vector<NoticeWarning> ignore;
                const auto us = resolve_time(*f.utc_start, ctx, ignore);
                const auto ue = f.utc_end ? resolve_time(*f.utc_end, ctx, ignore) : std::nullopt;
                if ((us && *us != *r.start) || (ue && r.end && *ue != *r.end)) {
                    w.push_back({"utc-mismatch",
                                 fmt::format("'{}' gives UTC times that do not match the local times",
                                             text.substr(f.begin, f.finish - f.begin))});
                }
            }
            for (auto& x : w) add_warning(n.warnings, std::move(x));
            times.push_back(std::move(r));
        }
    };
    scan(raw.title, std::string::npos);
    for (std::size_t i = 0; i < n.updates.size(); ++i) {
        if (!n.updates[i].disregarded) scan(n.updates[i].text, i);
    }

    // A range of clock times written with no date ("Det meste af lørdagen i tidsrummet 08:00
    // til 18:45", "neljapäeval kell 18-20"), when no time the notice writes has a date: it is on
    // the one date the notice names that falls on the weekday written beside the range. Without
    // such a weekday, or with two such dates, the day is not known and no time is given.
    if (ctx.anchor && std::none_of(times.begin(), times.end(), [](const Resolved& r) { return r.start && r.found.start.has_time; })) {
        struct Day {
            int year, month, day;
            std::size_t update, begin, finish;
        };
        std::vector<Day> days;  // the dates without a time the notice names, each once
        for (const auto& r : times) {
            const auto& d = r.found.start.date;
            if (r.found.start.has_time || d.month == 0 || d.alt_year != 0 || d.next_weekday) continue;
            const int y = d.year != 0 ? d.year : complete_year(d, *ctx.anchor, zone);
            if (d.day < 1 || d.day > days_in_month(y, d.month)) continue;
            if (std::none_of(days.begin(), days.end(), [&](const Day& x) { return x.year == y && x.month == d.month && x.day == d.day; })) {
                days.push_back({y, d.month, d.day, r.update, r.found.begin, r.found.finish});
            }
        }
        auto dateless = [&](std::string_view text, std::size_t update) {
            for (auto& f : find_dateless_ranges(text, notice_language)) {
                const int wd = f.start.date.weekday;
                if (wd < 0) continue;
                const Day* on = nullptr;
                int count = 0;
                for (const auto& d : days) {
                    if (weekday_of(d.year, d.month, d.day) == wd) {
                        on = &d;
                        ++count;
                    }
                }
                if (count != 1) continue;
                if (!zone_known && f.start.zone_label.empty()) continue;  // as scan(): no zone, no instant
                f.start.date = {on->year, on->month, on->day, wd, false, 0, 0};
                f.end->date = f.start.date;
                f.end->date.weekday = -1;
                Resolved r;
                r.start = resolve_time(f.start, ctx, ignored);
                r.end = resolve_time(*f.end, ctx, ignored);
                // "22:00-02:00": the end is on the next day.
                if (r.start && r.end && *r.end <= *r.start) *r.end += std::chrono::days{1};
                if (!r.start) continue;
                const std::string_view day_text = on->update == std::string::npos ? std::string_view(raw.title)
                                                                                 : std::string_view(n.updates[on->update].text);
                n.evidence.emplace_back("window", fmt::format("'{}' has no date; '{}' is the one date the notice names on a {}",
                                                              cut(text.substr(f.begin, f.finish - f.begin), 60),
                                                              cut(day_text.substr(on->begin, on->finish - on->begin), 60), weekday_english_name(wd)));
                r.found = std::move(f);
                r.update = update;
                times.push_back(std::move(r));
            }
        };
        if (!days.empty()) {
            dateless(raw.title, std::string::npos);
            for (std::size_t i = 0; i < n.updates.size(); ++i) {
                if (!n.updates[i].disregarded) dateless(n.updates[i].text, i);
            }
        }
    }

    auto update_times = [&](std::size_t update, std::size_t begin, std::size_t end) {
        std::vector<const Resolved*> out;
        for (const auto& r : times) {
            if (r.update == update && r.found.begin >= begin && r.found.begin < end) out.push_back(&r);
        }
        return out;
    };

    // The window: the title's range, then what the updates say in order.
    Period w;
    apply_times(w, update_times(std::string::npos, 0, std::string::npos), raw.title);
    for (std::size_t i = 0; i < n.updates.size(); ++i) {
        if (n.updates[i].disregarded) continue;
        apply_times(w, update_times(i, 0, std::string::npos), n.updates[i].text);
    }
    if (!w.start && stamp_window.start) {
        w.start = stamp_window.start;
        if (!w.end) w.end = stamp_window.end;
        w.zone = stamp_window.zone;
        w.text = stamp_window.text;
    }
    // A single time the notice gives without saying start or end is its start ("on
    // 27/11/2025 at 10:00").
    if (!w.start) {
        for (const auto& r : times) {
            if (r.found.role == TimeRole::point && r.start && !r.found.end) {
                w.start = r.start;
                w.zone = r.found.start.zone_label;
                const std::string_view src = r.update == std::string::npos ? std::string_view(raw.title)
                                                                          : std::string_view(n.updates[r.update].text);
                w.text = std::string(src.substr(r.found.begin, r.found.finish - r.found.begin));
                break;
            }
        }
    }
    if (!w.start && raw.window_start) {
        w.start = raw.window_start;
        if (!w.end) w.end = raw.window_end;
        w.zone = "UTC";
    }
    if (raw.ics2) {
        if (!w.start && raw.ics2->registered) {
            w.start = raw.ics2->registered;
            w.zone = "CET";
        }
        if (!w.end && raw.ics2->estimated_end) w.end = raw.ics2->estimated_end;
    }
    const bool text_start = w.start.has_value();
    // Else the status updates: the first active state starts it, a closing state ends it.
    bool from_updates = false;
    if (!w.start) {
        for (const auto& u : n.updates) {
            if (active_status(u.status) && u.at) {
                w.start = u.at;
                from_updates = true;
                break;
            }
        }
    }
    if (!w.end && !n.updates.empty() && closing(n.updates.back().status) && !n.cancelled) {
        w.end = n.updates.back().at;
        from_updates = from_updates || !w.start;
    }
    if (w.zone.empty() && (w.start || w.end)) w.zone = from_updates && !text_start ? "status updates" : zone;
    n.window = {w.start, w.end, w.zone, w.text, {}, WindowStatus::scheduled};
    n.window_stated = text_start;
    n.windows = notice_windows(n, times, raw.title, picks);
    for (auto& x : n.windows) {
        if (x.zone.empty()) x.zone = zone;  // unlabelled local times, read in the notice's zone
    }

    // Procedures: each call number and what its part of the text says.
    for (std::size_t i = 0; i < n.updates.size(); ++i) {
        if (n.updates[i].disregarded) continue;
        const std::string_view text = n.updates[i].text;
        const auto calls = find_calls(text);
        // Each call's part runs from its first mention (the first part from the text's start)
        // to the first mention of the next call.
        // An update that names no call but moves times ("has been prolonged until 21/11/25
        // 9am CET", customs4trade-1) speaks of the procedures announced before it.
        if (calls.empty() && !n.procedures.empty()) {
            for (auto& p : n.procedures) {
                Period pp{p.start, p.end, {}, {}};
                apply_times(pp, update_times(i, 0, std::string::npos), text);
                p.start = pp.start;
                p.end = pp.end;
            }
            continue;
        }
        std::vector<std::pair<std::string, std::size_t>> firsts;
        for (const auto& c : calls) {
            bool seen = false;
            for (const auto& f : firsts) seen = seen || f.first == c.call;
            if (!seen) firsts.emplace_back(c.call, c.pos);
            if (!c.valid) {
                const Check chk = check_call(c.call);
                std::string why;
                for (const auto& p : chk) {
                    if (!why.empty()) why += "; ";
                    why += describe(p, c.call);
                }
                add_warning(n.warnings, {"call-malformed", fmt::format("call number '{}': {}", c.call, why)});
            }
        }
        for (std::size_t k = 0; k < firsts.size(); ++k) {
            // Named copies, not a structured binding: clang 14 cannot capture those in a lambda.
            const auto& call = firsts[k].first;
            const auto pos = firsts[k].second;
            std::size_t begin = k == 0 ? 0 : text.rfind('\n', pos);
            if (begin == std::string_view::npos) begin = 0;
            std::size_t end = std::string_view::npos;
            if (k + 1 < firsts.size()) {
                end = text.rfind('\n', firsts[k + 1].second);
                if (end == std::string_view::npos || end < begin) end = firsts[k + 1].second;
            }
            const std::string_view part = text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
            auto it = std::find_if(n.procedures.begin(), n.procedures.end(),
                                   [&](const NoticeProcedure& p) { return p.call == call; });
            if (it == n.procedures.end()) {
                NoticeProcedure p;
                p.call = call;
                p.system = system_on_line(text, pos, know, publisher);
                n.procedures.push_back(std::move(p));
                it = n.procedures.end() - 1;
            }
            if (it->system.empty()) it->system = system_on_line(text, pos, know, publisher);
            Period pp{it->start, it->end, {}, {}};
            apply_times(pp, update_times(i, begin, end == std::string_view::npos ? std::string::npos : end), text);
            it->start = pp.start;
            it->end = pp.end;
            for (const auto& m : find_mentions(part)) {
                if (m.text.substr(0, call.size()) != call) continue;
                if (it->mention.empty()) it->mention = m.text;
            }
            for (auto& c : find_codes(part, know)) {
                if (std::find(it->codes.begin(), it->codes.end(), c) == it->codes.end()) it->codes.push_back(c);
            }
        }
    }
    // A call number only the title (an e-mail subject) gives.
    for (const auto& c : find_calls(raw.title)) {
        const bool known = std::any_of(n.procedures.begin(), n.procedures.end(),
                                       [&](const NoticeProcedure& p) { return p.call == c.call; });
        if (known) continue;
        NoticeProcedure p;
        p.call = c.call;
        p.system = system_on_line(raw.title, c.pos, know, publisher);
        n.procedures.push_back(std::move(p));
        if (!c.valid) {
            add_warning(n.warnings, {"call-malformed", fmt::format("call number '{}' is not N and 5 digits", c.call)});
        }
    }
    // A procedure authorised without a call number (customs4trade-1, French Customs: "An emergency
    // procedure has been authorized by French Customs starting 18 November 2025, 13:00").
    if (n.procedures.empty() && an.first_of(Meaning::activated) != nullptr) {
        NoticeProcedure p;
        if (!n.systems.empty()) p.system = n.systems.front();
        n.procedures.push_back(std::move(p));
    }
    // The EU's confirmation that operators may activate the ICS2 BCP (fi-1: "the subject
    // starts with \"Production activation of the ICS2 BCP\"") announces a procedure.
    if (n.procedures.empty() && raw.ics2 && raw.ics2->kind == "activation") {
        NoticeProcedure p;
        p.system = "ICS2";
        n.procedures.push_back(std::move(p));
    }
    for (auto& p : n.procedures) {
        p.start_stated = p.start.has_value();
        p.end_stated = p.end.has_value();
        if (!p.start) p.start = n.window.start;
        if (!p.end) p.end = n.window.end;
        if (p.system.empty() && n.systems.size() == 1) p.system = n.systems.front();
        if (!p.mention.empty()) {
            const Check c = check_mention(p.mention);
            if (!c.valid()) {
                std::string why;
                for (const auto& pr : c) {
                    if (!why.empty()) why += "; ";
                    why += describe(pr, p.mention);
                }
                add_warning(n.warnings, {"mention-invalid", fmt::format("mention '{}': {}", p.mention, why)});
            } else if (const auto m = parse_mention(p.mention); m && p.start) {
                // The mention carries the procedure's start in Belgian local time.
                const auto at = local_to_utc({m->year, m->month, m->day, m->hour, m->minute, m->second}, default_zone);
                if (at != *p.start) {
                    add_warning(n.warnings,
                                {"mention-mismatch",
                                 fmt::format("mention '{}' does not carry the procedure's start {}",
                                             p.mention, format_rfc3339(*p.start))});
                }
            }
        }
    }

    // Window warnings.
    if (n.window.start && n.window.end && *n.window.end < *n.window.start) {
        add_warning(n.warnings, {"end-before-start",
                                 fmt::format("the end {} is before the start {}", format_rfc3339(*n.window.end),
                                             format_rfc3339(*n.window.start))});
    }
    for (const auto& p : n.procedures) {
        if (p.start && p.end && *p.end < *p.start) {
            add_warning(n.warnings, {"end-before-start",
                                     fmt::format("procedure {}: the end {} is before the start {}", p.call,
                                                 format_rfc3339(*p.end), format_rfc3339(*p.start))});
        }
    }
    // A window that starts long before the notice was posted is a stale copy-paste (customs4trade-1:
    // "unavailable from Saturday 25-10-2025 09:02", posted on Nov 27).
    if (text_start && n.window.start && n.posted_at &&
        *n.window.start < *n.posted_at - std::chrono::days{7}) {
        add_warning(n.warnings,
                    {"stale-date", fmt::format("the window starts {} but the notice was posted {}",
                                               format_rfc3339(*n.window.start), format_rfc3339(*n.posted_at))});
    }
    if (text_start && n.window.start && n.posted_at &&
        *n.window.start > *n.posted_at + std::chrono::days{366}) {
        add_warning(n.warnings,
                    {"stale-date", fmt::format("the window starts {}, over a year after the notice was posted {}",
                                               format_rfc3339(*n.window.start), format_rfc3339(*n.posted_at))});
    }
    find_placeholders(all, grams_cs, n.warnings);

    // Fallback procedure: advised only, allowed, or not allowed.
    if (const auto* hit = an.first_of(Meaning::fallback_not_allowed)) {
        n.fallback = Fallback::not_allowed;
        n.evidence.emplace_back("fallback", an.quote(*hit, know));
    } else if (const auto* adv = an.first_of(Meaning::fallback_advised)) {
        n.fallback = Fallback::advised_only;
        n.evidence.emplace_back("fallback", an.quote(*adv, know));
    } else if (const auto* ok = an.first_of(Meaning::fallback_allowed)) {
        n.fallback = Fallback::allowed;
        n.evidence.emplace_back("fallback", an.quote(*ok, know));
    } else if (!n.procedures.empty()) {
        n.fallback = Fallback::allowed;
        n.evidence.emplace_back("fallback", "an emergency procedure is announced");
    }
    // Buffering: messages rejected, customs buffers them, or the declarant may hold them back.
    if (const auto* rej = an.first_of(Meaning::rejected)) {
        n.buffering = Buffering::rejected;
        n.evidence.emplace_back("buffering", an.quote(*rej, know));
    } else if (const auto* buf = an.first_of(Meaning::buffered)) {
        n.buffering = Buffering::customs_buffers;
        n.evidence.emplace_back("buffering", an.quote(*buf, know));
    } else if (const auto* dec = an.first_of(Meaning::declarant_buffers)) {
        n.buffering = Buffering::declarant_may_buffer;
        n.evidence.emplace_back("buffering", an.quote(*dec, know));
    }

    // Tickets: the reference shapes of the profiles ("INC############").
    for_each_word(all, [&](std::string_view word) {
        for (const auto& shape : know.shapes(false, word.size())) {
            if (Knowledge::shape_matches(shape.shape, word) &&
                std::find(n.tickets.begin(), n.tickets.end(), word) == n.tickets.end()) {
                n.tickets.emplace_back(word);
            }
        }
    });

    // Relevant: a customs system, an emergency procedure or a customs authority is concerned;
    // a notice only about the vendor's platform is not an error, just not relevant.
    bool customs_system = false;
    for (const auto& id : n.systems) {
        // A community system (a port's, CCS-UK) carries declarations too; a vendor's platform not.
        for (const auto& a : know.authorities()) customs_system = customs_system || (a.kind != "vendor" && a.system(id) != nullptr);
    }
    n.relevant = customs_system || !n.procedures.empty() || !n.country.empty() || (pub != nullptr && !pub->platform());

    // A stable id: the same notice read again (another fetch of the page) gets the same id.
    std::uint64_t h = fnv1a(raw.title);
    if (!n.updates.empty()) h = fnv1a(n.updates.front().text, h);
    if (n.posted_at) {
        std::string stamp;
        append_rfc3339(stamp, *n.posted_at);
        h = fnv1a(stamp, h);
    }
    n.id = fmt::format("n{:016x}", h);
    return n;
}

std::string sender_country(std::string_view address, bool authority_only) {
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos) return {};
    const std::string domain = lower_ascii(trim_blanks(address.substr(at + 1)));
    if (const auto* a = Knowledge::get().authority_of_host(domain); a != nullptr && !a->platform()) return a->country;
    if (authority_only) return {};
    const std::size_t dot = domain.rfind('.');
    if (dot == std::string::npos || domain.size() - dot != 3) return {};
    std::string code = domain.substr(dot + 1);
    for (auto& c : code) c = static_cast<char>(c - 'a' + 'A');
    if (code == "EU") return {};    // the Union (ec.europa.eu), not a country
    if (code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') return {};
    if (is_country(code)) return code;
    // A top-level domain that is not the ISO code (.uk): the country whose authority uses it.
    const std::string tld = domain.substr(dot);
    for (const auto& a : Knowledge::get().authorities()) {
        if (a.platform()) continue;
        for (const auto& d : a.domains) {
            if (d.size() > tld.size() && d.compare(d.size() - tld.size(), tld.size(), tld) == 0) return a.country;
        }
    }
    return {};
}

Notice parse_notice_text(std::string_view text, const NoticeOptions& options) {
    RawNotice raw;
    raw.newest_first = false;
    raw.line = 1;
    raw.updates.push_back({"", std::string(text), {}, std::nullopt, std::nullopt});
    return interpret_notice(raw, 0, options);
}

// --- Output --------------------------------------------------------------------------------


namespace {

// A JSON string literal; invalid UTF-8 bytes become U+FFFD. One pass: runs of bytes that
// need nothing are copied at once and each non-ASCII sequence is validated where it stands
// (valid_utf8 fails at a sequence's first byte, so this is the same as validating the whole
// string first), since this runs over every update's text.
void put_string(std::string& out, std::string_view s) {
    static constexpr auto kind = [] {
        std::array<unsigned char, 256> t{};  // 0 copied, 1 escaped, 2 starts a UTF-8 sequence
        for (std::size_t k = 0; k < 0x20; ++k) t[k] = 1;
        t['"'] = t['\\'] = 1;
        for (std::size_t k = 0x80; k < 256; ++k) t[k] = 2;
        return t;
    }();
    out.push_back('"');
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const unsigned char k = kind[c];
        if (k == 0) {
            ++i;
            continue;
        }
        if (k == 2) {
            const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (valid_utf8(s.substr(i, len))) {
                i += len;
                continue;
            }
            out.append(s.data() + run, i - run);
            out.append("\xEF\xBF\xBD");
            run = ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            default: out.append(fmt::format("\\u{:04x}", static_cast<unsigned>(c)));
        }
        run = ++i;
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

void put_string_or_null(std::string& out, std::string_view s) {
    if (s.empty()) {
        out.append("null");
    } else {
        put_string(out, s);
    }
}

void put_time(std::string& out, const std::optional<UtcTime>& t) {
    if (t) {
        out.push_back('"');
        append_rfc3339(out, *t);
        out.push_back('"');
    } else {
        out.append("null");
    }
}

void put_strings(std::string& out, const std::vector<std::string>& v) {
    out.push_back('[');
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out.push_back(',');
        put_string(out, v[i]);
    }
    out.push_back(']');
}

void put_bool(std::string& out, const std::optional<bool>& b) {
    out.append(!b ? "null" : *b ? "true" : "false");
}

}  // namespace

void append_json(std::string& out, const Notice& n) {
    out.append("{\"id\":");
    put_string(out, n.id);
    out.append(",\"source\":{\"file\":");
    put_string_or_null(out, n.file);
    out.append(fmt::format(",\"entry\":{},\"line\":{}}}", n.entry, n.line));
    out.append(",\"title\":");
    put_string_or_null(out, n.title);
    out.append(",\"language\":");
    put_string_or_null(out, n.language);
    out.append(",\"posted_at\":");
    put_time(out, n.posted_at);
    out.append(",\"status\":");
    put_string_or_null(out, n.status);
    out.append(",\"planned\":");
    put_bool(out, n.planned);
    out.append(",\"cancelled\":");
    put_bool(out, n.cancelled);
    out.append(",\"country\":");
    put_string_or_null(out, n.country);
    out.append(",\"authority\":");
    put_string_or_null(out, n.authority);
    out.append(",\"systems\":");
    put_strings(out, n.systems);
    out.append(",\"processes\":");
    put_strings(out, n.processes);
    out.append(",\"window\":{\"start\":");
    put_time(out, n.window.start);
    out.append(",\"end\":");
    put_time(out, n.window.end);
    out.append(",\"zone\":");
    put_string_or_null(out, n.window.zone);
    out.append(",\"text\":");
    put_string_or_null(out, n.window.text);
    out.append("},\"windows\":[");
    for (std::size_t i = 0; i < n.windows.size(); ++i) {
        const auto& w = n.windows[i];
        if (i) out.push_back(',');
        out.append("{\"systems\":");
        put_strings(out, w.systems);
        out.append(",\"start\":");
        put_time(out, w.start);
        out.append(",\"end\":");
        put_time(out, w.end);
        out.append(",\"zone\":");
        put_string_or_null(out, w.zone);
        out.append(",\"text\":");
        put_string_or_null(out, w.text);
        out.append(",\"status\":");
        put_string(out, to_string(w.status));
        out.push_back('}');
    }
    out.append("],\"procedures\":[");
    for (std::size_t i = 0; i < n.procedures.size(); ++i) {
        const auto& p = n.procedures[i];
        if (i) out.push_back(',');
        out.append("{\"system\":");
        put_string_or_null(out, p.system);
        out.append(",\"call\":");
        put_string_or_null(out, p.call);
        out.append(",\"start\":");
        put_time(out, p.start);
        out.append(",\"end\":");
        put_time(out, p.end);
        out.append(",\"mention\":");
        put_string_or_null(out, p.mention);
        out.append(",\"codes\":");
        put_strings(out, p.codes);
        out.push_back('}');
    }
    out.append("],\"fallback\":");
    put_string_or_null(out, to_string(n.fallback));
    out.append(",\"buffering\":");
    put_string_or_null(out, to_string(n.buffering));
    out.append(",\"tickets\":");
    put_strings(out, n.tickets);
    out.append(",\"relevant\":");
    put_bool(out, n.relevant);
    out.append(",\"evidence\":{");
    for (std::size_t i = 0; i < n.evidence.size(); ++i) {
        if (i) out.push_back(',');
        put_string(out, n.evidence[i].first);
        out.push_back(':');
        put_string(out, n.evidence[i].second);
    }
    out.push_back('}');
    out.append(",\"warnings\":[");
    for (std::size_t i = 0; i < n.warnings.size(); ++i) {
        if (i) out.push_back(',');
        out.append("{\"code\":");
        put_string(out, n.warnings[i].code);
        out.append(",\"message\":");
        put_string(out, n.warnings[i].message);
        out.push_back('}');
    }
    out.push_back(']');
    if (!n.links.empty()) {
        out.append(",\"links\":[");
        for (std::size_t i = 0; i < n.links.size(); ++i) {
            if (i) out.push_back(',');
            out.append("{\"id\":");
            put_string(out, n.links[i].id);
            out.append(",\"call\":");
            put_string_or_null(out, n.links[i].call);
            out.append(",\"relation\":");
            put_string(out, to_string(n.links[i].relation));
            out.push_back('}');
        }
        out.push_back(']');
    }
    if (n.ics2) {
        const auto& x = *n.ics2;
        out.append(",\"ics2\":{\"kind\":");
        put_string(out, x.kind);
        out.append(",\"scheduled\":");
        put_bool(out, x.scheduled);
        out.append(",\"update\":");
        put_bool(out, x.update);
        out.append(",\"component\":");
        put_string_or_null(out, x.component);
        out.append(",\"country\":");
        put_string_or_null(out, x.country);
        out.append(",\"registered\":");
        put_time(out, x.registered);
        out.append(",\"estimated_end\":");
        put_time(out, x.estimated_end);
        out.push_back('}');
    }
    out.append(",\"updates\":[");
    for (std::size_t i = 0; i < n.updates.size(); ++i) {
        const auto& u = n.updates[i];
        if (i) out.push_back(',');
        out.append("{\"status\":");
        put_string_or_null(out, u.status);
        out.append(",\"at\":");
        put_time(out, u.at);
        out.append(",\"text\":");
        put_string(out, u.text);
        if (u.disregarded) out.append(",\"disregarded\":true");
        out.push_back('}');
    }
    out.append("]}");
}

nlohmann::ordered_json to_json(const Notice& n) {
    std::string s;
    append_json(s, n);
    return nlohmann::ordered_json::parse(s);
}

std::vector<NoticeEvent> notice_events(const Notice& n) {
    std::vector<NoticeEvent> out;
    if (n.cancelled) return out;
    if (n.window.start) {
        NoticeEvent e;
        e.uid = n.id + "-window@bcpkit";
        e.summary = n.title.empty() ? std::string("notice") : n.title;
        if (!n.systems.empty()) {
            std::string s;
            for (const auto& id : n.systems) s += (s.empty() ? "" : ",") + id;
            e.summary = fmt::format("{}{}: {}", n.country.empty() ? "" : n.country + " ", s, e.summary);
        }
        e.system = n.systems.empty() ? std::string() : n.systems.front();
        e.start = *n.window.start;
        e.end = n.window.end;
        e.country = n.country;
        e.planned = n.planned;
        e.title = n.title;
        out.push_back(std::move(e));
    }
    // The other windows: one event each, numbered in start order.
    for (std::size_t k = 0; k < n.windows.size(); ++k) {
        const auto& w = n.windows[k];
        if (w.status != WindowStatus::scheduled || (w.start == n.window.start && w.end == n.window.end)) continue;
        NoticeEvent e;
        e.uid = fmt::format("{}-window-{}@bcpkit", n.id, k + 1);
        std::string s;
        for (const auto& id : w.systems) s += (s.empty() ? "" : ",") + id;
        const std::string title = n.title.empty() ? std::string("notice") : n.title;
        e.summary = s.empty() ? title : fmt::format("{}{}: {}", n.country.empty() ? "" : n.country + " ", s, title);
        e.system = w.systems.empty() ? std::string() : w.systems.front();
        e.start = *w.start;
        e.end = w.end;
        e.country = n.country;
        e.planned = n.planned;
        e.title = n.title;
        out.push_back(std::move(e));
    }
    for (const auto& p : n.procedures) {
        if (!p.start || p.call.empty()) continue;
        if (p.start == n.window.start && p.end == n.window.end && n.procedures.size() == 1 && !out.empty()) {
            out.back().call = p.call;
            out.back().summary = fmt::format("{} {}: emergency procedure {}", n.country, p.system, p.call);
            continue;
        }
        NoticeEvent e;
        e.uid = fmt::format("{}-{}@bcpkit", n.id, p.call);
        e.summary = fmt::format("{} {}: emergency procedure {}", n.country, p.system, p.call);
        e.system = p.system;
        e.call = p.call;
        e.start = *p.start;
        e.end = p.end;
        e.country = n.country;
        e.planned = n.planned;
        e.title = n.title;
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<UtcTime> notice_last_word(const Notice& n) {
    std::optional<UtcTime> last = n.posted_at;
    for (const auto& u : n.updates) {
        if (u.at && (!last || *u.at > *last)) last = u.at;
    }
    return last;
}

bool notice_in_force(Notice& n, const ActiveQuery& q, std::optional<UtcTime>* open_until_out) {
    if (n.cancelled) return false;
    if (!q.country.empty() && lower_ascii(q.country) != lower_ascii(n.country)) return false;
    const bool stale = std::any_of(n.warnings.begin(), n.warnings.end(),
                                   [](const NoticeWarning& w) { return w.code == "stale-date"; });
    if (stale && !q.include_stale) return false;
    const std::optional<UtcTime> last_word = notice_last_word(n);
    std::optional<UtcTime> open_until;  // the horizon of an open window counted in force
    auto in = [&](const std::optional<UtcTime>& s, const std::optional<UtcTime>& e) {
        if (!s || q.at < *s) return false;
        if (e) return q.at < *e;
        // No end: in force until a closing update says otherwise, and for the horizon after
        // the notice's last word (or the start, when later).
        if (!n.status.empty() && closing(n.status)) return false;
        const UtcTime from = last_word && *last_word > *s ? *last_word : *s;
        const UtcTime until = from + q.open_horizon;
        if (q.at >= until) return false;
        open_until = until;
        return true;
    };
    const bool either = q.procedures == q.outages;  // neither or both flags: anything
    // Only a --system asks the registry (loading it costs more than the query on a store).
    const std::string want = q.system.empty() ? std::string() : canonical_system(q.system);
    auto concerns = [&](std::string_view id) { return q.system.empty() || id == want; };
    bool found = false;
    if ((either || q.outages) &&
        (q.system.empty() || std::find(n.systems.begin(), n.systems.end(), want) != n.systems.end())) {
        found = in(n.window.start, n.window.end);
    }
    // The notice's other windows, each for the systems named beside it.
    for (const auto& w : n.windows) {
        if (found || !(either || q.outages)) break;
        if (w.status != WindowStatus::scheduled || (w.start == n.window.start && w.end == n.window.end)) continue;
        if (!q.system.empty() && std::find(w.systems.begin(), w.systems.end(), want) == w.systems.end()) continue;
        found = in(w.start, w.end);
    }
    if (!found && (either || q.procedures)) {
        for (const auto& p : n.procedures) {
            if (concerns(p.system) && in(p.start, p.end)) {
                found = true;
                break;
            }
        }
    }
    if (open_until_out != nullptr) *open_until_out = found ? open_until : std::nullopt;
    if (found && open_until) {
        add_warning(n.warnings,
                    {"open-window",
                     fmt::format("no end is stated: counted in force until {} ({} h after the "
                                 "notice's last word) unless a later notice ends it",
                                 format_rfc3339(*open_until), q.open_horizon.count())});
    }
    return found;
}

bool notice_active_at(const Notice& n, UtcTime t, std::string_view country, std::string_view system) {
    Notice copy = n;
    ActiveQuery q;
    q.at = t;
    q.country = std::string(country);
    q.system = std::string(system);
    q.open_horizon = std::chrono::hours{24 * 365 * 100};
    q.include_stale = true;
    return notice_in_force(copy, q);
}

// --- Input kinds ----------------------------------------------------------------------------

namespace {

bool looks_like_email(std::string_view head) noexcept {
    // An RFC 5322 header block starts with a field name and a colon on the first line.
    static constexpr std::string_view fields[] = {
        "From:", "Received:", "Return-Path:", "Subject:", "Date:", "MIME-Version:",
        "Message-ID:", "Message-Id:", "Delivered-To:", "To:", "X-", "Content-Type:", "Reply-To:"};
    for (auto f : fields) {
        if (head.substr(0, f.size()) == f) return true;
    }
    return false;
}

}  // namespace

NoticeInput detect_notice_input(std::string_view head) noexcept {
    std::size_t i = 0;
    if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
    if (i < head.size() && head[i] == '{') return NoticeInput::statuspage;
    if (i < head.size() && head[i] == '[') {
        // A JSON array starts a value or ends at once; "[Utgått] Prosedyrer i TVINN" is a
        // text's bracketed tag.
        std::size_t j = i + 1;
        while (j < head.size() && (head[j] == ' ' || head[j] == '\n' || head[j] == '\r' || head[j] == '\t')) ++j;
        if (j == head.size()) return NoticeInput::statuspage;
        const char c = head[j];
        if (c == '{' || c == '[' || c == ']' || c == '"' || c == '-' || (c >= '0' && c <= '9')) {
            return NoticeInput::statuspage;
        }
        return NoticeInput::text;
    }
    if (looks_like_email(head.substr(i))) return NoticeInput::email;
    return NoticeInput::text;
}

std::string_view to_string(Fallback f) noexcept {
    switch (f) {
        case Fallback::allowed: return "allowed";
        case Fallback::advised_only: return "advised-only";
        case Fallback::not_allowed: return "not-allowed";
        case Fallback::unknown: break;
    }
    return {};
}

std::string_view to_string(Buffering b) noexcept {
    switch (b) {
        case Buffering::customs_buffers: return "customs-buffers";
        case Buffering::declarant_may_buffer: return "declarant-may-buffer";
        case Buffering::rejected: return "rejected";
        case Buffering::unknown: break;
    }
    return {};
}

std::string_view to_string(LinkRelation r) noexcept {
    switch (r) {
        case LinkRelation::earlier: return "earlier";
        case LinkRelation::later: return "later";
        case LinkRelation::disregarded: return "disregarded";
        case LinkRelation::disregarding: return "disregarding";
    }
    return "earlier";
}

std::string_view to_string(WindowStatus s) noexcept {
    switch (s) {
        case WindowStatus::scheduled: return "scheduled";
        case WindowStatus::superseded: return "superseded";
        case WindowStatus::cancelled: return "cancelled";
    }
    return "scheduled";
}

std::string_view notice_input_name(NoticeInput kind) noexcept {
    switch (kind) {
        case NoticeInput::email: return "email";
        case NoticeInput::statuspage: return "statuspage";
        case NoticeInput::text: break;
    }
    return "text";
}

std::optional<NoticeInput> parse_notice_input(std::string_view name) noexcept {
    for (auto k : {NoticeInput::text, NoticeInput::email, NoticeInput::statuspage}) {
        if (notice_input_name(k) == name) return k;
    }
    return std::nullopt;
}

}  // namespace bcp
