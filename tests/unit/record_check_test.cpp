// Unit tests of bcp/ref/record_check.hpp: what bcp-id check finds in one line, bare or a JSON
// record's named fields, without the command line.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "bcp/core/error.hpp"
#include "bcp/ref/record_check.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace record_check_test {

using namespace bcp;

namespace {

struct Seen {
    std::string field, text;
    RefType type;
    bool valid, type_known, duplicate, missing, not_string;
};

std::vector<Seen> run(RecordChecker& c, std::size_t line, std::string_view text,
                      std::optional<LineProblem>* problem = nullptr) {
    std::vector<Seen> seen;
    auto p = c.line(line, text, [&](const CheckedRef& r) {
        seen.push_back({std::string(r.field), std::string(r.text), r.check.type, r.check.valid(), r.type_known,
                        r.check.has(Code::duplicate), r.check.has(Code::missing_field),
                        r.check.has(Code::not_a_string)});
    });
    if (problem != nullptr) *problem = std::move(p);
    return seen;
}

}  // namespace

TEST_CASE("a bare line is one reference, its type detected or fixed") {
    RecordChecker c({});
    auto seen = run(c, 1, "07ES00084110151140");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].type == RefType::mrn);
    CHECK(seen[0].valid);
    CHECK(seen[0].field.empty());
    RecordCheckOptions fixed;
    fixed.type = RefType::eori;
    RecordChecker e(fixed);
    seen = run(e, 1, "07ES00084110151140");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].type == RefType::eori);
}

TEST_CASE("a JSON line without named fields is the caller's mistake, never a valid LRN") {
    RecordCheckOptions o;
    o.fields_as = "--field";
    RecordChecker c(o);
    std::optional<LineProblem> problem;
    CHECK(run(c, 4, R"(  {"mrn": "07ES00084110151140"})", &problem).empty());
    REQUIRE(problem);
    CHECK(problem->usage);
    CHECK(problem->message.find("--field POINTER[:TYPE]") != std::string::npos);
}

TEST_CASE("named fields: typed, detected, missing, not a string, allowed missing") {
    RecordCheckOptions o;
    o.fields = {"/mrn:mrn", "/ref:auto", "/n"};
    o.type = RefType::lrn;
    RecordChecker c(o);
    auto seen = run(c, 1, R"({"mrn": "07ES00084110151140", "n": 5})");
    REQUIRE(seen.size() == 3);
    CHECK((seen[0].field == "/mrn" && seen[0].valid && seen[0].type == RefType::mrn));
    // A missing field whose type was to be detected: no type to say.
    CHECK((seen[1].field == "/ref" && seen[1].missing && !seen[1].type_known && !seen[1].valid));
    // The inherited type (--type) is the type of a value that is not a string.
    CHECK((seen[2].field == "/n" && seen[2].not_string && seen[2].type_known && seen[2].type == RefType::lrn));
    o.allow_missing = true;
    RecordChecker lenient(o);
    seen = run(lenient, 1, R"({"mrn": "07ES00084110151140"})");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].field == "/mrn");
}

TEST_CASE("duplicates name the line first seen, per type") {
    RecordCheckOptions o;
    o.duplicates = true;
    RecordChecker c(o);
    CHECK_FALSE(run(c, 1, "07ES00084110151140")[0].duplicate);
    CHECK_FALSE(run(c, 2, "20GB5M2723461FGVR3")[0].duplicate);
    const auto again = run(c, 3, "07ES00084110151140");
    REQUIRE(again.size() == 1);
    CHECK(again[0].duplicate);
    CHECK_FALSE(again[0].valid);
    RecordChecker off({});
    (void)run(off, 1, "07ES00084110151140");
    CHECK_FALSE(run(off, 2, "07ES00084110151140")[0].duplicate);
}

TEST_CASE("lines that are no record: empty, malformed, not an object") {
    RecordCheckOptions o;
    o.fields = {"/mrn"};
    RecordChecker c(o);
    std::optional<LineProblem> problem;
    CHECK(run(c, 1, " \t", &problem).empty());
    REQUIRE(problem);
    CHECK(problem->kind == "empty");
    CHECK(run(c, 2, "{\"mrn\": ", &problem).empty());
    REQUIRE(problem);
    CHECK(problem->kind == "json");
    CHECK(problem->message.rfind("malformed JSON: ", 0) == 0);
    CHECK(run(c, 3, "[1, 2]", &problem).empty());
    REQUIRE(problem);
    CHECK(problem->message == "a record must be a JSON object, found array");
}

TEST_CASE("a field that is no JSON pointer is a usage error naming it as the caller says") {
    RecordCheckOptions o;
    o.fields = {"mrn"};
    o.fields_as = "--field";
    try {
        RecordChecker c(o);
        FAIL("no usage error");
    } catch (const usage_error& e) {
        CHECK(std::string(e.what()).rfind("--field 'mrn' is not a JSON pointer: ", 0) == 0);
    }
}

}  // namespace record_check_test
