#include "bcp/watch/watch.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_email.hpp"
#include "bcp/notice/notice_record.hpp"
#include "bcp/notice/notice_statuspage.hpp"
#include "bcp/watch/feed.hpp"
#include "bcp/watch/fetch.hpp"
#include "bcp/watch/govuk.hpp"
#include "bcp/watch/imap.hpp"
#include "bcp/registry/knowledge.hpp"

namespace bcp {
namespace {

using ojson = nlohmann::ordered_json;

// What a person acts on; the rest of a record (ids, evidence, update texts) may change with
// the parser's wording without the notice saying anything new.
constexpr const char* compared_fields[] = {"title",   "status",     "planned",   "cancelled", "country",
                                           "authority", "systems",  "processes", "procedures", "fallback",
                                           "buffering"};

const ojson& field(const ojson& j, const char* key) {
    static const ojson null_value;
    if (!j.is_object()) return null_value;
    const auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

const ojson& window_field(const ojson& j, const char* key) { return field(field(j, "window"), key); }

// Procedures matched by call number, else by system.
const ojson* same_procedure(const ojson& list, const ojson& p) {
    if (!list.is_array()) return nullptr;
    for (const auto& q : list) {
        if (!field(p, "call").is_null() && field(q, "call") == field(p, "call")) return &q;
    }
    for (const auto& q : list) {
        if (field(p, "call").is_null() && field(q, "call").is_null() && field(q, "system") == field(p, "system")) {
            return &q;
        }
    }
    return nullptr;
}

std::string compared_hash(const ojson& event) {
    std::uint64_t h = fnv1a("bcp-watch-1");
    for (const char* f : compared_fields) h = fnv1a(json_line(field(event, f)), fnv1a(f, h));
    h = fnv1a(json_line(window_field(event, "start")), h);
    h = fnv1a(json_line(window_field(event, "end")), h);
    return fmt::format("{:016x}", h);
}

std::string now_text(std::chrono::system_clock::time_point now) {
    return format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(now));
}

double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string read_bounded(const std::filesystem::path& p, std::size_t max_bytes) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw io_error(fmt::format("cannot read {}", p.string()), p.string());
    std::string out;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        out.append(buf, static_cast<std::size_t>(in.gcount()));
        if (out.size() > max_bytes) {
            throw data_error("too-long", fmt::format("{} is longer than {} bytes", p.string(), max_bytes), p.string());
        }
    }
    return out;
}

std::string credentials(const Source& s) {
    if (!s.credentials_env.empty()) {
        const char* v = std::getenv(s.credentials_env.c_str());
        if (v == nullptr || *v == '\0') {
            throw usage_error(fmt::format("source '{}': the environment variable {} is not set", s.id, s.credentials_env));
        }
        return v;
    }
    if (!s.credentials_file.empty()) {
        std::string text = read_bounded(s.credentials_file, 4096);
        return std::string(trim_blanks(text.substr(0, text.find('\n'))));
    }
    return {};
}


constexpr std::size_t max_body = 10u << 20;

// The items of one source, or the reason it failed (in `error`, with Retry-After when given).
struct Poll {
    std::vector<RawNotice> items;  // each with its source_id, or empty for the notice's own id
    std::string error;
    // Messages of a mailbox that are not e-mail (a file cut short, a stray file): each one
    // reported, the others still read, so one bad message never hides the rest.
    std::vector<std::string> skipped;
    std::optional<std::chrono::seconds> retry_after;
    std::size_t not_modified = 0;
    std::vector<std::pair<std::string, SourceState>> validators;  // per URL, to keep on success
};

void add_email(Poll& poll, std::string_view message, const std::string& fallback_id) {
    RawNotice raw;
    try {
        raw = read_email(message);
    } catch (const data_error& e) {
        poll.skipped.push_back(fmt::format("message {} skipped: {}", fallback_id, e.what()));
        return;
    }
    if (raw.source_id.empty()) raw.source_id = fallback_id;
    poll.items.push_back(std::move(raw));
}

