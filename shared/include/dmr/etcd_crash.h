#pragma once
// Crash detection on etcd in milliseconds, the pure part: who watches whom, and when a survivor
// revokes a dead node's lease. No I/O and no clock: the agent's etcd backend opens the peer
// links, probes and revokes (backend/agent/peer_link.h, etcd_membership_crash.cpp) and feeds the
// outcomes back here, with its clock's milliseconds.
//
// A crashed process's TCP connections are closed by its host's kernel at once (FIN, or RST for
// a connection with unread data), and a new connection to its port is refused (RST), since
// nothing listens there any more. A node keeps an authenticated link (the cluster transport's
// handshake, naming the node it expects) to each node whose failure changes its part of the plan
// (watchedNodes()). The rule, per watched node and lease:
//
//   1. the link came up: the peer proved it holds the cluster key and is that node;
//   2. then it was closed by the peer's host (EOF or RST; a timeout is not that);
//   3. then a new connection to the same address was refused (RST to the SYN, or an RST before
//      its first byte: the kernel queued it for a listening socket that then closed, since a
//      killed process's established connections close a moment before its listener).
//
// Only then is the node's lease revoked, by the lease ID read from its record when the link was
// opened (fenced: a node that came back with a new lease has a new link and its new lease is
// never revoked by the old link's end). etcd deletes every key on the lease in one revision, and
// every agent sees the node go through its watch, as after an expiry, but within milliseconds.
//
// What revokes nothing: a link that times out or never came up (a silent or cut-off node, an
// unreachable address: the TTL decides, as before); a close followed by an accepted connection
// (the peer process lives: it dropped the link, say for a kill drill); a probe that times out;
// any byte a peer or a stranger sends (the link reads only the handshake, and a failed handshake
// is step 1 not reached). A reset a node did not cause cannot revoke it: steps 2 and 3 both need
// packets from its host's kernel (a forged RST needs the connection's sequence numbers, i.e. a
// man in the middle, who can also just drop the keepalives).

#include "dmr/etcd_view.h"
#include "dmr/membership.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace dmr::etcd {

// The nodes `self` keeps a link to in this view: every node whose failure changes self's part of
// the plan (the networks it leads, its tunnel root while it leads, the tunnel leaves while it is
// the system leader), computed by electing without that node; and the node after self in the
// view's node order (a ring), so that every node, a leader or not, is watched by someone. Self is
// never in it.
std::set<NodeId> watchedNodes(const gms::ClusterView &view, const NodeId &self);

// What a link to a watched node needs: where it listens, and the lease its record is on.
struct WatchTarget
{
    std::string address;
    std::int64_t lease = 0;
    bool operator==(const WatchTarget &) const = default;
};

// watchedNodes() with the address and lease of each (from its record key in `keys`).
std::map<NodeId, WatchTarget> watchTargets(const KeySpace &keys, const gms::ClusterView &view,
                                           const NodeId &self);

// The keys of `node` on `lease` (its record, group and gl/ keys; not down/ notes about it): what
// the revoking survivor deletes, in one transaction with its down note and fenced by the lease
// of the node's record, just before the revoke itself. One revision, one round of watch events.
std::vector<std::string> keysOnLease(const KeySpace &keys, const NodeId &node, std::int64_t lease);

// How a link ended, as the agent classifies the socket's error.
enum class LinkEnd : std::uint8_t {
    Closed,   // EOF or connection reset: the peer's host closed it
    Refused,  // the dial was refused (RST to the SYN)
    TimedOut, // no answer (connect, handshake or TCP_USER_TIMEOUT)
    Failed,   // anything else: a failed handshake (wrong key, wrong node), unreachable, ...
};
enum class ProbeResult : std::uint8_t {
    Refused,  // nothing listens at the address (refused, or reset before the first byte)
    Accepted, // something listens and answered: the process (or a successor of it) lives
    Failed,   // a timeout or another error: nothing is known
};
std::string_view toString(LinkEnd end);
std::string_view toString(ProbeResult result);

class CrashWatch
{
public:
    using LinkId = std::uint64_t;
    struct Open // dial an authenticated link to `node` at `address`
    {
        LinkId link = 0;
        NodeId node;
        std::string address;
        bool operator==(const Open &) const = default;
    };
    struct Close // close the link (the node is no longer watched, or its lease changed)
    {
        LinkId link = 0;
        bool operator==(const Close &) const = default;
    };
    struct Probe // a plain TCP connect to `address`: refused or not
    {
        LinkId link = 0;
        std::string address;
        bool operator==(const Probe &) const = default;
    };
    struct Revoke // LeaseRevoke of `lease`, which `node`'s record was on
    {
        NodeId node;
        std::int64_t lease = 0;
        std::string why; // for the log
        bool operator==(const Revoke &) const = default;
    };
    using Action = std::variant<Open, Close, Probe, Revoke>;

    // retryMs: how long after a link ended without a revoke it is dialled again.
    explicit CrashWatch(gms::Ms retryMs = 1000)
        : retryMs_(retryMs)
    {
    }

    // The nodes to watch now, with their targets (an entry with lease 0 or no address is not
    // watched). A node that is new, or whose address or lease changed, gets a new link; one no
    // longer in the map has its link closed.
    std::vector<Action> setTargets(const std::map<NodeId, WatchTarget> &targets, gms::Ms nowMs);
    // The link's handshake checked out: the peer holds the key and is the node expected.
    std::vector<Action> linkUp(LinkId link, gms::Ms nowMs);
    std::vector<Action> linkEnded(LinkId link, LinkEnd how, gms::Ms nowMs);
    std::vector<Action> probed(LinkId link, ProbeResult result, gms::Ms nowMs);
    // Links due to be dialled again.
    std::vector<Action> tick(gms::Ms nowMs);
    // Closes every link (a halt, a stop): the Close actions.
    std::vector<Action> clear();

    // The earliest retry due, for the caller's timer; nullopt: none.
    std::optional<gms::Ms> nextRetryAtMs() const;
    std::size_t watched() const { return entries_.size(); }
    std::size_t linksUp() const;
    std::uint64_t revokes() const { return revokes_; }

private:
    enum class State : std::uint8_t { Dialling, Up, Probing, Waiting, Revoked };
    struct Entry
    {
        WatchTarget target;
        LinkId link = 0;
        State state = State::Dialling;
        gms::Ms retryAtMs = 0;
    };
    Entry *find(LinkId link, NodeId *node = nullptr);
    Open open(const NodeId &node, Entry &e);

    gms::Ms retryMs_;
    LinkId nextLink_ = 1;
    std::map<NodeId, Entry> entries_;
    std::uint64_t revokes_ = 0;
};

} // namespace dmr::etcd
