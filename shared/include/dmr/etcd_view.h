#pragma once
// Membership on etcd, the pure part (no I/O; the agent's backend feeds it): the key layout, the
// node record, and "the keys under a cluster's prefix -> the ordered ClusterView" the agent plans
// from. No I/O: the agent's etcd backend (backend/agent/etcd_membership.h) reads and watches the
// keys and feeds them here.
//
// Key layout, under the cluster's prefix "dmr/<cluster>/" (several clusters share one etcd):
//   dmr/<cluster>/nodes/<node>            the node record (NodeRecord JSON), on the node's lease
//   dmr/<cluster>/groups/<group>/<node>   "" : the node is a member of this network group
//   dmr/<cluster>/gl/<node>               "" : the node is a member of the GL_group
//   dmr/<cluster>/down/<node>             DownNote JSON: a survivor revoked the node's lease
//                                         after its crash (dmr/etcd_crash.h), on the survivor's
//                                         own lease; written just before the revoke
// Every segment is escaped ('%' -> %25, '/' -> %2F), since group names ("10.0.1.0/24") and
// node ids may hold a slash. Every key of a node hangs on that node's one lease: when the lease
// expires or is revoked, etcd deletes them all in one revision.
//
// Order is etcd's create revision: the first to create its key comes first, on every node alike.
// A member's seq is its key's create revision; a node that rejoins (a new lease, new keys) goes to
// the end of every list, as a new member does in the embedded protocol. The GL_group is held in
// etcd too (gl/ keys), so its order (and so the system leader) survives any node's death: a node
// that leads a network puts its gl/ key, in the order elect() gives pending leaders (it waits until
// those before it have theirs), and deletes it when it leads nothing. Until then elect() already
// counts it, in that same place, so the plan does not wait for the gl/ write.
//
// A view's id is (1, revision): every agent that installs the keys of one revision names the
// view alike, which the "applied" notices of make-before-break need.

#include "dmr/membership.h"
#include "dmr/result.h"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dmr::etcd {

// ---- base64 (the JSON gateway carries keys and values in it) -------------------------------

std::string base64Encode(std::string_view bytes);
Result<std::string> base64Decode(std::string_view text); // names the bad character

// ---- Keys ----------------------------------------------------------------------------------

std::string escapeSegment(std::string_view s);
Result<std::string> unescapeSegment(std::string_view s);

std::string clusterPrefix(std::string_view cluster); // "dmr/<cluster>/"
// The range_end that makes [prefix, prefixEnd(prefix)) exactly the keys starting with prefix.
std::string prefixEnd(std::string_view prefix);

std::string nodeKey(std::string_view prefix, const NodeId &node);
std::string groupKey(std::string_view prefix, const GroupName &group, const NodeId &node);
std::string glKey(std::string_view prefix, const NodeId &node);
std::string downKey(std::string_view prefix, const NodeId &node);

struct ParsedKey
{
    enum class Kind : std::uint8_t { Node, Group, Gl, Down };
    Kind kind = Kind::Node;
    GroupName group; // Kind::Group only
    NodeId node;
    bool operator==(const ParsedKey &) const = default;
};
// A key under prefix, or an error naming the key and what is wrong with it.
Result<ParsedKey> parseKey(std::string_view prefix, std::string_view key);

// ---- The node record -----------------------------------------------------------------------

struct NodeRecord
{
    std::string address;           // its agent-to-agent endpoint ("applied", forwarded drills)
    std::uint64_t incarnation = 0; // differs on every start of the process
    std::string meta;              // the agent's interfaces and state, as JSON text
    bool leaving = false;          // written just before a graceful stop revokes the lease
    bool operator==(const NodeRecord &) const = default;
};
std::string encodeNodeRecord(const NodeRecord &r);
Result<NodeRecord> decodeNodeRecord(std::string_view text);

// What a survivor writes under down/<node> just before it revokes that node's lease: the lease
// (so a note is only read for the incarnation it was written about), who revoked it and when
// (its clock, ms). The others then record the departure as "connection-lost" at that time, not
// as a lease expiry a whole TTL after the node was last heard.
struct DownNote
{
    std::int64_t lease = 0;
    NodeId by;
    std::int64_t atMs = 0;
    bool operator==(const DownNote &) const = default;
};
std::string encodeDownNote(const DownNote &n);
Result<DownNote> decodeDownNote(std::string_view text);

// ---- The key space and its view ------------------------------------------------------------

struct Kv
{
    std::string key; // decoded
    std::string value;
    std::int64_t createRevision = 0;
    std::int64_t modRevision = 0;
    std::int64_t lease = 0;
    bool operator==(const Kv &) const = default;
};

// A cluster prefix's keys as this node knows them: a range read, then watch events on top.
class KeySpace
{
public:
    explicit KeySpace(std::string prefix)
        : prefix_(std::move(prefix))
    {
    }

