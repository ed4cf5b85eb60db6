#include "dmr/protocol.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace dmr::protocol {

namespace {

using Json = nlohmann::json;
// Output keeps insertion order, so every line starts with "type" and reads naturally.
using OutJson = nlohmann::ordered_json;

// One line of JSON, newline-terminated. Bytes that are not UTF-8 (only possible in text the
// agent passes in) are replaced rather than thrown over.
std::string line(const OutJson &j)
{
    return j.dump(-1, ' ', false, OutJson::error_handler_t::replace) + "\n";
}

// ---- Errors while decoding a request: thrown inside, caught at decodeRequest, never outside.

constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

struct DecodeError
{
    ErrorCode code;
    std::string message;
};

[[noreturn]] void fail(ErrorCode code, std::string message)
{
    throw DecodeError{code, std::move(message)};
}

std::string quoted(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

// A client's string as a JSON literal, cut short: messages stay one short line.
std::string literal(const std::string &s)
{
    constexpr std::size_t kShownBytesMax = 40;
    return Json(s.size() > kShownBytesMax ? s.substr(0, kShownBytesMax) + "..." : s)
        .dump(-1, ' ', false, Json::error_handler_t::replace);
}

// "number 2", "string \"x\"", "array": what was found, for a wrong-type message.
std::string describe(const Json &v)
{
    if (v.is_number() || v.is_boolean())
        return std::string(v.type_name()) + " " + v.dump();
    if (v.is_string())
        return "string " + literal(v.get_ref<const std::string &>());
    return v.type_name();
}

// 1-based line and column of a byte offset as nlohmann reports it (the offending byte).
std::string position(std::string_view text, std::size_t byte)
{
    std::size_t lineNo = 1;
    std::size_t column = 1;
    const std::size_t end = std::min(byte, text.size());
    for (std::size_t i = 0; i + 1 < end; ++i) {
        if (text[i] == '\n') {
            ++lineNo;
            column = 1;
        } else {
            ++column;
        }
    }
    if (lineNo == 1)
        return "column " + std::to_string(column);
    return "line " + std::to_string(lineNo) + ", column " + std::to_string(column);
}

std::string syntaxReason(const nlohmann::detail::parse_error &e)
{
    std::string reason = e.what();
    if (auto pos = reason.find("syntax error"); pos != std::string::npos)
        return reason.substr(pos);
    if (auto pos = reason.find(": "); pos != std::string::npos)
        return reason.substr(pos + 2);
    return reason;
}

// nlohmann's message without its "[json.exception.out_of_range.406] " prefix, cut short: it
// may quote the client's text (a number of 60,000 digits).
std::string jsonReason(const nlohmann::json::exception &e)
{
    constexpr std::size_t kReasonBytesMax = 120;
    std::string reason = e.what();
    if (auto pos = reason.find("] "); pos != std::string::npos && reason.front() == '[')
        reason = reason.substr(pos + 2);
    if (reason.size() > kReasonBytesMax)
        reason = reason.substr(0, kReasonBytesMax) + "...";
    return reason;
}

// Reads the fields of one request object, naming the request type in every message.
class Fields
{
public:
    Fields(const Json &j, std::string_view type)
        : j_(j)
        , type_(type)
    {
    }

    void allow(std::initializer_list<std::string_view> known) const
    {
        for (const auto &[key, value] : j_.items()) {
            if (key == "type" || key == "id")
                continue;
            if (std::find(known.begin(), known.end(), key) == known.end())
                fail(ErrorCode::BadField, type_ + ": unknown field " + literal(key));
        }
    }

    const Json *find(std::string_view key) const
    {
        auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }

    const Json &require(std::string_view key) const
    {
        const Json *v = find(key);
        if (v == nullptr)
            fail(ErrorCode::MissingField, type_ + ": missing field " + quoted(key));
        return *v;
    }

    [[noreturn]] void bad(std::string_view key, const std::string &reason) const
    {
        fail(ErrorCode::BadField, type_ + ": field " + quoted(key) + " " + reason);
    }

    // A non-empty string of at most bytesMax bytes.
    std::string string(std::string_view key, const Json &v, std::size_t bytesMax) const
    {
        if (!v.is_string())
            bad(key, "must be a string, found " + describe(v));
        const auto &s = v.get_ref<const std::string &>();
        if (s.empty())
            bad(key, "must not be empty");
        if (s.size() > bytesMax)
            bad(key, "is longer than " + std::to_string(bytesMax) + " bytes (" +
                         std::to_string(s.size()) + ")");
        return s;
    }
    std::string requiredString(std::string_view key, std::size_t bytesMax) const
    {
        return string(key, require(key), bytesMax);
    }
    std::optional<std::string> optionalString(std::string_view key, std::size_t bytesMax) const
    {
        const Json *v = find(key);
        return v ? std::optional(string(key, *v, bytesMax)) : std::nullopt;
    }

    std::int64_t integer(std::string_view key, const Json &v) const
    {
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > kInt64Max)
            bad(key, "is too large: " + v.dump());
        if (!v.is_number_integer())
            bad(key, "must be an integer, found " + describe(v));
        return v.get<std::int64_t>();
    }

    bool boolean(std::string_view key, const Json &v) const
    {
        if (!v.is_boolean())
            bad(key, "must be true or false, found " + describe(v));
        return v.get<bool>();
    }

    // One of a fixed list of names; the message lists them.
    template<typename E, std::size_t N>
    E choice(std::string_view key, const Json &v, const std::array<E, N> &values) const
    {
        const std::string s = string(key, v, kNameBytesMax);
        std::string names;
        for (E e : values) {
            if (s == toString(e))
                return e;
            names += (names.empty() ? "" : ", ") + quoted(toString(e));
        }
        bad(key, "must be one of " + names + ", found " + literal(s));
    }

private:
    const Json &j_;
    std::string type_;
};

constexpr std::array kRequestKinds = {
    RequestKind::Hello,     RequestKind::GetState,    RequestKind::GetCluster,
    RequestKind::Subscribe, RequestKind::GetHistory,  RequestKind::GetDrills,
    RequestKind::Drill,     RequestKind::GetSnapshot, RequestKind::GetReachability,
    RequestKind::GetViews,
};
constexpr std::array kDrillActions = {DrillAction::Kill, DrillAction::FailAdapter,
                                      DrillAction::Drain, DrillAction::Restore};
constexpr std::array kSnapshotFormats = {SnapshotFormat::Json, SnapshotFormat::Dot};

RequestId readId(const Json &j)
{
    auto it = j.find("id");
    if (it == j.end())
        return std::monostate{};
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number_integer() &&
        !(it->is_number_unsigned() && it->get<std::uint64_t>() > kInt64Max))
        return it->get<std::int64_t>();
    fail(ErrorCode::BadField,
         "request: field \"id\" must be a string or an integer, found " + describe(*it));
}

