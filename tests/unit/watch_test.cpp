// Unit tests of lib/watch: sources files, Retry-After, feeds and HTML text through libxml2, the
// change between two records, and the store on a real SQLite file.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include <fmt/format.h>
#include <sqlite3.h>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/notice/notice_link.hpp"
#include "bcp/notice/notice_record.hpp"
#include "bcp/watch/feed.hpp"
#include "bcp/watch/fetch.hpp"
#include "bcp/watch/govuk.hpp"
#include "bcp/watch/imap.hpp"
#include "bcp/registry/knowledge.hpp"
#include "bcp/watch/source.hpp"
#include "bcp/store/store.hpp"
#include "bcp/watch/watch.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace watch_test {

using namespace bcp;
using ojson = nlohmann::ordered_json;
using bcp::test::TempDir;

namespace {
std::filesystem::path write(const TempDir& d, const std::string& name, const std::string& text) {
    const auto p = d.path / name;
    std::ofstream(p) << text;
    return p;
}
}  // namespace

TEST_CASE("sources.toml: kinds, locations, intervals; mistakes are configuration errors") {
    TempDir d;
    const auto ok = write(d, "s.toml", R"([[source]]
id = "nl"
kind = "statuspage"
url = "https://status.example.org/"
interval = "30m"
authority = "nl"
[[source]]
id = "box"
kind = "maildir"
path = "/var/mail/x"
)");
    const auto s = load_sources(ok);
    REQUIRE(s.size() == 2);
    CHECK(s[0].kind == SourceKind::statuspage);
    CHECK(s[0].interval == std::chrono::minutes(30));
    CHECK(s[0].authority == "nl");
    CHECK(s[1].is_local());
    CHECK(s[1].interval == std::chrono::seconds(0));
    CHECK(statuspage_urls(s[0]) == std::vector<std::string>{"https://status.example.org/api/v2/incidents.json",
                                                             "https://status.example.org/api/v2/scheduled-maintenances.json"});
    auto refused = [&](const std::string& text, const std::string& says) {
        const auto p = write(d, "bad.toml", text);
        try {
            (void)load_sources(p);
            FAIL("accepted: " << text);
        } catch (const usage_error& e) {
            CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
        }
    };
    refused("[[source]]\nid = \"a\"\nkind = \"gopher\"\nurl = \"https://x/\"\n", "unknown kind 'gopher'");
    refused("[[source]]\nid = \"a\"\nkind = \"imap\"\nurl = \"https://x/\"\n", "not an imaps or imap URL");
    refused("[[source]]\nid = \"a\"\nkind = \"imap\"\nurl = \"imaps://u:p@x/INBOX\"\n", "password in the URL");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\n", "rss needs url");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"ftp://x/f\"\n", "not an http or https URL");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\ninterval = 10\n", "under 60 s");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\npassword = \"p\"\n", "never written");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\n[[source]]\nid = \"a\"\nkind = \"rss\"\n"
            "url = \"https://y/f\"\n",
            "used twice");
    refused("x = 1\n", "no [[source]]");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\nauthority = \"zz\"\n", "authority 'zz' is not a profile");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\nlinks = [\"https://x/*\"]\n", "only for kind html");
    refused("[[source]]\nid = \"a\"\nkind = \"html\"\nurl = \"https://x/f\"\nlinks = [\"x/*\"]\n", "http or https URL patterns");
    refused("[[source]]\nid = \"a\"\nkind = \"html\"\nurl = \"https://x/f\"\ntimeout = 301\n", "1 to 300");
    {
        const auto h = load_sources(write(d, "h.toml", "[[source]]\nid = \"a\"\nkind = \"html\"\nurl = \"https://x/l/\"\n"
                                                        "links = [\"https://x/l/*\"]\ntimeout = 5\n"));
        REQUIRE(h.size() == 1);
        CHECK(h[0].kind == SourceKind::html);
        CHECK(h[0].links == std::vector<std::string>{"https://x/l/*"});
        CHECK(h[0].timeout == std::chrono::seconds(5));
        CHECK(parse_source_arg("govuk=https://www.gov.uk/x").kind == SourceKind::govuk);
        CHECK(parse_source_arg("imap=imaps://mail.example/INBOX").kind == SourceKind::imap);
    }
    CHECK(parse_source_arg("rss=https://x/feed.xml").kind == SourceKind::rss);
    // The shipped example parses, its mailbox path under the home directory.
    const char* data = std::getenv("BCPKIT_DATA_DIR");
    REQUIRE(data != nullptr);
    const auto example = load_sources(std::filesystem::path(data) / "sources.example.toml");
    REQUIRE(example.size() == 2);
    CHECK(example[0].kind == SourceKind::statuspage);
    CHECK(example[1].location.rfind("~", 0) == std::string::npos);
    CHECK_THROWS_AS((void)parse_source_arg("https://x/feed.xml"), usage_error);
}

