#include "bcp/registry/knowledge.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bcp/core/data_dir.hpp"
#include "bcp/core/error.hpp"
#include "bcp/core/time.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {

namespace {

constexpr std::array<std::pair<std::string_view, Meaning>, 19> meaning_keys{{
    {"activated", Meaning::activated},
    {"planned", Meaning::planned},
    {"unplanned", Meaning::unplanned},
    {"cancelled", Meaning::cancelled},
    {"moved", Meaning::moved},
    {"prolonged", Meaning::prolonged},
    {"resolved", Meaning::resolved},
    {"fallback_allowed", Meaning::fallback_allowed},
    {"fallback_advised", Meaning::fallback_advised},
    {"fallback_not_allowed", Meaning::fallback_not_allowed},
    {"buffered", Meaning::buffered},
    {"declarant_buffers", Meaning::declarant_buffers},
    {"rejected", Meaning::rejected},
    {"resubmit", Meaning::resubmit},
    {"disregard", Meaning::disregard},
    {"unaffected", Meaning::unaffected},
    {"national_system", Meaning::national_system},
    {"central_system", Meaning::central_system},
    {"down", Meaning::down},
}};

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 18> word_keys{{
    {"start", word_class::start},
    {"end", word_class::end},
    {"by", word_class::by},
    {"update", word_class::update},
    {"from", word_class::from},
    {"to", word_class::to},
    {"until", word_class::until},
    {"between", word_class::between},
    {"and", word_class::and_},
    {"at", word_class::at},
    {"on", word_class::on},
    {"since", word_class::since},
    {"latest", word_class::latest},
    {"next", word_class::next},
    {"today", word_class::today},
    {"tomorrow", word_class::tomorrow},
    {"yesterday", word_class::yesterday},
    {"until_further_notice", 0},  // a phrase (Meaning::until_further_notice), not a word class
}};

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 8> time_keys{{
    {"zones", 0},  // a table, read by read_zones()
    {"before", word_class::time_before},
    {"after", word_class::time_after},
    {"am", word_class::am},
    {"pm", word_class::pm},
    {"noon", word_class::noon},
    {"midnight", word_class::midnight},
    {"day_suffixes", word_class::day_suffix},
}};

constexpr std::array<std::string_view, 4> kinds{"authority", "union", "vendor", "community"};

// Acronyms in capitals ("AES", "HMRC", "UUM&DS") are matched with their case: "aes" in a word
// list or "adm" in a sentence is not the system or the authority.
bool acronym(std::string_view s) {
    if (s.empty() || s.size() > 12) return false;
    bool letter = false;
    for (const char c : s) {
        if (c >= 'a' && c <= 'z') return false;
        if (static_cast<unsigned char>(c) >= 0x80) return false;
        if (c >= 'A' && c <= 'Z') letter = true;
    }
    return letter;
}

struct Reader {
    std::string file;
    std::vector<DataProblem>* problems;
    bool failed = false;

    void problem(const std::string& message) {
        failed = true;
        if (problems == nullptr) throw data_error("knowledge", fmt::format("{}: {}", file, message), file);
        problems->push_back({file, message});
    }
    // A problem only a lint reports (a file that refers to another that is missing): at run
    // time the reference is ignored rather than stopping every command.
    void lint_problem(const std::string& message) {
        if (problems != nullptr) problem(message);
    }
    std::string string(const toml::table& t, std::string_view key, bool required) {
        const auto* n = t.get(key);
        if (n == nullptr) {
            if (required) problem(fmt::format("'{}' is missing", key));
            return {};
        }
        if (const auto* s = n->as_string()) return s->get();
        problem(fmt::format("'{}' must be a string", key));
        return {};
    }
    std::vector<std::string> strings(const toml::node* n, std::string_view key) {
        std::vector<std::string> out;
        if (n == nullptr) return out;
        const auto* a = n->as_array();
        if (a == nullptr) {
            problem(fmt::format("'{}' must be an array of strings", key));
            return out;
        }
        for (const auto& e : *a) {
            if (const auto* s = e.as_string()) {
                if (s->get().empty()) {
                    problem(fmt::format("'{}' holds an empty string", key));
                } else {
                    out.push_back(s->get());
                }
            } else {
                problem(fmt::format("'{}' must be an array of strings", key));
            }
        }
        return out;
    }
    std::vector<std::string> strings(const toml::table& t, std::string_view key) {
        return strings(t.get(key), key);
    }
    void known_keys(const toml::table& t, std::initializer_list<std::string_view> keys, std::string_view where) {
        for (const auto& [k, v] : t) {
            if (std::find(keys.begin(), keys.end(), k.str()) == keys.end()) {
                problem(fmt::format("unknown key '{}'{}", k.str(), where));
            }
        }
    }
    std::vector<DataSource> sources(const toml::table& t) {
        std::vector<DataSource> out;
        const auto* n = t.get("sources");
        const auto* a = n != nullptr ? n->as_array() : nullptr;
        if (a == nullptr || a->empty()) {
            problem("no [[sources]]: every file cites a public source");
            return out;
        }
        for (const auto& e : *a) {
            const auto* s = e.as_table();
            if (s == nullptr) {
                problem("[[sources]] entries must be tables");
                continue;
            }
            known_keys(*s, {"id", "publisher", "title", "url", "date", "note"}, " in [[sources]]");
            DataSource d{string(*s, "id", true), string(*s, "publisher", true), string(*s, "title", true),
                         string(*s, "url", true), string(*s, "date", true)};
            if (!d.url.empty() && d.url.rfind("https://", 0) != 0 && d.url.rfind("http://", 0) != 0) {
                problem(fmt::format("source '{}': url '{}' is not a public web address", d.id, d.url));
            }
            out.push_back(std::move(d));
        }
        return out;
    }
};

std::string stem_of(const std::filesystem::path& p) { return p.stem().string(); }

// Calls f(value of the key in `keys`, node, key) for each key of the section; an unknown key
// or a missing section is a problem of the file.
template <class Keys, class F>
void each_key(Reader& r, const toml::table* t, std::string_view section, const Keys& keys, F&& f) {
    if (t == nullptr) {
        r.problem(fmt::format("[{}] is missing", section));
        return;
    }
    for (const auto& entry : *t) {
        const std::string_view key = entry.first.str();
        const auto it = std::find_if(keys.begin(), keys.end(), [key](const auto& p) { return p.first == key; });
        if (it == keys.end()) {
            r.problem(fmt::format("unknown key '{}' in [{}]", key, section));
            continue;
        }
        f(it->second, entry.second, key);
    }
}

std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().extension() == ".toml" && e.is_regular_file(ec)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<toml::table> parse_file(Reader& r, const std::filesystem::path& path) {
    try {
        return toml::parse_file(path.string());
    } catch (const toml::parse_error& e) {
        r.problem(fmt::format("line {}: {}", e.source().begin.line, std::string(e.description())));
    }
    return std::nullopt;
}

}  // namespace

