#pragma once
// The graphics items of the topology view. They paint from a shared SceneStyle (colours from
// the palette, fonts in points) and skip detail at small zoom, so that 10,000 nodes stay
// usable. Tests and tools read what an item shows through QGraphicsItem::data(ItemRole).

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QHash>
#include <QPalette>
#include <QPixmap>
#include <QStringList>

#include <map>
#include <tuple>

namespace dmr::console {

class TopologyScene;
struct TunnelRoute;

// Keys of QGraphicsItem::data().
enum ItemRole : int {
    RoleKind = 0,          // ItemKind, as int
    RoleId = 1,            // node id, network name, "root-leaf" for a tunnel
    RoleSystemLeader = 2,  // node: bool
    RoleGroupLeader = 3,   // node: bool (leads at least one network)
    RoleState = 4,         // node: "up", "down", "failed", "drained"; tunnel: "up", "pending"
    RoleNetwork = 5,       // link: its network
    RoleAdapterFailed = 6, // link: bool
    RoleLeader = 7,        // region: the leader's id, empty when none
    RoleTunnelRoot = 8,    // tunnel: the system leader's id
    RoleTunnelLeaf = 9,    // tunnel: the group leader's id
    RoleSelected = 10,     // node: bool
    RoleNetworks = 11,     // node: QStringList of its networks
    RoleUnreachable = 12,  // node: bool, no other node hears its reachability probes
    RoleNoTunnel = 13,     // node: QString, why the system leader has no tunnel to it (empty:
                           // it has one, or needs none)
    RoleBaseToolTip = 14,  // region, tunnel: its tool tip without the listeners' lines
};

enum class ItemKind : int {
    Region = 1,
    Node,
    Link,
    Tunnel,
    Legend,
    Mark,
    TunnelLabel,
    Overlay,
    HoverLabel
};

struct SceneStyle
{
    QColor background;
    QColor text;
    QColor muted;
    QColor regionFill;
    QColor regionOutline;
    QColor nodeFill;
    QColor nodeOutline;
    QColor groupLeader;
    QColor systemLeader;
    QColor failed;
    QColor down;
    QColor tunnelUp;
    QColor tunnelPending;
    QColor selection;
    QColor unreachable;
    QColor ghost;    // a what-if's plan, drawn over the live one
    QColor added;    // what a failover opened or took over
    QColor removed;  // what a failover closed or lost
    QColor dropping; // a tunnel whose rate limit is dropping datagrams now
    QFont nodeFont;
    QFont regionFont;
    QFont smallFont;
    QFont legendTitleFont;
    qreal nodeRadius = 14;

    static SceneStyle fromPalette(const QPalette &palette, qreal nodeRadius);

    // Node glyphs already drawn, by look (state, pixel size, radius, device pixel ratio): every
    // node of one look shares one pixmap. Belongs to the style, so a palette change, which
    // makes a new style, starts afresh; bounded (cleared when full).
    using GlyphKey = std::tuple<int, int, qreal, qreal>;
    mutable std::map<GlyphKey, QPixmap> glyphs;
    static constexpr std::size_t kGlyphsMax = 256;

    // A text's width and the line height in smallFont, measured once: a tunnel's label is
    // measured whenever the tunnel opens or changes, and the same few texts come back (a hundred
    // of them when the system leader moves). Bounded like the glyphs.
    qreal smallTextWidth(const QString &line) const;
    qreal smallLineHeight() const;
    mutable QHash<QString, qreal> smallWidths;
    mutable qreal smallHeight = -1;
    static constexpr qsizetype kSmallWidthsMax = 4096;
};

enum class NodeVisualState { Up, Down, Failed, Drained, NeverJoined };

// A network: a rounded rectangle with its ID and its leader at the top.
class RegionItem : public QGraphicsItem
{
public:
    // header: where the network ID and the leader line go.
    RegionItem(const SceneStyle *style, const QString &network, const QRectF &rect,
               const QRectF &header, const QRectF &headerRoom, int memberCount);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Region); }

    QString network() const { return network_; }
    QRectF rect() const { return rect_; }
    void setLeader(const QString &leader); // empty: no leader
    void setMembersUp(int up);

private:
    const SceneStyle *style_;
    QString network_;
    QRectF rect_;
    QRectF header_;
    QRectF headerRoom_;
    QString leader_;
    int members_;
    int up_;
    // Text measured once per look (the fonts it was measured in).
    QFont metricsFont_;
    QFont metricsSmallFont_;
    bool measured_ = false;
    qreal titleWidth_ = 1;
    qreal titleHeight_ = 1;
    qreal smallHeight_ = 1;
};

