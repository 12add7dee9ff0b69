#include "bcp/watch/govuk.hpp"

#include <nlohmann/json.hpp>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/watch/feed.hpp"
#include "bcp/watch/source.hpp"

namespace bcp {
namespace {

using nlohmann::json;

std::string text_of(const json& o, const char* key) {
    if (!o.is_object()) return {};
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& member(const json& o, const char* key) {
    static const json none;
    if (!o.is_object()) return none;
    const auto it = o.find(key);
    return it == o.end() ? none : *it;
}

void add_paragraph(std::string& out, const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += s;
}

}  // namespace

std::string govuk_api_url(const std::string& url) {
    const std::string origin = url_origin(url);
    std::string path = url.substr(origin.size());
    if (path.rfind("/api/content/", 0) == 0 || path == "/api/content") return url;
    std::string out = origin;
    out.append("/api/content");
    out.append(path.empty() ? std::string_view("/") : std::string_view(path));
    return out;
}

GovukContent read_govuk(std::string_view text, const std::string& origin) {
    const json doc = parse_json_document(text);
    if (!doc.is_object() || (text_of(doc, "title").empty() && text_of(doc, "base_path").empty())) {
        throw data_error("json", "not a GOV.UK content item (no title and no base_path)");
    }
    GovukContent c;
    c.id = text_of(doc, "content_id");
    if (c.id.empty()) c.id = text_of(doc, "base_path");
    c.title = text_of(doc, "title");
    if (const std::string at = text_of(doc, "public_updated_at"); !at.empty()) c.published = parse_time(at, "UTC");
    add_paragraph(c.text, text_of(doc, "description"));
    const json& details = member(doc, "details");
    add_paragraph(c.text, html_text(text_of(details, "body")));
    if (const json& parts = member(details, "parts"); parts.is_array()) {
        for (const auto& p : parts) {
            add_paragraph(c.text, text_of(p, "title"));
            add_paragraph(c.text, html_text(text_of(p, "body")));
        }
    }
    if (const json& docs = member(member(doc, "links"), "documents"); docs.is_array()) {
        for (const auto& d : docs) {
            const std::string path = text_of(d, "api_path");
            if (path.empty() || path[0] != '/') continue;  // not a content item we can ask for
            std::string api_url = origin;
            api_url.append(path);
            c.documents.push_back({std::move(api_url), text_of(d, "title"), text_of(d, "public_updated_at")});
        }
    }
    return c;
}

}  // namespace bcp
