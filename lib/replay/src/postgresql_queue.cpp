// The PostgreSQL queue: the SQLite queue's states and commands on a server that runners on
// several hosts share, with one rate cap for all of them.
//
// Never twice. A claim is one transaction: the runner's lease row is locked FOR SHARE and must
// not have expired, the messages are picked FOR UPDATE SKIP LOCKED (two runners never pick the
// same one), marked `sending` with the runner's id, their attempt counted, and committed before
// the runner sees them, so before any byte leaves. Only the runner named on a `sending` row
// records its outcome. A runner is alive while its lease row is; the lease is renewed by a
// heartbeat (a thread with a connection of its own) every tenth of the lease at most, to
// now() + lease on the database's clock. A heartbeat that finds leases expired deletes those
// runners and turns their `sending` messages into `unknown`: they may have arrived. A runner
// counts its own lease from the moment it sent the heartbeat, on its own steady clock, and
// starts no send after nine tenths of it: the database set the expiry no earlier than that
// moment, and both clocks measure the same span (a rate error of 10% would be needed to
// overlap), so no runner still sends what the queue has given up on. Host clocks are never
// compared with each other or with the server's.
//
// One cap. Each runner holds a share of the cap (bcp_runners.share); the shares never add up
// to more than the cap, and each runner keeps its own sends within its share over any sliding
// window (RateLimiter), so all of them together keep within the cap. A heartbeat recomputes the
// fair share: the cap over the runners that have work. A runner above it slows down first and
// gives the difference back at its next heartbeat; a runner that dies keeps its share until its
// lease expires. What is given back cools for a window (1.25 s, more than the limiter's widest
// window) before another runner may take it, since the giver's last sends still count in the
// receiver's last second. Runners started with different rates agree on the lowest.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/json_text.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/replay/queue.hpp"
#include "pg.hpp"