// A leader mark on a node: a ring (group leader), or a ring and a star (system leader).
// A child of its node, so that it can fade and scale on its own.
class MarkItem : public QGraphicsItem
{
public:
    enum class Kind { GroupLeader, SystemLeader, Pulse };
    MarkItem(const SceneStyle *style, Kind kind, QGraphicsItem *parent);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Mark); }
    Kind kind() const { return kind_; }
    void setPulseColor(const QColor &color) { pulse_ = color; }

private:
    const SceneStyle *style_;
    Kind kind_;
    QColor pulse_;
};

class NodeItem : public QGraphicsItem
{
public:
    // gate: drawn in the gap between two regions, its label to its right (below it when the
    // regions are side by side).
    NodeItem(TopologyScene *scene, const SceneStyle *style, const QString &id, bool gate,
             bool sideways = false);
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Node); }

    QString id() const { return id_; }
    void setVisualState(NodeVisualState state);
    NodeVisualState visualState() const { return state_; }
    // Its roles, also as RoleGroupLeader and RoleSystemLeader.
    void setRoles(bool groupLeader, bool systemLeader);
    bool groupLeader() const { return groupLeader_; }
    bool systemLeader() const { return systemLeader_; }
    void setFailedAdapters(const QStringList &adapters); // "eth1"
    void setSelectedNode(bool selected);
    void setUnreachable(bool unreachable);
    bool unreachable() const { return unreachable_; }
    // The plan leaves this group leader without a tunnel (no address family in common with the
    // system leader): why, or empty.
    void setNoTunnel(const QString &why);
    QString noTunnel() const { return noTunnel_; }
    void styleChanged();

    // The node's marks are made when first needed: most nodes never lead.
    MarkItem *mark(MarkItem::Kind kind) const; // nullptr until made
    MarkItem *ensureMark(MarkItem::Kind kind);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    void measureLabel();
    void paintSmallLabel(QPainter *painter, qreal lod) const;

    TopologyScene *owner_;
    const SceneStyle *style_;
    QString id_;
    bool gate_;
    bool sideways_;
    bool labelInside_ = true;
    QRectF labelRect_;
    QRectF bounds_;
    NodeVisualState state_ = NodeVisualState::Down;
    bool groupLeader_ = false;
    bool systemLeader_ = false;
    QStringList failedAdapters_;
    bool selected_ = false;
    bool unreachable_ = false;
    QString noTunnel_;
    // The id drawn small at fit zoom, for the last zoom and look it was drawn at.
    mutable QPixmap smallLabel_;
    qreal smallIdWidth_ = 0; // the id's width and height in the small font, measured once
    qreal smallFontHeight_ = 1;
    mutable std::tuple<int, int, QRgb, qreal> smallLabelKey_{0, 0, 0, 0};
    MarkItem *marks_[3] = {nullptr, nullptr, nullptr}; // by MarkItem::Kind
};

// The id, state and roles of the node under the mouse, at a readable size whatever the zoom.
class HoverLabelItem : public QGraphicsItem
{
public:
    explicit HoverLabelItem(const SceneStyle *style);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::HoverLabel); }
    void setText(const QString &text);
    QString text() const { return text_; }

private:
    const SceneStyle *style_;
    QString text_;
    QRectF bounds_;
};

// A node's attachment to a network it is not drawn inside: a short line from its circle to the
// region's border. A failed adapter shows here: red, dashed, crossed.
class LinkItem : public QGraphicsItem
{
public:
    LinkItem(const SceneStyle *style, const QString &node, const QString &network,
             const QString &iface, QPointF from, QPointF to);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Link); }

    QString node() const { return node_; }
    QString network() const { return network_; }
    QLineF line() const { return line_; }
    void setAdapterFailed(bool failed);
    void setNodeUp(bool up);

private:
    const SceneStyle *style_;
    QString node_;
    QString network_;
    QString iface_;
    QLineF line_;
    bool failed_ = false;
    bool nodeUp_ = true;
};

