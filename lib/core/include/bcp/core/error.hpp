// Typed exceptions of the library. Every error has a stable kind() string that tools print in
// --errors-json output and map to an exit status; the message is for people and may change.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace bcp {

class error : public std::runtime_error {
public:
    error(std::string kind, const std::string& message, std::string file = {}, std::size_t line = 0)
        : std::runtime_error(message), kind_(std::move(kind)), file_(std::move(file)), line_(line) {}
    [[nodiscard]] const std::string& kind() const noexcept { return kind_; }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] std::size_t line() const noexcept { return line_; }

private:
    std::string kind_;
    std::string file_;
    std::size_t line_;
};

// A file or stream could not be read or written, or a system call failed (exit 2).
class io_error : public error {
public:
    explicit io_error(const std::string& message, std::string file = {})
        : error("io", message, std::move(file)) {}
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
        : error("busy", message, std::move(file)) {}
};

// The caller asked for something the arguments cannot give (a bad option value; exit 2).
class usage_error : public error {
public:
    explicit usage_error(const std::string& message) : error("usage", message) {}
};

}  // namespace bcp
