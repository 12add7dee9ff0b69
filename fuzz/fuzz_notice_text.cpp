// Fuzz target: notice text as pasted from a status page or a customs portal: the streaming
// splitter (line by line, as bcp-notice reads it) and interpretation of each notice, whose
// JSON record must always be valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/notice/notice.hpp"
#include "fuzz_notice.hpp"

namespace {

void check_record(const bcp::Notice& notice) {
    bcp::fuzz::expect_notice_json(notice);
    (void)bcp::notice_events(notice);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bcp::fuzz::setup();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto options = bcp::fuzz::notice_options("fuzz");

    check_record(bcp::parse_notice_text(text, options));

    std::vector<bcp::RawNotice> raws;
    bcp::NoticeSplitter splitter([&](bcp::RawNotice&& raw) { raws.push_back(std::move(raw)); });
    std::size_t number = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        auto line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        splitter.line(line, ++number);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    splitter.finish();
    std::size_t entry = 0;
    for (const auto& raw : raws) check_record(bcp::interpret_notice(raw, entry++, options));
    return 0;
}