TEST_CASE("Retry-After: seconds or an HTTP date, bounded to a week") {
    const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
    CHECK(parse_retry_after("120", now) == std::chrono::seconds(120));
    CHECK(parse_retry_after("99999999", now) == std::chrono::seconds(7 * 24 * 3600));
    CHECK(parse_retry_after("Wed, 15 Nov 2023 00:13:20 GMT", now) == std::chrono::seconds(7200));
    CHECK_FALSE(parse_retry_after("soon", now).has_value());
    CHECK_FALSE(parse_retry_after("", now).has_value());
}

TEST_CASE("feeds: RSS and Atom items, HTML descriptions as text, bad XML refused") {
    const auto rss = read_feed(R"(<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>
<item><guid>g1</guid><title>AES down</title><link>https://x/1</link>
<description>&lt;p&gt;AES is &lt;b&gt;unavailable&lt;/b&gt;.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
<pubDate>Mon, 01 Mar 2027 09:00:00 +0100</pubDate></item>
<item><title>No guid</title><link>https://x/2</link></item></channel></rss>)");
    REQUIRE(rss.size() == 2);
    CHECK(rss[0].id == "g1");
    CHECK(rss[0].text == "AES is unavailable.");
    CHECK(rss[0].published == parse_time("2027-03-01T08:00:00Z", "UTC"));
    CHECK(rss[1].id == "https://x/2");
    const auto atom = read_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:1</id>
<title>NCTS</title><link rel="alternate" href="https://x/a"/><updated>2027-03-01T09:00:00Z</updated>
<summary>NCTS maintenance</summary></entry></feed>)");
    REQUIRE(atom.size() == 1);
    CHECK(atom[0].id == "urn:1");
    CHECK(atom[0].link == "https://x/a");
    CHECK(atom[0].text == "NCTS maintenance");
    CHECK_THROWS_AS((void)read_feed("<rss><channel>"), data_error);
    CHECK_THROWS_AS((void)read_feed("<html><body>x</body></html>"), data_error);
    // No external entity is fetched or expanded.
    const auto xxe = read_feed(R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&e;</title></item></channel></rss>)");
    REQUIRE(xxe.size() == 1);
    CHECK(xxe[0].title.find("root:") == std::string::npos);
}

TEST_CASE("HTML text: paragraphs apart, items as lines, scripts and styles dropped, entities decoded") {
    CHECK(html_text("<html><head><style>p{}</style><title>T</title></head><body><p>DMS&nbsp;is   down</p>"
                    "<ul><li>Import</li><li>Export</li></ul><script>alert(1)</script></body></html>") ==
          "T\n\nDMS\u00a0is down\n\nImport\nExport");
}

