// Tests of bcp-mention's run(): the tool's behaviour on streams, without a process in between.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mention_tool.hpp"
#include "tool_run.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace mention_tool_test {

using bcp::mention_tool::Options;
using nlohmann::json;

namespace {

using Result = bcp::test::RunResult;

Result run(const Options& o, const std::string& input) {
    return bcp::test::run_tool(bcp::mention_tool::run, o, input);
}

Options be_aes(const bcp::test::TempDir& dir) {
    Options o;
    o.country = "BE";
    o.system = "AES";
    o.call = "N04853";
    o.start = "2025-11-27T11:00";
    o.state = (dir.path / "sequence").string();
    return o;
}

}  // namespace

TEST_CASE("run(): declarations on stdin come back annotated, one per line, in order") {
    bcp::test::TempDir dir;
    const auto r = run(be_aes(dir), "{\"lrn\":\"A\"}\n{\"lrn\":\"B\"}\n");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    const auto got = r.records();
    REQUIRE(got.size() == 2);
    CHECK(got[0]["lrn"] == "A");
    CHECK(got[1]["lrn"] == "B");
    CHECK(got[0]["bcp"]["mentions"][0]["value"] == "N04853-D:20251127-T110000");
    CHECK(got[0]["bcp"]["references"][0]["value"] != got[1]["bcp"]["references"][0]["value"]);
}

TEST_CASE("run(): a checklist before the outage, bad input and refusals by exit status") {
    bcp::test::TempDir dir;
    Options o;
    o.country = "NO";
    o.system = "NCTS";
    o.checklist = true;
    o.format = "text";
    auto r = run(o, "");
    CHECK(r.status == 0);
    CHECK(r.out.find("Start     not given") != std::string::npos);

    auto bad = be_aes(dir);
    r = run(bad, "{\"lrn\":\n");
    CHECK(r.status == 3);  // malformed JSON
    CHECK(r.err.find("malformed JSON") != std::string::npos);

    bad.call.clear();
    r = run(bad, "{\"lrn\":\"A\"}\n");
    CHECK(r.status == 2);  // the rule needs a call number
    CHECK(r.out.empty());

    Options no;
    no.country = "NO";
    no.system = "NCTS";
    no.start = "2025-11-24T09:00";
    no.retrospective = true;
    r = run(no, "{\"lrn\":\"T1\",\"started_on\":\"paper\"}\n{\"lrn\":\"T2\",\"started_on\":\"electronic\"}\n");
    CHECK(r.status == 4);  // one paper transit refused; the other is written, not governed
    CHECK(r.out.find("\"governed\":false") != std::string::npos);
    CHECK(r.err.find("1 declaration must not be submitted") != std::string::npos);
}

}  // namespace mention_tool_test
