#include "bcp/sqlite/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "bcp/core/error.hpp"

namespace bcp::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql, std::string_view what) : db_(db), what_(what) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
        throw io_error(fmt::format("{}: cannot prepare statement: {}", what, sqlite3_errmsg(db)));
    }
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_), what_(o.what_) { o.stmt_ = nullptr; }

Statement& Statement::operator=(Statement&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(stmt_, o.stmt_);
    std::swap(what_, o.what_);
    return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}

Statement& Statement::bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
}

Statement& Statement::bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(rc);
}

void Statement::run() {
    while (step()) {
    }
}

std::string Statement::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::real(int col) const { return sqlite3_column_double(stmt_, col); }

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

void Statement::fail(int rc) const {
    const std::string msg = sqlite3_errmsg(db_);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        throw busy_error(fmt::format("{} is locked by another process: {}", what_, msg));
    }
    if (rc == SQLITE_FULL || rc == SQLITE_IOERR) throw io_error(fmt::format("{}: {}", what_, msg));
    throw io_error(fmt::format("{}: {} (SQLite error {})", what_, msg, rc));
}

void exec(sqlite3* db, const char* sql, std::string_view what, const std::filesystem::path& path) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return;
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        throw busy_error(fmt::format("{} is locked by another process: {}", what, msg), path.string());
    }
    if (rc == SQLITE_NOTADB) {
        throw io_error(fmt::format("{} is not a bcpkit {} (not an SQLite database)", path.string(), what),
                       path.string());
    }
    throw io_error(fmt::format("{} {}: {}", what, path.string(), msg), path.string());
}

void create_private_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (const auto dir = path.parent_path(); !dir.empty()) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            throw io_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()), dir.string());
        }
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
        throw io_error(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)), path.string());
    }
    if (fd >= 0) ::close(fd);
}

Connection::~Connection() { reset(nullptr); }

void Connection::reset(sqlite3* db) noexcept {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = db;
}

sqlite3* open_file(const std::filesystem::path& path, std::string_view what) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close_v2(db);
        throw io_error(fmt::format("cannot open {} {}: {}", what, path.string(), msg), path.string());
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 0);
    try {
        exec(db, "PRAGMA journal_mode=WAL", what, path);
        exec(db, "PRAGMA synchronous=FULL", what, path);
        exec(db, "PRAGMA foreign_keys=ON", what, path);
    } catch (...) {
        sqlite3_close_v2(db);
        throw;
    }
    return db;
}

FileLock::FileLock(const std::filesystem::path& lock_path, bool wait, const std::string& busy_message,
                   const std::string& busy_subject) {
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw io_error(fmt::format("cannot open {}: {}", lock_path.string(), std::strerror(errno)),
                       lock_path.string());
    }
    while (::flock(fd_, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        if (e == EWOULDBLOCK) throw busy_error(busy_message, busy_subject);
        throw io_error(fmt::format("cannot lock {}: {}", lock_path.string(), std::strerror(e)),
                       lock_path.string());
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace bcp::sqlite
