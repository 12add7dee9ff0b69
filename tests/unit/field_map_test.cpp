// Unit tests of bcp/annotate/field_map.hpp: what a procedure requires is written into the
// declaration's own fields, per shape, and every case that cannot be written is reported.
#include <doctest/doctest.h>

#include <fstream>

#include "bcp/annotate/field_map.hpp"
#include "bcp/core/error.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace field_map_test {

using bcp::FieldMap;
using bcp::write_into_declaration;
using ojson = nlohmann::ordered_json;

namespace {

FieldMap map_of(const std::string& text) {
    static bcp::test::TempDir dir;
    static int n = 0;
    const auto path = dir.path / ("map" + std::to_string(++n) + ".json");
    std::ofstream(path) << text;
    return FieldMap::load(path);
}

const ojson annotation = ojson::parse(R"({
  "mentions": [
    {"field": "Business Continuity Procedure", "value": "N04853-D:20251127-T110000", "stage": "both"},
    {"field": "Business Continuity Procedure", "value": "N04853 during only", "stage": "during"},
    {"field": "BCP MRN", "document": "BC-IDMS", "value": "1NPS N04851", "stage": "both"}
  ],
  "codes": [{"code": "1NPS", "field": "Additional reference", "value": "25BECPB000000008A1", "stage": "after"}],
  "references": [{"type": "bcp-id", "field": "bcp_id", "value": "25BECPB000000007R8"}],
  "sources": ["customs4trade-1: \"quoted\""]
})");

}  // namespace

TEST_CASE("the bundled map writes mentions, codes and references, in the declaration's order") {
    ojson d = ojson::parse(R"({"lrn":"L1","type":"export"})");
    const auto problems = write_into_declaration(d, annotation, FieldMap::bundled());
    CHECK(problems.empty());
    CHECK(d.dump() ==
          R"({"lrn":"L1","type":"export","business_continuity_procedure":["N04853-D:20251127-T110000"],)"
          R"("additional_references":[{"code":"1NPS","value":"25BECPB000000008A1"}],"bcp_id":"25BECPB000000007R8"})");
    // Nothing of the annotation itself, nothing meant only for the outage or for paper.
    CHECK(d.dump().find("during only") == std::string::npos);
    CHECK(d.dump().find("N04851") == std::string::npos);
    CHECK(d.dump().find("customs4trade") == std::string::npos);
}

TEST_CASE("writing twice adds nothing; a field holding another value is a conflict") {
    ojson d = ojson::parse(R"({"lrn":"L1"})");
    CHECK(write_into_declaration(d, annotation, FieldMap::bundled()).empty());
    const auto once = d.dump();
    CHECK(write_into_declaration(d, annotation, FieldMap::bundled()).empty());
    CHECK(d.dump() == once);

    ojson other = ojson::parse(R"({"bcp_id":"25BECPB000000077R0"})");
    const auto problems = write_into_declaration(other, annotation, FieldMap::bundled());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == R"(/bcp_id already holds "25BECPB000000077R0", not "25BECPB000000007R8")");

    ojson not_list = ojson::parse(R"({"business_continuity_procedure":"box 44"})");
    CHECK(write_into_declaration(not_list, annotation, FieldMap::bundled()).size() == 1);
}

TEST_CASE("a custom map: nested pointers, own key names, a code in a plain box") {
    const auto map = map_of(R"({"name":"nested","fields":{
        "Business Continuity Procedure":{"pointer":"/h/bcp","shape":"list"},
        "Additional reference":{"pointer":"/h/refs","shape":"coded-list","code_key":"type","value_key":"ref"},
        "bcp_id":{"pointer":"/h/id"}}})");
    ojson d = ojson::parse(R"({"h":{"office":"BE101000"}})");
    CHECK(write_into_declaration(d, annotation, map).empty());
    CHECK(d["h"]["refs"][0]["type"] == "1NPS");
    CHECK(d["h"]["refs"][0]["ref"] == "25BECPB000000008A1");
    CHECK(d["h"]["id"] == "25BECPB000000007R8");

    const auto plain = map_of(R"({"fields":{"Business Continuity Procedure":{"pointer":"/m","shape":"list"},
        "Additional reference":{"pointer":"/r","shape":"list"},"bcp_id":{"pointer":"/id"}}})");
    ojson p = ojson::parse("{}");
    CHECK(write_into_declaration(p, annotation, plain).empty());
    CHECK(p["r"][0] == "1NPS 25BECPB000000008A1");  // as on paper: code, then value
}

TEST_CASE("a box the map does not place, or a code without a field, is reported") {
    const auto partial = map_of(R"({"name":"partial","fields":{"bcp_id":{"pointer":"/id"}}})");
    ojson d = ojson::parse("{}");
    const auto problems = write_into_declaration(d, annotation, partial);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].find("no place for the mention box \"Business Continuity Procedure\"") != std::string::npos);
    CHECK(problems[1].find("no place for the code box \"Additional reference\"") != std::string::npos);

    ojson e = ojson::parse("{}");
    const auto fieldless = ojson::parse(R"({"codes":[{"code":"1NPS","stage":"after"}]})");
    const auto p2 = write_into_declaration(e, fieldless, FieldMap::bundled());
    REQUIRE(p2.size() == 1);
    CHECK(p2[0] == "the code 1NPS names no field (box) to write it in");
}

TEST_CASE("bad map files are data errors naming the file and the entry") {
    CHECK_THROWS_AS(map_of("not json"), bcp::data_error);
    CHECK_THROWS_AS(map_of(R"({"fields":[]})"), bcp::data_error);
    CHECK_THROWS_WITH_AS(map_of(R"({"fields":{"x":{"pointer":"nope"}}})"),
                         doctest::Contains("\"nope\" is not a JSON pointer"), bcp::data_error);
    CHECK_THROWS_WITH_AS(map_of(R"({"fields":{"x":{"pointer":"/x","shape":"table"}}})"),
                         doctest::Contains("shape \"table\""), bcp::data_error);
    CHECK_THROWS_WITH_AS(map_of(R"({"fields":{"x":{"pointer":"/x","colour":"red"}}})"),
                         doctest::Contains("unknown key \"colour\""), bcp::data_error);
    CHECK_THROWS_AS(FieldMap::load("/nonexistent/map.json"), bcp::io_error);
}

}  // namespace field_map_test
