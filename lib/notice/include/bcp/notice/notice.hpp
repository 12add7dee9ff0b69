// Customs outage and maintenance notices turned into structured events: which system and
// country, from when to when in UTC, which emergency procedure (call number, mention, codes),
// whether the fallback procedure is allowed and whether customs buffers messages. Input is
// free text in any language that has a pack in the data directory (knowledge.hpp): a single
// notice, or a whole status-page history split entry by entry, each entry keeping its status
// updates. What the stages know of authorities, systems and languages is data, never code. E-mail and
// Statuspage JSON readers (notice_email.hpp, notice_statuspage.hpp) feed the same parser.
//
// The library neither prints nor exits; to_json() gives the record that bcp-notice prints
// (schema: data/schema/notice.schema.json).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bcp/core/time.hpp"
#include "bcp/notice/notice_date.hpp"

namespace bcp {

struct NoticeUpdate {
    std::string status;  // "Scheduled", "In progress", "Resolved", ... or empty
    std::optional<UtcTime> at;
    std::string text;
    bool disregarded = false;  // a later update said "Please disregard the previous message"
};

// What became of one of a notice's windows: still to hold (or held), replaced by a later
// update that moved or prolonged it, or called off with the notice.
enum class WindowStatus : std::uint8_t { scheduled, superseded, cancelled };

struct NoticeWindow {
    std::optional<UtcTime> start, end;
    std::string zone;  // the zone label or IANA zone the times were read in; "status updates"
    std::string text;  // the text the window came from
    // In Notice::windows only: the systems named beside it (else the notice's), its status.
    std::vector<std::string> systems;
    WindowStatus status = WindowStatus::scheduled;
};

// An emergency procedure a notice announces. Field names are shared with bcp-mention
// (--procedure FILE): keep them.
struct NoticeProcedure {
    std::string system;  // id from data/systems.tsv, or empty
    std::string call;    // "N04853", or empty when the procedure has no call number
    std::optional<UtcTime> start, end;
    std::string mention;  // "N04853-D:20251127-T110000" as the notice gives it, validated
    std::vector<std::string> codes;  // "1NPS", "2NPS", ...
    // Whether the notice's own text gave the start or the end (not borrowed from its window):
    // linking (notice_link.hpp) moves only what a notice did not state itself.
    bool start_stated = false, end_stated = false;
};

// What a notice says of the fallback procedure and of buffering; unknown when it says
// nothing (written as null).
enum class Fallback : std::uint8_t { unknown, allowed, advised_only, not_allowed };
enum class Buffering : std::uint8_t { unknown, customs_buffers, declarant_may_buffer, rejected };
// How another notice relates to this one (NoticeLink).
enum class LinkRelation : std::uint8_t { earlier, later, disregarded, disregarding };
// "allowed", "advised-only", "not-allowed"; "customs-buffers", "declarant-may-buffer",
// "rejected"; "earlier", "later", "disregarded", "disregarding". Empty for unknown.
[[nodiscard]] std::string_view to_string(Fallback f) noexcept;
[[nodiscard]] std::string_view to_string(Buffering b) noexcept;
[[nodiscard]] std::string_view to_string(LinkRelation r) noexcept;
[[nodiscard]] std::string_view to_string(WindowStatus s) noexcept;

// Another notice of the same run about the same procedure or window (notice_link.hpp).
struct NoticeLink {
    std::string id;        // the other notice's id
    std::string call;      // the shared call number, or empty for a shared window
    // What the other notice is to this one: "earlier" or "later" (posting time, else input
    // order), "disregarded" (an earlier notice this one voids with "disregard the previous
    // message") or "disregarding" (a later notice that voids this one).
    LinkRelation relation = LinkRelation::earlier;
};

// The parts of an EU ICS2 notification subject (fi-1, "What does the subject line of the
// notification mean?").
struct Ics2Subject {
    std::string kind;  // "unavailability" or "activation"
    std::optional<bool> scheduled;
    bool update = false;
    std::string component;  // "ICS2 Common and or ICS2 National component", "TAPAS", ...
    std::string country;    // when the unavailability concerns one country
    std::optional<UtcTime> registered;  // time of registration (CET)
    std::optional<UtcTime> estimated_end;
};

struct Notice {
    std::string id;
    std::string file;  // empty for stdin
    std::size_t entry = 0;  // 0-based index of the entry in its input
    std::size_t line = 0;   // first line of the entry
    std::string title;
    std::string language;  // "en", "fr", "nl", "de"
    std::optional<UtcTime> posted_at;
    std::vector<NoticeUpdate> updates;  // oldest first
    std::string status;                 // of the latest update
    std::optional<bool> planned;
    bool cancelled = false;
    std::string country;  // ISO alpha-2, empty for the vendor's own platform or unknown
    std::string authority;  // the id of the publishing authority's profile, or empty
    std::vector<std::string> systems;
    std::vector<std::string> processes;
    // The notice's window: the range its latest update gives, else its stated start and end.
    NoticeWindow window;
    // Every window the notice gives, by start: per-system sections, the days of a schedule, a
    // window and the one it was moved to. `window` is among them when it has a start.
    std::vector<NoticeWindow> windows;
    std::vector<NoticeProcedure> procedures;
    Fallback fallback = Fallback::unknown;
    Buffering buffering = Buffering::unknown;
    std::vector<std::string> tickets;
    bool relevant = true;
    std::vector<NoticeWarning> warnings;
    std::optional<Ics2Subject> ics2;
    std::vector<NoticeLink> links;  // filled by NoticeLinker; printed only when not empty
    // For linking: the window's start was read from the text (not from status updates), and
    // the oldest update says "disregard the previous message" (about an earlier notice).
    bool window_stated = false;
    bool disregards_previous = false;
    // Why each field has its value: (field, evidence), e.g. ("country", "sender domain
    // toldst.dk"). Printed as the object `evidence`.
    std::vector<std::pair<std::string, std::string>> evidence;
};

// Options shared by every reader.
struct NoticeOptions {
    // Anchors dates written without a year when the notice gives no posting date.
    UtcTime reference_time{};
    std::string file;  // for source.file
};

// A notice as read before interpretation: optional title, updates in the order they appear
// (newest first on a status page), a posting time text and the date of the day header.
struct RawUpdate {
    std::string status;
    std::string text;
    std::string stamp;           // the timestamp line as written
    std::optional<UtcTime> at;   // when the reader knows it exactly (JSON, e-mail Date)
    std::optional<FoundTime> stamp_time;  // parse_stamp_line(stamp), when the splitter did it
};
struct RawNotice {
    std::string title;
    std::vector<RawUpdate> updates;  // as written (newest first for status-page entries)
    std::string posted;              // "Posted on Nov 21, 2025 - 14:41 CET" text, or empty
    std::optional<WrittenDate> day;  // the status page's day header above the entry
    std::size_t line = 0;
    bool newest_first = true;
    std::optional<Ics2Subject> ics2;
    std::optional<UtcTime> posted_at;                   // exact posting time, when known
    std::optional<UtcTime> window_start, window_end;    // Statuspage scheduled_for/_until
    std::string context;  // names that help find country and systems (Statuspage components)
    std::string sender;   // the e-mail's From address ("helpdesk@minfin.fed.be"), or empty
    // The authority profile the place it was read from speaks for (a watch source's
    // `authority`), or empty. The weakest evidence of all: it gives the country and authority
    // only when the notice itself tells neither and names no country it is ambiguous about.
    std::string source_authority;
    // The publisher's own id of the notice, stable across its updates: a Statuspage incident
    // id, an e-mail Message-ID, a feed item's guid. Empty when the input has none.
    std::string source_id;
};

// Interprets one raw notice (dates, calls, systems, country, linking of its updates).
[[nodiscard]] Notice interpret_notice(const RawNotice& raw, std::size_t entry,
                                      const NoticeOptions& options);

// Splits plain text into notices as it streams: a status-page history (day headers, "Status -
// text" updates, timestamp lines, "Posted on" lines) becomes one notice per entry; text with
// none of that structure is one notice. Memory is bounded by the largest entry.
class NoticeSplitter {
public:
    using Sink = std::function<void(RawNotice&&)>;
    explicit NoticeSplitter(Sink sink) : sink_(std::move(sink)) {}
    void line(std::string_view text, std::size_t number);
    void finish();
    // Bytes held for the entry being read (callers bound it).
    [[nodiscard]] std::size_t pending_bytes() const noexcept { return pending_; }

private:
    enum class Mode { start, entries, about, upcoming_title, upcoming_body };
    void flush();
    void begin_update(std::string status, std::string_view rest, std::size_t number);
    void add_text(std::string_view text);