std::string_view meaning_name(Meaning m) noexcept {
    for (const auto& [k, v] : meaning_keys) {
        if (v == m) return k;
    }
    return m == Meaning::until_further_notice ? "until_further_notice" : "unknown";
}

int WordInfo::month_in(std::size_t language) const {
    if (month >= 0) return month;
    for (const auto& e : by_language) {
        if (static_cast<std::size_t>(e[0]) == (language & 0x7F) && e[1] != 0) return e[1];
    }
    return 0;  // the packs disagree and the notice's language is not one of them: no month
}

int WordInfo::weekday_in(std::size_t language) const {
    if (weekday >= -1) return weekday;
    for (const auto& e : by_language) {
        if (static_cast<std::size_t>(e[0]) == (language & 0x7F) && e[2] >= 0) return e[2];
    }
    return -1;
}

const SystemEntry* AuthorityProfile::system(std::string_view system_id) const {
    for (const auto& s : systems) {
        if (s.id == system_id) return &s;
    }
    return nullptr;
}

// --- The automaton ---------------------------------------------------------------------------

struct Knowledge::Automaton {
    struct Pattern {
        std::string folded, original;
        PhraseHit::Kind kind;
        Meaning meaning = Meaning::count;
        std::uint16_t language = 0, authority = 0, system = 0;
        bool stem = false, exact_case = false;
        std::int32_t next = -1;  // the next pattern ending at the same node
    };
    struct Node {
        std::uint32_t first_edge = 0, edges = 0;
        std::int32_t fail = 0, dict = -1, out = -1;
    };
    std::vector<Pattern> patterns;
    std::vector<Node> nodes;
    std::vector<std::pair<unsigned char, std::uint32_t>> edges;  // (byte, node), sorted per node
    std::array<std::uint32_t, 256> root{};
    // Full transition rows (failures resolved) for the nodes of depth 1 and 2, where a scan
    // spends most of its steps: row[node] indexes `dense`, -1 for deeper nodes.
    std::vector<std::int32_t> row;
    std::vector<std::array<std::uint32_t, 256>> dense;
    static constexpr std::uint32_t kDenseDepth = 2;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view v) const noexcept { return std::hash<std::string_view>{}(v); }
    };
    std::unordered_map<std::string, WordInfo, Hash, std::equal_to<>> words;
    // A bit per (length, first two bytes) of the words: rules out most words of a notice
    // without hashing them.
    std::array<std::uint64_t, 1024> filter{};
    static std::size_t filter_bit(unsigned a, unsigned b, std::size_t length) {
        return ((a * 131u + b) * 61u + std::min<std::size_t>(length, 60)) & 0xFFFFu;
    }
    static std::size_t filter_bit(std::string_view w) {
        return filter_bit(static_cast<unsigned char>(w[0]), w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u, w.size());
    }
    [[nodiscard]] bool filter_has_bytes(unsigned char a, unsigned char b, std::size_t length) const {
        const std::size_t bit = filter_bit(a, b, length);
        return ((filter[bit >> 6] >> (bit & 63u)) & 1u) != 0;
    }
    void filter_add(std::string_view w) {
        if (w.empty()) return;
        const std::size_t bit = filter_bit(w);
        filter[bit >> 6] |= std::uint64_t{1} << (bit & 63u);
    }
    [[nodiscard]] bool filter_has(std::string_view w) const {
        if (w.empty()) return false;
        const std::size_t bit = filter_bit(w);
        return ((filter[bit >> 6] >> (bit & 63u)) & 1u) != 0;
    }

    void add(Pattern p) {
        if (p.folded.empty()) return;
        patterns.push_back(std::move(p));
    }

    // The trie from the patterns in sorted order (each new node's path shares its first bytes
    // with the previous pattern's), edges grouped by node with a counting sort, failure links
    // breadth first: linear in the patterns' length, once per process.
    void build() {
        std::vector<std::uint32_t> order(patterns.size());
        for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
        // Stable: patterns that fold alike keep the order of the files, so hits are reported the same way every time.
        std::stable_sort(order.begin(), order.end(), [this](std::uint32_t x, std::uint32_t y) { return patterns[x].folded < patterns[y].folded; });
        struct Edge {
            std::uint32_t parent, child;
            unsigned char byte;
        };
        std::vector<Edge> made;
        std::vector<std::uint32_t> depth(1, 0);
        std::vector<std::int32_t> out(1, -1);
        std::vector<std::uint32_t> path(1, 0);  // path[d]: node of the previous pattern at depth d
        const std::string* previous = nullptr;
        for (const std::uint32_t k : order) {
            const std::string& f = patterns[k].folded;
            std::size_t common = 0;
            if (previous != nullptr) {
                while (common < f.size() && common < previous->size() && f[common] == (*previous)[common]) ++common;
            }
            path.resize(common + 1);
            for (std::size_t d = common; d < f.size(); ++d) {
                const auto child = static_cast<std::uint32_t>(depth.size());
                made.push_back({path[d], child, static_cast<unsigned char>(f[d])});
                depth.push_back(static_cast<std::uint32_t>(d + 1));
                out.push_back(-1);
                path.push_back(child);
            }
            const std::uint32_t end = path[f.size()];
            patterns[k].next = out[end];
            out[end] = static_cast<std::int32_t>(k);
            previous = &f;
        }
        const std::size_t count = depth.size();
        nodes.assign(count, Node{});
        // Edges by parent; within a parent they were made in byte order already.
        for (const auto& e : made) ++nodes[e.parent].edges;
        std::uint32_t at = 0;
        for (auto& n : nodes) {
            n.first_edge = at;
            at += n.edges;
            n.edges = 0;
        }
        edges.assign(made.size(), {});
        for (const auto& e : made) {
            auto& n = nodes[e.parent];
            edges[n.first_edge + n.edges++] = {e.byte, e.child};
        }
        for (std::size_t k = 0; k < count; ++k) nodes[k].out = out[k];
        root.fill(0);
        for (std::uint32_t k = 0; k < nodes[0].edges; ++k) root[edges[k].first] = edges[k].second;
        // Breadth first: nodes by depth (a counting sort), each failure link from its parent's.
        std::uint32_t max_depth = 0;
        for (const auto d : depth) max_depth = std::max(max_depth, d);
        std::vector<std::uint32_t> by_depth_start(max_depth + 2, 0);
        for (const auto d : depth) ++by_depth_start[d + 1];
        for (std::size_t d = 1; d < by_depth_start.size(); ++d) by_depth_start[d] += by_depth_start[d - 1];
        std::vector<std::uint32_t> bfs(count);
        {
            auto fill = by_depth_start;
            for (std::uint32_t k = 0; k < count; ++k) bfs[fill[depth[k]]++] = k;
        }
        for (const std::uint32_t s : bfs) {
            const Node& n = nodes[s];
            for (std::uint32_t e = 0; e < n.edges; ++e) {
                const auto [c, t] = edges[n.first_edge + e];
                std::uint32_t g = 0;
                if (s != 0) {
                    std::uint32_t f = static_cast<std::uint32_t>(n.fail);
                    while (true) {
                        g = step(f, c);
                        if (g != 0 || f == 0) break;
                        f = static_cast<std::uint32_t>(nodes[f].fail);
                    }
                }
                nodes[t].fail = static_cast<std::int32_t>(g == t ? 0 : g);
                const auto& fn = nodes[static_cast<std::size_t>(nodes[t].fail)];
                nodes[t].dict = fn.out >= 0 ? nodes[t].fail : fn.dict;
            }
        }
        // Dense rows for the nodes near the root, breadth first: a child's edge, else the
        // failure's row (shallower, so already made).
        row.assign(count, -1);
        dense.clear();
        for (const std::uint32_t k : bfs) {
            if (k == 0 || depth[k] > kDenseDepth) continue;
            const auto f = static_cast<std::uint32_t>(nodes[k].fail);
            std::array<std::uint32_t, 256> r = f == 0 ? root : dense[static_cast<std::size_t>(row[f])];
            const Node& n = nodes[k];
            for (std::uint32_t e = 0; e < n.edges; ++e) r[edges[n.first_edge + e].first] = edges[n.first_edge + e].second;
            row[k] = static_cast<std::int32_t>(dense.size());
            dense.push_back(r);
        }
    }

    // The state after byte `c` from state `s`, failures followed.
    [[nodiscard]] std::uint32_t next(std::uint32_t s, unsigned char c) const {
        while (true) {
            if (s == 0) return root[c];
            if (row[s] >= 0) return dense[static_cast<std::size_t>(row[s])][c];
            if (const std::uint32_t g = step(s, c); g != 0) return g;
            s = static_cast<std::uint32_t>(nodes[s].fail);
        }
    }

    // The node after byte `c` from `s`, or 0 (the root) when `s` has no such edge.
    [[nodiscard]] std::uint32_t step(std::uint32_t s, unsigned char c) const {
        if (s == 0) return root[c];
        const Node& n = nodes[s];
        const auto* e = edges.data() + n.first_edge;
        for (std::uint32_t k = 0; k < n.edges; ++k) {
            if (e[k].first == c) return e[k].second;
            if (e[k].first > c) break;
        }
        return 0;
    }
};

