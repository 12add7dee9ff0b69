// Unit tests of lib/watch: sources files, Retry-After, feeds and HTML text through libxml2, the
// change between two records, and the store on a real SQLite file.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "bcp/core/error.hpp"
#include "bcp/watch/feed.hpp"
#include "bcp/watch/fetch.hpp"
#include "bcp/watch/source.hpp"
#include "bcp/watch/store.hpp"
#include "bcp/watch/watch.hpp"
#include "temp_dir.hpp"

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
    refused("[[source]]\nid = \"a\"\nkind = \"imap\"\nurl = \"imaps://x/\"\n", "not polled by this version");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\n", "rss needs url");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"ftp://x/f\"\n", "not an http or https URL");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\ninterval = 10\n", "under 60 s");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\npassword = \"p\"\n", "never written");
    refused("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x/f\"\n[[source]]\nid = \"a\"\nkind = \"rss\"\n"
            "url = \"https://y/f\"\n",
            "used twice");
    refused("x = 1\n", "no [[source]]");
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
            st.put_notice("src", "id1", StoredNotice{"h1", "{}", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z"});
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
        st.put_notice("src", "id2", StoredNotice{"h2", "{}", "t", "t"});
        throw io_error("disk gone");
    }));
    CHECK_FALSE(st.notice("src", "id2").has_value());
}
