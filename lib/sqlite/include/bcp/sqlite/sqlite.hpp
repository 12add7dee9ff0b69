// SQLite files as the replay queue and the notice store keep them: a prepared statement that
// throws bcpkit's errors, the connection settings (WAL, synchronous=FULL, a busy timeout), a
// file created 0600 from its first byte, and the lock file that keeps one run per file.
// `what` names the file in messages: "queue", "store".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace bcp::sqlite {

// Owns a connection and closes it. Declare it before the statements that use it: members are
// destroyed in reverse order, so the statements are finalized first.
class Connection {
public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();
    void reset(sqlite3* db) noexcept;
    operator sqlite3*() const noexcept { return db_; }  // NOLINT(google-explicit-constructor)

private:
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql, std::string_view what);
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& reset();
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, double v);
    Statement& bind_null(int i);
    // True while a row is available; throws on errors (busy_error when locked, io_error else).
    bool step();
    void run();
    [[nodiscard]] std::string text(int col) const;
    [[nodiscard]] std::int64_t integer(int col) const;
    [[nodiscard]] double real(int col) const;
    [[nodiscard]] bool is_null(int col) const;
    [[nodiscard]] bool prepared() const noexcept { return stmt_ != nullptr; }

private:
    [[noreturn]] void fail(int rc) const;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    std::string_view what_;  // a literal ("queue", "store")
};

// Runs SQL without results. Errors: busy_error when another process holds the file, io_error
// naming the file otherwise ("<path> is not a bcpkit <what>" for a file that is not SQLite).
void exec(sqlite3* db, const char* sql, std::string_view what, const std::filesystem::path& path);

// Creates `path` (and its directory) readable by its owner only, when it does not exist.
void create_private_file(const std::filesystem::path& path);

// Opens an existing SQLite file read-write: WAL journal, synchronous=FULL (a commit survives a
// power cut), foreign keys on, a 5 s busy timeout.
[[nodiscard]] sqlite3* open_file(const std::filesystem::path& path, std::string_view what);

// An exclusive flock(2) on `lock_path`, held for the life of the object. Without `wait`,
// throws busy_error(busy_message) at once when another process holds it.
class FileLock {
public:
    FileLock(const std::filesystem::path& lock_path, bool wait, const std::string& busy_message,
             const std::string& busy_subject);
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    int fd_ = -1;
};

}  // namespace bcp::sqlite
