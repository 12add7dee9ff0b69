// A durable counter file from which generated references take their unique part. Two operators,
// two cron runs or a run killed midway never receive the same number: a reservation is locked
// (flock on a side file), written to a temporary file, fsynced and renamed into place before any
// number is handed out. A crash can skip numbers; it never repeats one.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace bcp {

class SequenceFile {
public:
    // The file is created on first reservation (mode 0600, its directory 0700).
    explicit SequenceFile(std::filesystem::path path,
                          std::chrono::milliseconds lock_wait = std::chrono::seconds(10));

    // Reserves `count` consecutive numbers of the counter `key`, the first being at least 1,
    // none above `max`. Returns the first. Throws bcp::busy_error when another process holds
    // the lock longer than the wait, bcp::data_error when the file is corrupt or the counter
    // would pass `max`, bcp::io_error on system errors.
    [[nodiscard]] std::uint64_t reserve(std::string_view key, std::uint64_t count,
                                        std::uint64_t max);

    // The next number `key` would receive (1 for a new key), read without locking.
    [[nodiscard]] std::uint64_t peek(std::string_view key) const;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    // The default file: state_dir() / "sequence".
    [[nodiscard]] static std::filesystem::path default_path();

private:
    std::filesystem::path path_;
    std::chrono::milliseconds lock_wait_;
};

}  // namespace bcp