HelloRequest readHello(const Fields &f)
{
    f.allow({"protocol", "client", "token"});
    HelloRequest h;
    const Json &p = f.require("protocol");
    const std::int64_t version = f.integer("protocol", p);
    if (version < kVersionMin || version > kVersion)
        fail(ErrorCode::UnsupportedProtocol,
             "protocol " + std::to_string(version) + " not supported; this agent speaks " +
                 (kVersionMin == kVersion
                      ? std::to_string(kVersion)
                      : std::to_string(kVersionMin) + " to " + std::to_string(kVersion)));
    h.protocol = static_cast<int>(version);
    h.client = f.requiredString("client", kClientNameBytesMax);
    h.token = f.optionalString("token", kTokenBytesMax);
    return h;
}

DrillRequest readDrill(const Fields &f)
{
    f.allow({"action", "node", "iface", "reason", "duration_ms"});
    DrillRequest d;
    d.action = f.choice("action", f.require("action"), kDrillActions);
    d.node = f.requiredString("node", kNameBytesMax);
    const Json *iface = f.find("iface");
    if (d.action == DrillAction::FailAdapter && iface == nullptr)
        f.require("iface"); // reports the missing field
    if (iface != nullptr) {
        if (d.action == DrillAction::Kill || d.action == DrillAction::Drain)
            f.bad("iface",
                  "is only for fail-adapter and restore, not " + std::string(toString(d.action)));
        d.iface = f.string("iface", *iface, kNameBytesMax);
    }
    d.reason = f.requiredString("reason", kDrillReasonBytesMax);
    if (const Json *v = f.find("duration_ms")) {
        if (d.action == DrillAction::Restore)
            f.bad("duration_ms", "does not apply to restore");
        const std::int64_t ms = f.integer("duration_ms", *v);
        if (ms < 0)
            f.bad("duration_ms", "must not be negative, found " + std::to_string(ms));
        if (ms > kDrillDurationMsMax)
            f.bad("duration_ms", "must be at most " + std::to_string(kDrillDurationMsMax) +
                                     " (one day), found " + std::to_string(ms));
        d.durationMs = ms;
    }
    return d;
}