Poll poll_local(const Source& s) {
    Poll poll;
    const std::filesystem::path path(s.location);
    if (s.kind == SourceKind::mbox) {
        const std::string text = read_bounded(path, 256u << 20);
        std::size_t n = 0;
        for (const auto message : split_mbox(text)) {
            add_email(poll, message, fmt::format("mbox:{}:{:016x}", n++, fnv1a(message)));
        }
        return poll;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(path / "cur", ec) && !std::filesystem::is_directory(path / "new", ec)) {
        throw io_error(fmt::format("{} is not a Maildir (no cur/ or new/)", path.string()), path.string());
    }
    std::vector<std::filesystem::path> files;
    for (const char* sub : {"cur", "new"}) {
        if (!std::filesystem::is_directory(path / sub, ec)) continue;
        for (const auto& e : std::filesystem::directory_iterator(path / sub)) {
            if (e.is_regular_file()) files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        // A Maildir file keeps its unique name up to ":2,flags", which changes when it is read.
        const std::string name = f.filename().string();
        add_email(poll, read_bounded(f, max_body), "maildir:" + name.substr(0, name.find(':')));
    }
    return poll;
}

// A feed item, a web page or a GOV.UK content item as a notice of one update.
RawNotice page_notice(const std::string& title, const std::string& text, std::optional<UtcTime> published,
                      std::string source_id) {
    RawNotice raw;
    raw.title = title;
    raw.newest_first = false;
    raw.line = 1;
    raw.posted_at = published;
    RawUpdate u;
    // A page's text often begins with its own heading.
    const bool headed = !title.empty() && text.rfind(title, 0) == 0;
    u.text = text.empty() ? title : title.empty() || headed ? text : title + "\n" + text;
    u.at = published;
    raw.updates.push_back(std::move(u));
    raw.source_id = source_id.empty() ? fmt::format("item:{:016x}", fnv1a(title)) : std::move(source_id);
    return raw;
}

// A listing links to at most this many notices that are read in one poll (the first ones, as
// listings put the newest first); the rest wait for the listing to change.
constexpr std::size_t max_linked = 20;

class RemotePoll {
public:
    RemotePoll(const Source& s, NoticeStore& store, const WatchOptions& o, Poll& poll)
        : s_(s), store_(store), o_(o), poll_(poll), userpwd_(credentials(s)) {}

    // GET `url` (conditionally when `conditional`); nothing for a 304, or when `gone_ok` and
    // the page is gone (404, 410). A failure is kept in the poll and thrown as Failed.
    struct Failed {};
    std::optional<FetchResult> get(const std::string& url, bool conditional = true, bool gone_ok = false) {
        SourceState v = conditional ? store_.source("url " + url) : SourceState{};
        FetchRequest req;
        req.url = url;
        req.etag = v.etag;
        req.last_modified = v.last_modified;
        req.cacert = o_.cacert;
        req.userpwd = userpwd_;
        req.max_bytes = max_body;
        req.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s_.timeout);
        req.connect_timeout = std::min(req.connect_timeout, req.timeout);
        FetchResult r = fetch(req);
        if (gone_ok && (r.status == 404 || r.status == 410)) return std::nullopt;
        if (!r.ok()) {
            poll_.error = fmt::format("{}: {}", url, r.error);
            poll_.retry_after = r.retry_after;
            throw Failed{};
        }
        if (r.not_modified) {
            ++poll_.not_modified;
            return std::nullopt;
        }
        if (conditional) {
            v.etag = r.etag;
            v.last_modified = r.last_modified;
            poll_.validators.emplace_back("url " + url, v);
        }
        return r;
    }

    void run() {
        try {
            switch (s_.kind) {
                case SourceKind::statuspage:
                    for (const auto& url : statuspage_urls(s_)) {
                        if (auto r = get(url)) read(url, [&] { statuspage(*r); });
                    }
                    break;
                case SourceKind::govuk: govuk(); break;
                case SourceKind::html: html(); break;
                case SourceKind::imap: imap(); break;
                default:
                    if (auto r = get(s_.location)) read(s_.location, [&] { feed(*r); });
                    break;
            }
        } catch (const Failed&) {
            poll_.items.clear();
            poll_.validators.clear();
        }
    }

private:
    // Bad data in a body fails the source, naming the URL.
    template <class F>
    void read(const std::string& url, const F& f) {
        try {
            f();
        } catch (const data_error& e) {
            poll_.error = fmt::format("{}: {}", url, e.what());
            throw Failed{};
        }
    }

    void statuspage(const FetchResult& r) {
        const std::string body = r.charset.empty() || r.charset == "utf-8" ? r.body : charset_to_utf8(r.body, r.charset);
        for (auto& raw : read_statuspage(body)) poll_.items.push_back(std::move(raw));
    }

    void feed(const FetchResult& r) {
        for (auto& f : read_feed(r.body, r.charset)) {
            poll_.items.push_back(page_notice(f.title, f.text, f.published, f.id));
        }
    }

    void govuk() {
        const std::string url = govuk_api_url(s_.location);
        const auto r = get(url);
        if (!r) return;
        GovukContent c;
        read(url, [&] { c = read_govuk(r->body, url_origin(url)); });
        if (c.documents.empty()) {
            poll_.items.push_back(page_notice(c.title, c.text, c.published, c.id));
            return;
        }
        // A collection: each document read when its public_updated_at differs from the last read.
        std::size_t n = 0;
        for (const auto& d : c.documents) {
            if (n == max_linked) break;
            const std::string key = "doc " + d.api_url;
            SourceState v = store_.source(key);
            if (!d.public_updated_at.empty() && v.last_modified == d.public_updated_at) continue;
            ++n;
            const auto dr = get(d.api_url, false, true);
            if (!dr) continue;
            GovukContent dc;
            read(d.api_url, [&] { dc = read_govuk(dr->body, url_origin(d.api_url)); });
            poll_.items.push_back(page_notice(dc.title, dc.text, dc.published, dc.id));
            v.last_modified = d.public_updated_at;
            poll_.validators.emplace_back(key, v);
        }
    }

    void html() {
        std::vector<std::string> patterns = s_.links;
        if (patterns.empty() && !s_.authority.empty()) {
            if (const auto* p = Knowledge::get().authority(s_.authority)) {
                for (const auto& l : p->links) patterns.push_back(l.pattern);
            }
        }
        const bool listing = !patterns.empty() && std::none_of(patterns.begin(), patterns.end(),
                                          [&](const std::string& p) { return link_matches(p, s_.location); });
        // A listing is read whole each time (its links are what is compared); the notices it
        // links to are asked for conditionally, so an unchanged one costs a 304.
        const auto r = get(s_.location, !listing);
        if (!r) return;
        const HtmlPage page = read_html_page(r->body, s_.location, r->charset);
        if (!listing) {
            poll_.items.push_back(page_notice(page.title, page.text, page.published, s_.location));
            return;
        }
        std::size_t n = 0;
        for (const auto& link : page.links) {
            if (n == max_linked) break;
            if (link.url == s_.location ||
                std::none_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return link_matches(p, link.url); })) {
                continue;
            }
            ++n;
            const auto dr = get(link.url, true, true);
            if (!dr) continue;
            const HtmlPage notice = read_html_page(dr->body, link.url, dr->charset);
            poll_.items.push_back(page_notice(notice.title.empty() ? link.text : notice.title, notice.text,
                                              notice.published, link.url));
        }
    }

    // The messages after the last UID read; where it stopped is kept with the notices.
    void imap() {
        const std::string key = "imap " + s_.location;
        SourceState v = store_.source(key);
        ImapRequest q;
        q.url = s_.location;
        q.userpwd = userpwd_;
        q.cacert = o_.cacert;
        q.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s_.timeout);
        q.max_bytes = max_body;
        q.uidvalidity = v.etag;
        const auto [end, ec] = std::from_chars(v.last_modified.data(), v.last_modified.data() + v.last_modified.size(), q.last_uid);
        if (ec != std::errc() || end != v.last_modified.data() + v.last_modified.size()) q.last_uid = 0;
        const ImapResult res = imap_poll(q);
        if (!res.ok()) {
            poll_.error = fmt::format("{}: {}", s_.location, res.error);
            throw Failed{};
        }
        for (const auto& m : res.messages) {
            add_email(poll_, m.text, fmt::format("imap:{}:{}", res.uidvalidity, m.uid));
        }
        v.etag = res.uidvalidity;
        v.last_modified = std::to_string(res.last_uid);
        poll_.validators.emplace_back(key, v);
    }

    const Source& s_;
    NoticeStore& store_;
    const WatchOptions& o_;
    Poll& poll_;
    std::string userpwd_;
};

