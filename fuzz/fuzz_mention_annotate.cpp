// Fuzz target: JSON Lines declarations into bcp-mention annotate under a Belgian AES procedure
// (mentions, codes, generated references from the durable sequence), through run().
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "mention_tool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& dir = bcp::fuzz::setup();
    if (size == 0) return 0;
    const unsigned mode = data[0];
    bcp::mention_tool::Options o;
    o.command = bcp::mention_tool::Command::annotate;
    // AES requires an individual reference per declaration (generated when absent); IDMS a
    // pair of codes; EMCS a plain mention: three shapes of the per-declaration work.
    static const char* const systems[] = {"AES", "IDMS", "EMCS", "NCTS"};
    o.country = "BE";
    o.system = systems[mode & 3u];
    o.call = "N04853";
    o.start = "2025-11-27T11:00";
    o.skip_invalid = (mode & 4u) != 0;
    o.checklist = (mode & 8u) != 0;
    o.sources = (mode & 16u) != 0;
    o.errors_json = (mode & 32u) != 0;
    o.state = (dir / "sequence").string();
    (void)bcp::fuzz::run_tool(bcp::mention_tool::run, o, data, size);
    return 0;
}
