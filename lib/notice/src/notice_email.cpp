#include "bcp/notice/notice_email.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "bcp/core/error.hpp"
#include "bcp/core/text_fold.hpp"
#include "bcp/notice/notice_date.hpp"
#include "bcp/registry/country.hpp"

namespace bcp {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

struct Header {
    std::string name;  // lower case
    std::string value;
};

struct Part {
    std::vector<Header> headers;
    std::string_view body;
};

const std::string* header(const std::vector<Header>& hs, std::string_view name) {
    for (const auto& h : hs) {
        if (h.name == name) return &h.value;
    }
    return nullptr;
}

// A parameter of a structured header: boundary="abc", charset=utf-8.
std::string parameter(std::string_view value, std::string_view name) {
    const std::string low = ascii_lower(value);
    std::size_t at = 0;
    while ((at = low.find(name, at)) != std::string::npos) {
        const bool left = at == 0 || low[at - 1] == ';' || low[at - 1] == ' ' || low[at - 1] == '\t';
        const std::size_t eq = at + name.size();
        if (left && eq < low.size() && low[eq] == '=') {
            std::size_t b = eq + 1;
            if (b < value.size() && value[b] == '"') {
                const std::size_t e = value.find('"', b + 1);
                return std::string(value.substr(b + 1, e == std::string_view::npos ? std::string_view::npos : e - b - 1));
            }
            std::size_t e = b;
            while (e < value.size() && value[e] != ';' && value[e] != ' ' && value[e] != '\t') ++e;
            return std::string(value.substr(b, e - b));
        }
        at = eq;
    }
    return {};
}

// Splits a message or a MIME part into its unfolded headers and its body.
Part split(std::string_view msg, bool top) {
    Part p;
    std::size_t at = 0;
    bool separated = false;
    while (at < msg.size()) {
        std::size_t e = msg.find('\n', at);
        const bool last = e == std::string_view::npos;
        if (last) e = msg.size();
        std::string_view line = msg.substr(at, e - at);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        at = last ? msg.size() : e + 1;
        if (line.empty()) {
            separated = true;
            break;
        }
        if ((line.front() == ' ' || line.front() == '\t') && !p.headers.empty()) {
            p.headers.back().value.push_back(' ');
            p.headers.back().value.append(trim_blanks(line));
            continue;
        }
        const std::size_t colon = line.find(':');
        bool name_ok = colon != std::string_view::npos && colon > 0;
        for (std::size_t i = 0; name_ok && i < colon; ++i) {
            const char c = line[i];
            name_ok = c > 32 && c < 127;
        }
        if (!name_ok) {
            if (top && p.headers.empty()) throw data_error("email", "not an e-mail: the first line is no header field", {}, 1);
            throw data_error("email", fmt::format("malformed header line '{}'", line.substr(0, 60)));
        }
        p.headers.push_back({ascii_lower(line.substr(0, colon)), std::string(trim_blanks(line.substr(colon + 1)))});
    }
    if (!separated) {
        if (top) throw data_error("email", "truncated e-mail: the headers end without the blank line before the body");
        p.body = {};
        return p;
    }
    p.body = msg.substr(at);
    return p;
}

std::string decode_body(const Part& p) {
    const std::string* enc = header(p.headers, "content-transfer-encoding");
    const std::string e = enc ? ascii_lower(trim_blanks(*enc)) : std::string();
    std::string raw;
    if (e == "quoted-printable") {
        raw = decode_quoted_printable(p.body);
    } else if (e == "base64") {
        raw = decode_base64(p.body);
    } else {
        raw = std::string(p.body);
    }
    const std::string* ct = header(p.headers, "content-type");
    const std::string charset = ct ? ascii_lower(parameter(*ct, "charset")) : std::string();
    return charset_to_utf8(raw, charset.empty() ? "us-ascii" : charset);
}

std::string strip_html(std::string_view html) {
    std::string out;
    bool tag = false;
    for (std::size_t i = 0; i < html.size(); ++i) {
        const char c = html[i];
        if (c == '<') {
            tag = true;
            const std::string t = ascii_lower(html.substr(i, 4));
            if (t == "<br>" || t == "<br/" || t == "<p>" || t.substr(0, 3) == "</p" || t.substr(0, 3) == "<li" ||
                t.substr(0, 4) == "<div") {
                out.push_back('\n');
            }
        } else if (c == '>') {
            tag = false;
        } else if (!tag) {
            out.push_back(c);
        }
    }
    // The few entities notices use.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> entities{{
        {"&nbsp;", " "}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}}};
    for (const auto& [from, to] : entities) {
        for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
            out.replace(at, from.size(), to);
        }
    }
    return out;
}

