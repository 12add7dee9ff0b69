#include "bcp/core/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "bcp/core/error.hpp"

namespace bcp {

LineReader::LineReader(std::istream& in, std::size_t max_line)
    : in_(in), max_line_(max_line), buf_(std::size_t{1} << 20) {}

bool LineReader::fill() {
    if (eof_) return false;
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    auto* sb = in_.rdbuf();
    const auto want = static_cast<std::streamsize>(buf_.size() - end_);
    std::streamsize got = 0;
    errno = 0;
    try {
        got = sb == nullptr ? 0 : sb->sgetn(buf_.data() + end_, want);
    } catch (const std::exception& e) {
        throw io_error(fmt::format("read error: {}", e.what()));
    }
    if (got <= 0) {
        // A read error on a file (EISDIR, EIO) shows up as a short read with errno set.
        if (errno == EIO || errno == EISDIR) {
            throw io_error(fmt::format("read error: {}", std::strerror(errno)));
        }
        eof_ = true;
        return false;
    }
    end_ += static_cast<std::size_t>(got);
    return true;
}

void LineReader::emit(Line& line, std::size_t len, std::size_t skipped) {
    line.number = ++number_;
    line.length = skipped + len;
    line.too_long = skipped > 0 || len > max_line_;
    if (line.too_long) {
        line.text = {};
        return;
    }
    if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
    line.text = std::string_view(buf_.data() + begin_, len);
}

bool LineReader::next(Line& line) {
    std::size_t skipped = 0;  // bytes of a too-long line already thrown away
    std::size_t scanned = 0;  // bytes after begin_ known to hold no newline
    for (;;) {
        const std::size_t from = begin_ + scanned;
        const void* nl =
            from < end_ ? std::memchr(buf_.data() + from, '\n', end_ - from) : nullptr;
        if (nl != nullptr) {
            const auto stop = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
            emit(line, stop - begin_, skipped);
            begin_ = stop + 1;
            break;
        }
        scanned = end_ - begin_;
        // No newline yet: keep at most max_line_ bytes of this line in memory.
        if (scanned > max_line_) {
            skipped += scanned;
            begin_ = end_ = scanned = 0;
        }
        if (!fill()) {
            if (begin_ == end_ && skipped == 0) return false;
            emit(line, end_ - begin_, skipped);
            begin_ = end_;
            break;
        }
    }
    if (first_) {
        first_ = false;
        if (line.text.substr(0, 3) == "\xEF\xBB\xBF") line.text.remove_prefix(3);
    }
    return true;
}

}  // namespace bcp
