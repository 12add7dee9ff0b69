// Business continuity procedures as data: the rule files (data/procedures/*.toml, schema in
// bcp-rules(5)) are loaded from a search path, validated with errors that name file, line and
// key, and answer "what applies to (country, system, procedure start, declaration)": the
// mentions to write and where, the codes, references, documents, deadlines, and whether the
// declaration may, must or must not be sent electronically after the outage.
//
// Everything that depends only on the procedure (its rule, call number and start) is computed
// once in a Plan; per declaration only the templates that use the declaration's own references
// are rendered, so annotating millions of declarations costs little more than reading them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/core/time.hpp"
#include "bcp/ref/reference.hpp"

namespace bcp {

// --- Rule model ------------------------------------------------------------------------------

// Where a rule item came from and why it says what it says; every item carries both.
struct RuleOrigin {
    std::string source;  // source id (docs/sources.md) + short quote
    std::string note;    // the reading taken where the source is ambiguous
    std::string file;    // rule file it was read from
    std::size_t line = 0;
};

enum class Stage : std::uint8_t { during, after, both };
// not_stated: the rule's source says nothing about submitting afterwards; shown to the user as
// "not stated by the authority" (JSON null), never as a fact.
enum class Retrospective : std::uint8_t { required, forbidden, not_applicable, not_stated };

[[nodiscard]] std::string_view to_string(Stage stage) noexcept;
[[nodiscard]] std::string_view to_string(Retrospective r) noexcept;

// A compiled mention template: literal text and variables ("{call}-D:{yyyymmdd}-T{hhmmss}").
// Variables of the procedure (call, start date and time) are filled once per Plan; variables
// of the declaration (bcp_id, mrn, lrn) per declaration.
enum class TemplateVar : std::uint8_t {
    call, yyyy, yy, mm, dd, hh, mi, ss, yyyymmdd, hhmmss,  // procedure
    bcp_id, mrn, lrn,                                      // declaration
};
[[nodiscard]] std::string_view to_string(TemplateVar v) noexcept;
[[nodiscard]] bool per_declaration(TemplateVar v) noexcept;

struct Template {
    struct Part {
        bool is_var = false;
        TemplateVar var{};
        std::string text;  // the literal when !is_var
    };
    std::string text;  // as written in the rule file
    std::vector<Part> parts;
    [[nodiscard]] bool uses(TemplateVar v) const noexcept;
    [[nodiscard]] bool dynamic() const noexcept;  // uses a per-declaration variable
};

// Compiles a template; on error returns nothing and sets `problem` ("unknown variable {foo}").
[[nodiscard]] std::optional<Template> compile_template(std::string_view text,
                                                       std::string* problem = nullptr);

struct MentionRule {
    std::string field;     // box or place on the document ("Business Continuity Procedure")
    std::string document;  // the document it goes on, empty for the declaration itself
    Template value;
    Stage stage = Stage::both;
    RuleOrigin origin;
};

struct CodeRule {
    std::string code;   // "1NPS", "FIXEV", "H7300"
    std::string field;  // "Additional reference", "Additional statement"
    std::optional<Template> value;
    std::string item;   // which goods item, when it matters ("first goods item")
    Stage stage = Stage::both;
    RuleOrigin origin;
};

// A reference each declaration carries: taken from the declaration's `field` (and validated),
// or generated from the durable sequence when `generate` is set.
struct ReferenceRule {
    RefType type = RefType::bcp_id;  // bcp_id, mrn or lrn
    std::string field;               // JSON key in the declaration
    std::string label;               // what customs calls it ("BCP-ID")
    bool generate = false;
    char letter = 0;        // procedure letter of a generated reference (0: the default)
    std::string same_as;    // JSON key that must hold the same value (FI: fallback form number)
    RuleOrigin origin;
};

struct DocumentRule {
    std::string name;
    int copies = 0;  // 0: not stated
    std::string text;
    Stage stage = Stage::during;
    RuleOrigin origin;
};

enum class Anchor : std::uint8_t { start, end, declaration };
struct DeadlineRule {
    std::string name;
    Anchor anchor = Anchor::start;
    // A "not before" time is an earliest moment, not a permission: what may happen then still
    // waits for `condition` (ICS2: the EU's confirming notification).
    bool not_before = false;
    std::string condition;
    std::string field;  // for Anchor::declaration: the declaration's time field
    std::int64_t offset_minutes = 0;
    std::string text;
    RuleOrigin origin;
};

struct ContactRule {
    std::string name, email, phone, url, region, purpose;
    RuleOrigin origin;
};

struct StepRule {
    std::string text;
    std::vector<std::string> items;
    Stage stage = Stage::during;
    RuleOrigin origin;
};

struct RetrospectiveRule {
    Retrospective status = Retrospective::not_stated;
    std::string text;
    // When set, the status holds only for declarations whose `field` is one of `values` (NO
    // NCTS: a transit started on paper); see retrospective_for().
    std::string field;
    std::vector<std::string> values;
    RuleOrigin origin;
};

// The retrospective status of one declaration. `value` is the declaration's `field` (nullptr
// when it has none or the rule has no condition). The rule's status holds when the rule has no
// condition, when the value is one of the rule's values, and when the declaration lacks the
// field (the cautious reading: a paper transit is never sent because its marker was missing);
// nothing when the value is another one: the procedure does not govern that declaration.
[[nodiscard]] std::optional<Retrospective> retrospective_for(const RetrospectiveRule& rule,
                                                             const std::string* value);

// Something the source says that changes what the user does and that is not a step: what the
// procedure is not for, what it does not allow. Printed first in a checklist.
struct CaveatRule {
    std::string text;
    RuleOrigin origin;
};

struct BufferingRule {
    bool allowed = false;
    std::optional<bool> authorisation_required;  // nothing: not stated by the authority
    std::string text;
    RuleOrigin origin;
};

struct RateCapRule {
    std::uint32_t messages_per_second = 0;
    std::string text;
    RuleOrigin origin;
};

struct Procedure {
    std::string id;
    std::string country;  // ISO 3166 alpha-2 or EU
    std::vector<std::string> systems;
    std::string kind;  // emergency, fallback, bcp, buffering, maintenance, special-mention
    std::string title;
    std::string zone;  // IANA zone of the procedure's local times
    std::string when;  // the condition that triggers it, when not simply "the system is down"
    std::vector<std::string> applies_to;  // which declarations it is for, when the source says
    bool call_required = false;
    bool is_default = false;
    RuleOrigin origin;
    std::string authority;  // the file's `authority`

