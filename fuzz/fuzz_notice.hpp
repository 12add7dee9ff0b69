// What the notice fuzz targets share: options with a fixed reference time, and the check that
// holds for any input (the notice's JSON record is valid JSON).
#pragma once

#include <chrono>
#include <string>

#include "bcp/notice/notice.hpp"
#include "fuzz_common.hpp"

namespace bcp::fuzz {

inline NoticeOptions notice_options(const char* file) {
    NoticeOptions options;
    options.reference_time = UtcTime{std::chrono::seconds{1764244800}};  // 2025-11-27T12Z
    options.file = file;
    return options;
}

inline void expect_notice_json(const Notice& notice) {
    std::string line;
    append_json(line, notice);
    if (!nlohmann::json::accept(line)) fail("append_json wrote invalid JSON");
}

}  // namespace bcp::fuzz
