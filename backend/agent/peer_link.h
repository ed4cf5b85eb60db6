#pragma once
// Crash links (the etcd backend): one TCP connection to each node this one watches
// (dmr/etcd_crash.h decides whom, and what an end means), and probes. The I/O only:
//
// - open(): dials the node's membership port and runs the cluster transport's handshake as a
//   dialer (frame.h: the peer proves it holds the cluster key, and its challenge must name the
//   node expected), then sends nothing and reads. The peer's transport sends nothing after its
//   welcome either, so the link is idle until it ends. How it ended is classified: EOF or reset
//   (the peer's host closed it), refused, timed out, or failed (anything else: a handshake that
//   did not check out, a wrong node, a byte after the welcome, an oversized line).
// - probe(): a plain TCP connect to an address, and a read of the first bytes: refused (the SYN
//   was refused, or the connection was reset before any byte: the kernel had queued it for a
//   listener that then closed, as a killed process's is, a moment after its other sockets),
//   accepted (the peer wrote: a live agent sends its challenge at once), or failed (a timeout,
//   an EOF, another error).
//
// Every line read before the session is up is bounded by frame::kHandshakeLineBytesMax, and the
// handshake by a deadline. Nothing a peer sends is acted on except through the classification.

#include "asio.h"
#include "frame.h"

#include "dmr/etcd_crash.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace dmr::agent {

class PeerLinks
{
public:
    using LinkId = etcd::CrashWatch::LinkId;
    struct Handlers
    {
        std::function<void(LinkId)> up;
        // wasUp: the handshake had checked out; node: the node the link was for.
        std::function<void(LinkId, etcd::LinkEnd, bool wasUp, const NodeId &node,
                           const std::string &why)>
            ended;
        std::function<void(LinkId, etcd::ProbeResult, const std::string &why)> probed;
    };
    struct Limits
    {
        int connectTimeoutMs = 3000;   // a dial or a probe that takes longer has failed
        int handshakeTimeoutMs = 5000; // challenge and welcome, after the connect
    };
    struct Counters
    {
        std::uint64_t linksUp = 0;          // handshakes that checked out
        std::uint64_t handshakesFailed = 0; // wrong key, wrong node, malformed, oversized, ...
        std::uint64_t closedByPeer = 0;     // EOF or reset on an up link
        std::uint64_t probes = 0;
        std::uint64_t probesRefused = 0;
    };

    PeerLinks(asio::io_context &io, std::string key, frame::Identity self, Handlers handlers);
    ~PeerLinks();

    void open(LinkId link, NodeId node, std::string address);
    void probe(LinkId link, std::string address);
    // Closes the link quietly: nothing is reported for it any more.
    void close(LinkId link);
    void closeAll();
    void setLimits(const Limits &limits) { limits_ = limits; }

    std::size_t links() const { return links_.size(); }
    const Counters &counters() const { return counters_; }

private:
    struct Link;
    awaitable<void> run(LinkId id, std::shared_ptr<Link> link, NodeId node, std::string address);
    awaitable<void> runProbe(LinkId id, std::string address);
    void finish(LinkId id, const std::shared_ptr<Link> &link, etcd::LinkEnd how,
                const std::string &why);

    asio::io_context &io_;
    std::string key_;
    frame::Identity self_;
    Handlers handlers_;
    Limits limits_;
    Counters counters_;
    std::map<LinkId, std::shared_ptr<Link>> links_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace dmr::agent
