#include "bcp/format/checklist.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bcp/annotate/annotate.hpp"
#include "bcp/core/time.hpp"
#include "bcp/registry/systems.hpp"

namespace bcp {

namespace {

using ojson = nlohmann::ordered_json;

ojson null_or(const std::string& s) { return s.empty() ? ojson() : ojson(s); }

bool in_stage(Stage s, bool retrospective) { return !retrospective || s != Stage::during; }

}  // namespace


ojson checklist_json(const Plan& plan, bool retro) {
    const auto& p = plan.procedure();
    const auto& a = plan.activation();
    ojson j;
    j["procedure"] = p.id;
    j["title"] = p.title;
    j["kind"] = p.kind;
    j["country"] = a.country;
    j["system"] = a.system;
    j["call"] = null_or(a.call);
    ojson warnings = ojson::array();
    if (a.start_known) {
        j["start"] = format_rfc3339(a.start);
        const auto& l = plan.start_local();
        j["start_local"] = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", l.year, l.month,
                                       l.day, l.hour, l.minute, l.second);
    } else {
        j["start"] = ojson();
        j["start_local"] = ojson();
        warnings.push_back("no start given: times are relative to the start, and dates and "
                           "times in mentions are shown as their shape");
    }
    if (a.call.empty() && p.call_required) {
        warnings.push_back("no call number given: mentions show it as N#####");
    }
    j["zone"] = plan.zone();
    j["end"] = a.end ? ojson(format_rfc3339(*a.end)) : ojson();
    if (!p.when.empty()) j["when"] = p.when;
    if (!p.applies_to.empty()) j["applies_to"] = p.applies_to;
    ojson caveats = ojson::array();
    for (const auto& c : p.caveats) {
        caveats.push_back({{"text", c.text}, {"source", c.origin.source}});
    }
    j["caveats"] = caveats;
    ojson mentions = ojson::array();
    for (const auto& m : plan.mentions()) {
        if (!in_stage(m.rule->stage, retro)) continue;
        ojson x{{"field", m.rule->field}};
        if (!m.rule->document.empty()) x["document"] = m.rule->document;
        x["value"] = m.value;
        x["per_declaration"] = m.rule->value.dynamic();
        x["stage"] = to_string(m.rule->stage);
        x["source"] = m.rule->origin.source;
        mentions.push_back(x);
    }
    j["mentions"] = mentions;
    ojson codes = ojson::array();
    for (const auto& c : plan.codes()) {
        if (!in_stage(c.rule->stage, retro)) continue;
        ojson x{{"code", c.rule->code}, {"field", c.rule->field}};
        x["value"] = c.rule->value ? ojson(c.value) : ojson();
        x["per_declaration"] = c.rule->value && c.rule->value->dynamic();
        if (!c.rule->item.empty()) x["item"] = c.rule->item;
        x["stage"] = to_string(c.rule->stage);
        x["source"] = c.rule->origin.source;
        codes.push_back(x);
    }
    j["codes"] = codes;
    ojson refs = ojson::array();
    for (const auto& r : p.references) {
        ojson x{{"type", to_string(r.type)}, {"label", r.label}, {"field", r.field},
               {"generate", r.generate}};
        if (!r.same_as.empty()) x["same_as"] = r.same_as;
        x["source"] = r.origin.source;
        refs.push_back(x);
    }
    j["references"] = refs;
    ojson docs = ojson::array();
    for (const auto& d : p.documents) {
        if (!in_stage(d.stage, retro)) continue;
        ojson x{{"name", d.name}};
        if (d.copies > 0) x["copies"] = d.copies;
        x["text"] = d.text;
        x["source"] = d.origin.source;
        docs.push_back(x);
    }
    j["documents"] = docs;
    ojson deadlines = ojson::array();
    for (const auto& d : plan.deadlines()) {
        static constexpr std::string_view anchors[] = {"start", "end", "declaration"};
        ojson x{{"name", d.rule->name},
               {"kind", d.rule->not_before ? "not-before" : "deadline"},
               {"at", d.at ? ojson(format_rfc3339(*d.at)) : ojson()},
               {"anchor", anchors[static_cast<int>(d.rule->anchor)]},
               {"offset_minutes", d.rule->offset_minutes}};
        if (!d.rule->condition.empty()) x["condition"] = d.rule->condition;
        if (!d.rule->field.empty()) x["field"] = d.rule->field;
        x["text"] = d.rule->text;
        x["source"] = d.rule->origin.source;
        deadlines.push_back(x);
    }
    j["deadlines"] = deadlines;
    const auto& rr = p.retrospective;
    j["retrospective"] = {{"status", rr.status == Retrospective::not_stated
                                         ? ojson()
                                         : ojson(to_string(rr.status))},
                          {"text", rr.text},
                          {"source", rr.origin.source}};
    if (!rr.field.empty()) {
        j["retrospective"]["field"] = rr.field;
        j["retrospective"]["values"] = rr.values;
    }
    if (rr.status == Retrospective::not_stated) {
        warnings.push_back("submitting electronically afterwards: not stated by the authority");
    }
    j["rate_cap"] = p.rate_cap ? ojson{{"messages_per_second", p.rate_cap->messages_per_second},
                                      {"text", p.rate_cap->text},
                                      {"source", p.rate_cap->origin.source}}
                               : ojson();
    j["buffering"] = p.buffering ? ojson{{"allowed", p.buffering->allowed},
                                        {"authorisation_required",
                                         p.buffering->authorisation_required
                                             ? ojson(*p.buffering->authorisation_required)
                                             : ojson()},
                                        {"text", p.buffering->text},
                                        {"source", p.buffering->origin.source}}
                                 : ojson();
    ojson contacts = ojson::array();
    for (const auto& c : p.contacts) {
        ojson x{{"name", c.name}};
        for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"email", &c.email},
                                   {"phone", &c.phone}, {"url", &c.url},
                                   {"region", &c.region}, {"purpose", &c.purpose}}) {
            if (!v->empty()) x[k] = *v;
        }
        contacts.push_back(x);
    }
    j["contacts"] = contacts;
    ojson steps = ojson::array();
    for (const auto& s : p.steps) {
        if (!in_stage(s.stage, retro)) continue;
        ojson x{{"text", s.text}, {"stage", to_string(s.stage)}};
        if (!s.items.empty()) x["items"] = s.items;
        steps.push_back(x);
    }
    j["steps"] = steps;
    j["sources"] = p.sources();
    j["rule_file"] = rule_file_label(p.origin.file);
    j["warnings"] = warnings;
    return j;
}

