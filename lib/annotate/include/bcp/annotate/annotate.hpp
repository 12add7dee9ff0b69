// Annotating declarations with what a business continuity procedure asks of them: which rule is
// in force (from command-line flags or a notice event file), and for each declaration the
// "bcp" object bcp-mention prints and bcp-replay queues: mentions, codes, references (the
// declaration's own, validated, or fresh ones from the durable sequence), documents, deadlines,
// retrospective submission, rate cap and sources.
//
// Everything fixed per procedure is written as JSON text once; per declaration only the
// references, the templates that use them and declaration-anchored deadlines are rendered, and
// the declaration's own text is copied byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/core/error.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/ref/sequence.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp {

namespace detail {
// What a top-level key of a declaration holds, for the rule's purposes.
enum class FieldKind : std::uint8_t { absent, null, string, other };
struct FieldView {
    FieldKind kind = FieldKind::absent;
    std::string_view value;  // for a string: its text (never escaped)
};
}  // namespace detail

// What a command line says about the procedure in force (bcp-mention and bcp-replay take the
// same flags).
struct ActivationRequest {
    std::string country, system;  // required unless taken from an event
    std::string rule;             // procedure id (--rule), empty: choose by country/system
    std::string call;             // --call
    std::string start, end;       // --start/--end as given (RFC 3339 or local time)
    std::string zone;             // --tz, empty: the rule's zone
    std::string events_file;      // --procedure FILE ("-" = the stream given to resolve_activation)
    bool draft = false;           // a checklist read before the outage: call and start may be unknown
};

// Chooses the rule and builds the Activation. Throws usage_error for a missing or invalid
// country, system, call or start, an end before the start, an ambiguous choice of rule (naming
// the candidates); none_error when no rule or no event matches; data_error for a bad event
// file; io_error when it cannot be read. Warnings (an event whose call differs from its
// mention) go to `warnings` when given. The Activation points into `rules`.
[[nodiscard]] Activation resolve_activation(const RuleSet& rules, const ActivationRequest& request,
                                            std::istream* events_stdin = nullptr,
                                            std::vector<std::string>* warnings = nullptr);

// The rule for (country, system): `rule_id` when given (usage_error when unknown or not for the
// system), else the only match or the one marked default. usage_error naming the candidates when
// several apply and none is the default; none_error when none applies.
[[nodiscard]] const Procedure& choose_rule(const RuleSet& rules, std::string_view country,
                                           std::string_view system, std::string_view rule_id);

// Throws when declarations under `plan` may not be submitted electronically afterwards:
// refused_error (the rule forbids it for every declaration, naming its source and file:line)
// or none_error (nothing is submitted afterwards). What --retrospective checks before
// annotating. Returns a warning when the authority does not say (not-stated), else nothing; a
// rule that forbids only some declarations (a condition on a field) is checked per declaration.
[[nodiscard]] std::optional<std::string> check_retrospective(const Plan& plan);

// The zone a procedure's local times are read in: --tz when given; for a Union rule applied
// in one country (FI ICS2) that country's zone (a Finnish declarant writes Finnish time); else
// the rule's zone.
[[nodiscard]] std::string activation_zone(const Procedure& rule, std::string_view country,
                                          std::string_view tz);

// A rule file as shown in output: relative to the data directory for bundled files, so output
// does not depend on where bcpkit is installed; a user's file as found.
[[nodiscard]] std::string rule_file_label(const std::string& file);

// Draws references from the durable sequence in growing blocks (1, 2, 4 ... 1024), so a short
// run reserves what it uses and a long one does not lock and fsync per declaration. Numbers of
// the last block left unused are skipped, never handed out twice.
class Generator {
  public:
    Generator(GenerateOptions options, SequenceFile& sequence);
    [[nodiscard]] std::string next();

  private:
    GenerateOptions o_;
    SequenceFile& sequence_;
    std::string key_;
    std::uint64_t max_;
    std::uint64_t next_ = 0, left_ = 0, block_ = 1;
};

struct AnnotateOptions {
    bool retrospective = false;   // only what is written when submitting afterwards
    std::filesystem::path state;  // sequence file, empty: SequenceFile::default_path()
    std::string prefix;           // --prefix for generated references
    bool sources = true;          // include the "sources" list in each bcp object
};

// Annotates declarations under one Plan: everything fixed per procedure is computed once. The
// sequence file is opened only when the rule generates references. Not thread-safe.
class Annotator {
  public:
    Annotator(const Plan& plan, AnnotateOptions options);
    Annotator(const Annotator&) = delete;
    Annotator& operator=(const Annotator&) = delete;
    ~Annotator();

    // `doc` is the parsed declaration (a JSON object), `text` its original compact JSON text
    // (kept byte for byte where possible; a declaration that already has a "bcp" object is
    // written again without it). Appends the declaration with its "bcp" object to `out`,
    // WITHOUT a trailing newline. Returns the number of problems written under "bcp.problems"
    // (0 = clean). Throws busy_error/data_error/io_error from the sequence file.
    std::size_t annotate(std::string_view text, nlohmann::json& doc, std::string& out);
    std::size_t annotate(std::string_view text, nlohmann::ordered_json& doc, std::string& out);

    // The same from the text alone, without building a DOM: returns false and appends nothing
    // when the text needs the parsed form (not a valid JSON object, a "bcp" key already there,
    // an escaped value in a field the rule reads); the caller then parses it and calls
    // annotate() above, which also yields the parser's error message.
    bool annotate_text(std::string_view text, std::string& out, std::size_t& problems);

    [[nodiscard]] const Plan& plan() const noexcept { return plan_; }
    // Declarations annotated for submission afterwards that the rule forbids sending (a paper
    // transit): each carries a "retrospective-forbidden" problem.
    [[nodiscard]] std::size_t refused() const noexcept { return refused_; }

  private:
    struct Piece;
    template <class Lookup>
    std::size_t emit(std::string_view body, bool empty, const Lookup& lookup, std::string& out);
    template <class Json>
    std::size_t annotate_dom(std::string_view text, Json& doc, std::string& out);
    void build_static();

    const Plan& plan_;
    AnnotateOptions o_;
    std::unique_ptr<SequenceFile> sequence_;
    std::vector<std::unique_ptr<Generator>> generators_;
    std::size_t refused_ = 0;
    std::string head_, documents_, tail_;  // tail_: after the retrospective status
    std::vector<Piece> mentions_, codes_, deadlines_;
    std::vector<std::string> wanted_;       // declaration keys the rule reads
    std::vector<std::string> values_;       // per reference, reused
    std::vector<detail::FieldView> found_;  // per wanted key, reused
    std::string scratch_;
};

}  // namespace bcp
