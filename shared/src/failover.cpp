#include "dmr/failover.h"

#include <algorithm>
#include <utility>

namespace dmr {

namespace {
constexpr std::pair<FailoverCause, std::string_view> kCauses[] = {
    {FailoverCause::ConnectionLost, "connection-lost"},
    {FailoverCause::Silent, "silent"},
    {FailoverCause::LeaseExpired, "lease-expired"},
    {FailoverCause::Left, "left"},
    {FailoverCause::ExpelledCoordinator, "expelled-coordinator"},
    {FailoverCause::Departed, "departed"},
    {FailoverCause::Drain, "drain"},
    {FailoverCause::Adapter, "adapter"},
    {FailoverCause::Moved, "moved"},
};
} // namespace

std::string_view toString(FailoverCause cause)
{
    for (const auto &[c, name] : kCauses)
        if (c == cause)
            return name;
    return "departed";
}

FailoverCause parseFailoverCause(std::string_view cause)
{
    for (const auto &[c, name] : kCauses)
        if (name == cause)
            return c;
    return FailoverCause::Departed;
}

bool isDeparture(FailoverCause cause)
{
    return cause != FailoverCause::Drain && cause != FailoverCause::Adapter &&
           cause != FailoverCause::Moved;
}

FailoverPhases failoverPhases(const FailoverTimes &t)
{
    FailoverPhases p;
    std::int64_t failed = t.electedAtMs;
    std::int64_t detected = t.electedAtMs;
    if (isDeparture(t.cause) && t.decidedAtMs != 0) {
        detected = t.decidedAtMs;
        const bool silence =
            t.cause == FailoverCause::Silent || t.cause == FailoverCause::LeaseExpired;
        failed = silence ? t.decidedAtMs - std::max<std::int64_t>(0, t.silentMs) : t.decidedAtMs;
    } else if ((t.cause == FailoverCause::Drain || t.cause == FailoverCause::Adapter) &&
               t.changedAtMs != 0) {
        failed = t.changedAtMs;
        detected = t.changedAtMs;
    }
    // Each moment comes after the one before it, whatever the stamps of different clocks say.
    const auto atLeast = [&p](std::int64_t stamp, std::int64_t floor) {
        if (stamp >= floor)
            return stamp;
        p.skewMs += floor - stamp;
        return floor;
    };
    p.failedAtMs = failed;
    p.detectedAtMs = atLeast(detected, p.failedAtMs);
    p.electedAtMs = atLeast(t.electedAtMs, p.detectedAtMs);
    if (t.tunnelsUpAtMs)
        p.tunnelsUpAtMs = atLeast(*t.tunnelsUpAtMs, p.electedAtMs);
    p.detectionMs = p.detectedAtMs - p.failedAtMs;
    p.electionMs = p.electedAtMs - p.detectedAtMs;
    if (p.tunnelsUpAtMs) {
        p.tunnelsMs = *p.tunnelsUpAtMs - p.electedAtMs;
        p.totalMs = *p.tunnelsUpAtMs - p.failedAtMs;
    }
    return p;
}

std::string checkFailoverPhases(const FailoverPhases &p)
{
    const auto n = [](std::int64_t v) { return std::to_string(v); };
    if (p.detectionMs < 0)
        return "detection " + n(p.detectionMs) + " ms is negative";
    if (p.electionMs < 0)
        return "election " + n(p.electionMs) + " ms is negative";
    if (p.detectedAtMs - p.failedAtMs != p.detectionMs)
        return "detection " + n(p.detectionMs) + " ms is not detected - failed";
    if (p.electedAtMs - p.detectedAtMs != p.electionMs)
        return "election " + n(p.electionMs) + " ms is not elected - detected";
    if (p.skewMs < 0)
        return "skew " + n(p.skewMs) + " ms is negative";
    if (p.tunnelsMs.has_value() != p.totalMs.has_value() ||
        p.tunnelsMs.has_value() != p.tunnelsUpAtMs.has_value())
        return "tunnels, total and tunnels-up time must be all there or all null";
    if (!p.tunnelsMs)
        return {};
    if (*p.tunnelsMs < 0)
        return "tunnels " + n(*p.tunnelsMs) + " ms is negative";
    if (*p.tunnelsUpAtMs - p.electedAtMs != *p.tunnelsMs)
        return "tunnels " + n(*p.tunnelsMs) + " ms is not tunnels up - elected";
    if (p.detectionMs + p.electionMs + *p.tunnelsMs != *p.totalMs)
        return "total " + n(*p.totalMs) + " ms is not detection " + n(p.detectionMs) +
               " + election " + n(p.electionMs) + " + tunnels " + n(*p.tunnelsMs);
    return {};
}

} // namespace dmr
