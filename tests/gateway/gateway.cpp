// bcp-test-gateway: a real HTTP/1.1 server on 127.0.0.1 for the replay tests. It records the
// arrival time and idempotency key of every request, and can add latency, answer with any
// status (with Retry-After), drop the connection before or after reading the request, or hang.
//
//   bcp-test-gateway --port-file F --log F [--latency-ms N] [--faults F] [--lifetime S]
//                    [--require-auth VALUE]   (401 for a request without that Authorization)
//                    [--body-log F]  (every request body, one line each)
//                    [--backlog N] [--accept-delay-ms N]   (a small listen queue, accepted
//                    slowly: connections beyond it are refused or never accepted)
//
// Faults file, one rule per line: KEY ACTION [ARG] [xCOUNT]   (KEY * matches every key)
//   status CODE [retry-after=S]   answer CODE
//   drop-before                   close the connection without taking the request (not logged)
//   drop-after                    take the request (logged), close without an answer
//   hang                          take the request (logged), never answer
// xCOUNT applies the rule to the first COUNT requests with that key only (default: all).
// Log lines: "<unix nanoseconds> <key> <connection> <served-status>". The server stops by
// itself after --lifetime seconds (default 300), or on SIGTERM/SIGINT.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> stopping{false};
extern "C" void on_signal(int) { stopping.store(true); }

struct Rule {
    std::string action;
    int status = 200;
    int retry_after = -1;
    long count = -1;  // -1: every time
};

struct Gateway {
    int latency_ms = 0;
    std::string require_auth;  // when set, a request without this Authorization value gets 401
    int log_fd = -1;
    int body_fd = -1;  // --body-log: every request body received, one per line
    std::mutex mu;
    std::map<std::string, Rule> rules;
    std::map<std::string, long> seen;  // requests per key so far
    std::atomic<long> connections{0};
    long long body_counter = 0;

    // The rule for this request of `key`, counting it.
    Rule decide(const std::string& key) {
        std::lock_guard lock(mu);
        const long n = ++seen[key];
        for (const auto& k : {key, std::string("*")}) {
            const auto it = rules.find(k);
            if (it != rules.end() && (it->second.count < 0 || n <= it->second.count)) {
                return it->second;
            }
        }
        return Rule{"status", 200, -1, -1};
    }

    // `ns`: when the request's first bytes reached the socket (kernel timestamp), so thread
    // scheduling in this server does not blur arrival times.
    void log(const std::string& key, long conn, int status, long long ns) {
        char line[600];
        const int len = std::snprintf(line, sizeof line, "%lld %s %ld %d\n",
                                      static_cast<long long>(ns), key.c_str(), conn, status);
        if (len > 0 && log_fd >= 0) {
            // One write per line with O_APPEND: lines never interleave.
            [[maybe_unused]] const auto w = ::write(log_fd, line, static_cast<std::size_t>(len));
        }
    }
};

bool send_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// recv() that also returns the kernel's receive time of the data (SO_TIMESTAMPNS).
ssize_t recv_stamped(int fd, char* data, std::size_t size, long long& stamp_ns) {
    iovec iov{data, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &msg, 0);
    stamp_ns = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            stamp_ns = static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
        }
    }
    if (n > 0 && stamp_ns == 0) {
        stamp_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    }
    return n;
}

