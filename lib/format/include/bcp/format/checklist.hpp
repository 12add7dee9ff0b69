// The checklist of a procedure (bcp-mention --checklist): everything a declarant must do under
// it, as one JSON object (its schema is in bcp-mention(1)) and as the text for a terminal.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/rules/rules.hpp"

namespace bcp {

// What `plan` asks, as the checklist object; with `retrospective`, only what is written when
// submitting afterwards.
[[nodiscard]] nlohmann::ordered_json checklist_json(const Plan& plan, bool retrospective);

// The checklist object as text, wrapped at 96 columns, with boxes to tick.
[[nodiscard]] std::string checklist_text(const Plan& plan, const nlohmann::ordered_json& checklist);

// A procedure's system as `bcp-mention systems` lists it: JSON (country, system, name,
// procedure, kind, title, default, retrospective, file) and one text line.
[[nodiscard]] nlohmann::ordered_json rule_system_json(const Procedure& p, const std::string& system);
[[nodiscard]] std::string rule_system_text(const Procedure& p, const std::string& system);

// A rule file as `bcp-mention lint` reports it: JSON (file, valid, procedures, problems), or
// text ("FILE: ok, N procedures", or one "file:line: key: message" line per problem).
[[nodiscard]] nlohmann::ordered_json rule_lint_json(const std::filesystem::path& file,
                                                    const std::vector<Procedure>& procedures,
                                                    const std::vector<RuleProblem>& problems);
[[nodiscard]] std::string rule_lint_text(const std::filesystem::path& file,
                                         const std::vector<Procedure>& procedures,
                                         const std::vector<RuleProblem>& problems);

// The error of declarations a rule forbids to submit afterwards: how many, the rule's words,
// its id and source.
[[nodiscard]] std::string refused_text(const Plan& plan, std::size_t refused);

}  // namespace bcp
