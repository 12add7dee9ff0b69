// Fuzz target: JSON Lines declarations into bcp-replay enqueue on a scratch SQLite queue, then
// list: whatever enqueue accepted is stored and listed back as JSON.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "replay_tool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& dir = bcp::fuzz::setup();
    if (size == 0) return 0;
    const unsigned mode = data[0];
    // A fresh queue now and then keeps runs fast without reopening it for every input.
    static unsigned runs = 0;
    const auto queue = dir / "queue.db";
    if (runs++ % 256 == 0) {
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(queue.string() + suffix);
        }
    }
    bcp::replay_tool::Options o;
    o.command = bcp::replay_tool::Command::enqueue;
    o.queue = queue.string();
    o.no_annotate = (mode & 1u) != 0;
    if ((mode & 2u) != 0) {
        o.country = "BE";
        o.system = "AES";
        o.call = "N04853";
        o.start = "2025-11-27T11:00";
    }
    if ((mode & 4u) != 0) o.key = "/declaration/lrn";
    o.errors_json = (mode & 8u) != 0;
    o.state = (dir / "sequence").string();
    (void)bcp::fuzz::run_tool(bcp::replay_tool::run, o, data, size);

    bcp::replay_tool::Options l;
    l.command = bcp::replay_tool::Command::list;
    l.queue = queue.string();
    l.bodies = true;
    std::istringstream none;
    std::ostringstream listed, lerr;
    const int lstatus = bcp::replay_tool::run(l, none, listed, lerr);
    if (lstatus != 0 && lstatus != 1) bcp::fuzz::fail("list failed after enqueue");
    bcp::fuzz::expect_json_lines(listed.str());
    return 0;
}
