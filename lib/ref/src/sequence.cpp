#include "bcp/ref/sequence.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/file.hpp"

namespace bcp {
namespace {

constexpr std::string_view header = "# bcpkit sequence v1: key<TAB>next number; do not edit";

[[noreturn]] void sys_fail(const std::string& what, const std::filesystem::path& path) {
    throw io_error(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)),
                   path.string());
}

using Counters = std::map<std::string, std::uint64_t, std::less<>>;

Counters load(const std::filesystem::path& path) {
    Counters counters;
    std::ifstream in(path);
    if (!in) {
        if (errno == ENOENT) return counters;
        sys_fail("cannot read", path);
    }
    std::string line;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        std::uint64_t next = 0;
        bool ok = tab != std::string::npos && tab + 1 < line.size();
        for (std::size_t i = tab + 1; ok && i < line.size(); ++i) {
            ok = line[i] >= '0' && line[i] <= '9' && next < UINT64_MAX / 10;
            next = next * 10 + static_cast<std::uint64_t>(line[i] - '0');
        }
        if (!ok || next == 0) {
            throw data_error("state", "corrupt sequence file", path.string(), lineno);
        }
        counters[line.substr(0, tab)] = next;
    }
    if (in.bad()) sys_fail("cannot read", path);
    return counters;
}

// Replaces `path` atomically and durably with `content`.
void store(const std::filesystem::path& path, const Counters& counters) {
    std::string content(header);
    content += '\n';
    for (const auto& [key, next] : counters) content += fmt::format("{}\t{}\n", key, next);
    replace_file(path, content, 0600);
}

}  // namespace

SequenceFile::SequenceFile(std::filesystem::path path, std::chrono::milliseconds lock_wait)
    : path_(std::move(path)), lock_wait_(lock_wait) {}

std::filesystem::path SequenceFile::default_path() { return state_dir() / "sequence"; }

std::uint64_t SequenceFile::reserve(std::string_view key, std::uint64_t count,
                                    std::uint64_t max) {
    if (key.find_first_of("\t\n") != std::string_view::npos) {
        throw usage_error("a sequence key cannot hold tabs or newlines");
    }
    if (const auto dir = path_.parent_path(); !dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            throw io_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()),
                           dir.string());
        }
        ::chmod(dir.c_str(), 0700);
    }
    const auto lock_path = path_.string() + ".lock";
    Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock.get() < 0) sys_fail("cannot open", lock_path);
    const auto deadline = std::chrono::steady_clock::now() + lock_wait_;
    while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) sys_fail("cannot lock", lock_path);
        if (std::chrono::steady_clock::now() >= deadline) {
            throw busy_error(fmt::format("{} is locked by another process", path_.string()),
                             path_.string());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The lock is released when `lock` closes, after the new state is durable.
    auto counters = load(path_);
    const auto it = counters.find(key);
    const std::uint64_t first = it == counters.end() ? 1 : it->second;
    if (count == 0 || first > max || count > max - first + 1) {
        throw data_error("exhausted",
                         fmt::format("sequence '{}' has {} numbers left, {} asked for", key,
                                     first > max ? 0 : max - first + 1, count),
                         path_.string());
    }
    counters[std::string(key)] = first + count;
    store(path_, counters);
    return first;
}

std::uint64_t SequenceFile::peek(std::string_view key) const {
    const auto counters = load(path_);
    const auto it = counters.find(key);
    return it == counters.end() ? 1 : it->second;
}

}  // namespace bcp