Poll poll_remote(const Source& s, NoticeStore& store, const WatchOptions& o) {
    Poll poll;
    RemotePoll(s, store, o, poll).run();
    return poll;
}

void write_unwritten(NoticeStore& store, const std::function<void(std::string_view)>& write, WatchReport& report) {
    for (const auto& c : store.unwritten()) {
        write(fmt::format("{{\"seq\":{},{}\n", c.seq, c.line));
        store.mark_written(c.seq);
        ++report.changes;
    }
}

}  // namespace

NoticeChange compare_notices(const ojson& previous, const ojson& current) {
    NoticeChange c;
    auto diff = [&](const std::string& name, const ojson& a, const ojson& b) {
        if (a != b) c.diff.push_back(ojson{{"field", name}, {"from", a}, {"to", b}});
    };
    for (const char* f : compared_fields) diff(f, field(previous, f), field(current, f));
    diff("window.start", window_field(previous, "start"), window_field(current, "start"));
    diff("window.end", window_field(previous, "end"), window_field(current, "end"));
    const ojson& procs = field(current, "procedures");
    const ojson& before = field(previous, "procedures");
    if (previous.is_null()) {
        c.diff = ojson::array();  // everything is new: the notice itself says it
        c.kind = procs.is_array() && !procs.empty() && field(current, "cancelled") != true ? "procedure-activated" : "new";
        return c;
    }
    if (c.diff.empty()) return c;
    if (field(current, "cancelled") == true && field(previous, "cancelled") != true) {
        c.kind = "cancelled";
        return c;
    }
    bool ended = false, activated = false;
    if (procs.is_array()) {
        for (const auto& p : procs) {
            const ojson* q = same_procedure(before, p);
            if (q == nullptr) activated = true;
            else if (field(*q, "end").is_null() && !field(p, "end").is_null()) ended = true;
        }
    }
    if (ended) {
        c.kind = "procedure-ended";
        return c;
    }
    if (activated) {
        c.kind = "procedure-activated";
        return c;
    }
    const ojson& e0 = window_field(previous, "end");
    const ojson& e1 = window_field(current, "end");
    const ojson& s0 = window_field(previous, "start");
    const ojson& s1 = window_field(current, "start");
    // RFC 3339 UTC texts of one format compare as times.
    if (e0.is_string() && e1.is_string() && e1.get<std::string>() > e0.get<std::string>() && s0 == s1) {
        c.kind = "window-prolonged";
    } else if ((s0.is_string() && s1.is_string() && s0 != s1) || (e0.is_string() && e1.is_string() && e0 != e1)) {
        c.kind = "window-moved";
    } else {
        c.kind = "updated";
    }
    return c;
}