    std::vector<MentionRule> mentions;
    std::vector<CodeRule> codes;
    std::vector<ReferenceRule> references;
    std::vector<DocumentRule> documents;
    std::vector<DeadlineRule> deadlines;
    std::vector<ContactRule> contacts;
    std::vector<StepRule> steps;
    std::vector<CaveatRule> caveats;
    RetrospectiveRule retrospective;
    std::optional<BufferingRule> buffering;
    std::optional<RateCapRule> rate_cap;

    // Every distinct source cited by the procedure and its items, in order of appearance.
    [[nodiscard]] std::vector<std::string> sources() const;
};

// One problem found in a rule file.
struct RuleProblem {
    std::string file;
    std::size_t line = 0;
    std::string key;  // dotted path ("procedure[2].mention[0].template"), empty for the file
    std::string message;
};
[[nodiscard]] std::string describe(const RuleProblem& p);  // "key: message"

// Reads and validates one rule file. Returns every problem found; `out` receives the
// procedures only when there is none. Never throws for bad content (an unreadable file is a
// problem too). With `source_ids`, every `source` must also cite one of them ("id: quote") or
// a public URL.
[[nodiscard]] std::vector<RuleProblem> lint_rule_file(const std::filesystem::path& path,
                                                      std::vector<Procedure>* out = nullptr,
                                                      const std::set<std::string>* source_ids = nullptr);

// The ids of every source document cited by the authority profiles and language packs (the
// ids of docs/sources.md).
[[nodiscard]] std::set<std::string> known_source_ids();

// True when a rule's `source` begins with one of `ids` and a colon, or holds a public URL.
[[nodiscard]] bool cites_known_source(std::string_view source, const std::set<std::string>& ids);

// The rule search path: the entries of $BCPKIT_RULES_PATH (colon-separated directories or
// files), then data_dir()/procedures.
[[nodiscard]] std::vector<std::filesystem::path> rules_search_path();

// The rule files of a path: a directory's *.toml files in name order, any other entry as it is
// (it may not exist: callers report that their way). Throws io_error for a directory that
// cannot be listed.
[[nodiscard]] std::vector<std::filesystem::path> rule_files(const std::vector<std::filesystem::path>& path);
// The files `bcp-mention lint` checks: those named (io_error for one that is not a regular
// file), else every rule file of the search path.
[[nodiscard]] std::vector<std::filesystem::path> rule_files_to_lint(const std::vector<std::string>& named);

class RuleSet {
public:
    // Loads every *.toml file of the search path (files of a directory in name order). A
    // procedure id found earlier in the path overrides the same id found later, so a user's
    // file replaces a bundled procedure. Throws bcp::data_error (kind "rules") naming file, line
    // and key for the first invalid file, bcp::io_error when no directory can be read.
    [[nodiscard]] static RuleSet load();
    [[nodiscard]] static RuleSet load(const std::vector<std::filesystem::path>& path);