// The text of a part: text/plain preferred, text/html stripped, multipart searched.
void collect_text(const Part& p, std::string& plain, std::string& html, int depth) {
    if (depth > 8) throw data_error("email", "MIME parts nested more than 8 levels deep");
    const std::string* ct = header(p.headers, "content-type");
    const std::string type = ct ? ascii_lower(trim_blanks(std::string_view(*ct).substr(0, ct->find(';')))) : "text/plain";
    if (type.substr(0, 10) == "multipart/") {
        const std::string boundary = parameter(*ct, "boundary");
        if (boundary.empty()) throw data_error("email", "multipart message without a boundary");
        const std::string delim = "--" + boundary;
        std::size_t at = p.body.find(delim);
        if (at == std::string_view::npos) throw data_error("email", "truncated e-mail: no MIME part starts");
        while (true) {
            std::size_t start = p.body.find('\n', at);
            if (start == std::string_view::npos) throw data_error("email", "truncated e-mail: a MIME part is cut off");
            ++start;
            std::size_t next = p.body.find(delim, start);
            if (next == std::string_view::npos) {
                throw data_error("email", "truncated e-mail: the closing MIME boundary is missing");
            }
            std::size_t end = next;
            if (end > start && p.body[end - 1] == '\n') --end;
            if (end > start && p.body[end - 1] == '\r') --end;
            collect_text(split(p.body.substr(start, end - start), false), plain, html, depth + 1);
            if (p.body.substr(next + delim.size(), 2) == "--") break;
            at = next;
        }
        return;
    }
    if (type == "text/plain") {
        if (!plain.empty()) plain.push_back('\n');
        plain += decode_body(p);
    } else if (type == "text/html") {
        if (!html.empty()) html.push_back('\n');
        html += strip_html(decode_body(p));
    }
}


}  // namespace

// RFC 5322 date: "Fri, 21 Nov 2025 10:15:00 +0100" (the weekday and the seconds optional).
std::optional<UtcTime> parse_email_date(std::string_view s) {
    std::string v(trim_blanks(s));
    const std::size_t comma = v.find(',');
    if (comma < 5) v = v.substr(comma + 1);
    int day = 0, year = 0, h = 0, m = 0, sec = 0;
    char mon[16] = {0}, zone[16] = {0};
    const int n = std::sscanf(v.c_str(), " %d %15s %d %d:%d:%d %15s", &day, mon, &year, &h, &m, &sec, zone);
    if (n < 5) return std::nullopt;
    if (n == 5 || n == 6) {
        // "10:15 +0100": no seconds.
        char z2[16] = {0};
        if (std::sscanf(v.c_str(), " %d %15s %d %d:%d %15s", &day, mon, &year, &h, &m, z2) == 6 && z2[0] != '\0' &&
            (z2[0] == '+' || z2[0] == '-' || (z2[0] >= 'A' && z2[0] <= 'Z'))) {
            sec = 0;
            std::copy(std::begin(z2), std::end(z2), std::begin(zone));
        }
    }
    const int month = month_from_name(mon);
    if (month == 0) return std::nullopt;
    if (year < 100) year += year < 50 ? 2000 : 1900;
    int offset = 0;
    const std::string_view z(zone);
    if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
        const int hh = (z[1] - '0') * 10 + (z[2] - '0');
        const int mm = (z[3] - '0') * 10 + (z[4] - '0');
        offset = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    } else if (z == "CET") {
        offset = 60;
    } else if (z == "CEST") {
        offset = 120;
    }
    try {
        return local_to_utc({year, month, day, h, m, sec}, "UTC") - std::chrono::minutes{offset};
    } catch (const error&) {
        return std::nullopt;
    }
}

