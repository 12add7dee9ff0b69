#include "notice_tool.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bcp/cli/tool.hpp"
#include "bcp/format/notice.hpp"
#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/file.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/time.hpp"
#include "bcp/notice/notice.hpp"
#include "bcp/notice/notice_link.hpp"
#include "bcp/notice/notice_read.hpp"
#include "bcp/notice/notice_record.hpp"
#include "bcp/registry/country.hpp"
#include "bcp/registry/knowledge.hpp"
#include "bcp/registry/systems.hpp"
#include "bcp/store/store.hpp"
#include "bcp/board/board.hpp"

namespace bcp::notice_tool {
namespace {

namespace t = bcp::tool;

std::string source_name(const t::Input& input) {
    return input.name() == "<stdin>" ? std::string() : input.name();
}

// The time of `active` and the board: now by default; a local time only with --tz (the same
// rule as bcp-mention --start, whose default zone is the rule's: active has no rule).
UtcTime active_time(const Options& o) { return resolve_instant(o.at, o.zone, "--at", "--tz"); }

ActiveQuery active_query(const Options& o) {
    ActiveQuery q;
    if (o.command != Command::active) return q;
    q.at = active_time(o);
    q.country = o.country;
    q.system = o.system;
    q.procedures = o.procedures;
    q.outages = o.outages;
    q.open_horizon = std::chrono::hours{o.open_horizon_hours};
    q.include_stale = o.include_stale;
    check_country_filter(o.country, "--country");
    if (!o.system.empty() && find_system(o.system) == nullptr) {
        throw usage_error(fmt::format("--system '{}' is not a known system id (see bcp-notice authorities)", o.system));
    }
    return q;
}

class Runner {
public:
    Runner(const Options& o, t::Output& out) : o_(o), out_(out), active_(active_query(o)) {
        if (!o.reference_time.empty()) {
            const auto r = parse_time(o.reference_time, "UTC");
            if (!r) throw usage_error(fmt::format("--reference-time '{}' is not an RFC 3339 time", o.reference_time));
            reference_ = *r;
        } else {
            reference_ = bcp::now();
        }
    }

    void file(t::Input& input) {
        NoticeReadOptions ro;
        if (o_.input != "auto") {
            ro.kind = parse_notice_input(o_.input);
            if (!ro.kind) throw usage_error(fmt::format("--input '{}' is not auto, text, email or statuspage", o_.input));
        }
        ro.max_line = o_.max_line;
        ro.max_line_as = "--max-line";
        ro.name = input.name();
        ro.notice.reference_time = reference_;
        ro.notice.file = source_name(input);
        read_notices(input.stream(), ro, [this](Notice&& n) {
            emit(std::move(n));
            return !out_.closed();
        });
    }

    // A notice read back from the watch's store; one not shown is linked, never printed (a
    // calendar still takes the final state it carries for a shown notice's call or window).
    void stored(Notice n, bool shown) {
        if (!shown && o_.format != "ics" && o_.command != Command::active) {
            (void)linker_.link(n);
            return;
        }
        emit(std::move(n));
    }

    [[nodiscard]] const ActiveQuery& query() const noexcept { return active_.query(); }

    int finish() {
        if (o_.command == Command::active) {
            for (const auto& n : active_.notices()) print(n);
            if (active_.notices().empty() && o_.format == "text") {
                fmt::format_to(std::back_inserter(out_.buffer()), "nothing in force at {}{}{}\n",
                               format_rfc3339(query().at),
                               o_.country.empty() ? "" : " in " + o_.country,
                               o_.system.empty() ? "" : " for " + o_.system);
            }
        }
        // DTSTAMP must be deterministic: the reference time, not the clock.
        if (o_.format == "ics") append_calendar(out_.buffer(), events_.events(), reference_);
        out_.close();
        if (o_.command == Command::active) return active_.notices().empty() ? t::no : t::ok;
        return t::ok;
    }

private:
    // Linking (bcp-notice(1), LINKING): this record carries the merged state; calendars and
    // active lists keep only the last record of each linked call or window.
    void emit(Notice n) {
        if (o_.command == Command::active) {
            active_.add(std::move(n));
        } else if (o_.format == "ics") {
            events_.add(std::move(n));
        } else {
            (void)linker_.link(n);
            print(n);
        }
    }

