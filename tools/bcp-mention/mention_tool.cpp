#include "mention_tool.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/data_dir.hpp"
#include "bcp/error.hpp"
#include "bcp/generate.hpp"
#include "bcp/rules.hpp"
#include "bcp/systems.hpp"
#include "bcp/time.hpp"
#include "tool.hpp"

namespace bcp::mention_tool {
namespace {

namespace t = bcp::tool;
using json = nlohmann::ordered_json;

// A procedure rule refused the request (a transit started on paper sent to NCTS afterwards).
class refused_error : public bcp::error {
public:
    explicit refused_error(const std::string& message, std::string file = {}, std::size_t line = 0)
        : bcp::error("refused", message, std::move(file), line) {}
};

// The answer is "no" (no rule for the system, nothing to submit afterwards): exit 1.
class no_error : public bcp::error {
public:
    explicit no_error(const std::string& message) : bcp::error("none", message) {}
};

std::string strip_json_prefix(std::string_view what) {
    const auto close = what.find("] ");
    return std::string(close == std::string_view::npos ? what : what.substr(close + 2));
}

std::string upper(std::string s) {
    for (auto& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return s;
}

// Bundled rule files are shown relative to the data directory, so output does not depend on
// where bcpkit is installed; a user's file is shown as found.
std::string shown_path(const std::string& file) {
    std::error_code ec;
    const auto base = std::filesystem::weakly_canonical(data_dir(), ec).string() + "/";
    const auto full = std::filesystem::weakly_canonical(file, ec).string();
    if (!ec && full.compare(0, base.size(), base) == 0) return full.substr(base.size());
    return file;
}

json null_or(const std::string& s) { return s.empty() ? json() : json(s); }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// --- Choosing the procedure --------------------------------------------------------------------

struct Chosen {
    std::string country, system, call;
    std::optional<UtcTime> start, end;
    std::optional<LocalTime> start_local;
};

// Picks the procedure entry of a notice event file: the last event matching --country and
// --system (a later event is an update: a prolongation moves the end).
Chosen from_event_file(const Options& o, std::istream& stdin_stream, t::Reporter& reporter) {
    t::Input input(o.procedure, stdin_stream);
    t::LineReader reader(input.stream());
    t::LineReader::Line line;
    std::optional<Chosen> found;
    const std::string want_country = upper(o.country);
    const std::string want_system = o.system.empty() ? std::string() : canonical_system(o.system);
    if (!o.system.empty() && want_system.empty()) {
        throw usage_error(fmt::format("unknown system '{}' (see bcp-mention systems)", o.system));
    }
    std::size_t events = 0;
    while (reader.next(line)) {
        if (line.too_long) {
            throw data_error("too-long", "notice event line is too long", input.name(), line.number);
        }
        if (line.text.find_first_not_of(" \t") == std::string_view::npos) continue;
        json ev;
        try {
            ev = json::parse(line.text);
        } catch (const json::exception& e) {
            throw data_error("json", "malformed notice event: " + strip_json_prefix(e.what()),
                             input.name(), line.number);
        }
        ++events;
        auto bad = [&](const std::string& msg) {
            return data_error("event", msg, input.name(), line.number);
        };
        if (!ev.is_object()) throw bad("a notice event must be a JSON object");
        if (!ev.contains("country") || !ev["country"].is_string()) {
            throw bad("notice event without a \"country\" string");
        }
        if (!ev.contains("procedures") || !ev["procedures"].is_array()) {
            throw bad("notice event without a \"procedures\" array");
        }
        const auto country = upper(ev["country"].get<std::string>());
        if (!want_country.empty() && country != want_country) continue;
        const json* pick = nullptr;
        for (const auto& p : ev["procedures"]) {
            if (!p.is_object() || !p.contains("system") || !p["system"].is_string()) {
                throw bad("a procedure of the event has no \"system\" string");
            }
            const auto sys = canonical_system(p["system"].get<std::string>());
            if (sys.empty()) {
                throw bad(fmt::format("unknown system '{}' in the event",
                                      p["system"].get<std::string>()));
            }
            if (!want_system.empty() && sys != want_system) continue;
            if (pick != nullptr && want_system.empty()) {
                throw usage_error(fmt::format("the event at {}:{} has procedures for several "
                                              "systems; choose one with --system",
                                              input.name(), line.number));
            }
            pick = &p;
        }
        if (pick == nullptr) continue;
        Chosen c;
        c.country = country;
        c.system = canonical_system((*pick)["system"].get<std::string>());
        auto text = [&](const char* key) -> std::string {
            if (!pick->contains(key) || (*pick)[key].is_null()) return {};
            if (!(*pick)[key].is_string()) throw bad(fmt::format("\"{}\" must be a string", key));
            return (*pick)[key].get<std::string>();
        };
        c.call = text("call");
        const auto start = text("start"), end = text("end"), mention = text("mention");
        if (!start.empty()) {
            c.start = parse_time(start, "UTC");
            if (!c.start) throw bad(fmt::format("\"start\" '{}' is not a time", start));
        }
        if (!end.empty()) {
            c.end = parse_time(end, "UTC");
            if (!c.end) throw bad(fmt::format("\"end\" '{}' is not a time", end));
        }
        if (!mention.empty()) {
            // The mention customs printed is what they will match: its call and wall-clock start
            // win over the event's other fields.
            const auto m = parse_mention(mention);
            if (!m) throw bad(fmt::format("\"mention\" '{}' is not a valid emergency mention", mention));
            if (!c.call.empty() && c.call != m->call) {
                reporter.warning(fmt::format("{}:{}: call {} differs from the mention {}; the "
                                             "mention is used",
                                             input.name(), line.number, c.call, mention));
            }
            c.call = m->call;
            c.start_local = LocalTime{m->year, m->month, m->day, m->hour, m->minute, m->second};
        }
        found = std::move(c);
    }
    if (!found) {
        throw no_error(fmt::format("no procedure for {} {} in {} ({} events read)",
                                   want_country.empty() ? "any country" : want_country,
                                   want_system.empty() ? "any system" : want_system, input.name(),
                                   events));
    }
    return *found;
}

const Procedure& choose_rule(const RuleSet& rules, const Options& o, const std::string& country,
                             const std::string& system) {
    if (!o.rule.empty()) {
        const auto* p = rules.find(o.rule);
        if (p == nullptr) throw usage_error(fmt::format("no procedure rule with id '{}'", o.rule));
        if (std::find(p->systems.begin(), p->systems.end(), system) == p->systems.end()) {
            throw usage_error(fmt::format("procedure {} is not for system {}", o.rule, system));
        }
        return *p;
    }
    const auto found = rules.match(country, system);
    if (found.empty()) {
        throw no_error(fmt::format("no procedure rule for {} {} (see bcp-mention systems)", country,
                                   system));
    }
    if (found.size() == 1) return *found.front();
    const Procedure* def = nullptr;
    std::string ids;
    for (const auto* p : found) {
        ids += (ids.empty() ? "" : ", ") + p->id;
        if (p->is_default) def = def == nullptr ? p : def;
    }
    if (def != nullptr) return *def;
    throw usage_error(fmt::format("several procedures apply to {} {}: {}; choose one with --rule",
                                  country, system, ids));
}

// --- Generating references ---------------------------------------------------------------------

// Draws references from the durable sequence in growing blocks (1, 2, 4 ... 1024), so a short
// run reserves what it uses and a long one does not lock and fsync per declaration. Numbers of
// the last block left unused are skipped, never handed out twice.
class Generator {
public:
    Generator(GenerateOptions options, SequenceFile& sequence)
        : o_(resolve(std::move(options))), sequence_(sequence), key_(sequence_key(o_)),
          max_(sequence_max(o_)) {}

    std::string next() {
        if (left_ == 0) {
            const std::uint64_t room = max_ >= sequence_.peek(key_) ? max_ - sequence_.peek(key_) + 1 : 0;
            const std::uint64_t want = std::max<std::uint64_t>(1, std::min(block_, room));
            next_ = sequence_.reserve(key_, want, max_);
            left_ = want;
            block_ = std::min<std::uint64_t>(block_ * 2, 1024);
        }
        --left_;
        return make_reference(o_, next_++);
    }

private:
    GenerateOptions o_;
    SequenceFile& sequence_;
    std::string key_;
    std::uint64_t max_;
    std::uint64_t next_ = 0, left_ = 0, block_ = 1;
};

// --- Annotating --------------------------------------------------------------------------------

bool in_stage(Stage s, bool retrospective) { return !retrospective || s != Stage::during; }

class Annotator {
public:
    Annotator(const Plan& plan, const Options& o, t::Output& out, t::Reporter& reporter)
        : plan_(plan), o_(o), out_(out), reporter_(reporter) {
        const auto& p = plan.procedure();
        const auto& a = plan.activation();
        if (std::any_of(p.references.begin(), p.references.end(),
                        [](const ReferenceRule& r) { return r.generate; })) {
            sequence_ = std::make_unique<SequenceFile>(
                o.state.empty() ? SequenceFile::default_path() : std::filesystem::path(o.state));
        }
        for (const auto& r : p.references) {
            if (!r.generate) {
                generators_.emplace_back(nullptr);
                continue;
            }
            GenerateOptions g;
            g.type = r.type;
            g.country = r.type == RefType::bcp_id ? "BE" : (p.country == "EU" ? a.country : p.country);
            g.procedure = r.letter;
            // The year of the procedure start: a declaration made under it belongs to it.
            g.year2 = plan.start_local().year % 100;
            g.prefix = o.prefix;
            generators_.push_back(std::make_unique<Generator>(g, *sequence_));
        }
        build_static();
    }

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
    // The parts of the "bcp" object that are the same for every declaration, as JSON text.
    void build_static() {
        const auto& p = plan_.procedure();
        const auto& a = plan_.activation();
        const bool retro = o_.retrospective;
        head_ = R"({"procedure":)" + dump(p.id) + R"(,"country":)" + dump(a.country) +
                R"(,"system":)" + dump(a.system) + R"(,"call":)" + dump(null_or(a.call)) +
                R"(,"start":")" + format_rfc3339(a.start) + R"(","end":)" +
                (a.end ? "\"" + format_rfc3339(*a.end) + "\"" : std::string("null"));
        for (const auto& m : plan_.mentions()) {
            if (!in_stage(m.rule->stage, retro)) continue;
            json j{{"field", m.rule->field}};
            if (!m.rule->document.empty()) j["document"] = m.rule->document;
            j["value"] = m.value;
            j["stage"] = to_string(m.rule->stage);
            mentions_.push_back(make_piece(m.rule->value.dynamic() ? &m.rule->value : nullptr, j));
        }
        for (const auto& c : plan_.codes()) {
            if (!in_stage(c.rule->stage, retro)) continue;
            json j{{"code", c.rule->code}, {"field", c.rule->field}};
            j["value"] = c.rule->value ? json(c.value) : json();
            if (!c.rule->item.empty()) j["item"] = c.rule->item;
            j["stage"] = to_string(c.rule->stage);
            const bool dyn = c.rule->value && c.rule->value->dynamic();
            codes_.push_back(make_piece(dyn ? &*c.rule->value : nullptr, j));
        }
        json docs = json::array();
        for (const auto& d : p.documents) {
            if (!in_stage(d.stage, retro)) continue;
            json j{{"name", d.name}};
            if (d.copies > 0) j["copies"] = d.copies;
            j["text"] = d.text;
            docs.push_back(j);
        }
        for (const auto& d : plan_.deadlines()) {
            json j{{"name", d.rule->name}};
            j["at"] = d.at ? json(format_rfc3339(*d.at)) : json();
            j["text"] = d.rule->text;
            deadlines_.push_back({d.rule, dump(j)});
        }
        tail_ = R"(,"documents":)" + dump(docs) + R"(,"retrospective":")" +
                std::string(to_string(p.retrospective.status)) + R"(","rate_cap":)" +
                (p.rate_cap ? std::to_string(p.rate_cap->messages_per_second) : std::string("null")) +
                R"(,"sources":)" + dump(p.sources()) + "}";
    }

