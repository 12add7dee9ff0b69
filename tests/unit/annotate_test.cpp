// Choosing the procedure in force and annotating declarations: flags and notice events give the
// same activation, ambiguous rules are refused with their ids, and the annotator writes the
// BE AES mention of customs4trade-1, code and a generated MRN-format reference, and the NO NCTS refusal.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "bcp/annotate/annotate.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/time.hpp"
#include "bcp/ref/reference.hpp"
#include "bcp/rules/rules.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace annotate_test {

namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
    const auto dir = fs::temp_directory_path() / "bcp_annotate_test" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

fs::path write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

const bcp::RuleSet& bundled() {
    static const bcp::RuleSet rules = bcp::RuleSet::load();
    return rules;
}

bcp::ActivationRequest be_aes() {
    bcp::ActivationRequest r;
    r.country = "be";
    r.system = "aes";
    r.call = "n04853";
    r.start = "2025-11-27T11:00";
    return r;
}

// A rule file with two procedures for BE AES, neither the default.
std::string two_rules(bool second_default) {
    std::string text = "schema = 1\nauthority = \"BE\"\n";
    for (const char* id : {"t-one", "t-two"}) {
        text += std::string("[[procedure]]\nid = \"") + id +
                "\"\ncountry = \"BE\"\nsystems = [\"AES\"]\nkind = \"emergency\"\ntitle = \"T\"\n"
                "zone = \"Europe/Brussels\"\nsource = \"s\"\nnote = \"n\"\n";
        if (second_default && std::string(id) == "t-two") text += "default = true\n";
        text +=
            "[procedure.retrospective]\nstatus = \"required\"\ntext = \"t\"\nsource = \"s\"\n"
            "note = \"n\"\n";
    }
    return text;
}

template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

}  // namespace

TEST_CASE("resolve_activation reads the flags: country, system and call normalised, local start") {
    const auto a = bcp::resolve_activation(bundled(), be_aes());
    REQUIRE(a.procedure != nullptr);
    CHECK(a.procedure->id == "be-aes-emergency");
    CHECK(a.country == "BE");
    CHECK(a.system == "AES");
    CHECK(a.call == "N04853");
    CHECK(bcp::format_rfc3339(a.start) == "2025-11-27T10:00:00Z");  // 11:00 CET
    CHECK_FALSE(a.end);

    auto r = be_aes();
    r.zone = "UTC";
    r.end = "2025-11-27T15:30";
    const auto u = bcp::resolve_activation(bundled(), r);
    CHECK(bcp::format_rfc3339(u.start) == "2025-11-27T11:00:00Z");
    REQUIRE(u.end);
    CHECK(bcp::format_rfc3339(*u.end) == "2025-11-27T15:30:00Z");
    CHECK(u.zone == "UTC");
}

TEST_CASE("resolve_activation refuses incomplete or contradictory flags") {
    auto with = [](auto change) {
        auto r = be_aes();
        change(r);
        return message_of<bcp::usage_error>([&] { (void)bcp::resolve_activation(bundled(), r); });
    };
    CHECK(with([](auto& r) { r.country.clear(); }).find("give --country and --system") == 0);
    CHECK(with([](auto& r) { r.system = "XYZ"; }) ==
          "unknown system 'XYZ' (see bcp-mention systems)");
    CHECK(with([](auto& r) { r.start = "yesterday"; }) == "--start 'yesterday' is not a time");
    CHECK(with([](auto& r) { r.start.clear(); }) ==
          "procedure be-aes-emergency needs its start (--start)");
    CHECK(with([](auto& r) { r.end = "2025-11-27T10:59"; }).find("is before the start") !=
          std::string::npos);
    CHECK(with([](auto& r) { r.zone = "Mars/Olympus"; }).find("not an IANA time zone") !=
          std::string::npos);
    CHECK(with([](auto& r) { r.events_file = "x.jsonl"; }).find("--procedure takes the call") == 0);

    auto gb = be_aes();
    gb.country = "GB";
    gb.system = "AES";
    CHECK_THROWS_AS((void)bcp::resolve_activation(bundled(), gb), bcp::none_error);

    // The call is the rule's requirement: the Plan checks it.
    auto no_call = be_aes();
    no_call.call.clear();
    const auto a = bcp::resolve_activation(bundled(), no_call);
    CHECK(message_of<bcp::usage_error>([&] { bcp::Plan p(a); }) ==
          "procedure be-aes-emergency needs a call number (--call N#####)");
}