    void print(const Notice& n) {
        if (o_.format == "text") {
            append_notice_text(out_.buffer(), n);
            out_.maybe_flush();
        } else {
            append_json(out_.buffer(), n);
            out_.buffer().push_back('\n');
            out_.maybe_flush();
        }
    }

    const Options& o_;
    t::Output& out_;
    UtcTime reference_{};
    InForceSet active_;
    NoticeLinker linker_;
    EventSet events_;
};

// --from-store: the notices come from the watch's store (read-only; it must exist), as
// notice_from_record reads them back: for `active` those that may be in force at the time, with
// the notices linked with them; for `parse` those first seen or changed since --since (all
// without it), with the notices linked with them, linked but not printed.
void read_store(const Options& o, Runner& runner) {
    if (!o.files.empty()) throw usage_error("--from-store reads no files: give either FILE or --from-store");
    if (o.input != "auto" || !o.reference_time.empty()) {
        throw usage_error("--input and --reference-time apply to files, not to --from-store");
    }
    if (o.command == Command::active && !o.since.empty()) throw usage_error("--since goes with parse, not with active");
    std::optional<UtcTime> since;
    if (!o.since.empty()) {
        since = parse_absolute_time(o.since);
        if (!since) {
            throw usage_error(fmt::format("--since '{}' is not an RFC 3339 time with an offset "
                                          "(e.g. 2027-03-01T00:00:00Z)",
                                          o.since));
        }
    }
    StoreQuery q;
    if (o.command == Command::active) q.at = runner.query().at;
    q.horizon = runner.query().open_horizon;
    q.since = since;
    bcp::read_store(o.store, q, [&runner](Notice&& n, bool shown) { runner.stored(std::move(n), shown); });
}

}  // namespace

// The profiles in use, one a line.
int run_authorities(const Options& o, t::Output& output) {
    for (const auto& p : Knowledge::get().authorities()) {
        output.line(o.format == "text" ? to_text(p) : json_line(to_json(p)));
    }
    output.close();
    return t::ok;
}

// Every problem of the profiles and packs of a data directory; exit 1 when there is one.
int run_lint(const Options& o, t::Output& output) {
    if (o.files.size() > 1) throw usage_error("lint takes one data directory");
    const std::filesystem::path dir = o.files.empty() ? data_dir() : std::filesystem::path(o.files.front());
    const KnowledgeLint lint = lint_knowledge(dir);
    for (const auto& p : lint.problems) output.line(o.format == "text" ? to_text(p) : json_line(to_json(p)));
    if (o.format == "text") output.line(lint_summary_text(dir, lint));
    output.close();
    return lint.problems.empty() ? t::ok : t::no;
}

// The board: read from the store, and --out replaced whole (replace_file), so a web server or
// a browser never sees half a page.
int run_board(const Options& o) {
    BoardOptions bo;
    bo.at = active_time(o);
    bo.horizon = std::chrono::hours{o.open_horizon_hours};
    bo.days = o.days;
    replace_file(o.out, render_board(o.store, bo), 0644);
    return t::ok;
}

int run(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
    t::Reporter reporter("bcp-notice", err);
    reporter.set_json(options.errors_json);
    return t::guarded(reporter, [&] {
        t::Output output(out);
        const Options& o = options;
        if (o.command == Command::authorities) return run_authorities(o, output);
        if (o.command == Command::lint) return run_lint(o, output);
        if (o.command == Command::board) return run_board(o);
        if (o.command == Command::active && o.format == "ics") throw usage_error("active has no --format ics");
        Runner runner(o, output);
        if (o.from_store) {
            read_store(o, runner);
            return runner.finish();
        }
        if (!o.store.empty() || !o.since.empty()) throw usage_error("--store and --since go with --from-store");
        std::vector<std::string> files = o.files;
        if (files.empty()) files.emplace_back("-");
        for (const auto& name : files) {
            t::Input input(name, in);
            try {
                runner.file(input);
            } catch (const data_error& e) {
                // What was already written stays written (JSON Lines are complete records).
                (void)output.finish();
                throw;
            }
            if (output.closed()) break;
        }
        return runner.finish();
    });
}

}  // namespace bcp::notice_tool
