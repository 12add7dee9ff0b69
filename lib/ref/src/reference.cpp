#include "bcp/core/text_fold.hpp"
#include "bcp/ref/reference.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/time.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(char c) noexcept { return is_upper(c) || is_lower(c); }
constexpr bool is_alnum(char c) noexcept { return is_digit(c) || is_alpha(c); }
constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr char to_upper(char c) noexcept { return is_lower(c) ? static_cast<char>(c - 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_upper(x) == to_upper(y); });
}

constexpr std::uint32_t pos1(std::size_t i) noexcept { return static_cast<std::uint32_t>(i + 1); }

// Characters as the user sees them: a printable ASCII character, or its code.
void show_to(std::string& out, char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) {
        out.push_back('\'');
        out.push_back(c);
        out.push_back('\'');
    } else if (c == ' ') {
        out.append("a space");
    } else if (c == '\t') {
        out.append("a tab");
    } else {
        fmt::format_to(std::back_inserter(out), "byte 0x{:02X}", u);
    }
}

std::string show(char c) {
    std::string out;
    show_to(out, c);
    return out;
}

enum class Blanks : std::uint8_t { error, warning, skip };

// Problems shared by every type: empty input, bytes that are not UTF-8, blanks.
// Returns false when nothing more can be checked.
bool check_common(Check& out, std::string_view ref, Blanks blanks) {
    if (ref.empty()) {
        out.add(Code::empty);
        return false;
    }
    std::size_t bad = 0;
    if (!valid_utf8(ref, &bad)) out.add(Code::invalid_utf8, pos1(bad), 0, 0, bad);
    for (std::size_t i = 0; blanks != Blanks::skip && i < ref.size(); ++i) {
        if (is_space(ref[i])) {
            Problem p{Code::whitespace,
                      blanks == Blanks::error ? Severity::error : Severity::warning,
                      pos1(i), ref[i], 0, 0, 0};
            out.add(p);
            break;
        }
    }
    return true;
}

int digits_value(std::string_view s) noexcept {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

// The call-number checks, shared by check_call() and check_mention(); `offset` is where the
// call starts in the checked string, for positions.
void check_call_part(Check& out, std::string_view call, std::size_t offset) {
    if (call.empty()) {
        out.add(Code::call_prefix, pos1(offset));
        return;
    }
    if (call[0] == 'n') {
        out.add(Code::lowercase, pos1(offset), 'n', 'N');
    } else if (call[0] != 'N') {
        out.add(Code::call_prefix, pos1(offset), call[0], 'N');
    }
    std::size_t digits = 0;
    bool bad_char = false;
    for (std::size_t i = 1; i < call.size(); ++i) {
        if (is_digit(call[i])) {
            ++digits;
        } else if (!bad_char) {
            bad_char = true;
            out.add(Code::invalid_char, pos1(offset + i), call[i]);
        }
    }
    if (!bad_char && digits != 5) out.add(Code::call_digits, 0, 0, 0, digits, 5);
}

}  // namespace

std::string_view to_string(RefType type) noexcept {
    switch (type) {
        case RefType::mrn: return "mrn";
        case RefType::bcp_id: return "bcp-id";
        case RefType::lrn: return "lrn";
        case RefType::eori: return "eori";
        case RefType::call: return "call";
        case RefType::mention: return "mention";
    }
    return "lrn";
}

std::optional<RefType> parse_ref_type(std::string_view name) noexcept {
    for (auto t : {RefType::mrn, RefType::bcp_id, RefType::lrn, RefType::eori, RefType::call,
                   RefType::mention}) {
        if (to_string(t) == name) return t;
    }
    return std::nullopt;
}

RefField parse_ref_field(std::string_view spec) {
    RefField f;
    f.pointer = std::string(spec);
    const auto colon = spec.rfind(':');
    if (colon == std::string_view::npos) return f;
    const auto name = spec.substr(colon + 1);
    if (name == "auto") {
        f.how = RefField::Type::detected;
    } else if (const auto named = parse_ref_type(name)) {
        f.how = RefField::Type::named;
        f.type = *named;
    } else {
        return f;
    }
    f.pointer = std::string(spec.substr(0, colon));
    return f;
}

