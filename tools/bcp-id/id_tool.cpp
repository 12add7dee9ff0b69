#include "id_tool.hpp"

#include <chrono>
#include <iostream>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/cli/tool.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/format/check.hpp"
#include "bcp/format/explain.hpp"
#include "bcp/ref/explain.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/registry/country.hpp"

namespace bcp::id_tool {
namespace {

namespace t = bcp::tool;
using nlohmann::json;

class Checker {
public:
    Checker(const Options& o, t::Output& out, t::Reporter& reporter)
        : o_(o), out_(out), reporter_(reporter), text_(o.format == "text") {
        if (o.type != "auto") fixed_type_ = parse_ref_type(o.type);
        for (const auto& f : o.fields) {
            const RefField field = parse_ref_field(f);
            try {
                pointers_.emplace_back(field.pointer);
            } catch (const json::exception& e) {
                throw usage_error(fmt::format("--field '{}' is not a JSON pointer: {}", f,
                                              json_error_text(e.what())));
            }
            field_types_.push_back(field.how == RefField::Type::named      ? std::optional(field.type)
                                   : field.how == RefField::Type::detected ? std::nullopt
                                                                           : fixed_type_);
            field_names_.push_back(field.pointer);
        }
    }

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
            if (pointers_.empty()) {
                // A JSON record checked as one bare reference would be "a valid LRN": the
                // references in it must be named.
                if (const auto c = line.text.find_first_not_of(" \t");
                    c != std::string_view::npos && (line.text[c] == '{' || line.text[c] == '[')) {
                    throw usage_error(fmt::format(
                        "{}{}{}: the line is JSON; name the references to check with --field "
                        "POINTER[:TYPE], e.g. --field /mrn:mrn",
                        at.file.empty() ? "<stdin>" : at.file, ":", at.line));
                }
                reference(at, line.text, fixed_type_);
            } else if (!record(at, line.text)) {
                return false;
            }
        }
        return true;
    }

    [[nodiscard]] bool any_invalid() const noexcept { return invalid_ > 0; }

private:
    void reference(const CheckOrigin& at, std::string_view text, std::optional<RefType> fixed) {
        const RefType type = fixed ? *fixed : detect_type(text);
        Check c = check(type, text, o_.normalize);
        if (o_.duplicates && !text.empty()) {
            auto key = std::string(to_string(type));
            key.push_back(':');
            key.append(text);
            const auto [it, fresh] = seen_.try_emplace(std::move(key), at.line);
            if (!fresh) c.add(Code::duplicate, 0, 0, 0, it->second);
        }
        std::string normalized;
        const bool show_normalized = o_.normalize && type == RefType::eori;
        if (show_normalized) normalized = normalize_eori(text);
        emit(at, text, c, show_normalized ? &normalized : nullptr, true);
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

    bool record(const CheckOrigin& at, std::string_view text) {
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            return bad_line(at, "empty", "empty line where a JSON object was expected");
        }
        json doc;
        try {
            doc = bcp::parse_json(text);
        } catch (const json::exception& e) {
            return bad_line(at, "json", "malformed JSON: " + json_error_text(e.what()));
        }
        if (!doc.is_object()) {
            return bad_line(at, "json", fmt::format("a record must be a JSON object, found {}",
                                                    doc.type_name()));
        }
        for (std::size_t i = 0; i < pointers_.size(); ++i) {
            CheckOrigin here = at;
            here.field = field_names_[i];
            const json* value = nullptr;
            try {
                value = doc.contains(pointers_[i]) ? &doc.at(pointers_[i]) : nullptr;
            } catch (const json::exception&) {
                value = nullptr;  // e.g. a pointer into an array with a non-numeric token
            }
            if (value == nullptr && o_.allow_missing) continue;
            if (value == nullptr || !value->is_string()) {
                Check c;
                c.type = field_types_[i].value_or(RefType::lrn);
                c.add(value == nullptr ? Code::missing_field : Code::not_a_string);
                emit(here, std::string_view{}, c, nullptr, field_types_[i].has_value());
                continue;
            }
            reference(here, value->get_ref<const std::string&>(), field_types_[i]);
        }
        return true;
    }

    const Options& o_;
    t::Output& out_;
    t::Reporter& reporter_;
    bool text_;
    std::optional<RefType> fixed_type_;
    std::vector<json::json_pointer> pointers_;
    std::vector<std::optional<RefType>> field_types_;  // per pointer; empty: detected
    std::vector<std::string> field_names_;             // per pointer, without the type
    std::unordered_map<std::string, std::size_t> seen_;
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
    if (!out.finish()) throw io_error("cannot write to standard output");
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
    if (!out.finish()) throw io_error("cannot write to standard output");
    return t::ok;
}

int run_explain(const Options& o, t::Output& out) {
    bool all_valid = true;
    for (const auto& ref : o.refs) {
        const json j = explain_reference(ref);
        all_valid = all_valid && j["valid"].get<bool>();
        if (o.format == "jsonl") {
            out.write(json_line(j));
            out.put('\n');
        } else {
            out.write(explain_text(j));
        }
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
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
