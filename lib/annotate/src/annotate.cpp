// Choosing the procedure in force and annotating declarations under it (see annotate.hpp).
#include "bcp/annotate/annotate.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/core/time.hpp"
#include "bcp/registry/knowledge.hpp"
#include "bcp/registry/systems.hpp"

namespace bcp {
namespace {

using ojson = nlohmann::ordered_json;

std::string upper(std::string_view in) {
    std::string s(in);
    for (auto& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return s;
}

ojson null_or(const std::string& s) {
    return s.empty() ? ojson() : ojson(s);
}

bool in_stage(Stage s, bool retrospective) {
    return !retrospective || s != Stage::during;
}

// --- Notice event files ----------------------------------------------------------------------

constexpr std::size_t max_event_line = 64u << 20;

struct Chosen {
    std::string country, system, call;
    std::optional<UtcTime> start, end;
    std::optional<LocalTime> start_local;
};

// Opens the event file like the tools open their inputs: the same messages for a missing file
// or a directory.
std::istream& open_events(const std::string& name, std::istream* stdin_stream, std::ifstream& file,
                          std::string& shown) {
    if (name == "-") {
        shown = "<stdin>";
        if (stdin_stream == nullptr) throw usage_error("--procedure - needs standard input");
        return *stdin_stream;
    }
    shown = name;
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) {
        throw io_error(fmt::format("cannot open {}: {}", name, std::strerror(errno)), name);
    }
    if (S_ISDIR(st.st_mode)) throw io_error(fmt::format("{} is a directory", name), name);
    file.open(name, std::ios::binary);
    if (!file) throw io_error(fmt::format("cannot open {}: {}", name, std::strerror(errno)), name);
    return file;
}

// Picks the procedure entry of a notice event file: the last event matching the country and
// system (a later event is an update: a prolongation moves the end).
Chosen from_event_file(const ActivationRequest& r, std::istream* stdin_stream,
                       std::vector<std::string>* warnings) {
    std::ifstream file;
    std::string name;
    std::istream& in = open_events(r.events_file, stdin_stream, file, name);
    std::optional<Chosen> found;
    const std::string want_country = upper(r.country);
    const std::string want_system = r.system.empty() ? std::string() : canonical_system(r.system);
    if (!r.system.empty() && want_system.empty()) {
        throw usage_error(fmt::format("unknown system '{}' (see bcp-mention systems)", r.system));
    }
    std::size_t events = 0, number = 0;
    std::string buffer;
    while (std::getline(in, buffer)) {
        ++number;
        std::string_view line = buffer;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
        if (line.size() > max_event_line) {
            throw data_error("too-long", "notice event line is too long", name, number);
        }
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        ojson ev;
        try {
            ev = parse_ordered_json(line);
        } catch (const ojson::exception& e) {
            throw data_error("json", "malformed notice event: " + json_error_text(e.what()), name,
                             number);
        }
        ++events;
        auto bad = [&](const std::string& msg) { return data_error("event", msg, name, number); };
        if (!ev.is_object()) throw bad("a notice event must be a JSON object");
        if (!ev.contains("country") || !ev["country"].is_string()) {
            throw bad("notice event without a \"country\" string");
        }
        if (!ev.contains("procedures") || !ev["procedures"].is_array()) {
            throw bad("notice event without a \"procedures\" array");
        }
        const auto country = upper(ev["country"].get<std::string>());
        if (!want_country.empty() && country != want_country) continue;
        const ojson* pick = nullptr;
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
                throw usage_error(
                    fmt::format("the event at {}:{} has procedures for several "
                                "systems; choose one with --system",
                                name, number));
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
            if (!m) {
                throw bad(
                    fmt::format("\"mention\" '{}' is not a valid emergency mention", mention));
            }
            if (!c.call.empty() && c.call != m->call && warnings != nullptr) {
                warnings->push_back(
                    fmt::format("{}:{}: call {} differs from the mention {}; the "
                                "mention is used",
                                name, number, c.call, mention));
            }
            c.call = m->call;
            c.start_local = LocalTime{m->year, m->month, m->day, m->hour, m->minute, m->second};
        }
        found = std::move(c);
    }
    if (in.bad()) throw io_error(fmt::format("read error on {}", name), name);
    if (!found) {
        throw none_error(fmt::format("no procedure for {} {} in {} ({} events read)",
                                     want_country.empty() ? "any country" : want_country,
                                     want_system.empty() ? "any system" : want_system, name,
                                     events));
    }
    return *found;
}

// --- Fast text ---------------------------------------------------------------------------------

void append_2(std::string& out, unsigned v) {
    out.push_back(static_cast<char>('0' + (v / 10) % 10));
    out.push_back(static_cast<char>('0' + v % 10));
}

// format_rfc3339 without going through a stream and its locale: the deadline of every
// declaration is printed with it.
void append_rfc3339(std::string& out, UtcTime t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const int y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999) {
        out.append(format_rfc3339(t));
        return;
    }
    const auto secs = static_cast<unsigned>((t - day).count());
    const auto uy = static_cast<unsigned>(y);
    append_2(out, uy / 100);
    append_2(out, uy % 100);
    out.push_back('-');
    append_2(out, static_cast<unsigned>(ymd.month()));
    out.push_back('-');
    append_2(out, static_cast<unsigned>(ymd.day()));
    out.push_back('T');
    append_2(out, secs / 3600);
    out.push_back(':');
    append_2(out, secs / 60 % 60);
    out.push_back(':');
    append_2(out, secs % 60);
    out.push_back('Z');
}

