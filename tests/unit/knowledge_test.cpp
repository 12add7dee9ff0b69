// The notice knowledge (bcp/registry/knowledge.hpp): the packs' country names, looked for in a
// headline, and the checks of a [countries] table.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/registry/country.hpp"
#include "bcp/registry/knowledge.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace knowledge_test {

using namespace bcp;

namespace {

std::filesystem::path shipped() { return data_dir(); }

// The codes named in `text`, in order, with the language of each name.
std::vector<std::string> countries(const Knowledge& k, const std::string& text) {
    FoldedText folded;
    folded.assign(text);
    std::vector<PhraseHit> hits;
    k.scan_countries(folded, text, hits);
    std::vector<std::string> out;
    for (const auto& h : hits) {
        const std::string& code = k.country_codes()[h.system];
        if (out.empty() || out.back() != code) out.push_back(code);
    }
    return out;
}

}  // namespace

TEST_CASE("country names: whole words, inflected forms, the longer name over the one inside it") {
    const auto k = Knowledge::load(shipped());
    CHECK(countries(*k, "PRZERWA ECS I EMCS W WIELKIEJ BRYTANII") == std::vector<std::string>{"GB"});
    CHECK(countries(*k, "Outage of CHIEF in Northern Ireland") == std::vector<std::string>{"GB"});
    CHECK(countries(*k, "Outage of AIS in Ireland") == std::vector<std::string>{"IE"});
    CHECK(countries(*k, "Збій у Польщі ускладнив рух через кордон з Україною") == std::vector<std::string>{"PL", "UA"});
    // Not inside another word, and never a two-letter code.
    CHECK(countries(*k, "Spainwide outage: UK and DE systems") == std::vector<std::string>{});
}

TEST_CASE("country names: a key that is no country code is a problem of the pack") {
    test::TempDir dir;
    std::filesystem::create_directories(dir.path / "languages");
    std::filesystem::create_directories(dir.path / "authorities");
    std::ifstream in(shipped() / "languages" / "en.toml");
    std::stringstream pack;
    pack << in.rdbuf();
    std::string text = pack.str();
    const auto at = text.find("[countries]\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 12, "QQ = [\"Qqland\"]\nAD = [\"Ad\"]\n");
    std::ofstream(dir.path / "languages" / "en.toml") << text;
    std::vector<DataProblem> problems;
    const auto k = Knowledge::load(dir.path, &problems);
    std::string all;
    for (const auto& p : problems) all += p.message + "\n";
    CHECK(all.find("[countries] key 'QQ' is not an ISO 3166 country code") != std::string::npos);
    CHECK(all.find("country name 'Ad' is too short") != std::string::npos);
}

TEST_CASE("lint_knowledge: the shipped data is clean; a wrong directory is an I/O error, not a clean lint") {
    const KnowledgeLint lint = lint_knowledge(shipped());
    CHECK(lint.problems.empty());
    CHECK(lint.authorities >= 31);
    CHECK(lint.languages >= 24);
    CHECK(lint_summary_text("d", lint) == fmt::format("d: {} authorities, {} languages, 0 problems", lint.authorities,
                                                      lint.languages));
    test::TempDir empty;
    CHECK_THROWS_AS((void)lint_knowledge(empty.path), io_error);
    const DataProblem p{"languages/xx.toml", "bad"};
    CHECK(to_text(p) == "languages/xx.toml: bad");
    CHECK(to_json(p).dump() == R"({"file":"languages/xx.toml","problem":"bad"})");
}

TEST_CASE("check_country_filter: alpha-2 in any case or EU pass; anything else is a usage error with the code meant") {
    CHECK_NOTHROW(check_country_filter("", "--country"));
    CHECK_NOTHROW(check_country_filter("be", "--country"));
    CHECK_NOTHROW(check_country_filter("EU", "--country"));
    const auto message = [](const char* code) {
        try {
            check_country_filter(code, "--country");
        } catch (const usage_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("UK") == "--country 'UK' is not an ISO 3166 alpha-2 code; did you mean GB (United Kingdom)?");
    CHECK(message("Belgium").find("did you mean BE") != std::string::npos);
    CHECK(message("QQ") == "--country 'QQ' is not an ISO 3166 alpha-2 code (BE, NL, GB...) or EU");
}

}  // namespace knowledge_test
