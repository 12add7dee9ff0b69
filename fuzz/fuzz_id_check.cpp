// Fuzz target: JSON Lines declarations (or bare references, one per line) into bcp-id check,
// through the tool's run() as the command line calls it. The first byte chooses the options.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "id_tool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bcp::fuzz::setup();
    if (size == 0) return 0;
    const unsigned mode = data[0];
    bcp::id_tool::Options o;
    o.command = bcp::id_tool::Command::check;
    if (mode & 1u) o.fields = {"/lrn", "/mrn", "/declarant/eori"};
    o.skip_invalid = (mode & 2u) != 0;
    o.duplicates = (mode & 4u) != 0;
    o.normalize = (mode & 8u) != 0;
    o.allow_missing = (mode & 16u) != 0;
    o.invalid_only = (mode & 32u) != 0;
    o.errors_json = (mode & 64u) != 0;
    const bool text = (mode & 128u) != 0;
    if (text) o.format = "text";
    (void)bcp::fuzz::run_tool(bcp::id_tool::run, o, data, size, !text);
    return 0;
}
