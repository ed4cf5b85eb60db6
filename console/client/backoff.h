#pragma once
// Reconnect delays: the core's backoff (dmr/backoff.h) with the console's bounds and jitter.
// The base starts at 250 ms and doubles after each delay handed out, up to 8 s; each delay is
// drawn uniformly from [base/2, base], so that consoles cut off together do not knock on the
// next agent in step.

#include "dmr/backoff.h"

class QRandomGenerator;

namespace dmr::console {

class Backoff : public dmr::Backoff
{
public:
    static constexpr int kInitialMs = 250;
    static constexpr int kMaxMs = 8000;

    explicit Backoff(int initialMs = kInitialMs, int maxMs = kMaxMs)
        : dmr::Backoff(initialMs, maxMs)
    {
    }

    // The delay before the next attempt; the base then doubles (up to the maximum).
    int nextDelayMs(QRandomGenerator &random);
    int baseMs() const { return static_cast<int>(dmr::Backoff::baseMs()); }
    int initialMs() const { return static_cast<int>(dmr::Backoff::initialMs()); }
    int maxMs() const { return static_cast<int>(dmr::Backoff::maxMs()); }
};

} // namespace dmr::console