std::string_view code_name(Code code) noexcept {
    switch (code) {
        case Code::empty: return "empty";
        case Code::length: return "length";
        case Code::invalid_utf8: return "invalid-utf8";
        case Code::invalid_char: return "invalid-character";
        case Code::lowercase: return "lowercase";
        case Code::whitespace: return "whitespace";
        case Code::year: return "year";
        case Code::country_format: return "country-format";
        case Code::country_unknown: return "country-unknown";
        case Code::procedure_unknown: return "procedure-unknown";
        case Code::procedure_unexpected: return "procedure-unexpected";
        case Code::check_character: return "check-character";
        case Code::bcp_marker: return "bcp-marker";
        case Code::call_prefix: return "call-prefix";
        case Code::call_digits: return "call-digits";
        case Code::mention_format: return "mention-format";
        case Code::mention_date: return "mention-date";
        case Code::mention_time: return "mention-time";
        case Code::duplicate: return "duplicate";
        case Code::missing_field: return "missing-field";
        case Code::not_a_string: return "not-a-string";
        case Code::too_many_problems: return "too-many-problems";
    }
    return "unknown";
}

Severity default_severity(Code code) noexcept {
    switch (code) {
        case Code::procedure_unknown:
        case Code::procedure_unexpected:
        case Code::too_many_problems: return Severity::warning;
        default: return Severity::error;
    }
}

void Check::add(Code code, std::uint32_t pos, char found, char expected, std::uint64_t a,
                std::uint64_t b) noexcept {
    add(Problem{code, default_severity(code), pos, found, expected, a, b});
}

void Check::add(const Problem& p) noexcept {
    if (p.severity == Severity::error) ++errors_;
    if (count_ < capacity - 1) {
        problems_[count_++] = p;
    } else if (count_ == capacity - 1) {
        problems_[count_++] = Problem{Code::too_many_problems, Severity::warning, 0, 0, 0, 0, 0};
    }
}

bool Check::has(Code code) const noexcept {
    for (const auto& p : *this) {
        if (p.code == code) return true;
    }
    return false;
}

void Check::demote(Code code) noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
        if (problems_[i].code == code && problems_[i].severity == Severity::error) {
            problems_[i].severity = Severity::warning;
            --errors_;
        }
    }
}

void describe_to(std::string& out, const Problem& p, std::string_view input) {
    // Appends straight into `out`: bulk checks print many messages, temporaries would dominate.
    auto str = [&out](std::string_view text) { out.append(text); };
    auto num = [&out](std::uint64_t v) { fmt::format_to(std::back_inserter(out), "{}", v); };
    auto chr = [&out](char c) { show_to(out, c); };
    switch (p.code) {
        case Code::empty: return str("the reference is empty");
        case Code::length:
            num(p.a);
            str(p.b == mrn_length ? " characters, expected " : " characters, at most ");
            num(p.b);
            if (p.b != mrn_length) str(" allowed");
            return;
        case Code::invalid_utf8: str("invalid UTF-8 at byte "); return num(p.a + 1);
        case Code::invalid_char:
            chr(p.found), str(" at position "), num(p.pos);
            return str(" is not allowed here");
        case Code::lowercase:
            str("lower-case letter at position "), num(p.pos);
            str("; references are upper case");
            // The upper-cased form when that is the only change it needs to be read.
            if (input.find_first_of(" \t") == std::string_view::npos) {
                str(": ");
                for (char c : input) out.push_back(to_upper(c));
            }
            return;
        case Code::whitespace:
            chr(p.found), str(" at position "), num(p.pos);
            return str("; references contain no blanks");
        case Code::year:
            str("position "), num(p.pos), str(" must be a digit of the two-digit year, found ");
            return chr(p.found);
        case Code::country_format:
            str("positions 3-4 must be an ISO 3166 country code, found "), chr(p.found);
            str(" at "), num(p.pos);
            return;
        case Code::country_unknown:
            str("'"), str(input.substr(p.pos - 1, 2));
            return str("' is not an ISO 3166 country code");
        case Code::procedure_unknown:
            if (is_digit(p.found)) {
                str("position 17 is the digit "), chr(p.found);
                return str(": an MRN of the format before the Union Customs Code, no procedure "
                           "category");
            }
            str("procedure letter "), chr(p.found);
            return str(" is not defined by the Union Customs Code (older or national MRN?)");
        case Code::procedure_unexpected:
            str("procedure letter "), chr(p.found), str(" where this reference uses ");
            return chr(p.expected);
        case Code::check_character:
            str("check character is "), chr(p.found), str(", expected ");
            return chr(p.expected);
        case Code::bcp_marker:
            return str("a Belgian BCP-ID has 'BECPB' at positions 3-7 (aaBECPBbbbbbbbbbRc)");
        case Code::call_prefix:
            if (p.found == 0) return str("a call number starts with 'N' (e.g. N04853)");
            str("a call number starts with 'N', found ");
            return chr(p.found);
        case Code::call_digits:
            str("call number has "), num(p.a), str(p.a == 1 ? " digit" : " digits");
            return str(" after 'N', expected 5 (e.g. N04853)");
        case Code::mention_format:
            str("malformed emergency mention at position "), num(p.pos), str(": expected ");
            str(p.expected == 'D'   ? "'-D:' after the call number"
                : p.expected == 'd' ? "8 digits of the date YYYYMMDD"
                : p.expected == 'T' ? "'-T' after the date"
                : p.expected == 't' ? "6 digits of the time HHMMSS"
                                    : "the end of the mention");
            return str(" (format N04853-D:20251127-T110000)");
        case Code::mention_date:
            fmt::format_to(std::back_inserter(out), "date {:04}-{:02}-{:02} does not exist",
                           p.a / 10000, (p.a / 100) % 100, p.a % 100);
            return;
        case Code::mention_time:
            fmt::format_to(std::back_inserter(out), "time {:02}:{:02}:{:02} does not exist",
                           p.a / 10000, (p.a / 100) % 100, p.a % 100);
            return;
        case Code::duplicate: str("the same reference appeared on line "); return num(p.a);
        case Code::missing_field: return str("the field is missing");
        case Code::not_a_string: return str("the field is not a string");
        case Code::too_many_problems: return str("more problems than listed");
    }
    str("unknown problem");
}

