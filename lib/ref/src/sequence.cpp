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

namespace bcp {
namespace {

constexpr std::string_view header = "# bcpkit sequence v1: key<TAB>next number; do not edit";

[[noreturn]] void sys_fail(const std::string& what, const std::filesystem::path& path) {
    throw io_error(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)),
                   path.string());
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }

private:
    int fd_;
};

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

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            sys_fail("cannot write", path);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Replaces `path` atomically and durably with `content`.
void store(const std::filesystem::path& path, const Counters& counters) {
    std::string content(header);
    content += '\n';
    for (const auto& [key, next] : counters) content += fmt::format("{}\t{}\n", key, next);
    const auto tmp = path.string() + fmt::format(".tmp.{}", ::getpid());
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0) sys_fail("cannot create", tmp);
        write_all(fd.get(), content, tmp);
        if (::fsync(fd.get()) != 0) sys_fail("cannot sync", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        sys_fail("cannot replace", path);
    }
    Fd dir(::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) (void)::fsync(dir.get());
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
