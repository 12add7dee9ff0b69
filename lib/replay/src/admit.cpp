#include "bcp/replay/admit.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/time.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/registry/systems.hpp"

namespace bcp {

using ojson = nlohmann::ordered_json;

struct Admitter::Annotating {
    std::unique_ptr<Plan> plan;
    std::unique_ptr<Annotator> annotator;
    std::string error;  // why declarations for this country/system cannot be annotated
};

namespace {

ojson::json_pointer pointer(const std::string& text, std::string_view parameter) {
    try {
        return ojson::json_pointer(text);
    } catch (const ojson::exception& e) {
        throw usage_error(fmt::format("{} '{}' is not a JSON pointer: {}", parameter, text, json_error_text(e.what())));
    }
}

// The values that hold for every line, checked once: a usage error names the one that is wrong.
const AdmitOptions& checked(const AdmitOptions& o) {
    if (!o.system.empty() && find_system(o.system) == nullptr) {
        throw usage_error(fmt::format("unknown system '{}' (see bcp-mention systems)", o.system));
    }
    if (!o.procedure.call.empty() && !check_call(o.procedure.call).valid()) {
        throw usage_error(fmt::format("{} '{}' is not a call number (N + 5 digits)", o.names.call, o.procedure.call));
    }
    if (!o.procedure.start.empty() &&
        !parse_time(o.procedure.start, o.procedure.zone.empty() ? default_zone : o.procedure.zone)) {
        throw usage_error(fmt::format("{} '{}' is not a date and time", o.names.start, o.procedure.start));
    }
    return o;
}

const ojson* at(const ojson& doc, const ojson::json_pointer& p) {
    return doc.contains(p) ? &doc.at(p) : nullptr;
}


// Codes the rule adds to a declaration submitted afterwards: such a declaration cannot be
// stored bare.
bool needs_codes(const Procedure& p) {
    return std::any_of(p.codes.begin(), p.codes.end(),
                       [](const CodeRule& c) { return c.stage != Stage::during; });
}

}  // namespace

Admitter::Admitter(AdmitOptions options, std::istream* events_stdin)
    : o_(std::move(options)), events_stdin_(events_stdin), key_(pointer(o_.key, o_.names.key)),
      prepared_(pointer(o_.prepared, o_.names.prepared)), rules_((checked(o_), RuleSet::load())),
      procedure_given_(!o_.procedure.call.empty() || !o_.procedure.start.empty() ||
                       !o_.procedure.events_file.empty()) {
    if (!o_.procedure.rule.empty() && rules_.find(o_.procedure.rule) == nullptr) {
        throw usage_error(fmt::format("no procedure '{}' in the rules", o_.procedure.rule));
    }
}

Admitter::~Admitter() = default;

Admission Admitter::admit(std::string_view text) {
    Admission a;
    auto invalid = [&](std::string reason) {
        a.verdict = Admission::Verdict::invalid;
        a.reason = std::move(reason);
        return std::move(a);
    };
    if (text.find_first_not_of(" \t") == std::string_view::npos) {
        return invalid("empty line where a declaration was expected");
    }
    ojson doc;
    try {
        doc = parse_ordered_json(text);
    } catch (const ojson::exception& e) {
        return invalid("malformed JSON: " + json_error_text(e.what()));
    }
    if (!doc.is_object()) {
        return invalid(fmt::format("a declaration must be a JSON object, found {}", doc.type_name()));
    }
    NewMessage& m = a.message;
    const ojson* key = at(doc, key_);
    if (key == nullptr || !key->is_string() || key->get_ref<const std::string&>().empty()) {
        return invalid(fmt::format("no idempotency key: {} is {}", o_.key,
                                   key == nullptr ? "missing" : "not a non-empty string"));
    }
    m.key = key->get<std::string>();
    a.key = m.key;
    if (m.key.size() > 512) {
        a.key.clear();
        return invalid("the key is over 512 characters");
    }
    // An annotation already on the line (bcp-mention --retrospective) is taken off the body: it
    // is kept for the operator, and its codes are written into the declaration's fields.
    ojson bcp;
    if (const auto it = doc.find("bcp"); it != doc.end() && it->is_object()) {
        bcp = std::move(*it);
        doc.erase("bcp");
    }
    const bool annotated = bcp.is_object();
    auto field = [&](const std::string& given, const char* name) {
        if (!given.empty()) return given;
        if (annotated && bcp.contains(name) && bcp[name].is_string()) return bcp[name].get<std::string>();
        return doc.contains(name) && doc[name].is_string() ? doc[name].get<std::string>()
                                                           : std::string();
    };
    m.country = field(o_.country, "country");
    const std::string system_named = field(o_.system, "system");
    m.system = canonical_system(system_named);
    if (m.system.empty() && !system_named.empty()) {
        return invalid(fmt::format("unknown system '{}'", system_named));
    }
    if (const ojson* p = at(doc, prepared_); p != nullptr && p->is_string()) {
        m.prepared_at = p->get<std::string>();
    }
    m.body = annotated ? json_line(doc) : std::string(text);

    const Procedure* rule = nullptr;
    if (!m.system.empty()) {
        try {
            rule = &choose_rule(rules_, m.country, m.system, o_.procedure.rule);
        } catch (const none_error&) {
            rule = nullptr;
        } catch (const usage_error& e) {
            return invalid(e.what());  // several rules apply and none is the default
        }
    }
    // A rule that forbids submitting afterwards wins over everything: stored, never sent.
    const bool annotated_forbidden = annotated && bcp.value("retrospective", std::string()) == "forbidden";
    std::optional<Retrospective> retro;
    bool marker_missing = false;
    if (rule != nullptr) {
        // A condition on a field (NO NCTS: started_on paper) is read from the declaration.
        const auto& marker = rule->retrospective.field;
        const auto it = marker.empty() ? doc.end() : doc.find(marker);
        const bool given = it != doc.end() && it->is_string();
        const std::string value = given ? it->get<std::string>() : std::string();
        retro = retrospective_for(rule->retrospective, given ? &value : nullptr);
        marker_missing = !marker.empty() && !given;
    }
    if (annotated_forbidden || retro == Retrospective::forbidden) {
        a.verdict = Admission::Verdict::hold;
        m.held = true;
        if (rule != nullptr) {
            m.held_reason = rule->retrospective.text.empty()
                                ? fmt::format("procedure {} forbids submitting it afterwards", rule->id)
                                : rule->retrospective.text;
            if (marker_missing) {
                m.held_reason = fmt::format("no {}, so the cautious reading: {}",
                                            rule->retrospective.field, m.held_reason);
            }
            m.held_source = rule->retrospective.origin.source.empty() ? rule->origin.source
                                                                      : rule->retrospective.origin.source;
        } else {
            m.held_reason = "the bcp annotation says retrospective submission is forbidden";
            if (bcp.contains("sources") && bcp["sources"].is_array() && !bcp["sources"].empty() &&
                bcp["sources"][0].is_string()) {
                m.held_source = bcp["sources"][0].get<std::string>();
            }
        }
        if (annotated) m.annotation = json_line(bcp);
        a.reason = m.held_reason;
        return a;
    }
    a.verdict = Admission::Verdict::enqueue;
    std::string reason;
    if (annotated) {
        m.annotation = json_line(bcp);
        if (o_.annotate && !write_fields(doc, bcp, m, reason)) return invalid(reason);
    } else if (rule != nullptr && o_.annotate && procedure_given_) {
        if (!annotate(m, text, doc, reason)) return invalid(reason);
    } else if (rule != nullptr && !retro) {
        // The rule does not govern this declaration (a transit started electronically): it is
        // sent as it is, with nothing of the procedure written into it.
        a.reason = fmt::format("not under procedure {}: its {} is not {}", rule->id,
                               rule->retrospective.field,
                               fmt::join(rule->retrospective.values, " or "));
    } else if (rule == nullptr && o_.annotate && procedure_given_) {
        // The procedure was given, so the user expects the declaration annotated: storing it
        // bare would be a silent no-op.
        return invalid(fmt::format("the procedure (--call, --start or --procedure) cannot be "
                                   "applied: no procedure rule governs a declaration of country "
                                   "'{}', system '{}'; give --country and --system (or --rule), "
                                   "or --no-annotate",
                                   m.country, m.system));
    } else if (rule != nullptr && o_.annotate && needs_codes(*rule)) {
        return invalid(fmt::format("procedure {} adds codes to declarations submitted afterwards: "
                                   "give the procedure (--call and --start, or --procedure FILE), "
                                   "annotate them first (bcp-mention --retrospective), or give "
                                   "--no-annotate",
                                   rule->id));
    }
    return a;
}

bool Admitter::write_fields(ojson& doc, const ojson& bcp, NewMessage& m, std::string& reason) const {
    if (bcp.contains("problems") && bcp["problems"].is_array() && !bcp["problems"].empty()) {
        std::vector<std::string> messages;
        for (const auto& p : bcp["problems"]) {
            messages.push_back(p.is_object() ? p.value("message", std::string()) : json_line(p));
        }
        reason = fmt::format("the declaration does not meet the procedure: {}", fmt::join(messages, "; "));
        return false;
    }
    const auto problems = write_into_declaration(doc, bcp, o_.map);
    if (!problems.empty()) {
        reason = fmt::format("the procedure's codes cannot be written into the declaration: {}",
                             fmt::join(problems, "; "));
        return false;
    }
    m.body = json_line(doc);
    return true;
}

// The annotator for the (country, system) of `m`, made once: an error that stops every
// declaration of the pair (no matching procedure, a rule that refuses) is kept as its reason.
Admitter::Annotating& Admitter::annotating(const NewMessage& m) {
    const std::string cache_key = m.country + "/" + m.system;
    if (const auto found = annotators_.find(cache_key); found != annotators_.end()) return *found->second;
    auto a = std::make_unique<Annotating>();
    try {
        ActivationRequest req = o_.procedure;
        req.country = m.country;
        req.system = m.system;
        a->plan = std::make_unique<Plan>(resolve_activation(rules_, req, events_stdin_, nullptr));
        static_cast<void>(check_retrospective(*a->plan));  // not-stated: enqueued, the operator decides
        AnnotateOptions ao = o_.annotation;
        ao.retrospective = true;
        a->annotator = std::make_unique<Annotator>(*a->plan, ao);
    } catch (const busy_error&) {
        throw;  // the machine, not the declaration: the run stops (exit 5)
    } catch (const io_error&) {
        throw;
    } catch (const bcp::error& e) {
        a->error = e.what();
    }
    return *annotators_.emplace(cache_key, std::move(a)).first->second;
}

// Annotates the declaration under the procedure given, then writes what it requires into the
// declaration's fields. False with a reason when the rule or the declaration does not allow it.
bool Admitter::annotate(NewMessage& m, std::string_view text, ojson& doc, std::string& reason) {
    Annotating& an = annotating(m);
    if (!an.error.empty()) {
        reason = an.error;
        return false;
    }
    // From the document already parsed; the problems are read from the annotation itself
    // (write_fields), so the count returned is not needed.
    std::string out;
    static_cast<void>(an.annotator->annotate(text, doc, out));
    ojson annotated = parse_ordered_json(out);
    ojson bcp = std::move(annotated["bcp"]);
    annotated.erase("bcp");
    m.annotation = json_line(bcp);
    return write_fields(annotated, bcp, m, reason);
}

std::string body_with_annotation(const Message& m) {
    if (m.annotation.empty() || m.body.size() < 2 || m.body.back() != '}') return m.body;
    std::string out(m.body, 0, m.body.size() - 1);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    if (out.empty()) return m.body;
    out += out.back() == '{' ? "\"bcp\":" : ",\"bcp\":";
    out += m.annotation;
    out += '}';
    return out;
}

}  // namespace bcp