std::string describe(const Problem& p, std::string_view input) {
    std::string out;
    describe_to(out, p, input);
    return out;
}

char mrn_check_char(std::string_view body) noexcept {
    if (body.size() != mrn_length - 1) return 0;
    unsigned sum = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const int v = mrn_char_value(body[i]);
        if (v < 0) return 0;
        sum += static_cast<unsigned>(v) << i;
    }
    const unsigned r = sum % 11;
    return static_cast<char>('0' + (r == 10 ? 0 : r));
}

std::string_view mrn_procedure_meaning(char letter) noexcept {
    switch (letter) {
        case 'A': return "export only";
        case 'B': return "export and exit summary declaration";
        case 'C': return "exit summary declaration only";
        case 'D': return "re-export notification";
        case 'E': return "dispatch of goods in relation with special fiscal territories";
        case 'J': return "transit declaration only";
        case 'K': return "transit declaration and exit summary declaration";
        case 'L': return "transit declaration and entry summary declaration";
        case 'M': return "transit declaration, exit summary declaration and entry summary "
                         "declaration";
        case 'R': return "import declaration only";
        case 'S': return "import declaration and entry summary declaration";
        case 'T': return "entry summary declaration only";
        case 'U': return "temporary storage declaration";
        case 'V': return "introduction of goods in relation with special fiscal territories";
        case 'W': return "temporary storage declaration and entry summary declaration";
        default: return {};
    }
}

std::optional<MrnParts> split_mrn(std::string_view ref) noexcept {
    if (ref.size() != mrn_length) return std::nullopt;
    return MrnParts{ref.substr(0, 2), ref.substr(2, 2), ref.substr(4, 12), ref.substr(16, 1),
                    ref.substr(17, 1)};
}

namespace {

// Character values for the check-character algorithm, -1 outside [0-9A-Z]; a table so the fast
// path below is one load per character.
constexpr std::array<std::int8_t, 256> value_table = [] {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int c = 0; c < 256; ++c) {
        const int v = mrn_char_value(static_cast<char>(c));
        if (v >= 0) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(v);
    }
    return t;
}();

// UCC procedure letters, as a bit set over 'A'..'Z'.
constexpr std::uint32_t ucc_letters = [] {
    std::uint32_t bits = 0;
    for (char c : std::string_view("ABCDEJKLMRSTUVW")) bits |= 1u << (c - 'A');
    return bits;
}();

