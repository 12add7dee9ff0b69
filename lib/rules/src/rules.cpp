// Loading and validating rule files (bcp-rules(5)). The validator collects every problem of a
// file with its line and dotted key, so `bcp-mention lint` can list them all at once; loading
// stops at the first.
#include "bcp/rules/rules.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <unordered_set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/registry/country.hpp"
#include "bcp/registry/knowledge.hpp"
#include "bcp/registry/systems.hpp"

namespace bcp {

std::string_view to_string(Stage stage) noexcept {
    switch (stage) {
        case Stage::during: return "during";
        case Stage::after: return "after";
        case Stage::both: return "both";
    }
    return "both";
}

std::string_view to_string(Retrospective r) noexcept {
    switch (r) {
        case Retrospective::required: return "required";
        case Retrospective::forbidden: return "forbidden";
        case Retrospective::not_applicable: return "not-applicable";
        case Retrospective::not_stated: return "not-stated";
    }
    return "not-stated";
}

std::optional<Retrospective> retrospective_for(const RetrospectiveRule& rule,
                                               const std::string* value) {
    if (rule.field.empty() || value == nullptr) return rule.status;
    if (std::find(rule.values.begin(), rule.values.end(), *value) != rule.values.end()) {
        return rule.status;
    }
    return std::nullopt;
}

std::string describe(const RuleProblem& p) {
    return p.key.empty() ? p.message : p.key + ": " + p.message;
}

std::vector<std::string> Procedure::sources() const {
    std::vector<std::string> out;
    auto add = [&](const RuleOrigin& o) {
        if (std::find(out.begin(), out.end(), o.source) == out.end()) out.push_back(o.source);
    };
    add(origin);
    for (const auto& x : mentions) add(x.origin);
    for (const auto& x : codes) add(x.origin);
    for (const auto& x : references) add(x.origin);
    for (const auto& x : documents) add(x.origin);
    for (const auto& x : deadlines) add(x.origin);
    if (!retrospective.origin.source.empty()) add(retrospective.origin);
    if (rate_cap) add(rate_cap->origin);
    if (buffering) add(buffering->origin);
    for (const auto& x : contacts) add(x.origin);
    for (const auto& x : steps) add(x.origin);
    for (const auto& x : caveats) add(x.origin);
    return out;
}

namespace {

constexpr std::string_view kinds[] = {"emergency", "fallback", "bcp",
                                      "buffering", "maintenance", "special-mention"};

std::size_t line_of(const toml::node& n) {
    return static_cast<std::size_t>(n.source().begin.line);
}

std::string_view type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

struct Ctx {
    std::string file;
    std::vector<RuleProblem> problems;
    const std::set<std::string>* source_ids = nullptr;  // checked when set (lint)
    void add(std::size_t line, std::string key, std::string message) {
        problems.push_back({file, line, std::move(key), std::move(message)});
    }
};

// Reads the keys of one table, each at most once, and reports the keys never asked for as
// unknown: a misspelt key is an error rather than a silently missing rule.
class TableReader {
public:
    TableReader(Ctx& ctx, const toml::table& t, std::string path)
        : ctx_(ctx), t_(t), path_(std::move(path)) {}

    [[nodiscard]] std::string key(std::string_view k) const {
        return path_.empty() ? std::string(k) : path_ + "." + std::string(k);
    }
    [[nodiscard]] std::size_t line() const { return line_of(t_); }

    const toml::node* get(std::string_view k) {
        seen_.insert(std::string(k));
        return t_.get(k);
    }

    std::string str(std::string_view k, bool required, std::string fallback = {}) {
        const auto* n = get(k);
        if (n == nullptr) {
            if (required) ctx_.add(line(), key(k), "required key is missing");
            return fallback;
        }
        if (!n->is_string()) {
            ctx_.add(line_of(*n), key(k), fmt::format("must be a string, found {}", type_name(*n)));
            return fallback;
        }
        auto v = std::string(n->as_string()->get());
        if (required && v.find_first_not_of(" \t\n") == std::string::npos) {
            ctx_.add(line_of(*n), key(k), "must not be empty");
        }
        return v;
    }

