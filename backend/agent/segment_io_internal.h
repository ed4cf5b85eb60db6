#pragma once
// What the two SegmentIo implementations (segment_io.h) share: segment_io_loopback.cpp (loopback
// mode, and LoopbackSegmentSocket) and segment_io_os.cpp (os mode) both batch their receives and
// sends the same way, and drain a readable socket a bounded number of batches at a time.

#include "segment_io.h"
#include "udp_batch.h"

#include <array>

namespace dmr::agent {

inline constexpr int kDrainBatchesMax = 16; // then let the loop serve others

// What both kinds share: the batches in and out, the counters, and sending what is queued.
class BatchedSegmentIo : public SegmentIo
{
public:
    void flush() override
    {
        if (out_.count == 0)
            return;
        auto [sent, dropped] = out_.flush();
        counters_.sent += sent;
        counters_.sendDropped += dropped;
        counters_.gsoSends = out_.gsoSends;
        counters_.gsoDatagrams = out_.gsoDatagrams;
        counters_.gsoRetries = out_.gsoRetries;
    }

    const SegmentCounters &counters() const override { return counters_; }
    void allowOffload(bool allowed) override
    {
        out_.gso = allowed ? udp::kernelGso() : udp::Offload{false, "relay.udp_offload = false"};
    }
    udp::Offload offload() const override { return out_.gso; }

protected:
    udp::RecvBatch in_;
    udp::SendBatch out_;
    std::array<SegmentPacket, kBatch> packets_{};
    SegmentCounters counters_;
};

} // namespace dmr::agent