// since + instance (+ since_ms for subscribe; + limit for the get-* requests).
Cursor readCursor(const Fields &f, bool paged)
{
    Cursor c;
    const auto nonNegative = [&](std::string_view key) -> std::optional<std::int64_t> {
        const Json *v = f.find(key);
        if (v == nullptr)
            return std::nullopt;
        const std::int64_t n = f.integer(key, *v);
        if (n < 0)
            f.bad(key, "must not be negative, found " + std::to_string(n));
        return n;
    };
    c.since = nonNegative("since");
    if (const Json *v = f.find("instance")) {
        if (!c.since)
            f.bad("instance", "names the process \"since\" counts in; it needs \"since\"");
        c.instance = f.string("instance", *v, kNameBytesMax + 32); // "<node>@<microseconds>"
    } else if (c.since) {
        f.require("instance"); // reports it missing
    }
    if (!paged) {
        c.sinceMs = nonNegative("since_ms");
    } else if (const auto limit = nonNegative("limit")) {
        if (*limit < 1 || *limit > kPageMax)
            f.bad("limit",
                  "must be 1 to " + std::to_string(kPageMax) + ", found " + std::to_string(*limit));
        c.limit = *limit;
    }
    return c;
}

Request readRequest(const Json &j, RequestId &id)
{
    if (!j.is_object())
        fail(ErrorCode::BadJson,
             std::string("request: expected a JSON object, found ") + j.type_name());
    id = readId(j);
    auto t = j.find("type");
    if (t == j.end())
        fail(ErrorCode::MissingField, "request: missing field \"type\"");
    if (!t->is_string())
        fail(ErrorCode::BadField,
             "request: field \"type\" must be a string, found " + describe(*t));
    const auto &type = t->get_ref<const std::string &>();

    Request r;
    r.id = id;
    auto kind = std::find_if(kRequestKinds.begin(), kRequestKinds.end(),
                             [&](RequestKind k) { return toString(k) == type; });
    if (kind == kRequestKinds.end()) {
        std::string known;
        for (RequestKind k : kRequestKinds)
            known += (known.empty() ? "" : ", ") + std::string(toString(k));
        fail(ErrorCode::UnknownType,
             "unknown request type " + literal(type) + "; known types: " + known);
    }
    r.kind = *kind;
    const Fields f(j, type);
    switch (r.kind) {
    case RequestKind::Hello:
        r.hello = readHello(f);
        break;
    case RequestKind::Subscribe:
        f.allow({"events", "since", "instance", "since_ms"});
        if (const Json *v = f.find("events"))
            r.subscribeEvents = f.boolean("events", *v);
        r.cursor = readCursor(f, false);
        if (!r.subscribeEvents && (r.cursor.since || r.cursor.sinceMs))
            f.bad(r.cursor.since ? "since" : "since_ms", "replays events: it needs events true");
        break;
    case RequestKind::Drill:
        r.drill = readDrill(f);
        break;
    case RequestKind::GetSnapshot:
        f.allow({"format"});
        if (const Json *v = f.find("format"))
            r.format = f.choice("format", *v, kSnapshotFormats);
        break;
    case RequestKind::GetHistory:
    case RequestKind::GetDrills:
    case RequestKind::GetViews:
        f.allow({"since", "instance", "limit"});
        r.cursor = readCursor(f, true);
        break;
    case RequestKind::GetState:
    case RequestKind::GetCluster:
    case RequestKind::GetReachability:
        f.allow({});
        break;
    }
    return r;
}

// Parses a JSON document given as text, for embedding in a reply or an event.
Result<OutJson> parseEmbedded(std::string_view text, std::string_view what)
{
    try {
        return OutJson::parse(text.begin(), text.end());
    } catch (const nlohmann::detail::parse_error &e) {
        return Error{std::string(what) + ": not JSON at " + position(text, e.byte) + ": " +
                     syntaxReason(e)};
    }
}

void putId(OutJson &j, const RequestId &id)
{
    if (const auto *n = std::get_if<std::int64_t>(&id))
        j["id"] = *n;
    else if (const auto *s = std::get_if<std::string>(&id))
        j["id"] = *s;
}

