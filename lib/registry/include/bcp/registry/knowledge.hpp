// What the notice stages know, read from the data directory: the authority profiles
// (authorities/*.toml: names, domains, zones, systems, call and ticket shapes, codes) and the
// language packs (languages/*.toml: month and day names, range words, time idioms, and the
// phrases that say planned, cancelled, fallback allowed, buffered, ...). The format is
// bcp-authorities(5). Nothing here is compiled in: a file dropped into the data directory adds
// or overrides a profile.
//
// Every phrase, name, domain and system alias of every file is compiled once into one
// automaton (Aho-Corasick over folded text, text_fold.hpp), so a notice is scanned once
// whatever the number of files.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/core/text_fold.hpp"

namespace bcp {

struct DataSource {
    std::string id, publisher, title, url, date;
};

// What a phrase of a language pack says.
enum class Meaning : std::uint8_t {
    planned,
    unplanned,
    cancelled,
    moved,
    prolonged,
    resolved,
    fallback_allowed,
    fallback_advised,
    fallback_not_allowed,
    buffered,
    declarant_buffers,
    rejected,
    resubmit,
    disregard,
    activated,  // an emergency procedure is authorised or activated (a procedure without a call)
    until_further_notice,
    unaffected,  // "no impact on", "remains available": the systems in that sentence are not down
    national_system,  // "the national system": a member state's side of a Union system is at fault
    central_system,   // "central system": beside a Union system, the Union's side is at fault
    down,             // "unavailable", "cannot be used": planned or not, a system is down
    count
};
[[nodiscard]] std::string_view meaning_name(Meaning m) noexcept;

// Word classes of the date grammar (bits of WordInfo::classes).
namespace word_class {
inline constexpr std::uint32_t from = 1u << 0, to = 1u << 1, until = 1u << 2, between = 1u << 3,
                               and_ = 1u << 4, at = 1u << 5, on = 1u << 6, since = 1u << 7,
                               latest = 1u << 8, next = 1u << 9, today = 1u << 10,
                               tomorrow = 1u << 11, yesterday = 1u << 12,
                               time_before = 1u << 13, time_after = 1u << 14, am = 1u << 15,
                               pm = 1u << 16, noon = 1u << 17, midnight = 1u << 18,
                               day_suffix = 1u << 19, zone = 1u << 20, start = 1u << 21,
                               end = 1u << 22, by = 1u << 23, update = 1u << 24;
}

struct WordInfo {
    std::uint32_t classes = 0;
    std::int8_t month = 0;     // 1-12 when the word names a month; -1 when packs disagree
    std::int8_t weekday = -1;  // 0 = Monday ... 6 = Sunday; -2 when packs disagree
    // The month and weekday of each pack that names this word ("listopad" is November in
    // Polish and October in Croatian), for words the packs disagree on.
    std::vector<std::array<std::int8_t, 3>> by_language;  // {language (low 7 bits), month, weekday}
    [[nodiscard]] int month_in(std::size_t language) const;
    [[nodiscard]] int weekday_in(std::size_t language) const;
    std::string zone;          // for word_class::zone: "CET", "Europe/Helsinki", ...
};

struct LanguagePack {
    std::string id, name, file;
    std::vector<std::string> common;
    std::vector<DataSource> sources;
};

struct SystemEntry {
    std::string id, name;
    std::vector<std::string> aliases;
    bool shared = false;  // a name several countries use: never evidence of a country
    std::string source;
    std::size_t authority = 0;  // index into Knowledge::authorities()
};

struct SubjectGrammar {
    std::string kind, prefix, source;
};
// Which links of the authority's web pages are notices, for an html source that reads a
// listing page: a URL pattern where '*' stands for any run of characters.
struct LinkPattern {
    std::string pattern, source;
};

struct AuthorityProfile {
    std::string id, kind, country, name, zone, note, file;
    std::vector<std::string> languages, names, domains, boilerplate, calls, tickets, codes,
        unnamed_systems;
    std::vector<SystemEntry> systems;
    std::vector<SubjectGrammar> subjects;
    std::vector<LinkPattern> links;
    std::vector<DataSource> sources;
    [[nodiscard]] bool platform() const { return kind == "vendor" || kind == "community"; }
    [[nodiscard]] const SystemEntry* system(std::string_view system_id) const;
};

// One hit of the automaton in a folded text.
struct PhraseHit {
    enum class Kind : std::uint8_t { meaning, common_word, authority_name, domain, system, country };
    Kind kind;
    Meaning meaning = Meaning::count;
    std::uint16_t language = 0;   // index into languages() (meaning, common_word)
    std::uint16_t authority = 0;  // index into authorities() (authority_name, domain, system)
    std::uint16_t system = 0;     // index into that authority's systems; for a country, into
                                  // Knowledge::country_codes()
    std::uint32_t begin = 0, end = 0;  // folded offsets
    std::string_view phrase;           // as written in the data file
};

// A problem a lint of the data found.
struct DataProblem {
    std::string file;
    std::string message;
};

class Knowledge {
public:
    // Reads every file of `dir`/authorities and `dir`/languages; a file that does not parse
    // throws data_error (kind "knowledge") naming it, unless `problems` collects it instead.
    static std::shared_ptr<const Knowledge> load(const std::filesystem::path& dir,
                                                 std::vector<DataProblem>* problems = nullptr);
    // Loaded once from the data directory (data_dir.hpp) on first use.
    static const Knowledge& get();

