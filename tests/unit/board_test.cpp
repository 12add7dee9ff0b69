// Unit tests of lib/board: what the board keeps of a store (in force per country and system,
// the coming days, the sources), and the page's escaping and structure.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "bcp/board/board.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/notice/notice_link.hpp"
#include "bcp/notice/notice_record.hpp"
#include "bcp/store/store.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace board_test {

using namespace bcp;
using bcp::test::TempDir;

namespace {

UtcTime t(const char* s) { return *parse_time(s, "UTC"); }

Notice notice(const std::string& id, const std::string& country, const std::string& system, const char* start,
              const char* end, std::optional<bool> planned = std::nullopt) {
    Notice n;
    n.id = id;
    n.title = "Notice " + id;
    n.file = "src";
    n.country = country;
    n.systems = {system};
    n.planned = planned;
    n.window.start = t(start);
    if (end != nullptr) n.window.end = t(end);
    n.window_stated = true;
    n.posted_at = t("2027-03-01T08:00:00Z");
    return n;
}

void put(NoticeStore& st, const std::vector<Notice>& notices) {
    st.transaction([&] {
        for (std::size_t i = 0; i < notices.size(); ++i) {
            const std::string at = format_rfc3339(t("2027-03-01T09:00:00Z") + std::chrono::minutes(i));
            const NoticeIndex ix = notice_index(notices[i]);
            st.put_notice("src", notices[i].id,
                          StoredNotice{"h", json_line(to_json(notices[i])), at, at, json_line(notice_facts(notices[i])), at},
                          &ix);
        }
    });
}

}  // namespace

TEST_CASE("board: in force per country and system, the coming days, the sources") {
    TempDir d;
    auto st = NoticeStore::open(d.path / "b.db", true);
    Notice proc = notice("p1", "BE", "AES", "2027-03-01T09:00:00Z", nullptr);
    proc.procedures.push_back({"AES", "N04860", t("2027-03-01T09:00:00Z"), std::nullopt, "N04860-D:20270301-T100000", {}, true, false});
    Notice outage = notice("o1", "NL", "NCTS", "2027-03-01T07:30:00Z", "2027-03-01T14:00:00Z", false);
    outage.title = "Storing <b>NCTS</b> & co";
    Notice later = notice("w1", "DK", "DMS-IMPORT", "2027-03-04T17:00:00Z", "2027-03-04T21:00:00Z", true);
    Notice past = notice("x1", "DK", "DMS-EKSPORT", "2027-02-20T17:00:00Z", "2027-02-20T21:00:00Z", true);
    Notice beyond = notice("y1", "FI", "UTU", "2027-03-20T17:00:00Z", "2027-03-20T21:00:00Z", true);
    Notice nocountry = notice("z1", "", "ICS2", "2027-03-01T10:00:00Z", "2027-03-01T13:00:00Z");
    put(st, {proc, outage, later, past, beyond, nocountry});
    SourceState ok;
    ok.last_poll = "2027-03-01T11:55:00Z";
    ok.next_poll = 1804000000;
    st.put_source("mail", ok);
    SourceState bad = ok;
    bad.failures = 3;
    bad.last_error = "http://x/feed.xml: HTTP status 500";
    st.put_source("feed", bad);
    SourceState validator;  // a poll's validator of one URL: not a source
    validator.etag = "\"abc\"";
    st.put_source("url http://x/feed.xml", validator);

    BoardOptions o;
    o.at = t("2027-03-01T12:00:00Z");
    const Board b = build_board(st, o);
    CHECK(b.notices == 6);
    REQUIRE(b.in_force.size() == 3);
    // By country, "not stated" last; the procedure's window is not a second row.
    CHECK(b.in_force[0].country == "BE");
    CHECK(b.in_force[0].kind == "emergency procedure");
    CHECK(b.in_force[0].call == "N04860");
    CHECK(b.in_force[0].mention == "N04860-D:20270301-T100000");
    CHECK(b.in_force[0].open_until == t("2027-03-04T09:00:00Z"));
    CHECK(b.in_force[1].country == "NL");
    CHECK(b.in_force[1].kind == "unplanned outage");
    CHECK_FALSE(b.in_force[1].open_until.has_value());
    CHECK(b.in_force[2].country.empty());
    CHECK(b.in_force[2].system == "ICS2");
    // The coming days: what has not ended, by start; not what is over or beyond the 14 days.
    std::vector<std::string> bars;
    for (const auto& bar : b.coming) bars.push_back(bar.system + " " + bar.kind);
    CHECK(bars == std::vector<std::string>{"NCTS unplanned outage", "AES emergency procedure", "ICS2 outage",
                                           "DMS-IMPORT planned outage"});
    REQUIRE(b.sources.size() == 2);
    CHECK(b.sources[0].id == "feed");
    CHECK(b.sources[0].state.failures == 3);

    std::string page;
    append_board_html(page, b);
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.find("Storing &lt;b&gt;NCTS&lt;/b&gt; &amp; co") != std::string::npos);
    CHECK(page.find("<b>NCTS") == std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("FAILED (3 polls in a row)") != std::string::npos);
    CHECK(page.find("Warning: 1 source failed") != std::string::npos);
    CHECK(page.find("BE \u2014 Belgium") != std::string::npos);
    CHECK(page.find("Country not stated") != std::string::npos);
    CHECK(page.find("<time datetime=\"2027-03-04T17:00:00Z\">2027-03-04 17:00 UTC</time>") != std::string::npos);
    // A bar starts where its window does on the 14-day axis: 3 days 5 h of 14 days.
    CHECK(page.find(fmt::format("left:{:.2f}%", (3 * 24 + 5) / (14.0 * 24) * 100)) != std::string::npos);

    // A cancellation later in the store ends what it cancels: nothing of DK in force or coming.
    Notice cancel = later;
    cancel.id = "w2";
    cancel.cancelled = true;
    cancel.posted_at = t("2027-03-01T11:00:00Z");
    put(st, {cancel});
    const Board c = build_board(st, o);
    for (const auto& bar : c.coming) CHECK(bar.country != "DK");
}