    [[nodiscard]] const std::vector<Procedure>& procedures() const noexcept { return all_; }
    [[nodiscard]] const Procedure* find(std::string_view id) const noexcept;
    // The procedures for a system in a country: those of the country itself, else those of
    // the EU for a Union system. Case-insensitive.
    [[nodiscard]] std::vector<const Procedure*> match(std::string_view country,
                                                      std::string_view system) const;
    // Procedures hidden by an override: (id, file that lost).
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& overridden()
        const noexcept {
        return overridden_;
    }

private:
    std::vector<Procedure> all_;
    std::vector<std::pair<std::string, std::string>> overridden_;
};

// --- Applying a procedure --------------------------------------------------------------------

// One running (or past) procedure: which rule, for which system, which call, since when.
struct Activation {
    const Procedure* procedure = nullptr;
    std::string country;
    std::string system;
    std::string call;  // may be empty when the rule needs none
    UtcTime start{};
    std::optional<UtcTime> end;
    std::string zone;       // empty: the rule's zone
    std::optional<LocalTime> start_local;  // wall-clock start as customs printed it, if known
    // For reading a procedure before it is in force (a checklist): the call and the start may
    // be unknown. Templates then show their variables ("N#####", "YYYYMMDD") and deadlines
    // anchored on the start have no time, only their offset.
    bool draft = false;
    bool start_known = true;
};

struct RenderedMention {
    const MentionRule* rule = nullptr;
    std::string value;  // rendered; for a dynamic template rendered per declaration
};
struct RenderedCode {
    const CodeRule* rule = nullptr;
    std::string value;
};
struct ResolvedDeadline {
    const DeadlineRule* rule = nullptr;
    std::optional<UtcTime> at;  // nothing when the anchor is not known (no end yet)
};

// Everything fixed for one activation, computed once.
class Plan {
public:
    // Throws bcp::usage_error when the activation lacks what the rule needs (a call number, a
    // valid call, a zone).
    explicit Plan(Activation activation);

    [[nodiscard]] const Activation& activation() const noexcept { return a_; }
    [[nodiscard]] const Procedure& procedure() const noexcept { return *a_.procedure; }
    [[nodiscard]] const LocalTime& start_local() const noexcept { return local_; }
    [[nodiscard]] const std::string& zone() const noexcept { return zone_; }
    // Mentions and codes with the procedure's variables filled; a dynamic one keeps its
    // template in `value` until rendered for a declaration.
    [[nodiscard]] const std::vector<RenderedMention>& mentions() const noexcept { return mentions_; }
    [[nodiscard]] const std::vector<RenderedCode>& codes() const noexcept { return codes_; }
    // Deadlines anchored on the start or end (declaration-anchored ones have no `at`).
    [[nodiscard]] const std::vector<ResolvedDeadline>& deadlines() const noexcept {
        return deadlines_;
    }
    [[nodiscard]] bool needs_declaration() const noexcept { return dynamic_; }

    // The value of a template for one declaration's references (empty views for absent ones).
    struct DeclarationRefs {
        std::string_view bcp_id, mrn, lrn;
    };
    [[nodiscard]] std::string render(const Template& t, const DeclarationRefs& refs) const;
    void render_into(std::string& out, const Template& t, const DeclarationRefs& refs) const;

private:
    Activation a_;
    std::string zone_;
    LocalTime local_{};
    std::vector<RenderedMention> mentions_;
    std::vector<RenderedCode> codes_;
    std::vector<ResolvedDeadline> deadlines_;
    bool dynamic_ = false;
};

}  // namespace bcp