TEST_CASE("link patterns: '*' is a run of one or more characters") {
    CHECK(link_matches("https://nh.douane.nl/status-berichten/*", "https://nh.douane.nl/status-berichten/onderhoud-dms"));
    CHECK_FALSE(link_matches("https://nh.douane.nl/status-berichten/*", "https://nh.douane.nl/status-berichten/"));
    CHECK_FALSE(link_matches("https://nh.douane.nl/status-berichten/*", "https://nh.douane.nl/over-ons"));
    CHECK(link_matches("https://*/news/*.html", "https://a.example/news/x/y.html"));
    CHECK_FALSE(link_matches("https://*/news/*.html", "https://a.example/news/.html"));
    CHECK_FALSE(link_matches("https://*/news/*.html", "https://a.example/news/x.htm"));
    CHECK(link_matches("https://x/a", "https://x/a"));
    CHECK_FALSE(link_matches("https://x/a", "https://x/ab"));
    CHECK(link_matches("*a*a", "xaba"));
    CHECK_FALSE(link_matches("*", ""));
    // The shipped profiles' patterns load; the Dutch helpdesk's match its messages.
    const AuthorityProfile* nl = Knowledge::get().authority("nl");
    REQUIRE(nl != nullptr);
    REQUIRE_FALSE(nl->links.empty());
    CHECK(std::any_of(nl->links.begin(), nl->links.end(), [](const LinkPattern& l) {
        return link_matches(l.pattern, "https://nh.douane.nl/en/status-messages/scheduled-maintenance-customs-e-commerce-deco-5");
    }));
}

TEST_CASE("IMAP URLs: the server, and the mailbox decoded") {
    const ImapUrl a = parse_imap_url("imaps://mail.example:993/Customs%20notices/");
    CHECK(a.server == "imaps://mail.example:993");
    CHECK(a.mailbox == "Customs notices");
    CHECK(a.path == "Customs%20notices");
    CHECK(parse_imap_url("imaps://mail.example").mailbox == "INBOX");
    CHECK(parse_imap_url("imap://h/").path == "INBOX");
    CHECK(parse_imap_url("imap://h/a%2").mailbox == "a%2");  // not an escape: kept
}

TEST_CASE("HTML pages: the main content, its heading, its date and its links resolved") {
    const HtmlPage p = read_html_page(R"(<html><head><title>Site | Storing</title><base href="/nl/">
<meta property="article:modified_time" content="2027-03-02T10:00:00+01:00"></head>
<body><header>Logo DMS</header><nav><a href="/">Home</a></nav>
<main><h1>Storing AGS</h1><p>AGS is niet beschikbaar.</p><aside>Zie ook NCTS</aside>
<ul><li><a href="bericht/1#top">Eén</a></li><li><a href="https://other.example/x">Twee</a></li>
<li><a href="mailto:a@b">mail</a></li><li><a href="bericht/1">Eén again</a></li></ul></main>
<footer>Cookies</footer></body></html>)",
                                      "https://site.example/a/b.html");
    CHECK(p.title == "Storing AGS");
    CHECK(p.text.find("AGS is niet beschikbaar.") != std::string::npos);
    CHECK(p.text.find("Logo") == std::string::npos);
    CHECK(p.text.find("NCTS") == std::string::npos);
    CHECK(p.text.find("Cookies") == std::string::npos);
    CHECK(p.published == parse_time("2027-03-02T09:00:00Z", "UTC"));
    REQUIRE(p.links.size() == 3);  // once each, http(s) only, fragments dropped
    CHECK(p.links[0].url == "https://site.example/");
    CHECK(p.links[1].url == "https://site.example/nl/bericht/1");
    CHECK(p.links[1].text == "Eén");
    CHECK(p.links[2].url == "https://other.example/x");
    // Without <main>: the body without its header, navigation and footer; the <title> when
    // there is no heading; a <time> for the date.
    const HtmlPage q = read_html_page("<title>NCTS down</title><body><nav>Menu</nav><p><time datetime=\"2027-03-01T08:00:00Z\">1 March</time> NCTS</p>"
                                      "<footer>x</footer>", "http://h/");
    CHECK(q.title == "NCTS down");
    CHECK(q.text == "1 March NCTS");
    CHECK(q.published == parse_time("2027-03-01T08:00:00Z", "UTC"));
    CHECK(read_html_page("", "http://h/").text.empty());
}