namespace bcp {
namespace {

using pg::Param;

constexpr int pg_schema_version = 1;
constexpr double cooling_seconds = 1.25;
// A runner takes its first share this long after joining, so that runners started together
// split the cap from the start instead of the first taking it all and giving most back.
constexpr double settle_seconds = 0.5;
// How long an operation retries a lost server before giving up (exit 5): three leases of the
// joined runner (30 s at the default lease), else 30 s.
constexpr double reconnect_leases = 3;
constexpr double reconnect_default_seconds = 30;

// Version 1. Counts per state are kept by statement triggers in bcp_counts, spread over slots by
// backend so that runners do not queue on one row: `status` sums a few hundred rows instead of
// counting ten million.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE bcp_messages (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key           text NOT NULL UNIQUE,
  country       text NOT NULL DEFAULT '',
  system        text NOT NULL DEFAULT '',
  body          text NOT NULL,
  prepared_at   text NOT NULL DEFAULT '',
  enqueued_at   text NOT NULL,
  updated_at    text NOT NULL,
  state         text NOT NULL CHECK (state IN
                  ('queued','sending','accepted','rejected','unknown','held')),
  attempts      integer NOT NULL DEFAULT 0,
  not_before    double precision NOT NULL DEFAULT 0,
  last_status   integer,
  last_response text NOT NULL DEFAULT '',
  held_reason   text NOT NULL DEFAULT '',
  held_source   text NOT NULL DEFAULT '',
  note          text NOT NULL DEFAULT '',
  annotation    text NOT NULL DEFAULT '',
  runner        bigint,
  claim         bigint
);
CREATE INDEX bcp_messages_queued ON bcp_messages (id) WHERE state = 'queued';
CREATE INDEX bcp_messages_due ON bcp_messages (not_before) WHERE state = 'queued';
CREATE INDEX bcp_messages_sending ON bcp_messages (runner) WHERE state = 'sending';
CREATE INDEX bcp_messages_unknown ON bcp_messages (id) WHERE state = 'unknown';
CREATE TABLE bcp_counts (slot integer, state text, n bigint NOT NULL, PRIMARY KEY (slot, state));
CREATE TABLE bcp_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, started_at text NOT NULL,
  ended_at text NOT NULL, sent bigint NOT NULL, rate_limit double precision NOT NULL,
  achieved double precision NOT NULL, max_window bigint NOT NULL
);
CREATE TABLE bcp_runners (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  host text NOT NULL, pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz NOT NULL,
  rate double precision NOT NULL,
  share double precision NOT NULL DEFAULT 0,
  busy boolean NOT NULL DEFAULT true
);
CREATE TABLE bcp_budget (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO bcp_budget VALUES (1);
CREATE TABLE bcp_cooling (release_at timestamptz NOT NULL, amount double precision NOT NULL);

CREATE FUNCTION bcp_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bcp_counts (slot, state, n)
    SELECT pg_backend_pid() % 64, state, count(*) FROM new_rows GROUP BY state ORDER BY state
  ON CONFLICT (slot, state) DO UPDATE SET n = bcp_counts.n + excluded.n;
  RETURN NULL;
END $$;
CREATE FUNCTION bcp_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bcp_counts (slot, state, n)
    SELECT pg_backend_pid() % 64, state, sum(d) FROM
      (SELECT state, 1 AS d FROM new_rows UNION ALL SELECT state, -1 FROM old_rows) c
    GROUP BY state HAVING sum(d) <> 0 ORDER BY state
  ON CONFLICT (slot, state) DO UPDATE SET n = bcp_counts.n + excluded.n;
  RETURN NULL;
END $$;
CREATE FUNCTION bcp_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bcp_counts (slot, state, n)
    SELECT pg_backend_pid() % 64, state, -count(*) FROM old_rows GROUP BY state ORDER BY state
  ON CONFLICT (slot, state) DO UPDATE SET n = bcp_counts.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER bcp_messages_counted_insert AFTER INSERT ON bcp_messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bcp_count_insert();
CREATE TRIGGER bcp_messages_counted_update AFTER UPDATE ON bcp_messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION bcp_count_update();
CREATE TRIGGER bcp_messages_counted_delete AFTER DELETE ON bcp_messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bcp_count_delete();

-- Runners whose lease has expired are gone: their share cools, their `sending` messages (and
-- any left by a runner no longer listed) become `unknown`.
CREATE FUNCTION bcp_reap(p_cooling double precision) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  r record;
  v_n bigint;
BEGIN
  FOR r IN DELETE FROM bcp_runners WHERE lease_until < now() RETURNING share, lease_until LOOP
    IF r.share > 0 THEN
      INSERT INTO bcp_cooling VALUES (greatest(now(), r.lease_until)
                                      + make_interval(secs => p_cooling), r.share);
    END IF;
  END LOOP;
  UPDATE bcp_messages SET state = 'unknown', runner = NULL, claim = NULL,
         updated_at = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         last_response = 'interrupted while sending: it may have arrived'
   WHERE state = 'sending' AND (runner IS NULL OR runner NOT IN (SELECT id FROM bcp_runners));
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END $$;

-- A runner's heartbeat: renews its lease, takes back what it gave up (p_held below its
-- share), and returns the share it may use now. One heartbeat at a time (the budget row).
CREATE FUNCTION bcp_heartbeat(p_id bigint, p_busy boolean, p_held double precision,
                              p_lease double precision, p_cooling double precision,
                              p_settle double precision,
                              OUT alive boolean, OUT granted double precision)
LANGUAGE plpgsql AS $$
DECLARE
  v_share double precision;
  v_started timestamptz;
  v_cap double precision;
  v_busy bigint;
  v_used double precision;
  v_cool double precision;
  v_target double precision;