namespace {

// [time] zones: a zone word of the language to a zone label or an IANA zone.
void read_zones(Reader& r, const toml::node& v, Knowledge::Automaton& a) {
    const auto* z = v.as_table();
    if (z == nullptr) {
        r.problem("[time] zones must be a table");
        return;
    }
    static constexpr std::array<std::string_view, 10> labels{"CET", "CEST", "EET", "EEST", "WET", "WEST", "GMT", "BST", "IST", "UTC"};
    for (const auto& entry : *z) {
        const auto* s = entry.second.as_string();
        const std::string label = s != nullptr ? s->get() : std::string();
        if (label.empty() || (std::find(labels.begin(), labels.end(), label) == labels.end() && !is_zone(label))) {
            r.problem(fmt::format("[time] zone '{}' is neither a zone label nor an IANA zone", std::string(entry.first.str())));
            continue;
        }
        const std::string word = fold(entry.first.str());
        if (word.find(' ') != std::string::npos) continue;  // a zone of several words: not read yet
        auto& info = a.words[word];
        info.classes |= word_class::zone;
        info.zone = label;
    }
}

}  // namespace

Knowledge::Knowledge()
    : automaton_(std::make_unique<Automaton>()), common_(std::make_unique<Automaton>()),
      countries_(std::make_unique<Automaton>()) {}