TEST_CASE("GOV.UK Content API: a page, a collection's documents, bad JSON refused") {
    CHECK(govuk_api_url("https://www.gov.uk/government/news/x") == "https://www.gov.uk/api/content/government/news/x");
    CHECK(govuk_api_url("https://www.gov.uk/api/content/x") == "https://www.gov.uk/api/content/x");
    CHECK(govuk_api_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/api/content/");
    CHECK(url_origin("https://www.gov.uk/a/b") == "https://www.gov.uk");
    const GovukContent page = read_govuk(R"({"base_path":"/cds","content_id":"c1","title":"CDS outage",
        "description":"Service availability","public_updated_at":"2027-03-01T09:00:00.000+00:00",
        "details":{"body":"<p>CDS is <strong>unavailable</strong>.</p>","parts":[{"title":"Part 2","body":"<p>Use NES.</p>"}]}})",
                                         "https://www.gov.uk");
    CHECK(page.id == "c1");
    CHECK(page.title == "CDS outage");
    CHECK(page.text == "Service availability\n\nCDS is unavailable.\n\nPart 2\n\nUse NES.");
    CHECK(page.published == parse_time("2027-03-01T09:00:00Z", "UTC"));
    CHECK(page.documents.empty());
    const GovukContent coll = read_govuk(R"({"base_path":"/av","title":"Availability","links":{"documents":[
        {"api_path":"/api/content/a","title":"A","public_updated_at":"2027-03-01T09:00:00Z"},
        {"api_url":"https://elsewhere/x","title":"no api_path"},
        {"api_path":"/api/content/b","title":"B"}]}})",
                                         "http://127.0.0.1:1");
    REQUIRE(coll.documents.size() == 2);
    CHECK(coll.documents[0].api_url == "http://127.0.0.1:1/api/content/a");
    CHECK(coll.documents[0].public_updated_at == "2027-03-01T09:00:00Z");
    CHECK(coll.documents[1].title == "B");
    CHECK_THROWS_AS((void)read_govuk("{\"x\":1}", "https://www.gov.uk"), data_error);
    CHECK_THROWS_AS((void)read_govuk("[1,", "https://www.gov.uk"), data_error);
    CHECK_THROWS_AS((void)read_govuk("{\"title\":1e999}", "https://www.gov.uk"), data_error);
}

TEST_CASE("changes: the most telling kind, with a field diff") {
    const ojson base = ojson::parse(R"({"title":"DMS","cancelled":false,"systems":["DMS"],"procedures":[],
        "window":{"start":"2027-03-06T17:00:00Z","end":"2027-03-06T21:00:00Z"}})");
    CHECK(compare_notices(ojson(), base).kind == "new");
    CHECK(compare_notices(ojson(), base).diff.empty());
    CHECK(compare_notices(base, base).kind.empty());
    auto later = base;
    later["window"]["end"] = "2027-03-06T22:30:00Z";
    const auto c = compare_notices(base, later);
    CHECK(c.kind == "window-prolonged");
    REQUIRE(c.diff.size() == 1);
    CHECK(c.diff[0]["field"] == "window.end");
    auto moved = base;
    moved["window"]["start"] = "2027-03-07T17:00:00Z";
    CHECK(compare_notices(base, moved).kind == "window-moved");
    auto cancelled = later;
    cancelled["cancelled"] = true;
    CHECK(compare_notices(base, cancelled).kind == "cancelled");
    auto with_call = base;
    with_call["procedures"] = ojson::parse(R"([{"call":"N04853","system":"AES","end":null}])");
    CHECK(compare_notices(base, with_call).kind == "procedure-activated");
    CHECK(compare_notices(ojson(), with_call).kind == "procedure-activated");
    auto ended = with_call;
    ended["procedures"][0]["end"] = "2027-03-07T10:00:00Z";
    CHECK(compare_notices(with_call, ended).kind == "procedure-ended");
    auto retitled = base;
    retitled["title"] = "DMS (update)";
    CHECK(compare_notices(base, retitled).kind == "updated");
}

