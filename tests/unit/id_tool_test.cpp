// Tests of bcp-id's run(): the tool's behaviour on streams, without a process in between.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "id_tool.hpp"
#include "tool_run.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace id_tool_test {

using bcp::id_tool::Command;
using bcp::id_tool::Options;
using nlohmann::json;

namespace {

using Result = bcp::test::RunResult;

Result run(const Options& o, const std::string& input) {
    return bcp::test::run_tool(bcp::id_tool::run, o, input);
}

}  // namespace

TEST_CASE("check: all valid exits 0, one invalid exits 1") {
    Options o;
    auto r = run(o, "07ES00084110151140\n20GB5M2723461FGVR3\n");
    CHECK(r.status == 0);
    auto recs = r.records();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["valid"] == true);
    CHECK(recs[1]["parts"]["country"] == "GB");
    CHECK(recs[1]["check_expected"] == "3");

    r = run(o, "07ES00084110151140\n97IT9876AB88901235\n");
    CHECK(r.status == 1);
    recs = r.records();
    CHECK(recs[1]["errors"][0]["code"] == "check-character");
    CHECK(recs[1]["check_expected"] == "0");
}

TEST_CASE("check --invalid-only prints only the invalid ones, with their line") {
    Options o;
    o.invalid_only = true;
    const auto r = run(o, "07ES00084110151140\nN046785\n20GB5M2723461FGVR3\n");
    CHECK(r.status == 1);
    const auto recs = r.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["line"] == 2);
    CHECK(recs[0]["type"] == "call");
    CHECK(recs[0]["errors"][0]["code"] == "call-digits");
}

TEST_CASE("check --field on JSON Lines; missing field and wrong type are per-record errors") {
    Options o;
    o.fields = {"/mrn", "/declarant/eori"};
    const auto r = run(o,
                       R"({"mrn":"20GB5M2723461FGVR3","declarant":{"eori":"BE0123456789"}})"
                       "\n"
                       R"({"mrn":17})"
                       "\n");
    CHECK(r.status == 1);
    const auto recs = r.records();
    REQUIRE(recs.size() == 4);
    CHECK(recs[0]["field"] == "/mrn");
    CHECK(recs[0]["valid"] == true);
    CHECK(recs[1]["type"] == "eori");
    CHECK(recs[2]["errors"][0]["code"] == "not-a-string");
    CHECK(recs[3]["errors"][0]["code"] == "missing-field");
    CHECK(recs[3]["line"] == 2);
}

TEST_CASE("malformed JSON stops with 3 and keeps what came before; --skip-invalid goes on") {
    Options o;
    o.fields = {"/lrn"};
    const std::string input = "{\"lrn\":\"A1\"}\n{\"lrn\": \n{\"lrn\":\"A3\"}\n";
    auto r = run(o, input);
    CHECK(r.status == 3);
    CHECK(r.records().size() == 1);
    CHECK(r.err.find("malformed JSON") != std::string::npos);
    CHECK(r.err.find("(at <stdin>:2)") != std::string::npos);

    o.skip_invalid = true;
    r = run(o, input);
    CHECK(r.status == 1);
    const auto recs = r.records();
    REQUIRE(recs.size() == 3);
    CHECK(recs[1]["error"]["kind"] == "json");
    CHECK(recs[2]["input"] == "A3");
}

TEST_CASE("a 10 MB line is one invalid reference, echoed truncated") {
    Options o;
    const auto r = run(o, std::string(10u << 20, '7') + "\n07ES00084110151140\n");
    CHECK(r.status == 1);
    const auto recs = r.records();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["input_truncated"] == true);
    CHECK(recs[0]["input_length"] == (10u << 20));
    CHECK(recs[1]["valid"] == true);
}

TEST_CASE("duplicates are reported on request") {
    Options o;
    o.type = "lrn";
    o.duplicates = true;
    const auto r = run(o, "A1\nA2\nA1\n");
    CHECK(r.status == 1);
    const auto recs = r.records();
    CHECK(recs[2]["errors"][0]["code"] == "duplicate");
    CHECK(recs[2]["errors"][0]["message"] == "the same reference appeared on line 1");
}

TEST_CASE("EORI normalisation on request") {
    Options o;
    o.type = "eori";
    o.normalize = true;
    const auto r = run(o, "be 0123 456789\n");
    CHECK(r.status == 0);
    CHECK(r.records()[0]["normalized"] == "BE0123456789");
}

TEST_CASE("gen draws from the state file; explain breaks references down") {
    Options o;
    o.command = Command::gen;
    o.count = 2;
    o.year = 25;
    o.state = "/tmp/bcp-id-tool-test-" + std::to_string(::getpid()) + "/seq";
    auto r = run(o, "");
    CHECK(r.status == 0);
    auto recs = r.records();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["reference"] == "25BECPB000000001R3");
    r = run(o, "");
    CHECK(r.records()[0]["number"] == 3);
    std::filesystem::remove_all(std::filesystem::path(o.state).parent_path());

    Options e;
    e.command = Command::explain;
    e.refs = {"20GB5M2723461FGVR3"};
    r = run(e, "");
    CHECK(r.status == 0);
    CHECK(r.out.find("United Kingdom") != std::string::npos);
    CHECK(r.out.find("import declaration only") != std::string::npos);
}

TEST_CASE("gen refuses bad options with a usage error") {
    Options o;
    o.command = Command::gen;
    o.country = "NL";
    o.state = "/tmp/unused";
    const auto r = run(o, "");
    CHECK(r.status == 2);
    CHECK(r.err.find("always BE") != std::string::npos);
    CHECK(r.err.find("Try 'bcp-id --help'") != std::string::npos);
}

}  // namespace id_tool_test
