// The places notices are published, as the user lists them in sources.toml (bcp-sources(5)):
// a kind, a URL or a path, the authority profile the source speaks for, and a minimum polling
// interval. Credentials are named, never written: a file or an environment variable holding
// them, read when the source is polled and never printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bcp {

// statuspage: an Atlassian Statuspage site (its /api/v2/incidents.json and
// /api/v2/scheduled-maintenances.json); rss, atom: a feed; govuk: a GOV.UK page or document
// collection through the Content API; html: a web page, or a listing page whose links to
// notices are read; imap: a mailbox on an IMAP server; maildir, mbox: a local mailbox.
enum class SourceKind : std::uint8_t { statuspage, rss, atom, govuk, html, imap, maildir, mbox };

[[nodiscard]] std::string_view to_string(SourceKind k) noexcept;
[[nodiscard]] std::optional<SourceKind> parse_source_kind(std::string_view s) noexcept;

struct Source {
    std::string id;         // unique in the file; the store keys everything by it
    SourceKind kind = SourceKind::rss;
    std::string location;   // http(s) URL, imap(s) URL for imap, or a path for maildir and mbox
    std::string authority;  // profile id (data/authorities), or empty: found from the text
    // Not polled again before this, whatever cron does: 15 min unless the file says (at least
    // 60 s); 0 for maildir and mbox, which are read on every run.
    std::chrono::seconds interval{900};
    // For html: which links of the page are notices ('*' for a run of one or more characters);
    // empty: the authority profile's [[links]]. A page is itself the notice when there are no
    // patterns or its own URL matches one; else it is a listing, and the pages it links to
    // that match are the notices.
    std::vector<std::string> links;
    std::chrono::seconds timeout{30};  // for one HTTP request, connecting included (1 to 300 s)
    std::string credentials_file;  // a file holding "user:password" (for the URL's user info)
    std::string credentials_env;   // or an environment variable holding it
    [[nodiscard]] bool is_local() const noexcept {
        return kind == SourceKind::maildir || kind == SourceKind::mbox;
    }
};

// Reads sources.toml. Throws usage_error (a configuration error: exit 2) with the file and
// the entry for an unknown kind, a missing location, a duplicate id, an interval under 60 s,
// credentials written inline, a URL that is not http or https for a fetched kind (imap or
// imaps for imap), an authority
// that is no profile of the data directory, links on a kind other than html.
[[nodiscard]] std::vector<Source> load_sources(const std::filesystem::path& file);

// "KIND=URL" from --source: the id is the URL itself, the interval the default.
[[nodiscard]] Source parse_source_arg(std::string_view arg);

// $XDG_CONFIG_HOME/bcpkit/sources.toml (or ~/.config/bcpkit/sources.toml).
[[nodiscard]] std::filesystem::path default_sources_path();

// "scheme://host:port" of a URL: everything before the path.
[[nodiscard]] std::string url_origin(const std::string& url);
// True for an http:// or https:// URL.
[[nodiscard]] bool is_http_url(std::string_view s) noexcept;

// True when `url` matches `pattern`, where '*' stands for a run of one or more characters.
[[nodiscard]] bool link_matches(std::string_view pattern, std::string_view url) noexcept;

// The URLs a Statuspage source is polled at: its incidents and its scheduled maintenances.
[[nodiscard]] std::vector<std::string> statuspage_urls(const Source& s);

}  // namespace bcp