BEGIN
  PERFORM 1 FROM bcp_budget WHERE id = 1 FOR UPDATE;
  PERFORM bcp_reap(p_cooling);
  DELETE FROM bcp_cooling WHERE release_at <= now();
  UPDATE bcp_runners SET lease_until = now() + make_interval(secs => p_lease),
         heartbeat_at = now(), busy = p_busy
   WHERE id = p_id RETURNING share, started_at INTO v_share, v_started;
  IF NOT FOUND THEN
    alive := false;
    granted := 0;
    RETURN;
  END IF;
  alive := true;
  IF now() - v_started < make_interval(secs => p_settle) THEN
    -- Just joined: runners started together take their first shares together.
    granted := 0;
    RETURN;
  END IF;
  IF p_held < v_share THEN
    INSERT INTO bcp_cooling VALUES (now() + make_interval(secs => p_cooling), v_share - p_held);
    v_share := p_held;
    UPDATE bcp_runners SET share = v_share WHERE id = p_id;
  END IF;
  SELECT min(rate) FILTER (WHERE rate > 0), count(*) FILTER (WHERE busy), sum(share)
    INTO v_cap, v_busy, v_used FROM bcp_runners;
  IF v_cap IS NULL THEN
    -- Every runner is unthrottled.
    granted := 'Infinity';
    UPDATE bcp_runners SET share = granted WHERE id = p_id;
    RETURN;
  END IF;
  v_target := CASE WHEN p_busy THEN v_cap / greatest(v_busy, 1) ELSE 0 END;
  IF v_share > v_target THEN
    granted := v_target;  -- it slows down now, and gives the rest back next time
  ELSE
    SELECT coalesce(sum(amount), 0) INTO v_cool FROM bcp_cooling;
    granted := v_share + greatest(0, least(v_target - v_share, v_cap - v_used - v_cool));
    UPDATE bcp_runners SET share = granted WHERE id = p_id;
  END IF;
END $$;

-- A runner that ends: its share cools, its leftovers are reaped.
CREATE FUNCTION bcp_leave(p_id bigint, p_cooling double precision) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_share double precision;
BEGIN
  PERFORM 1 FROM bcp_budget WHERE id = 1 FOR UPDATE;
  DELETE FROM bcp_runners WHERE id = p_id RETURNING share INTO v_share;
  IF v_share > 0 THEN
    INSERT INTO bcp_cooling VALUES (now() + make_interval(secs => p_cooling), v_share);
  END IF;
  PERFORM bcp_reap(p_cooling);
END $$;
)sql";

// An exchange: $1 the outcomes (JSON), $2 the time written, $3 the runner, $4 the host's unix
// time (a backoff's end is stored as the delay it asks for from the database's now()), $5 how
// many to claim, $6 the claim's number (to give it back when its commit was not heard of).
#define BCP_EXCHANGE_SQL(FROM_STATE, DUE)                                                      \
    "WITH rec AS (UPDATE bcp_messages m SET state = o.state, last_status = o.status, "          \
    "last_response = o.response, updated_at = $2, not_before = CASE WHEN o.not_before > 0 "    \
    "THEN extract(epoch FROM now()) + (o.not_before - $4) ELSE 0 END, attempts = "             \
    "greatest(0, m.attempts - o.unsent), runner = NULL, claim = NULL FROM "                    \
    "json_to_recordset($1::json) AS o(id bigint, state text, status integer, response text, "  \
    "not_before double precision, unsent integer) WHERE m.id = o.id AND m.state = 'sending' "  \
    "AND m.runner = $3 RETURNING m.id), "                                                      \
    "me AS (SELECT id FROM bcp_runners WHERE id = $3 AND lease_until > now() FOR SHARE), "     \
    "c AS (SELECT m.id FROM bcp_messages m WHERE m.state = '" FROM_STATE "' " DUE              \
    "AND EXISTS (SELECT 1 FROM me) ORDER BY m.id LIMIT $5 FOR UPDATE OF m SKIP LOCKED) "        \
    "UPDATE bcp_messages m SET state = 'sending', attempts = m.attempts + 1, updated_at = $2, " \
    "runner = $3, claim = $6 FROM c WHERE m.id = c.id RETURNING m.id, m.key, m.country, "      \
    "m.system, m.body, m.prepared_at, m.enqueued_at, m.updated_at, m.state, m.attempts, "      \
    "m.last_status, m.last_response, m.held_reason, m.held_source, m.not_before, m.note, "     \
    "m.annotation"
constexpr const char* exchange_queued_sql =
    BCP_EXCHANGE_SQL("queued", "AND m.not_before <= extract(epoch FROM now()) ");
constexpr const char* exchange_unknown_sql = BCP_EXCHANGE_SQL("unknown", "");
#undef BCP_EXCHANGE_SQL

