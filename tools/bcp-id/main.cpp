// bcp-id command line: flags only; the work is in id_tool.cpp.
#include <iostream>
#include <string>

#include "id_tool.hpp"
#include "bcp/cli/tool.hpp"

#include <CLI/CLI.hpp>

// A function-try-block: what escapes the flag parsing (out of memory while building the
// parser) is one error line and exit 2, never std::terminate.
int main(int argc, char** argv) try {
    namespace t = bcp::tool;
    using bcp::id_tool::Command;
    t::ignore_sigpipe();
    std::ios::sync_with_stdio(false);

    bcp::id_tool::Options o;
    CLI::App app;
    t::setup_app(app, "bcp-id",
                 "Check, generate and explain customs references: MRN, Belgian BCP-ID, LRN, "
                 "EORI, call numbers and emergency mentions.");
    app.require_subcommand(1);
    app.fallthrough();
    bool errors_json = false;
    app.add_flag("--errors-json", errors_json, "Write errors on stderr as JSON objects");

    auto* check = app.add_subcommand("check", "Validate references, one JSON object per reference");
    check->add_option("--type", o.type, "Reference type")
        ->check(CLI::IsMember({"auto", "mrn", "bcp-id", "lrn", "eori", "call", "mention"}))
        ->default_str("auto");
    check->add_option("--field", o.fields,
                      "JSON pointer of a reference in each JSON Lines record, optionally "
                      "typed: /mrn:mrn, /declarant/eori:eori (repeatable); without it each "
                      "line is a bare reference")
        ->allow_extra_args(false);
    check->add_flag("--allow-missing", o.allow_missing,
                    "A --field absent from a record is skipped instead of reported");
    check->add_flag("--invalid-only", o.invalid_only, "Print only invalid references");
    check->add_flag("--skip-invalid", o.skip_invalid,
                    "Report malformed lines as error records and go on (exit 1, not 3)");
    check->add_flag("--duplicates", o.duplicates,
                    "Report a reference seen earlier in the same run as invalid");
    check->add_flag("--normalize", o.normalize,
                    "EORI: upper-case and remove blanks, report them as warnings");
    check->add_option("--format", o.format, "Output format")
        ->check(CLI::IsMember({"jsonl", "text"}));
    check->add_option("FILE", o.files, "Input files; none or - reads stdin");

    auto* gen = app.add_subcommand("gen", "Generate new references from a durable sequence");
    gen->add_option("--type", o.gen_type, "Reference type")
        ->check(CLI::IsMember({"bcp-id", "mrn"}))
        ->default_str("bcp-id");
    gen->add_option("--country", o.country, "Country code (BCP-ID: always BE)");
    gen->add_option("--procedure", o.procedure,
                    "Procedure letter at position 17 (default R for bcp-id, A for mrn)");
    gen->add_option("--prefix", o.prefix,
                    "Fixed characters before the counter (mrn default: CPB)");
    gen->add_option("--count", o.count, "How many references")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
    gen->add_option("--year", o.year, "Year, 25 or 2025 (default: this year, UTC)")
        ->check(CLI::Validator(
            [](const std::string& v) {
                int y = -1;
                try {
                    y = std::stoi(v);
                } catch (const std::exception&) {
                }
                const bool ok = (y >= 0 && y <= 99) || (y >= 2000 && y <= 2099);
                return ok ? std::string() : "'" + v + "' is not a year (25 or 2025)";
            },
            "YEAR"));
    gen->add_option("--state", o.state,
                    "Sequence file (default: $XDG_STATE_HOME/bcpkit/sequence)");
    gen->add_option("--format", o.format,
                    "Output format (default: text at a terminal, jsonl otherwise)")
        ->check(CLI::IsMember({"jsonl", "text"}));

    auto* explain = app.add_subcommand("explain", "Explain references part by part");
    explain->add_option("REF", o.refs, "References")->required();
    explain->add_option("--format", o.format, "Output format (default text)")
        ->check(CLI::IsMember({"jsonl", "text"}));

    t::Reporter reporter("bcp-id", std::cerr);
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--errors-json") reporter.set_json(true);
    }
    if (const int status = t::parse(app, argc, argv, std::cout, reporter); status >= 0) {
        return status;
    }
    o.errors_json = errors_json;
    o.stdout_terminal = t::is_terminal(1);
    if (check->parsed()) o.command = Command::check;
    if (gen->parsed()) o.command = Command::gen;
    if (explain->parsed()) o.command = Command::explain;
    return bcp::id_tool::run(o, std::cin, std::cout, std::cerr);
} catch (...) {
    return bcp::tool::setup_failed("bcp-id");
}
