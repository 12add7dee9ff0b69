// Unit tests of bcp/sequence.hpp and bcp/generate.hpp: durable, locked, never-repeating
// numbers, including across processes that race and processes killed midway.
#include <doctest/doctest.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "bcp/core/error.hpp"
#include "bcp/ref/generate.hpp"
#include "bcp/ref/sequence.hpp"
#include "temp_dir.hpp"

// Each unit test file is its own namespace: the test executable is built in unity batches.
namespace sequence_test {

using namespace bcp;
namespace fs = std::filesystem;

using bcp::test::TempDir;

namespace {

}  // namespace

TEST_CASE("reservations are consecutive and survive a new instance") {
    TempDir dir;
    const auto file = dir.path / "sub" / "sequence";
    {
        SequenceFile seq(file);
        CHECK(seq.peek("BECPB") == 1);
        CHECK(seq.reserve("BECPB", 3, 999) == 1);
        CHECK(seq.reserve("BECPB", 1, 999) == 4);
        CHECK(seq.reserve("OTHER", 2, 999) == 1);
    }
    SequenceFile again(file);
    CHECK(again.peek("BECPB") == 5);
    CHECK(again.reserve("BECPB", 1, 999) == 5);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(file.parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("exhaustion is an error, not a wrap-around") {
    TempDir dir;
    SequenceFile seq(dir.path / "s");
    CHECK(seq.reserve("K", 9, 10) == 1);
    CHECK_THROWS_AS((void)seq.reserve("K", 2, 10), data_error);
    CHECK(seq.reserve("K", 1, 10) == 10);
    CHECK_THROWS_AS((void)seq.reserve("K", 1, 10), data_error);
}

TEST_CASE("a corrupt file is reported, never silently restarted") {
    TempDir dir;
    const auto file = dir.path / "s";
    std::ofstream(file) << "BECPB\tabc\n";
    SequenceFile seq(file);
    CHECK_THROWS_AS((void)seq.reserve("BECPB", 1, 999), data_error);
}

TEST_CASE("a lock held by another process is a busy error after the wait") {
    TempDir dir;
    const auto file = dir.path / "s";
    SequenceFile seq(file, std::chrono::milliseconds(100));
    (void)seq.reserve("K", 1, 999);
    const int fd = ::open((file.string() + ".lock").c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::flock(fd, LOCK_EX);
        ::sleep(3);
        ::_exit(0);
    }
    ::usleep(200000);
    CHECK_THROWS_AS((void)seq.reserve("K", 1, 999), busy_error);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(fd);
    CHECK(seq.reserve("K", 1, 999) == 2);
}

TEST_CASE("racing processes never receive the same number") {
    TempDir dir;
    const auto file = dir.path / "s";
    constexpr int procs = 6, rounds = 40;
    std::vector<pid_t> children;
    for (int p = 0; p < procs; ++p) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            {
                std::ofstream out(dir.path / ("out" + std::to_string(p)));
                SequenceFile seq(file);
                for (int r = 0; r < rounds; ++r) out << seq.reserve("K", 3, 1000000) << '\n';
            }  // _exit skips destructors: close the stream first
            ::_exit(0);
        }
        children.push_back(pid);
    }
    for (auto pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
    }
    std::set<std::uint64_t> numbers;
    for (int p = 0; p < procs; ++p) {
        std::ifstream in(dir.path / ("out" + std::to_string(p)));
        std::uint64_t first = 0;
        while (in >> first) {
            for (std::uint64_t k = 0; k < 3; ++k) CHECK(numbers.insert(first + k).second);
        }
    }
    CHECK(numbers.size() == procs * rounds * 3);
    CHECK(SequenceFile(file).peek("K") == procs * rounds * 3 + 1);
}

TEST_CASE("processes killed midway never cause a repeat") {
    TempDir dir;
    const auto file = dir.path / "s";
    std::set<std::uint64_t> handed_out;
    for (int round = 0; round < 15; ++round) {
        int pipefd[2];
        REQUIRE(::pipe(pipefd) == 0);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(pipefd[0]);
            SequenceFile seq(file);
            for (;;) {
                const auto first = seq.reserve("K", 1, 100000000);
                if (::write(pipefd[1], &first, sizeof first) != sizeof first) ::_exit(1);
            }
        }
        ::close(pipefd[1]);
        ::usleep(static_cast<useconds_t>(2000 + round * 1700));
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        std::uint64_t got = 0;
        while (::read(pipefd[0], &got, sizeof got) == sizeof got) {
            CHECK(handed_out.insert(got).second);
        }
        ::close(pipefd[0]);
    }
    // The file is still readable and continues past everything handed out.
    const auto next = SequenceFile(file).peek("K");
    CHECK(next > *handed_out.rbegin());
}

TEST_CASE("generated BCP-IDs and MRN-format references") {
    TempDir dir;
    SequenceFile seq(dir.path / "s");
    GenerateOptions o;
    o.year2 = 25;
    o.count = 3;
    const auto ids = generate(o, seq);
    REQUIRE(ids.size() == 3);
    CHECK(ids[0] == "25BECPB000000001R3");
    for (const auto& id : ids) CHECK(check_bcp_id(id).valid());

    GenerateOptions m;
    m.type = RefType::mrn;
    m.year2 = 25;
    m.procedure = 'B';
    const auto mrn = generate(m, seq);
    // Same country and CPB prefix: the same counter, so never the same unique part.
    CHECK(mrn[0] == make_mrn(25, "BE", "CPB000000004", 'B'));
    CHECK(check_mrn(mrn[0]).valid());

    GenerateOptions p = o;
    p.prefix = "AX";
    p.count = 1;
    CHECK(generate(p, seq)[0] == make_mrn(25, "BE", "CPBAX0000001", 'R'));
}

TEST_CASE("generator options are checked") {
    GenerateOptions o;
    o.country = "NL";
    CHECK_THROWS_AS((void)resolve(o), usage_error);
    o = {};
    o.procedure = 'F';
    CHECK_THROWS_AS((void)resolve(o), usage_error);
    o = {};
    o.prefix = "ABCDEFG";
    CHECK_THROWS_AS((void)resolve(o), usage_error);
    o = {};
    o.prefix = "ab";
    CHECK_THROWS_AS((void)resolve(o), usage_error);
    o = {};
    o.type = RefType::mrn;
    o.country = "QQ";
    CHECK_THROWS_AS((void)resolve(o), usage_error);
    o = {};
    const auto r = resolve(o);
    CHECK(r.procedure == 'R');
    CHECK(r.year2 >= 25);
    CHECK(sequence_max(r) == 999999999);
}

}  // namespace sequence_test
