// Where replayed messages go: an HTTP(S) gateway (libcurl multi, keep-alive, many requests in
// flight), a program run per message (argv, no shell), or a stream of JSON Lines.
//
// A sink turns each attempt into an outcome with the delivery semantics of bcp-replay(1):
// what certainly arrived (accepted / rejected), what certainly did not (retry later), and what
// may have arrived (unknown: never re-sent automatically).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bcp/core/time.hpp"
#include "bcp/replay/queue.hpp"

namespace bcp {

struct SinkResult {
    std::int64_t id = 0;
    MessageState state = MessageState::unknown;  // accepted, rejected, unknown, or queued (retry)
    std::optional<int> status;                   // HTTP status or exit status
    std::string response;                        // body / stdout, or what went wrong
    bool push_back = false;                      // the gateway asked us to slow down (429/503)
    double retry_after = -1;                     // seconds the gateway asked us to wait, if any
    bool not_sent = false;  // no byte of the request reached the receiver (state queued)
};

class Sink {
public:
    virtual ~Sink() = default;
    // Starts sending one message (already claimed). `body` is what goes out. A sink may
    // leave the first write to the next poll(): callers start a batch, then poll at once.
    virtual void start(const Message& message, std::string body) = 0;
    // Waits up to `timeout` for attempts to finish and returns those that did.
    [[nodiscard]] virtual std::vector<SinkResult> poll(std::chrono::milliseconds timeout) = 0;
    // Writes what start() left for the next poll, without waiting for anything: the replay
    // loop calls it after a batch of starts and counts the sends as started when it returns,
    // so the rate cap holds on the time requests leave, not on when they were scheduled.
    virtual void write() {}
    [[nodiscard]] virtual std::size_t in_flight() const = 0;
};

struct HttpOptions {
    std::string url;
    std::vector<std::string> headers;  // "Name: value"; secrets come from files or the environment
    std::chrono::milliseconds timeout{30000};
    std::chrono::milliseconds connect_timeout{10000};
    bool insecure = false;  // skip TLS verification (never by default)
    std::size_t max_response = 64 * 1024;
};

// parse_retry_after(value, now_unix): bcp/core/time.hpp.

[[nodiscard]] std::unique_ptr<Sink> make_http_sink(HttpOptions options);

struct ExecOptions {
    std::vector<std::string> argv;  // program and arguments, no shell
    std::size_t concurrency = 1;
    std::chrono::milliseconds timeout{60000};  // a program running longer is killed: unknown
    std::size_t max_output = 64 * 1024;
};
// Splits "prog arg 'quoted arg'" into argv (single and double quotes, backslash escapes; no
// expansion of any kind). Throws bcp::usage_error for an unterminated quote or an empty command.
[[nodiscard]] std::vector<std::string> split_command(std::string_view command);
[[nodiscard]] std::unique_ptr<Sink> make_exec_sink(ExecOptions options);

// Writes each message as one JSON line to `out` and reports it accepted.
[[nodiscard]] std::unique_ptr<Sink> make_stream_sink(std::ostream& out);

// A sink as a user names it: "http://..." or "https://..." (HTTP POST through libcurl),
// "exec:COMMAND" (a program per message, no shell) or "stdout".
enum class SinkKind : std::uint8_t { http, exec, stream };
struct SinkSpec {
    std::string spec;
    std::vector<std::string> headers;  // HTTP only
    bool insecure = false;             // HTTP only
    std::chrono::milliseconds timeout{30000};
    std::size_t concurrency = 0;       // 0: the default for the kind and rate
};
// Throws usage_error for anything else, naming the forms understood (a scheme the tool does not
// know is never taken for something else).
[[nodiscard]] SinkKind sink_kind(std::string_view spec);
// Requests in flight at most: as asked, else one program at a time for exec, else
// default_concurrency(rate) (replay.hpp).
[[nodiscard]] std::size_t sink_concurrency(SinkKind kind, std::size_t asked, double rate);
// The headers of an HTTP sink from where a user gives them: as given, from files of
// "Name: value" lines (blank lines and '#' comments skipped), and as NAME=VARIABLE taken from
// the environment (a secret is never on the command line). `given_as` and `from_env_as` name
// the first and the third in messages (the tool says its flags). Throws usage_error for a line
// that is not "Name: value", never echoing the value (it may be a secret), and io_error for a
// file that cannot be read; `warn` hears of a file other users may read.
struct HeaderSources {
    std::vector<std::string> given;
    std::string given_as = "the arguments";
    std::vector<std::string> files;
    std::vector<std::string> from_env;
    std::string from_env_as = "headers from the environment";
};
[[nodiscard]] std::vector<std::string> collect_headers(
    const HeaderSources& sources, const std::function<void(const std::string&)>& warn);

// The sink `spec` names; `stream` is where "stdout" writes.
[[nodiscard]] std::unique_ptr<Sink> make_sink(const SinkSpec& spec, double rate, std::ostream& stream);

}  // namespace bcp
