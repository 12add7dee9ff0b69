#include "watch_tool.hpp"

#include <iostream>

#include <fmt/format.h>

#include "bcp/cli/tool.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/time.hpp"
#include "bcp/watch/source.hpp"
#include "bcp/store/store.hpp"
#include "bcp/watch/watch.hpp"

namespace bcp::watch_tool {

int run(const Options& o, std::ostream& out, std::ostream& err) {
    namespace t = bcp::tool;
    t::Reporter reporter("bcp-notice", err);
    reporter.set_json(o.errors_json);
    return t::guarded(reporter, [&]() -> int {
        std::vector<Source> sources;
        if (!o.sources_file.empty() || o.sources.empty()) {
            const std::filesystem::path file = o.sources_file.empty() ? default_sources_path() : std::filesystem::path(o.sources_file);
            std::error_code ec;
            if (!std::filesystem::exists(file, ec)) {
                throw usage_error(fmt::format("no sources file at {}: write one (bcp-sources(5)) or give --source "
                                              "KIND=URL",
                                              file.string()));
            }
            sources = load_sources(file);
        }
        for (const auto& arg : o.sources) sources.push_back(parse_source_arg(arg));
        WatchOptions wo;
        wo.cacert = o.cacert;
        wo.force = o.force;
        if (!o.reference_time.empty()) {
            const auto rt = parse_time(o.reference_time, "UTC");
            if (!rt) throw usage_error(fmt::format("--reference-time '{}' is not an RFC 3339 time", o.reference_time));
            wo.reference_time = *rt;
        }
        auto store = NoticeStore::open(store_path(o.store), true);
        const auto write = [&](std::string_view line) {
            if (o.format == "text") {
                out << change_text(parse_ordered_json(line)) << '\n';
            } else {
                out << line;
            }
            out.flush();
            if (!out) throw io_error("cannot write the changes to stdout");
        };
        const WatchReport r = run_watch(sources, store, wo, write);
        for (const auto& f : r.failures) {
            reporter.warning(fmt::format("source '{}' failed for now: {}", f.source, f.message));
        }
        if (!r.failures.empty()) return t::tempfail;
        return r.changes > 0 ? t::ok : t::no;
    });
}

}  // namespace bcp::watch_tool
