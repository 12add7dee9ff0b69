// Rule files and plans: the bundled rules load and render the mentions of their sources; templates and the
// validator reject what they must, with the line of the offending key.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "bcp/core/error.hpp"
#include "bcp/rules/rules.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace rules_test {

namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / "bcp_rules_test";
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path) << text;
    return path;
}

const char* minimal = R"(schema = 1
authority = "BE"
[[procedure]]
id = "t"
country = "BE"
systems = ["AES"]
kind = "emergency"
title = "T"
zone = "Europe/Brussels"
call_required = true
source = "s"
note = "n"
[[procedure.mention]]
field = "F"
template = "{call}-D:{yyyymmdd}-T{hhmmss}"
source = "s"
note = "n"
[procedure.retrospective]
status = "required"
text = "t"
source = "s"
note = "n"
)";

}  // namespace

TEST_CASE("templates compile, escape braces and reject unknown variables") {
    std::string problem;
    const auto t = bcp::compile_template("{{x}} {call}", &problem);
    REQUIRE(t);
    CHECK(t->uses(bcp::TemplateVar::call));
    CHECK_FALSE(t->dynamic());
    CHECK_FALSE(bcp::compile_template("{nope}", &problem));
    CHECK(problem.find("unknown variable {nope}") != std::string::npos);
    CHECK_FALSE(bcp::compile_template("{call", &problem));
    CHECK_FALSE(bcp::compile_template("a}b", &problem));
    CHECK(bcp::compile_template("2NPS {bcp_id}")->dynamic());
}

TEST_CASE("bundled rules render the mentions of their sources for every hour of a day") {
    const auto rules = bcp::RuleSet::load();
    const auto found = rules.match("BE", "AES");
    REQUIRE(found.size() == 1);
    for (int hour = 0; hour < 24; ++hour) {
        bcp::Activation a;
        a.procedure = found.front();
        a.country = "BE";
        a.system = "AES";
        a.call = "N04853";
        a.start = bcp::local_to_utc({2025, 11, 27, hour, 0, 0}, "Europe/Brussels");
        const bcp::Plan plan(a);
        // The rendered mention is what format_mention() builds from the same parts.
        const auto want = bcp::format_mention({"N04853", 2025, 11, 27, hour, 0, 0});
        CHECK(plan.mentions().front().value == want);
        CHECK(bcp::check_mention(want).valid());
    }
}

TEST_CASE("EU rules apply to a Union system without national rules, not to others") {
    const auto rules = bcp::RuleSet::load();
    CHECK(rules.match("NL", "ICS2").front()->id.rfind("eu-", 0) == 0);
    CHECK(rules.match("GB", "AES").empty());
    CHECK(rules.find("no-ncts-fallback")->retrospective.status == bcp::Retrospective::forbidden);
}

TEST_CASE("the validator names the line of each problem") {
    std::string text = minimal;
    CHECK(bcp::lint_rule_file(write_temp("ok.toml", text)).empty());

    auto bad = text;
    bad.replace(bad.find("call_required = true"), 20, "call_required = 3");
    auto problems = bcp::lint_rule_file(write_temp("type.toml", bad));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 10);
    CHECK(problems[0].key == "procedure[0].call_required");

    bad = text;
    bad.insert(bad.find("[procedure.retrospective]"), "colour = \"red\"\n");
    problems = bcp::lint_rule_file(write_temp("unknown.toml", bad));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 18);
    CHECK(problems[0].message == "unknown key");

    bad = text;
    bad.erase(bad.find("source = \"s\"\nnote = \"n\"\n[[procedure.mention]]"), 12);
    problems = bcp::lint_rule_file(write_temp("source.toml", bad));
    REQUIRE_FALSE(problems.empty());
    CHECK(problems[0].key == "procedure[0].source");
}

TEST_CASE("a file earlier on the path overrides a bundled procedure with the same id") {
    std::string text = minimal;
    text.replace(text.find("id = \"t\""), 8, "id = \"be-aes-emergency\"");
    const auto user = write_temp("user.toml", text);
    const auto rules = bcp::RuleSet::load({user, bcp::rules_search_path().back()});
    const auto* p = rules.find("be-aes-emergency");
    REQUIRE(p != nullptr);
    CHECK(p->title == "T");
    CHECK(rules.overridden().size() == 1);
}