constexpr const char* columns =
    "id, key, country, system, body, prepared_at, enqueued_at, updated_at, state, attempts, "
    "last_status, last_response, held_reason, held_source, not_before, note, annotation";

Message read_message(const pg::Result& r, int row) {
    Message m;
    m.id = r.integer(row, 0);
    m.key = r.text(row, 1);
    m.country = r.text(row, 2);
    m.system = r.text(row, 3);
    m.body = r.text(row, 4);
    m.prepared_at = r.text(row, 5);
    m.enqueued_at = r.text(row, 6);
    m.updated_at = r.text(row, 7);
    m.state = parse_state(r.text(row, 8)).value_or(MessageState::unknown);
    m.attempts = static_cast<int>(r.integer(row, 9));
    if (!r.null(row, 10)) m.last_status = static_cast<int>(r.integer(row, 10));
    m.last_response = r.text(row, 11);
    m.held_reason = r.text(row, 12);
    m.held_source = r.text(row, 13);
    m.not_before = r.real(row, 14);
    m.note = r.text(row, 15);
    m.annotation = r.text(row, 16);
    return m;
}

std::vector<Message> read_messages(const pg::Result& r) {
    std::vector<Message> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_message(r, i));
    std::sort(out.begin(), out.end(), [](const Message& a, const Message& b) { return a.id < b.id; });
    return out;
}

// PostgreSQL text holds no NUL byte and only valid UTF-8: a receiver's response may hold
// either. Bodies and keys come from JSON Lines and are valid already.
std::string storable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t len = text[i] == '\0' ? 0 : utf8_sequence_length(text, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
    }
    return out;
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
    return buf;
}

class PgQueue;

// A runner of a PostgreSQL queue: its lease row, kept alive by a heartbeat thread on a
// connection of its own.
class PgRunner final : public Runner {
public:
    using Clock = std::chrono::steady_clock;

    PgRunner(const std::string& url, const RunnerOptions& o, std::int64_t id,
             Clock::time_point registered)
        : conn_(url),
          id_(id),
          lease_(o.lease),
          interval_(std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(std::min(0.1, o.lease / 10)))),
          valid_until_(registered + valid_span()),
          thread_([this] { beat(); }) {}

    ~PgRunner() override {
        {
            const std::lock_guard lock(mutex_);
            quit_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
        try {
            if (!conn_.ok()) conn_.reconnect();
            (void)conn_.exec("SELECT bcp_leave($1, $2)",
                             {pg::number(id_), pg::number(cooling_seconds)});
        } catch (const std::exception&) {
            // The lease runs out by itself; the share cools from then.
        }
    }

    double share() override {
        const std::lock_guard lock(mutex_);
        return share_;
    }
    bool may_send() override {
        const std::lock_guard lock(mutex_);
        return lost_.empty() && Clock::now() < valid_until_;
    }
    void set_busy(bool busy) override { busy_.store(busy); }
    std::string lost() override {
        const std::lock_guard lock(mutex_);
        return lost_;
    }
    [[nodiscard]] std::int64_t id() const noexcept { return id_; }

private:
    [[nodiscard]] Clock::duration valid_span() const {
        return std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(lease_ * 0.9));
    }

    void beat() {
        std::unique_lock lock(mutex_);
        while (!quit_) {
            wake_.wait_for(lock, interval_, [&] { return quit_; });
            if (quit_) return;
            const double held = share_;
            lock.unlock();
            const auto sent_at = Clock::now();
            bool alive = true;
            double granted = 0;
            bool answered = false;
            try {
                if (!conn_.ok()) conn_.reconnect();
                const auto r = conn_.exec(
                    "SELECT alive, granted FROM bcp_heartbeat($1, $2, $3, $4, $5, $6)",
                    {pg::number(id_), std::string(busy_.load() ? "true" : "false"),
                     pg::number(held), pg::number(lease_), pg::number(cooling_seconds),
                     pg::number(settle_seconds)});
                alive = r.boolean(0, 0);
                granted = r.real(0, 1);
                answered = true;
            } catch (const std::exception&) {
                // The server is away: no renewal; the lease runs on until it comes back.
            }
            lock.lock();
            if (!answered) continue;
            if (!alive) {
                lost_ = "this runner's lease on the queue expired (no heartbeat reached the "
                        "server in time) and the other runners took over what it was sending";
                share_ = 0;
                return;
            }
            valid_until_ = sent_at + valid_span();
            share_ = granted;
        }
    }

    pg::Connection conn_;
    std::int64_t id_;
    double lease_;
    Clock::duration interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    double share_ = 0;
    Clock::time_point valid_until_;
    std::string lost_;
    std::atomic<bool> busy_{true};
    bool quit_ = false;
    std::thread thread_;
};

