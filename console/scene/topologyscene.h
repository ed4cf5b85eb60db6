#pragma once
// The topology view's scene, driven by dmr::Snapshot alone: networks as regions, nodes in them,
// leader marks, links to the networks, tunnels from the system leader. A new snapshot with the
// same topology keeps every node where it is and animates what changed (marks appearing and
// fading, a pulse on a node whose state changed, tunnels fading in and out, about 300 ms); a
// different topology lays the scene out again.
//
// Over it, one plan overlay at a time (PlanOverlayItem): a what-if (the plan if a node or an
// adapter failed, from the planner dmrctl plan uses) or a change (what a failover opened and
// closed, and who took over). The legend is not part of the scene: the view paints it as a small
// overlay in a corner, and the exports in theirs.

#include "topologyitems.h"
#include "topologylayout.h"

#include "dmr/snapshot.h"

#include <QGraphicsScene>
#include <QHash>
#include <QPointer>
#include <QSet>

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
    QGraphicsItem *legendItem() const; // painted by the view and the exports, not in the scene
    void setLegendVisible(bool visible);
    bool legendVisible() const { return legendVisible_; }
    QGraphicsItem *overlayItem() const; // nullptr when none
    QString overlayCaption() const;     // what the overlay shows, for the view's banner
    QGraphicsItem *hoverLabel() const;

    QString systemLeader() const; // as marked; empty when none
    QString selectedNode() const { return selected_; }
    QStringList unreachable() const { return unreachable_; }
    // A node's tool tip (state, roles, interfaces) and its hover label (state, roles), made
    // when asked for.
    QString nodeToolTip(const QString &id) const;
    // Why the plan leaves this node without a tunnel from the system leader, or empty.
    static QString noTunnelText(const dmr::Snapshot &snapshot, const std::string &id);
    QString nodeSummary(const QString &id) const;
    // Node ids whose id or one of whose addresses contains the text (case-insensitive), in
    // natural order.
    QStringList findNodes(const QString &text) const;
    // The area worth showing: the regions and nodes.
    QRectF contentRect() const;
    // What the view shows, for an export's caption: "live", "replay", "failover of 2 (after)".
    QString viewLabel() const { return viewLabel_; }
    void setViewLabel(const QString &label) { viewLabel_ = label; }
    // The view id of the snapshot shown, for the caption; empty when unknown.
    QString viewId() const { return viewId_; }
    void setViewId(const QString &viewId) { viewId_ = viewId; }

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
    // Nodes of the expected topology no agent has seen: drawn as a dotted outline.
    void setNeverJoined(const QStringList &nodes);
    // Who listens (issue 18's pruning), from the routing points: each network's listeners for
    // its region's tool tip (by network), and each tunnel's wanted groups (by "root-leaf"): its
    // label says what goes down it, its tool tip both ways. Empty maps: not known, nothing shown.
    void setListeners(const QHash<QString, QString> &networkText,
                      const QHash<QString, QString> &tunnelLabel,
                      const QHash<QString, QString> &tunnelText);
    // What the tunnels' rate limits dropped (by "root-leaf"): after what goes down it in its
    // label ("120 dropped"); a tunnel in `dropping` (its drops grew at the last answer) has its
    // label drawn in the warning colour. Empty: nothing dropped, or not known.
    void setTunnelDrops(const QHash<QString, QString> &label, const QSet<QString> &dropping);
    // The overlay of what `after` changes from `before` (both of this scene's topology): the
    // tunnels it opens and closes, the nodes that gain or lose roles, and those in `failing`
    // crossed out; with a caption. Replaces any overlay.
    void showPlanChange(const dmr::Snapshot &before, const dmr::Snapshot &after,
                        PlanOverlayItem::Mode mode, const QString &caption,
                        const QStringList &failing = {});
    void clearOverlay();

signals:
    void nodeClicked(const QString &id);
    void nodeContextMenuRequested(const QString &id, const QPoint &screenPos);
    void selectedNodeChanged(const QString &id);
    void snapshotChanged();
    void layoutChanged(); // a different topology was laid out

protected:
    bool event(QEvent *event) override;
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    friend class NodeItem;
    void emitNodeClicked(const QString &id);
    void emitContextMenu(const QString &id, const QPoint &screenPos);
    void showHoverLabel(NodeItem *node);
    void hideHoverLabel(NodeItem *node);

    void applyPalette();
    void relayout(const dmr::Snapshot &snapshot);
    // statusChanged: the nodes whose status differs from snapshot_'s (besides them, those whose
    // roles changed are refreshed); nullptr: refresh every item (after a layout).
    void applySnapshot(const dmr::Snapshot &snapshot, bool animated,
                       const std::vector<dmr::NodeId> *statusChanged);
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
    QStringList neverJoined_;
    QHash<QString, QString> networkListeners_;
    QHash<QString, QString> tunnelWants_;
    QHash<QString, QString> tunnelWantsText_;
    QHash<QString, QString> tunnelDrops_;
    QSet<QString> tunnelsDropping_;
    void applyListeners();
    bool legendVisible_ = true;
    QString viewLabel_;
    QString viewId_;
    PlanOverlayItem *overlay_ = nullptr;
    HoverLabelItem *hover_ = nullptr;
    QHash<QString, NodeItem *> nodes_;
    std::vector<NodeItem *> itemOrder_; // in the order of the snapshot's nodes
    QHash<QString, RegionItem *> regions_;
    QHash<QString, QList<LinkItem *>> links_;
    QList<TunnelItem *> tunnels_;
    QList<TunnelItem *> fading_; // removed tunnels fading out
    // What the shown tunnels occupy, kept up to date as they open and close: a new tunnel is
    // routed around them without gathering them again.
    TunnelObstacles placed_;
    int nextObstacleKey_ = 0;
    LegendItem *legend_ = nullptr;
    QHash<QGraphicsItem *, QPointer<QVariantAnimation>> running_;
};

} // namespace dmr::console