    // One element of the mentions or codes array. A dynamic one is kept as the JSON text
    // before and after its value, so a declaration costs one template rendering.
    struct Piece {
        const Template* dynamic = nullptr;
        std::string json;   // the whole element, or the text before the value
        std::string after;  // the text after the value
    };

    static Piece make_piece(const Template* dynamic, json j) {
        if (dynamic == nullptr) return {nullptr, dump(j), {}};
        j["value"] = "\x01";
        const auto text = dump(j);
        const auto at = text.find("\"\\u0001\"");
        return {dynamic, text.substr(0, at), text.substr(at + 8)};
    }

    void append_dynamic(std::string& out, const Piece& piece, const Plan::DeclarationRefs& refs) {
        out.append(piece.json);
        scratch_.clear();
        plan_.render_into(scratch_, *piece.dynamic, refs);
        t::append_json_string(out, scratch_);
        out.append(piece.after);
    }

    bool bad_line(const std::string& file, std::size_t line, std::string_view kind,
                  const std::string& message) {
        ++invalid_;
        if (!o_.skip_invalid) {
            reporter_.error(kind, message, file, line);
            return false;
        }
        auto& out = out_.buffer();
        out.append(R"({"line":)");
        out.append(std::to_string(line));
        if (file != "<stdin>") {
            out.append(R"(,"file":)");
            t::append_json_string(out, file);
        }
        out.append(R"(,"error":{"kind":)");
        t::append_json_string(out, kind);
        out.append(R"(,"message":)");
        t::append_json_string(out, message);
        out.append("}}\n");
        out_.maybe_flush();
        return true;
    }

