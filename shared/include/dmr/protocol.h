#pragma once
// The control protocol between dmr-agent and its clients (dmrctl, dmr-console): newline-delimited
// JSON over TCP. This is the codec only, pure like the rest of the core: a bounded line framer,
// a request parser that names the field and the problem, the per-connection rules (hello first,
// drills for operators), and encoders that each print one JSON line ending in "\n".
// backend/PROTOCOL.md is the reference, with an example of every message.

#include "dmr/diff.h"
#include "dmr/model.h"
#include "dmr/result.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dmr::protocol {

// The versions this code speaks, kVersionMin to kVersion (the newest). A client says the newest
// it speaks in its hello; an agent that speaks it answers in it, one that does not refuses with
// the list of those it speaks, and the client says hello again in the newest of them it speaks
// (PROTOCOL.md, Versioning). N and N+1 in one fleet: a release speaks the one before its own.
inline constexpr int kVersionMin = 1;
inline constexpr int kVersion = 1;

// The versions an unsupported-protocol refusal lists ("versions"); an agent from before this
// negotiation lists none and speaks version 1 only.
std::vector<int> versionsOf(const nlohmann::json &refusal);
// The newest version both speak: ours are [oursMin, oursMax]; nullopt when none.
std::optional<int> newestCommon(const std::vector<int> &theirs, int oursMin = kVersionMin,
                                int oursMax = kVersion);

// Bound on one client line, terminator excluded: what the agent's framer holds at most.
inline constexpr std::size_t kRequestLineBytesMax = 64 * 1024;
// Bound for a client reading the agent's lines: replies carry whole snapshots.
inline constexpr std::size_t kReplyLineBytesMax = 16 * 1024 * 1024;
// Bound on a drill's "duration_ms": one day.
inline constexpr std::int64_t kDrillDurationMsMax = 24LL * 60 * 60 * 1000;
// Bounds on the strings a request carries into the agent's records and log: a drill's "reason",
// the hello's "client", a drill's "node" and "iface", the hello's "token". Every drill record
// stays small, so get-drills (1,000 records) stays far below kReplyLineBytesMax.
inline constexpr std::size_t kDrillReasonBytesMax = 1024;
inline constexpr std::size_t kClientNameBytesMax = 256;
inline constexpr std::size_t kNameBytesMax = 64; // node ids and interface names
inline constexpr std::size_t kTokenBytesMax = 1024;
// Bound on one page of get-history, get-drills and get-views ("limit"), and its default.
inline constexpr std::int64_t kPageMax = 1000;

// ---- Framing -----------------------------------------------------------------------------------

// Splits a byte stream into lines. A line ends at "\n"; one "\r" before it is dropped, so
// "\r\n" works too. Empty lines are skipped. A line longer than the bound (terminator excluded)
// yields one TooLong event as soon as the bound is passed; the framer then drops bytes up to the
// next "\n" and carries on with the line after it, so the connection keeps serving. It never
// holds more than maxLineBytes + 1 bytes.
class LineFramer
{
public:
    struct Event
    {
        enum class Kind : std::uint8_t { Line, TooLong };
        Kind kind = Kind::Line;
        std::string text; // Line: the line, without terminator. TooLong: the error message.
        bool operator==(const Event &) const = default;
    };

    explicit LineFramer(std::size_t lineBytesMax = kRequestLineBytesMax);

    // Appends bytes and returns the events they complete, in stream order.
    std::vector<Event> feed(std::string_view bytes);

    std::size_t lineBytesMax() const { return lineBytesMax_; }
    // Bytes of an unfinished line held back (what is lost if the stream ends now).
    std::size_t pendingBytes() const { return pending_.size(); }
    // True while dropping the rest of an over-long line.
    bool discarding() const { return discarding_; }

private:
    std::size_t lineBytesMax_;
    std::string pending_;
    bool discarding_ = false;
};

// ---- Requests ----------------------------------------------------------------------------------

// The client's "id", echoed in the reply: absent, an integer or a string.
using RequestId = std::variant<std::monostate, std::int64_t, std::string>;

enum class RequestKind : std::uint8_t {
    Hello,
    GetState,
    GetCluster,
    Subscribe,
    GetHistory,
    GetDrills,
    Drill,
    GetSnapshot,
    GetReachability,
    GetViews,
};
std::string_view toString(RequestKind kind); // the wire name: "get-state"

enum class DrillAction : std::uint8_t { Kill, FailAdapter, Drain, Restore };
std::string_view toString(DrillAction action); // "fail-adapter"

