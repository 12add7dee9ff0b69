#include "bcp/core/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "bcp/core/error.hpp"

namespace bcp {
namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, const std::string& tmp) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw io_error(fmt::format("{} {}: {}", what, path.string(), why), path.string());
}

}  // namespace

void replace_file(const std::filesystem::path& path, std::string_view content, mode_t mode) {
    const std::string tmp = path.string() + fmt::format(".tmp.{}", ::getpid());
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (fd.get() < 0) {
            const std::string why = std::strerror(errno);
            throw io_error(fmt::format("cannot write {}: {}", path.string(), why), path.string());
        }
        while (!content.empty()) {
            const ssize_t n = ::write(fd.get(), content.data(), content.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write", path, tmp);
            }
            content.remove_prefix(static_cast<std::size_t>(n));
        }
        if (::fsync(fd.get()) != 0) fail("cannot write", path, tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot replace", path, tmp);
    Fd dir(::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) (void)::fsync(dir.get());
}

}  // namespace bcp