// A tunnel between the system leader and a group leader: a bold dashed arc, coloured when up,
// grey when pending, with the networks it carries at its middle when zoomed in (its label, a
// TunnelLabelItem above the nodes, so that no node hides it).
class TunnelItem : public QGraphicsItem
{
public:
    // A quadratic curve from `from` to `to` as routed, its label centred where the route says.
    TunnelItem(const SceneStyle *style, const QString &root, const QString &leaf, QPointF from,
               QPointF to, const TunnelRoute &route, const QStringList &carries);
    QPolygonF polyline() const { return route_; } // as routed, centre to centre
    static QString labelText(const QStringList &carries);
    QRectF labelRect() const;
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Tunnel); }

    QString root() const { return root_; }
    QString leaf() const { return leaf_; }
    void setUp(bool up);
    bool isUp() const { return up_; }
    void setCarries(const QStringList &networks);
    QStringList carries() const { return carries_; }
    // What goes down the tunnel by its leaf's word ("3 groups", "everything"): after the
    // networks in its label; empty: not known, the label shows the networks only.
    void setWants(const QString &wants);
    QString wants() const { return wants_; }
    // What its rate limit dropped ("120 dropped"): last in its label; empty: nothing. dropping:
    // the drops grew at the last answer, and the label is drawn in the warning colour.
    void setDrops(const QString &drops, bool dropping);
    QString drops() const { return drops_; }
    bool isDropping() const { return dropping_; }
    QString shownLabel() const; // with "(pending)" when pending; empty without networks
    QPointF labelCentre() const { return middle_; }
    void styleChanged(); // the label's font may have changed
    class TunnelLabelItem *labelItem() const { return labelItem_; }
    void setLabelItem(class TunnelLabelItem *item) { labelItem_ = item; }
    // Its key in the scene's TunnelObstacles.
    int obstacleKey() const { return obstacleKey_; }
    void setObstacleKey(int key) { obstacleKey_ = key; }

private:
    void measureLabel();

    const SceneStyle *style_;
    QString root_;
    QString leaf_;
    QPainterPath path_;
    QPointF middle_;
    QPolygonF route_;
    QPolygonF flat_; // the drawn curve, flattened: drawn in pieces when mostly off screen
    bool up_ = true;
    QStringList carries_;
    QString wants_;
    QString drops_;
    bool dropping_ = false;
    QString label_;
    QRectF labelRect_; // measured when its text changes: asked for with every paint
    class TunnelLabelItem *labelItem_ = nullptr;
    int obstacleKey_ = -1;
};

class TunnelLabelItem : public QGraphicsItem
{
public:
    TunnelLabelItem(const SceneStyle *style, TunnelItem *tunnel);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::TunnelLabel); }
    void geometryChanged() { prepareGeometryChange(); }
    void detach() { tunnel_ = nullptr; }

private:
    const SceneStyle *style_;
    TunnelItem *tunnel_;
};

// A second plan drawn over the one shown: what a what-if would change (ghost tunnels, rings on
// the would-be leaders, a cross on what fails), or what a failover changed (the tunnels it
// opened, those it closed, the nodes that took over and that lost roles). Positions come from
// the scene's layout; the scene makes one at a time.
class PlanOverlayItem : public QGraphicsItem
{
public:
    enum class Mode { WhatIf, Change };
    struct Tunnel
    {
        QPolygonF path; // routed, centre to centre
        QString label;
        bool opened = true; // false: closed
    };
    struct Mark
    {
        QPointF pos;
        enum Kind { Gains, Loses, Fails } kind = Gains;
        QString text; // "leads 10.0.1.0/24"
    };
    PlanOverlayItem(const SceneStyle *style, Mode mode, QList<Tunnel> tunnels, QList<Mark> marks,
                    QString caption, QPointF captionAt);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Overlay); }
    Mode mode() const { return mode_; }
    const QList<Tunnel> &tunnels() const { return tunnels_; }
    const QList<Mark> &marks() const { return marks_; }
    QString caption() const { return caption_; }

private:
    const SceneStyle *style_;
    Mode mode_;
    QList<Tunnel> tunnels_;
    QList<Mark> marks_;
    QString caption_;
    QPointF captionAt_;
    QRectF bounds_;
};

// What the marks mean, in a box. Painted by itself, so it exports with the scene.
class LegendItem : public QGraphicsItem
{
    int generation_ = 0;

public:
    explicit LegendItem(const SceneStyle *style);
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    int type() const override { return UserType + static_cast<int>(ItemKind::Legend); }
    void styleChanged();
    // The entries' texts, in order (for tests and accessibility).
    QStringList entries() const;
    // Its size when painted at `scale` (the view's overlay and the exports paint it smaller).
    QSizeF size() const { return bounds_.size(); }
    // Counts the style changes: a painted copy of an older one is out of date.
    int generation() const { return generation_; }

private:
    const SceneStyle *style_;
    QRectF bounds_;
};

} // namespace dmr::console