void serve(Gateway& g, int fd) {
    const long conn = ++g.connections;
    std::string buf;
    char chunk[65536];
    long long first_ns = 0;  // arrival of the current request's first bytes
    for (;;) {
        // Read until the end of the headers.
        std::size_t head_end;
        while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 200) == 0) {
                if (stopping.load()) {
                    ::close(fd);
                    return;
                }
                continue;
            }
            long long stamp = 0;
            const ssize_t n = recv_stamped(fd, chunk, sizeof chunk, stamp);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            if (buf.empty()) first_ns = stamp;
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        const std::string head = buf.substr(0, head_end);
        std::size_t length = 0;
        std::string key = "-";
        std::string auth;
        std::istringstream lines(head);
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            const auto name = lower(line.substr(0, colon));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "content-length") length = std::stoul(value);
            if (name == "idempotency-key") key = value;
            if (name == "authorization") auth = value;
        }
        Rule rule = g.decide(key);
        if (!g.require_auth.empty() && auth != g.require_auth) rule = Rule{"status", 401, -1, -1};
        if (rule.action == "drop-before") {
            ::close(fd);
            return;
        }
        while (buf.size() < head_end + 4 + length) {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        if (g.body_fd >= 0) {
            std::string record = buf.substr(head_end + 4, length);
            for (auto& c : record) {
                if (c == '\n') c = ' ';
            }
            record += '\n';
            std::lock_guard lock(g.mu);
            [[maybe_unused]] const auto w = ::write(g.body_fd, record.data(), record.size());
        }
        buf.erase(0, head_end + 4 + length);
        const int status = rule.action == "status" ? rule.status : 0;
        g.log(key, conn, status, first_ns);
        first_ns = 0;
        if (rule.action == "drop-after") {
            ::close(fd);
            return;
        }
        if (rule.action == "hang") {
            while (!stopping.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ::close(fd);
            return;
        }
        if (g.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(g.latency_ms));
        std::string body;
        if (status >= 200 && status < 300) {
            long long n;
            {
                std::lock_guard lock(g.mu);
                n = ++g.body_counter;
            }
            char mrn[32];
            std::snprintf(mrn, sizeof mrn, "25BE%012lldA", n);
            body = std::string(R"({"mrn":")") + mrn + R"(","key":")" + key + "\"}";
        } else {
            body = R"({"error":"status )" + std::to_string(status) + R"( for )" + key + "\"}";
        }
        std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n";
        if (rule.retry_after >= 0) resp += "Retry-After: " + std::to_string(rule.retry_after) + "\r\n";
        resp += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        if (!send_all(fd, resp)) {
            ::close(fd);
            return;
        }
    }
}

void load_faults(Gateway& g, const std::string& file) {
    std::ifstream in(file);
    if (!in) {
        std::fprintf(stderr, "bcp-test-gateway: cannot read %s\n", file.c_str());
        std::exit(2);
    }
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, action, word;
        if (!(words >> key >> action) || key[0] == '#') continue;
        Rule r;
        r.action = action;
        while (words >> word) {
            if (word.rfind("retry-after=", 0) == 0) {
                r.retry_after = std::stoi(word.substr(12));
            } else if (word[0] == 'x') {
                r.count = std::stol(word.substr(1));
            } else {
                r.status = std::stoi(word);
            }
        }
        g.rules[key] = r;
    }
}

}  // namespace

int main(int argc, char** argv) {
    Gateway g;
    std::string port_file, log_file, faults, body_log;
    int lifetime = 300;
    int backlog = 1024;
    int accept_delay_ms = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        const std::string val = argv[i + 1];
        if (opt == "--port-file") port_file = val;
        else if (opt == "--log") log_file = val;
        else if (opt == "--latency-ms") g.latency_ms = std::stoi(val);
        else if (opt == "--faults") faults = val;
        else if (opt == "--lifetime") lifetime = std::stoi(val);
        else if (opt == "--require-auth") g.require_auth = val;
        else if (opt == "--backlog") backlog = std::stoi(val);
        else if (opt == "--accept-delay-ms") accept_delay_ms = std::stoi(val);
        else if (opt == "--body-log") body_log = val;
        else {
            std::fprintf(stderr, "bcp-test-gateway: unknown option %s\n", opt.c_str());
            return 2;
        }
    }
    if (!faults.empty()) load_faults(g, faults);
    if (!log_file.empty()) {
        g.log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (g.log_fd < 0) {
            std::perror("bcp-test-gateway: log");
            return 2;
        }
    }
    if (!body_log.empty()) {
        g.body_fd = ::open(body_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (g.body_fd < 0) {
            std::perror("bcp-test-gateway: body log");
            return 2;
        }
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, backlog) != 0) {
        std::perror("bcp-test-gateway: bind");
        return 2;
    }
    socklen_t len = sizeof addr;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
    if (!port_file.empty()) {
        const std::string tmp = port_file + ".tmp";
        std::ofstream(tmp) << ntohs(addr.sin_port) << '\n';
        std::rename(tmp.c_str(), port_file.c_str());
    }
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime);
    std::vector<std::thread> threads;
    while (!stopping.load() && std::chrono::steady_clock::now() < end) {
        pollfd p{s, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        if (accept_delay_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(accept_delay_ms));
        }
        const int fd = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
        threads.emplace_back(serve, std::ref(g), fd);
    }
    stopping.store(true);
    ::close(s);
    for (auto& th : threads) th.join();
    return 0;
}
