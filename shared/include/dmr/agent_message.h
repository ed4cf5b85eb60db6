#pragma once
// The agents' own messages to each other, typed (backend/PROTOCOL.md, "Agent messages"). They
// ride the cluster transport beside the membership protocol's, one JSON object a frame whose
// first key is "agent" (the kind). This is the codec: every message decodes into its struct or
// into an error naming the kind, the field and the problem; nothing is dispatched on text.
//
// Also the drill record (get-drills' entries, a drill-result's "record") and who asked for a
// drill, as the node controller (dmr/node.h) keeps them.

#include "dmr/failover.h"
#include "dmr/model.h"
#include "dmr/protocol.h"
#include "dmr/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dmr::protocol {

// Who asked for a drill, for its record: the hello's client name, the session's role and what
// granted it (PROTOCOL.md, get-drills).
struct DrillAuthor
{
    std::string client;   // "dmrctl 0.1.0"
    std::string role;     // "operator"; "agent" for the agent's own restore timer
    std::string identity; // "token", a client certificate's subject, "timer"
    bool operator==(const DrillAuthor &) const = default;
};

// One drill as an agent recorded it (get-drills).
struct DrillRecord
{
    std::uint64_t id = 0;
    DrillAction action = DrillAction::Kill;
    NodeId node;
    std::string iface;
    std::string reason;
    std::optional<std::int64_t> durationMs;
    DrillAuthor author; // who asked
    std::string via;    // the agent that took the request, when forwarded
    std::int64_t startedMs = 0;
    std::int64_t endedMs = 0; // 0 while in force
    std::int64_t rev = 0;     // the agent's revision when it was added or last changed
    bool operator==(const DrillRecord &) const = default;
};

// {"action":"drain","client":..,"ended_ms":null,"id":1,"node":"6","reason":..,"rev":4,
//  "started_ms":..} plus "iface", "duration_ms", "role", "identity", "via" when set.
std::string encodeDrillRecord(const DrillRecord &record);
Result<DrillRecord> decodeDrillRecord(std::string_view json);

// A drill action by its wire name ("fail-adapter").
std::optional<DrillAction> parseDrillAction(std::string_view name);

// "applied": a new routing point's word that its part of a view is up.
struct AppliedMessage
{
    NodeId node;
    std::string viewId;
    std::int64_t atMs = 0;        // its clock: when its part was up
    std::int64_t installedMs = 0; // its clock: when it installed the view (0: it did not say)
    bool operator==(const AppliedMessage &) const = default;
};

// "drill": an operator's drill for another node, forwarded to it by the agent that took it.
struct ForwardedDrillMessage
{
    // The drill as the operator asked it; nullopt when the request did not parse (drillError
    // says why): the target refuses it and counts it.
    std::optional<DrillRequest> drill;
    std::string drillError;
    DrillAuthor author;
    NodeId via; // the agent that took it
    std::uint64_t corr = 0;
    std::string drillId; // 16 random bytes, hex: the target runs each id once
    std::string replyTo; // the membership address that waits for the drill-result
    bool operator==(const ForwardedDrillMessage &) const = default;
};

// "drill-result": the target's answer, the record of the drill or why it refused it.
struct DrillResultMessage
{
    std::uint64_t corr = 0;
    std::optional<DrillRecord> record;
    std::string error; // when there is no record
    bool operator==(const DrillResultMessage &) const = default;
};

// "drill-ended": the target of a forwarded drill ended it (a restore, or its timer).
struct DrillEndedMessage
{
    NodeId node;
    DrillAction what = DrillAction::Kill;
    std::string iface;
    std::int64_t startedMs = 0;
    std::int64_t endedMs = 0;
    bool operator==(const DrillEndedMessage &) const = default;
};

// "reach-ask": another agent gathers the reachability matrix.
struct ReachAskMessage
{
    std::uint64_t corr = 0;
    std::string replyTo;
    bool operator==(const ReachAskMessage &) const = default;
};

// "reach-row": the answer, the relay's row of get-reachability (a JSON document, "null" when
// the relay is off).
struct ReachRowMessage
{
    std::uint64_t corr = 0;
    NodeId node;
    std::string rowJson = "null";
    bool operator==(const ReachRowMessage &) const = default;
};

// One failover record as "failovers" carries it: the raw times, each on the clock named in
// dmr/node.h's FailoverRecord, so the receiver derives the same phases as the sender.
struct ToldFailover
{
    std::string viewId;
    FailoverCause cause = FailoverCause::Moved;
    std::vector<std::string> roles;                         // "system-leader", "leader <net>"
    std::vector<std::pair<std::string, NodeId>> successors; // role -> who took it ("" nobody)
    std::int64_t silentMs = 0;
    std::int64_t decidedMs = 0;
    std::int64_t changedMs = 0;
    std::int64_t electedMs = 0;
    std::int64_t tunnelsUpMs = 0;
    bool operator==(const ToldFailover &) const = default;
};
inline constexpr std::size_t kToldFailoversMax = 16;
inline constexpr std::size_t kToldRolesMax = 64;

// "failovers": a node that was out of the view (a kill, a crash, a silence) holds no record of
// what happened to it when it comes back; the coordinator of the view it rejoined tells it its
// records of that node since it left, at most kToldFailoversMax (more is refused by field).
struct FailoversMessage
{
    NodeId from;                       // the sender
    NodeId node;                       // whose failovers: the receiver
    std::vector<ToldFailover> records; // oldest first
    bool operator==(const FailoversMessage &) const = default;
};

using AgentMessage =
    std::variant<AppliedMessage, ForwardedDrillMessage, DrillResultMessage, DrillEndedMessage,
                 ReachAskMessage, ReachRowMessage, FailoversMessage>;

// The kind's wire name: "applied", "drill", "drill-result", "drill-ended", "reach-ask",
// "reach-row", "failovers".
std::string_view kindOf(const AgentMessage &message);

// Whether a cluster-transport payload is an agent message (else it is the membership protocol's).
bool isAgentMessage(std::string_view payload);

// One line of JSON, no newline.
std::string encodeAgentMessage(const AgentMessage &message);
// An error names the kind and the field: `agent message "applied": at_ms: expected an integer`.
Result<AgentMessage> decodeAgentMessage(std::string_view payload);

} // namespace dmr::protocol
