// Unit tests of bcp/sink.hpp that need no network: command splitting, Retry-After, the exec
// sink with real programs (exit statuses, stdin, environment, timeouts), the stream sink.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "bcp/core/error.hpp"
#include "bcp/replay/sink.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace sink_test {

using namespace bcp;

namespace {

std::vector<SinkResult> drain(Sink& s, std::size_t want) {
    std::vector<SinkResult> all;
    for (int i = 0; i < 500 && all.size() < want; ++i) {
        auto r = s.poll(std::chrono::milliseconds(20));
        all.insert(all.end(), r.begin(), r.end());
    }
    return all;
}

Message message(std::int64_t id, const std::string& key) {
    Message m;
    m.id = id;
    m.key = key;
    return m;
}

}  // namespace

TEST_CASE("commands split like a shell would, without expanding anything") {
    CHECK(split_command("prog a b") == std::vector<std::string>{"prog", "a", "b"});
    CHECK(split_command("  prog  'a b'  \"c \\\" d\" e\\ f ") ==
          std::vector<std::string>{"prog", "a b", "c \" d", "e f"});
    CHECK(split_command("echo $HOME *") == std::vector<std::string>{"echo", "$HOME", "*"});
    CHECK_THROWS_AS((void)split_command("prog 'open"), usage_error);
    CHECK_THROWS_AS((void)split_command("   "), usage_error);
}

TEST_CASE("Retry-After in seconds or as an HTTP date") {
    CHECK(parse_retry_after("120", 0) == doctest::Approx(120));
    CHECK(parse_retry_after("", 0) == -1);
    CHECK(parse_retry_after("soon", 0) == -1);
    // Thu, 27 Nov 2025 10:00:30 GMT is 30 s after 10:00:00.
    CHECK(parse_retry_after("Thu, 27 Nov 2025 10:00:30 GMT", 1764237600.0) ==
          doctest::Approx(30));
}

TEST_CASE("exec sink: exit statuses map to states; stdin and the key reach the program") {
    ExecOptions o;
    o.argv = {"sh", "-c",
              "read body; case \"$body\" in *ok*) echo \"got $BCP_IDEMPOTENCY_KEY\"; exit 0;; "
              "*bad*) exit 1;; *later*) exit 75;; *die*) kill -9 $$;; *) exit 3;; esac"};
    o.concurrency = 3;
    auto sink = make_exec_sink(o);
    sink->start(message(1, "K1"), R"({"x":"ok"})");
    sink->start(message(2, "K2"), R"({"x":"bad"})");
    sink->start(message(3, "K3"), R"({"x":"later"})");
    sink->start(message(4, "K4"), R"({"x":"die"})");
    sink->start(message(5, "K5"), R"({"x":"other"})");
    auto results = drain(*sink, 5);
    REQUIRE(results.size() == 5);
    std::map<std::int64_t, SinkResult> by;
    for (auto& r : results) by[r.id] = r;
    CHECK(by[1].state == MessageState::accepted);
    CHECK(by[1].response == "got K1\n");
    CHECK(by[2].state == MessageState::rejected);
    CHECK(by[3].state == MessageState::queued);
    CHECK(by[4].state == MessageState::unknown);
    CHECK(by[5].state == MessageState::unknown);
    CHECK(sink->in_flight() == 0);
}

TEST_CASE("exec sink: a program that runs too long is killed and counts as unknown") {
    ExecOptions o;
    o.argv = {"sleep", "10"};
    o.timeout = std::chrono::milliseconds(200);
    auto sink = make_exec_sink(o);
    sink->start(message(1, "K"), "{}");
    const auto r = drain(*sink, 1);
    REQUIRE(r.size() == 1);
    CHECK(r[0].state == MessageState::unknown);
}

TEST_CASE("exec sink: a program that cannot start is retried later, not unknown") {
    ExecOptions o;
    o.argv = {"/nonexistent/program"};
    auto sink = make_exec_sink(o);
    sink->start(message(1, "K"), "{}");
    const auto r = drain(*sink, 1);
    REQUIRE(r.size() == 1);
    CHECK(r[0].state == MessageState::queued);
}

TEST_CASE("stream sink writes JSON Lines and accepts") {
    std::ostringstream out;
    auto sink = make_stream_sink(out);
    sink->start(message(1, "A"), R"({"lrn":"A"})");
    sink->start(message(2, "B"), R"({"lrn":"B"})");
    const auto r = sink->poll(std::chrono::milliseconds(0));
    CHECK(r.size() == 2);
    CHECK(r[0].state == MessageState::accepted);
    CHECK(out.str() == "{\"lrn\":\"A\"}\n{\"lrn\":\"B\"}\n");
}

TEST_CASE("http sink refuses what is not an http(s) URL") {
    HttpOptions h;
    h.url = "ftp://example.invalid/";
    CHECK_THROWS_AS((void)make_http_sink(h), usage_error);
}

TEST_CASE("headers: as given, from a file (comments skipped, a loose mode warned), from the environment") {
    char dir_tmpl[] = "/tmp/bcp-headers-XXXXXX";
    REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
    const std::string file = std::string(dir_tmpl) + "/h";
    {
        std::ofstream f(file);
        f << "# the token\r\nAuthorization: Bearer s3cret\r\n\r\n";
    }
    ::chmod(file.c_str(), 0644);
    ::setenv("BCP_TEST_HEADER_VALUE", "abc", 1);
    std::vector<std::string> warnings;
    const auto h = collect_headers({{"X-One: 1"}, "--header", {file}, {"X-Env=BCP_TEST_HEADER_VALUE"}, "--header-env"},
                                   [&](const std::string& w) { warnings.push_back(w); });
    CHECK(h == std::vector<std::string>{"X-One: 1", "Authorization: Bearer s3cret", "X-Env: abc"});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "header file " + file + " is readable by other users (chmod 600)");
    ::chmod(file.c_str(), 0600);
    warnings.clear();
    (void)collect_headers({{}, "--header", {file}, {}, "--header-env"}, [&](const std::string& w) { warnings.push_back(w); });
    CHECK(warnings.empty());
    std::filesystem::remove_all(dir_tmpl);
}

TEST_CASE("headers: a bad one is a usage error that names where it came from, never its value") {
    const auto none = [](const std::string&) {};
    CHECK_THROWS_WITH_AS((void)collect_headers({{"no colon s3cret"}, "--header", {}, {}, "--header-env"}, none),
                         "a header from --header is not 'Name: value'", usage_error);
    CHECK_THROWS_WITH_AS((void)collect_headers({{}, "--header", {}, {"X-Env"}, "--header-env"}, none),
                         "--header-env 'X-Env' is not NAME=VARIABLE", usage_error);
    ::unsetenv("BCP_TEST_NO_SUCH");
    CHECK_THROWS_WITH_AS((void)collect_headers({{}, "--header", {}, {"X=BCP_TEST_NO_SUCH"}, "--header-env"}, none),
                         "--header-env: the environment has no BCP_TEST_NO_SUCH", usage_error);
    CHECK_THROWS_AS((void)collect_headers({{}, "--header", {"/nonexistent/h"}, {}, "--header-env"}, none), io_error);
}

}  // namespace sink_test
