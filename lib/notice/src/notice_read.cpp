#include "bcp/notice/notice_read.hpp"

#include <algorithm>
#include <cstring>
#include <streambuf>
#include <utility>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/line_reader.hpp"
#include "bcp/notice/notice_email.hpp"
#include "bcp/notice/notice_statuspage.hpp"

namespace bcp {
namespace {

// Serves the bytes read to detect the input kind, then the rest of the stream, so detection
// does not need a seekable input.
class PrefixBuf : public std::streambuf {
public:
    PrefixBuf(std::string prefix, std::streambuf* rest) : prefix_(std::move(prefix)), rest_(rest) {
        setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
    }

protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        const std::streamsize n = rest_->sgetn(buf_, sizeof buf_);
        if (n <= 0) return traits_type::eof();
        setg(buf_, buf_, buf_ + n);
        return traits_type::to_int_type(*gptr());
    }
    std::streamsize xsgetn(char* s, std::streamsize count) override {
        std::streamsize done = 0;
        while (done < count) {
            if (gptr() == egptr() && underflow() == traits_type::eof()) break;
            const std::streamsize n = std::min<std::streamsize>(count - done, egptr() - gptr());
            std::memcpy(s + done, gptr(), static_cast<std::size_t>(n));
            gbump(static_cast<int>(n));
            done += n;
        }
        return done;
    }

private:
    std::string prefix_;
    std::streambuf* rest_;
    char buf_[1 << 16]{};
};

[[noreturn]] void binary(const std::string& name, std::size_t line) {
    throw data_error("binary", "binary input (NUL bytes): not a notice", name, line);
}

// Plain text, streamed line by line through the splitter.
void read_text(std::string head, std::istream& in, const NoticeReadOptions& o,
               const std::function<bool(Notice&&)>& emit) {
    PrefixBuf buf(std::move(head), in.rdbuf());
    std::istream joined(&buf);
    LineReader reader(joined, o.max_line);
    LineReader::Line line;
    std::size_t entry = 0;
    bool more = true;
    NoticeSplitter splitter([&](RawNotice&& raw) {
        if (more) more = emit(interpret_notice(raw, entry++, o.notice));
    });
    while (more && reader.next(line)) {
        if (line.too_long) {
            throw data_error("too-long",
                             fmt::format("line of {} bytes is longer than the {} bytes a notice "
                                         "line may have ({})",
                                         line.length, o.max_line, o.max_line_as),
                             o.name, line.number);
        }
        if (std::memchr(line.text.data(), '\0', line.text.size()) != nullptr) binary(o.name, line.number);
        splitter.line(line.text, line.number);
        if (splitter.pending_bytes() > o.max_line * 4) {
            throw data_error("too-long",
                             fmt::format("one notice is longer than {} bytes (4 x {})",
                                         o.max_line * 4, o.max_line_as),
                             o.name, line.number);
        }
    }
    if (more) splitter.finish();
}

}  // namespace

void read_notices(std::istream& in, const NoticeReadOptions& o,
                  const std::function<bool(Notice&&)>& emit) {
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw io_error("cannot read input", o.name);
    if (head.find('\0') != std::string::npos) binary(o.name, 1);
    const NoticeInput kind = o.kind.value_or(detect_notice_input(head));
    if (kind == NoticeInput::text) return read_text(std::move(head), in, o, emit);
    // E-mail and JSON are read whole, up to the limit.
    std::string doc = std::move(head);
    const auto bounded = [&] {
        if (doc.size() > o.max_line) {
            throw data_error("too-long",
                             fmt::format("{} input longer than {} bytes ({})",
                                         notice_input_name(kind), o.max_line, o.max_line_as),
                             o.name);
        }
    };
    bounded();
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        doc.append(chunk, static_cast<std::size_t>(in.gcount()));
        bounded();
    }
    if (in.bad()) throw io_error("cannot read input", o.name);
    if (doc.find('\0') != std::string::npos) binary(o.name, 0);
    try {
        if (kind == NoticeInput::email) {
            (void)emit(interpret_notice(read_email(doc), 0, o.notice));
            return;
        }
        std::size_t entry = 0;
        for (const auto& raw : read_statuspage(doc)) {
            if (!emit(interpret_notice(raw, entry++, o.notice))) return;
        }
    } catch (const data_error& e) {
        throw data_error(e.kind(), e.what(), o.name, e.line());
    }
}

}  // namespace bcp
