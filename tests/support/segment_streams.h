#pragma once
// Sequence-numbered datagrams on a cluster's loopback segments (the relay's loopback mode), as
// applications on each network would send and receive them: one sender and one receiver per
// network, on one channel. A datagram's payload is "TAG:SEQ:" padded with 'x', so a receiver
// counts how often it got each of a stream's datagrams, and anything else (probes, other
// channels) apart.

#include "segment_io.h"

#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

class SegmentStreams
{
public:
    // What one network's receiver got: by stream tag and sequence, how many times.
    struct Received
    {
        std::map<std::string, std::map<int, int>> counts;
        int foreign = 0; // datagrams of other channels (probes) and without a tag

        int times(const std::string &tag, int seq) const;
        int total(const std::string &tag) const; // every datagram of the tag, repeats too
    };
    using Got = std::map<dmr::GroupName, Received>;

    SegmentStreams(std::string cluster, std::vector<dmr::GroupName> networks,
                   dmr::relay::Channel channel);
    // Joins every network's segment, and each receiver listens to the channel's group (a
    // listen frame: with relay.prune the relays bring the group only where someone listens);
    // the error names the segment and the reason.
    bool open(std::string *error);
    // The receivers say again that they listen (after agents started: what they said before
    // reached nobody). A receiver also answers the queries it reads while receiving.
    void announce();
    // One network's receiver stops or starts listening (a leave, or reports).
    void listen(const dmr::GroupName &network, bool on);

    static std::vector<std::uint8_t> payload(const std::string &tag, int seq,
                                             std::size_t bytes = 100);

    // Sends datagrams from..from+count-1 of `tag` on `network`, a little paced so that no buffer
    // on the way overflows on a loaded machine; `each` runs after each send. False if a send
    // failed.
    bool send(const dmr::GroupName &network, const std::string &tag, int from, int count,
              const std::function<void(int)> &each = {});
    // Reads every receiver until each is quiet for quietMs.
    Got receiveAll(int quietMs);
    // Reads every receiver until each of `networks` has datagrams 1..count of `tag` (or
    // deadlineMs pass), then half a second more for late duplicates.
    Got collect(const std::string &tag, int count, const std::vector<dmr::GroupName> &networks,
                int deadlineMs);
    // The datagrams 1..count of `tag` not received exactly once, as "SEQ xTIMES".
    static QStringList notOnce(const Received &r, const std::string &tag, int count);

private:
    void drain(dmr::agent::LoopbackSegmentSocket &sock, Received &into, int quietMs);

    std::string cluster_;
    std::vector<dmr::GroupName> networks_;
    dmr::relay::Channel channel_;
    std::map<dmr::GroupName, std::unique_ptr<dmr::agent::LoopbackSegmentSocket>> rx_;
    std::map<dmr::GroupName, std::unique_ptr<dmr::agent::LoopbackSegmentSocket>> tx_;
};