TEST_CASE("store: notices, validators and changes survive reopening; one watch at a time") {
    TempDir d;
    const auto path = d.path / "sub" / "n.db";
    {
        auto st = NoticeStore::open(path, true);
        CHECK_THROWS_AS((void)NoticeStore::open(path, true), busy_error);
        st.transaction([&] {
            SourceState s;
            s.etag = "\"e1\"";
            s.next_poll = 42;
            st.put_source("src", s);
            st.put_notice("src", "id1", StoredNotice{"h1", "{}", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "null", ""}, nullptr);
            CHECK(st.add_change(R"("change":"new"})") == 1);
            CHECK(st.add_change(R"("change":"updated"})") == 2);
        });
        st.mark_written(1);
    }
    auto st = NoticeStore::open(path, true);
    CHECK(st.source("src").etag == "\"e1\"");
    CHECK(st.source("src").next_poll == 42);
    CHECK(st.source("other").etag.empty());
    REQUIRE(st.notice("src", "id1").has_value());
    CHECK(st.notice("src", "id1")->hash == "h1");
    const auto left = st.unwritten();
    REQUIRE(left.size() == 1);
    CHECK(left[0].seq == 2);
    // A failed transaction leaves nothing behind.
    CHECK_THROWS(st.transaction([&] {
        st.put_notice("src", "id2", StoredNotice{"h2", "{}", "t", "t", "null", ""}, nullptr);
        throw io_error("disk gone");
    }));
    CHECK_FALSE(st.notice("src", "id2").has_value());
}

// --- Answers from the store: records read back, and the in-force index against brute force --

namespace {

std::string two(int v) { return fmt::format("{:02}", v); }

// Notices about a few calls and systems, over the year 2027, in random order of
// kinds: windows with and without an end, procedures started, prolonged, ended, cancelled,
// voided. Deterministic for a seed.
std::vector<Notice> generated_notices(unsigned seed, std::size_t count) {
    std::mt19937 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const char* const systems[] = {"AES", "NCTS", "EMCS", "DMS"};
    const char* const countries[] = {"Belgian customs", "Dutch customs"};
    std::vector<Notice> out;
    for (std::size_t i = 0; i < count; ++i) {
        const int h1 = pick(0, 20), h2 = h1 + pick(1, 3);
        // A call is one outage: its notices speak of days close together.
        const int call_no = pick(1, 40);
        const auto base = std::chrono::sys_days{std::chrono::year{2027} / 1 / 1} + std::chrono::days{call_no * 9 + pick(0, 2)};
        const std::chrono::year_month_day ymd{base};
        const int day = static_cast<int>(static_cast<unsigned>(ymd.day()));
        const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        const std::string date = fmt::format("{}-{}-2027", two(day), two(month));
        const std::string call = fmt::format("N04{:03}", call_no);
        const char* sys = systems[pick(0, 3)];
        const char* who = countries[pick(0, 1)];
        std::string text;
        switch (pick(0, 7)) {
            case 0:
                text = fmt::format("{} of {} will be unavailable on {} from {}:00 to {}:00 CET.", sys, who, date,
                                   two(h1), two(h2));
                break;
            case 1:
                text = fmt::format("{} of {} is unavailable since {} at {}:00 CET.", sys, who, date, two(h1));
                break;
            case 2:
                text = fmt::format("Emergency procedure {} Call {}\nStart: {} at {}:00\nEnd: {} at {}:00", sys, call,
                                   date, two(h1), date, two(h2));
                break;
            case 3:
                text = fmt::format("Emergency procedure {} Call {}\nStart: {} at {}:00", sys, call, date, two(h1));
                break;
            case 4:
                text = fmt::format("The emergency procedure {} has been prolonged until {}/{}/27 {}:00 CET.", call,
                                   two(day), two(month), two(h2));
                break;
            case 5:
                text = fmt::format("The emergency procedure {} has ended on {} at {}:00 CET.", call, date, two(h2));
                break;
            case 6:  // no system: a window no other notice links to
                text = fmt::format("The portal of {} is unavailable since {} at {}:00 CET.", who, date, two(h1));
                break;
            default:
                text = fmt::format("Please disregard the previous message. Emergency procedure {} Call {}\n"
                                   "Start: {} at {}:00",
                                   sys, call, date, two(h1));
                break;
        }
        RawNotice raw;
        raw.newest_first = false;
        raw.line = 1;
        // Posted up to two days before the day it speaks of.
        raw.posted_at = UtcTime{base} - std::chrono::minutes{pick(0, 48 * 60)};
        raw.updates.push_back({"", text, {}, raw.posted_at, std::nullopt});
        NoticeOptions no;
        no.reference_time = *parse_time("2027-01-01T00:00:00Z", "UTC");
        out.push_back(interpret_notice(raw, i, no));
    }
    return out;
}

// What `bcp-notice active` keeps of notices read in this order (notice_tool.cpp's Runner).
std::vector<std::string> active_ids(std::vector<Notice> notices, const ActiveQuery& q) {
    NoticeLinker linker;
    std::vector<Notice> held;
    for (auto& n : notices) {
        for (const auto& s : linker.link(n)) {
            held.erase(std::remove_if(held.begin(), held.end(), [&](const Notice& h) { return h.id == s.id; }),
                       held.end());
        }
        if (notice_in_force(n, q)) held.push_back(n);
    }
    std::vector<std::string> ids;
    for (const auto& n : held) ids.push_back(n.id + " " + json_line(to_json(n)));
    return ids;
}

}  // namespace