class PgQueue final : public QueueBackend {
    // First, for the deduced return types of what follows.
    void rollback() noexcept {
        try {
            if (db_.ok()) db_.run("ROLLBACK");
        } catch (const std::exception&) {
        }
    }

    template <typename F>
    auto transaction(F&& body) {
        if (in_batch_) return body();
        db_.run("BEGIN");
        try {
            auto result = body();
            db_.run("COMMIT");
            return result;
        } catch (...) {
            rollback();
            throw;
        }
    }

    // Runs `body` again after a lost connection (for up to reconnect_seconds) or a conflict.
    template <typename F>
    auto retrying(F&& body) {
        const auto give_up = std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(reconnect_seconds_));
        for (int attempt = 0;; ++attempt) {
            try {
                if (!db_.ok()) db_.reconnect();
                return body();
            } catch (const pg::conflict&) {
                if (in_batch_ || attempt > 20) throw;
            } catch (const pg::connection_lost&) {
                if (in_batch_ || std::chrono::steady_clock::now() >= give_up) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }
    }


public:
    explicit PgQueue(const std::string& url) : db_(url), location_(url) { migrate(); }

    [[nodiscard]] const std::string& location() const noexcept override { return location_; }
    [[nodiscard]] bool shared() const noexcept override { return true; }
    [[nodiscard]] int schema() override { return pg_schema_version; }
    [[nodiscard]] int migrated_from() override { return migrated_from_; }

    void begin() override {
        db_.run("BEGIN");
        in_batch_ = true;
    }
    void commit() override {
        in_batch_ = false;
        db_.run("COMMIT");
    }

    EnqueueResult enqueue(const NewMessage& m) override {
        const auto now = timestamp_now();
        const auto r = db_.exec(
            "INSERT INTO bcp_messages (key, country, system, body, prepared_at, enqueued_at, "
            "updated_at, state, held_reason, held_source, annotation) VALUES "
            "($1,$2,$3,$4,$5,$6,$6,$7,$8,$9,$10) ON CONFLICT (key) DO NOTHING",
            {m.key, m.country, m.system, m.body, m.prepared_at, now,
             std::string(m.held ? "held" : "queued"), m.held_reason, m.held_source,
             m.annotation});
        if (r.affected() == 0) return EnqueueResult::duplicate;
        return m.held ? EnqueueResult::held : EnqueueResult::enqueued;
    }

    EnqueueResult import(const Message& m) override {
        const MessageState state = m.state == MessageState::sending ? MessageState::unknown : m.state;
        const auto r = db_.exec(
            "INSERT INTO bcp_messages (key, country, system, body, prepared_at, enqueued_at, "
            "updated_at, state, attempts, not_before, last_status, last_response, held_reason, "
            "held_source, note, annotation) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) "
            "ON CONFLICT (key) DO NOTHING",
            {m.key, m.country, m.system, m.body, m.prepared_at, m.enqueued_at, m.updated_at,
             std::string(to_string(state)), pg::number(std::int64_t{m.attempts}),
             pg::number(m.not_before),
             m.last_status ? Param(pg::number(std::int64_t{*m.last_status})) : Param(),
             storable(m.last_response), m.held_reason, m.held_source, m.note, m.annotation});
        if (r.affected() == 0) return EnqueueResult::duplicate;
        return state == MessageState::held ? EnqueueResult::held : EnqueueResult::enqueued;
    }

