// Templates and plans: what a procedure asks for once its call number and start are known.
#include <algorithm>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp {
namespace {

struct VarName {
    std::string_view name;
    TemplateVar var;
};
constexpr VarName var_names[] = {
    {"call", TemplateVar::call},         {"yyyy", TemplateVar::yyyy},
    {"yy", TemplateVar::yy},             {"mm", TemplateVar::mm},
    {"dd", TemplateVar::dd},             {"hh", TemplateVar::hh},
    {"mi", TemplateVar::mi},             {"ss", TemplateVar::ss},
    {"yyyymmdd", TemplateVar::yyyymmdd}, {"hhmmss", TemplateVar::hhmmss},
    {"bcp_id", TemplateVar::bcp_id},     {"mrn", TemplateVar::mrn},
    {"lrn", TemplateVar::lrn},
};

void append_2(std::string& out, int v) {
    out.push_back(static_cast<char>('0' + (v / 10) % 10));
    out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

std::string_view to_string(TemplateVar v) noexcept {
    for (const auto& n : var_names) {
        if (n.var == v) return n.name;
    }
    return "?";
}

bool per_declaration(TemplateVar v) noexcept {
    return v == TemplateVar::bcp_id || v == TemplateVar::mrn || v == TemplateVar::lrn;
}

bool Template::uses(TemplateVar v) const noexcept {
    return std::any_of(parts.begin(), parts.end(),
                       [v](const Part& p) { return p.is_var && p.var == v; });
}

bool Template::dynamic() const noexcept {
    return std::any_of(parts.begin(), parts.end(),
                       [](const Part& p) { return p.is_var && per_declaration(p.var); });
}

std::optional<Template> compile_template(std::string_view text, std::string* problem) {
    auto fail = [&](std::string message) -> std::optional<Template> {
        if (problem != nullptr) *problem = std::move(message);
        return std::nullopt;
    };
    Template t;
    t.text = std::string(text);
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) t.parts.push_back({false, TemplateVar::call, std::move(literal)});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
            literal.push_back('{');
            ++i;
        } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
            literal.push_back('}');
            ++i;
        } else if (c == '}') {
            return fail(fmt::format("unmatched '}}' at character {} (write '}}}}' for a brace)", i + 1));
        } else if (c == '{') {
            const auto close = text.find('}', i + 1);
            if (close == std::string_view::npos) {
                return fail(fmt::format("unclosed '{{' at character {}", i + 1));
            }
            const auto name = text.substr(i + 1, close - i - 1);
            const auto* found = std::find_if(std::begin(var_names), std::end(var_names),
                                             [&](const VarName& v) { return v.name == name; });
            if (found == std::end(var_names)) {
                return fail(fmt::format("unknown variable {{{}}} (known: call, yyyy, yy, mm, dd, "
                                        "hh, mi, ss, yyyymmdd, hhmmss, bcp_id, mrn, lrn)",
                                        name));
            }
            flush();
            t.parts.push_back({true, found->var, {}});
            i = close;
        } else {
            literal.push_back(c);
        }
    }
    flush();
    return t;
}

