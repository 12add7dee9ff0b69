// Fills a unit test's queue: `n` messages keyed K0, K1..., with the bodies {"n":0}, {"n":1}...,
// in one committed batch.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "bcp/replay/queue.hpp"

namespace bcp::test {

inline void fill_queue(Queue& q, int n, std::string_view country, std::string_view system) {
    q.begin();
    for (int i = 0; i < n; ++i) {
        NewMessage m;
        m.key = "K" + std::to_string(i);
        m.country = country;
        m.system = system;
        m.body = R"({"n":)" + std::to_string(i) + "}";
        REQUIRE(q.enqueue(m) == Queue::Added::enqueued);
    }
    q.commit();
}

}  // namespace bcp::test
