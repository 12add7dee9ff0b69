#include "bcp/notice/notice_record.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bcp/core/error.hpp"

namespace bcp {
namespace {

using ojson = nlohmann::ordered_json;

[[noreturn]] void bad(const std::string& what) {
    throw data_error("record", fmt::format("not a notice record: {}", what));
}

const ojson& member(const ojson& j, const char* key) {
    static const ojson null_value;
    if (!j.is_object()) return null_value;
    const auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

std::string text(const ojson& j, const char* key) {
    const ojson& v = member(j, key);
    if (v.is_null()) return {};
    if (!v.is_string()) bad(fmt::format("\"{}\" is not a string", key));
    return v.get<std::string>();
}

std::optional<UtcTime> time_of(const ojson& j, const char* key) {
    const ojson& v = member(j, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_string()) bad(fmt::format("\"{}\" is not a time", key));
    const auto t = parse_time(v.get_ref<const std::string&>(), "UTC");
    if (!t) bad(fmt::format("\"{}\" is not an RFC 3339 time", key));
    return t;
}

std::optional<bool> flag(const ojson& j, const char* key) {
    const ojson& v = member(j, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_boolean()) bad(fmt::format("\"{}\" is not true, false or null", key));
    return v.get<bool>();
}

std::vector<std::string> strings(const ojson& j, const char* key) {
    const ojson& v = member(j, key);
    std::vector<std::string> out;
    if (v.is_null()) return out;
    if (!v.is_array()) bad(fmt::format("\"{}\" is not an array", key));
    for (const auto& s : v) {
        if (!s.is_string()) bad(fmt::format("\"{}\" holds a value that is not a string", key));
        out.push_back(s.get<std::string>());
    }
    return out;
}

const ojson& array(const ojson& j, const char* key) {
    const ojson& v = member(j, key);
    if (!v.is_null() && !v.is_array()) bad(fmt::format("\"{}\" is not an array", key));
    return v;
}

template <class E>
E enum_of(const ojson& j, const char* key, std::initializer_list<E> values) {
    const std::string s = text(j, key);
    for (const E e : values) {
        if (to_string(e) == s) return e;
    }
    bad(fmt::format("\"{}\" has the unknown value '{}'", key, s));
}

}  // namespace

ojson notice_facts(const Notice& n) {
    ojson stated = ojson::array();
    for (const auto& p : n.procedures) stated.push_back(ojson::array({p.start_stated, p.end_stated}));
    return ojson{{"window_stated", n.window_stated}, {"disregards_previous", n.disregards_previous}, {"stated", stated}};
}

Notice notice_from_record(const ojson& r, const ojson& facts) {
    if (!r.is_object() || !member(r, "id").is_string()) bad("no \"id\"");
    Notice n;
    n.id = text(r, "id");
    const ojson& src = member(r, "source");
    n.file = text(src, "file");
    if (member(src, "entry").is_number_unsigned()) n.entry = member(src, "entry").get<std::size_t>();
    if (member(src, "line").is_number_unsigned()) n.line = member(src, "line").get<std::size_t>();
    n.title = text(r, "title");
    n.language = text(r, "language");
    n.posted_at = time_of(r, "posted_at");
    n.status = text(r, "status");
    n.planned = flag(r, "planned");
    n.cancelled = flag(r, "cancelled").value_or(false);
    n.country = text(r, "country");
    n.authority = text(r, "authority");
    n.systems = strings(r, "systems");
    n.processes = strings(r, "processes");
    const ojson& w = member(r, "window");
    n.window.start = time_of(w, "start");
    n.window.end = time_of(w, "end");
    n.window.zone = text(w, "zone");
    n.window.text = text(w, "text");
    // Records written before windows existed have none: the window stands for them.
    for (const auto& x : array(r, "windows")) {
        NoticeWindow v;
        v.systems = strings(x, "systems");
        v.start = time_of(x, "start");
        v.end = time_of(x, "end");
        v.zone = text(x, "zone");
        v.text = text(x, "text");
        v.status = enum_of(x, "status", {WindowStatus::scheduled, WindowStatus::superseded, WindowStatus::cancelled});
        if (!v.start) bad("a window has no start");
        n.windows.push_back(std::move(v));
    }
    if (member(r, "windows").is_null() && n.window.start) {
        NoticeWindow v = n.window;
        v.systems = n.systems;
        v.status = n.cancelled ? WindowStatus::cancelled : WindowStatus::scheduled;
        n.windows.push_back(std::move(v));
    }
    for (const auto& p : array(r, "procedures")) {
        NoticeProcedure q;
        q.system = text(p, "system");
        q.call = text(p, "call");
        q.start = time_of(p, "start");
        q.end = time_of(p, "end");
        q.mention = text(p, "mention");
        q.codes = strings(p, "codes");
        q.start_stated = q.start.has_value();
        q.end_stated = q.end.has_value();
        n.procedures.push_back(std::move(q));
    }
    n.fallback = enum_of(r, "fallback", {Fallback::unknown, Fallback::allowed, Fallback::advised_only, Fallback::not_allowed});
    n.buffering = enum_of(r, "buffering", {Buffering::unknown, Buffering::customs_buffers,
                                           Buffering::declarant_may_buffer, Buffering::rejected});
    n.tickets = strings(r, "tickets");
    n.relevant = flag(r, "relevant").value_or(true);
    if (const ojson& ev = member(r, "evidence"); ev.is_object()) {
        for (const auto& [k, v] : ev.items()) {
            if (!v.is_string()) bad("\"evidence\" holds a value that is not a string");
            n.evidence.emplace_back(k, v.get<std::string>());
        }
    }
    for (const auto& x : array(r, "warnings")) n.warnings.push_back({text(x, "code"), text(x, "message")});
    for (const auto& x : array(r, "links")) {
        n.links.push_back({text(x, "id"), text(x, "call"),
                           enum_of(x, "relation", {LinkRelation::earlier, LinkRelation::later,
                                                   LinkRelation::disregarded, LinkRelation::disregarding})});
    }
    if (const ojson& x = member(r, "ics2"); x.is_object()) {
        Ics2Subject s;
        s.kind = text(x, "kind");
        s.scheduled = flag(x, "scheduled");
        s.update = flag(x, "update").value_or(false);
        s.component = text(x, "component");
        s.country = text(x, "country");
        s.registered = time_of(x, "registered");
        s.estimated_end = time_of(x, "estimated_end");
        n.ics2 = std::move(s);
    }
    for (const auto& x : array(r, "updates")) {
        NoticeUpdate u;
        u.status = text(x, "status");
        u.at = time_of(x, "at");
        u.text = text(x, "text");
        u.disregarded = flag(x, "disregarded").value_or(false);
        n.updates.push_back(std::move(u));
    }
    n.window_stated = n.window.start.has_value();
    if (facts.is_object()) {
        n.window_stated = flag(facts, "window_stated").value_or(n.window_stated);
        n.disregards_previous = flag(facts, "disregards_previous").value_or(false);
        const ojson& stated = array(facts, "stated");
        if (stated.is_array()) {
            if (stated.size() != n.procedures.size()) bad("the facts do not match the procedures");
            for (std::size_t i = 0; i < stated.size(); ++i) {
                const ojson& pair = stated[i];
                if (!pair.is_array() || pair.size() != 2 || !pair[0].is_boolean() || !pair[1].is_boolean()) {
                    bad("\"stated\" is not a list of [start, end] flags");
                }
                n.procedures[i].start_stated = pair[0].get<bool>();
                n.procedures[i].end_stated = pair[1].get<bool>();
            }
        }
    }
    return n;
}

std::vector<ForceSpan> notice_force_spans(const Notice& n) {
    const std::optional<UtcTime> last_word = notice_last_word(n);
    auto span = [&](const std::optional<UtcTime>& s, const std::optional<UtcTime>& e) {
        return ForceSpan{s, e, s && (!last_word || *s > *last_word) ? s : last_word};
    };
    // A cancelled notice is never in force, but a notice linked with it may take its times:
    // its spans are kept for the group's.
    std::vector<ForceSpan> out{span(n.window.start, n.window.end)};
    for (const auto& w : n.windows) {
        if (w.status == WindowStatus::scheduled && !(w.start == n.window.start && w.end == n.window.end)) out.push_back(span(w.start, w.end));
    }
    for (const auto& p : n.procedures) out.push_back(span(p.start, p.end));
    return out;
}

bool span_may_hold(const ForceSpan& s, UtcTime at, std::chrono::hours horizon) noexcept {
    if (!s.start || at < *s.start) return false;
    if (s.end) return at < *s.end;
    return s.late && at < *s.late + horizon;
}

bool group_may_hold(const std::vector<ForceSpan>& spans, UtcTime at, std::chrono::hours horizon) noexcept {
    std::optional<UtcTime> first_start, last_end, last_late;
    for (const auto& s : spans) {
        if (s.start && (!first_start || *s.start < *first_start)) first_start = s.start;
        if (s.end && (!last_end || *s.end > *last_end)) last_end = s.end;
        if (s.late && (!last_late || *s.late > *last_late)) last_late = s.late;
    }
    if (!first_start || at < *first_start) return false;
    return (last_end && at < *last_end) || (last_late && at < *last_late + horizon);
}

}  // namespace bcp
