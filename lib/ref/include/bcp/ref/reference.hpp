// References that customs declarations carry and that business continuity procedures create:
// MRN, Belgian BCP-ID, LRN, EORI, call number and emergency mention. Each type has a validator
// that reports every problem it finds, each with a stable code.
//
// Validation is the hot path of CI checks over millions of lines, so it does not allocate: a
// Check holds its problems inline as codes with parameters, and the human message is built only
// when someone prints it (describe()). The first check that needs the country list loads it
// from data/, and throws bcp::io_error if it cannot: hence no noexcept here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bcp {

enum class RefType : std::uint8_t { mrn, bcp_id, lrn, eori, call, mention };

[[nodiscard]] std::string_view to_string(RefType type) noexcept;
// Parses "mrn", "bcp-id", "lrn", "eori", "call", "mention".
[[nodiscard]] std::optional<RefType> parse_ref_type(std::string_view name) noexcept;

// A reference field of a JSON record as a user names it, "POINTER[:TYPE]" (bcp-id check
// --field): the type after the last ':' when it names one ("/mrn:mrn"), or "auto" (detected);
// a ':' followed by anything else is part of the pointer ("/a:b").
struct RefField {
    enum class Type : std::uint8_t { inherited, detected, named };
    std::string pointer;
    Type how = Type::inherited;  // inherited: the type given for every value, if any
    RefType type = RefType::lrn; // when named
};
[[nodiscard]] RefField parse_ref_field(std::string_view spec);

enum class Severity : std::uint8_t { error, warning };

// Stable problem codes; code_name() gives the string printed in output and documented in
// bcp-id(1). Never renumber the printed names.
enum class Code : std::uint8_t {
    empty,                 // nothing to check
    length,                // wrong length (a = found, b = expected or maximum)
    invalid_utf8,          // bytes that are not UTF-8 (a = byte offset)
    invalid_char,          // a character not allowed at a position (pos, found)
    lowercase,             // lower-case letters where upper case is required
    whitespace,            // spaces or tabs inside or around the reference
    year,                  // MRN year not two digits (pos)
    country_format,        // not two letters (pos)
    country_unknown,       // two letters, but no ISO 3166 country
    procedure_unknown,     // warning: procedure letter not defined by the UCC (found)
    procedure_unexpected,  // warning: defined, but not the letter this reference type uses
    check_character,       // wrong check character (found, expected)
    bcp_marker,            // a BCP-ID without BE + CPB at positions 3-7
    call_prefix,           // call number not starting with N
    call_digits,           // call number without exactly 5 digits (a = digits found)
    mention_format,        // emergency mention not shaped N#####-D:YYYYMMDD-THHMMSS (pos)
    mention_date,          // the date does not exist
    mention_time,          // the time does not exist
    duplicate,             // the same reference appeared before in this stream (a = line)
    missing_field,         // the JSON field to check is absent
    not_a_string,          // the JSON field is not a string
    too_many_problems,     // more problems than a Check holds; the rest are not listed
};

[[nodiscard]] std::string_view code_name(Code code) noexcept;
[[nodiscard]] Severity default_severity(Code code) noexcept;

// Trivially constructible on purpose (see Check); always built with all fields given.
struct Problem {
    Code code;
    Severity severity;
    std::uint32_t pos;  // 1-based character position, 0 when not about one position
    char found;
    char expected;
    std::uint64_t a;
    std::uint64_t b;
};

// The human message for a problem found in `input` ("check character is 5, expected 0").
[[nodiscard]] std::string describe(const Problem& problem, std::string_view input);
// The same, appended to `out` (no temporary string: for bulk output).
void describe_to(std::string& out, const Problem& problem, std::string_view input);

// The outcome of validating one reference.
class Check {
public:
    static constexpr std::size_t capacity = 8;

    RefType type = RefType::lrn;
    // For MRN-shaped references whose first 17 characters are all valid: the check character
    // they call for; 0 otherwise.
    char check_expected = 0;

