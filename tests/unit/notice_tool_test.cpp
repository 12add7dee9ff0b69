// Tests of bcp-notice's run(): the tool's behaviour on streams, without a process in between.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "notice_tool.hpp"
#include "tool_run.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace notice_tool_test {

using bcp::notice_tool::Command;
using bcp::notice_tool::Options;
using nlohmann::json;

namespace {

using Result = bcp::test::RunResult;

Result run(const Options& o, const std::string& input) {
    return bcp::test::run_tool(bcp::notice_tool::run, o, input);
}

const char* maintenance =
    "Wartungsarbeiten ATLAS Ausfuhr\n"
    "Am Samstag, 6. Dezember 2025 von 20:00 bis 24:00 ist ATLAS Ausfuhr nicht verfügbar.\n";

}  // namespace

TEST_CASE("run(): a notice on stdin becomes one event with its window and evidence") {
    Options o;
    o.reference_time = "2025-11-28T00:00:00Z";
    const auto r = run(o, maintenance);
    CHECK(r.status == 0);
    const auto j = json::parse(r.out);
    CHECK(j["country"] == "DE");
    CHECK(j["planned"] == true);
    CHECK(j["window"]["start"] == "2025-12-06T19:00:00Z");
    CHECK(j["window"]["end"] == "2025-12-06T23:00:00Z");
    CHECK(j["evidence"].contains("country"));
}

TEST_CASE("run(): active answers by exit status, and refuses a country it does not know") {
    Options o;
    o.command = Command::active;
    o.reference_time = "2025-11-28T00:00:00Z";
    o.at = "2025-12-06T20:00:00Z";
    o.country = "DE";
    auto r = run(o, maintenance);
    CHECK(r.status == 0);
    CHECK(r.out.find("ATLAS") != std::string::npos);
    o.at = "2025-12-07T20:00:00Z";
    r = run(o, maintenance);
    CHECK(r.status == 1);  // nothing in force then
    o.country = "UK";
    r = run(o, maintenance);
    CHECK(r.status == 2);
    CHECK(r.err.find("GB") != std::string::npos);  // the code meant is suggested
}

}  // namespace notice_tool_test