    bool record(const std::string& file, std::size_t number, std::string_view text) {
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            return bad_line(file, number, "empty", "empty line where a JSON object was expected");
        }
        json doc;
        try {
            doc = json::parse(text);
        } catch (const json::exception& e) {
            return bad_line(file, number, "json", "malformed JSON: " + strip_json_prefix(e.what()));
        }
        if (!doc.is_object()) {
            return bad_line(file, number, "json",
                            fmt::format("a declaration must be a JSON object, found {}",
                                        doc.type_name()));
        }
        const auto& p = plan_.procedure();
        json problems = json::array();
        std::string refs_json = "[";
        std::vector<std::string> values(p.references.size());
        Plan::DeclarationRefs refs;
        for (std::size_t i = 0; i < p.references.size(); ++i) {
            const auto& r = p.references[i];
            const auto it = doc.find(r.field);
            std::string origin;
            if (it != doc.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
                values[i] = it->get<std::string>();
                origin = "declaration";
                const Check c = check(r.type, values[i]);
                for (const auto& pr : c) {
                    if (pr.severity != Severity::error) continue;
                    problems.push_back({{"field", r.field},
                                        {"code", code_name(pr.code)},
                                        {"message", describe(pr, values[i])}});
                }
            } else if (it != doc.end() && !it->is_null() && !it->is_string()) {
                origin = "declaration";
                problems.push_back({{"field", r.field},
                                    {"code", code_name(Code::not_a_string)},
                                    {"message", fmt::format("{} must be a string", r.field)}});
            } else if (r.generate) {
                values[i] = generators_[i]->next();
                origin = "generated";
            } else {
                problems.push_back({{"field", r.field},
                                    {"code", code_name(Code::missing_field)},
                                    {"message", fmt::format("the declaration has no {} ({})",
                                                            r.field, r.label)}});
            }
            if (!r.same_as.empty()) {
                const auto other = doc.find(r.same_as);
                if (other != doc.end() && other->is_string() && !values[i].empty() &&
                    other->get_ref<const std::string&>() != values[i]) {
                    problems.push_back(
                        {{"field", r.field},
                         {"code", "mismatch"},
                         {"message", fmt::format("{} '{}' differs from {} '{}'", r.field, values[i],
                                                 r.same_as, other->get<std::string>())}});
                }
            }
            if (r.type == RefType::bcp_id && refs.bcp_id.empty()) refs.bcp_id = values[i];
            if (r.type == RefType::mrn && refs.mrn.empty()) refs.mrn = values[i];
            if (r.type == RefType::lrn && refs.lrn.empty()) refs.lrn = values[i];
            if (i > 0) refs_json.push_back(',');
            refs_json.append(R"({"type":")");
            refs_json.append(to_string(r.type));
            refs_json.append(R"(","field":)");
            t::append_json_string(refs_json, r.field);
            refs_json.append(R"(,"value":)");
            if (values[i].empty()) {
                refs_json.append("null");
            } else {
                t::append_json_string(refs_json, values[i]);
            }
            refs_json.append(R"(,"origin":)");
            refs_json.append(origin.empty() ? "null" : "\"" + origin + "\"");
            refs_json.push_back('}');
        }
        refs_json.push_back(']');

