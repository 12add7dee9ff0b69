// Unit tests of bcp/ref/generate.hpp: generated BCP-IDs and MRNs pass their own checks, draw
// from one counter per shape, never repeat, and bad options are refused with a reason.
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "bcp/core/error.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/ref/reference.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace generate_test {

TEST_CASE("generated BCP-IDs and MRNs are valid references of their type") {
    bcp::GenerateOptions o;
    o.year2 = 25;
    const auto id = bcp::resolve(o);
    const auto ref = bcp::make_reference(id, 6);
    CHECK(ref.size() == 18);
    CHECK(ref.rfind("25BECPB", 0) == 0);
    CHECK(bcp::detect_type(ref) == bcp::RefType::bcp_id);
    CHECK(bcp::check(bcp::RefType::bcp_id, ref).valid());

    o.type = bcp::RefType::mrn;
    o.country = "NL";
    const auto mrn = bcp::resolve(o);
    const auto m = bcp::make_reference(mrn, 42);
    CHECK(m.size() == 18);
    CHECK(m.rfind("25NL", 0) == 0);
    CHECK(bcp::check(bcp::RefType::mrn, m).valid());
}

TEST_CASE("one counter per shape; the counter leaves room only for its digits") {
    bcp::GenerateOptions a;
    a.year2 = 25;
    bcp::GenerateOptions b = a;
    b.prefix = "7";
    const auto ra = bcp::resolve(a), rb = bcp::resolve(b);
    CHECK(bcp::sequence_key(ra) != bcp::sequence_key(rb));
    CHECK(bcp::sequence_max(rb) < bcp::sequence_max(ra));  // the prefix takes a digit's place
}

TEST_CASE("generate reserves from the durable sequence: no reference twice") {
    bcp::test::TempDir dir;
    bcp::SequenceFile seq(dir.path / "sequence");
    bcp::GenerateOptions o;
    o.year2 = 25;
    o.count = 50;
    const auto first = bcp::generate(o, seq);
    const auto second = bcp::generate(o, seq);
    REQUIRE(first.size() == 50);
    std::set<std::string> all(first.begin(), first.end());
    all.insert(second.begin(), second.end());
    CHECK(all.size() == 100);
    for (const auto& r : all) CHECK(bcp::check(bcp::RefType::bcp_id, r).valid());
}

TEST_CASE("bad options are refused with a precise message") {
    bcp::GenerateOptions o;
    o.type = bcp::RefType::mrn;
    o.country = "XX";
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve(o)), bcp::usage_error);
    o.country = "BE";
    o.year2 = 100;
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve(o)), bcp::usage_error);
    o.year2 = 25;
    o.procedure = 'Q';
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve(o)), bcp::usage_error);
}

TEST_CASE("resolve: an MRN is Belgian unless a country is named; a year of four digits is two") {
    bcp::GenerateOptions o;
    o.type = bcp::RefType::mrn;
    o.year2 = 2025;
    const auto r = bcp::resolve(o);
    CHECK(r.country == "BE");
    CHECK(r.year2 == 25);
    o.country = "NL";
    o.year2 = 2099;
    CHECK(bcp::resolve(o).country == "NL");
    CHECK(bcp::resolve(o).year2 == 99);
    o.year2 = 2100;
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve(o)), bcp::usage_error);
    o.year2 = 1999;
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve(o)), bcp::usage_error);
}

}  // namespace generate_test
