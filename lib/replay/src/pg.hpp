// A libpq connection for the PostgreSQL queue (private to lib/replay): text parameters and
// results, errors as bcpkit errors that never show a password, and whether a failure was the
// connection's (worth a reconnect) or the statement's.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bcp/core/error.hpp"

namespace bcp::pg {

// A failure of the server or the way to it: the statement may be tried again on a new
// connection (the server restarted, a network blip). `sqlstate` is empty when the connection
// itself broke.
class connection_lost : public busy_error {
public:
    connection_lost(const std::string& message, std::string sqlstate)
        : busy_error(message), sqlstate_(std::move(sqlstate)) {}
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    std::string sqlstate_;
};

// A conflict between transactions the server resolved by cancelling ours (deadlock,
// serialization): the transaction may simply run again.
class conflict : public busy_error {
public:
    using busy_error::busy_error;
};

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};

class Result {
public:
    explicit Result(PGresult* r) : r_(r) {}
    [[nodiscard]] int rows() const noexcept { return PQntuples(r_.get()); }
    [[nodiscard]] bool null(int row, int col) const noexcept {
        return PQgetisnull(r_.get(), row, col) != 0;
    }
    [[nodiscard]] std::string_view text(int row, int col) const noexcept {
        return {PQgetvalue(r_.get(), row, col),
                static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    [[nodiscard]] std::int64_t integer(int row, int col) const;
    [[nodiscard]] double real(int row, int col) const;
    [[nodiscard]] bool boolean(int row, int col) const noexcept { return text(row, col) == "t"; }
    [[nodiscard]] std::int64_t affected() const;

private:
    std::unique_ptr<PGresult, ResultDeleter> r_;
};

// A parameter: text, or SQL NULL.
using Param = std::optional<std::string>;

class Connection {
public:
    // Connects to `url` (libpq's URI or key=value form; the password from PGPASSWORD or
    // PGPASSFILE). Throws usage_error when the URL carries a password (visible to every user
    // in the process list), connection_lost when the server cannot be reached.
    explicit Connection(std::string url);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Runs one statement; one with parameters is prepared on first use on this connection (the
    // replay loop's statements are planned once, not at every claim). Throws connection_lost,
    // conflict, or io_error.
    Result exec(const char* sql, const std::vector<Param>& params = {});
    // Runs statements without parameters (schema, BEGIN, COMMIT).
    void run(const char* sql);
    // A new connection after a failure; throws connection_lost while the server is away.
    void reconnect();
    [[nodiscard]] bool ok() const noexcept;
    [[nodiscard]] const std::string& url() const noexcept { return url_; }

private:
    void connect();
    std::string url_;
    PGconn* conn_ = nullptr;
    std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// A double as PostgreSQL reads it back exactly ("inf" for infinity).
[[nodiscard]] std::string number(double v);
[[nodiscard]] std::string number(std::int64_t v);

}  // namespace bcp::pg
