// Notices from the Statuspage API: /api/v2/incidents.json, scheduled-maintenances.json and
// summary.json. Each incident or maintenance becomes a RawNotice whose updates are its
// incident_updates (bodies parsed as text), with exact times from the JSON.
#pragma once

#include <string_view>
#include <vector>

#include "bcp/notice/notice.hpp"

namespace bcp {

// Throws bcp::data_error (kind "json") for malformed JSON or a document of none of the three
// shapes.
[[nodiscard]] std::vector<RawNotice> read_statuspage(std::string_view json_text);

}  // namespace bcp