OutJson replyEnvelope(const RequestId &id)
{
    OutJson j;
    j["type"] = "reply";
    putId(j, id);
    j["ok"] = true;
    return j;
}

OutJson eventEnvelope(EventKind kind, std::int64_t timeMs)
{
    OutJson j;
    j["type"] = "event";
    j["event"] = toString(kind);
    j["time_ms"] = timeMs;
    return j;
}

OutJson drillJson(const DrillRequest &d)
{
    OutJson j;
    j["action"] = toString(d.action);
    j["node"] = d.node;
    if (!d.iface.empty())
        j["iface"] = d.iface;
    j["reason"] = d.reason;
    if (d.durationMs)
        j["duration_ms"] = *d.durationMs;
    return j;
}

// Compares without stopping at the first difference, so the time taken says nothing about
// how much of a guessed token was right.
bool sameToken(std::string_view a, std::string_view b)
{
    unsigned diff = a.size() == b.size() ? 0U : 1U;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        diff |= static_cast<unsigned>(x ^ y);
    }
    return diff == 0;
}

} // namespace

// ---- LineFramer --------------------------------------------------------------------------------

LineFramer::LineFramer(std::size_t lineBytesMax)
    : lineBytesMax_(lineBytesMax)
{
}

std::vector<LineFramer::Event> LineFramer::feed(std::string_view bytes)
{
    std::vector<Event> events;
    const auto tooLong = [&] {
        events.push_back(
            {Event::Kind::TooLong, "line too long: more than " + std::to_string(lineBytesMax_) +
                                       " bytes before a newline; dropped up to the next newline"});
    };
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t nl = bytes.find('\n', pos);
        const std::string_view seg =
            bytes.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? bytes.size() : nl + 1;

        if (discarding_) {
            if (nl != std::string_view::npos)
                discarding_ = false; // the over-long line ends here
            continue;
        }
        const std::size_t total = pending_.size() + seg.size();
        const bool endsInCr =
            seg.empty() ? (!pending_.empty() && pending_.back() == '\r') : seg.back() == '\r';
        if (nl == std::string_view::npos) {
            // Unfinished: hold at most the bound plus a "\r" that a "\n" may still follow.
            if (total > lineBytesMax_ + 1 || (total == lineBytesMax_ + 1 && !endsInCr)) {
                tooLong();
                pending_.clear();
                discarding_ = true;
            } else {
                pending_.append(seg);
            }
            continue;
        }
        const std::size_t content = total - (endsInCr ? 1 : 0);
        if (content > lineBytesMax_) {
            tooLong();
        } else if (content > 0) {
            std::string text = std::move(pending_);
            text.append(seg);
            text.resize(content);
            events.push_back({Event::Kind::Line, std::move(text)});
        }
        pending_.clear();
    }
    return events;
}

// ---- Names -------------------------------------------------------------------------------------

std::string_view toString(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Hello:
        return "hello";
    case RequestKind::GetState:
        return "get-state";
    case RequestKind::GetCluster:
        return "get-cluster";
    case RequestKind::Subscribe:
        return "subscribe";
    case RequestKind::GetHistory:
        return "get-history";
    case RequestKind::GetDrills:
        return "get-drills";
    case RequestKind::Drill:
        return "drill";
    case RequestKind::GetSnapshot:
        return "get-snapshot";
    case RequestKind::GetReachability:
        return "get-reachability";
    case RequestKind::GetViews:
        return "get-views";
    }
    return "?";
}

std::string_view toString(DrillAction action)
{
    switch (action) {
    case DrillAction::Kill:
        return "kill";
    case DrillAction::FailAdapter:
        return "fail-adapter";
    case DrillAction::Drain:
        return "drain";
    case DrillAction::Restore:
        return "restore";
    }
    return "?";
}

std::string_view toString(SnapshotFormat format)
{
    switch (format) {
    case SnapshotFormat::Json:
        return "json";
    case SnapshotFormat::Dot:
        return "dot";
    }
    return "?";
}

