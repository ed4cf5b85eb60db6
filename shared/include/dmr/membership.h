#pragma once
// The embedded group membership protocol, as a pure state machine: events in (start, a message,
// a tick, a lost connection), outputs out (send this message to that address, install this
// view); the caller does the I/O. No sockets and no clock: the caller passes monotonic
// milliseconds and carries the messages. That is what lets one test drive many members
// deterministically.
//
// The design, and the rules it keeps:
// - One coordinator, the oldest live agent (the first of ClusterView::nodes). It stamps a
//   cluster-wide join sequence on every accepted join, keeps every group's member list in that
//   order, and installs numbered views on every member. Every member holds the whole view.
// - The sequence outlives the coordinator: a view carries nextSeq, and a new coordinator goes on
//   from the one in the last view it installed. Numbers are never reused.
// - View ids are (epoch, counter). A new coordinator, or a merge, starts a new epoch above every
//   epoch it has seen, so its first view is newer than anything a dead coordinator half-sent.
//   A member ignores any view that is not newer than the one it holds.
// - Members reconcile: each tick a member compares the groups it wants with the view and asks
//   the coordinator again if they differ. A request lost with a dead coordinator is simply
//   asked again of the next one.
// - The GL_group is kept by the coordinator in the same view change as the network groups: a
//   node that becomes first of a network joins the GL_group at the end, one that leads nothing
//   leaves it (what each leader would ask for at once), so a failover costs
//   one view change, not two.
// - Failure detection both ways: the coordinator heartbeats every member and every member
//   heartbeats the coordinator, every heartbeatMs. Silence for misses × heartbeatMs is failure.
//   A lost connection is failure at once.
// - Coordinator succession: when the coordinator is suspected, the oldest member not suspected
//   takes over at once and installs a view without it. The others wait; if no view comes from
//   that successor within the failure timeout, they suspect it too and the next one takes over.
//   A member that hears its suspected coordinator's heartbeat again withdraws the suspicion:
//   on a loaded machine one member's false suspicion must not cost it its place.
// - A stalled process does not judge others by its own stall: when the time between two ticks
//   exceeds half the failure timeout, the silence it measured is its own, and it starts
//   counting again from now.
// - A false suspicion costs a rejoin: a live member that finds itself out of the view (it was
//   stopped, or cut off) rejoins and goes to the end of every list. Rejoins back off
//   (rejoinBackoffMs, doubling to rejoinBackoffMaxMs) so a flapping node cannot churn the view.
// - A newer view is followed only if it keeps this node's coordinator or comes from its
//   rightful successor; a view from the other side of a partition, delivered late, is ignored.
// - Partitions: each side goes on with its own coordinator. Coordinators keep knocking on the
//   seed addresses that are not in their view (Discover, which carries the side's Standing).
//   When two coordinators meet, the side with the better standing keeps its order; the other
//   side's nodes and group members follow in their own order with new sequence numbers. Both
//   coordinators compare the same two standings with the same total order (outranks() below),
//   so both directions of the same heal give the same view, without a vote. The order, first
//   difference wins:
//     1. established before not: a coordinator that has never shared a view with another node
//        (a node that started or restarted while its seeds did not answer, and formed a
//        cluster of its own) ranks below one that has. A lone restarted node therefore always
//        merges in after the nodes that stayed, at the end of every list, where every rejoining
//        node goes (it is a new member, ordered by its new join), and takes no leadership back:
//        its join sequence (1, in a cluster of its own) is not comparable with the old
//        cluster's;
//     2. the lower (coordinator's join sequence, coordinator's node id): the side whose
//        coordinator joined first, the same first-come order as every list. Two sides of one
//        cluster draw their numbers from one sequence; between nodes that each formed a cluster
//        alone (a cold start, all at 1) the node id decides.
//   A standing changes only when a side's coordinator changes or first shares a view, so the
//   two coordinators rarely judge from different standings; should they both send their view
//   to merge, the receiver of a MergeRequest checks the rule again with the view it carries,
//   and only the rightful winner merges (the other answers with its own view).
//   What no rule without clocks can tell apart: two nodes that restart together, cut off from
//   the rest, and find each other form an established side, which outranks the old cluster if
//   its coordinator has the lower sequence (in their new cluster, 1).

#include "dmr/model.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace dmr::gms {

using Ms = std::int64_t; // monotonic milliseconds, supplied by the caller

struct ViewId
{
    std::uint64_t epoch = 0;
    std::uint64_t counter = 0;
    auto operator<=>(const ViewId &) const = default;
    bool operator==(const ViewId &) const = default;
    std::string toString() const;
};

struct NodeInfo
{
    NodeId id;
    std::uint64_t seq = 0;         // join sequence of the agent itself
    std::string address;           // its membership endpoint, "127.0.0.1:7401"
    std::uint64_t incarnation = 0; // differs on every start of the process
    std::string meta; // opaque to the protocol: the agent's interfaces and state, as JSON text
    bool operator==(const NodeInfo &) const = default;
};

