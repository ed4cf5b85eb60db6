#include "plan_timeline.h"

#include "client/tr.h"

#include <algorithm>

namespace dmr::console {

PlanTimeline::PlanTimeline(QObject *parent)
    : QObject(parent)
{
}

QStringList PlanTimeline::degradation(const dmr::Snapshot &s)
{
    QStringList why;
    for (const auto &[id, status] : s.status) {
        const QString node = QString::fromStdString(id);
        switch (status.state) {
        case dmr::NodeState::Up:
            break;
        case dmr::NodeState::Failed:
            why << Tr::tr("node %1 failed").arg(node);
            break;
        case dmr::NodeState::Drained:
            why << Tr::tr("node %1 drained").arg(node);
            break;
        case dmr::NodeState::Down:
            why << Tr::tr("node %1 down").arg(node);
            break;
        }
        for (const auto &a : status.failedAdapters)
            why << Tr::tr("adapter %1 of node %2 failed").arg(QString::fromStdString(a), node);
    }
    std::set<dmr::GroupName> networks;
    for (const auto &[id, node] : s.nodes)
        for (const auto &i : node.interfaces)
            networks.insert(i.group());
    for (const auto &n : networks)
        if (s.plan.election.groupLeaders.count(n) == 0)
            why << Tr::tr("%1 has no leader").arg(QString::fromStdString(n));
    return why;
}

void PlanTimeline::clear()
{
    frames_.clear();
    tail_ = {};
    tailInstance_.clear();
    sinceKey_ = 0;
    cachedIndex_ = -1;
    emit changed();
}

void PlanTimeline::addPage(const ViewsPage &page)
{
    if (page.hasBase) {
        // That agent's log from its base on replaces what is held from then on.
        const qint64 from = page.base.timeMs;
        qsizetype keep = frames_.size();
        while (keep > 0 && frames_[keep - 1].frame.timeMs >= from)
            --keep;
        frames_.resize(keep);
        cachedIndex_ = -1;
        tailInstance_ = page.page.instance;
        append(Frame{page.baseViewId, page.base.timeMs, page.agent, false, {}}, page.base, nullptr);
    } else if (page.page.instance != tailInstance_ || frames_.isEmpty()) {
        return; // deltas of a log this timeline does not hold the start of
    }
    for (const auto &d : page.views) {
        const dmr::Snapshot next = dmr::applyDelta(tail_, d);
        append(Frame{QString::fromStdString(d.viewId), d.timeMs, page.agent, false, {}}, next, &d);
    }
    trim();
    emit changed();
}

void PlanTimeline::append(Frame frame, const dmr::Snapshot &snapshot, const dmr::ViewDelta *delta)
{
    frame.why = degradation(snapshot);
    frame.degraded = !frame.why.isEmpty();
    Stored stored{std::move(frame), nullptr, delta ? *delta : dmr::ViewDelta{}};
    if (!delta || ++sinceKey_ >= kKeyEvery) {
        stored.key = std::make_shared<const dmr::Snapshot>(snapshot);
        sinceKey_ = 0;
    }
    frames_.append(std::move(stored));
    tail_ = snapshot;
}

void PlanTimeline::trim()
{
    if (frames_.size() <= kFramesMax)
        return;
    const qsizetype drop = frames_.size() - kFramesMax;
    if (!frames_[drop].key)
        frames_[drop].key = std::make_shared<const dmr::Snapshot>(snapshotAt(int(drop)));
    frames_.remove(0, drop);
    cachedIndex_ = -1;
}

dmr::Snapshot PlanTimeline::snapshotAt(int index) const
{
    if (index < 0 || index >= frames_.size())
        return {};
    if (index == cachedIndex_)
        return cached_;
    if (index == frames_.size() - 1) {
        cachedIndex_ = index;
        cached_ = tail_;
        return cached_;
    }
    // From the nearest kept snapshot at or before it (or the cached one, when it is nearer).
    int from = index;
    while (from > 0 && !frames_[from].key)
        --from;
    dmr::Snapshot s;
    if (cachedIndex_ > from && cachedIndex_ < index) {
        from = cachedIndex_;
        s = cached_;
    } else {
        s = frames_[from].key ? *frames_[from].key : dmr::Snapshot{};
    }
    for (int i = from + 1; i <= index; ++i)
        s = dmr::applyDelta(s, frames_[i].delta);
    cachedIndex_ = index;
    cached_ = s;
    return s;
}

int PlanTimeline::frameAt(qint64 timeMs) const
{
    const auto it =
        std::upper_bound(frames_.begin(), frames_.end(), timeMs,
                         [](qint64 t, const Stored &stored) { return t < stored.frame.timeMs; });
    return int(it - frames_.begin()) - 1;
}

int PlanTimeline::frameOf(const QString &viewId) const
{
    for (int i = int(frames_.size()) - 1; i >= 0; --i)
        if (frames_[i].frame.viewId == viewId)
            return i;
    return -1;
}

QList<PlanTimeline::Period> PlanTimeline::degradedPeriods() const
{
    QList<Period> out;
    for (qsizetype i = 0; i < frames_.size(); ++i) {
        const Frame &f = frames_[i].frame;
        if (!f.degraded) {
            if (!out.isEmpty() && out.last().endMs < 0)
                out.last().endMs = f.timeMs;
            continue;
        }
        if (out.isEmpty() || out.last().endMs >= 0)
            out << Period{f.timeMs, -1, f.why};
    }
    return out;
}

} // namespace dmr::console
