// Unit tests of bcp/reference.hpp: the published MRN vectors, every reference type's problems,
// and property tests (generate then validate; single-character substitutions).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/ref/reference.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace reference_test {

using namespace bcp;

namespace {

bool has_code(const Check& c, Code code, Severity sev) {
    for (const auto& p : c) {
        if (p.code == code && p.severity == sev) return true;
    }
    return false;
}

constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

}  // namespace

TEST_CASE("character values skip multiples of 11") {
    CHECK(mrn_char_value('0') == 0);
    CHECK(mrn_char_value('9') == 9);
    CHECK(mrn_char_value('A') == 10);
    CHECK(mrn_char_value('B') == 12);
    CHECK(mrn_char_value('K') == 21);
    CHECK(mrn_char_value('L') == 23);
    CHECK(mrn_char_value('U') == 32);
    CHECK(mrn_char_value('V') == 34);
    CHECK(mrn_char_value('Z') == 38);
    CHECK(mrn_char_value('a') == -1);
    CHECK(mrn_char_value('-') == -1);
    for (char c : alphabet) CHECK((mrn_char_value(c) % 11 != 0 || c == '0'));
}

TEST_CASE("published MRN vectors") {
    CHECK(check_mrn("07ES00084110151140").valid());
    CHECK(check_mrn("20GB5M2723461FGVR3").valid());
    CHECK(mrn_check_char("97IT9876AB8890123") == '0');  // remainder 10 gives 0
    CHECK(mrn_check_char("07ES0008411015114") == '0');
    CHECK(mrn_check_char("20GB5M2723461FGVR") == '3');

    const auto bad = check_mrn("20GB5M2723461FGVR4");
    CHECK_FALSE(bad.valid());
    CHECK(bad.check_expected == '3');
    CHECK(has_code(bad, Code::check_character, Severity::error));
}