TEST_CASE("notice records: read back, a notice prints as it did") {
    std::size_t with_links = 0;
    auto notices = generated_notices(7, 200);
    NoticeLinker linker;
    for (auto& n : notices) {
        (void)linker.link(n);
        if (!n.links.empty()) ++with_links;
        const Notice back = notice_from_record(to_json(n), notice_facts(n));
        CHECK(json_line(to_json(back)) == json_line(to_json(n)));
        CHECK(back.window_stated == n.window_stated);
        CHECK(back.disregards_previous == n.disregards_previous);
        REQUIRE(back.procedures.size() == n.procedures.size());
        for (std::size_t i = 0; i < n.procedures.size(); ++i) {
            CHECK(back.procedures[i].start_stated == n.procedures[i].start_stated);
            CHECK(back.procedures[i].end_stated == n.procedures[i].end_stated);
        }
    }
    CHECK(with_links > 20);  // the generator links notices, so links are read back too
    CHECK_THROWS_AS((void)notice_from_record(ojson::parse(R"({"id":"n1","window":{"start":"soon"}})")), data_error);
    CHECK_THROWS_AS((void)notice_from_record(ojson::parse(R"({"id":"n1","fallback":"maybe"})")), data_error);
    CHECK_THROWS_AS((void)notice_from_record(ojson::parse("[1]")), data_error);
}

