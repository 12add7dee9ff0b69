// HTTP sink over libcurl's multi interface: many requests in flight on kept-alive connections.
//
// libcurl re-sends a request by itself when a reused connection turns out dead, even one whose
// request may already have reached the server. That would break never-twice, so the body goes
// through a read callback and the seek callback refuses to rewind: such a retry then fails with
// CURLE_SEND_FAIL_REWIND, which we report as `unknown` instead of sending a second time.
#include <curl/curl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/replay/http_response.hpp"
#include "bcp/replay/sink.hpp"

namespace bcp {
namespace {

struct Transfer {
    std::int64_t id = 0;
    std::string body;
    std::size_t offset = 0;
    std::string response;
    std::string retry_after;
    std::size_t max_response = 0;
    bool truncated = false;
    curl_slist* headers = nullptr;
    CURL* easy = nullptr;
    int local_port = 0;  // of the connection the request went out on; 0 before it had one
};

// Called once the connection of a transfer is ready, before any byte of the request is
// written: remembers which connection (by its local port) the request uses.
int note_connection(void* user, char*, char*, int, int local_port) {
    static_cast<Transfer*>(user)->local_port = local_port;
    return CURL_PREREQFUNC_OK;
}

std::size_t read_body(char* buffer, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t room = size * n;
    const std::size_t take = std::min(room, t->body.size() - t->offset);
    std::copy_n(t->body.data() + t->offset, take, buffer);
    t->offset += take;
    return take;
}

int refuse_seek(void*, curl_off_t, int) { return CURL_SEEKFUNC_CANTSEEK; }

std::size_t write_response(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t len = size * n;
    const std::size_t room = t->max_response - std::min(t->max_response, t->response.size());
    t->response.append(data, std::min(len, room));
    if (len > room) t->truncated = true;
    return len;
}

std::size_t read_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t len = size * n;
    const std::string_view line(data, len);
    if (const auto value = retry_after_header(line)) t->retry_after = std::string(*value);
    // A new response (after a 1xx) starts over.
    if (line.rfind("HTTP/", 0) == 0) t->retry_after.clear();
    return len;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the peer's TCP acknowledged on each connection libcurl closed, by local port: a
// connection reset before the receiver's kernel acknowledged one byte of the request (a full
// listen queue drops the handshake's last ACK, then resets) did not deliver it, whatever
// libcurl had written into the local socket buffer.
struct ClosedConnections {
    std::unordered_map<int, std::uint64_t> acked;  // local port -> data bytes acknowledged
};

int close_socket(void* user, curl_socket_t fd) {
    auto* closed = static_cast<ClosedConnections*>(user);
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    tcp_info info{};
    socklen_t info_len = sizeof info;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
        addr.ss_family == AF_INET &&
        ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) == 0 &&
        info_len >= offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked) {
        const int port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
        closed->acked[port] = info.tcpi_bytes_acked;
    } else if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
               addr.ss_family == AF_INET6 &&
               ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) == 0 &&
               info_len >= offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked) {
        const int port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
        closed->acked[port] = info.tcpi_bytes_acked;
    }
    return ::close(fd);
}

class HttpSink final : public Sink {
public:
    explicit HttpSink(HttpOptions o) : o_(std::move(o)) {
        global_init();
        multi_ = curl_multi_init();
        if (multi_ == nullptr) throw io_error("cannot initialise libcurl");
        for (const auto& h : o_.headers) base_headers_.push_back(h);
        base_headers_.emplace_back("Content-Type: application/json");
        base_headers_.emplace_back("Expect:");  // no 100-continue round trip
    }
    HttpSink(const HttpSink&) = delete;
    HttpSink& operator=(const HttpSink&) = delete;

    ~HttpSink() override {
        for (auto& [easy, t] : active_) {
            curl_multi_remove_handle(multi_, easy);
            release(*t);
        }
        for (auto* e : idle_) curl_easy_cleanup(e);
        curl_multi_cleanup(multi_);
    }

    void start(const Message& m, std::string body) override {
        auto t = std::make_unique<Transfer>();
        t->id = m.id;
        t->body = std::move(body);
        t->max_response = o_.max_response;
        CURL* e = nullptr;
        if (!idle_.empty()) {
            e = idle_.back();
            idle_.pop_back();
        } else {
            e = new_handle();
        }
        t->easy = e;
        for (const auto& h : base_headers_) t->headers = curl_slist_append(t->headers, h.c_str());
        const auto key = "Idempotency-Key: " + m.key;
        t->headers = curl_slist_append(t->headers, key.c_str());
        // Only what changes per request; the rest was set once on the handle.
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
        curl_easy_setopt(e, CURLOPT_READDATA, t.get());
        curl_easy_setopt(e, CURLOPT_SEEKDATA, t.get());
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
        curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
        curl_easy_setopt(e, CURLOPT_PREREQDATA, t.get());
        if (curl_multi_add_handle(multi_, e) != CURLM_OK) {
            release(*t);
            throw io_error("libcurl refused a transfer");
        }
        active_.emplace_back(e, std::move(t));
        // Written by the next poll(): one pass over the transfers for a whole batch of starts,
        // not one per start (libcurl walks every transfer on each perform; unthrottled with
        // 64 in flight that was a fifth of the runner's CPU).
    }

