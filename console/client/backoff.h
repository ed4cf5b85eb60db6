#pragma once
// Reconnect delays: exponential backoff with jitter. The base starts at 250 ms and doubles after
// each delay handed out, up to 8 s; each delay is drawn uniformly from [base/2, base], so that
// consoles cut off together do not knock on the next agent in step.

class QRandomGenerator;

namespace dmr::console {

class Backoff
{
public:
    static constexpr int kInitialMs = 250;
    static constexpr int kMaxMs = 8000;

    explicit Backoff(int initialMs = kInitialMs, int maxMs = kMaxMs);

    // The delay before the next attempt; the base then doubles (up to the maximum).
    int nextDelayMs(QRandomGenerator &random);
    // The base of the next delay.
    int baseMs() const { return baseMs_; }
    // After a good connection: start from the initial delay again.
    void reset() { baseMs_ = initialMs_; }

    int initialMs() const { return initialMs_; }
    int maxMs() const { return maxMs_; }

private:
    int initialMs_;
    int maxMs_;
    int baseMs_;
};

} // namespace dmr::console
