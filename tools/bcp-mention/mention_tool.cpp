#include "mention_tool.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/annotate/annotate.hpp"
#include "bcp/cli/tool.hpp"
#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/time.hpp"
#include "bcp/format/check.hpp"
#include "bcp/format/checklist.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/registry/systems.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp::mention_tool {
namespace {

namespace t = bcp::tool;
using json = nlohmann::ordered_json;

// --- Annotating --------------------------------------------------------------------------------


// Reads declaration lines and hands each to the library's Annotator; malformed lines stop the
// run (exit 3) or, with --skip-invalid, become error records.
class Reader {
public:
    Reader(Annotator& annotator, const Options& o, t::Output& out, t::Reporter& reporter)
        : annotator_(annotator), o_(o), out_(out), reporter_(reporter) {}

    bool file(t::Input& input) {
        t::LineReader reader(input.stream());
        t::LineReader::Line line;
        while (reader.next(line)) {
            if (out_.closed()) return true;
            if (line.too_long) {
                if (!bad_line(input.name(), line.number, "too-long",
                              fmt::format("line of {} bytes is longer than the {} bytes a record "
                                          "may have",
                                          line.length, t::LineReader::default_max_line))) {
                    return false;
                }
                continue;
            }
            if (!record(input.name(), line.number, line.text)) return false;
        }
        return true;
    }

    [[nodiscard]] bool any_invalid() const noexcept { return invalid_ > 0; }

private:
    bool bad_line(const std::string& file, std::size_t line, std::string_view kind,
                  const std::string& message) {
        ++invalid_;
        if (!o_.skip_invalid) {
            reporter_.error(kind, message, file, line);
            return false;
        }
        append_bad_line_json(out_.buffer(), CheckOrigin{file == "<stdin>" ? std::string_view{} : file, line, {}},
                             kind, message);
        out_.maybe_flush();
        return true;
    }

    bool record(const std::string& file, std::size_t number, std::string_view text) {
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            return bad_line(file, number, "empty", "empty line where a JSON object was expected");
        }
        auto& out = out_.buffer();
        std::size_t problems = 0;
        // Most lines need no DOM; the parser runs only for the others, and gives the message
        // of a malformed one.
        if (!annotator_.annotate_text(text, out, problems)) {
            json doc;
            try {
                doc = bcp::parse_ordered_json(text);
            } catch (const json::exception& e) {
                return bad_line(file, number, "json", "malformed JSON: " + json_error_text(e.what()));
            }
            if (!doc.is_object()) {
                return bad_line(file, number, "json",
                                fmt::format("a declaration must be a JSON object, found {}",
                                            doc.type_name()));
            }
            problems = annotator_.annotate(text, doc, out);
        }
        if (problems > 0) ++invalid_;
        out.push_back('\n');
        out_.maybe_flush();
        return true;
    }

    Annotator& annotator_;
    const Options& o_;
    t::Output& out_;
    t::Reporter& reporter_;
    std::size_t invalid_ = 0;
};

// --- Commands ----------------------------------------------------------------------------------

int run_annotate(const Options& o, std::istream& in, t::Output& out, t::Reporter& reporter) {
    ActivationRequest request;
    request.country = o.country;
    request.system = o.system;
    request.rule = o.rule;
    request.call = o.call;
    request.start = o.start;
    request.end = o.end;
    request.zone = o.tz;
    request.events_file = o.procedure;
    request.draft = o.checklist;  // the rules can be read before an outage
    // The rules are loaded before the event file is read: both are needed, and a broken rule
    // file is the first thing to report.
    const RuleSet rules = RuleSet::load();
    std::vector<std::string> warnings;
    const Activation a = resolve_activation(rules, request, &in, &warnings);
    for (const auto& w : warnings) reporter.warning(w);
    const Plan plan(a);
    if (o.retrospective) {
        if (const auto w = check_retrospective(plan)) reporter.warning(*w);
    }

    if (o.checklist) {
        const auto j = checklist_json(plan, o.retrospective);
        if (o.format == "text") {
            out.write(checklist_text(plan, j));
        } else {
            out.line(json_line(j));
        }
        out.close();
        return t::ok;
    }
    if (o.format == "text") {
        throw usage_error("--format text is for --checklist; annotated declarations are JSON Lines");
    }
    AnnotateOptions ao;
    ao.retrospective = o.retrospective;
    ao.state = o.state;
    ao.prefix = o.prefix;
    ao.sources = o.sources;
    Annotator annotator(plan, std::move(ao));
    Reader reader(annotator, o, out, reporter);
    std::vector<std::string> files = o.files;
    if (files.empty()) files.emplace_back("-");
    for (const auto& name : files) {
        t::Input input(name, in);
        if (!reader.file(input)) return out.finish() ? t::bad_data : t::usage;
        if (out.closed()) break;
    }
    out.close();
    if (annotator.refused() > 0) {
        const auto& r = plan.procedure().retrospective;
        reporter.error("refused", refused_text(plan, annotator.refused()), rule_file_label(r.origin.file),
                       r.origin.line);
        return t::refused;
    }
    return reader.any_invalid() ? t::no : t::ok;
}

int run_systems(const Options& o, t::Output& out) {
    const RuleSet rules = RuleSet::load();
    for (const auto& p : rules.procedures()) {
        for (const auto& s : p.systems) {
            out.write(o.format == "text" ? rule_system_text(p, s) : json_line(rule_system_json(p, s)) + "\n");
        }
    }
    out.close();
    return t::ok;
}

int run_lint(const Options& o, t::Output& out) {
    bool all_ok = true;
    const auto source_ids = known_source_ids();
    for (const auto& f : rule_files_to_lint(o.files)) {
        std::vector<Procedure> procs;
        const auto problems = lint_rule_file(f, &procs, &source_ids);
        all_ok = all_ok && problems.empty();
        out.write(o.format == "text" ? rule_lint_text(f, procs, problems)
                                     : json_line(rule_lint_json(f, procs, problems)) + "\n");
    }
    out.close();
    return all_ok ? t::ok : t::no;
}

}  // namespace

int run(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    t::Reporter reporter("bcp-mention", err);
    reporter.set_json(options.errors_json);
    return t::guarded(reporter, [&] {
        t::Output output(out);
        switch (options.command) {
            case Command::annotate: return run_annotate(options, in, output, reporter);
            case Command::systems: return run_systems(options, output);
            case Command::lint: return run_lint(options, output);
        }
        return static_cast<int>(t::usage);
    });
}

}  // namespace bcp::mention_tool