std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '=') {
            out.push_back(c);
            continue;
        }
        if (i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {  // soft break
            ++i;
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            continue;
        }
        if (i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
            continue;
        }
        out.push_back(c);  // a stray '=' is kept, as most readers do
    }
    return out;
}

std::string decode_base64(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned acc = 0;
    int bits = 0;
    for (const char c : text) {
        int v = 0;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+' || c == '-') v = 62;
        else if (c == '/' || c == '_') v = 63;
        else if (c == '=' ) break;
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        else throw data_error("email", fmt::format("base64 body with a character outside the alphabet (byte {})",
                                                   static_cast<unsigned>(static_cast<unsigned char>(c))));
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

std::string charset_to_utf8(std::string_view text, std::string_view charset) {
    const std::string cs = ascii_lower(charset);
    if (cs == "iso-8859-1" || cs == "latin1" || cs == "iso-8859-15" || cs == "windows-1252" || cs == "cp1252") {
        // windows-1252's 0x80-0x9F: the printable ones notices use (euro, quotes, dashes).
        static constexpr std::array<unsigned, 32> w1252{
            0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021, 0x2C6,  0x2030, 0x160,
            0x2039, 0x152,  0x8D,   0x17D,  0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2013, 0x2014, 0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};
        std::string out;
        out.reserve(text.size() + text.size() / 8);
        for (const char ch : text) {
            const auto c = static_cast<unsigned char>(ch);
            unsigned cp = c;
            if (c >= 0x80 && c <= 0x9F && (cs == "windows-1252" || cs == "cp1252")) cp = w1252[c - 0x80];
            if (cs == "iso-8859-15" && c == 0xA4) cp = 0x20AC;
            put_utf8(out, cp);
        }
        return out;
    }
    return std::string(text);
}

std::string decode_header_words(std::string_view h) {
    std::string out;
    std::size_t i = 0;
    bool last_word = false;
    while (i < h.size()) {
        const std::size_t at = h.find("=?", i);
        if (at == std::string_view::npos) {
            out.append(h.substr(i));
            break;
        }
        const std::size_t q1 = h.find('?', at + 2);
        const std::size_t q2 = q1 == std::string_view::npos ? q1 : h.find('?', q1 + 1);
        const std::size_t end = q2 == std::string_view::npos ? q2 : h.find("?=", q2 + 1);
        if (end == std::string_view::npos) {
            out.append(h.substr(i));
            break;
        }
        const std::string_view between = h.substr(i, at - i);
        // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
        if (!(last_word && trim_blanks(between).empty())) out.append(between);
        const std::string charset = ascii_lower(h.substr(at + 2, q1 - at - 2));
        const char enc = static_cast<char>(h[q1 + 1] | 0x20);
        std::string_view payload = h.substr(q2 + 1, end - q2 - 1);
        std::string decoded;
        if (enc == 'q') {
            std::string tmp(payload);
            std::replace(tmp.begin(), tmp.end(), '_', ' ');
            decoded = decode_quoted_printable(tmp);
        } else {
            decoded = decode_base64(payload);
        }
        out += charset_to_utf8(decoded, charset);
        i = end + 2;
        last_word = true;
    }
    return out;
}

std::optional<Ics2Subject> parse_ics2_subject(std::string_view subject) {
    const std::string s(trim_blanks(subject));
    const std::string low = ascii_lower(s);
    const bool activation = low.find("activation") != std::string::npos;
    const bool unavailability = low.find("unavailability") != std::string::npos;
    if (low.find("ics2") == std::string::npos && low.find("tapas") == std::string::npos &&
        low.find("uumds") == std::string::npos && low.find(" sti") == std::string::npos) {
        return std::nullopt;
    }
    if (!activation && !unavailability) return std::nullopt;
    Ics2Subject out;
    out.kind = activation ? "activation" : "unavailability";
    if (low.find("unscheduled") != std::string::npos) {
        out.scheduled = false;
    } else if (low.find("scheduled") != std::string::npos) {
        out.scheduled = true;
    }
    out.update = low.find(" update") != std::string::npos;
    // "... of <component> [for XX] on <ddmmyyyy hhmm> CET ..."
    const std::size_t of = low.find(" of ");
    if (of != std::string::npos) {
        std::size_t end = low.size();
        for (const char* stop : {" on ", " for ", " in ", " until ", " - "}) {
            const std::size_t at = low.find(stop, of + 4);
            if (at != std::string::npos && at < end) end = at;
        }
        std::string_view comp = trim_blanks(std::string_view(s).substr(of + 4, end - of - 4));
        if (ascii_lower(comp.substr(0, 4)) == "the ") comp.remove_prefix(4);
        out.component = std::string(comp);
    }
    // A country the unavailability is limited to: "for FI", "in NL", "(BE)".
    for (const char* marker : {" for ", " in ", "("}) {
        const std::size_t at = s.find(marker);
        if (at == std::string::npos) continue;
        const std::size_t b = at + std::string_view(marker).size();
        if (b + 2 <= s.size() && (b + 2 == s.size() || s[b + 2] == ' ' || s[b + 2] == ')')) {
            const std::string code = s.substr(b, 2);
            if (code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z' && is_country(code)) {
                out.country = code;
                break;
            }
        }
    }
    std::vector<NoticeWarning> ignored;
    const auto times = find_times(s, true);
    const TimeContext ctx{std::nullopt, std::string(default_zone)};
    for (const auto& f : times) {
        if (!f.start.has_time) continue;
        const auto t = resolve_time(f.start, ctx, ignored);
        if (f.role == TimeRole::end && out.registered) {
            out.estimated_end = t;
        } else if (!out.registered) {
            out.registered = t;
            if (f.end) out.estimated_end = resolve_time(*f.end, ctx, ignored);
        } else if (!out.estimated_end) {
            out.estimated_end = t;
        }
    }
    return out;
}

// The address of a From field: "Helpdesk Douane <helpdesk@example.be>" or a bare address.
std::string sender_address(std::string_view from) {
    const std::size_t lt = from.rfind('<');
    if (lt != std::string_view::npos) {
        const std::size_t gt = from.find('>', lt);
        if (gt != std::string_view::npos) return std::string(trim_blanks(from.substr(lt + 1, gt - lt - 1)));
    }
    from = trim_blanks(from);
    const std::size_t sp = from.find_first_of(" \t(");
    return std::string(from.substr(0, sp));
}

RawNotice read_email(std::string_view message) {
    if (message.substr(0, 3) == "\xEF\xBB\xBF") message.remove_prefix(3);
    const Part top = split(message, true);
    RawNotice raw;
    raw.newest_first = false;
    raw.line = 1;
    const std::string* subject = header(top.headers, "subject");
    if (subject != nullptr) raw.title = decode_header_words(*subject);
    const std::string* date = header(top.headers, "date");
    if (date != nullptr) raw.posted_at = parse_email_date(*date);
    raw.ics2 = parse_ics2_subject(raw.title);
    if (const std::string* id = header(top.headers, "message-id"); id != nullptr) {
        raw.source_id = std::string(trim_blanks(*id));
    }
    if (const std::string* from = header(top.headers, "from"); from != nullptr) {
        raw.sender = sender_address(decode_header_words(*from));
    }
    std::string plain, html;
    collect_text(top, plain, html, 0);
    std::string body = plain.empty() ? html : plain;
    // Normalise line ends.
    body.erase(std::remove(body.begin(), body.end(), '\r'), body.end());
    RawUpdate u;
    u.text = std::string(trim_blanks(body));
    u.at = raw.posted_at;
    raw.updates.push_back(std::move(u));
    return raw;
}

std::vector<std::string_view> split_mbox(std::string_view mbox) {
    std::vector<std::string_view> out;
    // A message starts at a line beginning "From " at the start of the text or after a newline
    // (mboxrd and mboxo quote "From " inside bodies as ">From ").
    std::size_t start = std::string_view::npos;
    std::size_t pos = 0;
    while (pos < mbox.size()) {
        const std::size_t eol = mbox.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? mbox.size() : eol + 1;
        if (mbox.compare(pos, 5, "From ") == 0) {
            if (start != std::string_view::npos) out.push_back(mbox.substr(start, pos - start));
            start = next;  // the envelope line is not part of the message
        }
        pos = next;
    }
    if (start != std::string_view::npos && start < mbox.size()) out.push_back(mbox.substr(start));
    return out;
}

}  // namespace bcp
