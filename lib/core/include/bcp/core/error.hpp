// Typed exceptions of the library, all of them in this one header. Every error has a stable
// kind() string that tools print in --errors-json output; the type (not the string) maps to an
// exit status. The message is for people and may change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace bcp {

// What went wrong, as a type: the tools map it to their exit status (bcp/cli/tool.hpp).
enum class ErrorClass : std::uint8_t {
    io,       // a file, stream or system call failed
    usage,    // the arguments cannot give what was asked
    data,     // outside data is malformed
    busy,     // a resource is held right now; retry
    none,     // the answer is "no"
    refused,  // a procedure rule refuses
};

class error : public std::runtime_error {
public:
    error(std::string kind, const std::string& message, std::string file = {}, std::size_t line = 0,
          ErrorClass what = ErrorClass::data)
        : std::runtime_error(message), kind_(std::move(kind)), file_(std::move(file)), line_(line),
          class_(what) {}
    [[nodiscard]] const std::string& kind() const noexcept { return kind_; }
    [[nodiscard]] ErrorClass error_class() const noexcept { return class_; }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] std::size_t line() const noexcept { return line_; }

private:
    std::string kind_;
    std::string file_;
    std::size_t line_;
    ErrorClass class_;
};

// A file or stream could not be read or written, or a system call failed (exit 2).
class io_error : public error {
public:
    explicit io_error(const std::string& message, std::string file = {})
        : error("io", message, std::move(file), 0, ErrorClass::io) {}
};

// Outside data is malformed: a rule file, a notice, a record (exit 3).
class data_error : public error {
public:
    data_error(std::string kind, const std::string& message, std::string file = {},
               std::size_t line = 0)
        : error(std::move(kind), message, std::move(file), line) {}
};

// A resource is held by another process right now; the same call may succeed later (exit 5).
class busy_error : public error {
public:
    explicit busy_error(const std::string& message, std::string file = {})
        : error("busy", message, std::move(file), 0, ErrorClass::busy) {}
};

// The caller asked for something the arguments cannot give (a bad option value; exit 2).
class usage_error : public error {
public:
    explicit usage_error(const std::string& message)
        : error("usage", message, {}, 0, ErrorClass::usage) {}
};

// The answer is "no": no rule for the country and system, no matching procedure in an event
// file, nothing to submit afterwards (kind "none"; tools exit 1).
class none_error : public error {
public:
    explicit none_error(const std::string& message)
        : error("none", message, {}, 0, ErrorClass::none) {}
};

// A procedure rule refuses the request: a transit started on paper must not be sent to NCTS
// afterwards (kind "refused"; tools exit 4). file:line name the rule.
class refused_error : public error {
public:
    explicit refused_error(const std::string& message, std::string file = {}, std::size_t line = 0)
        : error("refused", message, std::move(file), line, ErrorClass::refused) {}
};

}  // namespace bcp