// Why a node left the view that this view's change removed it from.
struct Departure
{
    NodeId node;
    std::string cause;  // "connection-lost", "silent", "left", "expelled-coordinator"
    Ms silentMs = 0;    // how long the deciding node had not heard from it
    Ms decidedAtMs = 0; // the deciding node's clock when it decided (the caller's time base)
    bool operator==(const Departure &) const = default;
};

inline constexpr std::size_t kMaxMetaBytes = 16 * 1024;

struct ClusterView
{
    ViewId id;
    std::vector<NodeInfo> nodes; // live agents in join order; nodes.front() coordinates
    Membership groups;           // network groups and the GL_group, in join order
    std::uint64_t nextSeq = 1;
    std::vector<Departure> departed; // the nodes this view's change removed, and why
    bool operator==(const ClusterView &) const = default;

    const NodeInfo *node(const NodeId &nodeId) const;
    const NodeInfo *coordinator() const { return nodes.empty() ? nullptr : &nodes.front(); }
    std::set<GroupName> groupsOf(const NodeId &nodeId) const; // network groups only
};

// ---- Messages -----------------------------------------------------------------------------

// A node asks to be let in (or back in, at the end of every list), with the groups it wants.
// A JoinRequest with the incarnation already in the view is a retry and changes nothing; a new
// incarnation is a restarted process and goes to the end of every list.
struct JoinRequest
{
    std::set<GroupName> groups;
    std::uint64_t incarnation = 0;
    std::string meta;
};
// "Ask the coordinator instead."
struct Redirect
{
    std::string coordinatorAddress;
};
// A member states the whole set of network groups it wants to be in, and its meta.
struct GroupsRequest
{
    std::set<GroupName> groups;
    std::string meta;
};
// A view. Sent as a delta when the receiver holds the view before it (metaBase): the nodes in
// metaUnchanged then travel without their meta, which the receiver copies from its own view.
// Metas are most of a view's bytes, and rarely change; a receiver that does not hold the base
// asks for the whole view (Resync).
struct ViewMessage
{
    ClusterView view;
    std::optional<ViewId> metaBase;
    std::vector<NodeId> metaUnchanged;
};
// "Send me the whole view": a delta arrived whose base this node does not hold.
struct Resync
{
};
struct Heartbeat
{
};
// A graceful goodbye: remove me now.
struct LeaveMessage
{
};
// "You are not in my view": the receiver was expelled and must rejoin.
struct NotMember
{
};
// How a side of a partition ranks when its coordinator meets another one (see the merge rule
// above). The coordinator's id is the sender's.
struct Standing
{
    bool established = false;         // its coordinator has shared a view with another node
    std::uint64_t coordinatorSeq = 0; // the coordinator's join sequence
    NodeId coordinator;
};
// True when a keeps its order and b's nodes follow: a total order on standings of different
// coordinators, computed the same on both sides.
bool outranks(const Standing &a, const Standing &b);

// A coordinator knocking on an address outside its view; carries its side's standing.
struct Discover
{
    std::uint64_t coordinatorSeq = 0;
    std::string coordinatorAddress;
    bool established = false; // Standing::established
};
// The losing coordinator of a merge hands its whole view to the winner.
struct MergeRequest
{
    ClusterView view;
    bool established = false; // Standing::established of the sender's side
};

using Body = std::variant<JoinRequest, Redirect, GroupsRequest, ViewMessage, Heartbeat,
                          LeaveMessage, NotMember, Discover, MergeRequest, Resync>;

struct Envelope
{
    NodeId from;
    std::string fromAddress;
    ViewId viewId; // the view the sender held when it sent this
    Body body;
};

std::string_view typeName(const Body &body);

// Wire form: one JSON object a message. decode() names the field that is wrong.
std::string encode(const Envelope &e);
Result<Envelope> decode(std::string_view text);

// ---- Outputs ------------------------------------------------------------------------------

struct Send
{
    std::string to; // address
    Envelope message;
};
struct InstallView
{
    ClusterView view;
};
// Something worth a log line: "coordinator 2 suspected (silent 300 ms)".
struct Note
{
    std::string text;
};
using Output = std::variant<Send, InstallView, Note>;

// ---- The state machine --------------------------------------------------------------------

struct Config
{
    NodeId self;
    std::string address;            // where the others reach this node
    std::vector<std::string> seeds; // other agents' addresses, to join and to discover
    std::uint64_t incarnation = 0;  // a number this process start has never had (input: time or
                                    // randomness, chosen by the caller)
    Ms heartbeatMs = 100;
    int misses = 3;
    Ms joinRetryMs = 200; // resend a join that got no view
    Ms bootstrapMs = 600; // no answer from any seed for this long: form a cluster alone
    Ms discoverMs = 500;  // how often a coordinator knocks on seeds outside its view
    Ms rejoinBackoffMs = 300;
    Ms rejoinBackoffMaxMs = 5000;