    [[nodiscard]] const std::vector<LanguagePack>& languages() const { return languages_; }
    [[nodiscard]] const std::vector<AuthorityProfile>& authorities() const { return authorities_; }
    [[nodiscard]] const AuthorityProfile* authority(std::string_view id) const;
    // The national authority of a country (kind authority or union), or nullptr.
    [[nodiscard]] const AuthorityProfile* authority_of_country(std::string_view country) const;
    [[nodiscard]] std::size_t language_index(std::string_view id) const;  // npos when unknown
    // The zone of the national authorities that publish in a language, when they all keep the
    // same clock (winter and summer offsets); empty when they do not or there are none.
    [[nodiscard]] const std::string& zone_of_language(std::size_t language) const;

    // Call-number or ticket shapes of every profile that have `length` characters.
    struct Shape {
        std::string_view shape;
        std::size_t authority;
    };
    [[nodiscard]] const std::vector<Shape>& shapes(bool calls, std::size_t length) const;

    // Every profile's boilerplate line starts, folded.
    [[nodiscard]] const std::vector<std::string>& boilerplate() const { return boilerplate_; }

    // Every hit in `folded` (whole words; stems as prefixes), in text order; frequent words of
    // the packs only in the first kCommonSpan bytes.
    static constexpr std::size_t kCommonSpan = 1024;
    void scan(const FoldedText& folded, std::string_view original, std::vector<PhraseHit>& out) const;
    // The country names of the packs ([countries]) in `folded`, in text order; a name inside a
    // longer one ("Ireland" in "Northern Ireland") is left out. Asked of a headline only.
    void scan_countries(const FoldedText& folded, std::string_view original, std::vector<PhraseHit>& out) const;
    // The ISO codes the packs' country names stand for (PhraseHit::system of a country hit).
    [[nodiscard]] const std::vector<std::string>& country_codes() const { return country_codes_; }

    // The date-grammar classes of one folded word, or nullptr.
    [[nodiscard]] const WordInfo* word(std::string_view folded_word) const;
    // False when no word of the packs has this length and these first two folded bytes: a test
    // before folding a whole word (most words of a notice fail it).
    [[nodiscard]] bool may_be_word(unsigned char first, unsigned char second, std::size_t length) const;

    // The authority whose domain `host` is or is under ("info.skat.dk" -> dk), or nullptr.
    [[nodiscard]] const AuthorityProfile* authority_of_host(std::string_view host) const;

    // Whether `text` has the shape of a pattern ('#' digit, '@' capital letter).
    [[nodiscard]] static bool shape_matches(std::string_view shape, std::string_view text) noexcept;

    Knowledge();
    ~Knowledge();
    Knowledge(const Knowledge&) = delete;
    Knowledge& operator=(const Knowledge&) = delete;

    struct Automaton;

private:
    std::vector<LanguagePack> languages_;
    std::vector<AuthorityProfile> authorities_;
    std::unique_ptr<Automaton> automaton_;
    // The packs' frequent words, apart: short and everywhere, they are looked for only at the
    // start of a text, where the language is told.
    std::unique_ptr<Automaton> common_;
    // The packs' country names, apart: looked for in headlines only.
    std::unique_ptr<Automaton> countries_;
    std::vector<std::string> country_codes_;
    std::vector<std::string> language_zones_;
    std::vector<std::vector<Shape>> call_shapes_, ticket_shapes_;  // by length
    std::vector<std::string> boilerplate_;
    void index();  // the tables above, once everything is read
};

// A profile as `bcp-notice authorities` lists it, and its one-line text form.
[[nodiscard]] nlohmann::ordered_json to_json(const AuthorityProfile& profile);
[[nodiscard]] std::string to_text(const AuthorityProfile& profile);

// A lint of a data directory's profiles and packs (`bcp-notice lint`): every problem found, and
// how many of each were read. Throws io_error when `dir` has neither authorities/ nor
// languages/ (a wrong directory would otherwise lint clean).
struct KnowledgeLint {
    std::size_t authorities = 0, languages = 0;
    std::vector<DataProblem> problems;
};
[[nodiscard]] KnowledgeLint lint_knowledge(const std::filesystem::path& dir);
// A problem as a record ({"file", "problem"}) and as a line ("file: problem").
[[nodiscard]] nlohmann::ordered_json to_json(const DataProblem& problem);
[[nodiscard]] std::string to_text(const DataProblem& problem);
// "DIR: 31 authorities, 24 languages, 0 problems".
[[nodiscard]] std::string lint_summary_text(const std::filesystem::path& dir, const KnowledgeLint& lint);

}  // namespace bcp
