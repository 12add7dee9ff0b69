#include "pg.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace bcp::pg {
namespace {

// libpq's messages end in a newline and may run over several lines: the first one is the news.
std::string first_line(const char* text) {
    std::string s = text != nullptr ? text : "";
    if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    if (s.rfind("ERROR:  ", 0) == 0) s.erase(0, 8);
    return s.empty() ? std::string("no message from libpq") : s;
}

// Connection failures (class 08), the server shutting down or starting (57P01..57P03), and
// "too many connections" (53300): a reconnect may cure them.
bool connection_state(std::string_view code) {
    return code.substr(0, 2) == "08" || code == "57P01" || code == "57P02" || code == "57P03" ||
           code == "53300";
}

}  // namespace

std::int64_t Result::integer(int row, int col) const {
    const auto t = text(row, col);
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
}

double Result::real(int row, int col) const {
    const std::string t(text(row, col));
    if (t == "Infinity") return INFINITY;
    return std::strtod(t.c_str(), nullptr);
}

std::int64_t Result::affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    return fmt::format("{}", v);
}

std::string number(std::int64_t v) { return std::to_string(v); }

Connection::Connection(std::string url) : url_(std::move(url)) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url_.c_str(), &err);
    if (opts == nullptr) {
        std::string why = first_line(err);
        PQfreemem(err);
        throw usage_error(fmt::format("the queue URL is not a PostgreSQL connection string: {}",
                                      why));
    }
    bool password = false;
    for (auto* o = opts; o->keyword != nullptr; ++o) {
        if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') {
            password = true;
        }
    }
    PQconninfoFree(opts);
    if (password) {
        // Never echo the URL: it holds the secret.
        throw usage_error("the queue URL holds a password, which every user of this machine can "
                          "read in the process list: put it in PGPASSFILE (~/.pgpass) or "
                          "PGPASSWORD instead");
    }
    connect();
}

Connection::~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::connect() {
    if (conn_ != nullptr) PQfinish(conn_);
    prepared_.clear();
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
        // Freed here: a constructor that throws runs no destructor.
        std::string why = first_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw connection_lost(fmt::format("cannot reach the PostgreSQL queue {}: {}", url_, why),
                              {});
    }
    // The library never prints: libpq's default notice processor writes the server's notices
    // to stderr, among them the FATAL a server shutting down sends to an idle connection
    // ("terminating connection due to administrator command"), a second line beside the
    // tool's one-line error. What matters of it comes back as the next statement's error.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    // Messages stay in UTC text; numbers exact.
    PQclear(PQexec(conn_, "SET TIME ZONE 'UTC'; SET extra_float_digits = 3; "
                          "SET client_min_messages = warning"));
}

void Connection::reconnect() { connect(); }

bool Connection::ok() const noexcept { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

Result Connection::exec(const char* sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* raw = nullptr;
    if (params.empty()) {
        raw = PQexec(conn_, sql);
    } else {
        auto it = prepared_.find(sql);
        if (it == prepared_.end()) {
            std::string name = fmt::format("bcp{}", prepared_.size() + 1);
            PGresult* prep =
                PQprepare(conn_, name.c_str(), sql, static_cast<int>(params.size()), nullptr);
            if (prep != nullptr && PQresultStatus(prep) == PGRES_COMMAND_OK) {
                PQclear(prep);
                it = prepared_.emplace(sql, std::move(name)).first;
            } else {
                raw = prep;  // reported below
            }
        }
        if (it != prepared_.end()) {
            raw = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                 values.data(), nullptr, nullptr, 0);
        }
    }
    Result r(raw);
    const auto status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    const char* code_p = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = code_p != nullptr ? code_p : "";
    const std::string why =
        first_line(raw != nullptr && PQresultErrorMessage(raw)[0] != '\0' ? PQresultErrorMessage(raw)
                                                                          : PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK || code.empty() || connection_state(code)) {
        throw connection_lost(fmt::format("lost the PostgreSQL queue {}: {}", url_, why), code);
    }
    if (code == "40P01" || code == "40001") {
        throw conflict(fmt::format("PostgreSQL queue {}: {}", url_, why));
    }
    throw io_error(fmt::format("PostgreSQL queue {}: {} (SQLSTATE {})", url_, why, code), url_);
}

void Connection::run(const char* sql) { (void)exec(sql); }

}  // namespace bcp::pg