TEST_CASE("a wrong check character alone: exactly one problem, the same on every path") {
    // UCC letter and known country take the fast path; a digit at 17 (pre-UCC) and an unknown
    // country take the full one. Each must report the check character and nothing else new.
    for (const std::string& good : {make_mrn(25, "BE", "CPB000000010", 'A'),
                                   std::string("07ES00084110151140"),
                                   make_mrn(25, "QQ", "000000000001", 'R')}) {
        const auto base = check_mrn(good);
        const char expected = good.back();
        for (char c : std::string_view("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
            if (c == expected) continue;
            std::string bad = good;
            bad.back() = c;
            const auto r = check_mrn(bad);
            CAPTURE(bad);
            CHECK_FALSE(r.valid());
            CHECK(r.check_expected == expected);
            REQUIRE(r.size() == base.size() + 1);
            const auto& p = *(r.end() - 1);
            CHECK(p.code == Code::check_character);
            CHECK(p.severity == Severity::error);
            CHECK(p.pos == 18);
            CHECK(p.found == c);
            CHECK(p.expected == expected);
        }
        // Not [0-9A-Z] at 18: its own problem instead.
        std::string lower = good;
        lower.back() = 'x';
        CHECK(has_code(check_mrn(lower), Code::lowercase, Severity::error));
        std::string dash = good;
        dash.back() = '-';
        CHECK(has_code(check_mrn(dash), Code::invalid_char, Severity::error));
    }
}

TEST_CASE("an MRN of the pre-UCC format has a digit at position 17: a warning only") {
    const auto c = check_mrn("07ES00084110151140");
    CHECK(c.valid());
    CHECK(has_code(c, Code::procedure_unknown, Severity::warning));
    const auto unknown_letter = check_mrn(make_mrn(25, "BE", "000000000001", 'F'));
    CHECK(unknown_letter.valid());
    CHECK(has_code(unknown_letter, Code::procedure_unknown, Severity::warning));
}

TEST_CASE("MRN structure problems are all reported") {
    SUBCASE("length, with the check character a 17-character body calls for") {
        const auto c = check_mrn("97IT9876AB8890123");
        CHECK(has_code(c, Code::length, Severity::error));
        CHECK(c.check_expected == '0');
    }
    SUBCASE("year, country and a bad character at once") {
        const auto c = check_mrn("X7E5000841-0151140");
        CHECK(has_code(c, Code::year, Severity::error));
        CHECK(has_code(c, Code::country_format, Severity::error));
        CHECK(has_code(c, Code::invalid_char, Severity::error));
        CHECK(c.check_expected == 0);
    }
    SUBCASE("unknown country") {
        const auto c = check_mrn(make_mrn(25, "QQ", "000000000001", 'A'));
        CHECK(has_code(c, Code::country_unknown, Severity::error));
    }
    SUBCASE("lower case") {
        CHECK(has_code(check_mrn("20gb5M2723461FGVR3"), Code::lowercase, Severity::error));
    }
    SUBCASE("blanks") {
        CHECK(has_code(check_mrn("20GB 5M2723461FGVR3"), Code::whitespace, Severity::error));
    }
    SUBCASE("empty") { CHECK(has_code(check_mrn(""), Code::empty, Severity::error)); }
    SUBCASE("invalid UTF-8") {
        CHECK(has_code(check_mrn("20GB5M2723461FG\xffR3"), Code::invalid_utf8, Severity::error));
    }
}

TEST_CASE("Belgian BCP-ID") {
    const auto id = make_mrn(25, "BE", "CPB000000001", 'R');
    CHECK(id == "25BECPB000000001R3");
    CHECK(check_bcp_id(id).valid());
    CHECK(detect_type(id) == RefType::bcp_id);
    CHECK(has_code(check_bcp_id(make_mrn(25, "BE", "XPB000000001", 'R')), Code::bcp_marker,
                   Severity::error));
    CHECK(has_code(check_bcp_id(make_mrn(25, "BE", "CPB000000001", 'A')),
                   Code::procedure_unexpected, Severity::warning));
    CHECK(check_bcp_id(make_mrn(25, "BE", "CPB000000001", 'A')).valid());
}

TEST_CASE("make_mrn refuses malformed parts") {
    CHECK_THROWS_AS((void)make_mrn(100, "BE", "000000000001", 'A'), usage_error);
    CHECK_THROWS_AS((void)make_mrn(25, "be", "000000000001", 'A'), usage_error);
    CHECK_THROWS_AS((void)make_mrn(25, "BE", "00000000001", 'A'), usage_error);
    CHECK_THROWS_AS((void)make_mrn(25, "BE", "00000000000a", 'A'), usage_error);
    CHECK_THROWS_AS((void)make_mrn(25, "BE", "000000000001", '1'), usage_error);
}

TEST_CASE("property: generated MRNs validate; detectable substitutions are caught") {
    std::mt19937_64 rng(20251127);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::uniform_int_distribution<int> year(0, 99);
    const std::string countries[] = {"BE", "NL", "FR", "DE", "FI", "GB", "XI", "IT", "ES", "NO"};
    const std::string letters = "ABCDEJKLMRSTUVW";
    std::size_t cases = 0, detected = 0, undetectable = 0;
    for (int n = 0; n < 2000; ++n) {
        std::string unique;
        for (int i = 0; i < 12; ++i) unique.push_back(alphabet[pick(rng)]);
        const auto mrn = make_mrn(year(rng), countries[static_cast<std::size_t>(n) % 10], unique,
                                  letters[static_cast<std::size_t>(n) % letters.size()]);
        REQUIRE(check_mrn(mrn).valid());
        ++cases;
        // Every single-character substitution, at every position.
        for (std::size_t pos = 0; pos < mrn.size(); ++pos) {
            for (char c : alphabet) {
                if (c == mrn[pos]) continue;
                std::string bad = mrn;
                bad[pos] = c;
                const auto result = check_mrn(bad);
                ++cases;
                // The algorithm detects the change when the corrupted body calls for another
                // check character than the one present (or the check character itself changed).
                const bool algorithm_detects =
                    pos == 17 || mrn_check_char(std::string_view(bad).substr(0, 17)) != bad[17];
                if (algorithm_detects) {
                    ++detected;
                    CHECK_MESSAGE(!result.valid(), bad);
                } else {
                    ++undetectable;
                    // The law of the algorithm: a substitution slips through only when the
                    // values differ by a multiple of 11, or the sums' remainders are 0 and 10
                    // (both give check character 0).
                    const int dv = mrn_char_value(c) - mrn_char_value(mrn[pos]);
                    unsigned s_old = 0, s_new = 0;
                    for (std::size_t i = 0; i < 17; ++i) {
                        s_old += static_cast<unsigned>(mrn_char_value(mrn[i])) << i;
                        s_new += static_cast<unsigned>(mrn_char_value(bad[i])) << i;
                    }
                    const unsigned r_old = s_old % 11, r_new = s_new % 11;
                    CHECK((dv % 11 == 0 || (r_old + r_new == 10 && r_old * r_new == 0)));
                    // Undetectable by the check character: only structure can catch it.
                    const bool structural = (pos < 2 && c > '9') || ((pos == 2 || pos == 3) &&
                                                                     c <= '9');
                    if (structural) CHECK_FALSE(result.valid());
                }
            }
        }
    }
    CHECK(cases >= 100000);
    // Values differing by 11 (e.g. 1 and B) and remainders 0/10 slip through: about 1 in 12.
    CHECK(detected > 10 * undetectable);
    MESSAGE("cases: " << cases << ", detected: " << detected << ", undetectable: " << undetectable);
}

TEST_CASE("LRN") {
    CHECK(check_lrn("LRN-2025-0001").valid());
    CHECK(check_lrn("1234567890123456789012").valid());
    CHECK(has_code(check_lrn("12345678901234567890123"), Code::length, Severity::error));
    CHECK(has_code(check_lrn(""), Code::empty, Severity::error));
    CHECK(has_code(check_lrn(" LRN1"), Code::whitespace, Severity::error));
    CHECK(has_code(check_lrn("LRN1 "), Code::whitespace, Severity::error));
    const auto inner = check_lrn("LRN 1");
    CHECK(inner.valid());
    CHECK(has_code(inner, Code::whitespace, Severity::warning));
    CHECK(has_code(check_lrn("LRN\x01"), Code::invalid_char, Severity::error));
    CHECK(has_code(check_lrn("LRN\xc3\xa9"), Code::invalid_char, Severity::error));
    CHECK(has_code(check_lrn("LRN\xc3"), Code::invalid_utf8, Severity::error));
}

TEST_CASE("EORI") {
    CHECK(check_eori("BE0123456789").valid());
    CHECK(check_eori("GB123456789000").valid());
    CHECK(check_eori("DE123456789012345").valid());
    CHECK(has_code(check_eori("DE1234567890123456"), Code::length, Severity::error));
    CHECK(has_code(check_eori("QQ123"), Code::country_unknown, Severity::error));
    CHECK(has_code(check_eori("1E123"), Code::country_format, Severity::error));
    CHECK(has_code(check_eori("BE01234-56789"), Code::invalid_char, Severity::error));
    SUBCASE("blanks and lower case: errors, or warnings when normalising") {
        const auto strict = check_eori("be 0123456789");
        CHECK_FALSE(strict.valid());
        CHECK(has_code(strict, Code::whitespace, Severity::error));
        CHECK(has_code(strict, Code::lowercase, Severity::error));
        const auto lenient = check_eori("be 0123456789", true);
        CHECK(lenient.valid());
        CHECK(has_code(lenient, Code::whitespace, Severity::warning));
        CHECK(has_code(lenient, Code::lowercase, Severity::warning));
        CHECK(normalize_eori("be 0123 456789") == "BE0123456789");
    }
}

TEST_CASE("call numbers") {
    CHECK(check_call("N04853").valid());
    const auto six = check_call("N046785");
    CHECK(has_code(six, Code::call_digits, Severity::error));
    CHECK(describe(*six.begin(), "N046785").find("6 digits") != std::string::npos);
    CHECK(has_code(check_call("M04853"), Code::call_prefix, Severity::error));
    CHECK(has_code(check_call("n04853"), Code::lowercase, Severity::error));
    CHECK(has_code(check_call("N04B53"), Code::invalid_char, Severity::error));
    CHECK(has_code(check_call("N0485"), Code::call_digits, Severity::error));
}

TEST_CASE("emergency mentions") {
    CHECK(check_mention("N04853-D:20251127-T110000").valid());
    CHECK(check_mention("N04849-D:20251122-T070000").valid());
    CHECK(check_mention("N04853-D:20240229-T235959").valid());
    CHECK(has_code(check_mention("N04853-D:20250229-T110000"), Code::mention_date,
                   Severity::error));
    CHECK(has_code(check_mention("N04849-D:00251122-T070000"), Code::mention_date,
                   Severity::error));
    CHECK_FALSE(parse_mention("N04849-D:00251122-T070000"));
    CHECK(has_code(check_mention("N04853-D:20251127-T240000"), Code::mention_time,
                   Severity::error));
    CHECK(has_code(check_mention("N046785-D:20251127-T110000"), Code::call_digits,
                   Severity::error));
    CHECK(has_code(check_mention("N04853-20251127-T110000"), Code::mention_format,
                   Severity::error));
    CHECK(has_code(check_mention("N04853-D:2025112-T110000"), Code::mention_format,
                   Severity::error));
    CHECK(has_code(check_mention("N04853-D:20251127-T11000"), Code::mention_format,
                   Severity::error));
    CHECK(has_code(check_mention("N04853-D:20251127-T110000X"), Code::mention_format,
                   Severity::error));
    SUBCASE("format and parse are inverse") {
        const Mention m{"N04853", 2025, 11, 27, 11, 0, 0};
        const auto text = format_mention(m);
        CHECK(text == "N04853-D:20251127-T110000");
        const auto back = parse_mention(text);
        REQUIRE(back.has_value());
        CHECK(back->call == "N04853");
        CHECK(back->day == 27);
        CHECK(back->hour == 11);
        CHECK_THROWS_AS((void)format_mention(Mention{"N0485", 2025, 11, 27, 11, 0, 0}),
                        usage_error);
        CHECK_THROWS_AS((void)format_mention(Mention{"N04853", 2025, 2, 29, 11, 0, 0}),
                        usage_error);
    }
}

TEST_CASE("type detection") {
    CHECK(detect_type("07ES00084110151140") == RefType::mrn);
    CHECK(detect_type("97IT9876AB8890123") == RefType::mrn);
    CHECK(detect_type("25BECPB000000001R3") == RefType::bcp_id);
    CHECK(detect_type("N04853") == RefType::call);
    CHECK(detect_type("N046785") == RefType::call);
    CHECK(detect_type("N04853-D:20251127-T110000") == RefType::mention);
    CHECK(detect_type("BE0123456789") == RefType::eori);
    CHECK(detect_type("be 0123456789") == RefType::eori);
    CHECK(detect_type("LRN-2025-0001") == RefType::lrn);
    CHECK(detect_type("") == RefType::lrn);
}

TEST_CASE("type detection: nearly a type is that type, never an LRN") {
    CHECK(detect_type("25BE0000000000001A3X") == RefType::mrn);      // two too many
    CHECK(detect_type("25BE00000000001A") == RefType::mrn);          // two too few
    CHECK(detect_type("25BECPB00000000001R3") == RefType::bcp_id);   // one digit too many
    CHECK(detect_type("25becpb000000001r3") == RefType::bcp_id);     // lower case
    CHECK(detect_type("25BECPB000000001A5") == RefType::mrn);       // AES letter A: an MRN
    CHECK(detect_type("BE01234567890123456789") == RefType::eori);   // 22 characters
    CHECK(detect_type(" 25BECPB000000001R3") == RefType::bcp_id);    // blanks at either end
    CHECK(detect_type("25BECPB000000001R3\t") == RefType::bcp_id);
    CHECK(detect_type(" N04853 ") == RefType::call);
    // Real LRNs stay LRNs: words, separators, or far from an MRN's length.
    CHECK(detect_type("FR-2025-IMP-0001") == RefType::lrn);
    CHECK(detect_type("25FR00123") == RefType::lrn);
    CHECK(detect_type("DEIMPORTSHIPMENT7") == RefType::lrn);
    CHECK(detect_type("   ") == RefType::lrn);
}

TEST_CASE("blanks at the ends of an MRN-shaped reference: one error, the rest checked") {
    const Check c = check(RefType::bcp_id, " 25BECPB000000001R3");
    REQUIRE(c.size() == 1);
    CHECK(c.begin()->code == Code::whitespace);
    CHECK(c.begin()->pos == 1);
    const Check wrong = check(RefType::mrn, "25BE00000000000A1A9 ");
    CHECK(wrong.has(Code::whitespace));
    CHECK(wrong.has(Code::length));
    CHECK_FALSE(wrong.has(Code::year));
}

TEST_CASE("one problem per part, not per character") {
    const Check c = check(RefType::bcp_id, "N04853");
    CHECK(c.has(Code::length));
    CHECK(c.has(Code::year));
    CHECK(c.has(Code::country_format));
    CHECK_FALSE(c.has(Code::bcp_marker));  // too short to hold it: the length says so
    CHECK(c.size() == 3);
}

TEST_CASE("problem codes have stable names") {
    CHECK(code_name(Code::check_character) == "check-character");
    CHECK(code_name(Code::call_digits) == "call-digits");
    CHECK(code_name(Code::missing_field) == "missing-field");
    CHECK(parse_ref_type("bcp-id") == RefType::bcp_id);
    CHECK_FALSE(parse_ref_type("iban").has_value());
}

TEST_CASE("a Check keeps at most its capacity and says so") {
    Check c;
    for (int i = 0; i < 20; ++i) c.add(Code::invalid_char, static_cast<std::uint32_t>(i + 1), 'x');
    CHECK(c.size() == Check::capacity);
    CHECK_FALSE(c.valid());
    CHECK((c.end() - 1)->code == Code::too_many_problems);
}

TEST_CASE("UTF-8 validation") {
    CHECK(valid_utf8("plain"));
    CHECK(valid_utf8("Proc\xc3\xa9" "dure"));
    std::size_t at = 0;
    CHECK_FALSE(valid_utf8("ab\xc0\xaf", &at));  // overlong
    CHECK(at == 2);
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));  // surrogate
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(valid_utf8("\xe2\x82"));  // truncated
}

TEST_CASE("a reference field: the type after the last ':' when it names one") {
    using How = bcp::RefField::Type;
    const auto named = bcp::parse_ref_field("/mrn:mrn");
    CHECK(named.pointer == "/mrn");
    CHECK(named.how == How::named);
    CHECK(named.type == bcp::RefType::mrn);
    const auto detected = bcp::parse_ref_field("/ref:auto");
    CHECK(detected.pointer == "/ref");
    CHECK(detected.how == How::detected);
    const auto plain = bcp::parse_ref_field("/a:b");
    CHECK(plain.pointer == "/a:b");  // 'b' is no type: part of the pointer
    CHECK(plain.how == How::inherited);
    CHECK(bcp::parse_ref_field("/x:y:eori").pointer == "/x:y");
    CHECK(bcp::parse_ref_field("/lrn").how == How::inherited);
}

}  // namespace reference_test