// Wraps `text` at `width` columns, each line after the first indented by `indent`.
namespace {

std::string wrap(std::string_view text, std::size_t width, std::size_t indent) {
    std::string out, word;
    std::size_t col = indent;
    bool first = true;
    auto flush_word = [&] {
        if (word.empty()) return;
        if (!first && col + 1 + word.size() > width) {
            out.push_back('\n');
            out.append(indent, ' ');
            col = indent;
            first = true;
        }
        if (!first) {
            out.push_back(' ');
            ++col;
        }
        out.append(word);
        col += word.size();
        first = false;
        word.clear();
    };
    for (char c : text) {
        if (c == ' ' || c == '\n') {
            flush_word();
        } else {
            word.push_back(c);
        }
    }
    flush_word();
    return out;
}

// "30 minutes after the start", "the end", "2 hours before the start".
std::string relative_time(std::string_view anchor, std::int64_t minutes) {
    if (minutes == 0) return std::string(anchor);
    const auto n = minutes < 0 ? -minutes : minutes;
    const std::string amount = n % 60 == 0 ? fmt::format("{} hour{}", n / 60, n == 60 ? "" : "s")
                                           : fmt::format("{} minute{}", n, n == 1 ? "" : "s");
    return fmt::format("{} {} {}", amount, minutes < 0 ? "before" : "after", anchor);
}

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

}  // namespace