    Sink sink_;
    Mode mode_ = Mode::start;
    bool structured_ = false;
    RawNotice current_;
    std::vector<std::string> plain_;  // lines before any structure
    std::size_t plain_line_ = 0;
    std::optional<WrittenDate> day_;
    bool in_update_ = false;  // text lines go to the last update until its timestamp
    std::size_t pending_ = 0;
};

// The status words of a status page (Statuspage's incident and maintenance states).
[[nodiscard]] bool is_update_status(std::string_view word) noexcept;

// The country an e-mail sender's address shows, or empty: a customs authority's own domain
// (minfin.fed.be, douane.gouv.fr, belastingdienst.nl, tulli.fi, toll.no, hmrc.gov.uk, zoll.de
// and their subdomains) when `authority_only`, else also the country-code top-level domain of
// any sender (".be" -> BE, ".uk" -> GB). Used by interpret_notice, see bcp-notice(1), COUNTRY.
[[nodiscard]] std::string sender_country(std::string_view address, bool authority_only);

// Parses a whole text as one notice (no splitting).
[[nodiscard]] Notice parse_notice_text(std::string_view text, const NoticeOptions& options);

// The record bcp-notice prints, appended to `out` as one line of compact JSON (no newline).
// Written directly rather than through a JSON tree: it runs once per notice on 50 MB inputs.
// Bytes that are not UTF-8 become U+FFFD, so the line is always valid JSON.
void append_json(std::string& out, const Notice& notice);

// The same record as a JSON value (parsed back from append_json, so the two cannot differ).
[[nodiscard]] nlohmann::ordered_json to_json(const Notice& notice);

// Windows of a notice that a calendar or an "active at" question cares about: its window and
// each procedure's period, cancelled notices excluded.
struct NoticeEvent {
    std::string uid;
    std::string summary;
    std::string system;
    std::string call;
    UtcTime start{};
    std::optional<UtcTime> end;
    std::string country;           // the notice's, or empty
    std::optional<bool> planned;   // the notice's: a planned window, an unplanned one, unknown
    std::string title;             // the notice's title
};
[[nodiscard]] std::vector<NoticeEvent> notice_events(const Notice& notice);

// What `bcp-notice active` asks of each notice.
struct ActiveQuery {
    UtcTime at{};
    std::string country, system;  // empty: any
    bool procedures = false;      // emergency procedures only (with outages: either)
    bool outages = false;         // windows of unavailability only, planned or not
    // A window or procedure with a start and no end is in force until a later notice of the
    // same run ends it (the linker drops it then), or for this long after the notice's last
    // word (its latest update, posting time or the start), then no longer.
    std::chrono::hours open_horizon{72};
    bool include_stale = false;  // use windows the parser flagged stale-date
};

// The notice's last word: its latest dated update, else its posting time (none when neither
// is dated). An open window stays in force for the horizon after it (notice_in_force).
[[nodiscard]] std::optional<UtcTime> notice_last_word(const Notice& notice);

// Whether the notice (or one of its procedures) is in force for the query. An open-ended
// window counted in force adds the warning `open-window` to the notice, with the horizon.
// `open_until`, when given, is set to the end of the horizon when what is in force has no end.
[[nodiscard]] bool notice_in_force(Notice& notice, const ActiveQuery& query,
                                   std::optional<UtcTime>* open_until = nullptr);

// notice_in_force with only a time and the country and system filters, without warnings.
[[nodiscard]] bool notice_active_at(const Notice& notice, UtcTime t, std::string_view country,
                                    std::string_view system);

// What an input holds, from its first bytes: Statuspage JSON (an object or array), an e-mail
// (an RFC 5322 header block), or text (a web page's text, a status-page history).
enum class NoticeInput : std::uint8_t { text, email, statuspage };
[[nodiscard]] NoticeInput detect_notice_input(std::string_view head) noexcept;
[[nodiscard]] std::string_view notice_input_name(NoticeInput kind) noexcept;  // text, email, statuspage
// The kind a name gives (the names notice_input_name gives); nothing for another name.
[[nodiscard]] std::optional<NoticeInput> parse_notice_input(std::string_view name) noexcept;

}  // namespace bcp
