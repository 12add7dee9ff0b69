// The checklist of a procedure (bcp-mention --checklist): everything a declarant must do under
// it, as one JSON object (its schema is in bcp-mention(1)) and as the text for a terminal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bcp/rules/rules.hpp"

namespace bcp {

// What `plan` asks, as the checklist object; with `retrospective`, only what is written when
// submitting afterwards.
[[nodiscard]] nlohmann::ordered_json checklist_json(const Plan& plan, bool retrospective);

// The checklist object as text, wrapped at 96 columns, with boxes to tick.
[[nodiscard]] std::string checklist_text(const Plan& plan, const nlohmann::ordered_json& checklist);

}  // namespace bcp
