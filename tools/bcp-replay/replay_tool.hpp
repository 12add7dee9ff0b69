// bcp-replay: a durable queue of buffered declarations and their rate-limited, never-twice
// replay. main.cpp fills Options; run() works on the given streams so tests call it directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace bcp::replay_tool {

enum class Command { enqueue, run, status, list, resolve, migrate, copy };

struct Options {
    Command command = Command::status;
    std::string queue;  // empty: the default queue file; a path or a postgresql:// URL
    std::string format = "jsonl";
    bool errors_json = false;

    // enqueue
    std::string key = "/lrn";
    std::string prepared = "/prepared_at";
    std::string country, system;
    std::string rule, call, start, end, zone, events;  // the procedure, to annotate
    std::string state, prefix;                         // generated references
    bool no_annotate = false;
    std::string map;  // field map file (--map), empty: data/maps/declaration.json
    std::vector<std::string> files;

    // run
    std::string sink;
    std::string rate;  // a number > 0 or "unlimited"; empty: the rule's cap, else 10/s
    bool force_rate = false;
    std::uint32_t burst = 1;
    std::size_t concurrency = 0;
    double max_seconds = 0;
    int retry_max = 5;
    bool resend_unknown = false;
    bool with_annotation = false;  // send the "bcp" annotation inside the body (--with-annotation)
    bool wait = false;
    bool dry_run = false;
    bool insecure = false;
    double timeout = 30;
    double lease = 10;  // PostgreSQL: seconds a runner lives without a heartbeat
    std::vector<std::string> headers;       // "Name: value" (not for secrets)
    std::vector<std::string> header_files;  // files of "Name: value" lines
    std::vector<std::string> header_envs;   // "Name=VARIABLE"
    const std::atomic<bool>* interrupt = nullptr;

    // list / resolve
    std::string state_filter;
    bool bodies = false;
    bool annotations = false;  // list: show each message's annotation
    std::string resolve_key, resolve_as, note;
    bool resolve_all = false;   // every message in resolve_from (unknown by default)
    std::string resolve_from;   // with resolve_all: unknown, held or rejected

    // copy
    std::string copy_from, copy_to;
};

[[nodiscard]] int run(const Options& options, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace bcp::replay_tool
