// RSS 2.0 and Atom feeds read with libxml2 (no network access, no external entities), and the
// text of an HTML fragment or page through libxml2's HTML parser. Nothing here reads markup
// with patterns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/core/time.hpp"

namespace bcp {

struct FeedItem {
    std::string id;     // guid or Atom id; else the link; else empty
    std::string title;
    std::string link;
    std::string text;   // description, summary or content, as text
    std::optional<UtcTime> published;  // pubDate, updated or published
};

// `charset`: the one the HTTP headers named, which overrides the XML declaration; empty to let
// the document say (UTF-8 when it does not). Throws data_error("xml", ...) when the text is
// not well-formed XML or not a feed.
[[nodiscard]] std::vector<FeedItem> read_feed(std::string_view xml, const std::string& charset = {});

// The text a reader sees in HTML: block elements and <br> as line breaks, scripts and styles
// dropped, entities decoded, blank runs collapsed.
// `charset`: the one the HTTP headers named. A body that is valid UTF-8 with non-ASCII bytes is
// read as UTF-8 even under a Latin label; with no label, UTF-8 when valid, else the page's
// <meta charset>, else ISO-8859-1.
[[nodiscard]] std::string html_text(std::string_view html, const std::string& charset = {});

struct HtmlLink {
    std::string url;   // absolute (resolved against the page and its <base href>), no fragment
    std::string text;  // the anchor's text
};

// A web page as a notice: what a reader sees of its main content and where it links.
struct HtmlPage {
    std::string title;  // the first <h1> of the main content, else <title>
    // The text of <main>, else the first <article>, else the element with role="main", else
    // <body> without its <nav>, <header>, <footer> and <aside>.
    std::string text;
    std::optional<UtcTime> published;  // article:modified_time, article:published_time,
                                       // dcterms.modified or DC.date meta, else <time datetime>
    std::vector<HtmlLink> links;       // every <a href> to http or https, in page order, once
};
// `base_url`: the URL the page was fetched from. Never throws: markup is read leniently, as a
// browser does.
[[nodiscard]] HtmlPage read_html_page(std::string_view html, const std::string& base_url,
                                      const std::string& charset = {});

}  // namespace bcp