    void add(Code code, std::uint32_t pos = 0, char found = 0, char expected = 0,
             std::uint64_t a = 0, std::uint64_t b = 0) noexcept;
    void add(const Problem& p) noexcept;
    [[nodiscard]] bool valid() const noexcept { return errors_ == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] const Problem* begin() const noexcept { return problems_.data(); }
    [[nodiscard]] const Problem* end() const noexcept { return problems_.data() + count_; }
    [[nodiscard]] bool has(Code code) const noexcept;
    // Turns error problems of `code` into warnings (used when normalising was asked for).
    void demote(Code code) noexcept;

private:
    // Not value-initialised: a Check is made per reference on the hot path, and only the
    // first count_ entries are ever read.
    std::array<Problem, capacity> problems_;
    std::size_t count_ = 0;
    std::size_t errors_ = 0;
};

// --- MRN and MRN-shaped references -------------------------------------------------------

inline constexpr std::size_t mrn_length = 18;

// Value of a character in the check-character algorithm: digits are themselves, A=10 and up,
// skipping multiples of 11 (B=12 ... K=21, L=23 ... U=32, V=34 ... Z=38); -1 if not [0-9A-Z].
[[nodiscard]] constexpr int mrn_char_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c < 'A' || c > 'Z') return -1;
    int v = 10 + (c - 'A');
    if (v >= 11) ++v;
    if (v >= 22) ++v;
    if (v >= 33) ++v;
    return v;
}

// The check character of a 17-character body (values weighted 2^i, sum mod 11, 10 -> 0);
// 0 if the body has another length or a character outside [0-9A-Z].
[[nodiscard]] char mrn_check_char(std::string_view body) noexcept;

// What the procedure-category letter (position 17) means under the Union Customs Code, or an
// empty view for a letter the UCC does not define.
[[nodiscard]] std::string_view mrn_procedure_meaning(char letter) noexcept;

// The parts of an 18-character MRN-shaped string (views into it).
struct MrnParts {
    std::string_view year, country, unique, procedure, check;
};
[[nodiscard]] std::optional<MrnParts> split_mrn(std::string_view ref) noexcept;

[[nodiscard]] Check check_mrn(std::string_view ref);

// Belgian BCP-ID (IDMS emergency procedure): aaBECPBbbbbbbbbbRc, MRN-shaped.
inline constexpr std::string_view bcp_id_marker = "BECPB";
[[nodiscard]] Check check_bcp_id(std::string_view ref);

// Builds an MRN-shaped reference from its parts, computing the check character.
// Throws bcp::usage_error when a part has the wrong length or characters.
[[nodiscard]] std::string make_mrn(int year2, std::string_view country, std::string_view unique12,
                                   char procedure);

// --- Other references ----------------------------------------------------------------------

inline constexpr std::size_t lrn_max_length = 22;
[[nodiscard]] Check check_lrn(std::string_view ref);

inline constexpr std::size_t eori_max_suffix = 15;
// With `normalize`, spaces and lower case are reported as warnings and the rest of the checks
// apply to normalize_eori(ref); without it they are errors.
[[nodiscard]] Check check_eori(std::string_view ref, bool normalize = false);
[[nodiscard]] std::string normalize_eori(std::string_view ref);

[[nodiscard]] Check check_call(std::string_view ref);

// An emergency mention: call number, start date and start time of the procedure.
struct Mention {
    std::string call;  // N + 5 digits
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};
[[nodiscard]] Check check_mention(std::string_view ref);
// The mention's parts, or nothing when check_mention() finds an error.
[[nodiscard]] std::optional<Mention> parse_mention(std::string_view ref);
// "N04853-D:20251127-T110000". Throws bcp::usage_error for an invalid call, date or time.
[[nodiscard]] std::string format_mention(const Mention& mention);

// --- Any reference -------------------------------------------------------------------------

// Guesses the type from the shape: an emergency mention (N + digits + "-D:"), a call number
// (N + digits), a BCP-ID (BECPB at positions 3-7 and procedure letter R), an MRN (18 characters starting with two
// digits), an EORI (two letters then digits or letters, at most 17), else an LRN.
[[nodiscard]] RefType detect_type(std::string_view ref);

// An MRN or a BCP-ID: the 18-character MRN structure (year, country, unique part, procedure, check).
[[nodiscard]] constexpr bool is_mrn_shaped(RefType type) noexcept {
    return type == RefType::mrn || type == RefType::bcp_id;
}

[[nodiscard]] Check check(RefType type, std::string_view ref, bool normalize = false);

}  // namespace bcp
