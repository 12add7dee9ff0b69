// bcp-id: checks, generates and explains customs references. main.cpp fills Options from the
// command line; run() does the work on the given streams so tests can call it directly.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace bcp::id_tool {

enum class Command { check, gen, explain };

struct Options {
    Command command = Command::check;
    std::string format;  // jsonl or text; empty: jsonl (check), text (explain), gen: text
                         // when stdout is a terminal, else jsonl
    bool stdout_terminal = false;  // set by main
    bool errors_json = false;

    // check
    std::string type = "auto";
    // JSON pointers, each optionally typed: "/mrn:mrn", "/declarant/eori:eori" (the suffix
    // after the last ':' when it names a type). Empty: each line is a bare reference.
    std::vector<std::string> fields;
    bool invalid_only = false;
    bool skip_invalid = false;
    bool duplicates = false;
    bool normalize = false;
    bool allow_missing = false;  // a field absent from a record is skipped, not an error
    std::vector<std::string> files;

    // gen
    std::string gen_type = "bcp-id";
    std::string country;
    std::string procedure;
    std::string prefix;
    std::uint64_t count = 1;
    int year = -1;  // two digits (25) or four (2025); -1: this year
    std::string state;  // empty: the default state file

    // explain
    std::vector<std::string> refs;
};

[[nodiscard]] int run(const Options& options, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace bcp::id_tool