    bool boolean(std::string_view k, bool fallback) {
        const auto* n = get(k);
        if (n == nullptr) return fallback;
        if (!n->is_boolean()) {
            ctx_.add(line_of(*n), key(k), fmt::format("must be a boolean, found {}", type_name(*n)));
            return fallback;
        }
        return n->as_boolean()->get();
    }

    std::optional<std::int64_t> integer(std::string_view k, bool required) {
        const auto* n = get(k);
        if (n == nullptr) {
            if (required) ctx_.add(line(), key(k), "required key is missing");
            return std::nullopt;
        }
        if (!n->is_integer()) {
            ctx_.add(line_of(*n), key(k), fmt::format("must be an integer, found {}", type_name(*n)));
            return std::nullopt;
        }
        return n->as_integer()->get();
    }

    std::vector<std::string> strings(std::string_view k, bool required) {
        std::vector<std::string> out;
        const auto* n = get(k);
        if (n == nullptr) {
            if (required) ctx_.add(line(), key(k), "required key is missing");
            return out;
        }
        const auto* a = n->as_array();
        if (a == nullptr) {
            ctx_.add(line_of(*n), key(k),
                     fmt::format("must be an array of strings, found {}", type_name(*n)));
            return out;
        }
        for (std::size_t i = 0; i < a->size(); ++i) {
            const auto& e = *a->get(i);
            if (!e.is_string()) {
                ctx_.add(line_of(e), fmt::format("{}[{}]", key(k), i),
                         fmt::format("must be a string, found {}", type_name(e)));
                continue;
            }
            out.emplace_back(e.as_string()->get());
        }
        if (required && out.empty() && a->empty()) ctx_.add(line_of(*n), key(k), "must not be empty");
        return out;
    }

    // The tables of an array of tables (`[[procedure.mention]]`), each with its dotted path.
    std::vector<std::pair<const toml::table*, std::string>> tables(std::string_view k) {
        std::vector<std::pair<const toml::table*, std::string>> out;
        const auto* n = get(k);
        if (n == nullptr) return out;
        const auto* a = n->as_array();
        if (a == nullptr) {
            ctx_.add(line_of(*n), key(k),
                     fmt::format("must be an array of tables ([[{}]]), found {}", key(k),
                                 type_name(*n)));
            return out;
        }
        for (std::size_t i = 0; i < a->size(); ++i) {
            const auto& e = *a->get(i);
            if (!e.is_table()) {
                ctx_.add(line_of(e), fmt::format("{}[{}]", key(k), i),
                         fmt::format("must be a table, found {}", type_name(e)));
                continue;
            }
            out.emplace_back(e.as_table(), fmt::format("{}[{}]", key(k), i));
        }
        return out;
    }

    const toml::table* table(std::string_view k, bool required) {
        const auto* n = get(k);
        if (n == nullptr) {
            if (required) ctx_.add(line(), key(k), "required table is missing");
            return nullptr;
        }
        if (!n->is_table()) {
            ctx_.add(line_of(*n), key(k), fmt::format("must be a table, found {}", type_name(*n)));
            return nullptr;
        }
        return n->as_table();
    }

    // Every rule item cites its source document and explains its reading.
    RuleOrigin origin() {
        RuleOrigin o;
        o.source = str("source", true);
        if (ctx_.source_ids != nullptr && !o.source.empty() &&
            !cites_known_source(o.source, *ctx_.source_ids)) {
            ctx_.add(line(), key("source"),
                     "cites no known source: begin with a source id of an authority profile "
                     "(docs/sources.md), as in 'be-1: \"quoted words\"', or give the public URL");
        }
        o.note = str("note", true);
        o.file = ctx_.file;
        o.line = line();
        return o;
    }

    void finish() {
        for (auto&& [k, v] : t_) {
            const std::string name(k.str());
            if (seen_.count(name) == 0) {
                ctx_.add(static_cast<std::size_t>(k.source().begin.line), key(name),
                         "unknown key");
            }
        }
    }

