#pragma once
// The cluster's plan over time, from the agents' view logs (get-views): one frame per view the
// agent installed, the snapshot of each (the base and the deltas after it, dmr::applyDelta: the
// plan is the core's, as the agents computed it), and the periods the cluster ran degraded (a
// node not up, a failed adapter, a network without a leader).
//
// A page with a base starts that agent's log over: the frames from its base's time on are
// replaced by its own, the older ones (from another agent, before the console moved) stay. A
// page without one continues the log of the agent that gave the last frames. Bounded: the
// newest kFramesMax frames; snapshots are kept for one frame in kKeyEvery and rebuilt from
// there on demand.

#include "client/records.h"

#include <QList>
#include <QObject>

#include <memory>

namespace dmr::console {

class PlanTimeline : public QObject
{
    Q_OBJECT

public:
    static constexpr int kFramesMax = 2048;
    static constexpr int kKeyEvery = 32;

    struct Frame
    {
        QString viewId;
        qint64 timeMs = 0; // when the agent installed the view (its clock)
        QString agent;     // whose log it came from
        bool degraded = false;
        QStringList why; // what was degraded, for a person: "node 2 failed"
    };
    // A stretch of frames that were all degraded; endMs is the next frame's time (-1: still).
    struct Period
    {
        qint64 startMs = 0;
        qint64 endMs = -1;
        QStringList why; // of its first frame
    };

    explicit PlanTimeline(QObject *parent = nullptr);

    void addPage(const ViewsPage &page);
    void clear();

    int frameCount() const { return int(frames_.size()); }
    const Frame &frame(int index) const { return frames_[index].frame; }
    // The snapshot of a frame (plan included); an empty one for an index out of range.
    dmr::Snapshot snapshotAt(int index) const;
    // The last frame at or before the time; -1 before the first.
    int frameAt(qint64 timeMs) const;
    int frameOf(const QString &viewId) const;
    QList<Period> degradedPeriods() const;

    // What the cluster lacks in a snapshot: nodes not up, failed adapters, networks without a
    // leader; empty when it runs whole.
    static QStringList degradation(const dmr::Snapshot &snapshot);

signals:
    void changed();

private:
    struct Stored
    {
        Frame frame;
        std::shared_ptr<const dmr::Snapshot> key; // kept for some frames
        dmr::ViewDelta delta;                     // from the frame before (none for a base)
    };
    void append(Frame frame, const dmr::Snapshot &snapshot, const dmr::ViewDelta *delta);
    void trim();

    QList<Stored> frames_;
    dmr::Snapshot tail_; // the newest frame's snapshot
    QString tailInstance_;
    int sinceKey_ = 0;
    mutable int cachedIndex_ = -1;
    mutable dmr::Snapshot cached_;
};

} // namespace dmr::console