Plan::Plan(Activation activation) : a_(std::move(activation)) {
    if (a_.procedure == nullptr) throw usage_error("no procedure to apply");
    const auto& p = *a_.procedure;
    zone_ = a_.zone.empty() ? p.zone : a_.zone;
    if (!is_zone(zone_)) throw usage_error(fmt::format("'{}' is not an IANA time zone", zone_));
    if (a_.draft && !a_.call.empty() && !check_call(a_.call).valid()) {
        throw usage_error(fmt::format("'{}' is not a call number (N and 5 digits)", a_.call));
    }
    if (p.call_required && !a_.draft) {
        if (a_.call.empty()) {
            throw usage_error(fmt::format("procedure {} needs a call number (--call N#####)", p.id));
        }
        if (!check_call(a_.call).valid()) {
            throw usage_error(fmt::format("'{}' is not a call number (N and 5 digits)", a_.call));
        }
    }
    // The mention carries the wall-clock start as customs printed it; converting the instant
    // back gives the same unless the notice said otherwise.
    if (a_.start_known) local_ = a_.start_local ? *a_.start_local : utc_to_local(a_.start, zone_);
    const DeclarationRefs none{};
    for (const auto& m : p.mentions) {
        mentions_.push_back({&m, m.value.dynamic() ? m.value.text : render(m.value, none)});
        dynamic_ = dynamic_ || m.value.dynamic();
        // A rendered emergency mention must be one customs accepts (a real date and time).
        const auto& v = mentions_.back().value;
        if (a_.start_known && !a_.call.empty() && !m.value.dynamic() &&
            detect_type(v) == RefType::mention && !check_mention(v).valid()) {
            const auto c = check_mention(v);
            throw usage_error(fmt::format("mention '{}' of procedure {} is not valid: {}", v, p.id,
                                          describe(*c.begin(), v)));
        }
    }
    for (const auto& c : p.codes) {
        std::string v;
        if (c.value) v = c.value->dynamic() ? c.value->text : render(*c.value, none);
        codes_.push_back({&c, std::move(v)});
        dynamic_ = dynamic_ || (c.value && c.value->dynamic());
    }
    for (const auto& d : p.deadlines) {
        ResolvedDeadline r{&d, std::nullopt};
        const auto off = std::chrono::minutes{d.offset_minutes};
        if (d.anchor == Anchor::start && a_.start_known) r.at = a_.start + off;
        if (d.anchor == Anchor::end && a_.end) r.at = *a_.end + off;
        deadlines_.push_back(r);
    }
    dynamic_ = dynamic_ || !p.references.empty() ||
               std::any_of(p.deadlines.begin(), p.deadlines.end(),
                           [](const DeadlineRule& d) { return d.anchor == Anchor::declaration; });
}

void Plan::render_into(std::string& out, const Template& t, const DeclarationRefs& refs) const {
    const auto& l = local_;
    for (const auto& part : t.parts) {
        if (!part.is_var) {
            out.append(part.text);
            continue;
        }
        // A draft shows what is not known yet as the shape it will take.
        if (part.var == TemplateVar::call && a_.call.empty() && a_.draft) {
            out.append("N#####");
            continue;
        }
        if (!a_.start_known && !per_declaration(part.var)) {
            for (const char c : to_string(part.var)) {
                out.push_back(c == 'i' ? 'M' : static_cast<char>(c - 'a' + 'A'));
            }
            continue;
        }
        switch (part.var) {
            case TemplateVar::call: out.append(a_.call); break;
            case TemplateVar::yyyy: fmt::format_to(std::back_inserter(out), "{:04}", l.year); break;
            case TemplateVar::yy: append_2(out, l.year % 100); break;
            case TemplateVar::mm: append_2(out, l.month); break;
            case TemplateVar::dd: append_2(out, l.day); break;
            case TemplateVar::hh: append_2(out, l.hour); break;
            case TemplateVar::mi: append_2(out, l.minute); break;
            case TemplateVar::ss: append_2(out, l.second); break;
            case TemplateVar::yyyymmdd:
                fmt::format_to(std::back_inserter(out), "{:04}", l.year);
                append_2(out, l.month);
                append_2(out, l.day);
                break;
            case TemplateVar::hhmmss:
                append_2(out, l.hour);
                append_2(out, l.minute);
                append_2(out, l.second);
                break;
            case TemplateVar::bcp_id: out.append(refs.bcp_id); break;
            case TemplateVar::mrn: out.append(refs.mrn); break;
            case TemplateVar::lrn: out.append(refs.lrn); break;
        }
    }
}

std::string Plan::render(const Template& t, const DeclarationRefs& refs) const {
    std::string out;
    render_into(out, t, refs);
    return out;
}

}  // namespace bcp