// A strict JSON validator for one declaration line that also picks out the top-level string
// values the rule reads. It accepts no more than nlohmann's parser does (RFC 8259, well-formed
// UTF-8, paired surrogates, nothing after the value); anything it cannot settle cheaply
// (deep nesting, escaped keys or wanted values, a "bcp" key) is handed back to the DOM path.
class Scanner {
  public:
    using Kind = detail::FieldKind;
    using Found = detail::FieldView;

    Scanner(std::string_view s, const std::vector<std::string>& wanted, std::vector<Found>& found)
        : s_(s), wanted_(wanted), found_(found) {}

    // True when the text is one JSON object this fast path can annotate.
    bool object(bool& empty, std::string_view& body) {
        ws();
        if (!eat('{')) return false;
        ws();
        empty = true;
        if (!eat('}')) {
            empty = false;
            for (;;) {
                ws();
                std::string_view key;
                bool escaped = false;
                if (!string(key, escaped) || escaped) return false;
                ws();
                if (!eat(':')) return false;
                ws();
                if (key == "bcp") return false;
                std::size_t slot = wanted_.size();
                for (std::size_t i = 0; i < wanted_.size(); ++i) {
                    if (wanted_[i] == key) slot = i;
                }
                if (slot < wanted_.size()) {
                    Found f;
                    if (peek() == '"') {
                        if (!string(f.value, escaped) || escaped) return false;
                        f.kind = Kind::string;
                    } else {
                        const bool is_null = s_.substr(i_, 4) == "null";
                        if (!value(1)) return false;
                        f.kind = is_null ? Kind::null : Kind::other;
                    }
                    found_[slot] = f;
                } else if (!value(1)) {
                    return false;
                }
                ws();
                if (eat(',')) continue;
                if (!eat('}')) return false;
                break;
            }
        }
        const std::size_t close = i_ - 1;
        ws();
        if (i_ != s_.size()) return false;
        body = s_.substr(0, close);
        return true;
    }

  private:
    static constexpr int max_depth = 256;