    // Times are the database's: a backoff's end (not_before) is stored on its clock, from the
    // delay the host asked for, and a claim compares it with the database's now(); a host whose
    // clock is off neither sends early nor waits longer.
    std::vector<Message> exchange(const std::vector<Outcome>& outcomes, std::size_t n,
                                  double /*now: the database's instead*/, bool unknown) override {
        if (outcomes.empty() && n == 0) return {};
        if (runner_ == 0) {
            throw usage_error("a PostgreSQL queue is claimed from only by a runner that joined it");
        }
        const std::string record = outcome_json(outcomes);
        return retrying([&] {
            if (pending_claim_ != 0) {
                // The last claim's commit may or may not have happened: what it marked never
                // reached the send loop, so it goes back as it was.
                (void)db_.exec("UPDATE bcp_messages SET state = 'queued', attempts = "
                               "greatest(0, attempts - 1), runner = NULL, claim = NULL "
                               "WHERE state = 'sending' AND runner = $1 AND claim = $2",
                               {pg::number(runner_), pg::number(pending_claim_)});
                pending_claim_ = 0;
            }
            const std::int64_t claim = ++claim_no_;
            // One statement, so one transaction and one round trip: the outcomes (only this
            // runner's `sending` messages take them), then the claim (only while its lease
            // holds), committed before the claimed messages are returned.
            pending_claim_ = n > 0 ? claim : 0;
            const auto r = db_.exec(unknown ? exchange_unknown_sql : exchange_queued_sql,
                                    {record, timestamp_now(), pg::number(runner_),
                                     pg::number(unix_now()),
                                     pg::number(static_cast<std::int64_t>(n)), pg::number(claim)});
            pending_claim_ = 0;
            return read_messages(r);
        });
    }

    std::int64_t recover_sending() override {
        return retrying([&] {
            const auto r = db_.exec("SELECT bcp_reap($1)", {pg::number(cooling_seconds)});
            return r.integer(0, 0);
        });
    }

    QueueCounts counts() override {
        return retrying([&] {
            QueueCounts c;
            const auto r = db_.exec("SELECT state, sum(n) FROM bcp_counts GROUP BY state");
            for (int i = 0; i < r.rows(); ++i) {
                if (const auto s = parse_state(r.text(i, 0))) {
                    c.by_state[static_cast<int>(*s)] = r.integer(i, 1);
                }
            }
            if (c.of(MessageState::queued) > 0) {
                const auto o = db_.exec(
                    "SELECT (SELECT enqueued_at FROM bcp_messages WHERE state = 'queued' ORDER "
                    "BY id LIMIT 1), (SELECT not_before FROM bcp_messages WHERE state = "
                    "'queued' ORDER BY not_before LIMIT 1)");
                if (o.rows() == 1 && !o.null(0, 0)) {
                    c.oldest_queued = o.text(0, 0);
                    c.next_attempt = o.null(0, 1) ? 0 : o.real(0, 1);
                }
            }
            return c;
        });
    }

    void list(std::optional<MessageState> state,
              const std::function<void(const Message&)>& each) override {
        // A cursor: ten million messages are listed in pages, never held at once.
        const bool outer = in_batch_;
        if (!outer) db_.run("BEGIN");
        try {
            if (state) {
                (void)db_.exec(fmt::format("DECLARE bcp_list NO SCROLL CURSOR FOR SELECT {} FROM "
                                           "bcp_messages WHERE state = $1 ORDER BY id",
                                           columns)
                                   .c_str(),
                               {std::string(to_string(*state))});
            } else {
                db_.run(fmt::format("DECLARE bcp_list NO SCROLL CURSOR FOR SELECT {} FROM "
                                    "bcp_messages ORDER BY id",
                                    columns)
                            .c_str());
            }
            for (;;) {
                const auto r = db_.exec("FETCH 1000 FROM bcp_list");
                for (int i = 0; i < r.rows(); ++i) each(read_message(r, i));
                if (r.rows() < 1000) break;
            }
            db_.run("CLOSE bcp_list");
            if (!outer) db_.run("COMMIT");
        } catch (...) {
            if (!outer) rollback();
            throw;
        }
    }