std::string checklist_text(const Plan& plan, const ojson& j) {
    std::string out;
    auto w = std::back_inserter(out);
    const auto str = [](const ojson& v) { return v.is_null() ? std::string() : v.get<std::string>(); };
    fmt::format_to(w, "{} {}: {}\n", str(j["country"]), str(j["system"]), str(j["title"]));
    if (!j["call"].is_null()) {
        fmt::format_to(w, "Call      {}\n", str(j["call"]));
    } else if (plan.procedure().call_required) {
        out.append("Call      not given (shown as N#####)\n");
    }
    const auto& a = plan.activation();
    if (a.start_known) {
        fmt::format_to(w, "Start     {} {} ({})\n", str(j["start_local"]).replace(10, 1, " "),
                       zone_abbreviation(a.start, plan.zone()), str(j["start"]));
    } else {
        fmt::format_to(w, "Start     not given: times below are relative to the start ({})\n",
                       plan.zone());
    }
    if (a.end) {
        const auto l = utc_to_local(*a.end, plan.zone());
        fmt::format_to(w, "End       {:04}-{:02}-{:02} {:02}:{:02}:{:02} {} ({})\n", l.year, l.month,
                       l.day, l.hour, l.minute, l.second, zone_abbreviation(*a.end, plan.zone()),
                       str(j["end"]));
    } else {
        out.append("End       not announced yet\n");
    }
    if (j.contains("when")) fmt::format_to(w, "When      {}\n", str(j["when"]));
    fmt::format_to(w, "Rule      {} ({})\n", str(j["procedure"]), str(j["rule_file"]));
    if (j.contains("applies_to")) {
        out.append("For       ");
        bool first = true;
        for (const auto& x : j["applies_to"]) {
            if (!first) out.append("          ");
            out.append(wrap(str(x), 96, 10));
            out.push_back('\n');
            first = false;
        }
    }
    if (!j["caveats"].empty()) {
        out.append("\nIMPORTANT\n");
        for (const auto& c : j["caveats"]) fmt::format_to(w, "  ! {}\n", wrap(str(c["text"]), 96, 4));
    }

    // Mentions grouped by document and box, one line each, boxed as they go on paper.
    if (!j["mentions"].empty()) {
        out.append("\nWRITE ON THE DOCUMENTS\n");
        std::vector<std::pair<std::string, std::vector<std::string>>> groups;
        for (const auto& m : j["mentions"]) {
            const auto doc = m.contains("document") ? str(m["document"]) : std::string("declaration");
            const auto title = fmt::format("{}, box \"{}\"", doc, str(m["field"]));
            std::string value = str(m["value"]);
            if (m["per_declaration"].get<bool>()) value += "   <- one per declaration";
            if (groups.empty() || groups.back().first != title) groups.push_back({title, {}});
            groups.back().second.push_back(value);
        }
        for (const auto& [title, lines] : groups) {
            std::size_t width = 0;
            for (const auto& l : lines) width = std::max(width, display_width(l));
            fmt::format_to(w, "  {}:\n", title);
            fmt::format_to(w, "    +{}+\n", std::string(width + 2, '-'));
            for (const auto& l : lines) {
                fmt::format_to(w, "    | {}{} |\n", l, std::string(width - display_width(l), ' '));
            }
            fmt::format_to(w, "    +{}+\n", std::string(width + 2, '-'));
        }
    }
    if (!j["codes"].empty()) {
        out.append("\nCODES\n");
        for (const auto& c : j["codes"]) {
            std::string line = fmt::format("  {} in \"{}\"", str(c["code"]), str(c["field"]));
            if (!c["value"].is_null()) line += ": " + str(c["value"]);
            if (c.contains("item")) line += " (" + str(c["item"]) + ")";
            if (str(c["stage"]) == "after") line += "   [after the outage]";
            if (c["per_declaration"].get<bool>()) line += "   <- per declaration";
            out.append(line);
            out.push_back('\n');
        }
    }
    if (!j["references"].empty()) {
        out.append("\nREFERENCES (one per declaration)\n");
        for (const auto& r : j["references"]) {
            fmt::format_to(w, "  {}: {}{}\n", str(r["label"]),
                           r["generate"].get<bool>()
                               ? "the declaration's \"" + str(r["field"]) + "\", else a fresh one"
                               : "the declaration's \"" + str(r["field"]) + "\"",
                           r.contains("same_as") ? ", equal to \"" + str(r["same_as"]) + "\""
                                                 : std::string());
        }
    }
    if (!j["documents"].empty()) {
        out.append("\nDOCUMENTS\n");
        for (const auto& d : j["documents"]) {
            const auto head = d.contains("copies")
                                  ? fmt::format("{} (x{})", str(d["name"]), d["copies"].get<int>())
                                  : str(d["name"]);
            // A long name puts its text on the next line rather than in a narrow column.
            if (display_width(head) > 36) {
                fmt::format_to(w, "  [ ] {}:\n      {}\n", head, wrap(str(d["text"]), 96, 6));
            } else {
                fmt::format_to(w, "  [ ] {}: {}\n", head,
                               wrap(str(d["text"]), 96, 6 + display_width(head) + 2));
            }
        }
    }
    if (!j["deadlines"].empty()) {
        out.append("\nDEADLINES\n");
        for (const auto& d : j["deadlines"]) {
            std::string when;
            const auto anchor = str(d["anchor"]);
            const auto offset = d["offset_minutes"].get<std::int64_t>();
            if (!d["at"].is_null()) {
                when = str(d["at"]);
            } else if (anchor == "declaration") {
                when = "per declaration (" + str(d["field"]) + ")";
            } else if (anchor == "start") {
                when = relative_time("the start", offset);
            } else {
                when = relative_time("the end", offset) + " (the end is not announced yet)";
            }
            const bool not_before = str(d["kind"]) == "not-before";
            fmt::format_to(w, "  {}: {}{}\n", str(d["name"]), not_before ? "not before " : "",
                           when);
            if (d.contains("condition")) {
                fmt::format_to(w, "      {}\n", wrap("and only once " + str(d["condition"]), 96, 6));
            }
            fmt::format_to(w, "      {}\n", wrap(str(d["text"]), 96, 6));
        }
    }
    if (!j["steps"].empty()) {
        out.append("\nSTEPS\n");
        for (const auto& s : j["steps"]) {
            fmt::format_to(w, "  [ ] {}{}\n", wrap(str(s["text"]), 96, 6),
                           str(s["stage"]) == "after" ? "   [after the outage]" : "");
            if (s.contains("items")) {
                for (const auto& i : s["items"]) {
                    fmt::format_to(w, "      - {}\n", wrap(i.get<std::string>(), 96, 8));
                }
            }
        }
    }
    out.append("\nAFTER THE OUTAGE\n");
    const auto& r = j["retrospective"];
    fmt::format_to(w, "  Submit electronically afterwards: {}{}\n      {}\n",
                   r["status"].is_null() ? "not stated by the authority" : str(r["status"]),
                   r.contains("field") ? fmt::format(" (only where {} is {})", str(r["field"]),
                                                     fmt::join(r["values"].get<std::vector<std::string>>(),
                                                               " or "))
                                       : std::string(),
                   wrap(str(r["text"]), 96, 6));
    if (!j["rate_cap"].is_null()) {
        fmt::format_to(w, "  Rate cap: {} messages per second\n",
                       j["rate_cap"]["messages_per_second"].get<unsigned>());
    }
    if (!j["buffering"].is_null()) {
        const auto& b = j["buffering"];
        fmt::format_to(w, "  Buffering: {}{}\n      {}\n",
                       b["allowed"].get<bool>() ? "allowed" : "not allowed",
                       b["authorisation_required"].is_null()
                           ? ", authorisation not stated by the authority"
                           : (b["authorisation_required"].get<bool>() ? " with an authorisation"
                                                                      : ", no authorisation needed"),
                       wrap(str(b["text"]), 96, 6));
    }
    if (!j["contacts"].empty()) {
        out.append("\nCONTACTS\n");
        for (const auto& c : j["contacts"]) {
            std::string line = "  " + str(c["name"]);
            for (const char* k : {"email", "phone", "url"}) {
                if (c.contains(k)) line += "  " + str(c[k]);
            }
            if (c.contains("purpose")) line += "  (" + str(c["purpose"]) + ")";
            out.append(line);
            out.push_back('\n');
        }
    }
    out.append("\nSOURCES\n");
    for (const auto& s : j["sources"]) fmt::format_to(w, "  {}\n", wrap(str(s), 96, 4));
    return out;
}