WatchReport run_watch(const std::vector<Source>& sources, NoticeStore& store, const WatchOptions& o,
                      const std::function<void(std::string_view)>& write) {
    WatchReport report;
    // Dates without a year are read against one time for the whole run (bcp::now(): $BCPKIT_NOW
    // when set); intervals are kept on the system clock.
    const UtcTime reference_now = bcp::now();
    write_unwritten(store, write, report);  // what a killed run recorded but did not write
    for (const auto& s : sources) {
        const auto now = std::chrono::system_clock::now();
        SourceState state = store.source(s.id);
        if (!o.force && unix_seconds(now) < state.next_poll) {
            ++report.skipped;
            continue;
        }
        Poll poll;
        try {
            poll = s.is_local() ? poll_local(s) : poll_remote(s, store, o);
        } catch (const usage_error&) {
            throw;
        } catch (const error& e) {
            poll.error = e.what();
        }
        const std::string at = now_text(now);
        if (!poll.error.empty()) {
            state.last_error = poll.error;
            ++state.failures;
            state.last_poll = at;
            auto wait = s.interval;
            if (poll.retry_after && *poll.retry_after > wait) wait = *poll.retry_after;
            state.next_poll = unix_seconds(now + wait);
            store.transaction([&] { store.put_source(s.id, state); });
            report.failures.push_back({s.id, poll.error});
            continue;
        }
        ++report.polled;
        report.not_modified += poll.not_modified;
        for (auto& raw : poll.items) raw.source_authority = s.authority;
        NoticeOptions no;
        no.reference_time = o.reference_time.time_since_epoch().count() != 0 ? o.reference_time : reference_now;
        no.file = s.location;
        store.transaction([&] {
            std::size_t entry = 0;
            for (const auto& raw : poll.items) {
                Notice n = interpret_notice(raw, entry++, no);
                const std::string sid = raw.source_id.empty() ? n.id : raw.source_id;
                const ojson event = to_json(n);
                const std::string hash = compared_hash(event);
                const auto prev = store.notice(s.id, sid);
                StoredNotice stored{hash, json_line(event), prev ? prev->first_seen : at, at,
                                    json_line(notice_facts(n)), at};
                const NoticeIndex index = notice_index(n);
                if (prev && prev->hash == hash) {
                    stored.changed = prev->changed;
                    store.put_notice(s.id, sid, stored, &index);
                    continue;
                }
                const ojson previous = prev ? parse_ordered_json(prev->event) : ojson();
                const NoticeChange ch = compare_notices(previous, event);
                store.put_notice(s.id, sid, stored, &index);
                if (ch.kind.empty()) continue;
                ojson line{{"change", ch.kind}, {"source", s.id}, {"source_id", sid}, {"at", at},
                           {"notice", event},   {"previous", previous}, {"diff", ch.diff}};
                if (!s.authority.empty()) line["source_authority"] = s.authority;
                const std::string text = json_line(line);
                store.add_change(std::string_view(text).substr(1));  // "{" comes back with the seq
            }
            for (const auto& [key, v] : poll.validators) store.put_source(key, v);
            // What was read is kept; a message skipped makes the source count as failed for now.
            state.last_error = poll.skipped.empty() ? std::string() : poll.skipped.front();
            state.failures = poll.skipped.empty() ? 0 : state.failures + 1;
            state.last_poll = at;
            state.next_poll = unix_seconds(now + s.interval);
            store.put_source(s.id, state);
        });
        write_unwritten(store, write, report);
        for (auto& m : poll.skipped) report.failures.push_back({s.id, std::move(m)});
    }
    return report;
}

std::string change_text(const ojson& line) {
    const ojson& n = field(line, "notice");
    auto str = [](const ojson& v) { return v.is_string() ? v.get<std::string>() : std::string("?"); };
    std::string systems;
    if (const ojson& sy = field(n, "systems"); sy.is_array()) {
        for (const auto& x : sy) systems += (systems.empty() ? "" : ",") + str(x);
    }
    std::string window;
    if (!window_field(n, "start").is_null() || !window_field(n, "end").is_null()) {
        window = fmt::format(" {}..{}", str(window_field(n, "start")), str(window_field(n, "end")));
    }
    return fmt::format("{} {} {} {}{} \"{}\" ({})", str(field(line, "at")), str(field(line, "change")),
                       str(field(n, "country")), systems.empty() ? "?" : systems, window, str(field(n, "title")),
                       str(field(line, "source")));
}

}  // namespace bcp
