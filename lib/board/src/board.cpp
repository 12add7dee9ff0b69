#include "bcp/board/board.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/version.hpp"
#include "bcp/notice/notice_link.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {
namespace {

std::string window_kind(const std::optional<bool>& planned) {
    if (!planned) return "outage";
    return *planned ? "planned outage" : "unplanned outage";
}

// Empty texts ("not stated") sort after every stated one.
bool stated_less(const std::string& a, const std::string& b) {
    if (a.empty() != b.empty()) return b.empty();
    return a < b;
}

void add_rows(const Notice& n, const ActiveQuery& query, std::vector<BoardRow>& out) {
    const std::string fallback(to_string(n.fallback));
    bool window_is_procedure = false;  // the window is a procedure's own period: one row says it
    for (const auto& p : n.procedures) {
        Notice one = n;
        one.procedures = {p};
        one.window = {};
        ActiveQuery q = query;
        q.procedures = true;
        std::optional<UtcTime> open;
        if (!notice_in_force(one, q, &open)) continue;
        out.push_back({n.country, p.system, "emergency procedure", p.start, p.end, open, p.call, p.mention, fallback,
                       n.title, n.file});
        window_is_procedure = window_is_procedure || (p.start == n.window.start && p.end == n.window.end);
    }
    if (window_is_procedure) return;
    Notice window = n;
    window.procedures.clear();
    ActiveQuery q = query;
    q.outages = true;
    std::optional<UtcTime> open;
    if (!notice_in_force(window, q, &open)) return;
    const std::vector<std::string> systems = n.systems.empty() ? std::vector<std::string>{""} : n.systems;
    for (const auto& sys : systems) {
        out.push_back({n.country, sys, window_kind(n.planned), n.window.start, n.window.end, open, {}, {}, fallback,
                       n.title, n.file});
    }
}

// --- HTML ---------------------------------------------------------------------------------

void esc(std::string& out, std::string_view s) {
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
}

std::string when(const std::optional<UtcTime>& t) {
    if (!t) return {};
    const std::string s = format_rfc3339(*t);  // 2027-03-06T18:00:00Z
    return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

void time_element(std::string& out, const std::optional<UtcTime>& t, std::string_view none) {
    if (!t) {
        esc(out, none);
        return;
    }
    fmt::format_to(std::back_inserter(out), "<time datetime=\"{}\">{}</time>", format_rfc3339(*t), when(t));
}

void cell(std::string& out, std::string_view label, std::string_view text, std::string_view empty = "\u2014") {
    out += "<td data-label=\"";
    esc(out, label);
    out += "\">";
    esc(out, text.empty() ? empty : text);
    out += "</td>";
}

std::string country_label(const std::string& code) {
    if (code.empty()) return "Country not stated";
    if (code == "EU") return "EU \u2014 European Union (central systems)";
    const std::string_view name = country_name(code);
    return name.empty() ? code : fmt::format("{} \u2014 {}", code, name);
}

template <class... Args>
void put(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

constexpr const char* css = R"(
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:72em;padding:1em;color:#111;background:#fff}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.25em;border-bottom:2px solid #111;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.05em;margin:1.2em 0 .4em}
.meta{color:#333;margin:.2em 0}
.alert{border:3px solid #111;padding:.5em .8em;font-weight:bold;background:#fff3cd}
table{border-collapse:collapse;width:100%;margin:.3em 0 1em}
th,td{border:1px solid #777;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#e8e8e8}
time{white-space:nowrap}
td.code{font-family:"DejaVu Sans Mono",monospace;white-space:nowrap;font-size:.9em}
.kind{font-weight:bold;text-transform:uppercase;font-size:.85em;letter-spacing:.03em}
.none{font-style:italic}
.axis{display:flex;margin-left:0;border-bottom:1px solid #111;font-size:.75em}
.axis span{flex:1;border-left:1px solid #999;padding-left:2px;white-space:nowrap;overflow:hidden}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline li{margin:.5em 0 .8em;break-inside:avoid}
.track{position:relative;height:1.1em;border:1px solid #777;background:repeating-linear-gradient(90deg,transparent 0,transparent calc(100%/14 - 1px),#ddd calc(100%/14 - 1px),#ddd calc(100%/14))}
.bar{position:absolute;top:0;bottom:0;border:1px solid #000;min-width:3px}
.bar.procedure{background:#222}
.bar.planned{background:repeating-linear-gradient(45deg,#555 0,#555 3px,#fff 3px,#fff 7px)}
.bar.unplanned,.bar.outage{background:repeating-linear-gradient(-45deg,#555 0,#555 2px,#fff 2px,#fff 5px),repeating-linear-gradient(45deg,#555 0,#555 2px,transparent 2px,transparent 5px)}
.bar.open{border-right:0}
.ok{font-weight:bold}
.failed{font-weight:bold;text-decoration:underline}
footer{margin-top:2em;font-size:.85em;color:#333;border-top:1px solid #777;padding-top:.5em}
@media (max-width:40em){
 table,thead,tbody,tr,th,td{display:block}
 thead{position:absolute;left:-9999px}
 tr{border:1px solid #777;margin:.6em 0;padding:.2em}
 td{border:0;border-bottom:1px dotted #bbb}
 td::before{content:attr(data-label) ": ";font-weight:bold}
 .axis span:nth-child(even){visibility:hidden}
}
@media print{
 body{max-width:none;padding:0;font-size:11pt}
 table{font-size:9pt}
 .alert{background:none}
 tr,li{break-inside:avoid}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)";

}  // namespace

Board build_board(NoticeStore& store, const BoardOptions& o) {
    Board b;
    b.at = o.at;
    b.days = o.days;
    b.store_name = o.store_name;
    b.notices = store.notice_count();
    ActiveQuery q;
    q.at = o.at;
    q.open_horizon = o.horizon;
    InForceSet now(q);
    EventSet events;
    for (const auto& r : store.seen_since(std::nullopt)) {
        Notice n = notice_of(r);
        now.add(n);
        events.add(std::move(n));
    }
    for (const auto& n : now.notices()) add_rows(n, q, b.in_force);
    std::stable_sort(b.in_force.begin(), b.in_force.end(), [](const BoardRow& x, const BoardRow& y) {
        if (x.country != y.country) return stated_less(x.country, y.country);
        if (x.system != y.system) return stated_less(x.system, y.system);
        return x.start < y.start;
    });
    const UtcTime last = o.at + std::chrono::hours(24 * o.days);
    for (const auto& e : events.events()) {
        if (e.start >= last) continue;
        if (e.end && *e.end <= o.at) continue;
        if (!e.end && e.start + o.horizon <= o.at) continue;  // an open one long past: not shown as running
        b.coming.push_back({e.call.empty() ? window_kind(e.planned) : "emergency procedure", e.country, e.system, e.call,
                            e.title, e.start, e.end});
    }
    std::stable_sort(b.coming.begin(), b.coming.end(), [](const BoardBar& x, const BoardBar& y) { return x.start < y.start; });
    for (auto& [id, state] : store.polled_sources()) b.sources.push_back({id, std::move(state)});
    return b;
}

void append_board_html(std::string& out, const Board& b) {
    const std::string at = when(b.at);
    std::size_t failing = 0;
    for (const auto& s : b.sources) failing += s.state.failures > 0 ? 1u : 0u;
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    put(out, "<meta name=\"generator\" content=\"bcpkit {}\">\n<title>Customs systems at {}</title>\n<style>{}</style>\n</head>\n<body>\n",
        version, at, css);
    put(out, "<header>\n<h1>Customs systems: situation board</h1>\n<p class=\"meta\">At <time datetime=\"{}\">{}</time>: {} notice{} "
        "stored from {} source{}",
        format_rfc3339(b.at), at, b.notices, b.notices == 1 ? "" : "s", b.sources.size(), b.sources.size() == 1 ? "" : "s");
    if (!b.store_name.empty()) {
        out += " in ";
        esc(out, b.store_name);
    }
    out += ".</p>\n";
    if (failing > 0) {
        put(out, "<p class=\"alert\" role=\"alert\">Warning: {} source{} failed at {} last poll (see Sources below). What this "
            "page shows may be incomplete.</p>\n",
            failing, failing == 1 ? "" : "s", failing == 1 ? "its" : "their");
    }
    out += "</header>\n<main>\n";

    // In force now.
    out += "<section id=\"now\">\n<h2>In force now</h2>\n";
    if (b.in_force.empty()) put(out, "<p class=\"none\">Nothing is in force at {} in what the store holds.</p>\n", at);
    for (std::size_t i = 0; i < b.in_force.size();) {
        const std::string& country = b.in_force[i].country;
        out += "<h3>";
        esc(out, country_label(country));
        out += "</h3>\n<table>\n<thead><tr><th>System</th><th>What</th><th>Since</th><th>Until</th><th>Call</th>"
               "<th>Mention</th><th>Fallback procedure</th><th>Notice</th></tr></thead>\n<tbody>\n";
        for (; i < b.in_force.size() && b.in_force[i].country == country; ++i) {
            const BoardRow& r = b.in_force[i];
            out += "<tr>";
            cell(out, "System", r.system, "not stated");
            out += "<td data-label=\"What\"><span class=\"kind\">";
            esc(out, r.kind);
            out += "</span></td><td data-label=\"Since\">";
            time_element(out, r.start, "not stated");
            out += "</td><td data-label=\"Until\">";
            if (r.end) {
                time_element(out, r.end, "");
            } else {
                out += "no end stated";
                if (r.open_until) {
                    out += " (counted until ";
                    time_element(out, r.open_until, "");
                    out += " unless a later notice ends it)";
                }
            }
            out += "</td>";
            out += "<td data-label=\"Call\" class=\"code\">";
            esc(out, r.call.empty() ? std::string_view("\u2014") : std::string_view(r.call));
            out += "</td><td data-label=\"Mention\" class=\"code\">";
            esc(out, r.mention.empty() ? std::string_view("\u2014") : std::string_view(r.mention));
            out += "</td>";
            cell(out, "Fallback procedure", r.fallback, "not stated");
            out += "<td data-label=\"Notice\">";
            esc(out, r.title.empty() ? std::string_view("(untitled)") : std::string_view(r.title));
            if (!r.source.empty()) {
                out += " <small>(";
                esc(out, r.source);
                out += ")</small>";
            }
            out += "</td></tr>\n";
        }
        out += "</tbody>\n</table>\n";
    }
    out += "</section>\n";

    // The coming days.
    const auto span = std::chrono::hours(24 * b.days);
    const double total = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(span).count());
    put(out, "<section id=\"timeline\">\n<h2>Next {} days</h2>\n", b.days);
    if (b.coming.empty()) {
        put(out, "<p class=\"none\">No window or procedure from {} to {}.</p>\n", at, when(b.at + span));
    } else {
        out += "<div class=\"axis\" aria-hidden=\"true\">";
        for (int d = 0; d < b.days; ++d) {
            const std::string day = format_rfc3339(b.at + std::chrono::hours(24 * d)).substr(5, 5);
            put(out, "<span>{}</span>", day);
        }
        out += "</div>\n<ol class=\"timeline\">\n";
        for (const auto& bar : b.coming) {
            const auto from = std::max(bar.start, b.at);
            const auto to = bar.end ? std::min(*bar.end, b.at + span) : b.at + span;
            auto frac = [&](UtcTime t) {
                return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t - b.at).count()) / total * 100.0;
            };
            const double left = std::clamp(frac(from), 0.0, 100.0);
            const double width = std::clamp(frac(to) - left, 0.3, 100.0 - left);
            const std::string cls = bar.kind == "emergency procedure" ? "procedure"
                                    : bar.kind == "planned outage"    ? "planned"
                                    : bar.kind == "unplanned outage"  ? "unplanned"
                                                                      : "outage";
            out += "<li><div><span class=\"kind\">";
            esc(out, bar.kind);
            out += "</span> ";
            esc(out, bar.country.empty() ? std::string("(country not stated)") : bar.country);
            out += " ";
            esc(out, bar.system.empty() ? std::string("(system not stated)") : bar.system);
            if (!bar.call.empty()) {
                out += " call ";
                esc(out, bar.call);
            }
            out += ": ";
            esc(out, bar.title);
            out += "<br>";
            time_element(out, bar.start, "");
            out += " to ";
            if (bar.end) time_element(out, bar.end, "");
            else out += "no end stated";
            put(out, "</div><div class=\"track\" aria-hidden=\"true\"><span class=\"bar {}{}\" style=\"left:{:.2f}%;width:{:.2f}%\">"
                "</span></div></li>\n",
                cls, bar.end ? "" : " open", left, width);
        }
        out += "</ol>\n";
    }
    out += "</section>\n";

    // Sources.
    out += "<section id=\"sources\">\n<h2>Sources</h2>\n";
    if (b.sources.empty()) {
        out += "<p class=\"none\">No source has been polled into this store.</p>\n";
    } else {
        out += "<table>\n<thead><tr><th>Source</th><th>Last poll</th><th>State</th><th>Next poll</th><th>Last error</th>"
               "</tr></thead>\n<tbody>\n";
        for (const auto& s : b.sources) {
            out += "<tr>";
            cell(out, "Source", s.id);
            out += "<td data-label=\"Last poll\">";
            time_element(out, parse_absolute_time(s.state.last_poll), "never");
            out += "</td>";
            if (s.state.failures > 0) {
                put(out, "<td data-label=\"State\" class=\"failed\">FAILED ({} poll{} in a row)</td>", s.state.failures,
                    s.state.failures == 1 ? "" : "s");
            } else {
                out += "<td data-label=\"State\" class=\"ok\">OK</td>";
            }
            out += "<td data-label=\"Next poll\">";
            if (s.state.next_poll > 0) {
                time_element(out, UtcTime(std::chrono::seconds(static_cast<std::int64_t>(std::llround(s.state.next_poll)))), "");
            } else {
                out += "every run";
            }
            out += "</td>";
            cell(out, "Last error", s.state.last_error);
            out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
    }
    out += "</section>\n</main>\n<footer>Times are in UTC. Made by bcpkit from the notices its watch stored; check each "
           "notice with its publisher before acting on it.</footer>\n</body>\n</html>\n";
}

std::string render_board(const std::filesystem::path& given, BoardOptions options) {
    const std::filesystem::path path = store_path(given);
    options.store_name = path.string();
    auto store = NoticeStore::open(path, false);
    Board b;
    try {
        b = build_board(store, options);
    } catch (const data_error& e) {
        throw data_error(e.kind(), e.what(), path.string());
    }
    std::string page;
    page.reserve(64u << 10);
    append_board_html(page, b);
    return page;
}

}  // namespace bcp