Knowledge::~Knowledge() = default;

std::shared_ptr<const Knowledge> Knowledge::load(const std::filesystem::path& dir,
                                                 std::vector<DataProblem>* problems) {
    auto k = std::make_shared<Knowledge>();
    auto& a = *k->automaton_;
    std::set<std::string> source_ids;
    auto check_sources = [&](Reader& r, const std::vector<DataSource>& sources) {
        for (const auto& s : sources) {
            if (s.id.empty()) continue;
            if (!source_ids.insert(s.id).second) r.lint_problem(fmt::format("source id '{}' is used by another file too", s.id));
        }
    };
    auto add_word = [&](const std::string& w, auto&& set) {
        // Every word of a multi-word entry gets the class: the grammar reads tokens.
        // Split as the date scanner tokenizes: on every byte that is not part of a word
        // ("jusqu'au" gives "jusqu" and "au", "kl." gives "kl").
        const std::string f = fold(w);
        std::size_t at = 0;
        while (at < f.size()) {
            while (at < f.size() && !word_byte(static_cast<unsigned char>(f[at]))) ++at;
            std::size_t e = at;
            while (e < f.size() && word_byte(static_cast<unsigned char>(f[e]))) ++e;
            if (e > at) set(a.words[f.substr(at, e - at)]);
            at = e;
        }
    };

    // Languages.
    for (const auto& path : toml_files(dir / "languages")) {
        Reader r{path.string(), problems};
        auto doc = parse_file(r, path);
        if (!doc) continue;
        r.known_keys(*doc, {"id", "name", "common", "months", "weekdays", "words", "time", "phrases", "countries", "sources", "note"}, "");
        LanguagePack pack;
        pack.file = path.string();
        pack.id = r.string(*doc, "id", true);
        pack.name = r.string(*doc, "name", true);
        if (!pack.id.empty() && pack.id != stem_of(path)) {
            r.problem(fmt::format("id '{}' is not the file name '{}'", pack.id, stem_of(path)));
        }
        pack.common = r.strings(*doc, "common");
        pack.sources = r.sources(*doc);
        check_sources(r, pack.sources);
        if (r.failed && problems == nullptr) continue;
        const auto lang = static_cast<std::uint16_t>(k->languages_.size());
        auto table = [&](std::string_view key, int count, auto&& set) {
            const auto* t = doc->get_as<toml::table>(key);
            if (t == nullptr) {
                r.problem(fmt::format("[{}] is missing", key));
                return;
            }
            for (int i = 1; i <= count; ++i) {
                const auto forms = r.strings(t->get(std::to_string(i)), fmt::format("{}.{}", key, i));
                if (forms.empty()) r.problem(fmt::format("[{}] has no entry {}", key, i));
                for (const auto& w : forms) add_word(w, [&](WordInfo& info) { set(info, i); });
            }
            for (const auto& [kk, v] : *t) {
                const std::string s(kk.str());
                bool number = !s.empty() && s.size() <= 2 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
                if (!number || std::stoi(s) < 1 || std::stoi(s) > count) r.problem(fmt::format("[{}] key '{}' is not 1 to {}", key, s, count));
            }
        };
        const auto lang_tag = static_cast<std::int8_t>(k->languages_.size() & 0x7F);
        table("months", 12, [lang_tag](WordInfo& info, int i) {
            const auto m = static_cast<std::int8_t>(i);
            if (info.month == 0) info.month = m;
            if (info.month != m) info.month = -1;
            info.by_language.push_back({lang_tag, m, -1});
        });
        table("weekdays", 7, [lang_tag](WordInfo& info, int i) {
            const auto d = static_cast<std::int8_t>(i - 1);
            if (info.weekday == -1) info.weekday = d;
            if (info.weekday != d) info.weekday = -2;
            info.by_language.push_back({lang_tag, 0, d});
        });
        each_key(r, doc->get_as<toml::table>("words"), "words", word_keys, [&](std::uint32_t cls, const toml::node& v, std::string_view key) {
            for (const auto& w : r.strings(&v, key)) {
                if (cls == 0) {
                    a.add({fold(w), w, PhraseHit::Kind::meaning, Meaning::until_further_notice, lang});
                } else {
                    add_word(w, [cls](WordInfo& info) { info.classes |= cls; });
                }
            }
        });
        each_key(r, doc->get_as<toml::table>("time"), "time", time_keys, [&](std::uint32_t cls, const toml::node& v, std::string_view key) {
            if (cls == 0) {  // zones
                read_zones(r, v, a);
                return;
            }
            for (const auto& w : r.strings(&v, key)) {
                if (cls == word_class::day_suffix || cls == word_class::am || cls == word_class::pm) {
                    a.words[fold(w)].classes |= cls;  // "st", "pm": kept whole, never split
                } else {
                    add_word(w, [cls](WordInfo& info) { info.classes |= cls; });
                }
            }
        });
        each_key(r, doc->get_as<toml::table>("phrases"), "phrases", meaning_keys, [&](Meaning m, const toml::node& v, std::string_view key) {
            for (const auto& w : r.strings(&v, key)) {
                std::string f = fold(w);
                const bool stem = !f.empty() && f.back() == '*';
                if (stem) f.pop_back();
                if (f.find('*') != std::string::npos) r.problem(fmt::format("phrase '{}': '*' only at the end", w));
                if (f.size() < 3) r.problem(fmt::format("phrase '{}' is too short to mean anything", w));
                Automaton::Pattern p{f, w, PhraseHit::Kind::meaning, m, lang};
                p.stem = stem;
                a.add(std::move(p));
            }
        });
        for (const auto& w : pack.common) k->common_->add({fold(w), w, PhraseHit::Kind::common_word, Meaning::count, lang});
        if (const auto* t = doc->get_as<toml::table>("countries")) {
            for (const auto& [key, v] : *t) {
                const std::string code(key.str());
                if (!is_country(code)) {
                    r.problem(fmt::format("[countries] key '{}' is not an ISO 3166 country code", code));
                    continue;
                }
                auto at = std::find(k->country_codes_.begin(), k->country_codes_.end(), code);
                if (at == k->country_codes_.end()) at = k->country_codes_.insert(at, code);
                const auto ci = static_cast<std::uint16_t>(at - k->country_codes_.begin());
                for (const auto& w : r.strings(&v, fmt::format("countries.{}", code))) {
                    std::string f = fold(w);
                    const bool stem = !f.empty() && f.back() == '*';
                    if (stem) f.pop_back();
                    if (f.find('*') != std::string::npos) r.problem(fmt::format("country name '{}': '*' only at the end", w));
                    if (f.size() < 3 || (stem && f.size() < 5)) r.problem(fmt::format("country name '{}' is too short to be told from other words", w));
                    Automaton::Pattern p{f, w, PhraseHit::Kind::country, Meaning::count, lang, 0, ci};
                    p.stem = stem;
                    k->countries_->add(std::move(p));
                }
            }
        }
        k->languages_.push_back(std::move(pack));
    }

    // Authorities.
    for (const auto& path : toml_files(dir / "authorities")) {
        Reader r{path.string(), problems};
        auto doc = parse_file(r, path);
        if (!doc) continue;
        r.known_keys(*doc, {"id", "kind", "country", "name", "zone", "languages", "names", "domains", "boilerplate", "calls",
                            "tickets", "codes", "unnamed_systems", "note", "systems", "subjects", "links", "sources"}, "");
        AuthorityProfile p;
        p.file = path.string();
        p.id = r.string(*doc, "id", true);
        if (!p.id.empty() && p.id != stem_of(path)) r.problem(fmt::format("id '{}' is not the file name '{}'", p.id, stem_of(path)));
        p.kind = r.string(*doc, "kind", true);
        if (!p.kind.empty() && std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) {
            r.problem(fmt::format("kind '{}' is not authority, union, vendor or community", p.kind));
        }
        p.country = r.string(*doc, "country", true);
        if (!p.country.empty() && p.country != "EU" && !is_country(p.country)) {
            r.problem(fmt::format("country '{}' is not an ISO 3166-1 alpha-2 code or EU", p.country));
        }
        if ((p.kind == "authority" || p.kind == "union") && p.country.empty()) r.problem("an authority needs a country");
        p.name = r.string(*doc, "name", true);
        p.zone = r.string(*doc, "zone", true);
        if (!p.zone.empty() && !is_zone(p.zone)) r.problem(fmt::format("zone '{}' is not an IANA time zone", p.zone));
        p.note = r.string(*doc, "note", false);
        p.languages = r.strings(*doc, "languages");
        p.names = r.strings(*doc, "names");
        p.domains = r.strings(*doc, "domains");
        p.boilerplate = r.strings(*doc, "boilerplate");
        p.calls = r.strings(*doc, "calls");
        p.tickets = r.strings(*doc, "tickets");
        p.codes = r.strings(*doc, "codes");
        p.unnamed_systems = r.strings(*doc, "unnamed_systems");
        p.sources = r.sources(*doc);
        check_sources(r, p.sources);
        if (const auto* arr = doc->get_as<toml::array>("systems")) {
            for (const auto& e : *arr) {
                const auto* t = e.as_table();
                if (t == nullptr) {
                    r.problem("[[systems]] entries must be tables");
                    continue;
                }
                r.known_keys(*t, {"id", "name", "aliases", "shared", "source", "note"}, " in [[systems]]");
                SystemEntry s;
                s.id = r.string(*t, "id", true);
                s.name = r.string(*t, "name", true);
                s.aliases = r.strings(*t, "aliases");
                s.source = r.string(*t, "source", true);
                if (const auto* b = t->get("shared")) {
                    if (const auto* v = b->as_boolean()) {
                        s.shared = v->get();
                    } else {
                        r.problem(fmt::format("system '{}': shared must be true or false", s.id));
                    }
                }
                for (const char c : s.id) {
                    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                        r.problem(fmt::format("system id '{}' is not upper-case letters, digits and dashes", s.id));
                        break;
                    }
                }
                if (p.system(s.id) != nullptr) r.problem(fmt::format("system '{}' is listed twice", s.id));
                if (!s.source.empty() && std::none_of(p.sources.begin(), p.sources.end(), [&](const DataSource& d) { return d.id == s.source; })) {
                    r.problem(fmt::format("system '{}' cites source '{}', which the file does not list", s.id, s.source));
                }
                if (s.aliases.empty()) s.aliases.push_back(s.id);
                p.systems.push_back(std::move(s));
            }
        }
        for (const auto& id : p.unnamed_systems) {
            if (p.system(id) == nullptr) r.problem(fmt::format("unnamed_systems names '{}', which is not among its systems", id));
        }
        if (const auto* arr = doc->get_as<toml::array>("subjects")) {
            for (const auto& e : *arr) {
                if (const auto* t = e.as_table()) {
                    p.subjects.push_back({r.string(*t, "kind", true), r.string(*t, "prefix", true), r.string(*t, "source", false)});
                }
            }
        }
        if (const auto* arr = doc->get_as<toml::array>("links")) {
            for (const auto& e : *arr) {
                const auto* t = e.as_table();
                if (t == nullptr) {
                    r.problem("[[links]] entries must be tables");
                    continue;
                }
                r.known_keys(*t, {"pattern", "source", "note"}, " in [[links]]");
                LinkPattern l{r.string(*t, "pattern", true), r.string(*t, "source", true)};
                if (!l.pattern.empty() && l.pattern.rfind("https://", 0) != 0 && l.pattern.rfind("http://", 0) != 0) {
                    r.problem(fmt::format("link pattern '{}' is not an http or https URL", l.pattern));
                }
                if (!l.source.empty() && std::none_of(p.sources.begin(), p.sources.end(), [&](const DataSource& d) { return d.id == l.source; })) {
                    r.problem(fmt::format("link pattern '{}' cites source '{}', which the file does not list", l.pattern, l.source));
                }
                p.links.push_back(std::move(l));
            }
        }
        for (const auto& l : p.languages) {
            if (std::none_of(k->languages_.begin(), k->languages_.end(), [&](const LanguagePack& x) { return x.id == l; })) {
                r.lint_problem(fmt::format("language '{}' has no pack in languages/", l));
            }
        }
        if (r.failed && problems == nullptr) continue;
        const auto ai = static_cast<std::uint16_t>(k->authorities_.size());
        for (const auto& n : p.names) {
            Automaton::Pattern pat{fold(n), n, PhraseHit::Kind::authority_name, Meaning::count, 0, ai};
            pat.exact_case = acronym(n);
            a.add(std::move(pat));
        }
        for (const auto& d : p.domains) a.add({fold(d), d, PhraseHit::Kind::domain, Meaning::count, 0, ai});
        for (std::size_t si = 0; si < p.systems.size(); ++si) {
            p.systems[si].authority = ai;
            for (const auto& al : p.systems[si].aliases) {
                // System names are proper nouns: "DMS Import", "e-dec", "IMPORT" are matched as
                // written, so the words "import" and "export" are not systems.
                Automaton::Pattern pat{fold(al), al, PhraseHit::Kind::system, Meaning::count, 0, ai, static_cast<std::uint16_t>(si)};
                pat.exact_case = true;
                a.add(std::move(pat));
            }
        }
        k->authorities_.push_back(std::move(p));
    }
    a.build();
    k->common_->build();
    k->countries_->build();
    k->index();
    return k;
}

