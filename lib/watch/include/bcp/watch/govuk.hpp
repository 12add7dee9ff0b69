// GOV.UK pages read through the GOV.UK Content API: the page at https://www.gov.uk/<path> is
// served as JSON at https://www.gov.uk/api/content/<path> (GOV.UK, "Content API",
// https://content-api.publishing.service.gov.uk/, and the content schemas at
// https://docs.publishing.service.gov.uk/content-schemas/). A content item is one notice: its
// title, description and body (details.body, or the parts of a guide), its public_updated_at.
// A document collection (HMRC's "service availability and issues") lists its documents in
// links.documents, each with its api_path and public_updated_at: those are the notices.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bcp/core/time.hpp"

namespace bcp {

struct GovukDocument {
    std::string api_url;            // the document's api_path on the collection's host
    std::string title;
    std::string public_updated_at;  // as written: compared, not computed with
};

struct GovukContent {
    std::string id;     // content_id, else base_path
    std::string title;
    std::string text;   // the description and the body as text
    std::optional<UtcTime> published;     // public_updated_at
    std::vector<GovukDocument> documents;  // a collection's documents, in the collection's order
};

// `origin`: scheme and host the item was fetched from ("https://www.gov.uk"), which the
// documents' api_path are taken against. Throws data_error("json", ...) for text that is not
// JSON or not a content item (no title and no base_path).
[[nodiscard]] GovukContent read_govuk(std::string_view json, const std::string& origin);

// The Content API address of a GOV.UK page: https://HOST/PATH becomes
// https://HOST/api/content/PATH; an address already under /api/content/ is kept.
[[nodiscard]] std::string govuk_api_url(const std::string& url);

}  // namespace bcp