        // The declaration goes out as it came, with the bcp object added; only a declaration
        // that already had one (annotated twice) is re-serialised without it.
        auto& out = out_.buffer();
        if (doc.contains("bcp")) {
            doc.erase("bcp");
            const auto again = dump(doc);
            out.append(again, 0, again.size() - 1);
            if (!doc.empty()) out.push_back(',');
        } else {
            auto body = text;
            while (!body.empty() && body.back() != '}') body.remove_suffix(1);
            body.remove_suffix(1);
            out.append(body);
            if (!doc.empty()) out.push_back(',');
        }
        out.append(R"("bcp":)");
        out.append(head_);
        out.append(R"(,"mentions":[)");
        for (std::size_t i = 0; i < mentions_.size(); ++i) {
            if (i > 0) out.push_back(',');
            if (mentions_[i].dynamic != nullptr) {
                append_dynamic(out, mentions_[i], refs);
            } else {
                out.append(mentions_[i].json);
            }
        }
        out.append(R"(],"codes":[)");
        for (std::size_t i = 0; i < codes_.size(); ++i) {
            if (i > 0) out.push_back(',');
            if (codes_[i].dynamic != nullptr) {
                append_dynamic(out, codes_[i], refs);
            } else {
                out.append(codes_[i].json);
            }
        }
        out.append(R"(],"references":)");
        out.append(refs_json);
        out.append(R"(,"deadlines":[)");
        for (std::size_t i = 0; i < deadlines_.size(); ++i) {
            if (i > 0) out.push_back(',');
            const auto& [rule, fixed] = deadlines_[i];
            if (rule->anchor != Anchor::declaration) {
                out.append(fixed);
                continue;
            }
            json j{{"name", rule->name}, {"at", nullptr}};
            const auto it = doc.find(rule->field);
            if (it != doc.end() && it->is_string()) {
                const auto& s = it->get_ref<const std::string&>();
                if (const auto at = parse_time(s, plan_.zone())) {
                    j["at"] = format_rfc3339(*at + std::chrono::minutes{rule->offset_minutes});
                    j["from"] = s;
                } else {
                    problems.push_back({{"field", rule->field},
                                        {"code", "time"},
                                        {"message", fmt::format("{} '{}' is not a date or time",
                                                                rule->field, s)}});
                }
            }
            j["text"] = rule->text;
            out.append(dump(j));
        }
        out.push_back(']');
        out.append(tail_, 0, tail_.size() - 1);
        if (!problems.empty()) {
            ++invalid_;
            out.append(R"(,"problems":)");
            out.append(dump(problems));
        }
        out.append("}}\n");
        out_.maybe_flush();
        return true;
    }