const Knowledge& Knowledge::get() {
    static std::once_flag once;
    static std::shared_ptr<const Knowledge> k;
    std::call_once(once, [] { k = load(data_dir()); });
    return *k;
}

const AuthorityProfile* Knowledge::authority(std::string_view id) const {
    for (const auto& a : authorities_) {
        if (a.id == id) return &a;
    }
    return nullptr;
}

const AuthorityProfile* Knowledge::authority_of_country(std::string_view country) const {
    for (const auto& a : authorities_) {
        if (a.country == country && !a.platform()) return &a;
    }
    return nullptr;
}

std::size_t Knowledge::language_index(std::string_view id) const {
    for (std::size_t i = 0; i < languages_.size(); ++i) {
        if (languages_[i].id == id) return i;
    }
    return std::string::npos;
}

const std::string& Knowledge::zone_of_language(std::size_t language) const {
    static const std::string none;
    return language < language_zones_.size() ? language_zones_[language] : none;
}

const std::vector<Knowledge::Shape>& Knowledge::shapes(bool calls, std::size_t length) const {
    static const std::vector<Shape> none;
    const auto& by = calls ? call_shapes_ : ticket_shapes_;
    return length < by.size() ? by[length] : none;
}

namespace {

// The shared clock of the national authorities that write in a language, or empty.
std::string language_clock(const std::vector<AuthorityProfile>& authorities, const std::string& id) {
    // Offsets in mid-January and mid-July of a fixed year stand for a zone's clock.
    const UtcTime winter = local_to_utc(LocalTime{2025, 1, 15, 12, 0, 0}, "UTC");
    const UtcTime summer = local_to_utc(LocalTime{2025, 7, 15, 12, 0, 0}, "UTC");
    auto clock = [&](const std::string& zone) {
        const LocalTime a = utc_to_local(winter, zone), b = utc_to_local(summer, zone);
        return std::pair<int, int>{a.hour * 60 + a.minute, b.hour * 60 + b.minute};
    };
    std::string zone;
    std::pair<int, int> first{};
    for (const auto& a : authorities) {
        if (a.kind != "authority" || a.zone.empty()) continue;
        if (std::find(a.languages.begin(), a.languages.end(), id) == a.languages.end()) continue;
        if (zone.empty()) {
            zone = a.zone;
            first = clock(a.zone);
        } else if (clock(a.zone) != first) {
            return {};
        }
    }
    return zone;
}

}  // namespace

