#include "dmr/failover.h"

#include <algorithm>

namespace dmr {

bool isDeparture(std::string_view cause)
{
    return cause != "drain" && cause != "adapter" && cause != "moved";
}

FailoverPhases failoverPhases(const FailoverTimes &t)
{
    FailoverPhases p;
    std::int64_t failed = t.electedAtMs;
    std::int64_t detected = t.electedAtMs;
    if (isDeparture(t.cause) && t.decidedAtMs != 0) {
        detected = t.decidedAtMs;
        const bool silence = t.cause == "silent" || t.cause == "lease-expired";
        failed = silence ? t.decidedAtMs - std::max<std::int64_t>(0, t.silentMs) : t.decidedAtMs;
    } else if ((t.cause == "drain" || t.cause == "adapter") && t.changedAtMs != 0) {
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
