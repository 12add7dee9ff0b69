// Admission: what bcp-replay enqueue decides for each declaration before it is stored. One line
// of JSON becomes a message to send, a message held (a rule forbids submitting it afterwards) or
// an invalid line with its reason. A declaration is annotated here once (codes, mentions and any
// generated reference fixed for every retry), and what the procedure requires is written into
// the declaration's own fields through a field map (field_map.hpp): the body sent is a
// declaration and never carries the "bcp" annotation, which is kept beside it in the queue.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bcp/annotate/annotate.hpp"
#include "bcp/annotate/field_map.hpp"
#include "bcp/replay/queue.hpp"
#include "bcp/rules/rules.hpp"

namespace bcp {

struct AdmitOptions {
    std::string key = "/lrn";              // JSON pointer to the idempotency key
    std::string prepared = "/prepared_at"; // JSON pointer to the date of preparation
    std::string country, system;           // given for every line; empty: read from the line
    ActivationRequest procedure;           // call, start, end, zone, rule, events file
    bool annotate = true;                  // false: store declarations as given
    AnnotateOptions annotation;            // sequence file and prefix of generated references
    FieldMap map;                          // where codes, mentions and references are written
    // How the caller names the values checked once for every line, in usage errors (a tool
    // says its flags).
    struct Names {
        std::string_view key = "the key pointer", prepared = "the prepared pointer";
        std::string_view call = "the call number", start = "the start";
    } names;
};

struct Admission {
    enum class Verdict : std::uint8_t { invalid, enqueue, hold };
    Verdict verdict = Verdict::invalid;
    std::string key;     // empty when the line has none
    std::string reason;  // invalid: why; hold: the rule's words
    NewMessage message;  // enqueue and hold: what to store
};

class Admitter {
  public:
    // Throws usage_error, naming the value as options.names says, for a key or prepared pointer
    // that is not a JSON pointer, a system given for every line that is not known, a call
    // number or start that is none, a rule not in the rules; and what RuleSet::load() throws. `events_stdin` is the stream of an events
    // file "-".
    Admitter(AdmitOptions options, std::istream* events_stdin = nullptr);
    Admitter(const Admitter&) = delete;
    Admitter& operator=(const Admitter&) = delete;
    ~Admitter();

    // Decides one line. Throws only for failures of the machine (the sequence file busy or
    // unwritable), never for bad content.
    [[nodiscard]] Admission admit(std::string_view line);

  private:
    struct Annotating;
    Annotating& annotating(const NewMessage& m);
    bool annotate(NewMessage& m, std::string_view text, nlohmann::ordered_json& doc, std::string& reason);
    bool write_fields(nlohmann::ordered_json& doc, const nlohmann::ordered_json& bcp,
                      NewMessage& m, std::string& reason) const;

    AdmitOptions o_;
    std::istream* events_stdin_;
    nlohmann::ordered_json::json_pointer key_, prepared_;
    RuleSet rules_;
    bool procedure_given_;
    std::map<std::string, std::unique_ptr<Annotating>> annotators_;
};

// The body with the message's annotation inside it as "bcp" (what bcp-mention prints), for a
// receiver that asked for it (run --with-annotation); the body alone when there is none.
[[nodiscard]] std::string body_with_annotation(const Message& m);

}  // namespace bcp