TEST_CASE("store: in force at T from the index is what all the notices say, linked") {
    TempDir d;
    auto st = NoticeStore::open(d.path / "n.db", true);
    const auto notices = generated_notices(11, 300);
    st.transaction([&] {
        for (std::size_t i = 0; i < notices.size(); ++i) {
            // One poll a minute: the order first seen is the order generated.
            const std::string at = format_rfc3339(*parse_time("2027-03-01T00:00:00Z", "UTC") + std::chrono::minutes(i));
            const NoticeIndex ix = notice_index(notices[i]);
            st.put_notice("s", fmt::format("item{}", i),
                          StoredNotice{"h", json_line(to_json(notices[i])), at, at,
                                       json_line(notice_facts(notices[i])), at},
                          &ix);
        }
    });
    // Every boundary a span or a group can have, one second either side.
    std::set<std::int64_t> times;
    for (const auto& n : notices) {
        for (const auto& s : notice_force_spans(n)) {
            for (const auto& t : {s.start, s.end, s.late}) {
                if (!t) continue;
                for (const int h : {0, 3, 72}) {
                    const auto b = t->time_since_epoch().count() + h * 3600;
                    times.insert({b - 1, b, b + 1});
                }
            }
        }
    }
    std::size_t asked = 0, found = 0, read = 0;
    std::mt19937 rng(3);
    for (const auto t : times) {
        if (std::uniform_int_distribution<int>(0, 7)(rng) != 0) continue;  // an eighth of them
        for (const int h : {3, 72}) {
            ActiveQuery q;
            q.at = UtcTime{std::chrono::seconds{t}};
            q.open_horizon = std::chrono::hours{h};
            const auto truth = active_ids(notices, q);
            std::vector<Notice> from_store;
            for (const auto& r : st.in_force(q.at, q.open_horizon)) {
                from_store.push_back(notice_from_record(ojson::parse(r.event), ojson::parse(r.facts)));
            }
            read += from_store.size();
            CAPTURE(format_rfc3339(q.at));
            CAPTURE(h);
            CHECK(active_ids(from_store, q) == truth);
            ++asked;
            if (!truth.empty()) ++found;
        }
    }
    CHECK(asked > 150);
    CHECK(found > asked / 4);           // the times asked find notices in force
    CHECK(read < asked * notices.size() / 4);  // and the index reads a fraction of the store
    // Since: what changed at or after a time, with what it is linked with (not shown).
    const auto since = st.seen_since(parse_time("2027-03-01T04:00:00Z", "UTC"));
    std::size_t shown = 0;
    for (const auto& r : since) {
        if (r.shown) ++shown;
    }
    CHECK(shown == notices.size() - 240);
    CHECK(since.size() >= shown);
    CHECK(st.seen_since(std::nullopt).size() == notices.size());
}

TEST_CASE("store: a version 1 store is migrated, its notices indexed from their records") {
    TempDir d;
    const auto path = d.path / "v1.db";
    const Notice n = generated_notices(5, 1).front();
    std::string record = json_line(to_json(n));
    for (std::size_t i = record.find('\''); i != std::string::npos; i = record.find('\'', i + 2)) record.insert(i, 1, '\'');
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        const std::string sql =
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema', '1');"
            "CREATE TABLE notices (source TEXT NOT NULL, source_id TEXT NOT NULL, first_seen TEXT NOT NULL,"
            " last_seen TEXT NOT NULL, hash TEXT NOT NULL, event TEXT NOT NULL, PRIMARY KEY (source, source_id));"
            "INSERT INTO notices VALUES ('s', 'a', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'h', '" +
            record + "');";
        REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto st = NoticeStore::open(path, false);
    REQUIRE(st.notice("s", "a").has_value());
    CHECK(st.notice("s", "a")->changed == "2026-02-01T00:00:00Z");  // the last sighting: --since misses nothing
    const auto spans = notice_force_spans(n);
    REQUIRE(!spans.empty());
    const auto& sp = spans.front().start ? spans.front() : spans.back();
    REQUIRE(sp.start.has_value());
    const auto records = st.in_force(*sp.start, std::chrono::hours{72});
    REQUIRE(records.size() == 1);
    CHECK(records[0].source_id == "a");
    CHECK(st.seen_since(parse_time("2026-01-15T00:00:00Z", "UTC")).size() == 1);
    CHECK(st.seen_since(parse_time("2026-03-01T00:00:00Z", "UTC")).empty());
    CHECK_THROWS_AS((void)NoticeStore::open(d.path / "none.db", false), io_error);
}

}  // namespace watch_test