void Knowledge::index() {
    language_zones_.clear();
    for (const auto& l : languages_) language_zones_.push_back(language_clock(authorities_, l.id));
    for (std::size_t ai = 0; ai < authorities_.size(); ++ai) {
        const auto& a = authorities_[ai];
        for (int calls = 0; calls < 2; ++calls) {
            auto& by = calls != 0 ? call_shapes_ : ticket_shapes_;
            for (const auto& shape : calls != 0 ? a.calls : a.tickets) {
                if (by.size() <= shape.size()) by.resize(shape.size() + 1);
                by[shape.size()].push_back({shape, ai});
            }
        }
        for (const auto& b : a.boilerplate) boilerplate_.push_back(fold(b));
    }
    for (const auto& [word, info] : automaton_->words) automaton_->filter_add(word);
}

bool Knowledge::may_be_word(unsigned char first, unsigned char second, std::size_t length) const {
    return automaton_->filter_has_bytes(first, second, length);
}

const WordInfo* Knowledge::word(std::string_view folded_word) const {
    if (!automaton_->filter_has(folded_word)) return nullptr;  // most words of a notice
    const auto it = automaton_->words.find(folded_word);
    return it == automaton_->words.end() ? nullptr : &it->second;
}

const AuthorityProfile* Knowledge::authority_of_host(std::string_view host) const {
    const std::string h = fold(host);
    const AuthorityProfile* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& a : authorities_) {
        for (const auto& d : a.domains) {
            const std::string fd = fold(d);
            const bool match = h == fd || (h.size() > fd.size() && h.compare(h.size() - fd.size(), fd.size(), fd) == 0 &&
                                           h[h.size() - fd.size() - 1] == '.');
            if (match && fd.size() > best_len) {
                best = &a;
                best_len = fd.size();
            }
        }
    }
    return best;
}