    void write() override {
        int running = 0;
        curl_multi_perform(multi_, &running);
    }

    std::vector<SinkResult> poll(std::chrono::milliseconds timeout) override {
        std::vector<SinkResult> done;
        int running = 0;
        curl_multi_perform(multi_, &running);
        collect(done);
        if (done.empty() && !active_.empty()) {
            int fds = 0;
            curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout.count()), &fds);
            curl_multi_perform(multi_, &running);
            collect(done);
        }
        return done;
    }

    std::size_t in_flight() const override { return active_.size(); }

private:
    // A handle with every option that is the same for all requests.
    CURL* new_handle() {
        CURL* e = curl_easy_init();
        if (e == nullptr) throw io_error("cannot create a libcurl handle");
        curl_easy_setopt(e, CURLOPT_URL, o_.url.c_str());
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, refuse_seek);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_response);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, read_header);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o_.timeout.count()));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.connect_timeout.count()));
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o_.insecure ? 0L : 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o_.insecure ? 0L : 2L);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "bcp-replay (bcpkit)");
        curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, note_connection);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
        curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, &closed_);
        return e;
    }

    void release(Transfer& t) {
        curl_slist_free_all(t.headers);
        t.headers = nullptr;
        if (t.easy != nullptr) idle_.push_back(t.easy);
        t.easy = nullptr;
    }

    void collect(std::vector<SinkResult>& done) {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* e = msg->easy_handle;
            curl_multi_remove_handle(multi_, e);
            const auto it = std::find_if(active_.begin(), active_.end(),
                                         [e](const auto& p) { return p.first == e; });
            if (it == active_.end()) continue;
            auto t = std::move(it->second);
            active_.erase(it);
            done.push_back(classify(*t, msg->data.result));
            release(*t);
        }
    }

    SinkResult classify(Transfer& t, CURLcode code) {
        SinkResult r;
        r.id = t.id;
        if (code == CURLE_OK) {
            long status = 0;
            curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
            r = classify_http_response(status, std::move(t.response), t.truncated, t.retry_after,
                                       unix_now());
            r.id = t.id;
            return r;
        }
        // Whether any byte of the request was written: libcurl reports the bytes of the
        // request it wrote (CURLINFO_REQUEST_SIZE, reset per transfer) and whether the
        // transfer phase was reached at all (CURLINFO_PRETRANSFER_TIME_T, 0 while connecting,
        // resolving or in the TLS handshake). When nothing was written the outcome is known:
        // not delivered.
        curl_off_t pretransfer_us = 0;
        long request_bytes = 0;
        curl_easy_getinfo(t.easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
        curl_easy_getinfo(t.easy, CURLINFO_REQUEST_SIZE, &request_bytes);
        bool nothing_written = pretransfer_us <= 0 || request_bytes <= 0;
        // Written into the socket, but the connection closed before the peer's TCP
        // acknowledged a byte of it (the one of the SYN aside): it never reached the receiver.
        if (t.local_port != 0) {
            if (const auto it = closed_.acked.find(t.local_port); it != closed_.acked.end()) {
                nothing_written = nothing_written || it->second <= 1;
                closed_.acked.erase(it);
            }
        }
        r.response = fmt::format("{} (libcurl error {})", curl_easy_strerror(code),
                                 static_cast<int>(code));
        if (code == CURLE_SEND_FAIL_REWIND) {
            // libcurl wanted to send again on a fresh connection after the request went out
            // on a reused one that died: the first may have arrived.
            r.state = MessageState::unknown;
            return r;
        }
        if (nothing_written) {
            // Connect refused or timed out, DNS failure, TLS handshake failure, a reset before
            // the request was written: nothing of it left this machine.
            r.state = MessageState::queued;
            r.push_back = true;
            r.not_sent = true;
            r.response += "; nothing of the request was sent";
            return r;
        }
        // The connection was lost or reset, or the time ran out, after (part of) the request
        // went out: it may have arrived.
        r.state = MessageState::unknown;
        return r;
    }

    HttpOptions o_;
    CURLM* multi_ = nullptr;
    std::vector<std::string> base_headers_;
    std::vector<std::pair<CURL*, std::unique_ptr<Transfer>>> active_;
    std::vector<CURL*> idle_;
    ClosedConnections closed_;  // filled by close_socket, also while ~HttpSink cleans up multi_
};

}  // namespace


std::unique_ptr<Sink> make_http_sink(HttpOptions options) {
    if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
        throw usage_error(fmt::format("sink '{}' is not an http:// or https:// URL", options.url));
    }
    return std::make_unique<HttpSink>(std::move(options));
}

}  // namespace bcp
