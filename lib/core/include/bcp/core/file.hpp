// Files replaced whole: written to a temporary file beside the target, synced, renamed over it
// and the directory synced, so a reader (a browser, the next run) sees the old content or the
// new one, never half of either, even after a crash.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>

namespace bcp {

// A file descriptor closed when it goes out of scope (-1: none).
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

// Throws io_error ("cannot write PATH: why", "cannot replace PATH: why") naming `path`; the
// temporary file is removed on failure and `path` left as it was. `mode` is that of a new file
// (before the umask).
void replace_file(const std::filesystem::path& path, std::string_view content, mode_t mode);

}  // namespace bcp
