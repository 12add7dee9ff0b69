// Fuzz target: procedure rule files (TOML, schema of bcp-rules(5)) as a user writes them, and
// the mention templates inside them. lint_rule_file never throws for bad content.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "bcp/rules/rules.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = bcp::fuzz::setup() / "rules.toml";
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    std::vector<bcp::Procedure> procedures;
    const auto problems = bcp::lint_rule_file(path, &procedures);
    for (const auto& p : problems) (void)bcp::describe(p);
    if (!problems.empty() && !procedures.empty()) {
        bcp::fuzz::fail("procedures returned although the file has problems");
    }
    std::string problem;
    (void)bcp::compile_template(std::string_view(reinterpret_cast<const char*>(data), size),
                                &problem);
    return 0;
}
