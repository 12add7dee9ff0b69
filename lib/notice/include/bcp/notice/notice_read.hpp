// Reading notices from a stream: the kind of input detected from its first bytes (or as told),
// then plain text split into entries as it streams (a status-page history, an mbox: one notice
// per entry), an e-mail read whole, or Statuspage JSON read whole, and each entry interpreted.
// Bounded: a line, an entry and a whole document have limits, and binary input is refused.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "bcp/notice/notice.hpp"

namespace bcp {

struct NoticeReadOptions {
    std::optional<NoticeInput> kind;  // nothing: detected (detect_notice_input)
    std::size_t max_line = std::size_t{16} << 20;  // a text line, and an e-mail or JSON document;
                                                   // an entry of text may hold 4 times as much
    std::string max_line_as = "the limit";  // how messages name max_line (a tool: its flag)
    std::string name;                       // the input's name in errors ("<stdin>", a path)
    NoticeOptions notice;                   // reference time and source.file
};

// Calls `emit` with each notice read, in order; `emit` returns false to stop reading (a reader
// of the output went away). Throws data_error ("binary", "too-long", or a reader's own kind)
// naming the input and, for text, its line; io_error when the stream fails.
void read_notices(std::istream& in, const NoticeReadOptions& options,
                  const std::function<bool(Notice&&)>& emit);

}  // namespace bcp
