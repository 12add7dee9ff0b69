// Unit tests of bcp/replay/admit.hpp: what enqueue decides for each line, with the bundled
// rules and map, without a queue or the command line.
#include <doctest/doctest.h>

#include <cstdlib>

#include "bcp/core/error.hpp"
#include "bcp/replay/admit.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace admit_test {

using namespace bcp;
using V = Admission::Verdict;

namespace {

AdmitOptions be_aes(const test::TempDir& dir) {
    AdmitOptions o;
    o.country = "BE";
    o.system = "AES";
    o.procedure.call = "N04853";
    o.procedure.start = "2025-11-27T11:00";
    o.annotation.state = dir.path / "seq";
    o.map = FieldMap::bundled();
    return o;
}

}  // namespace

TEST_CASE("a declaration under a procedure: codes in its fields, the annotation beside it") {
    test::TempDir dir;
    Admitter a(be_aes(dir));
    const auto r = a.admit(R"({"lrn":"BE-1","type":"export"})");
    REQUIRE(r.verdict == V::enqueue);
    CHECK(r.key == "BE-1");
    CHECK(r.message.body.find("\"bcp\"") == std::string::npos);
    CHECK(r.message.body.rfind(R"({"lrn":"BE-1","type":"export","business_continuity_procedure":["N04853-D:20251127-T110000",)", 0) == 0);
    CHECK(r.message.body.find(R"("additional_references":[{"code":"1NPS","value":")") != std::string::npos);
    CHECK(r.message.annotation.find(R"("procedure":"be-aes-emergency")") != std::string::npos);
    CHECK(r.message.annotation.find("customs4trade-1") != std::string::npos);  // sources kept, not sent

    Message m;
    m.body = r.message.body;
    m.annotation = r.message.annotation;
    const auto with = body_with_annotation(m);
    CHECK(with.find(R"(,"bcp":{"procedure":"be-aes-emergency")") != std::string::npos);
    CHECK(with.back() == '}');
}

TEST_CASE("bad lines are invalid with their reason, never thrown") {
    test::TempDir dir;
    Admitter a(be_aes(dir));
    CHECK(a.admit("   ").reason == "empty line where a declaration was expected");
    CHECK(a.admit("{\"lrn\":").reason.rfind("malformed JSON", 0) == 0);
    CHECK(a.admit("[1]").reason == "a declaration must be a JSON object, found array");
    CHECK(a.admit(R"({"id":"x"})").reason == "no idempotency key: /lrn is missing");
    CHECK(a.admit(R"({"lrn":""})").reason == "no idempotency key: /lrn is not a non-empty string");
    const auto bad = a.admit(R"({"lrn":"BE-2","individual_reference":"25BECPB000000001A9"})");
    CHECK(bad.verdict == V::invalid);
    CHECK(bad.key == "BE-2");
    CHECK(bad.reason == "the declaration does not meet the procedure: check character is '9', expected '8'");
}

TEST_CASE("a rule that forbids submitting afterwards holds the message, citing its source") {
    test::TempDir dir;
    AdmitOptions o;
    o.map = FieldMap::bundled();
    Admitter a(o);
    const auto r = a.admit(R"({"lrn":"NO-T-1","country":"NO","system":"NCTS"})");
    REQUIRE(r.verdict == V::hold);
    CHECK(r.message.held);
    CHECK(r.message.held_source.rfind("no-9: ", 0) == 0);
}

TEST_CASE("a line annotated by bcp-mention loses its bcp object to the queue, not to the receiver") {
    test::TempDir dir;
    AdmitOptions o;
    o.map = FieldMap::bundled();
    Admitter a(o);
    const auto r = a.admit(
        R"({"lrn":"BE-3","bcp":{"country":"BE","system":"AES","retrospective":"required",)"
        R"("codes":[{"code":"1NPS","field":"Additional reference","value":"25BECPB000000002A7","stage":"after"}],)"
        R"("sources":["customs4trade-1: \"x\""]}})");
    REQUIRE(r.verdict == V::enqueue);
    CHECK(r.message.country == "BE");
    CHECK(r.message.body == R"({"lrn":"BE-3","additional_references":[{"code":"1NPS","value":"25BECPB000000002A7"}]})");
    CHECK(r.message.annotation.find("customs4trade-1") != std::string::npos);
}

TEST_CASE("without the procedure, a rule that adds codes refuses the bare declaration") {
    AdmitOptions o;
    o.map = FieldMap::bundled();
    Admitter a(o);
    const auto r = a.admit(R"({"lrn":"BE-4","country":"BE","system":"AES"})");
    CHECK(r.verdict == V::invalid);
    CHECK(r.reason.find("procedure be-aes-emergency adds codes") == 0);
    o.annotate = false;
    Admitter bare(o);
    const auto b = bare.admit(R"({"lrn":"BE-4","country":"BE","system":"AES"})");
    CHECK(b.verdict == V::enqueue);
    CHECK(b.message.body == R"({"lrn":"BE-4","country":"BE","system":"AES"})");  // as given
}

TEST_CASE("values that hold for every line are checked once, named as the caller says") {
    test::TempDir dir;
    const auto message = [&](auto change) {
        AdmitOptions o = be_aes(dir);
        o.names = {"--key", "--prepared", "--call", "--start"};
        change(o);
        try {
            Admitter a(o);
        } catch (const usage_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message([](AdmitOptions&) {}) == "no error");
    CHECK(message([](AdmitOptions& o) { o.key = "lrn"; }).rfind("--key 'lrn' is not a JSON pointer: ", 0) == 0);
    CHECK(message([](AdmitOptions& o) { o.prepared = "x"; }).rfind("--prepared 'x' is not a JSON pointer: ", 0) == 0);
    CHECK(message([](AdmitOptions& o) { o.system = "NOPE"; }) == "unknown system 'NOPE' (see bcp-mention systems)");
    CHECK(message([](AdmitOptions& o) { o.procedure.call = "N0485"; }) ==
          "--call 'N0485' is not a call number (N + 5 digits)");
    CHECK(message([](AdmitOptions& o) { o.procedure.start = "soon"; }) == "--start 'soon' is not a date and time");
}

}  // namespace admit_test
