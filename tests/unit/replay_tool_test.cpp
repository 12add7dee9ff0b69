// Tests of bcp-replay's run(): the tool's behaviour on streams and a real SQLite queue file,
// without a process in between (the sink is standard output).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "replay_tool.hpp"
#include "tool_run.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace replay_tool_test {

using bcp::replay_tool::Command;
using bcp::replay_tool::Options;
using nlohmann::json;

namespace {

using Result = bcp::test::RunResult;

Result run(const Options& o, const std::string& input = {}) {
    return bcp::test::run_tool(bcp::replay_tool::run, o, input);
}

}  // namespace

TEST_CASE("run(): enqueue, a second enqueue of the same key, run to stdout, status") {
    bcp::test::TempDir dir;
    Options o;
    o.queue = (dir.path / "q.db").string();
    o.command = Command::enqueue;
    o.country = "NL";
    o.system = "DMS";
    o.no_annotate = true;
    auto r = run(o, "{\"lrn\":\"A\"}\n{\"lrn\":\"B\"}\n");
    CHECK(r.status == 0);
    CHECK(r.out.find("\"result\":\"enqueued\"") != std::string::npos);
    r = run(o, "{\"lrn\":\"A\"}\n");
    CHECK(r.out.find("\"result\":\"duplicate\"") != std::string::npos);

    Options send;
    send.queue = o.queue;
    send.command = Command::run;
    send.sink = "stdout";
    send.rate = "unlimited";
    r = run(send);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"lrn\":\"A\"}\n{\"lrn\":\"B\"}\n");  // the bodies, each once, in order
    r = run(send);
    CHECK(r.status == 1);  // nothing left to send: never twice
    CHECK(r.out.empty());

    Options status;
    status.queue = o.queue;
    status.command = Command::status;
    r = run(status);
    CHECK(r.status == 0);
    CHECK(json::parse(r.out)["counts"]["accepted"] == 2);
}

TEST_CASE("run(): a URL of another scheme is a usage error, and nothing is created") {
    bcp::test::TempDir dir;
    Options o;
    o.command = Command::enqueue;
    o.queue = "postgresq://user@db.example/bcp";
    const auto r = run(o);
    CHECK(r.status == 2);
    CHECK(r.err.find("scheme 'postgresq'") != std::string::npos);
    CHECK(!std::filesystem::exists("postgresq:"));
}

TEST_CASE("run(): a PostgreSQL URL holding a password is refused before any connection") {
    Options o;
    o.command = Command::status;
    o.queue = "postgresql://user:s3cret@db.example/bcp";
    const auto r = run(o);
    CHECK(r.status == 2);
    CHECK(r.err.find("s3cret") == std::string::npos);
    CHECK(r.err.find("PGPASSFILE") != std::string::npos);
}

}  // namespace replay_tool_test
