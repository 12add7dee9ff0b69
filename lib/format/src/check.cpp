#include "bcp/format/check.hpp"

#include <iterator>

#include <fmt/format.h>

#include "bcp/core/json_text.hpp"

namespace bcp {

using namespace std::string_view_literals;

void append_decimal(std::string& out, std::uint64_t v) {
    char buf[24];
    char* p = buf + sizeof buf;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

namespace {

void append_problems(std::string& out, const Check& c, std::string_view input, Severity which,
                     std::string& scratch) {
    out.push_back('[');
    bool first = true;
    for (const auto& p : c) {
        if (p.severity != which) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append(R"({"code":")"sv);
        out.append(code_name(p.code));
        out.append(R"(","message":)"sv);
        scratch.clear();
        describe_to(scratch, p, input);
        append_json_string(out, scratch);
        if (p.pos != 0) {
            out.append(R"(,"position":)"sv);
            append_decimal(out, p.pos);
        }
        out.push_back('}');
    }
    out.push_back(']');
}

}  // namespace

void append_check_json(std::string& out, const CheckOrigin& at, std::string_view input,
                        const Check& c, const std::string* normalized, bool type_known,
                        std::string& scratch) {
    out.append(R"({"line":)"sv);
    append_decimal(out, at.line);
    if (!at.file.empty()) {
        out.append(R"(,"file":)"sv);
        append_json_string(out, at.file);
    }
    if (!at.field.empty()) {
        out.append(R"(,"field":)"sv);
        append_json_string(out, at.field);
    }
    out.append(R"(,"input":)"sv);
    if (c.has(Code::missing_field) || c.has(Code::not_a_string)) {
        out.append("null"sv);
    } else {
        append_json_string(out, input.substr(0, check_echo_limit));
    }
    if (input.size() > check_echo_limit) {
        out.append(R"(,"input_truncated":true,"input_length":)"sv);
        append_decimal(out, input.size());
    }
    out.append(R"(,"type":)"sv);
    if (type_known) {
        out.push_back('"');
        out.append(to_string(c.type));
        out.push_back('"');
    } else {
        out.append("null"sv);
    }
    out.append(c.valid() ? R"(,"valid":true,"errors":)"sv : R"(,"valid":false,"errors":)"sv);
    append_problems(out, c, input, Severity::error, scratch);
    out.append(R"(,"warnings":)"sv);
    append_problems(out, c, input, Severity::warning, scratch);
    if (normalized != nullptr) {
        out.append(R"(,"normalized":)"sv);
        append_json_string(out, *normalized);
    }
    if (type_known && is_mrn_shaped(c.type)) {
        out.append(R"(,"check_expected":)"sv);
        if (c.check_expected != 0) {
            out.push_back('"');
            out.push_back(c.check_expected);
            out.push_back('"');
        } else {
            out.append("null"sv);
        }
        if (const auto parts = split_mrn(input)) {
            out.append(R"(,"parts":{"year":)"sv);
            append_json_string(out, parts->year);
            out.append(R"(,"country":)"sv);
            append_json_string(out, parts->country);
            out.append(R"(,"unique":)"sv);
            append_json_string(out, parts->unique);
            out.append(R"(,"procedure":)"sv);
            append_json_string(out, parts->procedure);
            out.append(R"(,"check":)"sv);
            append_json_string(out, parts->check);
            out.push_back('}');
        } else {
            out.append(R"(,"parts":null)"sv);
        }
    }
    out.append("}\n"sv);
}

void append_check_text(std::string& out, const CheckOrigin& at, std::string_view input,
                        const Check& c, const std::string* normalized, bool type_known) {
    if (!at.file.empty()) fmt::format_to(std::back_inserter(out), "{}:", at.file);
    fmt::format_to(std::back_inserter(out), "{}: ", at.line);
    if (!at.field.empty()) fmt::format_to(std::back_inserter(out), "{} ", at.field);
    std::string shown;
    if (c.has(Code::missing_field)) {
        shown = "(missing)";
    } else if (c.has(Code::not_a_string)) {
        shown = "(not a string)";
    } else {
        append_json_string(shown, input.substr(0, check_echo_limit));
    }
    fmt::format_to(std::back_inserter(out), "{} {} {}", shown,
                   type_known ? to_string(c.type) : "-", c.valid() ? "valid" : "INVALID");
    for (const auto& p : c) {
        fmt::format_to(std::back_inserter(out), "{} {}{}: {}",
                       &p == c.begin() ? ":" : ";", p.severity == Severity::warning ? "warning " : "",
                       code_name(p.code), describe(p, input));
    }
    if (normalized != nullptr) fmt::format_to(std::back_inserter(out), " (normalized {})", *normalized);
    out.push_back('\n');
}


void append_bad_line_json(std::string& out, const CheckOrigin& at, std::string_view kind,
                          std::string_view message) {
    out.append(R"({"line":)");
    append_decimal(out, at.line);
    if (!at.file.empty()) {
        out.append(R"(,"file":)");
        append_json_string(out, at.file);
    }
    out.append(R"(,"valid":false,"error":{"kind":)");
    append_json_string(out, kind);
    out.append(R"(,"message":)");
    append_json_string(out, message);
    out.append("}}\n");
}

void append_bad_line_text(std::string& out, const CheckOrigin& at, std::string_view kind,
                          std::string_view message) {
    fmt::format_to(std::back_inserter(out), "{}{}{}: ERROR {}: {}\n", at.file,
                   at.file.empty() ? "" : ":", at.line, kind, message);
}

void append_generated_json(std::string& out, std::string_view reference, RefType type,
                           std::string_view country, char procedure, std::string_view sequence,
                           std::uint64_t number) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"reference":"{}","type":"{}","country":"{}","procedure":"{}",)"
                   R"("sequence":"{}","number":{}}})"
                   "\n",
                   reference, to_string(type), country, procedure, sequence, number);
}

}  // namespace bcp
