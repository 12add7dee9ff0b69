#include "bcp/watch/feed.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/notice/notice_email.hpp"
#include "bcp/watch/source.hpp"

namespace bcp {
namespace {

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

// Element names without their namespace prefix ("atom:link" is "link").
bool is(const xmlNode* n, const char* name) {
    return n != nullptr && n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::string content(const xmlNode* n) {
    xmlChar* c = xmlNodeGetContent(n);
    std::string out = c != nullptr ? reinterpret_cast<const char*>(c) : "";
    xmlFree(c);
    return std::string(trim_blanks(out));
}

std::string attribute(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    std::string out = v != nullptr ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return out;
}

const xmlNode* child(const xmlNode* n, const char* name) {
    for (const xmlNode* c = n != nullptr ? n->children : nullptr; c != nullptr; c = c->next) {
        if (is(c, name)) return c;
    }
    return nullptr;
}

// Feed text is often HTML escaped into the element (RSS description): read as HTML when it
// has markup, else as it is.
std::string item_text(const std::string& s) {
    if (s.find('<') != std::string::npos) return html_text(s);
    return s;
}

std::optional<UtcTime> feed_time(const std::string& s) {
    if (s.empty()) return std::nullopt;
    // RFC 822 dates (RSS) and RFC 3339 (Atom).
    if (auto t = parse_time(s, "UTC")) return t;
    return parse_email_date(s);
}

void add_rss_items(const xmlNode* channel, std::vector<FeedItem>& out) {
    for (const xmlNode* c = channel->children; c != nullptr; c = c->next) {
        if (!is(c, "item")) continue;
        FeedItem it;
        it.title = content(child(c, "title"));
        it.link = content(child(c, "link"));
        it.id = content(child(c, "guid"));
        if (it.id.empty()) it.id = it.link;
        const xmlNode* body = child(c, "encoded");  // content:encoded, the full text
        if (body == nullptr) body = child(c, "description");
        it.text = item_text(content(body));
        it.published = feed_time(content(child(c, "pubDate")));
        if (!it.published) it.published = feed_time(content(child(c, "date")));  // dc:date
        out.push_back(std::move(it));
    }
}

void add_atom_entries(const xmlNode* feed, std::vector<FeedItem>& out) {
    for (const xmlNode* c = feed->children; c != nullptr; c = c->next) {
        if (!is(c, "entry")) continue;
        FeedItem it;
        it.title = item_text(content(child(c, "title")));
        it.id = content(child(c, "id"));
        for (const xmlNode* l = c->children; l != nullptr; l = l->next) {
            if (is(l, "link") && (attribute(l, "rel").empty() || attribute(l, "rel") == "alternate")) {
                it.link = attribute(l, "href");
                break;
            }
        }
        if (it.id.empty()) it.id = it.link;
        const xmlNode* body = child(c, "content");
        if (body == nullptr) body = child(c, "summary");
        it.text = item_text(content(body));
        it.published = feed_time(content(child(c, "updated")));
        if (!it.published) it.published = feed_time(content(child(c, "published")));
        out.push_back(std::move(it));
    }
}

bool one_of(const char* name, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (std::strcmp(name, n) == 0) return true;
    }
    return false;
}

// Paragraphs are set apart by a blank line, lines (list items, rows, breaks) by a newline.
bool paragraph_element(const char* name) {
    return one_of(name, {"p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                         "header", "footer", "blockquote", "pre", "hr", "dl", "main", "nav", "aside", "form"});
}

bool line_element(const char* name) { return one_of(name, {"br", "li", "tr", "dt", "dd", "title", "caption"}); }

// The text of `n` and its siblings, leaving out the elements named in `skip` (and scripts,
// styles, templates).
void collect_text(const xmlNode* n, std::string& out, std::initializer_list<const char*> skip = {}) {
    for (; n != nullptr; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != nullptr) out += reinterpret_cast<const char*>(n->content);
        } else if (n->type == XML_ELEMENT_NODE) {
            const char* name = reinterpret_cast<const char*>(n->name);
            if (std::strcmp(name, "script") == 0 || std::strcmp(name, "style") == 0 ||
                std::strcmp(name, "noscript") == 0 || std::strcmp(name, "template") == 0 || one_of(name, skip)) {
                continue;
            }
            const bool paragraph = paragraph_element(name);
            if (paragraph) out += "\n\n";
            else if (line_element(name)) out += '\n';
            collect_text(n->children, out, skip);
            if (paragraph) out += "\n\n";
            if (std::strcmp(name, "td") == 0 || std::strcmp(name, "th") == 0) out += ' ';
        }
    }
}

// Blank runs inside a line to one space, blank lines to one, ends trimmed.
std::string tidy(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    int newlines = 0;
    bool space = false;
    for (const char ch : s) {
        if (ch == '\n') {
            ++newlines;
            space = false;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            space = true;
            continue;
        }
        if (!out.empty()) {
            if (newlines > 0) out += newlines > 1 ? "\n\n" : "\n";
            else if (space) out += ' ';
        }
        newlines = 0;
        space = false;
        out += ch;
    }
    // Non-breaking spaces from &nbsp; stay as they are: they are text.
    return out;
}

// The encoding to read a page in. A body that is valid UTF-8 and not plain ASCII is UTF-8
// whatever a Latin label says (a server's default header over a UTF-8 page; Latin-1 text with
// accents is almost never valid UTF-8). With no label, a page that is not UTF-8 is left to
// libxml2: its <meta charset>, else its ISO-8859-1 fallback, never U+FFFD for every accent.
const char* html_encoding(std::string_view html, const std::string& charset) {
    const bool utf8 = valid_utf8(html);
    const bool ascii = std::all_of(html.begin(), html.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (charset.empty()) return utf8 ? "UTF-8" : nullptr;
    const std::string label = ascii_lower(charset);
    const bool latin = label == "iso-8859-1" || label == "latin1" || label == "iso-8859-15" || label == "windows-1252" ||
                       label == "cp1252" || label == "us-ascii";
    if (latin && utf8 && !ascii) return "UTF-8";
    return charset.c_str();
}

Doc parse_html(std::string_view html, const std::string& charset) {
    const int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                        HTML_PARSE_NOBLANKS;
    return Doc(htmlReadMemory(html.data(), static_cast<int>(html.size()), "page.html", html_encoding(html, charset),
                              options));
}

// The first element, depth first, for which `pred` holds.
template <class Pred>
const xmlNode* find_element(const xmlNode* n, const Pred& pred) {
    for (; n != nullptr; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (pred(n)) return n;
        if (const xmlNode* f = find_element(n->children, pred)) return f;
    }
    return nullptr;
}

const xmlNode* find_named(const xmlNode* root, const char* name) {
    return find_element(root, [&](const xmlNode* n) { return is(n, name); });
}

std::string resolve(const std::string& href, const std::string& base) {
    xmlChar* u = xmlBuildURI(reinterpret_cast<const xmlChar*>(href.c_str()), reinterpret_cast<const xmlChar*>(base.c_str()));
    std::string out = u != nullptr ? reinterpret_cast<const char*>(u) : "";
    xmlFree(u);
    if (const auto hash = out.find('#'); hash != std::string::npos) out.resize(hash);
    return out;
}

}  // namespace

std::vector<FeedItem> read_feed(std::string_view xml, const std::string& charset) {
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "feed.xml",
                          charset.empty() ? nullptr : charset.c_str(), options));
    if (!doc) {
        const xmlError* e = xmlGetLastError();
        throw data_error("xml", fmt::format("not well-formed XML{}{}", e != nullptr && e->message != nullptr ? ": " : "",
                                            e != nullptr && e->message != nullptr
                                                ? std::string(trim_blanks(e->message))
                                                : std::string()),
                         {}, e != nullptr ? static_cast<std::size_t>(e->line) : 0);
    }
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    std::vector<FeedItem> out;
    if (is(root, "rss")) {
        if (const xmlNode* channel = child(root, "channel")) add_rss_items(channel, out);
    } else if (is(root, "RDF")) {  // RSS 1.0: items beside the channel
        add_rss_items(root, out);
    } else if (is(root, "feed")) {
        add_atom_entries(root, out);
    } else {
        throw data_error("xml", fmt::format("not an RSS or Atom feed (root element <{}>)",
                                            root != nullptr ? reinterpret_cast<const char*>(root->name) : ""));
    }
    return out;
}