TEST_CASE("a rule's source cites a known source id or a public URL") {
    const std::set<std::string> ids{"be-1", "fi-1"};
    CHECK(bcp::cites_known_source("be-1: \"Procédure de secours AES\"", ids));
    CHECK(bcp::cites_known_source("An own page: https://example.org/bcp", ids));
    CHECK_FALSE(bcp::cites_known_source("000_a8593db4804cdc44.txt: \"Procédure\"", ids));
    CHECK_FALSE(bcp::cites_known_source("be-2: \"not a listed id\"", ids));
    CHECK_FALSE(bcp::cites_known_source("be-1 without a colon", ids));
    // The bundled profiles define the ids the bundled rules cite.
    const auto known = bcp::known_source_ids();
    CHECK(known.count("customs4trade-1") == 1);
    CHECK(known.count("no-9") == 1);
}

TEST_CASE("what the source does not state stays unstated: retrospective, buffering, conditions") {
    std::string text = minimal;
    text.replace(text.find("status = \"required\""), 19, "status = \"not-stated\"");
    text += R"([procedure.buffering]
allowed = true
text = "b"
source = "s"
note = "n"
[[procedure.caveat]]
text = "Only when announced."
source = "s"
note = "n"
[[procedure.deadline]]
name = "earliest"
kind = "not-before"
anchor = "start"
offset_minutes = 30
condition = "the confirming notification"
text = "t"
source = "s"
note = "n"
)";
    std::vector<bcp::Procedure> procs;
    REQUIRE(bcp::lint_rule_file(write_temp("unstated.toml", text), &procs).empty());
    REQUIRE(procs.size() == 1);
    const auto& p = procs.front();
    CHECK(p.retrospective.status == bcp::Retrospective::not_stated);
    REQUIRE(p.buffering.has_value());
    CHECK_FALSE(p.buffering->authorisation_required.has_value());
    REQUIRE(p.caveats.size() == 1);
    CHECK(p.caveats[0].text == "Only when announced.");
    REQUIRE(p.deadlines.size() == 1);
    CHECK(p.deadlines[0].not_before);
    CHECK(p.deadlines[0].condition == "the confirming notification");

    // A condition belongs to a not-before time; values need a field; kinds are closed.
    auto bad = text;
    bad.replace(bad.find("kind = \"not-before\""), 19, "kind = \"deadline\"");
    auto problems = bcp::lint_rule_file(write_temp("cond.toml", bad));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "procedure[0].deadline[0].condition");
    bad = text;
    bad.replace(bad.find("kind = \"not-before\""), 19, "kind = \"soon\"");
    problems = bcp::lint_rule_file(write_temp("kind.toml", bad));
    REQUIRE(problems.size() == 2);  // the kind, and the condition it no longer allows
    CHECK(problems[0].key == "procedure[0].deadline[0].kind");
    bad = text;
    bad.insert(bad.find("text = \"t\"\nsource = \"s\"\nnote = \"n\"\n[procedure.buffering]"),
               "values = [\"paper\"]\n");
    problems = bcp::lint_rule_file(write_temp("values.toml", bad));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "values need a field");
}

TEST_CASE("a retrospective status with a condition holds for the values, and for a missing field") {
    bcp::RetrospectiveRule r;
    r.status = bcp::Retrospective::forbidden;
    CHECK(bcp::retrospective_for(r, nullptr) == bcp::Retrospective::forbidden);
    r.field = "started_on";
    r.values = {"paper"};
    const std::string paper = "paper", electronic = "electronic";
    CHECK(bcp::retrospective_for(r, &paper) == bcp::Retrospective::forbidden);
    CHECK(bcp::retrospective_for(r, nullptr) == bcp::Retrospective::forbidden);
    CHECK_FALSE(bcp::retrospective_for(r, &electronic).has_value());
}

TEST_CASE("rule files: a directory's *.toml in name order, other entries as they are") {
    const auto dir = std::filesystem::temp_directory_path() / "bcp_rule_files_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "d");
    for (const char* name : {"b.toml", "a.toml", "notes.txt"}) std::ofstream(dir / "d" / name) << "";
    const auto files = bcp::rule_files({dir / "d", dir / "missing.toml"});
    REQUIRE(files.size() == 3);
    CHECK(files[0].filename() == "a.toml");
    CHECK(files[1].filename() == "b.toml");
    CHECK(files[2] == dir / "missing.toml");  // reported by the caller: lint as a problem, load as an error
    CHECK_THROWS_AS((void)bcp::RuleSet::load({dir / "missing.toml"}), bcp::io_error);
    CHECK_THROWS_AS((void)bcp::rule_files_to_lint({(dir / "d").string()}), bcp::io_error);  // not a file
    CHECK(bcp::rule_files_to_lint({(dir / "d" / "a.toml").string()}).size() == 1);
    CHECK_FALSE(bcp::rule_files_to_lint({}).empty());  // the search path: the bundled rules
    std::filesystem::remove_all(dir);
}

}  // namespace rules_test
