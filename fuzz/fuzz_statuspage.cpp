// Fuzz target: Statuspage JSON (incidents.json, scheduled-maintenances.json, summary.json) as
// downloaded from a customs status page, read and interpreted entry by entry.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bcp/core/error.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_statuspage.hpp"
#include "fuzz_notice.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bcp::fuzz::setup();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto options = bcp::fuzz::notice_options("fuzz.json");
    try {
        std::size_t entry = 0;
        for (const auto& raw : bcp::read_statuspage(text)) {
            bcp::fuzz::expect_notice_json(bcp::interpret_notice(raw, entry++, options));
        }
    } catch (const bcp::error&) {
        // Not a Statuspage document: reported as bad data.
    }
    return 0;
}
