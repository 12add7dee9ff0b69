// bcp-mention: tells a declarant what a business continuity procedure asks of each declaration
// (mentions, codes, references, documents, deadlines, retrospective submission), from the rule
// files. main.cpp fills Options from the command line; run() does the work on the given streams
// so tests can call it directly.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bcp::mention_tool {

enum class Command { annotate, systems, lint };

struct Options {
    Command command = Command::annotate;
    std::string format = "jsonl";  // jsonl or text
    bool errors_json = false;

    // annotate
    std::string country;
    std::string system;
    std::string call;
    std::string start;
    std::string end;
    std::string tz;         // empty: the rule's zone
    std::string procedure;  // notice event file (JSON Lines), instead of country/system/call/start
    std::string rule;       // a procedure id, when several rules match
    bool checklist = false;
    bool retrospective = false;
    bool skip_invalid = false;
    std::string state;   // sequence file; empty: the default
    std::string prefix;  // operator characters of generated references
    bool sources = true;  // --no-sources leaves the "sources" list out of each bcp object
    std::vector<std::string> files;  // declarations; lint: rule files
};

[[nodiscard]] int run(const Options& options, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace bcp::mention_tool