    std::optional<Message> find(std::string_view key) override {
        const auto r = db_.exec(
            fmt::format("SELECT {} FROM bcp_messages WHERE key = $1", columns).c_str(),
            {std::string(key)});
        if (r.rows() == 0) return std::nullopt;
        return read_message(r, 0);
    }

    Message resolve(std::string_view key, MessageState to, std::string_view note) override {
        check_verdict(to);
        return transaction([&] {
            const auto r = db_.exec(
                fmt::format("SELECT {} FROM bcp_messages WHERE key = $1 FOR UPDATE", columns)
                    .c_str(),
                {std::string(key)});
            if (r.rows() == 0) {
                throw none_error(fmt::format("no message with key '{}' in the queue", key));
            }
            auto current = read_message(r, 0);
            if (current.state != MessageState::unknown && current.state != MessageState::held &&
                current.state != MessageState::rejected) {
                throw data_error("state",
                                 fmt::format("message '{}' is {}: only unknown, held or rejected "
                                             "messages can be resolved",
                                             key, to_string(current.state)));
            }
            (void)db_.exec("UPDATE bcp_messages SET state = $1, note = $2, updated_at = $3, "
                           "not_before = 0 WHERE id = $4",
                           {std::string(to_string(to)), std::string(note), timestamp_now(),
                            pg::number(current.id)});
            current.state = to;
            current.note = std::string(note);
            return current;
        });
    }

    std::vector<Message> resolve_all(MessageState from, MessageState to, std::string_view note,
                                     bool dry_run) override {
        if (from != MessageState::unknown && from != MessageState::held &&
            from != MessageState::rejected) {
            throw usage_error(fmt::format("only unknown, held or rejected messages can be "
                                          "resolved, not {}",
                                          to_string(from)));
        }
        check_verdict(to);
        return transaction([&] {
            const auto r = db_.exec(
                fmt::format("SELECT {} FROM bcp_messages WHERE state = $1 ORDER BY id FOR UPDATE",
                            columns)
                    .c_str(),
                {std::string(to_string(from))});
            auto out = read_messages(r);
            if (dry_run) return out;
            (void)db_.exec("UPDATE bcp_messages SET state = $1, note = $2, updated_at = $3, "
                           "not_before = 0 WHERE state = $4",
                           {std::string(to_string(to)), std::string(note), timestamp_now(),
                            std::string(to_string(from))});
            for (auto& m : out) {
                m.state = to;
                m.note = std::string(note);
            }
            return out;
        });
    }

    void add_run(const RunRecord& run) override {
        retrying([&] {
            (void)db_.exec("INSERT INTO bcp_runs (started_at, ended_at, sent, rate_limit, "
                           "achieved, max_window) VALUES ($1,$2,$3,$4,$5,$6)",
                           {run.started_at, run.ended_at, pg::number(run.sent),
                            pg::number(run.rate_limit), pg::number(run.achieved),
                            pg::number(run.max_window)});
            return 0;
        });
    }

    std::optional<RunRecord> last_run() override {
        const auto r = db_.exec("SELECT started_at, ended_at, sent, rate_limit, achieved, "
                                "max_window FROM bcp_runs ORDER BY id DESC LIMIT 1");
        if (r.rows() == 0) return std::nullopt;
        return RunRecord{std::string(r.text(0, 0)), std::string(r.text(0, 1)), r.integer(0, 2),
                         r.real(0, 3), r.real(0, 4), r.integer(0, 5)};
    }

    std::unique_ptr<Runner> join(const RunnerOptions& o) override {
        if (!(o.lease >= 1 && o.lease <= 3600)) {
            throw usage_error("the lease is 1 to 3600 seconds");
        }
        const auto registered = std::chrono::steady_clock::now();
        const auto r = db_.exec(
            "INSERT INTO bcp_runners (host, pid, lease_until, rate) VALUES "
            "($1, $2, now() + make_interval(secs => $3::float8), $4) RETURNING id",
            {host_name(), pg::number(static_cast<std::int64_t>(::getpid())), pg::number(o.lease),
             pg::number(o.rate > 0 ? o.rate : 0.0)});
        runner_ = r.integer(0, 0);
        reconnect_seconds_ = reconnect_leases * o.lease;
        return std::make_unique<PgRunner>(db_.url(), o, runner_, registered);
    }