KnowledgeLint lint_knowledge(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "authorities", ec) && !std::filesystem::is_directory(dir / "languages", ec)) {
        throw io_error(fmt::format("{} has neither authorities/ nor languages/", dir.string()), dir.string());
    }
    KnowledgeLint lint;
    const auto k = Knowledge::load(dir, &lint.problems);
    lint.authorities = k->authorities().size();
    lint.languages = k->languages().size();
    return lint;
}

nlohmann::ordered_json to_json(const DataProblem& p) { return {{"file", p.file}, {"problem", p.message}}; }

std::string to_text(const DataProblem& p) { return fmt::format("{}: {}", p.file, p.message); }

std::string lint_summary_text(const std::filesystem::path& dir, const KnowledgeLint& lint) {
    return fmt::format("{}: {} authorities, {} languages, {} problem{}", dir.string(), lint.authorities,
                       lint.languages, lint.problems.size(), lint.problems.size() == 1 ? "" : "s");
}

nlohmann::ordered_json to_json(const AuthorityProfile& p) {
    nlohmann::ordered_json j;
    j["id"] = p.id;
    j["kind"] = p.kind;
    j["country"] = p.country.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(p.country);
    j["name"] = p.name;
    j["zone"] = p.zone;
    j["languages"] = p.languages;
    j["names"] = p.names;
    j["domains"] = p.domains;
    auto& systems = j["systems"] = nlohmann::ordered_json::array();
    for (const auto& s : p.systems) {
        systems.push_back({{"id", s.id}, {"name", s.name}, {"aliases", s.aliases}, {"shared", s.shared}, {"source", s.source}});
    }
    j["calls"] = p.calls;
    j["tickets"] = p.tickets;
    j["codes"] = p.codes;
    auto& sources = j["sources"] = nlohmann::ordered_json::array();
    for (const auto& s : p.sources) {
        sources.push_back({{"id", s.id}, {"publisher", s.publisher}, {"title", s.title}, {"url", s.url}, {"date", s.date}});
    }
    j["file"] = p.file;
    return j;
}