std::string_view toString(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadJson:
        return "bad-json";
    case ErrorCode::UnknownType:
        return "unknown-type";
    case ErrorCode::MissingField:
        return "missing-field";
    case ErrorCode::BadField:
        return "bad-field";
    case ErrorCode::UnsupportedProtocol:
        return "unsupported-protocol";
    case ErrorCode::LineTooLong:
        return "line-too-long";
    case ErrorCode::HelloFirst:
        return "hello-first";
    case ErrorCode::HelloAgain:
        return "hello-again";
    case ErrorCode::NotAuthorized:
        return "not-authorized";
    case ErrorCode::Failed:
        return "failed";
    case ErrorCode::Busy:
        return "busy";
    }
    return "?";
}

std::string_view toString(EventKind kind)
{
    switch (kind) {
    case EventKind::ViewChanged:
        return "view-changed";
    case EventKind::PlanChanged:
        return "plan-changed";
    case EventKind::Failover:
        return "failover";
    case EventKind::Drill:
        return "drill";
    }
    return "?";
}

// ---- Requests ----------------------------------------------------------------------------------

std::variant<Request, RequestError> decodeRequest(std::string_view text)
{
    RequestId id;
    try {
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
            fail(ErrorCode::BadJson, "empty request: expected a JSON object");
        Json j;
        try {
            j = Json::parse(text.begin(), text.end());
        } catch (const nlohmann::detail::parse_error &e) {
            fail(ErrorCode::BadJson,
                 "malformed JSON at " + position(text, e.byte) + ": " + syntaxReason(e));
        } catch (const nlohmann::json::exception &e) {
            // The parser throws out_of_range too: a number such as 1e400 overflows a double.
            fail(ErrorCode::BadJson, "malformed JSON: " + jsonReason(e));
        }
        return readRequest(j, id);
    } catch (const DecodeError &e) {
        RequestError r{id, e.code, e.message, {}};
        if (e.code == ErrorCode::UnsupportedProtocol)
            for (int v = kVersionMin; v <= kVersion; ++v)
                r.versions.push_back(v);
        return r;
    } catch (const nlohmann::json::exception &e) {
        // type_error, out_of_range, other_error from reading a field: never past this boundary.
        return RequestError{id, ErrorCode::BadField, "request: " + jsonReason(e), {}};
    } catch (const std::exception &e) {
        return RequestError{id, ErrorCode::BadJson, std::string("request: ") + e.what(), {}};
    }
}

Result<Request> parseRequest(std::string_view line)
{
    auto r = decodeRequest(line);
    if (auto *e = std::get_if<RequestError>(&r))
        return Error{std::move(e->message)};
    return std::get<Request>(std::move(r));
}

std::string encodeRequest(const Request &r)
{
    OutJson j;
    j["type"] = toString(r.kind);
    putId(j, r.id);
    switch (r.kind) {
    case RequestKind::Hello:
        j["protocol"] = r.hello.protocol;
        j["client"] = r.hello.client;
        if (r.hello.token)
            j["token"] = *r.hello.token;
        break;
    case RequestKind::Subscribe:
        j["events"] = r.subscribeEvents;
        if (r.cursor.since) {
            j["since"] = *r.cursor.since;
            j["instance"] = r.cursor.instance;
        }
        if (r.cursor.sinceMs)
            j["since_ms"] = *r.cursor.sinceMs;
        break;
    case RequestKind::Drill: {
        const OutJson fields = drillJson(r.drill); // a named object: items() refers into it
        for (const auto &[key, value] : fields.items())
            j[key] = value;
        break;
    }
    case RequestKind::GetSnapshot:
        j["format"] = toString(r.format);
        break;
    case RequestKind::GetHistory:
    case RequestKind::GetDrills:
    case RequestKind::GetViews:
        if (r.cursor.since) {
            j["since"] = *r.cursor.since;
            j["instance"] = r.cursor.instance;
        }
        if (r.cursor.limit != kPageMax)
            j["limit"] = r.cursor.limit;
        break;
    case RequestKind::GetState:
    case RequestKind::GetCluster:
    case RequestKind::GetReachability:
        break;
    }
    return line(j);
}

// ---- SessionGate -------------------------------------------------------------------------------

std::string_view toString(Role role)
{
    switch (role) {
    case Role::None:
        return "none";
    case Role::Viewer:
        return "viewer";
    case Role::Operator:
        return "operator";
    }
    return "?";
}

SessionGate::SessionGate(Credentials credentials)
    : credentials_(std::move(credentials))
{
}

SessionGate::SessionGate(std::string operatorToken)
    : SessionGate(Credentials{std::move(operatorToken), {}, true})
{
}

void SessionGate::setCertificate(Role role, std::string subject)
{
    certRole_ = role;
    certSubject_ = std::move(subject);
}