enum class SnapshotFormat : std::uint8_t { Json, Dot };
std::string_view toString(SnapshotFormat format); // "json"

struct HelloRequest
{
    int protocol = kVersion;
    std::string client;               // "dmrctl 0.1.0", for logs and drill records
    std::optional<std::string> token; // the operator or the viewer token
    bool operator==(const HelloRequest &) const = default;
};

struct DrillRequest
{
    DrillAction action = DrillAction::Kill;
    NodeId node;
    std::string iface;  // fail-adapter: required; restore: optional (one adapter); else empty
    std::string reason; // never empty: every drill says why, for the record
    std::optional<std::int64_t> durationMs; // restored automatically after this; absent: until
                                            // a restore
    bool operator==(const DrillRequest &) const = default;
};

// Where a client left off in one agent's records (get-history, get-drills, get-views) or event
// stream (subscribe), so that it is sent only what came after. Revisions and event sequence
// numbers count within one agent process, its "instance"; a cursor of another instance (the
// agent restarted, or it is another agent) counts as nothing seen yet.
struct Cursor
{
    std::optional<std::int64_t> since;   // "since": after this revision (sequence number)
    std::string instance;                // "instance": the process `since` counts in
    std::optional<std::int64_t> sinceMs; // "since_ms" (subscribe): events from this time on
    std::int64_t limit = kPageMax;       // "limit" (get-*): at most this many records
    bool operator==(const Cursor &) const = default;
};

// One parsed request. Only the member matching `kind` is meaningful.
struct Request
{
    RequestKind kind = RequestKind::GetState;
    RequestId id;
    HelloRequest hello;                           // Hello
    bool subscribeEvents = true;                  // Subscribe: false unsubscribes
    DrillRequest drill;                           // Drill
    SnapshotFormat format = SnapshotFormat::Json; // GetSnapshot
    Cursor cursor;                                // Subscribe, GetHistory, GetDrills, GetViews
    bool operator==(const Request &) const = default;
};

// The error codes of the "error" message. toString gives the wire name.
enum class ErrorCode : std::uint8_t {
    BadJson,             // "bad-json": not JSON, or not a JSON object
    UnknownType,         // "unknown-type"
    MissingField,        // "missing-field"
    BadField,            // "bad-field": wrong type, bad value, or a field the request lacks
    UnsupportedProtocol, // "unsupported-protocol": hello names another version
    LineTooLong,         // "line-too-long"
    HelloFirst,          // "hello-first": a request before hello
    HelloAgain,          // "hello-again": a second hello on one connection
    NotAuthorized,       // "not-authorized": a drill without the operator role, or a bad token
    Failed,              // "failed": well-formed, but the agent could not carry it out
    Busy,                // "busy": the agent has control.max_clients connections already
};
std::string_view toString(ErrorCode code);

// Why a request is refused: the code and message for encodeError, and the request's id when
// the line got far enough to carry a valid one.
struct RequestError
{
    RequestId id;
    ErrorCode code = ErrorCode::BadJson;
    std::string message;
    std::vector<int> versions; // unsupported-protocol: the versions this agent speaks
    bool operator==(const RequestError &) const = default;
};

// Parses one line into a request; on failure, the error reply to send.
std::variant<Request, RequestError> decodeRequest(std::string_view line);

// The same, as a Result: the error's message names the request type, the field and the problem,
// e.g. `drill: missing field "reason"`.
Result<Request> parseRequest(std::string_view line);

// The line a client sends for a request; decodeRequest(encodeRequest(r)) gives r back.
std::string encodeRequest(const Request &request);

// ---- Per-connection rules ----------------------------------------------------------------------

// What a session may do. A viewer reads and subscribes; an operator also runs drills.
enum class Role : std::uint8_t { None, Viewer, Operator };
std::string_view toString(Role role); // "none", "viewer", "operator"

// What grants a role on this agent. A token in the hello grants the role whose token it is; a
// verified client certificate (TLS) grants the role its name is mapped to (setCertificate). A
// hello with neither is a viewer when anonymousViewers, else refused.
struct Credentials
{
    std::string operatorToken;    // empty: no token grants operator
    std::string viewerToken;      // empty: no token grants viewer
    bool anonymousViewers = true; // a hello without a token or certificate role may read
};

// The rules of one connection: hello first and once; a drill needs the operator role. One guess
// per connection: after a refused hello (a wrong token, or no credentials where they are needed)
// every request is refused and the agent closes the connection, reading nothing more.
class SessionGate
{
public:
    explicit SessionGate(Credentials credentials);
    // An agent with this operator token (empty: none), no viewer token, anonymous viewers.
    explicit SessionGate(std::string operatorToken);