std::string to_text(const AuthorityProfile& p) {
    std::string systems;
    for (const auto& s : p.systems) {
        if (!systems.empty()) systems += ' ';
        systems += s.id;
    }
    return fmt::format("{:<14} {:<9} {:<2}  {}  [{}]  systems: {}", p.id, p.kind, p.country.empty() ? "-" : p.country,
                       p.name, p.zone, systems.empty() ? "-" : systems);
}

bool Knowledge::shape_matches(std::string_view shape, std::string_view text) noexcept {
    if (shape.size() != text.size()) return false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const char s = shape[i], c = text[i];
        if (s == '#') {
            if (c < '0' || c > '9') return false;
        } else if (s == '@') {
            if (c < 'A' || c > 'Z') return false;
        } else if (s != c) {
            return false;
        }
    }
    return true;
}

namespace {

// The hits of one automaton over the first `span` bytes of a folded text, appended to `out`.
void scan_with(const Knowledge::Automaton& a, const FoldedText& folded, std::string_view original, std::size_t span,
               std::vector<PhraseHit>& out) {
    const std::string& t = folded.text;
    std::uint32_t s = 0;
    const std::size_t stop = std::min(span, t.size());
    for (std::size_t i = 0; i < stop; ++i) {
        s = a.next(s, static_cast<unsigned char>(t[i]));
        if (s == 0) continue;
        for (std::int32_t node = a.nodes[s].out >= 0 ? static_cast<std::int32_t>(s) : a.nodes[s].dict; node >= 0;
             node = a.nodes[static_cast<std::size_t>(node)].dict) {
            for (std::int32_t pi = a.nodes[static_cast<std::size_t>(node)].out; pi >= 0; pi = a.patterns[static_cast<std::size_t>(pi)].next) {
                const auto& p = a.patterns[static_cast<std::size_t>(pi)];
                const std::size_t end = i + 1;
                const std::size_t begin = end - p.folded.size();
                const auto first = static_cast<unsigned char>(p.folded.front());
                const auto last = static_cast<unsigned char>(p.folded.back());
                if (word_byte(first) && begin > 0 && word_byte(static_cast<unsigned char>(t[begin - 1]))) continue;
                if (!p.stem && word_byte(last) && end < t.size() && word_byte(static_cast<unsigned char>(t[end]))) continue;
                if (p.kind == PhraseHit::Kind::domain && begin > 0 && t[begin - 1] == '-') continue;
                if (p.exact_case) {
                    const auto [ob, oe] = folded.source_span(begin, end);
                    if (original.substr(ob, oe - ob) != p.original) continue;
                }
                out.push_back({p.kind, p.meaning, p.language, p.authority, p.system,
                               static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), p.original});
            }
        }
    }
}

}  // namespace

void Knowledge::scan_countries(const FoldedText& folded, std::string_view original, std::vector<PhraseHit>& out) const {
    out.clear();
    scan_with(*countries_, folded, original, folded.text.size(), out);
    std::sort(out.begin(), out.end(), [](const PhraseHit& x, const PhraseHit& y) {
        return x.begin != y.begin ? x.begin < y.begin : x.end > y.end;
    });
    // A name inside a longer one: the longer (sorted first at its start) wins. The same name in
    // several packs stays, once per pack.
    std::uint32_t reach = 0;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const bool same = kept > 0 && out[i].begin == out[kept - 1].begin && out[i].end == out[kept - 1].end;
        if (kept > 0 && out[i].end <= reach && !same) continue;
        reach = std::max(reach, out[i].end);
        out[kept++] = out[i];
    }
    out.resize(kept);
}

void Knowledge::scan(const FoldedText& folded, std::string_view original, std::vector<PhraseHit>& out) const {
    out.clear();
    scan_with(*automaton_, folded, original, folded.text.size(), out);
    scan_with(*common_, folded, original, kCommonSpan, out);
    std::sort(out.begin(), out.end(), [](const PhraseHit& x, const PhraseHit& y) {
        return x.begin != y.begin ? x.begin < y.begin : x.end > y.end;
    });
}

}  // namespace bcp