TEST_CASE("resolve_activation takes call and start from the last matching notice event") {
    const auto dir = temp_dir("events");
    const std::string events =
        R"({"country":"BE","procedures":[{"system":"AES","call":"N04800","start":"2025-11-20T08:00:00Z"}]})"
        "\n\n"
        R"({"country":"NL","procedures":[{"system":"DMS","start":"2025-11-27T08:00:00Z"}]})"
        "\n"
        R"({"country":"BE","procedures":[{"system":"AES","call":"N04852","mention":"N04853-D:20251127-T110000","end":"2025-11-27T18:00:00Z"}]})"
        "\n";
    const auto file = write(dir / "events.jsonl", events);
    bcp::ActivationRequest r;
    r.country = "BE";
    r.system = "AES";
    r.events_file = file.string();
    std::vector<std::string> warnings;
    const auto a = bcp::resolve_activation(bundled(), r, nullptr, &warnings);
    CHECK(a.call == "N04853");  // the mention wins over the event's call
    REQUIRE(a.start_local);
    CHECK(a.start_local->hour == 11);
    CHECK(bcp::format_rfc3339(a.start) == "2025-11-27T10:00:00Z");
    REQUIRE(a.end);
    CHECK(bcp::format_rfc3339(*a.end) == "2025-11-27T18:00:00Z");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("call N04852 differs from the mention") != std::string::npos);

    // "-" reads the given stream; the same event gives the same activation.
    std::istringstream in(events);
    r.events_file = "-";
    const auto b = bcp::resolve_activation(bundled(), r, &in);
    CHECK(b.call == a.call);
    CHECK(b.start == a.start);

    // A system the file does not mention: the answer is no.
    r.events_file = file.string();
    r.system = "IDMS";
    CHECK_THROWS_AS((void)bcp::resolve_activation(bundled(), r), bcp::none_error);

    // A malformed event names its line.
    const auto bad = write(dir / "bad.jsonl", events + "{\"country\":\n");
    r.system = "AES";
    r.events_file = bad.string();
    try {
        (void)bcp::resolve_activation(bundled(), r);
        FAIL("a malformed event was accepted");
    } catch (const bcp::data_error& e) {
        CHECK(e.kind() == "json");
        CHECK(e.line() == 5);
        CHECK(e.file() == bad.string());
    }
    r.events_file = (dir / "missing.jsonl").string();
    CHECK_THROWS_AS((void)bcp::resolve_activation(bundled(), r), bcp::io_error);
}

TEST_CASE("choose_rule names the candidates when several rules apply and none is the default") {
    const auto dir = temp_dir("ambiguous");
    const auto file = write(dir / "be.toml", two_rules(false));
    const auto rules = bcp::RuleSet::load({file});
    const auto msg =
        message_of<bcp::usage_error>([&] { (void)bcp::choose_rule(rules, "BE", "AES", ""); });
    CHECK(msg == "several procedures apply to BE AES: t-one, t-two; choose one with --rule");
    CHECK(bcp::choose_rule(rules, "BE", "AES", "t-two").id == "t-two");
    CHECK(message_of<bcp::usage_error>([&] {
              (void)bcp::choose_rule(rules, "BE", "AES", "t-nine");
          }) == "no procedure rule with id 't-nine'");
    CHECK(message_of<bcp::usage_error>([&] {
              (void)bcp::choose_rule(rules, "BE", "IDMS", "t-one");
          }) == "procedure t-one is not for system IDMS");
    CHECK_THROWS_AS((void)bcp::choose_rule(rules, "NL", "AES", ""), bcp::none_error);

    const auto with_default = write(dir / "be2.toml", two_rules(true));
    const auto rules2 = bcp::RuleSet::load({with_default});
    CHECK(bcp::choose_rule(rules2, "be", "AES", "").id == "t-two");
}