    // A range read at `revision` replaces everything.
    void reset(std::vector<Kv> kvs, std::int64_t revision);
    void put(Kv kv, std::int64_t revision);
    void erase(const std::string &key, std::int64_t revision);
    // A watch response's header revision: the view of it is named after it.
    void advance(std::int64_t revision) { revision_ = std::max(revision_, revision); }

    std::int64_t revision() const { return revision_; }
    const std::map<std::string, Kv> &kvs() const { return kvs_; }
    const std::string &prefix() const { return prefix_; }
    // Keys under the prefix that parseKey() refused, since the last reset (they are ignored).
    std::uint64_t rejectedKeys() const { return rejected_; }
    // Nodes whose record says they are leaving (a graceful stop, its revoke under way): view()
    // leaves them out at once, so the handover does not wait for the revoke.
    const std::set<NodeId> &leaving() const { return leaving_; }
    // The lease that `node`'s record was last seen on (kept after the record is deleted); 0: none.
    std::int64_t lastLease(const NodeId &node) const;
    // The down/ notes that hold for the lease each node's record was last on (see DownNote).
    std::map<NodeId, DownNote> downNotes() const;

    // The view the keys stand for: nodes, every network group and the GL_group, each ordered by
    // create revision. A group or gl/ key whose node has no record (or a leaving one) is left out:
    // a node puts them together in one transaction, so a stray one is ignored, not trusted.
    gms::ClusterView view();

private:
    std::string prefix_;
    std::map<std::string, Kv> kvs_;
    std::int64_t revision_ = 0;
    std::uint64_t rejected_ = 0;
    std::set<NodeId> leaving_;
    std::map<NodeId, std::int64_t> lastLease_;
    // Each key parsed (and a record decoded) once, when it is put: view() runs on every watch
    // message, and a node record's JSON is the costly part. nullopt: refused (counted by view()).
    struct Decoded
    {
        std::optional<ParsedKey> key;
        std::optional<NodeRecord> record; // Kind::Node only
    };
    std::map<std::string, Decoded> decoded_;
    void noteLease(const Kv &kv);
    void decode(const Kv &kv);
};

// The departures between two views: nodes in `before` that `after` no longer holds. The cause
// is "left" for the nodes in `leaving` (KeySpace::leaving(): a graceful stop); "connection-lost"
// for those with a down note (KeySpace::downNotes(): a survivor saw its crash and revoked its
// lease), decided at the note's time, silent 0; "lease-expired" otherwise (a silent node, a
// partition from etcd). silentMs is then the lease's TTL: how long at most the node had been
// silent when etcd expired it. decidedAtMs: when this node saw it.
std::vector<gms::Departure> departures(const gms::ClusterView &before,
                                       const gms::ClusterView &after,
                                       const std::set<NodeId> &leaving, std::int64_t decidedAtMs,
                                       std::int64_t ttlMs,
                                       const std::map<NodeId, DownNote> &downNotes = {});

// ---- The JSON gateway's replies -------------------------------------------------------------
// Lenient readers: etcd leaves out fields at their default value and writes int64 fields as JSON
// strings ("revision":"12"). A field that is absent or of another type reads as its default, a
// key or value that is not base64 as empty. None of them throws, whatever the bytes: a reply is
// input from the network.

std::int64_t int64Field(const nlohmann::json &object, std::string_view key);
bool boolField(const nlohmann::json &object, std::string_view key);
// The member object, or an empty object.
const nlohmann::json &objectField(const nlohmann::json &object, std::string_view key);

// A kv of a range reply or a watch event: {"key":B64,"value":B64,"create_revision":"5",...}.
Kv decodeKv(const nlohmann::json &kv);
// A range reply's kvs and its header revision.
std::vector<Kv> decodeRangeKvs(const nlohmann::json &reply);
std::int64_t headerRevision(const nlohmann::json &reply);

// One message of the watch stream: {"result":{"header":{"revision":"9"},"events":[{"type":
// "DELETE","kv":{...}},...],"canceled":false}}.
struct WatchEvent
{
    bool erased = false; // a DELETE: kv.key and kv.modRevision are meaningful
    Kv kv;
    bool operator==(const WatchEvent &) const = default;
};
struct WatchResult
{
    bool canceled = false;
    std::int64_t revision = 0;
    std::vector<WatchEvent> events; // an event without a key is left out
    bool operator==(const WatchResult &) const = default;
};
WatchResult decodeWatchMessage(const nlohmann::json &message);
// Applies a watch result's events and revision to the key space.
void apply(KeySpace &keys, const WatchResult &result);

// Whether `self` should hold its gl/ key in this view: yes while it leads a network and, if it
// holds none yet, every pending leader before it (elect()'s glOrder) already holds one (so the
// gl/ keys' create revisions follow elect()'s order, whoever writes first); no once it leads
// nothing.
bool wantGlKey(const gms::ClusterView &view, const NodeId &self);

} // namespace dmr::etcd