    Ctx& ctx() { return ctx_; }

private:
    Ctx& ctx_;
    const toml::table& t_;
    std::string path_;
    std::set<std::string> seen_;
};

Stage read_stage(TableReader& r, Stage fallback) {
    const auto* n = r.get("stage");
    if (n == nullptr) return fallback;
    if (!n->is_string()) {
        r.ctx().add(line_of(*n), r.key("stage"),
                    fmt::format("must be a string, found {}", type_name(*n)));
        return fallback;
    }
    const std::string_view s = n->as_string()->get();
    if (s == "during") return Stage::during;
    if (s == "after") return Stage::after;
    if (s == "both") return Stage::both;
    r.ctx().add(line_of(*n), r.key("stage"),
                fmt::format("'{}' is not a stage (during, after, both)", s));
    return fallback;
}

std::optional<Template> read_template(TableReader& r, std::string_view k, bool required,
                                      bool call_required, std::string_view text) {
    if (!required && text.empty() && r.get(k) == nullptr) return std::nullopt;
    std::string problem;
    auto t = compile_template(text, &problem);
    const auto* n = r.get(k);
    const std::size_t line = n != nullptr ? line_of(*n) : r.line();
    if (!t) {
        if (n != nullptr && n->is_string()) r.ctx().add(line, r.key(k), "bad template: " + problem);
        return std::nullopt;
    }
    if (!call_required && t->uses(TemplateVar::call)) {
        r.ctx().add(line, r.key(k),
                    "bad template: {call} needs call_required = true on the procedure");
    }
    return t;
}

void read_procedure(Ctx& ctx, const toml::table& t, const std::string& path,
                    const std::string& authority, std::vector<Procedure>& out) {
    TableReader r(ctx, t, path);
    Procedure p;
    p.authority = authority;
    p.id = r.str("id", true);
    if (!p.id.empty() &&
        p.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        ctx.add(r.line(), r.key("id"), fmt::format("'{}' may hold only a-z, 0-9 and '-'", p.id));
    }
    p.country = r.str("country", true);
    if (!p.country.empty() && p.country != "EU" && !is_country(p.country)) {
        ctx.add(line_of(*r.get("country")), r.key("country"),
                fmt::format("'{}' is not an ISO 3166 country code or EU", p.country));
    }
    const auto* systems_node = r.get("systems");
    p.systems = r.strings("systems", true);
    for (auto& s : p.systems) {
        const auto* info = find_system(s);
        if (info == nullptr) {
            ctx.add(line_of(*systems_node), r.key("systems"),
                    fmt::format("unknown system '{}' (see the systems of data/authorities/*.toml)", s));
            continue;
        }
        s = info->id;
        // A relaying platform's system (countries empty: CCS-UK, CAS) fits a rule of any
        // country; a national system only its own country's rules.
        if (!p.country.empty() && !info->countries.empty() &&
            std::find(info->countries.begin(), info->countries.end(), p.country) ==
                info->countries.end()) {
            ctx.add(line_of(*systems_node), r.key("systems"),
                    fmt::format("system {} is not one of {}'s systems in data/authorities/*.toml", s,
                                p.country));
        }
    }
    p.kind = r.str("kind", true);
    if (!p.kind.empty() && std::find(std::begin(kinds), std::end(kinds), p.kind) == std::end(kinds)) {
        ctx.add(line_of(*r.get("kind")), r.key("kind"),
                fmt::format("'{}' is not a kind (emergency, fallback, bcp, buffering, "
                            "maintenance, special-mention)",
                            p.kind));
    }
    p.title = r.str("title", true);
    p.zone = r.str("zone", true);
    if (!p.zone.empty() && !is_zone(p.zone)) {
        ctx.add(line_of(*r.get("zone")), r.key("zone"),
                fmt::format("'{}' is not an IANA time zone", p.zone));
    }
    p.when = r.str("when", false);
    p.applies_to = r.strings("applies_to", false);
    p.call_required = r.boolean("call_required", false);
    // A mistyped call_required is reported once, not again on every template using {call}.
    const auto* call_node = r.get("call_required");
    const bool call_known = call_node == nullptr || call_node->is_boolean();
    const bool call_ok = p.call_required || !call_known;
    p.is_default = r.boolean("default", false);
    p.origin = r.origin();

    for (const auto& [mt, mp] : r.tables("mention")) {
        TableReader m(ctx, *mt, mp);
        MentionRule rule;
        rule.field = m.str("field", true);
        rule.document = m.str("document", false);
        const auto text = m.str("template", true);
        if (auto tpl = read_template(m, "template", true, call_ok, text)) {
            rule.value = std::move(*tpl);
        }
        rule.stage = read_stage(m, Stage::both);
        rule.origin = m.origin();
        m.finish();
        p.mentions.push_back(std::move(rule));
    }
    for (const auto& [ct, cp] : r.tables("code")) {
        TableReader c(ctx, *ct, cp);
        CodeRule rule;
        rule.code = c.str("code", true);
        rule.field = c.str("field", true);
        const auto text = c.str("value", false);
        rule.value = read_template(c, "value", false, call_ok, text);
        rule.item = c.str("item", false);
        rule.stage = read_stage(c, Stage::both);
        rule.origin = c.origin();
        c.finish();
        p.codes.push_back(std::move(rule));
    }
    for (const auto& [rt, rp] : r.tables("reference")) {
        TableReader x(ctx, *rt, rp);
        ReferenceRule rule;
        const auto type = x.str("type", true);
        const auto parsed = parse_ref_type(type);
        if (!type.empty() && (!parsed || (*parsed != RefType::bcp_id && *parsed != RefType::mrn &&
                                          *parsed != RefType::lrn))) {
            ctx.add(line_of(*x.get("type")), x.key("type"),
                    fmt::format("'{}' is not a reference type (bcp-id, mrn, lrn)", type));
        } else if (parsed) {
            rule.type = *parsed;
        }
        rule.field = x.str("field", true);
        rule.label = x.str("label", true);
        rule.generate = x.boolean("generate", false);
        if (rule.generate && rule.type == RefType::lrn) {
            ctx.add(x.line(), x.key("generate"), "an LRN is the declarant's own; it cannot be generated");
        }
        const auto letter = x.str("letter", false);
        if (!letter.empty()) {
            if (letter.size() != 1 || mrn_procedure_meaning(letter[0]).empty()) {
                ctx.add(line_of(*x.get("letter")), x.key("letter"),
                        fmt::format("'{}' is not a Union Customs Code procedure letter", letter));
            } else {
                rule.letter = letter[0];
            }
        }
        rule.same_as = x.str("same_as", false);
        rule.origin = x.origin();
        x.finish();
        p.references.push_back(std::move(rule));
    }
    for (const auto& [dt, dp] : r.tables("document")) {
        TableReader d(ctx, *dt, dp);
        DocumentRule rule;
        rule.name = d.str("name", true);
        if (const auto copies = d.integer("copies", false)) {
            if (*copies < 1 || *copies > 99) {
                ctx.add(line_of(*d.get("copies")), d.key("copies"), "must be between 1 and 99");
            } else {
                rule.copies = static_cast<int>(*copies);
            }
        }
        rule.text = d.str("text", true);
        rule.stage = read_stage(d, Stage::during);
        rule.origin = d.origin();
        d.finish();
        p.documents.push_back(std::move(rule));
    }
    for (const auto& [dt, dp] : r.tables("deadline")) {
        TableReader d(ctx, *dt, dp);
        DeadlineRule rule;
        rule.name = d.str("name", true);
        const auto anchor = d.str("anchor", true);
        if (anchor == "start") {
            rule.anchor = Anchor::start;
        } else if (anchor == "end") {
            rule.anchor = Anchor::end;
        } else if (anchor == "declaration") {
            rule.anchor = Anchor::declaration;
        } else if (!anchor.empty()) {
            ctx.add(line_of(*d.get("anchor")), d.key("anchor"),
                    fmt::format("'{}' is not an anchor (start, end, declaration)", anchor));
        }
        rule.field = d.str("field", rule.anchor == Anchor::declaration);
        if (rule.anchor != Anchor::declaration && !rule.field.empty()) {
            ctx.add(line_of(*d.get("field")), d.key("field"),
                    "only a deadline with anchor = \"declaration\" takes a field");
        }
        if (const auto off = d.integer("offset_minutes", false)) {
            if (*off < -525600 || *off > 525600) {
                ctx.add(line_of(*d.get("offset_minutes")), d.key("offset_minutes"),
                        "must be within a year (-525600 to 525600)");
            } else {
                rule.offset_minutes = *off;
            }
        }
        const auto kind = d.str("kind", false, "deadline");
        if (kind == "not-before") {
            rule.not_before = true;
        } else if (kind != "deadline") {
            ctx.add(line_of(*d.get("kind")), d.key("kind"),
                    fmt::format("'{}' is not a deadline kind (deadline, not-before)", kind));
        }
        rule.condition = d.str("condition", false);
        if (!rule.condition.empty() && !rule.not_before) {
            ctx.add(line_of(*d.get("condition")), d.key("condition"),
                    "only a deadline with kind = \"not-before\" takes a condition");
        }
        rule.text = d.str("text", true);
        rule.origin = d.origin();
        d.finish();
        p.deadlines.push_back(std::move(rule));
    }
    for (const auto& [ct, cp] : r.tables("contact")) {
        TableReader c(ctx, *ct, cp);
        ContactRule rule;
        rule.name = c.str("name", true);
        rule.email = c.str("email", false);
        rule.phone = c.str("phone", false);
        rule.url = c.str("url", false);
        rule.region = c.str("region", false);
        rule.purpose = c.str("purpose", false);
        if (rule.email.empty() && rule.phone.empty() && rule.url.empty()) {
            ctx.add(c.line(), c.key("email"), "a contact needs an email, phone or url");
        }
        if (!rule.email.empty() && (rule.email.find('@') == std::string::npos ||
                                    rule.email.find(' ') != std::string::npos)) {
            ctx.add(line_of(*c.get("email")), c.key("email"),
                    fmt::format("'{}' is not an e-mail address", rule.email));
        }
        rule.origin = c.origin();
        c.finish();
        p.contacts.push_back(std::move(rule));
    }
    for (const auto& [st, sp] : r.tables("step")) {
        TableReader s(ctx, *st, sp);
        StepRule rule;
        rule.text = s.str("text", true);
        rule.items = s.strings("items", false);
        rule.stage = read_stage(s, Stage::during);
        rule.origin = s.origin();
        s.finish();
        p.steps.push_back(std::move(rule));
    }
    for (const auto& [ct, cp] : r.tables("caveat")) {
        TableReader c(ctx, *ct, cp);
        CaveatRule rule;
        rule.text = c.str("text", true);
        rule.origin = c.origin();
        c.finish();
        p.caveats.push_back(std::move(rule));
    }
    if (const auto* rt = r.table("retrospective", true)) {
        TableReader x(ctx, *rt, r.key("retrospective"));
        const auto status = x.str("status", true);
        if (status == "not-stated") {
            p.retrospective.status = Retrospective::not_stated;
        } else if (status == "required") {
            p.retrospective.status = Retrospective::required;
        } else if (status == "forbidden") {
            p.retrospective.status = Retrospective::forbidden;
        } else if (status == "not-applicable") {
            p.retrospective.status = Retrospective::not_applicable;
        } else if (!status.empty()) {
            ctx.add(line_of(*x.get("status")), x.key("status"),
                    fmt::format("'{}' is not a status (required, forbidden, not-applicable, "
                                "not-stated)",
                                status));
        }
        p.retrospective.text = x.str("text", true);
        p.retrospective.field = x.str("field", false);
        p.retrospective.values = x.strings("values", !p.retrospective.field.empty());
        if (p.retrospective.field.empty() && !p.retrospective.values.empty()) {
            ctx.add(line_of(*x.get("values")), x.key("values"), "values need a field");
        }
        p.retrospective.origin = x.origin();
        x.finish();
    }
    if (const auto* bt = r.table("buffering", false)) {
        TableReader x(ctx, *bt, r.key("buffering"));
        BufferingRule rule;
        rule.allowed = x.boolean("allowed", false);
        if (x.get("allowed") == nullptr) ctx.add(x.line(), x.key("allowed"), "required key is missing");
        // Absent: the source does not say whether an authorisation is needed.
        if (x.get("authorisation_required") != nullptr) {
            rule.authorisation_required = x.boolean("authorisation_required", false);
        }
        rule.text = x.str("text", true);
        rule.origin = x.origin();
        x.finish();
        p.buffering = std::move(rule);
    }
    if (const auto* ct = r.table("rate_cap", false)) {
        TableReader x(ctx, *ct, r.key("rate_cap"));
        RateCapRule rule;
        if (const auto v = x.integer("messages_per_second", true)) {
            if (*v < 1 || *v > 1000000) {
                ctx.add(line_of(*x.get("messages_per_second")), x.key("messages_per_second"),
                        "must be between 1 and 1000000");
            } else {
                rule.messages_per_second = static_cast<std::uint32_t>(*v);
            }
        }
        rule.text = x.str("text", true);
        rule.origin = x.origin();
        x.finish();
        p.rate_cap = std::move(rule);
    }
    // A template variable of a reference needs that reference on the procedure.
    auto check_refs = [&](const Template& tpl, std::size_t line, const std::string& key) {
        const std::pair<TemplateVar, RefType> needs[] = {{TemplateVar::bcp_id, RefType::bcp_id},
                                                         {TemplateVar::mrn, RefType::mrn},
                                                         {TemplateVar::lrn, RefType::lrn}};
        for (const auto& need : needs) {
            // Named copies, not a structured binding: clang 14 cannot capture those in a lambda.
            const TemplateVar var = need.first;
            const RefType type = need.second;
            if (!tpl.uses(var)) continue;
            const bool have = std::any_of(p.references.begin(), p.references.end(),
                                          [&](const ReferenceRule& x) { return x.type == type; });
            if (!have) {
                ctx.add(line, key,
                        fmt::format("bad template: {{{}}} needs a [[procedure.reference]] of type {}",
                                    to_string(var), to_string(type)));
            }
        }
    };
    for (std::size_t i = 0; i < p.mentions.size(); ++i) {
        check_refs(p.mentions[i].value, p.mentions[i].origin.line,
                   fmt::format("{}.mention[{}].template", path, i));
    }
    for (std::size_t i = 0; i < p.codes.size(); ++i) {
        if (p.codes[i].value) {
            check_refs(*p.codes[i].value, p.codes[i].origin.line,
                       fmt::format("{}.code[{}].value", path, i));
        }
    }
    r.finish();
    out.push_back(std::move(p));
}

}  // namespace

bool cites_known_source(std::string_view source, const std::set<std::string>& ids) {
    if (source.find("https://") != std::string_view::npos) return true;
    const auto colon = source.find(':');
    return colon != std::string_view::npos && ids.count(std::string(source.substr(0, colon))) != 0;
}

std::set<std::string> known_source_ids() {
    std::set<std::string> ids;
    const auto& k = Knowledge::get();
    for (const auto& a : k.authorities()) {
        for (const auto& s : a.sources) ids.insert(s.id);
    }
    for (const auto& l : k.languages()) {
        for (const auto& s : l.sources) ids.insert(s.id);
    }
    return ids;
}

std::vector<RuleProblem> lint_rule_file(const std::filesystem::path& path,
                                        std::vector<Procedure>* out,
                                        const std::set<std::string>* source_ids) {
    Ctx ctx;
    ctx.file = path.string();
    ctx.source_ids = source_ids;
    toml::table doc;
    try {
        doc = toml::parse_file(path.string());
    } catch (const toml::parse_error& e) {
        ctx.add(static_cast<std::size_t>(e.source().begin.line), {},
                fmt::format("not valid TOML: {}", e.description()));
        return ctx.problems;
    } catch (const std::exception& e) {
        ctx.add(0, {}, fmt::format("cannot read: {}", e.what()));
        return ctx.problems;
    }
    TableReader top(ctx, doc, {});
    if (const auto schema = top.integer("schema", true); schema && *schema != 1) {
        ctx.add(line_of(*top.get("schema")), "schema",
                fmt::format("schema {} is not supported (this bcpkit reads schema 1)", *schema));
    }
    const auto authority = top.str("authority", true);
    std::vector<Procedure> procs;
    const auto tables = top.tables("procedure");
    if (tables.empty() && doc.get("procedure") == nullptr) {
        ctx.add(1, "procedure", "a rule file holds at least one [[procedure]]");
    }
    for (const auto& [t, p] : tables) read_procedure(ctx, *t, p, authority, procs);
    top.finish();
    std::unordered_set<std::string> ids;
    for (const auto& p : procs) {
        if (!p.id.empty() && !ids.insert(p.id).second) {
            ctx.add(p.origin.line, "procedure.id",
                    fmt::format("procedure id '{}' appears twice in this file", p.id));
        }
    }
    std::stable_sort(ctx.problems.begin(), ctx.problems.end(),
                     [](const RuleProblem& a, const RuleProblem& b) { return a.line < b.line; });
    if (ctx.problems.empty() && out != nullptr) *out = std::move(procs);
    return ctx.problems;
}

std::vector<std::filesystem::path> rules_search_path() {
    std::vector<std::filesystem::path> out;
    if (const char* env = std::getenv("BCPKIT_RULES_PATH"); env != nullptr) {
        std::string_view s(env);
        while (!s.empty()) {
            const auto colon = s.find(':');
            const auto part = s.substr(0, colon);
            if (!part.empty()) out.emplace_back(std::string(part));
            if (colon == std::string_view::npos) break;
            s.remove_prefix(colon + 1);
        }
    }
    out.push_back(data_dir() / "procedures");
    return out;
}

RuleSet RuleSet::load() { return load(rules_search_path()); }

std::vector<std::filesystem::path> rule_files(const std::vector<std::filesystem::path>& path) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : path) {
        std::error_code ec;
        if (!std::filesystem::is_directory(entry, ec)) {
            files.push_back(entry);
            continue;
        }
        std::vector<std::filesystem::path> here;
        for (const auto& f : std::filesystem::directory_iterator(entry, ec)) {
            if (f.path().extension() == ".toml" && f.is_regular_file(ec)) here.push_back(f.path());
        }
        if (ec) throw io_error(fmt::format("cannot list {}: {}", entry.string(), ec.message()), entry.string());
        std::sort(here.begin(), here.end());
        files.insert(files.end(), here.begin(), here.end());
    }
    return files;
}

