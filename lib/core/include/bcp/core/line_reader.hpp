// Lines of a stream, read in large blocks and handed out as views, with a bound on a line's
// length: what every reader of JSON Lines and of notice text uses.
#pragma once

#include <cstddef>
#include <istream>
#include <string_view>
#include <vector>

namespace bcp {

// Reads lines without copying them when it can: each line is a view into an internal buffer,
// valid until the next call. Strips "\n", a trailing "\r" and a UTF-8 byte order mark at the
// start. A line longer than the limit is not kept: next() reports it as too long (with its
// length) and skips to its end, so memory stays bounded by the limit.
class LineReader {
public:
    static constexpr std::size_t default_max_line = 64u << 20;  // 64 MiB

    explicit LineReader(std::istream& in, std::size_t max_line = default_max_line);

    struct Line {
        std::string_view text;
        std::size_t number = 0;
        bool too_long = false;
        std::size_t length = 0;  // the full length, also for a line too long
    };
    // False at the end of input. Throws bcp::io_error when the stream fails.
    [[nodiscard]] bool next(Line& line);

private:
    bool fill();
    void emit(Line& line, std::size_t len, std::size_t skipped);
    std::istream& in_;
    std::size_t max_line_;
    std::vector<char> buf_;
    std::size_t begin_ = 0, end_ = 0;
    std::size_t number_ = 0;
    bool eof_ = false;
    bool first_ = true;
};

}  // namespace bcp
