#include "backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace dmr::console {

Backoff::Backoff(int initialMs, int maxMs)
    : initialMs_(std::max(1, initialMs))
    , maxMs_(std::max(initialMs_, maxMs))
    , baseMs_(initialMs_)
{
}

int Backoff::nextDelayMs(QRandomGenerator &random)
{
    const int half = baseMs_ / 2;
    const int delay = half + static_cast<int>(random.bounded(baseMs_ - half + 1));
    baseMs_ = std::min(maxMs_, baseMs_ * 2);
    return delay;
}

} // namespace dmr::console
