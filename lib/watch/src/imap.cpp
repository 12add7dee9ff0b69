#include "bcp/watch/imap.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "bcp/core/text_fold.hpp"
#include "bcp/watch/source.hpp"
#include "curl_body.hpp"

namespace bcp {
namespace {

// One handle for one poll: libcurl keeps the connection and its login between the commands.
class Session {
public:
    explicit Session(const ImapRequest& r) : r_(r), e_(curl_easy_init()) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        if (e_ != nullptr) curl_easy_cleanup(e_);
    }

    // Runs `command` (a custom request, its untagged answers in the body) or fetches the URL;
    // false with `error` set when it fails.
    bool run(const std::string& url, const std::string& command, std::string& out, std::string& error) {
        if (e_ == nullptr) {
            error = "cannot start an IMAP transfer (out of memory)";
            return false;
        }
        out.clear();
        detail::BoundedBody body{&out, r_.max_bytes};
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(e_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(e_, CURLOPT_PROTOCOLS_STR, "imap,imaps");
        curl_easy_setopt(e_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));  // imap://: STARTTLS or nothing
        curl_easy_setopt(e_, CURLOPT_CUSTOMREQUEST, command.empty() ? nullptr : command.c_str());
        curl_easy_setopt(e_, CURLOPT_TIMEOUT_MS, static_cast<long>(r_.timeout.count()));
        curl_easy_setopt(e_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(r_.timeout.count(), 10000)));
        curl_easy_setopt(e_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e_, CURLOPT_WRITEFUNCTION, detail::on_bounded_body);
        curl_easy_setopt(e_, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(e_, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(e_, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(e_, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!r_.cacert.empty()) curl_easy_setopt(e_, CURLOPT_CAINFO, r_.cacert.c_str());
        if (!r_.userpwd.empty()) curl_easy_setopt(e_, CURLOPT_USERPWD, r_.userpwd.c_str());
        const CURLcode rc = curl_easy_perform(e_);
        curl_easy_setopt(e_, CURLOPT_ERRORBUFFER, nullptr);
        curl_easy_setopt(e_, CURLOPT_CUSTOMREQUEST, nullptr);
        if (body.too_big) {
            error = fmt::format("a message is longer than {} bytes", r_.max_bytes);
            return false;
        }
        if (rc != CURLE_OK) {
            error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
            return false;
        }
        return true;
    }

private:
    const ImapRequest& r_;
    CURL* e_;
};

// The number after `key` in an untagged answer ("UIDVALIDITY 1796299255"), or nothing.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view key) {
    for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
        const bool word_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == '(';
        std::size_t p = at + key.size();
        if (!word_start || p >= text.size() || text[p] != ' ') continue;
        ++p;
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data() + p, text.data() + text.size(), v);
        if (ec == std::errc() && end != text.data() + p) return v;
    }
    return std::nullopt;
}

// An IMAP quoted string (RFC 3501): backslash and quote escaped.
std::string imap_quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace

ImapUrl parse_imap_url(const std::string& url) {
    ImapUrl u;
    u.server = url_origin(url);
    u.path = u.server.size() < url.size() ? url.substr(u.server.size() + 1) : std::string();
    while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
    if (u.path.empty()) u.path = "INBOX";
    // Percent-decoding by hand: the mailbox is used in a command, never as a file name.
    for (std::size_t i = 0; i < u.path.size(); ++i) {
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
        if (u.path[i] == '%' && i + 2 < u.path.size() && hex(u.path[i + 1]) >= 0 && hex(u.path[i + 2]) >= 0) {
            u.mailbox += static_cast<char>(hex(u.path[i + 1]) * 16 + hex(u.path[i + 2]));
            i += 2;
        } else {
            u.mailbox += u.path[i];
        }
    }
    return u;
}

ImapResult imap_poll(const ImapRequest& r) {
    detail::curl_init_once();
    ImapResult result;
    result.uidvalidity = r.uidvalidity;
    result.last_uid = r.last_uid;
    const ImapUrl u = parse_imap_url(r.url);
    Session s(r);
    std::string out;
    // One STATUS says whether anything arrived since the last poll.
    if (!s.run(u.server + "/", "STATUS " + imap_quoted(u.mailbox) + " (UIDVALIDITY UIDNEXT)", out, result.error)) {
        return result;
    }
    const auto validity = number_after(out, "UIDVALIDITY");
    const auto next = number_after(out, "UIDNEXT");
    if (!validity || !next) {
        result.error = fmt::format("the server did not give the mailbox's UIDVALIDITY and UIDNEXT ({})",
                                   std::string(trim_blanks(out.substr(0, 200))));
        return result;
    }
    const std::string v = std::to_string(*validity);
    std::uint64_t last = r.uidvalidity == v ? r.last_uid : 0;
    result.uidvalidity = v;
    result.last_uid = last;
    if (*next <= last + 1) return result;  // nothing new
    if (!s.run(u.server + "/" + u.path, fmt::format("UID SEARCH UID {}:*", last + 1), out, result.error)) return result;
    std::vector<std::uint64_t> uids;
    for (std::size_t at = out.find("* SEARCH"); at != std::string::npos; at = out.find("* SEARCH", at + 1)) {
        std::size_t p = at + 8;
        const std::size_t eol = std::min(out.find('\n', p), out.size());
        while (p < eol) {
            while (p < eol && out[p] == ' ') ++p;
            std::uint64_t uid = 0;
            const auto [end, ec] = std::from_chars(out.data() + p, out.data() + eol, uid);
            if (ec != std::errc() || end == out.data() + p) break;
            // "N:*" includes the highest UID even when it is below N (RFC 3501 6.4.8).
            if (uid > last) uids.push_back(uid);
            p = static_cast<std::size_t>(end - out.data());
        }
    }
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    if (uids.size() > r.max_messages) uids.resize(r.max_messages);
    for (const auto uid : uids) {
        ImapMessage m;
        m.uid = uid;
        // UIDVALIDITY in the URL: if the UIDs were given anew meanwhile, the fetch fails instead of
        // reading another message under this UID.
        if (!s.run(fmt::format("{}/{};UIDVALIDITY={}/;UID={}", u.server, u.path, v, uid), {}, m.text, result.error)) {
            result.messages.clear();
            result.last_uid = last;
            return result;
        }
        result.messages.push_back(std::move(m));
        result.last_uid = uid;
    }
    return result;
}

}  // namespace bcp