nlohmann::ordered_json rule_system_json(const Procedure& p, const std::string& system) {
    const auto* info = find_system(system);
    return ojson{{"country", p.country},
                 {"system", system},
                 {"name", info != nullptr ? info->name : std::string()},
                 {"procedure", p.id},
                 {"kind", p.kind},
                 {"title", p.title},
                 {"default", p.is_default},
                 {"retrospective", p.retrospective.status == Retrospective::not_stated
                                       ? ojson()
                                       : ojson(to_string(p.retrospective.status))},
                 {"file", rule_file_label(p.origin.file)}};
}

std::string rule_system_text(const Procedure& p, const std::string& system) {
    return fmt::format("{:<3} {:<10} {:<28} {}{}\n", p.country, system, p.id, p.title,
                       p.is_default ? "" : " (--rule)");
}

nlohmann::ordered_json rule_lint_json(const std::filesystem::path& file,
                                      const std::vector<Procedure>& procedures,
                                      const std::vector<RuleProblem>& problems) {
    ojson ids = ojson::array();
    for (const auto& p : procedures) ids.push_back(p.id);
    ojson probs = ojson::array();
    for (const auto& p : problems) {
        probs.push_back({{"line", p.line}, {"key", p.key.empty() ? ojson() : ojson(p.key)}, {"message", p.message}});
    }
    return ojson{{"file", file.string()}, {"valid", problems.empty()}, {"procedures", ids}, {"problems", probs}};
}

std::string rule_lint_text(const std::filesystem::path& file, const std::vector<Procedure>& procedures,
                           const std::vector<RuleProblem>& problems) {
    std::string out;
    if (problems.empty()) {
        out = fmt::format("{}: ok, {} procedure{}\n", file.string(), procedures.size(),
                          procedures.size() == 1 ? "" : "s");
    }
    for (const auto& p : problems) fmt::format_to(std::back_inserter(out), "{}:{}: {}\n", p.file, p.line, describe(p));
    return out;
}

std::string refused_text(const Plan& plan, std::size_t refused) {
    const auto& r = plan.procedure().retrospective;
    return fmt::format("{} declaration{} must not be submitted electronically afterwards: {} (rule {}, "
                       "source {})",
                       refused, refused == 1 ? "" : "s", r.text, plan.procedure().id, r.origin.source);
}

}  // namespace bcp
