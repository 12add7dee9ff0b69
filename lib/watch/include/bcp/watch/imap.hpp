// A mailbox read over IMAP with libcurl: the messages after the last UID seen, by UID, over TLS
// (imaps://, or imap:// with STARTTLS required), verified like HTTP. Nothing is deleted, moved
// or expunged. libcurl reads a message with UID FETCH BODY[] (its URLs have no BODY.PEEK), so
// the server marks what was read \Seen: give the watch a folder of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bcp {

struct ImapRequest {
    std::string url;      // imaps://host[:port]/MAILBOX (INBOX when no mailbox is given)
    std::string userpwd;  // "user:password"
    std::string cacert;   // a CA bundle to verify against instead of the system's
    std::chrono::milliseconds timeout{30000};  // for each command
    // Where the last poll stopped: the mailbox's UIDVALIDITY then (empty: never read) and the
    // highest UID read. A different UIDVALIDITY means the UIDs were given anew: read from 1.
    std::string uidvalidity;
    std::uint64_t last_uid = 0;
    std::size_t max_messages = 200;     // the oldest unread first; the rest on the next poll
    std::size_t max_bytes = 10u << 20;  // per message
};

struct ImapMessage {
    std::uint64_t uid = 0;
    std::string text;  // the whole message (RFC 5322)
};

struct ImapResult {
    std::string uidvalidity;
    std::uint64_t last_uid = 0;  // the highest UID read, for the next request
    std::vector<ImapMessage> messages;
    std::string error;  // for a person; empty on success
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Never throws for what the network or the server does: those are in ImapResult::error.
[[nodiscard]] ImapResult imap_poll(const ImapRequest& request);

// The mailbox of an imap(s) URL, percent-decoded ("INBOX" when the path is empty), and the URL
// without its path.
struct ImapUrl {
    std::string server;   // "imaps://host:port"
    std::string mailbox;  // decoded
    std::string path;     // as written (encoded), without the leading '/'
};
[[nodiscard]] ImapUrl parse_imap_url(const std::string& url);

}  // namespace bcp