// weighted[i][c]: the value of character c at body position i, times 2^i, as the check sum
// wants it; a character outside [0-9A-Z] adds 2^24 instead (the largest valid sum, 38 x
// (2^17 - 1), stays below 2^23, and 17 bad characters below 2^29). One load and one add per
// character, no branch, no spill: 17 x 256 x 4 bytes = 17 KB, in L1 after the first lines.
constexpr std::uint32_t bad_char_mark = 1u << 24;
using WeightedTable = std::array<std::array<std::uint32_t, 256>, mrn_length - 1>;
constexpr WeightedTable make_weighted() {
    WeightedTable table{};
    for (std::size_t pos = 0; pos < table.size(); ++pos) {
        for (std::size_t c = 0; c < 256; ++c) {
            const int value = value_table[c];
            table[pos][c] = value < 0 ? bad_char_mark : static_cast<std::uint32_t>(value) << pos;
        }
    }
    return table;
}
constexpr WeightedTable weighted = make_weighted();

// The common cases in bulk checks: a well-formed MRN with a UCC procedure letter and a known
// country, whose check character is right, or is another of [0-9A-Z] (the usual typo). One pass,
// no branches per character; anything unusual falls back to the full check, which finds and
// explains every problem (and reports exactly this one for a wrong check character alone).
enum class FastMrn { valid, wrong_check, other };

FastMrn fast_mrn(std::string_view ref, char& expected) {
    if (ref.size() != mrn_length) return FastMrn::other;
    const auto* p = reinterpret_cast<const unsigned char*>(ref.data());
    std::uint32_t sum = 0;
#pragma GCC unroll 17
    for (unsigned i = 0; i < mrn_length - 1; ++i) sum += weighted[i][p[i]];
    if (sum >= bad_char_mark || p[0] > '9' || p[1] > '9' || p[2] < 'A' || p[3] < 'A' ||
        p[16] < 'A' || ((ucc_letters >> (p[16] - 'A')) & 1u) == 0 ||
        value_table[p[17]] < 0 || !is_country(ref.substr(2, 2))) {
        return FastMrn::other;
    }
    const unsigned r = sum % 11;
    expected = static_cast<char>('0' + (r == 10 ? 0 : r));
    return static_cast<char>(p[17]) == expected ? FastMrn::valid : FastMrn::wrong_check;
}

}  // namespace

Check check_mrn(std::string_view ref) {
    Check out;
    out.type = RefType::mrn;
    switch (fast_mrn(ref, out.check_expected)) {
        case FastMrn::valid: return out;
        case FastMrn::wrong_check:
            out.add(Code::check_character, pos1(mrn_length - 1), ref[mrn_length - 1],
                    out.check_expected);
            return out;
        case FastMrn::other: break;
    }
    out.check_expected = 0;
    if (!check_common(out, ref, Blanks::error)) return out;
    if (ref.size() != mrn_length) out.add(Code::length, 0, 0, 0, ref.size(), mrn_length);

    bool body_ok = true;
    bool lower_seen = false;
    const std::size_t n = ref.size() < mrn_length ? ref.size() : mrn_length;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = ref[i];
        if (is_lower(c)) {
            if (!lower_seen) out.add(Code::lowercase, pos1(i), c);
            lower_seen = true;
            if (i < mrn_length - 1) body_ok = false;
            continue;
        }
        if (!is_alnum(c)) {
            if (!is_space(c)) out.add(Code::invalid_char, pos1(i), c);
            if (i < mrn_length - 1) body_ok = false;
            continue;
        }
        // One problem per part, not one per character: "N04853" is a wrong year and a wrong
        // country, not two of each.
        if (i < 2 && !is_digit(c)) {
            if (!out.has(Code::year)) out.add(Code::year, pos1(i), c);
        } else if ((i == 2 || i == 3) && !is_upper(c)) {
            if (!out.has(Code::country_format)) out.add(Code::country_format, pos1(i), c);
        } else if (i == 16 && mrn_procedure_meaning(c).empty()) {
            out.add(Code::procedure_unknown, pos1(i), c);
        }
    }
    if (n >= 4 && is_upper(ref[2]) && is_upper(ref[3]) && !is_country(ref.substr(2, 2))) {
        out.add(Code::country_unknown, 3);
    }
    if (n >= mrn_length - 1 && body_ok) {
        out.check_expected = mrn_check_char(ref.substr(0, mrn_length - 1));
        if (ref.size() == mrn_length) {
            const char found = ref[mrn_length - 1];
            if (found != out.check_expected && !is_lower(found) && is_alnum(found)) {
                out.add(Code::check_character, pos1(mrn_length - 1), found, out.check_expected);
            }
        }
    }
    return out;
}