std::optional<RequestError> SessionGate::admit(const Request &r)
{
    const auto refuse = [&](ErrorCode code, std::string message) {
        return RequestError{r.id, code, std::move(message), {}};
    };
    if (close_)
        // One guess per connection: nothing after a refused hello is evaluated.
        return refuse(ErrorCode::NotAuthorized, "this connection is closing after a refused hello");
    if (r.kind == RequestKind::Hello) {
        if (greeted_)
            return refuse(ErrorCode::HelloAgain, "hello: this connection has already said hello");
        Role tokenRole = Role::None;
        if (r.hello.token) {
            const auto &c = credentials_;
            if (!c.operatorToken.empty() && sameToken(*r.hello.token, c.operatorToken))
                tokenRole = Role::Operator;
            else if (!c.viewerToken.empty() && sameToken(*r.hello.token, c.viewerToken))
                tokenRole = Role::Viewer;
            if (tokenRole == Role::None) {
                close_ = true;
                std::string why = "hello: wrong token (neither the operator's nor the viewer's)";
                if (c.viewerToken.empty())
                    why = c.operatorToken.empty()
                              ? "hello: this agent has no operator token; drills are off"
                              : "hello: wrong operator token";
                return refuse(ErrorCode::NotAuthorized, std::move(why));
            }
        }
        if (tokenRole == Role::None && certRole_ == Role::None) {
            if (!credentials_.anonymousViewers) {
                close_ = true;
                return refuse(ErrorCode::NotAuthorized,
                              "hello: this agent needs a token or a client certificate with a "
                              "role");
            }
            role_ = Role::Viewer;
            identity_ = certSubject_.empty() ? "anonymous" : certSubject_;
        } else if (certRole_ >= tokenRole) {
            role_ = certRole_;
            identity_ = certSubject_;
        } else {
            role_ = tokenRole;
            identity_ = "token";
        }
        greeted_ = true;
        return std::nullopt;
    }
    if (!greeted_)
        return refuse(ErrorCode::HelloFirst,
                      "send \"hello\" first; got \"" + std::string(toString(r.kind)) + "\"");
    if (r.kind == RequestKind::Drill && role_ != Role::Operator)
        return refuse(ErrorCode::NotAuthorized,
                      "drill: needs an operator session (a hello with the operator token, or an "
                      "operator's client certificate)");
    return std::nullopt;
}

// ---- Replies and events ------------------------------------------------------------------------

std::string encodeHelloReply(const RequestId &id, const NodeId &agentNode, std::string_view version,
                             std::string_view role, Role clientRole, std::string_view identity,
                             int protocol)
{
    OutJson j = replyEnvelope(id);
    OutJson result;
    result["agent"] = agentNode;
    result["version"] = version;
    result["protocol"] = protocol;
    result["role"] = role;
    result["operator"] = clientRole == Role::Operator;
    result["client_role"] = toString(clientRole);
    result["identity"] = identity;
    j["result"] = std::move(result);
    return line(j);
}

std::string encodeHelloReply(const RequestId &id, const NodeId &agentNode, std::string_view version,
                             std::string_view role, bool isOperator)
{
    return encodeHelloReply(id, agentNode, version, role,
                            isOperator ? Role::Operator : Role::Viewer,
                            isOperator ? "token" : "anonymous");
}

std::string encodeError(const RequestId &id, ErrorCode code, std::string_view message)
{
    OutJson j;
    j["type"] = "error";
    putId(j, id);
    j["ok"] = false;
    j["code"] = toString(code);
    j["message"] = message;
    return line(j);
}

std::string encodeError(const RequestError &error)
{
    if (error.versions.empty())
        return encodeError(error.id, error.code, error.message);
    OutJson j;
    j["type"] = "error";
    putId(j, error.id);
    j["ok"] = false;
    j["code"] = toString(error.code);
    j["message"] = error.message;
    j["versions"] = error.versions;
    return line(j);
}

std::vector<int> versionsOf(const Json &refusal)
{
    std::vector<int> out;
    const auto it = refusal.find("versions");
    if (it == refusal.end() || !it->is_array())
        return {1};
    for (const Json &v : *it)
        if (v.is_number_integer() && v.get<std::int64_t>() > 0 && v.get<std::int64_t>() < 1000)
            out.push_back(static_cast<int>(v.get<std::int64_t>()));
    return out;
}

