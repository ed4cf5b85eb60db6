#include "dmr/backoff.h"

#include <algorithm>

namespace dmr {

Backoff::Backoff(std::int64_t initialMs, std::int64_t maxMs)
    : initialMs_(std::max<std::int64_t>(1, initialMs))
    , maxMs_(std::max(initialMs_, maxMs))
    , baseMs_(initialMs_)
{
}

void Backoff::advance()
{
    baseMs_ = std::min(maxMs_, baseMs_ * 2);
}

std::int64_t Backoff::next()
{
    const std::int64_t delay = std::min(baseMs_, maxMs_);
    advance();
    return delay;
}

std::int64_t Backoff::nextJittered(std::uint64_t random)
{
    const std::int64_t base = std::min(baseMs_, maxMs_);
    const std::int64_t half = base / 2;
    const auto span = static_cast<std::uint64_t>(base - half + 1);
    advance();
    return half + static_cast<std::int64_t>(random % span);
}

void Backoff::setMaxMs(std::int64_t maxMs)
{
    maxMs_ = std::max(initialMs_, maxMs);
    baseMs_ = std::min(baseMs_, maxMs_);
}

} // namespace dmr