Check check_bcp_id(std::string_view ref) {
    Check out = check_mrn(ref);
    out.type = RefType::bcp_id;
    if (ref.empty()) return out;
    // Too short to hold the marker: the length error says it already.
    if (ref.size() >= 7 && !iequals(ref.substr(2, 5), bcp_id_marker)) out.add(Code::bcp_marker, 3);
    if (ref.size() == mrn_length && ref[16] != 'R' && !out.has(Code::procedure_unknown) &&
        is_upper(ref[16])) {
        out.add(Code::procedure_unexpected, 17, ref[16], 'R');
    }
    return out;
}

std::string make_mrn(int year2, std::string_view country, std::string_view unique12,
                     char procedure) {
    if (year2 < 0 || year2 > 99) throw usage_error(fmt::format("year {} is not 00-99", year2));
    if (country.size() != 2 || !is_upper(country[0]) || !is_upper(country[1])) {
        throw usage_error(fmt::format("country '{}' is not two upper-case letters", country));
    }
    if (unique12.size() != 12) {
        throw usage_error(fmt::format("unique part '{}' has {} characters, expected 12", unique12,
                                      unique12.size()));
    }
    for (char c : unique12) {
        if (!is_digit(c) && !is_upper(c)) {
            throw usage_error(fmt::format("unique part '{}' has {}", unique12, show(c)));
        }
    }
    if (!is_upper(procedure)) {
        throw usage_error(fmt::format("procedure {} is not an upper-case letter", show(procedure)));
    }
    std::string out = fmt::format("{:02}{}{}{}", year2, country, unique12, procedure);
    out.push_back(mrn_check_char(out));
    return out;
}

Check check_lrn(std::string_view ref) {
    Check out;
    out.type = RefType::lrn;
    if (!check_common(out, ref, Blanks::skip)) return out;
    // Blanks at either end are copy-paste accidents that a customs system would keep as part
    // of the LRN: errors. Blanks inside are legal characters, but unusual: a warning.
    if (is_space(ref.front()) || is_space(ref.back())) {
        const std::size_t at = is_space(ref.front()) ? 0 : ref.size() - 1;
        out.add(Code::whitespace, pos1(at), ref[at]);
    } else if (const auto at = ref.find_first_of(" \t"); at != std::string_view::npos) {
        out.add(Problem{Code::whitespace, Severity::warning, pos1(at), ref[at], 0, 0, 0});
    }
    const std::size_t chars = [&] {
        std::size_t k = 0;
        for (char c : ref) k += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        return k;
    }();
    if (chars > lrn_max_length) out.add(Code::length, 0, 0, 0, chars, lrn_max_length);
    // Bytes of a broken UTF-8 sequence are already reported as such; report them once.
    const bool utf8_reported = out.has(Code::invalid_utf8);
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const auto u = static_cast<unsigned char>(ref[i]);
        if ((u < 0x20 && ref[i] != '\t') || u == 0x7f || (u >= 0x80 && !utf8_reported)) {
            out.add(Code::invalid_char, pos1(i), ref[i]);
            break;
        }
    }
    return out;
}

std::string normalize_eori(std::string_view ref) {
    std::string out;
    out.reserve(ref.size());
    for (char c : ref) {
        if (!is_space(c)) out.push_back(to_upper(c));
    }
    return out;
}

Check check_eori(std::string_view ref, bool normalize) {
    Check out;
    out.type = RefType::eori;
    if (!check_common(out, ref, normalize ? Blanks::warning : Blanks::error)) return out;
    // Check the normalised form, position by position in the original for messages.
    std::size_t k = 0;  // characters after removing blanks
    bool lower_seen = false;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const char c = ref[i];
        if (is_space(c)) continue;
        if (is_lower(c) && !lower_seen) {
            lower_seen = true;
            out.add(Problem{Code::lowercase, normalize ? Severity::warning : Severity::error,
                            pos1(i), c, 0, 0, 0});
        }
        const char u = to_upper(c);
        if (k < 2) {
            if (!is_upper(u)) out.add(Code::country_format, pos1(i), c);
        } else if (!is_alnum(u)) {
            out.add(Code::invalid_char, pos1(i), c);
        }
        ++k;
    }
    if (k < 3 || k > 2 + eori_max_suffix) out.add(Code::length, 0, 0, 0, k, 2 + eori_max_suffix);
    // The country code, once blanks and case are set aside.
    char cc[2] = {0, 0};
    std::size_t got = 0;
    std::uint32_t cc_pos = 0;
    for (std::size_t i = 0; i < ref.size() && got < 2; ++i) {
        if (is_space(ref[i])) continue;
        if (got == 0) cc_pos = pos1(i);
        cc[got++] = to_upper(ref[i]);
    }
    if (got == 2 && is_upper(cc[0]) && is_upper(cc[1]) &&
        !is_country(std::string_view(cc, 2))) {
        out.add(Code::country_unknown, cc_pos);
    }
    return out;
}

