#include "id_tool.hpp"

#include <chrono>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/cli/tool.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/format/check.hpp"
#include "bcp/format/explain.hpp"
#include "bcp/ref/explain.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/ref/record_check.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/registry/country.hpp"

namespace bcp::id_tool {
namespace {

namespace t = bcp::tool;
using nlohmann::json;

// RecordChecker's results as records or text, and its bad lines reported or, with
// --skip-invalid, written as error records.
class Checker {
public:
    Checker(const Options& o, t::Output& out, t::Reporter& reporter)
        : o_(o), out_(out), reporter_(reporter), text_(o.format == "text"), checker_(check_options(o)) {}

    // Returns false when the run must stop (malformed data without --skip-invalid).
    bool file(t::Input& input) {
        t::LineReader reader(input.stream());
        t::LineReader::Line line;
        const std::string_view file =
            input.name() == "<stdin>" ? std::string_view{} : std::string_view(input.name());
        while (reader.next(line)) {
            if (out_.closed()) return true;
            const CheckOrigin at{file, line.number, {}};
            if (line.too_long) {
                if (!bad_line(at, "too-long",
                              fmt::format("line of {} bytes is longer than the {} bytes "
                                          "a record may have",
                                          line.length, t::LineReader::default_max_line))) {
                    return false;
                }
                continue;
            }
            const auto problem = checker_.line(line.number, line.text, [&](const CheckedRef& r) {
                emit({at.file, at.line, r.field}, r.text, r.check, r.normalized, r.type_known);
            });
            if (!problem) continue;
            if (problem->usage) {
                throw usage_error(fmt::format("{}:{}: {}", at.file.empty() ? "<stdin>" : at.file, at.line, problem->message));
            }
            if (!bad_line(at, problem->kind, problem->message)) return false;
        }
        return true;
    }

    [[nodiscard]] bool any_invalid() const noexcept { return invalid_ > 0; }

private:
    static RecordCheckOptions check_options(const Options& o) {
        RecordCheckOptions c;
        if (o.type != "auto") c.type = parse_ref_type(o.type);
        c.fields = o.fields;
        c.normalize = o.normalize;
        c.duplicates = o.duplicates;
        c.allow_missing = o.allow_missing;
        c.fields_as = "--field";
        return c;
    }

    void emit(const CheckOrigin& at, std::string_view text, const Check& c,
              const std::string* normalized, bool type_known) {
        if (!c.valid()) ++invalid_;
        if (o_.invalid_only && c.valid()) return;
        if (text_) {
            append_check_text(out_.buffer(), at, text, c, normalized, type_known);
        } else {
            append_check_json(out_.buffer(), at, text, c, normalized, type_known, scratch_);
        }
        out_.maybe_flush();
    }

    // A line that is not usable as a record. Reported as an error record and counted invalid
    // with --skip-invalid; otherwise reported on stderr and the run stops (exit 3).
    bool bad_line(const CheckOrigin& at, std::string_view kind, const std::string& message) {
        ++invalid_;
        if (!o_.skip_invalid) {
            reporter_.error(kind, message, at.file.empty() ? "<stdin>" : at.file, at.line);
            return false;
        }
        if (text_) {
            append_bad_line_text(out_.buffer(), at, kind, message);
        } else {
            append_bad_line_json(out_.buffer(), at, kind, message);
        }
        out_.maybe_flush();
        return true;
    }

    const Options& o_;
    t::Output& out_;
    t::Reporter& reporter_;
    bool text_;
    RecordChecker checker_;
    std::string scratch_;  // reused for problem messages
    std::size_t invalid_ = 0;
};

int run_check(const Options& o, std::istream& in, t::Output& out, t::Reporter& reporter) {
    Checker checker(o, out, reporter);
    std::vector<std::string> files = o.files;
    if (files.empty()) files.emplace_back("-");
    for (const auto& name : files) {
        t::Input input(name, in);
        if (!checker.file(input)) {
            return out.finish() ? t::bad_data : t::usage;
        }
        if (out.closed()) break;
    }
    out.close();
    return checker.any_invalid() ? t::no : t::ok;
}

int run_gen(const Options& o, t::Output& out) {
    GenerateOptions g;
    g.type = o.gen_type == "mrn" ? RefType::mrn : RefType::bcp_id;
    g.country = o.country;
    if (o.procedure.size() > 1) {
        throw usage_error(fmt::format("--procedure takes one letter, got '{}'", o.procedure));
    }
    g.procedure = o.procedure.empty() ? '\0' : o.procedure[0];
    g.prefix = o.prefix;
    g.count = o.count;
    g.year2 = o.year;
    const auto resolved = resolve(g);
    SequenceFile sequence(o.state.empty() ? SequenceFile::default_path()
                                          : std::filesystem::path(o.state));
    const auto key = sequence_key(resolved);
    const auto first = sequence.reserve(key, resolved.count, sequence_max(resolved));
    auto& buf = out.buffer();
    for (std::uint64_t i = 0; i < resolved.count; ++i) {
        const auto ref = make_reference(resolved, first + i);
        if (o.format == "text") {
            buf.append(ref);
            buf.push_back('\n');
        } else {
            append_generated_json(buf, ref, resolved.type, resolved.country, resolved.procedure, key,
                                  first + i);
        }
        out.maybe_flush();
        if (out.closed()) break;
    }
    out.close();
    return t::ok;
}

int run_explain(const Options& o, t::Output& out) {
    bool all_valid = true;
    for (const auto& ref : o.refs) {
        const json j = explain_reference(ref);
        all_valid = all_valid && j["valid"].get<bool>();
        if (o.format == "jsonl") {
            out.line(json_line(j));
        } else {
            out.write(explain_text(j));
        }
    }
    out.close();
    return all_valid ? t::ok : t::no;
}

}  // namespace

int run(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    t::Reporter reporter("bcp-id", err);
    reporter.set_json(options.errors_json);
    Options o = options;
    if (o.format.empty()) {
        o.format = o.command == Command::explain ||
                           (o.command == Command::gen && o.stdout_terminal)
                       ? "text"
                       : "jsonl";
    }
    return t::guarded(reporter, [&] {
        t::Output output(out);
        switch (o.command) {
            case Command::check: return run_check(o, in, output, reporter);
            case Command::gen: return run_gen(o, output);
            case Command::explain: return run_explain(o, output);
        }
        return static_cast<int>(t::usage);
    });
}

}  // namespace bcp::id_tool
