#include "bcp/watch/fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "bcp/core/text_fold.hpp"
#include "bcp/core/time.hpp"
#include "bcp/core/version.hpp"
#include "curl_body.hpp"

namespace bcp {
namespace {

struct Transfer {
    FetchResult* result;
    std::string retry_after, charset;
};

// Headers of the last response only (a redirect's headers are dropped at its status line).
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* p) {
    auto* t = static_cast<Transfer*>(p);
    const std::size_t bytes = size * n;
    const std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
        t->result->etag.clear();
        t->result->last_modified.clear();
        t->result->content_type.clear();
        t->retry_after.clear();
        t->charset.clear();
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return bytes;
    const std::string name = ascii_lower(trim_blanks(line.substr(0, colon)));
    const std::string_view value = trim_blanks(line.substr(colon + 1));
    if (name == "etag") {
        t->result->etag = std::string(value);
    } else if (name == "last-modified") {
        t->result->last_modified = std::string(value);
    } else if (name == "retry-after") {
        t->retry_after = std::string(value);
    } else if (name == "content-type") {
        const auto semi = value.find(';');
        t->result->content_type = ascii_lower(trim_blanks(value.substr(0, semi)));
        if (semi != std::string_view::npos) {
            const std::string params = ascii_lower(value.substr(semi));
            if (const auto cs = params.find("charset="); cs != std::string::npos) {
                std::string v = params.substr(cs + 8);
                if (const auto sc = v.find(';'); sc != std::string::npos) v.resize(sc);
                v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
                t->charset = std::string(trim_blanks(v));
            }
        }
    }
    return bytes;
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
    const double secs =
        parse_retry_after(trim_blanks(value), std::chrono::duration<double>(now.time_since_epoch()).count());
    if (secs < 0) return std::nullopt;
    constexpr double week = 7 * 24 * 3600;
    return std::chrono::seconds(static_cast<std::int64_t>(std::min(secs, week)));
}

FetchResult fetch(const FetchRequest& r) {
    detail::curl_init_once();
    FetchResult result;
    Transfer t{&result, {}, {}};
    detail::BoundedBody body{&result.body, r.max_bytes};
    // One handle per thread, reset for each request: its connection cache lets the requests of
    // one run to one server (a Statuspage's two files, sources on one host) share a connection.
    struct Handle {
        CURL* e = curl_easy_init();
        Handle() = default;
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
        ~Handle() { curl_easy_cleanup(e); }
    };
    static thread_local Handle handle;
    CURL* e = handle.e;
    if (e != nullptr) curl_easy_reset(e);
    if (e == nullptr) {
        result.error = "cannot start an HTTP transfer (out of memory)";
        return result;
    }
    curl_slist* headers = nullptr;
    if (!r.etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + r.etag).c_str());
    if (!r.last_modified.empty()) {
        headers = curl_slist_append(headers, ("If-Modified-Since: " + r.last_modified).c_str());
    }
    const std::string agent = fmt::format("bcp-notice-watch/{} (bcpkit)", version);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, r.max_redirects);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_bytes));
    curl_easy_setopt(e, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, detail::on_bounded_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!r.cacert.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, r.cacert.c_str());
    if (!r.userpwd.empty()) {
        curl_easy_setopt(e, CURLOPT_USERPWD, r.userpwd.c_str());
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC | CURLAUTH_DIGEST);
        curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);  // never to another host after a redirect
    }
    const CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &result.status);
    // The handle outlives this call: it must not keep pointers into this frame.
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    if (body.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        result.error = fmt::format("the body is longer than {} bytes", r.max_bytes);
        result.body.clear();
        return result;
    }
    if (rc == CURLE_TOO_MANY_REDIRECTS) {
        result.error = fmt::format("more than {} redirects", r.max_redirects);
        return result;
    }
    if (rc != CURLE_OK) {
        result.error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
        result.body.clear();
        return result;
    }
    if (result.status == 304) {
        result.not_modified = true;
        result.body.clear();
        return result;
    }
    if (result.status == 429 || result.status == 503) {
        result.retry_after = parse_retry_after(t.retry_after, std::chrono::system_clock::now());
    }
    if (result.status < 200 || result.status >= 300) {
        result.error = fmt::format("HTTP status {}", result.status);
        result.body.clear();
        return result;
    }
    result.charset = t.charset;
    return result;
}

}  // namespace bcp