    [[nodiscard]] char peek() const noexcept { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool eat(char c) noexcept {
        if (peek() != c || i_ >= s_.size()) return false;
        ++i_;
        return true;
    }
    void ws() noexcept {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            ++i_;
        }
    }
    bool literal(std::string_view word) noexcept {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }
    bool digits() noexcept {
        const auto from = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ > from;
    }
    // nlohmann rejects a number that overflows a double ("number overflow parsing '1e400'"):
    // numbers with an exponent or over 300 characters go to the DOM path, which decides.
    bool number() noexcept {
        const auto from = i_;
        eat('-');
        if (eat('0')) {
            // no leading zeros
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            return false;
        }
        if (eat('.') && !digits()) return false;
        return peek() != 'e' && peek() != 'E' && i_ - from <= 300;
    }
    static int hex(char c) noexcept {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    bool u4(unsigned& v) noexcept {
        if (i_ + 4 > s_.size()) return false;
        v = 0;
        for (int k = 0; k < 4; ++k) {
            const int h = hex(s_[i_++]);
            if (h < 0) return false;
            v = v * 16 + static_cast<unsigned>(h);
        }
        return true;
    }
    // The raw text between the quotes; `escaped` when it holds a backslash.
    bool string(std::string_view& raw, bool& escaped) noexcept {
        if (!eat('"')) return false;
        const auto from = i_;
        escaped = false;
        while (i_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                raw = s_.substr(from, i_ - from);
                ++i_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                escaped = true;
                ++i_;
                const char e = peek();
                ++i_;
                switch (e) {
                    case '"':
                    case '\\':
                    case '/':
                    case 'b':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                        break;
                    case 'u': {
                        unsigned v = 0;
                        if (!u4(v)) return false;
                        if (v >= 0xDC00 && v <= 0xDFFF) return false;
                        if (v >= 0xD800 && v <= 0xDBFF) {
                            unsigned low = 0;
                            if (!eat('\\') || !eat('u') || !u4(low) || low < 0xDC00 ||
                                low > 0xDFFF) {
                                return false;
                            }
                        }
                        break;
                    }
                    default:
                        return false;
                }
                continue;
            }
            if (c < 0x80) {
                ++i_;
                continue;
            }
            std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            if (len == 0 || i_ + len > s_.size() || !valid_utf8(s_.substr(i_, len))) return false;
            i_ += len;
        }
        return false;
    }
    bool value(int depth) noexcept {
        if (depth > max_depth) return false;
        switch (peek()) {
            case '"': {
                std::string_view raw;
                bool escaped = false;
                return string(raw, escaped);
            }
            case '{': {
                ++i_;
                ws();
                if (eat('}')) return true;
                for (;;) {
                    ws();
                    std::string_view raw;
                    bool escaped = false;
                    if (!string(raw, escaped)) return false;
                    ws();
                    if (!eat(':')) return false;
                    ws();
                    if (!value(depth + 1)) return false;
                    ws();
                    if (eat(',')) continue;
                    return eat('}');
                }
            }
            case '[': {
                ++i_;
                ws();
                if (eat(']')) return true;
                for (;;) {
                    ws();
                    if (!value(depth + 1)) return false;
                    ws();
                    if (eat(',')) continue;
                    return eat(']');
                }
            }
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
    const std::vector<std::string>& wanted_;
    std::vector<Found>& found_;
};

}  // namespace

// --- Choosing the procedure ----------------------------------------------------------------------

const Procedure& choose_rule(const RuleSet& rules, std::string_view country,
                             std::string_view system, std::string_view rule_id) {
    if (!rule_id.empty()) {
        const auto* p = rules.find(rule_id);
        if (p == nullptr) throw usage_error(fmt::format("no procedure rule with id '{}'", rule_id));
        if (std::find(p->systems.begin(), p->systems.end(), system) == p->systems.end()) {
            throw usage_error(fmt::format("procedure {} is not for system {}", rule_id, system));
        }
        return *p;
    }
    const auto found = rules.match(country, system);
    if (found.empty()) {
        throw none_error(
            fmt::format("no procedure rule for {} {} (see bcp-mention systems)", country, system));
    }
    if (found.size() == 1) return *found.front();
    const Procedure* def = nullptr;
    std::string ids;
    for (const auto* p : found) {
        ids += (ids.empty() ? "" : ", ") + p->id;
        if (p->is_default && def == nullptr) def = p;
    }
    if (def != nullptr) return *def;
    throw usage_error(fmt::format("several procedures apply to {} {}: {}; choose one with --rule",
                                  country, system, ids));
}

Activation resolve_activation(const RuleSet& rules, const ActivationRequest& request,
                              std::istream* events_stdin, std::vector<std::string>* warnings) {
    Chosen chosen;
    if (!request.events_file.empty()) {
        if (!request.start.empty() || !request.call.empty()) {
            throw usage_error(
                "--procedure takes the call and start from the notice event; do "
                "not give --call or --start with it");
        }
        chosen = from_event_file(request, events_stdin, warnings);
        if (!request.end.empty()) chosen.end.reset();
    } else {
        if (request.country.empty() || request.system.empty()) {
            throw usage_error("give --country and --system (or --procedure FILE)");
        }
        chosen.country = upper(request.country);
        chosen.system = canonical_system(request.system);
        if (chosen.system.empty()) {
            throw usage_error(
                fmt::format("unknown system '{}' (see bcp-mention systems)", request.system));
        }
        chosen.call = upper(request.call);
    }
    const Procedure& rule = choose_rule(rules, chosen.country, chosen.system, request.rule);

    Activation a;
    a.procedure = &rule;
    a.country = chosen.country;
    a.system = chosen.system;
    a.call = chosen.call;
    a.start_local = chosen.start_local;
    if (!request.zone.empty() && !is_zone(request.zone)) {
        throw usage_error(fmt::format("--tz '{}' is not an IANA time zone", request.zone));
    }
    const std::string zone = activation_zone(rule, chosen.country, request.zone);
    a.zone = zone == rule.zone ? std::string() : zone;
    if (!request.start.empty()) {
        const auto s = parse_time(request.start, zone);
        if (!s) throw usage_error(fmt::format("--start '{}' is not a time", request.start));
        chosen.start = s;
    }
    if (!request.end.empty()) {
        const auto e = parse_time(request.end, zone);
        if (!e) throw usage_error(fmt::format("--end '{}' is not a time", request.end));
        chosen.end = e;
    }
    a.draft = request.draft;
    if (!chosen.start && !chosen.start_local && request.draft) {
        a.start_known = false;
        chosen.start = UtcTime{};
    }
    if (!chosen.start) {
        if (!chosen.start_local) {
            throw usage_error(fmt::format("procedure {} needs its start (--start)", rule.id));
        }
        chosen.start = local_to_utc(*chosen.start_local, zone);
    }
    a.start = *chosen.start;
    a.end = chosen.end;
    if (a.end && *a.end < a.start) {
        throw usage_error(fmt::format("the end {} is before the start {}", format_rfc3339(*a.end),
                                      format_rfc3339(a.start)));
    }
    return a;
}

std::string activation_zone(const Procedure& rule, std::string_view country,
                            std::string_view tz) {
    if (!tz.empty()) return std::string(tz);
    if (rule.country == "EU" && !country.empty() && country != "EU") {
        if (const auto* profile = Knowledge::get().authority_of_country(country);
            profile != nullptr && !profile->zone.empty()) {
            return profile->zone;
        }
    }
    return rule.zone;
}

std::optional<std::string> check_retrospective(const Plan& plan) {
    const auto& rule = plan.procedure();
    const auto& a = plan.activation();
    const auto& r = rule.retrospective;
    if (!r.field.empty()) return std::nullopt;  // decided per declaration
    if (r.status == Retrospective::not_stated) {
        return fmt::format("{} {}: the authority does not say whether declarations under {} are "
                           "submitted electronically afterwards; ask customs before sending them",
                           a.country, a.system, rule.id);
    }
    if (r.status == Retrospective::forbidden) {
        throw refused_error(
            fmt::format("{} {}: a declaration under {} must not be submitted "
                        "electronically afterwards: {} (rule {}, source {})",
                        a.country, a.system, rule.id, r.text, rule.id, r.origin.source),
            rule_file_label(r.origin.file), r.origin.line);
    }
    if (r.status == Retrospective::not_applicable) {
        throw none_error(fmt::format("{} {}: nothing to submit afterwards: {} (rule {}, source {})",
                                     a.country, a.system, r.text, rule.id, r.origin.source));
    }
    return std::nullopt;
}

std::string rule_file_label(const std::string& file) {
    std::error_code ec;
    const auto base = std::filesystem::weakly_canonical(data_dir(), ec).string() + "/";
    const auto full = std::filesystem::weakly_canonical(file, ec).string();
    if (!ec && full.compare(0, base.size(), base) == 0) return full.substr(base.size());
    return file;
}

// --- Generator -----------------------------------------------------------------------------------

Generator::Generator(GenerateOptions options, SequenceFile& sequence)
    : o_(resolve(std::move(options))),
      sequence_(sequence),
      key_(sequence_key(o_)),
      max_(sequence_max(o_)) {}

std::string Generator::next() {
    if (left_ == 0) {
        const std::uint64_t at = sequence_.peek(key_);
        const std::uint64_t room = max_ >= at ? max_ - at + 1 : 0;
        const std::uint64_t want = std::max<std::uint64_t>(1, std::min(block_, room));
        next_ = sequence_.reserve(key_, want, max_);
        left_ = want;
        block_ = std::min<std::uint64_t>(block_ * 2, 1024);
    }
    --left_;
    return make_reference(o_, next_++);
}

// --- Annotator -----------------------------------------------------------------------------------

// One element of the mentions, codes or deadlines array. A per-declaration one is kept as the
// JSON text before and after its value, so a declaration costs one rendering.
struct Annotator::Piece {
    const Template* dynamic = nullptr;       // mentions and codes: the template to render
    const DeadlineRule* deadline = nullptr;  // a declaration-anchored deadline
    std::string json;                        // the whole element, or the text before the value
    std::string after;                       // the text after the value
};

namespace {

// Splits the dumped element at its "value" (or "at") member set to the marker.
std::pair<std::string, std::string> split_at_marker(const ojson& j) {
    const auto text = json_line(j);
    const auto at = text.find("\"\\u0001\"");
    return {text.substr(0, at), text.substr(at + 8)};
}

}  // namespace

Annotator::Annotator(const Plan& plan, AnnotateOptions options)
    : plan_(plan), o_(std::move(options)) {
    const auto& p = plan.procedure();
    const auto& a = plan.activation();
    if (std::any_of(p.references.begin(), p.references.end(),
                    [](const ReferenceRule& r) { return r.generate; })) {
        sequence_ = std::make_unique<SequenceFile>(o_.state.empty() ? SequenceFile::default_path()
                                                                    : o_.state);
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
        g.prefix = o_.prefix;
        generators_.push_back(std::make_unique<Generator>(g, *sequence_));
    }
    // The keys the rule reads, in a fixed order: references, then their same_as, then deadline
    // fields (duplicates are harmless: the scanner fills every slot with the key).
    for (const auto& r : p.references) wanted_.push_back(r.field);
    for (const auto& r : p.references) {
        if (!r.same_as.empty()) wanted_.push_back(r.same_as);
    }
    for (const auto& d : p.deadlines) {
        if (d.anchor == Anchor::declaration) wanted_.push_back(d.field);
    }
    if (!p.retrospective.field.empty()) wanted_.push_back(p.retrospective.field);
    values_.resize(p.references.size());
    build_static();
}

Annotator::~Annotator() = default;

// The parts of the "bcp" object that are the same for every declaration, as JSON text.
void Annotator::build_static() {
    const auto& p = plan_.procedure();
    const auto& a = plan_.activation();
    const bool retro = o_.retrospective;
    head_ = R"("bcp":{"procedure":)" + json_line(ojson(p.id)) + R"(,"country":)" + json_line(ojson(a.country)) +
            R"(,"system":)" + json_line(ojson(a.system)) + R"(,"call":)" + json_line(null_or(a.call)) +
            R"(,"start":")" + format_rfc3339(a.start) + R"(","end":)" +
            (a.end ? "\"" + format_rfc3339(*a.end) + "\"" : std::string("null"));
    for (const auto& m : plan_.mentions()) {
        if (!in_stage(m.rule->stage, retro)) continue;
        ojson j{{"field", m.rule->field}};
        if (!m.rule->document.empty()) j["document"] = m.rule->document;
        j["value"] = m.value;
        j["stage"] = to_string(m.rule->stage);
        Piece piece;
        if (m.rule->value.dynamic()) {
            piece.dynamic = &m.rule->value;
            j["value"] = "\x01";
            std::tie(piece.json, piece.after) = split_at_marker(j);
        } else {
            piece.json = json_line(j);
        }
        mentions_.push_back(std::move(piece));
    }
    for (const auto& c : plan_.codes()) {
        if (!in_stage(c.rule->stage, retro)) continue;
        ojson j{{"code", c.rule->code}, {"field", c.rule->field}};
        j["value"] = c.rule->value ? ojson(c.value) : ojson();
        if (!c.rule->item.empty()) j["item"] = c.rule->item;
        j["stage"] = to_string(c.rule->stage);
        Piece piece;
        if (c.rule->value && c.rule->value->dynamic()) {
            piece.dynamic = &*c.rule->value;
            j["value"] = "\x01";
            std::tie(piece.json, piece.after) = split_at_marker(j);
        } else {
            piece.json = json_line(j);
        }
        codes_.push_back(std::move(piece));
    }
    for (const auto& d : plan_.deadlines()) {
        ojson j{{"name", d.rule->name}};
        Piece piece;
        if (d.rule->anchor == Anchor::declaration) {
            // "at" and "from" come from the declaration; both are written in place of the marker.
            piece.deadline = d.rule;
            j["at"] = "\x01";
            j["text"] = d.rule->text;
            std::tie(piece.json, piece.after) = split_at_marker(j);
        } else {
            j["at"] = d.at ? ojson(format_rfc3339(*d.at)) : ojson();
            j["text"] = d.rule->text;
            piece.json = json_line(j);
        }
        deadlines_.push_back(std::move(piece));
    }
    ojson docs = ojson::array();
    for (const auto& d : p.documents) {
        if (!in_stage(d.stage, retro)) continue;
        ojson j{{"name", d.name}};
        if (d.copies > 0) j["copies"] = d.copies;
        j["text"] = d.text;
        docs.push_back(j);
    }
    documents_ = R"(,"documents":)" + json_line(docs) + R"(,"retrospective":)";
    tail_ = R"(,"rate_cap":)" +
            (p.rate_cap ? std::to_string(p.rate_cap->messages_per_second) : std::string("null"));
    if (o_.sources) tail_ += R"(,"sources":)" + json_line(ojson(p.sources()));
}

template <class Lookup>
std::size_t Annotator::emit(std::string_view body, bool empty, const Lookup& lookup,
                            std::string& out) {
    using Kind = detail::FieldKind;
    using Field = detail::FieldView;
    const auto& p = plan_.procedure();
    ojson problems;  // built only when there is one: the clean path allocates no DOM
    auto problem = [&](const std::string& field, std::string_view code, std::string message) {
        problems.push_back({{"field", field}, {"code", code}, {"message", std::move(message)}});
    };

    out.append(body);
    if (!empty) out.push_back(',');
    out.append(head_);

    // A rule whose retrospective status holds only for some declarations (a paper transit)
    // does not govern the others: they get no mentions or codes, only why.
    const auto& retro_rule = p.retrospective;
    std::optional<Retrospective> retro = retro_rule.status;
    if (!retro_rule.field.empty()) {
        const Field f = lookup(retro_rule.field);
        const std::string value = f.kind == Kind::string ? std::string(f.value) : std::string();
        retro = retrospective_for(retro_rule, f.kind == Kind::string ? &value : nullptr);
        if (!retro) {
            out.append(R"(,"governed":false,"reason":)");
            append_json_string(
                out, fmt::format("{} is '{}': procedure {} governs only declarations whose {} is "
                                 "{}",
                                 retro_rule.field, value, p.id, retro_rule.field,
                                 fmt::join(retro_rule.values, " or ")));
            out.append("}}");
            return 0;
        }
        if (*retro == Retrospective::forbidden && o_.retrospective) {
            ++refused_;
            problem(retro_rule.field, "retrospective-forbidden",
                    fmt::format("{}: must not be submitted electronically afterwards: {} (rule {}, "
                                "source {})",
                                f.kind == Kind::string ? retro_rule.field + " is '" + value + "'"
                                                       : "no " + retro_rule.field,
                                retro_rule.text, p.id, retro_rule.origin.source));
        }
    }

    // References first: the templates below use them. Written to scratch_ and copied after the
    // mentions and codes, in the order of the bcp object.
    Plan::DeclarationRefs refs;
    std::string& refs_json = scratch_;
    refs_json.assign("[");
    for (std::size_t i = 0; i < p.references.size(); ++i) {
        const auto& r = p.references[i];
        auto& value = values_[i];
        value.clear();
        const Field f = lookup(r.field);
        std::string_view origin;
        if (f.kind == Kind::string && !f.value.empty()) {
            value.assign(f.value);
            origin = "declaration";
            const Check c = check(r.type, value);
            for (const auto& pr : c) {
                if (pr.severity != Severity::error) continue;
                problem(r.field, code_name(pr.code), describe(pr, value));
            }
        } else if (f.kind == Kind::other) {
            origin = "declaration";
            problem(r.field, code_name(Code::not_a_string),
                    fmt::format("{} must be a string", r.field));
        } else if (r.generate) {
            value = generators_[i]->next();
            origin = "generated";
        } else {
            problem(r.field, code_name(Code::missing_field),
                    fmt::format("the declaration has no {} ({})", r.field, r.label));
        }
        if (!r.same_as.empty()) {
            const Field other = lookup(r.same_as);
            if (other.kind == Kind::string && !value.empty() && other.value != value) {
                problem(r.field, "mismatch",
                        fmt::format("{} '{}' differs from {} '{}'", r.field, value, r.same_as,
                                    other.value));
            }
        }
        if (i > 0) refs_json.push_back(',');
        refs_json.append(R"({"type":")");
        refs_json.append(to_string(r.type));
        refs_json.append(R"(","field":)");
        append_json_string(refs_json, r.field);
        refs_json.append(R"(,"value":)");
        if (value.empty()) {
            refs_json.append("null");
        } else {
            append_json_string(refs_json, value);
        }
        refs_json.append(R"(,"origin":)");
        if (origin.empty()) {
            refs_json.append("null");
        } else {
            refs_json.push_back('"');
            refs_json.append(origin);
            refs_json.push_back('"');
        }
        refs_json.push_back('}');
    }
    refs_json.push_back(']');
    for (std::size_t i = 0; i < p.references.size(); ++i) {
        const auto& r = p.references[i];
        if (r.type == RefType::bcp_id && refs.bcp_id.empty()) refs.bcp_id = values_[i];
        if (r.type == RefType::mrn && refs.mrn.empty()) refs.mrn = values_[i];
        if (r.type == RefType::lrn && refs.lrn.empty()) refs.lrn = values_[i];
    }

    std::string rendered;
    auto pieces = [&](const std::vector<Piece>& list) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (i > 0) out.push_back(',');
            const auto& piece = list[i];
            out.append(piece.json);
            if (piece.dynamic == nullptr) continue;
            rendered.clear();
            plan_.render_into(rendered, *piece.dynamic, refs);
            append_json_string(out, rendered);
            out.append(piece.after);
        }
    };
    out.append(R"(,"mentions":[)");
    pieces(mentions_);
    out.append(R"(],"codes":[)");
    pieces(codes_);
    out.append(R"(],"references":)");
    out.append(refs_json);
    out.append(R"(,"deadlines":[)");
    for (std::size_t i = 0; i < deadlines_.size(); ++i) {
        if (i > 0) out.push_back(',');
        const auto& piece = deadlines_[i];
        out.append(piece.json);
        if (piece.deadline == nullptr) continue;
        const auto& rule = *piece.deadline;
        const Field f = lookup(rule.field);
        bool written = false;
        if (f.kind == Kind::string) {
            if (const auto at = parse_time(f.value, plan_.zone())) {
                // parse_time accepts only digits and separators: nothing to escape in "from".
                out.push_back('"');
                append_rfc3339(out, *at + std::chrono::minutes{rule.offset_minutes});
                out.append(R"(","from":)");
                append_json_string(out, f.value);
                written = true;
            } else {
                problem(rule.field, "time",
                        fmt::format("{} '{}' is not a date or time", rule.field, f.value));
            }
        }
        if (!written) out.append("null");
        out.append(piece.after);
    }
    out.push_back(']');
    out.append(documents_);
    if (*retro == Retrospective::not_stated) {
        out.append("null");
    } else {
        out.push_back('"');
        out.append(to_string(*retro));
        out.push_back('"');
    }
    out.append(tail_);
    const std::size_t count = problems.is_array() ? problems.size() : 0;
    if (count > 0) {
        out.append(R"(,"problems":)");
        out.append(json_line(problems));
    }
    out.append("}}");
    return count;
}