    const Plan& plan_;
    const Options& o_;
    t::Output& out_;
    t::Reporter& reporter_;
    std::unique_ptr<SequenceFile> sequence_;
    std::vector<std::unique_ptr<Generator>> generators_;
    std::string head_, tail_;
    std::vector<Piece> mentions_, codes_;
    std::vector<std::pair<const DeadlineRule*, std::string>> deadlines_;
    std::string scratch_;
    std::size_t invalid_ = 0;
};

// --- Checklist ---------------------------------------------------------------------------------

json checklist_json(const Plan& plan, bool retro) {
    const auto& p = plan.procedure();
    const auto& a = plan.activation();
    json j;
    j["procedure"] = p.id;
    j["title"] = p.title;
    j["kind"] = p.kind;
    j["country"] = a.country;
    j["system"] = a.system;
    j["call"] = null_or(a.call);
    j["start"] = format_rfc3339(a.start);
    const auto& l = plan.start_local();
    j["start_local"] = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", l.year, l.month, l.day,
                                   l.hour, l.minute, l.second);
    j["zone"] = plan.zone();
    j["end"] = a.end ? json(format_rfc3339(*a.end)) : json();
    if (!p.when.empty()) j["when"] = p.when;
    json mentions = json::array();
    for (const auto& m : plan.mentions()) {
        if (!in_stage(m.rule->stage, retro)) continue;
        json x{{"field", m.rule->field}};
        if (!m.rule->document.empty()) x["document"] = m.rule->document;
        x["value"] = m.value;
        x["per_declaration"] = m.rule->value.dynamic();
        x["stage"] = to_string(m.rule->stage);
        x["source"] = m.rule->origin.source;
        mentions.push_back(x);
    }
    j["mentions"] = mentions;
    json codes = json::array();
    for (const auto& c : plan.codes()) {
        if (!in_stage(c.rule->stage, retro)) continue;
        json x{{"code", c.rule->code}, {"field", c.rule->field}};
        x["value"] = c.rule->value ? json(c.value) : json();
        x["per_declaration"] = c.rule->value && c.rule->value->dynamic();
        if (!c.rule->item.empty()) x["item"] = c.rule->item;
        x["stage"] = to_string(c.rule->stage);
        x["source"] = c.rule->origin.source;
        codes.push_back(x);
    }
    j["codes"] = codes;
    json refs = json::array();
    for (const auto& r : p.references) {
        json x{{"type", to_string(r.type)}, {"label", r.label}, {"field", r.field},
               {"generate", r.generate}};
        if (!r.same_as.empty()) x["same_as"] = r.same_as;
        x["source"] = r.origin.source;
        refs.push_back(x);
    }
    j["references"] = refs;
    json docs = json::array();
    for (const auto& d : p.documents) {
        if (!in_stage(d.stage, retro)) continue;
        json x{{"name", d.name}};
        if (d.copies > 0) x["copies"] = d.copies;
        x["text"] = d.text;
        x["source"] = d.origin.source;
        docs.push_back(x);
    }
    j["documents"] = docs;
    json deadlines = json::array();
    for (const auto& d : plan.deadlines()) {
        static constexpr std::string_view anchors[] = {"start", "end", "declaration"};
        json x{{"name", d.rule->name},
               {"at", d.at ? json(format_rfc3339(*d.at)) : json()},
               {"anchor", anchors[static_cast<int>(d.rule->anchor)]},
               {"offset_minutes", d.rule->offset_minutes}};
        if (!d.rule->field.empty()) x["field"] = d.rule->field;
        x["text"] = d.rule->text;
        x["source"] = d.rule->origin.source;
        deadlines.push_back(x);
    }
    j["deadlines"] = deadlines;
    j["retrospective"] = {{"status", to_string(p.retrospective.status)},
                          {"text", p.retrospective.text},
                          {"source", p.retrospective.origin.source}};
    j["rate_cap"] = p.rate_cap ? json{{"messages_per_second", p.rate_cap->messages_per_second},
                                      {"text", p.rate_cap->text},
                                      {"source", p.rate_cap->origin.source}}
                               : json();
    j["buffering"] = p.buffering ? json{{"allowed", p.buffering->allowed},
                                        {"authorisation_required",
                                         p.buffering->authorisation_required},
                                        {"text", p.buffering->text},
                                        {"source", p.buffering->origin.source}}
                                 : json();
    json contacts = json::array();
    for (const auto& c : p.contacts) {
        json x{{"name", c.name}};
        for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"email", &c.email},
                                   {"phone", &c.phone}, {"url", &c.url},
                                   {"region", &c.region}, {"purpose", &c.purpose}}) {
            if (!v->empty()) x[k] = *v;
        }
        contacts.push_back(x);
    }
    j["contacts"] = contacts;
    json steps = json::array();
    for (const auto& s : p.steps) {
        if (!in_stage(s.stage, retro)) continue;
        json x{{"text", s.text}, {"stage", to_string(s.stage)}};
        if (!s.items.empty()) x["items"] = s.items;
        steps.push_back(x);
    }
    j["steps"] = steps;
    j["sources"] = p.sources();
    j["rule_file"] = shown_path(p.origin.file);
    return j;
}

