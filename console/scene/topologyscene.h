#pragma once
// The topology view's scene, driven by dmr::Snapshot alone: networks as regions, nodes in them,
// leader marks, links to the networks, tunnels from the system leader. A new snapshot with the
// same topology keeps every node where it is and animates what changed (marks appearing and
// fading, a pulse on a node whose state changed, tunnels fading in and out, about 300 ms); a
// different topology lays the scene out again.

#include "topologyitems.h"
#include "topologylayout.h"

#include "dmr/snapshot.h"

#include <QGraphicsScene>
#include <QHash>
#include <QPointer>

#include <functional>
#include <memory>

class QVariantAnimation;

namespace dmr::console {

class TopologyScene : public QGraphicsScene
{
    Q_OBJECT
    Q_PROPERTY(QString systemLeader READ systemLeader NOTIFY snapshotChanged)
    Q_PROPERTY(
        QString selectedNode READ selectedNode WRITE setSelectedNode NOTIFY selectedNodeChanged)
    Q_PROPERTY(bool animationsEnabled READ animationsEnabled WRITE setAnimationsEnabled)

public:
    explicit TopologyScene(QObject *parent = nullptr);
    ~TopologyScene() override;

    void setSnapshot(const dmr::Snapshot &snapshot);
    bool hasSnapshot() const { return hasSnapshot_; }
    const dmr::Snapshot &snapshot() const { return snapshot_; }
    const TopologyLayout &topologyLayout() const { return layout_; }

    QGraphicsItem *nodeItem(const QString &id) const;
    QGraphicsItem *regionItem(const QString &network) const;
    QList<QGraphicsItem *> linkItems(const QString &nodeId) const;
    QList<QGraphicsItem *> tunnelItems() const; // root-leaf order of the plan
    QGraphicsItem *legendItem() const;
    void setLegendVisible(bool visible);

    QString systemLeader() const; // as marked; empty when none
    QString selectedNode() const { return selected_; }
    QStringList unreachable() const { return unreachable_; }
    // Node ids whose id or one of whose addresses contains the text (case-insensitive), in
    // natural order.
    QStringList findNodes(const QString &text) const;
    // The area worth showing: the regions, nodes and the legend.
    QRectF contentRect() const;

    bool animationsEnabled() const { return animationsEnabled_; }
    // Jumps every running animation to its end (before a screenshot, say).
    void finishAnimations();
    bool isAnimating() const { return !running_.isEmpty(); }
    void setAnimationsEnabled(bool enabled);
    static constexpr int kAnimationMs = 300;
    // More changes than this in one snapshot are applied without animation.
    static constexpr int kMaxAnimatedChanges = 64;

public slots:
    void setSelectedNode(const QString &id); // empty clears
    // Nodes no other node hears (the reachability probe): marked with a warning badge.
    void setUnreachable(const QStringList &nodes);

signals:
    void nodeClicked(const QString &id);
    void nodeContextMenuRequested(const QString &id, const QPoint &screenPos);
    void selectedNodeChanged(const QString &id);
    void snapshotChanged();
    void layoutChanged(); // a different topology was laid out

protected:
    bool event(QEvent *event) override;

private:
    friend class NodeItem;
    void emitNodeClicked(const QString &id);
    void emitContextMenu(const QString &id, const QPoint &screenPos);

    void applyPalette();
    void relayout(const dmr::Snapshot &snapshot);
    // everything: refresh every item (after a layout), not only those whose facts changed.
    void applySnapshot(const dmr::Snapshot &snapshot, bool animated, bool everything);
    void updateTunnels(const dmr::Snapshot &snapshot, bool animated);
    void stopAnimations();
    // Runs step(t) for t from 0 to 1 over kAnimationMs, then done(); replaces any animation
    // running on the same item. Without animations: step(1), done().
    void animate(QGraphicsItem *item, bool enabled, const std::function<void(qreal)> &step,
                 const std::function<void()> &done = {});
    void showMark(NodeItem *node, MarkItem::Kind kind, bool show, bool animated);
    void pulse(NodeItem *node, const QColor &color, bool animated);

    std::unique_ptr<SceneStyle> style_;
    TopologyLayout layout_;
    dmr::Snapshot snapshot_;
    bool hasSnapshot_ = false;
    bool animationsEnabled_ = true;
    QString selected_;
    QStringList unreachable_;
    QHash<QString, NodeItem *> nodes_;
    QHash<QString, RegionItem *> regions_;
    QHash<QString, QList<LinkItem *>> links_;
    QList<TunnelItem *> tunnels_;
    QList<TunnelItem *> fading_; // removed tunnels fading out
    LegendItem *legend_ = nullptr;
    QHash<QGraphicsItem *, QPointer<QVariantAnimation>> running_;
};

} // namespace dmr::console