template <class Json>
std::size_t Annotator::annotate_dom(std::string_view text, Json& doc, std::string& out) {
    if (!doc.is_object()) {
        throw data_error(
            "json", fmt::format("a declaration must be a JSON object, found {}", doc.type_name()));
    }
    auto lookup = [&doc](const std::string& key) {
        detail::FieldView f;
        const auto it = doc.find(key);
        if (it == doc.end()) return f;
        if (it->is_null()) {
            f.kind = detail::FieldKind::null;
        } else if (it->is_string()) {
            f.kind = detail::FieldKind::string;
            f.value = it->template get_ref<const std::string&>();
        } else {
            f.kind = detail::FieldKind::other;
        }
        return f;
    };
    // The declaration goes out as it came, with the bcp object added; only a declaration that
    // already had one (annotated twice) is re-serialised without it.
    if (doc.contains("bcp")) {
        doc.erase("bcp");
        const auto again = json_line(doc);
        return emit(std::string_view(again).substr(0, again.size() - 1), doc.empty(), lookup, out);
    }
    auto body = text;
    while (!body.empty() && body.back() != '}') body.remove_suffix(1);
    if (!body.empty()) body.remove_suffix(1);
    return emit(body, doc.empty(), lookup, out);
}

std::size_t Annotator::annotate(std::string_view text, nlohmann::json& doc, std::string& out) {
    return annotate_dom(text, doc, out);
}

std::size_t Annotator::annotate(std::string_view text, nlohmann::ordered_json& doc,
                                std::string& out) {
    return annotate_dom(text, doc, out);
}

bool Annotator::annotate_text(std::string_view text, std::string& out, std::size_t& problems) {
    found_.assign(wanted_.size(), detail::FieldView{});
    Scanner scanner(text, wanted_, found_);
    bool empty = true;
    std::string_view body;
    if (!scanner.object(empty, body)) return false;
    auto lookup = [this](const std::string& key) {
        for (std::size_t i = 0; i < wanted_.size(); ++i) {
            if (wanted_[i] == key) return found_[i];
        }
        return detail::FieldView{};
    };
    problems = emit(body, empty, lookup, out);
    return true;
}

}  // namespace bcp