// Wraps `text` at `width` columns, each line after the first indented by `indent`.
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

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

std::string checklist_text(const Plan& plan, const json& j) {
    std::string out;
    auto w = std::back_inserter(out);
    const auto str = [](const json& v) { return v.is_null() ? std::string() : v.get<std::string>(); };
    fmt::format_to(w, "{} {}: {}\n", str(j["country"]), str(j["system"]), str(j["title"]));
    if (!j["call"].is_null()) fmt::format_to(w, "Call      {}\n", str(j["call"]));
    const auto& a = plan.activation();
    fmt::format_to(w, "Start     {} {} ({})\n",
                   str(j["start_local"]).replace(10, 1, " "), zone_abbreviation(a.start, plan.zone()),
                   str(j["start"]));
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
            if (!d["at"].is_null()) {
                when = str(d["at"]);
            } else if (str(d["anchor"]) == "declaration") {
                when = "per declaration (" + str(d["field"]) + ")";
            } else {
                when = "when the end is announced";
            }
            fmt::format_to(w, "  {}: {}\n      {}\n", str(d["name"]), when,
                           wrap(str(d["text"]), 96, 6));
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
    fmt::format_to(w, "  Submit electronically afterwards: {}\n      {}\n", str(r["status"]),
                   wrap(str(r["text"]), 96, 6));
    if (!j["rate_cap"].is_null()) {
        fmt::format_to(w, "  Rate cap: {} messages per second\n",
                       j["rate_cap"]["messages_per_second"].get<unsigned>());
    }
    if (!j["buffering"].is_null()) {
        const auto& b = j["buffering"];
        fmt::format_to(w, "  Buffering: {}{}\n      {}\n",
                       b["allowed"].get<bool>() ? "allowed" : "not allowed",
                       b["authorisation_required"].get<bool>() ? " with an authorisation"
                                                               : ", no authorisation needed",
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

// --- Commands ----------------------------------------------------------------------------------

int run_annotate(const Options& o, std::istream& in, t::Output& out, t::Reporter& reporter) {
    Chosen chosen;
    if (!o.procedure.empty()) {
        if (!o.start.empty() || !o.call.empty()) {
            throw usage_error("--procedure takes the call and start from the notice event; do "
                              "not give --call or --start with it");
        }
        chosen = from_event_file(o, in, reporter);
        if (!o.end.empty()) chosen.end.reset();
    } else {
        if (o.country.empty() || o.system.empty()) {
            throw usage_error("give --country and --system (or --procedure FILE)");
        }
        chosen.country = upper(o.country);
        chosen.system = canonical_system(o.system);
        if (chosen.system.empty()) {
            throw usage_error(fmt::format("unknown system '{}' (see bcp-mention systems)", o.system));
        }
        chosen.call = upper(o.call);
    }
    const RuleSet rules = RuleSet::load();
    const Procedure& rule = choose_rule(rules, o, chosen.country, chosen.system);

    Activation a;
    a.procedure = &rule;
    a.country = chosen.country;
    a.system = chosen.system;
    a.call = chosen.call;
    a.zone = o.tz;
    a.start_local = chosen.start_local;
    const std::string zone = o.tz.empty() ? rule.zone : o.tz;
    if (!is_zone(zone)) throw usage_error(fmt::format("--tz '{}' is not an IANA time zone", zone));
    if (!o.start.empty()) {
        const auto s = parse_time(o.start, zone);
        if (!s) throw usage_error(fmt::format("--start '{}' is not a time", o.start));
        chosen.start = s;
    }
    if (!o.end.empty()) {
        const auto e = parse_time(o.end, zone);
        if (!e) throw usage_error(fmt::format("--end '{}' is not a time", o.end));
        chosen.end = e;
    }
    if (!chosen.start) {
        if (chosen.start_local) {
            chosen.start = local_to_utc(*chosen.start_local, zone);
        } else {
            throw usage_error(fmt::format("procedure {} needs its start (--start)", rule.id));
        }
    }
    a.start = *chosen.start;
    a.end = chosen.end;
    if (a.end && *a.end < a.start) {
        throw usage_error(fmt::format("the end {} is before the start {}", format_rfc3339(*a.end),
                                      format_rfc3339(a.start)));
    }
    const Plan plan(a);

    if (o.retrospective) {
        const auto& r = rule.retrospective;
        if (r.status == Retrospective::forbidden) {
            throw refused_error(fmt::format("{} {}: {} must not be submitted electronically "
                                            "afterwards: {} (rule {}, source {})",
                                            a.country, a.system, "a declaration under " + rule.id,
                                            r.text, rule.id, r.origin.source),
                                shown_path(r.origin.file), r.origin.line);
        }
        if (r.status == Retrospective::not_applicable) {
            throw no_error(fmt::format("{} {}: nothing to submit afterwards: {} (rule {}, source {})",
                                       a.country, a.system, r.text, rule.id, r.origin.source));
        }
    }

    if (o.checklist) {
        const auto j = checklist_json(plan, o.retrospective);
        if (o.format == "text") {
            out.write(checklist_text(plan, j));
        } else {
            out.write(dump(j));
            out.put('\n');
        }
        if (!out.finish()) throw io_error("cannot write to standard output");
        return t::ok;
    }
    if (o.format == "text") {
        throw usage_error("--format text is for --checklist; annotated declarations are JSON Lines");
    }
    Annotator annotator(plan, o, out, reporter);
    std::vector<std::string> files = o.files;
    if (files.empty()) files.emplace_back("-");
    for (const auto& name : files) {
        t::Input input(name, in);
        if (!annotator.file(input)) return out.finish() ? t::bad_data : t::usage;
        if (out.closed()) break;
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
    return annotator.any_invalid() ? t::no : t::ok;
}

int run_systems(const Options& o, t::Output& out) {
    const RuleSet rules = RuleSet::load();
    for (const auto& p : rules.procedures()) {
        for (const auto& s : p.systems) {
            const auto* info = find_system(s);
            if (o.format == "text") {
                out.write(fmt::format("{:<3} {:<10} {:<28} {}{}\n", p.country, s, p.id, p.title,
                                      p.is_default ? "" : " (--rule)"));
                continue;
            }
            json j{{"country", p.country}, {"system", s},
                   {"name", info != nullptr ? info->name : std::string()},
                   {"procedure", p.id},       {"kind", p.kind},
                   {"title", p.title},        {"default", p.is_default},
                   {"retrospective", to_string(p.retrospective.status)},
                   {"file", shown_path(p.origin.file)}};
            out.write(dump(j));
            out.put('\n');
        }
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
    return t::ok;
}

int run_lint(const Options& o, t::Output& out) {
    std::vector<std::filesystem::path> files;
    if (o.files.empty()) {
        for (const auto& entry : rules_search_path()) {
            std::error_code ec;
            if (std::filesystem::is_directory(entry, ec)) {
                std::vector<std::filesystem::path> here;
                for (const auto& f : std::filesystem::directory_iterator(entry, ec)) {
                    if (f.path().extension() == ".toml") here.push_back(f.path());
                }
                std::sort(here.begin(), here.end());
                files.insert(files.end(), here.begin(), here.end());
            } else {
                files.push_back(entry);
            }
        }
    } else {
        for (const auto& f : o.files) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(f, ec)) {
                throw io_error(fmt::format("cannot open {}: {}", f,
                                           std::filesystem::exists(f, ec) ? "not a regular file"
                                                                          : "No such file or directory"),
                               f);
            }
            files.emplace_back(f);
        }
    }
    bool all_ok = true;
    for (const auto& f : files) {
        std::vector<Procedure> procs;
        const auto problems = lint_rule_file(f, &procs);
        all_ok = all_ok && problems.empty();
        if (o.format == "text") {
            if (problems.empty()) {
                out.write(fmt::format("{}: ok, {} procedure{}\n", f.string(), procs.size(),
                                      procs.size() == 1 ? "" : "s"));
            }
            for (const auto& p : problems) {
                out.write(fmt::format("{}:{}: {}\n", p.file, p.line, describe(p)));
            }
            continue;
        }
        json ids = json::array();
        for (const auto& p : procs) ids.push_back(p.id);
        json probs = json::array();
        for (const auto& p : problems) {
            probs.push_back({{"line", p.line}, {"key", null_or(p.key)}, {"message", p.message}});
        }
        out.write(dump(json{{"file", f.string()}, {"valid", problems.empty()},
                            {"procedures", ids}, {"problems", probs}}));
        out.put('\n');
    }
    if (!out.finish()) throw io_error("cannot write to standard output");
    return all_ok ? t::ok : t::no;
}

}  // namespace

int run(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    t::Reporter reporter("bcp-mention", err);
    reporter.set_json(options.errors_json);
    try {
        t::Output output(out);
        switch (options.command) {
            case Command::annotate: return run_annotate(options, in, output, reporter);
            case Command::systems: return run_systems(options, output);
            case Command::lint: return run_lint(options, output);
        }
        return t::usage;
    } catch (const usage_error& e) {
        reporter.usage(e.what());
        return t::usage;
    } catch (const no_error& e) {
        reporter.error(e);
        return t::no;
    } catch (const bcp::error& e) {
        reporter.error(e);
        return t::exit_for(e);
    } catch (const std::exception& e) {
        reporter.error("internal", e.what());
        return t::usage;
    }
}

}  // namespace bcp::mention_tool