TEST_CASE("board: an empty store says so") {
    TempDir d;
    auto st = NoticeStore::open(d.path / "e.db", true);
    BoardOptions o;
    o.at = t("2027-03-01T12:00:00Z");
    const Board b = build_board(st, o);
    CHECK(b.in_force.empty());
    CHECK(b.coming.empty());
    std::string page;
    append_board_html(page, b);
    CHECK(page.find("Nothing is in force at 2027-03-01 12:00 UTC") != std::string::npos);
    CHECK(page.find("No window or procedure from") != std::string::npos);
    CHECK(page.find("No source has been polled") != std::string::npos);
    CHECK(page.find("role=\"alert\"") == std::string::npos);
}

TEST_CASE("read_store and render_board read a store file; a record that does not read back names the file") {
    TempDir d;
    const auto path = d.path / "r.db";
    {
        auto st = NoticeStore::open(path, true);
        put(st, {notice("a1", "BE", "AES", "2027-03-01T09:00:00Z", "2027-03-01T18:00:00Z", true)});
    }
    StoreQuery q;
    q.at = t("2027-03-01T12:00:00Z");
    q.horizon = std::chrono::hours{72};
    std::vector<std::string> ids;
    read_store(path, q, [&](Notice&& n, bool shown) {
        CHECK(shown);
        ids.push_back(n.id);
    });
    CHECK(ids == std::vector<std::string>{"a1"});
    // Without an instant: those seen since a time (none after the one stored).
    q.at.reset();
    q.since = t("2027-03-05T00:00:00Z");
    ids.clear();
    read_store(path, q, [&](Notice&& n, bool) { ids.push_back(n.id); });
    CHECK(ids.empty());
    BoardOptions o;
    o.at = t("2027-03-01T12:00:00Z");
    const std::string page = render_board(path, o);
    CHECK(page.find("Notice a1") != std::string::npos);
    CHECK(page.find(path.string()) != std::string::npos);
    {
        auto st = NoticeStore::open(path, true);
        st.transaction([&] { st.put_notice("src", "bad", StoredNotice{"h", "{", "x", "x", "{}", "x"}, nullptr); });
    }
    try {
        read_store(path, StoreQuery{}, [](Notice&&, bool) {});
        FAIL("no data error");
    } catch (const data_error& e) {
        CHECK(e.file() == path.string());
    }
    CHECK_THROWS_AS((void)read_store(d.path / "missing.db", StoreQuery{}, [](Notice&&, bool) {}), bcp::error);
}

}  // namespace board_test