    // The role a verified client certificate grants (None: it grants nothing) and its subject,
    // for the record ("CN=alice"). Before the hello.
    void setCertificate(Role role, std::string subject);

    // nullopt: serve the request (for a hello, reply with encodeHelloReply(..., role(),
    // identity())). Otherwise the error to reply with; then close the connection if
    // closeAfterReply().
    std::optional<RequestError> admit(const Request &request);

    bool greeted() const { return greeted_; }
    Role role() const { return role_; }
    bool isOperator() const { return role_ == Role::Operator; }
    // What granted the role: "token", the certificate's subject, or "anonymous"; empty before.
    const std::string &identity() const { return identity_; }
    bool closeAfterReply() const { return close_; }

private:
    Credentials credentials_;
    Role certRole_ = Role::None;
    std::string certSubject_;
    bool greeted_ = false;
    Role role_ = Role::None;
    std::string identity_;
    bool close_ = false;
};

// ---- Replies and events ------------------------------------------------------------------------
// Each encoder returns one line of JSON ending in "\n". An absent id is left out of the reply.

// {"type":"reply","id":1,"ok":true,"result":{"agent":..,"version":..,"protocol":1,"role":..,
//  "operator":..,"client_role":..,"identity":..}}: "role" is the agent's role in the cluster,
// "client_role" the session's (viewer or operator) and "identity" what granted it.
std::string encodeHelloReply(const RequestId &id, const NodeId &agentNode, std::string_view version,
                             std::string_view role, Role clientRole, std::string_view identity,
                             int protocol = kVersion);
// The same for a session that is an operator by its token, or an anonymous viewer.
std::string encodeHelloReply(const RequestId &id, const NodeId &agentNode, std::string_view version,
                             std::string_view role, bool isOperator);

// {"type":"error","id":1,"ok":false,"code":"missing-field","message":"..."}; an
// unsupported-protocol refusal adds "versions": [1], the versions this agent speaks.
std::string encodeError(const RequestId &id, ErrorCode code, std::string_view message);
std::string encodeError(const RequestError &error);

// {"type":"reply","id":1,"ok":true,"result":RESULT}. resultJson is an already serialised JSON
// document (pretty-printed or not, e.g. dmr::toJson's snapshot); it is parsed once and embedded
// on one line. Text that is not JSON is an error naming the position.
Result<std::string> encodeOk(const RequestId &id, std::string_view resultJson = "{}");

// The get-snapshot reply: {"format":"json","snapshot":{...}} for a snapshot document, or
// {"format":"dot","dot":"digraph ..."} with the DOT text as a string.
Result<std::string> encodeSnapshotReply(const RequestId &id, SnapshotFormat format,
                                        std::string_view text);

enum class EventKind : std::uint8_t { ViewChanged, PlanChanged, Failover, Drill };
std::string_view toString(EventKind kind); // "view-changed"

// {"type":"event","event":"view-changed","time_ms":T,"data":DATA}; dataJson as for encodeOk.
Result<std::string> encodeEvent(EventKind kind, std::int64_t timeMs,
                                std::string_view dataJson = "{}");

// The events' data, typed (PROTOCOL.md, Events). viewId, when given, is the view the change
// belongs to ("view_id"): the same for every agent, so a client that hears one change from two
// agents can tell.
// view-changed {"group":"10.0.1.0/24","leader":"1","members":[{"node":"1","seq":1},...]}
std::string encodeViewChanged(std::int64_t timeMs, const View &view, std::string_view viewId = {});
// plan-changed {"actions":[{"kind":"open-tunnel","text":"..."},...]}, in diff order
std::string encodePlanChanged(std::int64_t timeMs, const std::vector<Action> &actions,
                              std::string_view viewId = {});
// failover {"group":..,"from":"2","to":"3","reason":..}; from or to empty: null
std::string encodeFailover(std::int64_t timeMs, const GroupName &group, const NodeId &from,
                           const NodeId &to, std::string_view reason, std::string_view viewId = {});

// The event line with its place in the agent's stream: "seq" after "time_ms". An event line
// that cannot be read comes back as it was.
std::string sequenceEvent(std::string_view eventLine, std::int64_t seq);
// drill {"action":..,"node":..,"iface":..,"reason":..,"duration_ms":..,"client":..,"role":..,
//  "identity":..}; role and identity are left out when empty.
std::string encodeDrillEvent(std::int64_t timeMs, const DrillRequest &drill,
                             std::string_view client, std::string_view role = {},
                             std::string_view identity = {});

} // namespace dmr::protocol
