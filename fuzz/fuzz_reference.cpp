// Fuzz target: customs references and emergency mentions as they arrive in declarations
// (bcp::check for every type, detect_type, parse_mention/format_mention, describe).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/ref/reference.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view ref(reinterpret_cast<const char*>(data), size);
    using bcp::RefType;
    for (const auto type : {RefType::mrn, RefType::bcp_id, RefType::lrn, RefType::eori,
                            RefType::call, RefType::mention}) {
        for (const bool normalize : {false, true}) {
            const auto c = bcp::check(type, ref, normalize);
            std::string text;
            for (const auto& p : c) bcp::describe_to(text, p, ref);
        }
    }
    (void)bcp::check(bcp::detect_type(ref), ref);
    if (bcp::valid_utf8(ref)) (void)bcp::normalize_eori(ref);

    // A mention that parses formats back to a valid mention with the same parts.
    if (const auto m = bcp::parse_mention(ref)) {
        std::string again;
        try {
            again = bcp::format_mention(*m);
        } catch (const bcp::error&) {
            bcp::fuzz::fail("parse_mention accepted what format_mention refuses");
        }
        if (!bcp::check_mention(again).valid()) bcp::fuzz::fail("formatted mention is invalid");
        const auto m2 = bcp::parse_mention(again);
        if (!m2 || m2->call != m->call || m2->year != m->year || m2->month != m->month ||
            m2->day != m->day || m2->hour != m->hour || m2->minute != m->minute ||
            m2->second != m->second) {
            bcp::fuzz::fail("mention does not round-trip");
        }
    }
    // A valid MRN's check character is the one computed from its body.
    if (ref.size() == 18 && bcp::check_mrn(ref).valid() &&
        bcp::mrn_check_char(ref.substr(0, 17)) != ref[17]) {
        bcp::fuzz::fail("valid MRN with a wrong check character");
    }
    return 0;
}
