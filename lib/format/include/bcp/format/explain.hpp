// A reference's explanation (bcp/ref/explain.hpp) as text for a terminal, one row per part.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace bcp {

[[nodiscard]] std::string explain_text(const nlohmann::json& explanation);

}  // namespace bcp