    Ms failureTimeoutMs() const { return heartbeatMs * misses; }
};

enum class Role : std::uint8_t { Stopped, Joining, Member, Coordinator };
std::string_view toString(Role role);

class Machine
{
public:
    explicit Machine(Config config);

    // Starts joining with these network groups; meta travels with this node's entry.
    void start(Ms now, std::set<GroupName> groups, std::string meta = {});
    // Changes the network groups this node wants (an adapter failed or came back, a drain),
    // and its meta.
    void setGroups(Ms now, std::set<GroupName> groups, std::string meta);
    void setGroups(Ms now, std::set<GroupName> groups) { setGroups(now, std::move(groups), meta_); }
    // The addresses to join through and to knock on for partitions (a config reload).
    void setSeeds(std::vector<std::string> seeds) { config_.seeds = std::move(seeds); }
    // A graceful stop: tells the coordinator (or, as coordinator, hands over) and stops.
    void leave(Ms now);
    // A crash for tests and drills: stops at once, says nothing.
    void halt();

    void receive(Ms now, const Envelope &message);
    void tick(Ms now);
    // The connection to this address closed: proof that the process there is gone.
    void connectionLost(Ms now, const std::string &address);

    // Outputs in the order they were produced; the caller acts on them in that order.
    std::vector<Output> takeOutputs();

    // The earliest time at which tick() has something to do: a heartbeat due, a peer's silence
    // passing the failure timeout (the millisecond after lastHeard + heartbeatMs x misses), a
    // successor's deadline, a join retry; nullopt when stopped. A tick before it changes nothing
    // and says nothing, so a caller that ticks at this time (and now and then, for its own
    // stalls) fails a silent peer to the millisecond instead of up to one tick period late.
    std::optional<Ms> nextDeadline() const;

    Role role() const { return role_; }
    const ClusterView &view() const { return view_; }
    const Config &config() const { return config_; }
    const std::set<GroupName> &wantedGroups() const { return wanted_; }

private:
    bool isCoordinator() const { return role_ == Role::Coordinator; }
    Standing standing() const; // as coordinator
    Discover discover() const; // this side's knock, with its standing
    Envelope envelope(Body body) const;
    void send(const std::string &to, Body body);
    void note(std::string text);

    // Coordinator side.
    void becomeCoordinator(Ms now, ClusterView base, const std::string &why);
    void installNext(Ms now, ClusterView next, bool newEpoch, std::vector<Departure> departed = {});
    static void admit(ClusterView &v, const NodeInfo &node, const std::set<GroupName> &groups);
    void coordinatorReceive(Ms now, const Envelope &m);
    void coordinatorTick(Ms now);
    void removeNodes(Ms now, const std::set<NodeId> &ids, const std::string &cause);
    void merge(Ms now, const ClusterView &other);

    // The full view a ViewMessage stands for, or nullopt when it is a delta on a view this node
    // does not hold (then it asks `from` for the whole view).
    std::optional<ClusterView> resolve(const ViewMessage &m, const std::string &from);
    // Whether a newer view may replace this node's (see the .cpp).
    bool legitimate(const ClusterView &v) const;

    // Member side.
    void memberReceive(Ms now, const Envelope &m);
    void adopt(Ms now, const ClusterView &v);
    void memberTick(Ms now);
    void suspectCoordinator(Ms now, const std::string &why);
    void expelled(Ms now, const std::string &why, const std::string &coordinatorAddress);

    // Joining.
    void joiningTick(Ms now);

    Config config_;
    Role role_ = Role::Stopped;
    ClusterView view_;
    std::set<GroupName> wanted_;
    std::string meta_;
    std::vector<Output> outputs_;
    ViewId highestSeen_;
    // This process has held a view with another node in it: its side is established (merge
    // rule 1). A fresh process that formed a cluster alone is not, until it meets someone.
    bool sharedAView_ = false;

    std::map<NodeId, Ms> lastHeard_; // coordinator: from each member; member: from coordinator
    Ms lastHeartbeatSent_ = 0;
    Ms lastRequestSent_ = 0;
    Ms lastDiscover_ = 0;
    Ms lastTick_ = 0; // to notice that this process itself was stalled (SIGSTOP, swap)

    // Joining state.
    Ms joinStarted_ = 0;
    Ms lastJoinSent_ = 0;
    Ms rejoinNotBefore_ = 0;
    Ms rejoinBackoff_ = 0;
    Ms lastExpelled_ = -1'000'000'000;
    std::string joinTarget_; // coordinator address learnt from a Redirect

    // Member state: suspects, and when the successor was expected to take over.
    std::set<NodeId> suspects_;
    Ms successorDeadline_ = 0;
};

} // namespace dmr::gms