Check check_call(std::string_view ref) {
    Check out;
    out.type = RefType::call;
    if (!check_common(out, ref, Blanks::error)) return out;
    check_call_part(out, ref, 0);
    return out;
}

Check check_mention(std::string_view ref) {
    Check out;
    out.type = RefType::mention;
    if (!check_common(out, ref, Blanks::error)) return out;
    const std::size_t dash = ref.find('-');
    const std::string_view call = ref.substr(0, dash);
    check_call_part(out, call, 0);
    if (dash == std::string_view::npos) {
        out.add(Code::mention_format, pos1(ref.size()), 0, 'D');
        return out;
    }
    std::string_view rest = ref.substr(dash);
    std::size_t at = dash;
    auto expect = [&](std::string_view lit, char what) {
        if (rest.substr(0, lit.size()) != lit) {
            out.add(Code::mention_format, pos1(at), 0, what);
            return false;
        }
        rest.remove_prefix(lit.size());
        at += lit.size();
        return true;
    };
    auto digits = [&](std::size_t n, char what, std::string_view& field) {
        std::size_t k = 0;
        while (k < rest.size() && is_digit(rest[k])) ++k;
        if (k != n) {
            out.add(Code::mention_format, pos1(at + (k < n ? k : n)), 0, what);
            return false;
        }
        field = rest.substr(0, n);
        rest.remove_prefix(n);
        at += n;
        return true;
    };
    std::string_view date, time;
    if (!expect("-D:", 'D') || !digits(8, 'd', date) || !expect("-T", 'T') ||
        !digits(6, 't', time)) {
        return out;
    }
    if (!rest.empty()) {
        out.add(Code::mention_format, pos1(at), rest[0], 'e');
        return out;
    }
    const int y = digits_value(date.substr(0, 4));
    const int m = digits_value(date.substr(4, 2));
    const int d = digits_value(date.substr(6, 2));
    // Years before 1000 are typing slips (0025 for 2025), and format_mention() refuses them:
    // what one accepts the other must write (fuzz/regressions/reference/year-0025).
    if (y < 1000 || d < 1 || d > days_in_month(y, m)) {
        out.add(Code::mention_date, pos1(dash + 3), 0, 0,
                static_cast<std::uint64_t>(digits_value(date)));
    }
    const int hh = digits_value(time.substr(0, 2));
    const int mm = digits_value(time.substr(2, 2));
    const int ss = digits_value(time.substr(4, 2));
    if (hh > 23 || mm > 59 || ss > 59) {
        out.add(Code::mention_time, pos1(dash + 13), 0, 0,
                static_cast<std::uint64_t>(digits_value(time)));
    }
    return out;
}

std::optional<Mention> parse_mention(std::string_view ref) {
    if (!check_mention(ref).valid()) return std::nullopt;
    Mention m;
    m.call = std::string(ref.substr(0, 6));
    m.year = digits_value(ref.substr(9, 4));
    m.month = digits_value(ref.substr(13, 2));
    m.day = digits_value(ref.substr(15, 2));
    m.hour = digits_value(ref.substr(19, 2));
    m.minute = digits_value(ref.substr(21, 2));
    m.second = digits_value(ref.substr(23, 2));
    return m;
}

std::string format_mention(const Mention& m) {
    if (!check_call(m.call).valid()) {
        throw usage_error(fmt::format("'{}' is not a call number (N + 5 digits)", m.call));
    }
    if (m.year < 1000 || m.year > 9999 || m.day < 1 || m.day > days_in_month(m.year, m.month)) {
        throw usage_error(
            fmt::format("date {:04}-{:02}-{:02} does not exist", m.year, m.month, m.day));
    }
    if (m.hour < 0 || m.hour > 23 || m.minute < 0 || m.minute > 59 || m.second < 0 ||
        m.second > 59) {
        throw usage_error(
            fmt::format("time {:02}:{:02}:{:02} does not exist", m.hour, m.minute, m.second));
    }
    return fmt::format("{}-D:{:04}{:02}{:02}-T{:02}{:02}{:02}", m.call, m.year, m.month, m.day,
                       m.hour, m.minute, m.second);
}