TEST_CASE("BE AES: the mention of customs4trade-1, code 1NPS and a generated MRN-format reference") {
    const auto dir = temp_dir("be-aes");
    const bcp::Plan plan(bcp::resolve_activation(bundled(), be_aes()));
    bcp::AnnotateOptions o;
    o.state = dir / "sequence";
    bcp::Annotator annotator(plan, o);

    const std::string text =
        R"({"lrn":"BE-EXP-1","date_of_preparation":"2025-11-27T11:20","note":"caf\u00e9"})";
    std::string out = "previous line\n";
    std::size_t problems = 99;
    // The escaped value is in a field the rule does not read: the text path takes it.
    REQUIRE(annotator.annotate_text(text, out, problems));
    CHECK(problems == 0);
    CHECK(fs::exists(dir / "sequence"));
    REQUIRE(out.rfind("previous line\n", 0) == 0);
    const std::string line = out.substr(14);
    CHECK(line.back() == '}');  // no newline
    CHECK(line.rfind(text.substr(0, text.size() - 1) + ",\"bcp\":{", 0) ==
          0);  // kept byte for byte

    const auto j = nlohmann::json::parse(line);
    const auto& bcp = j["bcp"];
    CHECK(bcp["procedure"] == "be-aes-emergency");
    CHECK(bcp["mentions"][0]["field"] == "Business Continuity Procedure");
    CHECK(bcp["mentions"][0]["value"] == "N04853-D:20251127-T110000");
    REQUIRE(bcp["codes"].size() == 1);
    CHECK(bcp["codes"][0]["code"] == "1NPS");
    const std::string individual = bcp["codes"][0]["value"];
    CHECK(bcp::check_mrn(individual).valid());
    CHECK(individual.substr(0, 4) == "25BE");
    bool found = false;
    for (const auto& r : bcp["references"]) {
        if (r["type"] == "mrn") {
            found = true;
            CHECK(r["value"] == individual);
            CHECK(r["origin"] == "generated");
        }
    }
    CHECK(found);
    CHECK(bcp["deadlines"][0]["at"] == "2025-11-27T10:20:00Z");
    CHECK(bcp["deadlines"][0]["from"] == "2025-11-27T11:20");
    CHECK(bcp["retrospective"] == "required");
    CHECK(bcp["sources"].size() > 3);
    CHECK(bcp.find("problems") == bcp.end());

    // The DOM path writes the same bytes, apart from the next reference numbers.
    const auto dir2 = temp_dir("be-aes-dom");
    o.state = dir2 / "sequence";
    bcp::Annotator twin(plan, o);
    auto doc = nlohmann::ordered_json::parse(text);
    std::string dom;
    CHECK(twin.annotate(text, doc, dom) == 0);
    CHECK(dom == line);

    // The next declaration gets the next reference, never the same one.
    std::string second;
    REQUIRE(annotator.annotate_text(R"({"lrn":"BE-EXP-2"})", second, problems));
    const auto k = nlohmann::json::parse(second);
    CHECK(k["bcp"]["codes"][0]["value"] != individual);
    CHECK(k["bcp"]["deadlines"][0]["at"].is_null());
}

TEST_CASE("BE AES: a declaration's own bad reference is reported, not replaced") {
    const auto dir = temp_dir("be-aes-bad");
    const bcp::Plan plan(bcp::resolve_activation(bundled(), be_aes()));
    bcp::AnnotateOptions o;
    o.state = dir / "sequence";
    o.sources = false;
    bcp::Annotator annotator(plan, o);
    std::string out;
    std::size_t problems = 0;
    REQUIRE(annotator.annotate_text(
        R"({"individual_reference":"25BECPB000000002A8","date_of_preparation":"soon"})", out,
        problems));
    CHECK(problems == 2);  // the check character and the date
    const auto j = nlohmann::json::parse(out);
    CHECK(j["bcp"].find("sources") == j["bcp"].end());
    CHECK(j["bcp"]["problems"][0]["field"] == "individual_reference");
    CHECK(j["bcp"]["problems"][1]["code"] == "time");
    CHECK(j["bcp"]["codes"][0]["value"] == "25BECPB000000002A8");

    // Not a JSON object, or already annotated: the text path hands it to the DOM path.
    std::string none;
    CHECK_FALSE(annotator.annotate_text("{\"a\":", none, problems));
    CHECK_FALSE(annotator.annotate_text("[1]", none, problems));
    CHECK_FALSE(annotator.annotate_text(R"({"bcp":{"old":1},"lrn":"X"})", none, problems));
    CHECK(none.empty());
    auto doc = nlohmann::json::parse(R"({"bcp":{"old":1},"lrn":"X"})");
    CHECK(annotator.annotate(R"({"bcp":{"old":1},"lrn":"X"})", doc, none) == 0);
    const auto again = nlohmann::json::parse(none);
    CHECK(again["bcp"].find("old") == again["bcp"].end());
    CHECK(again["lrn"] == "X");
}