std::vector<std::filesystem::path> rule_files_to_lint(const std::vector<std::string>& named) {
    if (named.empty()) return rule_files(rules_search_path());
    std::vector<std::filesystem::path> files;
    for (const auto& f : named) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(f, ec)) {
            throw io_error(fmt::format("cannot open {}: {}", f,
                                       std::filesystem::exists(f, ec) ? "not a regular file"
                                                                      : "No such file or directory"),
                           f);
        }
        files.emplace_back(f);
    }
    return files;
}

RuleSet RuleSet::load(const std::vector<std::filesystem::path>& path) {
    RuleSet set;
    // A missing entry is an error here (lint reports it as a problem instead): one check per
    // entry of the path, not per file listed (every tool loads the rules at start-up).
    for (const auto& entry : path) {
        std::error_code ec;
        if (!std::filesystem::exists(entry, ec)) {
            throw io_error(fmt::format("rule path entry {} does not exist", entry.string()), entry.string());
        }
    }
    const auto files = rule_files(path);
    std::unordered_set<std::string> ids;
    for (const auto& f : files) {
        std::vector<Procedure> procs;
        const auto problems = lint_rule_file(f, &procs);
        if (!problems.empty()) {
            const auto& p = problems.front();
            throw data_error("rules", describe(p), p.file, p.line);
        }
        for (auto& p : procs) {
            if (!ids.insert(p.id).second) {
                // Earlier in the path wins: the user's own file replaces the bundled procedure.
                set.overridden_.emplace_back(p.id, p.origin.file);
                continue;
            }
            set.all_.push_back(std::move(p));
        }
    }
    if (set.all_.empty()) throw io_error("no procedure rules found on the rule search path");
    return set;
}

const Procedure* RuleSet::find(std::string_view id) const noexcept {
    for (const auto& p : all_) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

std::vector<const Procedure*> RuleSet::match(std::string_view country,
                                             std::string_view system) const {
    const auto sys = canonical_system(system);
    std::string c(country);
    for (auto& ch : c) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    }
    std::vector<const Procedure*> out;
    auto collect = [&](std::string_view where) {
        for (const auto& p : all_) {
            if (p.country == where &&
                std::find(p.systems.begin(), p.systems.end(), sys) != p.systems.end()) {
                out.push_back(&p);
            }
        }
    };
    collect(c);
    if (out.empty() && c != "EU") {
        // A Union system (ICS2) falls back to the EU plan when the country has no rule of its
        // own, but only for a country the system serves.
        const auto* info = find_system(sys);
        if (info != nullptr && std::find(info->countries.begin(), info->countries.end(), "EU") !=
                                   info->countries.end()) {
            collect("EU");
        }
    }
    return out;
}

}  // namespace bcp
