// What fetch.cpp and imap.cpp share of libcurl: one global initialisation, and a body kept in
// memory up to a bound (a longer one aborts the transfer: a failure, never a truncated text).
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <mutex>
#include <string>

namespace bcp::detail {

inline void curl_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BoundedBody {
    std::string* out;
    std::size_t max_bytes;
    bool too_big = false;
};

inline std::size_t on_bounded_body(char* data, std::size_t size, std::size_t n, void* p) {
    auto* b = static_cast<BoundedBody*>(p);
    const std::size_t bytes = size * n;
    if (b->out->size() + bytes > b->max_bytes) {
        b->too_big = true;
        return 0;  // aborts the transfer
    }
    b->out->append(data, bytes);
    return bytes;
}

}  // namespace bcp::detail
