#include "bcp/watch/source.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"

namespace bcp {
namespace {

constexpr std::array<std::pair<SourceKind, std::string_view>, 8> kinds{{
    {SourceKind::statuspage, "statuspage"},
    {SourceKind::rss, "rss"},
    {SourceKind::atom, "atom"},
    {SourceKind::govuk, "govuk"},
    {SourceKind::html, "html"},
    {SourceKind::imap, "imap"},
    {SourceKind::maildir, "maildir"},
    {SourceKind::mbox, "mbox"},
}};

const std::string kinds_list = "statuspage, rss, atom, govuk, html, imap, maildir, mbox";

std::chrono::seconds parse_interval(const toml::node& n, const std::string& where) {
    std::int64_t secs = -1;
    if (const auto* i = n.as_integer()) {
        secs = i->get();
    } else if (const auto* s = n.as_string()) {
        const std::string& t = s->get();
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        const std::string_view unit(p, static_cast<std::size_t>(t.data() + t.size() - p));
        if (ec == std::errc() && v >= 0) {
            if (unit == "s" || unit.empty()) secs = v;
            else if (unit == "m" || unit == "min") secs = v * 60;
            else if (unit == "h") secs = v * 3600;
        }
    }
    if (secs < 0) throw usage_error(fmt::format("{}: interval must be seconds or a text like \"15m\", \"2h\"", where));
    if (secs < 60) throw usage_error(fmt::format("{}: an interval under 60 s is not polite to a publisher", where));
    return std::chrono::seconds(secs);
}

void check_location(const Source& s, const std::string& where) {
    if (s.location.empty()) {
        throw usage_error(fmt::format("{}: {} needs {}", where, to_string(s.kind), s.is_local() ? "path" : "url"));
    }
    if (s.kind == SourceKind::imap) {
        if (s.location.rfind("imaps://", 0) != 0 && s.location.rfind("imap://", 0) != 0) {
            throw usage_error(fmt::format("{}: url '{}' is not an imaps or imap URL", where, s.location));
        }
    } else if (!s.is_local() && !is_http_url(s.location)) {
        throw usage_error(fmt::format("{}: url '{}' is not an http or https URL", where, s.location));
    }
}

SourceKind kind_or_throw(std::string_view name, const std::string& where) {
    if (const auto k = parse_source_kind(name)) return *k;
    throw usage_error(fmt::format("{}: unknown kind '{}' (kinds: {})", where, name, kinds_list));
}

std::chrono::seconds parse_timeout(const toml::node& n, const std::string& where) {
    const auto* i = n.as_integer();
    if (i == nullptr || i->get() < 1 || i->get() > 300) {
        throw usage_error(fmt::format("{}: timeout must be a number of seconds from 1 to 300", where));
    }
    return std::chrono::seconds(i->get());
}

std::vector<std::string> parse_links(const toml::node& n, const std::string& where) {
    std::vector<std::string> out;
    const auto* arr = n.as_array();
    if (arr != nullptr) {
        for (const auto& e : *arr) {
            const auto* v = e.as_string();
            if (v == nullptr || !is_http_url(v->get())) {
                out.clear();
                break;
            }
            out.push_back(v->get());
        }
    }
    if (out.empty()) throw usage_error(fmt::format("{}: links must be a list of http or https URL patterns", where));
    return out;
}

// A profile is the file authorities/<id>.toml of the data directory (bcp-notice lint holds
// the id to the file name): asking for the file keeps a run of unchanged sources from loading
// every profile and pack.
void check_authority(const Source& s, const std::string& where) {
    if (s.authority.empty()) return;
    const bool plain = std::all_of(s.authority.begin(), s.authority.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
    std::error_code ec;
    if (!plain || !std::filesystem::is_regular_file(data_dir() / "authorities" / (s.authority + ".toml"), ec)) {
        throw usage_error(fmt::format("{}: authority '{}' is not a profile of the data directory (bcp-notice "
                                      "authorities lists them)",
                                      where, s.authority));
    }
}

}  // namespace

std::string_view to_string(SourceKind k) noexcept {
    for (const auto& [kind, name] : kinds) {
        if (kind == k) return name;
    }
    return "rss";
}

std::optional<SourceKind> parse_source_kind(std::string_view s) noexcept {
    for (const auto& [kind, name] : kinds) {
        if (name == s) return kind;
    }
    return std::nullopt;
}

std::string url_origin(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    const auto path = url.find('/', scheme + 3);
    return path == std::string::npos ? url : url.substr(0, path);
}

bool is_http_url(std::string_view s) noexcept { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

bool link_matches(std::string_view pattern, std::string_view url) noexcept {
    // A glob with one backtrack point, the last '*' seen; a '*' takes at least one character,
    // so a listing at ".../status-berichten/" is not one of its own notices ".../status-berichten/*".
    std::size_t p = 0, u = 0, star = std::string_view::npos, mark = 0;
    while (u < url.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = ++u;
        } else if (p < pattern.size() && pattern[p] == url[u]) {
            ++p;
            ++u;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            u = ++mark;
        } else {
            return false;
        }
    }
    return p == pattern.size();
}

std::vector<Source> load_sources(const std::filesystem::path& file) {
    toml::table doc;
    try {
        doc = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw usage_error(fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
    }
    std::vector<Source> out;
    std::set<std::string> ids;
    const auto* list = doc["source"].as_array();
    if (list == nullptr || list->empty()) {
        throw usage_error(fmt::format("{}: no [[source]] entries", file.string()));
    }
    std::size_t n = 0;
    for (const auto& node : *list) {
        ++n;
        const auto* t = node.as_table();
        std::string where = fmt::format("{}: source {}", file.string(), n);
        if (t == nullptr) throw usage_error(where + ": not a table");
        for (const auto& [key, value] : *t) {
            static const std::set<std::string_view> known{"id", "kind", "url", "path", "authority", "interval",
                                                           "credentials_file", "credentials_env", "links", "timeout", "note"};
            if (known.count(key.str()) == 0) {
                if (key.str() == "password" || key.str() == "user" || key.str() == "token") {
                    throw usage_error(fmt::format("{}: credentials are never written in the sources file; name a "
                                                  "credentials_file or credentials_env instead",
                                                  where));
                }
                throw usage_error(fmt::format("{}: unknown key '{}'", where, key.str()));
            }
        }
        Source s;
        s.id = t->get("id") != nullptr ? t->get("id")->value_or(std::string()) : std::string();
        if (s.id.empty()) throw usage_error(where + ": needs an id");
        where = fmt::format("{}: source '{}'", file.string(), s.id);
        if (!ids.insert(s.id).second) throw usage_error(where + ": the id is used twice");
        const std::string kind = (*t)["kind"].value_or(std::string());
        if (kind.empty()) throw usage_error(fmt::format("{}: needs a kind ({})", where, kinds_list));
        s.kind = kind_or_throw(kind, where);
        s.location = (*t)[s.is_local() ? "path" : "url"].value_or(std::string());
        if (s.is_local() && s.location.rfind("~/", 0) == 0) {
            const char* home = std::getenv("HOME");
            if (home == nullptr || *home == '\0') throw usage_error(where + ": '~' in path, and HOME is not set");
            s.location = std::string(home) + s.location.substr(1);
        }
        check_location(s, where);
        if (!s.is_local()) {
            // The authority part, "user:password@host:port", between "://" and the path.
            const std::string origin = url_origin(s.location);
            const std::string_view authority = std::string_view(origin).substr(origin.find("://") + 3);
            const auto at = authority.rfind('@');
            if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
                throw usage_error(where + ": a password in the URL would be printed and logged; use credentials_file "
                                          "or credentials_env");
            }
        }
        if (s.is_local()) s.interval = std::chrono::seconds(0);  // reading a local file asks no publisher
        s.authority = (*t)["authority"].value_or(std::string());
        check_authority(s, where);
        if (const auto* iv = t->get("interval")) s.interval = parse_interval(*iv, where);
        if (const auto* to = t->get("timeout")) s.timeout = parse_timeout(*to, where);
        if (const auto* l = t->get("links")) {
            if (s.kind != SourceKind::html) throw usage_error(where + ": links are read only for kind html");
            s.links = parse_links(*l, where);
        }
        s.credentials_file = (*t)["credentials_file"].value_or(std::string());
        s.credentials_env = (*t)["credentials_env"].value_or(std::string());
        out.push_back(std::move(s));
    }
    return out;
}

Source parse_source_arg(std::string_view arg) {
    const auto eq = arg.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == arg.size()) {
        throw usage_error(fmt::format("--source '{}': expected KIND=URL or KIND=PATH (kinds: {})", arg, kinds_list));
    }
    Source s;
    const std::string where = fmt::format("--source '{}'", arg);
    s.kind = kind_or_throw(arg.substr(0, eq), where);
    s.location = std::string(arg.substr(eq + 1));
    s.id = s.location;
    if (s.is_local()) s.interval = std::chrono::seconds(0);
    check_location(s, where);
    return s;
}

std::filesystem::path default_sources_path() { return config_dir() / "sources.toml"; }

std::vector<std::string> statuspage_urls(const Source& s) {
    std::string base = s.location;
    // A site's root or its API root, with or without the trailing slash.
    for (const std::string_view suffix : {"/api/v2/", "/api/v2", "/"}) {
        if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
            base.resize(base.size() - suffix.size());
            break;
        }
    }
    if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) return {s.location};
    return {base + "/api/v2/incidents.json", base + "/api/v2/scheduled-maintenances.json"};
}

}  // namespace bcp