TEST_CASE("NO NCTS: only a transit started on paper is never submitted afterwards") {
    bcp::ActivationRequest r;
    r.country = "NO";
    r.system = "NCTS";
    r.start = "2025-11-24T09:00";
    const bcp::Plan plan(bcp::resolve_activation(bundled(), r));
    // The rule forbids it only where started_on is paper: decided per declaration.
    CHECK_FALSE(bcp::check_retrospective(plan).has_value());
    bcp::AnnotateOptions o;
    o.retrospective = true;
    bcp::Annotator annotator(plan, o);
    auto annotate = [&](const char* text, std::size_t& problems) {
        std::string out;
        REQUIRE(annotator.annotate_text(text, out, problems));
        return nlohmann::json::parse(out);
    };
    std::size_t problems = 9;
    auto j = annotate(R"({"lrn":"T1","started_on":"paper"})", problems);
    CHECK(problems == 1);
    CHECK(j["bcp"]["procedure"] == "no-ncts-fallback");
    CHECK(j["bcp"]["retrospective"] == "forbidden");
    CHECK(j["bcp"]["problems"][0]["code"] == "retrospective-forbidden");
    CHECK(j["bcp"]["problems"][0]["message"].get<std::string>().find("no-9:") != std::string::npos);
    CHECK(j["bcp"]["call"].is_null());
    // Without the marker the cautious reading holds: it may be a paper transit.
    j = annotate(R"({"lrn":"T2"})", problems);
    CHECK(problems == 1);
    CHECK(j["bcp"]["retrospective"] == "forbidden");
    // A transit started electronically is not under the procedure: no mentions, only why.
    j = annotate(R"({"lrn":"T3","started_on":"electronic"})", problems);
    CHECK(problems == 0);
    CHECK(j["bcp"]["governed"] == false);
    CHECK(j["bcp"].find("mentions") == j["bcp"].end());
    CHECK(j["bcp"]["reason"].get<std::string>().find("electronic") != std::string::npos);
    CHECK(j["lrn"] == "T3");
    CHECK_FALSE(
        bcp::check_retrospective(bcp::Plan(bcp::resolve_activation(bundled(), be_aes()))).has_value());
}

TEST_CASE("a rule that forbids submitting afterwards for every declaration refuses up front") {
    bcp::ActivationRequest r;
    r.country = "EU";
    r.system = "ICS2";
    r.rule = "eu-ics2-sti-queue";
    r.start = "2025-11-24T09:00";
    const bcp::Plan plan(bcp::resolve_activation(bundled(), r));
    try {
        static_cast<void>(bcp::check_retrospective(plan));
        FAIL("a retrospective submission was allowed");
    } catch (const bcp::refused_error& e) {
        CHECK(e.kind() == "refused");
        CHECK(e.file() == "procedures/eu.toml");
        CHECK(e.line() > 0);
        CHECK(std::string(e.what()).find("fi-1:") != std::string::npos);  // cites the source
    }
}

TEST_CASE("not stated by the authority: a warning, never a fact") {
    bcp::ActivationRequest r;
    r.country = "DE";
    r.system = "ATLAS";
    r.start = "2025-11-15T14:00";
    const bcp::Plan plan(bcp::resolve_activation(bundled(), r));
    const auto w = bcp::check_retrospective(plan);
    REQUIRE(w.has_value());
    CHECK(w->find("does not say") != std::string::npos);
    bcp::Annotator annotator(plan, bcp::AnnotateOptions{});
    std::string out;
    std::size_t problems = 9;
    REQUIRE(annotator.annotate_text(R"({"lrn":"D1"})", out, problems));
    CHECK(nlohmann::json::parse(out)["bcp"]["retrospective"].is_null());
}

TEST_CASE("a Union rule applied in one country reads local times in that country's zone") {
    bcp::ActivationRequest r;
    r.country = "FI";
    r.system = "ICS2";
    r.start = "2025-06-01T10:00";
    const auto fi = bcp::resolve_activation(bundled(), r);
    CHECK(bcp::format_rfc3339(fi.start) == "2025-06-01T07:00:00Z");  // Helsinki, UTC+3
    r.country = "EU";
    const auto eu = bcp::resolve_activation(bundled(), r);
    CHECK(bcp::format_rfc3339(eu.start) == "2025-06-01T08:00:00Z");  // the rule's CET
    r.country = "FI";
    r.zone = "Europe/Brussels";  // a time copied from the EU notification
    CHECK(bcp::format_rfc3339(bcp::resolve_activation(bundled(), r).start) == "2025-06-01T08:00:00Z");
}

TEST_CASE("a draft activation: the rules read before an outage, without call or start") {
    bcp::ActivationRequest r;
    r.country = "BE";
    r.system = "AES";
    r.draft = true;
    const bcp::Plan plan(bcp::resolve_activation(bundled(), r));
    CHECK_FALSE(plan.activation().start_known);
    REQUIRE_FALSE(plan.mentions().empty());
    CHECK(plan.mentions().front().value == "N#####-D:YYYYMMDD-THHMMSS");
    for (const auto& d : plan.deadlines()) CHECK_FALSE(d.at.has_value());
    r.draft = false;
    CHECK_THROWS_AS(static_cast<void>(bcp::resolve_activation(bundled(), r)), bcp::usage_error);
}

}  // namespace annotate_test