std::string html_text(std::string_view html, const std::string& charset) {
    const Doc doc = parse_html(html, charset);
    if (!doc) return {};
    std::string out;
    collect_text(xmlDocGetRootElement(doc.get()), out);
    return tidy(out);
}

HtmlPage read_html_page(std::string_view html, const std::string& base_url, const std::string& charset) {
    HtmlPage page;
    const Doc doc = parse_html(html, charset);
    if (!doc) return page;
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    std::string base = base_url;
    if (const xmlNode* b = find_named(root, "base"); b != nullptr && !attribute(b, "href").empty()) {
        base = resolve(attribute(b, "href"), base_url);
    }
    const xmlNode* main = find_named(root, "main");
    if (main == nullptr) main = find_named(root, "article");
    if (main == nullptr) main = find_element(root, [](const xmlNode* n) { return attribute(n, "role") == "main"; });
    std::string text;
    if (main != nullptr) {
        collect_text(main->children, text, {"nav", "aside"});
    } else if (const xmlNode* body = find_named(root, "body")) {
        collect_text(body->children, text, {"nav", "header", "footer", "aside"});
    } else {
        collect_text(root, text);
    }
    page.text = tidy(text);
    if (const xmlNode* h1 = find_named(main != nullptr ? main->children : root, "h1")) {
        std::string t;
        collect_text(h1->children, t);
        page.title = tidy(t);
    }
    if (page.title.empty()) {
        if (const xmlNode* t = find_named(root, "title")) page.title = tidy(content(t));
    }
    for (const char* key : {"article:modified_time", "article:published_time", "dcterms.modified", "DC.date"}) {
        const xmlNode* m = find_element(root, [&](const xmlNode* n) {
            return is(n, "meta") && (attribute(n, "property") == key || attribute(n, "name") == key);
        });
        if (m != nullptr) page.published = parse_time(attribute(m, "content"), "UTC");
        if (page.published) break;
    }
    if (!page.published) {
        if (const xmlNode* t = find_named(main != nullptr ? main->children : root, "time")) {
            page.published = parse_time(attribute(t, "datetime"), "UTC");
        }
    }
    std::set<std::string> seen;
    (void)find_element(root, [&](const xmlNode* a) {
        if (!is(a, "a")) return false;
        const std::string href = attribute(a, "href");
        if (href.empty()) return false;
        std::string url = resolve(href, base);
        if (is_http_url(url) && seen.insert(url).second) {
            std::string t;
            collect_text(a->children, t);
            page.links.push_back({std::move(url), tidy(t)});
        }
        return false;  // every anchor, in document order
    });
    return page;
}

}  // namespace bcp
