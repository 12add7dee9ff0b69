#include "bcp/notice/notice_link.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace bcp {

std::string notice_window_key(const Notice& n) {
    if (!n.window_stated || !n.window.start || n.systems.empty() || !n.relevant) return {};
    // A window copied from an old notice is no evidence that two notices speak of the same
    // outage (customs4trade-1: two DMS incidents both "unavailable from Saturday 25-10-2025 09:02").
    for (const auto& w : n.warnings) {
        if (w.code == "stale-date") return {};
    }
    return fmt::format("{}|{}|{}", n.country, n.systems.front(), n.window.start->time_since_epoch().count());
}

std::vector<std::string> notice_link_keys(const Notice& n) {
    std::vector<std::string> keys;
    for (const auto& p : n.procedures) {
        if (p.call.empty()) continue;
        std::string k = "call " + p.call;
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
    }
    if (std::string w = notice_window_key(n); !w.empty()) keys.push_back("window " + w);
    return keys;
}

std::vector<NoticeLinker::Superseded> NoticeLinker::link(Notice& n) {
    std::vector<Superseded> out;
    const std::size_t order = order_++;
    // Whether `n` was posted after `k`: posting times decide, else input order (n is read later).
    auto is_later = [&](const Known& k) {
        if (n.posted_at && k.posted_at && *n.posted_at != *k.posted_at) return *n.posted_at > *k.posted_at;
        return true;
    };
    struct Fields {
        std::optional<UtcTime>& start;
        std::optional<UtcTime>& end;
        bool start_stated, end_stated;
        std::string* system;
        std::string* mention;
        std::vector<std::string>* codes;
    };
    // Merges `k` (what the run knows) and `f` (this notice) into both, returns the relation.
    auto merge = [&](Known& k, Fields f, bool single) -> LinkRelation {
        LinkRelation relation{};
        if (is_later(k)) {
            // This notice is the later word: it keeps what it states, takes the rest unless it
            // voids the earlier notice.
            relation = n.disregards_previous ? LinkRelation::disregarded : LinkRelation::earlier;
            if (!n.disregards_previous) {
                if (!f.start_stated && k.start_stated) f.start = k.start;
                if (!f.end_stated && k.end_stated) f.end = k.end;
                if (f.system != nullptr && f.system->empty()) *f.system = k.system;
                if (f.mention != nullptr && f.mention->empty()) *f.mention = k.mention;
                if (f.codes != nullptr && f.codes->empty()) *f.codes = k.codes;
                f.start_stated = f.start_stated || k.start_stated;
                f.end_stated = f.end_stated || k.end_stated;
            }
            k.id = n.id;
            k.posted_at = n.posted_at;
            k.order = order;
            k.cancelled = n.cancelled;
            k.disregards_previous = n.disregards_previous;
        } else {
            // A later notice was read first (a status page lists the newest first): what it
            // states wins.
            relation = k.disregards_previous ? LinkRelation::disregarding : LinkRelation::later;
            if (k.disregards_previous) {
                // The later notice voids this one: its state is the final one, whole.
                f.start = k.start;
                f.end = k.end;
                f.start_stated = k.start_stated;
                f.end_stated = k.end_stated;
                if (single) n.cancelled = k.cancelled;
                if (f.system != nullptr && !k.system.empty()) *f.system = k.system;
                if (f.mention != nullptr) *f.mention = k.mention;
                if (f.codes != nullptr) *f.codes = k.codes;
                k.start = f.start;
                k.end = f.end;
                return relation;
            }
            if (k.start_stated) f.start = k.start;
            if (k.end_stated) f.end = k.end;
            if (k.cancelled && single) n.cancelled = true;
            if (f.system != nullptr && f.system->empty()) *f.system = k.system;
            if (f.mention != nullptr && f.mention->empty()) *f.mention = k.mention;
            if (f.codes != nullptr && f.codes->empty()) *f.codes = k.codes;
            f.start_stated = f.start_stated || k.start_stated;
            f.end_stated = f.end_stated || k.end_stated;
        }
        k.start = f.start;
        k.end = f.end;
        k.start_stated = f.start_stated;
        k.end_stated = f.end_stated;
        if (f.system != nullptr) k.system = *f.system;
        if (f.mention != nullptr) k.mention = *f.mention;
        if (f.codes != nullptr) k.codes = *f.codes;
        return relation;
    };
    auto known_from = [&](const std::optional<UtcTime>& start, const std::optional<UtcTime>& end, bool ss,
                          bool es) {
        Known k;
        k.id = n.id;
        k.posted_at = n.posted_at;
        k.order = order;
        k.start = start;
        k.end = end;
        k.start_stated = ss;
        k.end_stated = es;
        k.cancelled = n.cancelled;
        k.disregards_previous = n.disregards_previous;
        return k;
    };
    auto add_link = [&](const std::string& id, const std::string& call, LinkRelation relation) {
        for (const auto& l : n.links) {
            if (l.id == id && l.call == call) return;
        }
        n.links.push_back({id, call, relation});
    };

    const bool single = n.procedures.size() <= 1;
    for (auto& p : n.procedures) {
        if (p.call.empty()) continue;
        auto it = calls_.find(p.call);
        if (it == calls_.end()) {
            Known k = known_from(p.start, p.end, p.start_stated, p.end_stated);
            k.system = p.system;
            k.mention = p.mention;
            k.codes = p.codes;
            k.printed = n.id;
            calls_.emplace(p.call, std::move(k));
            continue;
        }
        Known& k = it->second;
        // The same notice read again (another fetch of the page) is no new information.
        if (k.printed == n.id) continue;
        const std::string previous = k.printed;
        const std::string other = k.id;
        const LinkRelation relation =
            merge(k, {p.start, p.end, p.start_stated, p.end_stated, &p.system, &p.mention, &p.codes}, single);
        add_link(other, p.call, relation);
        k.printed = n.id;
        out.push_back({previous, p.call});
    }

    if (const std::string key = notice_window_key(n); !key.empty()) {
        const bool end_stated = n.window.end.has_value();
        auto it = windows_.find(key);
        if (it == windows_.end()) {
            Known k = known_from(n.window.start, n.window.end, true, end_stated);
            k.printed = n.id;
            windows_.emplace(key, std::move(k));
        } else if (it->second.printed != n.id) {
            Known& k = it->second;
            const std::string previous = k.printed;
            const std::string other = k.id;
            const LinkRelation relation =
                merge(k, {n.window.start, n.window.end, true, end_stated, nullptr, nullptr, nullptr}, true);
            add_link(other, std::string(), relation);
            k.printed = n.id;
            out.push_back({previous, {}});
        }
    }
    return out;
}

void InForceSet::add(Notice n) {
    for (const auto& s : linker_.link(n)) {
        held_.erase(std::remove_if(held_.begin(), held_.end(), [&](const Notice& h) { return h.id == s.id; }), held_.end());
    }
    // Held until the end, so a later notice can still cancel or move them.
    if (notice_in_force(n, query_)) held_.push_back(std::move(n));
}

void EventSet::add(Notice n) {
    for (const auto& s : linker_.link(n)) {
        // Forgets what the earlier record of the linked call (or window, empty call) contributed.
        const std::string prefix = s.id + "-";
        events_.erase(std::remove_if(events_.begin(), events_.end(),
                                     [&](const NoticeEvent& e) {
                                         if (e.uid.compare(0, prefix.size(), prefix) != 0) return false;
                                         return s.call.empty() ? e.uid == s.id + "-window@bcpkit" : e.call == s.call;
                                     }),
                      events_.end());
    }
    for (auto& e : notice_events(n)) events_.push_back(std::move(e));
}

}  // namespace bcp