RefType detect_type(std::string_view ref) {
    // The shape is read without blanks at either end, so " X" and "X " get the same type (and
    // the checker of that type reports the blank).
    const auto first = ref.find_first_not_of(" \t");
    if (first == std::string_view::npos) return RefType::lrn;
    ref = ref.substr(first, ref.find_last_not_of(" \t") + 1 - first);
    if (ref.size() >= 2 && (ref[0] == 'N' || ref[0] == 'n') && is_digit(ref[1])) {
        return ref.find("-D") != std::string_view::npos ||
                       ref.find("-T") != std::string_view::npos
                   ? RefType::mention
                   : RefType::call;
    }
    // Nearly an MRN: two digits and two letters, then letters and digits, within a few
    // characters of the MRN's 18. Such a value is reported as an MRN with its problems, never
    // passed as an LRN (which takes almost anything).
    const bool mrn_like = ref.size() >= mrn_length - 4 && ref.size() <= mrn_length + 4 &&
                          is_digit(ref[0]) && is_digit(ref[1]) && is_alpha(ref[2]) &&
                          is_alpha(ref[3]) &&
                          std::all_of(ref.begin() + 4, ref.end(), [](char c) { return is_alnum(c); });
    if (mrn_like) {
        // An MRN-format individual reference made by the same generator (AES after an
        // emergency procedure, letters A or B) also carries the marker; only letter R makes a
        // BCP-ID. At another length the marker alone decides.
        if (ref.size() >= 7 && iequals(ref.substr(2, 5), bcp_id_marker) &&
            (ref.size() != mrn_length || to_upper(ref[16]) == 'R')) {
            return RefType::bcp_id;
        }
        return RefType::mrn;
    }
    // Nearly an EORI: a known country code, then letters and digits, at least half of them
    // digits (identifiers are numbers; LRNs are mostly words), up to a few characters longer
    // than an EORI may be; inner blanks and case forgiven so that badly typed EORIs still get
    // EORI diagnostics.
    if (ref.size() >= 3 && ref.size() <= 2 + eori_max_suffix + 8) {
        const char cc[2] = {to_upper(ref[0]), to_upper(ref[1])};
        if (is_country(std::string_view(cc, 2))) {
            std::size_t digits = 0, others = 0;
            bool ok = true;
            for (char c : ref.substr(2)) {
                if (is_digit(c)) {
                    ++digits;
                } else if (is_alpha(c)) {
                    ++others;
                } else {
                    ok = ok && is_space(c);
                }
            }
            if (ok && digits > 0 && digits >= others) return RefType::eori;
        }
    }
    return RefType::lrn;
}

Check check(RefType type, std::string_view ref, bool normalize) {
    // A blank at either end of an MRN-shaped reference, call or mention is one error, and the
    // rest is checked as if it were not there (otherwise every position after a leading blank
    // reads as wrong). LRNs and EORIs judge their blanks themselves.
    if (type != RefType::lrn && type != RefType::eori && !ref.empty() &&
        (is_space(ref.front()) || is_space(ref.back()))) {
        const auto first = ref.find_first_not_of(" \t");
        if (first != std::string_view::npos) {
            const auto trimmed = ref.substr(first, ref.find_last_not_of(" \t") + 1 - first);
            const Check inner = check(type, trimmed, normalize);
            Check out;
            out.type = inner.type;
            out.check_expected = inner.check_expected;
            const std::size_t at = first > 0 ? 0 : ref.size() - 1;
            out.add(Code::whitespace, pos1(at), ref[at]);
            for (Problem p : inner) {
                if (p.pos > 0) p.pos += static_cast<std::uint32_t>(first);
                out.add(p);
            }
            return out;
        }
    }
    switch (type) {
        case RefType::mrn: return check_mrn(ref);
        case RefType::bcp_id: return check_bcp_id(ref);
        case RefType::lrn: return check_lrn(ref);
        case RefType::eori: return check_eori(ref, normalize);
        case RefType::call: return check_call(ref);
        case RefType::mention: return check_mention(ref);
    }
    return check_lrn(ref);
}

}  // namespace bcp