std::optional<int> newestCommon(const std::vector<int> &theirs, int oursMin, int oursMax)
{
    std::optional<int> best;
    for (int v : theirs)
        if (v >= oursMin && v <= oursMax && (!best || v > *best))
            best = v;
    return best;
}

Result<std::string> encodeOk(const RequestId &id, std::string_view resultJson)
{
    auto result = parseEmbedded(resultJson, "result");
    if (!result)
        return result.error();
    OutJson j = replyEnvelope(id);
    j["result"] = std::move(result).value();
    return line(j);
}

Result<std::string> encodeSnapshotReply(const RequestId &id, SnapshotFormat format,
                                        std::string_view text)
{
    OutJson result;
    result["format"] = toString(format);
    if (format == SnapshotFormat::Json) {
        auto doc = parseEmbedded(text, "snapshot");
        if (!doc)
            return doc.error();
        result["snapshot"] = std::move(doc).value();
    } else {
        result["dot"] = text;
    }
    OutJson j = replyEnvelope(id);
    j["result"] = std::move(result);
    return line(j);
}

Result<std::string> encodeEvent(EventKind kind, std::int64_t timeMs, std::string_view dataJson)
{
    auto data = parseEmbedded(dataJson, "event data");
    if (!data)
        return data.error();
    OutJson j = eventEnvelope(kind, timeMs);
    j["data"] = std::move(data).value();
    return line(j);
}

std::string encodeViewChanged(std::int64_t timeMs, const View &view, std::string_view viewId)
{
    OutJson data;
    data["group"] = view.group;
    data["leader"] = view.leader() ? OutJson(view.leader()->node) : OutJson(nullptr);
    OutJson members = OutJson::array();
    for (const Member &m : view.members)
        members.push_back(OutJson{{"node", m.node}, {"seq", m.seq}});
    data["members"] = std::move(members);
    if (!viewId.empty())
        data["view_id"] = viewId;
    OutJson j = eventEnvelope(EventKind::ViewChanged, timeMs);
    j["data"] = std::move(data);
    return line(j);
}

std::string encodePlanChanged(std::int64_t timeMs, const std::vector<Action> &actions,
                              std::string_view viewId)
{
    OutJson list = OutJson::array();
    for (const Action &a : actions)
        list.push_back(OutJson{{"kind", dmr::toString(a.kind)}, {"text", a.toString()}});
    OutJson j = eventEnvelope(EventKind::PlanChanged, timeMs);
    OutJson data{{"actions", std::move(list)}};
    if (!viewId.empty())
        data["view_id"] = viewId;
    j["data"] = std::move(data);
    return line(j);
}

std::string encodeFailover(std::int64_t timeMs, const GroupName &group, const NodeId &from,
                           const NodeId &to, std::string_view reason, std::string_view viewId)
{
    OutJson data;
    data["group"] = group;
    data["from"] = from.empty() ? OutJson(nullptr) : OutJson(from);
    data["to"] = to.empty() ? OutJson(nullptr) : OutJson(to);
    data["reason"] = reason;
    if (!viewId.empty())
        data["view_id"] = viewId;
    OutJson j = eventEnvelope(EventKind::Failover, timeMs);
    j["data"] = std::move(data);
    return line(j);
}

std::string encodeDrillEvent(std::int64_t timeMs, const DrillRequest &drill,
                             std::string_view client, std::string_view role,
                             std::string_view identity)
{
    OutJson data = drillJson(drill);
    data["client"] = client;
    if (!role.empty())
        data["role"] = role;
    if (!identity.empty())
        data["identity"] = identity;
    OutJson j = eventEnvelope(EventKind::Drill, timeMs);
    j["data"] = std::move(data);
    return line(j);
}

std::string sequenceEvent(std::string_view eventLine, std::int64_t seq)
{
    OutJson in;
    try {
        in = OutJson::parse(eventLine.begin(), eventLine.end());
    } catch (const nlohmann::detail::parse_error &) {
        return std::string(eventLine);
    }
    if (!in.is_object())
        return std::string(eventLine);
    OutJson out;
    for (auto &[key, value] : in.items()) {
        if (key == "seq")
            continue;
        out[key] = value;
        if (key == "time_ms")
            out["seq"] = seq;
    }
    if (!out.contains("seq"))
        out["seq"] = seq;
    return line(out);
}

} // namespace dmr::protocol