    std::vector<RunnerInfo> runners() override {
        const auto r = db_.exec(
            "SELECT id, host, pid, to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
            "to_char(heartbeat_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
            "to_char(lease_until, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), rate, share, busy "
            "FROM bcp_runners ORDER BY id");
        std::vector<RunnerInfo> out;
        out.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({r.integer(i, 0), std::string(r.text(i, 1)), r.integer(i, 2),
                           std::string(r.text(i, 3)), std::string(r.text(i, 4)),
                           std::string(r.text(i, 5)), r.real(i, 6), r.real(i, 7),
                           r.boolean(i, 8)});
        }
        return out;
    }

private:
    static void check_verdict(MessageState to) {
        if (to != MessageState::accepted && to != MessageState::rejected &&
            to != MessageState::queued) {
            throw usage_error("a message can be resolved as accepted, rejected or retry");
        }
    }

    // The outcomes as the JSON array the exchange statement reads with json_to_recordset. The
    // response goes through storable(): a NUL would be a \u0000, which PostgreSQL text refuses.
    static std::string outcome_json(const std::vector<Outcome>& outcomes) {
        std::string a = "[";
        for (const auto& o : outcomes) {
            if (a.size() > 1) a += ',';
            fmt::format_to(std::back_inserter(a), R"({{"id":{},"state":"{}","status":)", o.id,
                           to_string(o.state));
            if (o.status) {
                fmt::format_to(std::back_inserter(a), "{}", *o.status);
            } else {
                a += "null";
            }
            a += R"(,"response":)";
            append_json_string(a, storable(o.response));
            a += R"(,"not_before":)";
            if (std::isfinite(o.not_before)) {
                fmt::format_to(std::back_inserter(a), "{}", o.not_before);
            } else {
                a += "null";
            }
            fmt::format_to(std::back_inserter(a), R"(,"unsent":{}}})", o.sent ? 0 : 1);
        }
        a += ']';
        return a;
    }

    void migrate() {
        // The common case, without a lock: the schema is there and current.
        if (db_.exec("SELECT to_regclass('bcp_meta') IS NOT NULL").boolean(0, 0)) {
            const auto r = db_.exec("SELECT value FROM bcp_meta WHERE key = 'schema'");
            if (r.rows() == 1 && r.text(0, 0) == std::to_string(pg_schema_version)) {
                migrated_from_ = pg_schema_version;
                return;
            }
        }
        // One migration at a time, whoever else opens the queue now.
        transaction([&] {
            db_.run("SELECT pg_advisory_xact_lock(7312021)");
            db_.run("CREATE TABLE IF NOT EXISTS bcp_meta (key text PRIMARY KEY, value text NOT "
                    "NULL)");
            const auto r = db_.exec("SELECT value FROM bcp_meta WHERE key = 'schema'");
            const int found = r.rows() == 0 ? 0 : std::atoi(std::string(r.text(0, 0)).c_str());
            if (found > pg_schema_version) {
                throw io_error(fmt::format("{}: queue schema {} is not supported (this bcpkit "
                                           "reads schemas 1 to {})",
                                           location_, found, pg_schema_version),
                               location_);
            }
            if (found < 1) db_.run(schema_v1);
            migrated_from_ = found;
            (void)db_.exec("INSERT INTO bcp_meta VALUES ('schema', $1) ON CONFLICT (key) DO "
                           "UPDATE SET value = excluded.value",
                           {std::to_string(pg_schema_version)});
            return 0;
        });
    }

    pg::Connection db_;
    std::string location_;
    bool in_batch_ = false;
    std::int64_t runner_ = 0;
    std::int64_t claim_no_ = 0;
    std::int64_t pending_claim_ = 0;
    int migrated_from_ = 0;
    double reconnect_seconds_ = reconnect_default_seconds;
};

}  // namespace

std::unique_ptr<QueueBackend> open_postgresql_queue(const std::string& url) {
    return std::make_unique<PgQueue>(url);
}

}  // namespace bcp
