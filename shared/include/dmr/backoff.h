#pragma once
// Retry delays: exponential backoff, optionally with jitter. The base starts at initialMs and
// doubles after each delay handed out, up to maxMs; reset() after a success starts over. With
// jitter each delay is drawn uniformly from [base/2, base] so that clients cut off together do
// not knock in step; the random number is the caller's (the core draws none).
//
// Used by the console's reconnects (jittered, 250 ms to 8 s), the agent's etcd session retries
// (100 ms doubling, bounded by a quarter of the lease TTL) and its accept loop when out of
// descriptors (50 ms to 1 s).

#include <cstdint>

namespace dmr {

class Backoff
{
public:
    // initialMs is at least 1; maxMs at least initialMs.
    Backoff(std::int64_t initialMs, std::int64_t maxMs);

    // The delay before the next attempt (the base, at most maxMs); the base then doubles.
    std::int64_t next();
    // The same drawn uniformly from [base/2, base] with `random` (any 64-bit number, e.g. from
    // a generator seeded by the caller).
    std::int64_t nextJittered(std::uint64_t random);

    // After a success: the next delay is the initial one again.
    void reset() { baseMs_ = initialMs_; }
    // A new bound (the etcd session's follows the lease TTL); the base is kept within it.
    void setMaxMs(std::int64_t maxMs);

    std::int64_t baseMs() const { return baseMs_; }
    std::int64_t initialMs() const { return initialMs_; }
    std::int64_t maxMs() const { return maxMs_; }

private:
    void advance();

    std::int64_t initialMs_;
    std::int64_t maxMs_;
    std::int64_t baseMs_;
};

} // namespace dmr
