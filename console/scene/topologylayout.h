#pragma once
// Where the topology view draws things: networks as rectangular regions, nodes inside them.
// A pure function of the topology (the nodes and their networks), never of who leads or what
// has failed, so a failover moves marks, not nodes; the same topology always gives the same
// layout. No widgets, no fonts: label widths are estimated from LayoutMetrics.
//
// The networks form a graph (two networks are adjacent when a node is on both). Each connected
// part is drawn as a tree of regions from its hub, the network with the most neighbours: the
// hub is a bar, its neighbours stand above it (and below it when there are more than three;
// with more than eight, on all four sides of it, so that the whole fits a screen), their own
// neighbours further out. A node on two networks of a tree edge is a gate: it sits in
// the gap between the two regions, on the parent's edge, with a short link to each. Every other
// node sits in a grid inside its home region (its first network in tree order); a membership
// that is neither home nor gate edge is drawn as a link to that region's nearest border point.
//
//   Fig. 5:   [ 10.0.1.0/24   2 3 ]   [ 10.0.2.0/24  5 6 ]
//                     (1)                    (4)
//             [ 10.0.3.0/24                               ]

#include "dmr/model.h"

#include <QHash>
#include <QLineF>
#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dmr::console {

struct LayoutMetrics
{
    qreal nodeRadius = 14;
    qreal cellWidth = 68;    // a node's cell in a region's grid
    qreal cellHeight = 62;   // room for the circle, its marks and its label below
    qreal headerHeight = 60; // the region's network ID and leader line, and a lane below them
    qreal headerTextHeight = 38;
    qreal padding = 14;
    qreal gateGap = 60;    // between a region and its parent; gates sit in it
    qreal siblingGap = 40; // between regions side by side
    qreal componentGap = 90;
    qreal charWidth = 7.5; // estimated width of a label character
    qreal minRegionWidth = 150;
    qreal maxRowWidth = 2400; // unconnected parts wrap into rows beyond this width
};

struct RegionLayout
{
    QString network; // the group name, "10.0.1.0/24"
    QRectF rect;
    QString parent;       // the network it hangs from in its tree; empty for a hub
    QStringList members;  // every node on the network, natural order
    QStringList interior; // the nodes drawn inside it, natural order
    QStringList gates;    // the nodes in the gap towards its parent, left to right
    QRectF header;        // where its network ID and leader line are written
    QRectF headerRoom;    // how far they may grow when zoomed out, staying clear of its nodes
};

struct NodeLayout
{
    QString id;
    QPointF pos;           // centre of the node's circle
    QStringList networks;  // every network it is on, in network order
    QString home;          // the region it is drawn inside; empty for a gate
    bool gate = false;     // drawn between two regions (see gateOf)
    QStringList gateOf;    // for a gate: {parent, child}
    bool sideways = false; // a gate between regions side by side: its label goes below it
};

struct TopologyLayout
{
    LayoutMetrics metrics;
    std::vector<RegionLayout> regions; // network order (by address, then prefix length)
    std::vector<NodeLayout> nodes;     // natural order of ids
    QRectF bounds;                     // regions and nodes with their labels

    const RegionLayout *region(const QString &network) const;
    const NodeLayout *node(const QString &id) const;

    // Whether the node is drawn with a link to the network (every membership but its home).
    bool hasLink(const NodeLayout &node, const QString &network) const;
    // Where a link from the node meets the network's region: the nearest point of the
    // region's border. For a gate that is straight above or below it.
    QPointF attachPoint(const NodeLayout &node, const QString &network) const;

    // Calls f(index into nodes) for every node within radius of p (and a few beyond).
    template<typename F>
    void forNodesNear(QPointF p, qreal radius, F &&f) const
    {
        grid.forEach(QRectF(p.x() - radius, p.y() - radius, 2 * radius, 2 * radius), f);
    }
    static qint64 cellKey(qint64 x, qint64 y) { return (x << 32) ^ (y & 0xffffffff); }

    // Calls f(index into regions) for every region whose box grown by kRegionMargin, or whose
    // header, may hold p (each at most once).
    template<typename F>
    void forRegionsAt(QPointF p, F &&f) const
    {
        if (const auto *list = regionGrid.at(regionGrid.cellOf(p.x()), regionGrid.cellOf(p.y())))
            for (int i : *list)
                f(i);
    }
    // Calls f(index into regions), once each, for every region whose grown box or header may
    // meet the rectangle. `seen` is scratch space of the caller's, one entry per region.
    template<typename F>
    void forRegionsIn(const QRectF &box, std::vector<int> &seen, int stamp, F &&f) const
    {
        seen.resize(regions.size(), 0);
        regionGrid.forEach(box, [&](int i) {
            if (std::exchange(seen[static_cast<std::size_t>(i)], stamp) != stamp)
                f(i);
        });
    }
    static constexpr qreal kRegionMargin = 4; // how far a tunnel keeps out of a foreign box

    // Indices listed by square cell of the plane (cell (x, y) covers x * size to (x + 1) * size
    // across, and so down), held densely over the cells from the first to the last that lists
    // any: a look-up is arithmetic, not a hash.
    struct CellLists
    {
        qreal size = 128;
        qint64 x0 = 0;
        qint64 y0 = 0;
        qint64 cols = 0;
        qint64 rows = 0;
        std::vector<std::vector<int>> lists;

        qint64 cellOf(qreal v) const { return static_cast<qint64>(std::floor(v / size)); }
        const std::vector<int> *at(qint64 x, qint64 y) const
        {
            x -= x0;
            y -= y0;
            if (x < 0 || y < 0 || x >= cols || y >= rows)
                return nullptr;
            return &lists[static_cast<std::size_t>(y * cols + x)];
        }
        // Calls f(index) for every index listed in a cell that meets the rectangle (an index
        // listed in several such cells, once for each).
        template<typename F>
        void forEach(const QRectF &box, F &&f) const
        {
            const qint64 xa = std::max(cellOf(box.left()), x0);
            const qint64 xb = std::min(cellOf(box.right()), x0 + cols - 1);
            const qint64 ya = std::max(cellOf(box.top()), y0);
            const qint64 yb = std::min(cellOf(box.bottom()), y0 + rows - 1);
            for (qint64 y = ya; y <= yb; ++y)
                for (qint64 x = xa; x <= xb; ++x)
                    for (int i : lists[static_cast<std::size_t>((y - y0) * cols + (x - x0))])
                        f(i);
        }
        // Lists each index in every cell its rectangle meets (an empty rectangle: its corner's
        // cell), in index order.
        void build(qreal cellSize, const std::vector<QRectF> &boxes);
    };

    QHash<QString, int> regionIndex;
    QHash<QString, int> nodeIndex;
    CellLists grid;       // node positions
    qreal gridCell = 128; // grid.size
    CellLists regionGrid; // regions by the cells their grown boxes and headers cover
};

TopologyLayout layoutTopology(const dmr::Topology &topology, const LayoutMetrics &metrics = {});

// A tunnel drawn as a quadratic curve from one node to another, bent to the side (and by the
// smallest amount) that keeps it clear of other nodes and region headers and does not cross
// tunnels already placed, with its label where it covers nothing. Deterministic: route the
// tunnels in plan order with the same TunnelObstacles and they land in the same places.
struct TunnelRoute
{
    QPointF control;
    QPointF label;      // centre of the label
    QPolygonF polyline; // the curve, flattened
};
// What tunnels already placed occupy: their labels, and their curves (for crossings and for
// running alongside), in a grid so that 10,000 nodes and a hundred tunnels stay quick. What is
// added under an owner (a key >= 0) can be taken away again: a scene keeps one for the tunnels it
// shows and updates it as tunnels open and close, rather than gathering them for every change.
class TunnelObstacles
{
public:
    void addLabel(const QRectF &box, int owner = -1);
    void addCurve(const QPolygonF &curve, int owner = -1);
    // The owner's label is now this box (none when empty).
    void setLabel(int owner, const QRectF &box);
    // Takes away everything added under the owner.
    void remove(int owner);
    // Drops what removed curves left in the grid, when that is most of it (routeTunnel does,
    // before it looks): a scene removes the tunnels that close, then routes those that open.
    void compact();
    void clear();
    int labelHits(const QRectF &box) const;
    // Whether a placed curve passes within `radius` of p (radius at most kNear).
    bool near(QPointF p, qreal radius) const;
    // Crossings of the polyline with placed curves, ignoring those within keepOut of a or b;
    // once there are more than `most`, that count.
    int crossings(const QPolygonF &line, QPointF a, QPointF b, qreal keepOut,
                  int most = std::numeric_limits<int>::max()) const;
    std::size_t curveSegments() const { return segments_.size() - free_.size(); } // for tests

    static constexpr qreal kNear = 16;

private:
    template<typename F>
    void forCells(int segment, F &&f) const; // f(x, y) for the cells the segment is listed in
    // A cell lists each segment near it with its geometry, so that a query reads one list from
    // start to end and looks elsewhere only for the few segments that pass close. An entry is
    // out of date when its slot was freed since (its generation is older).
    struct Entry
    {
        QLineF line;
        int segment = 0;
        unsigned generation = 0;
    };
    bool current(const Entry &e) const
    {
        const auto i = static_cast<std::size_t>(e.segment);
        return segmentOwners_[i] != kFree && generations_[i] == e.generation;
    }
    void list(int segment);                                   // in the cells near it
    const std::vector<Entry> *cell(qint64 x, qint64 y) const; // nullptr: beyond every list
    std::vector<Entry> &cellToFill(qint64 x, qint64 y);       // grows the grid to hold it

    static constexpr qreal kCell = 96;
    static constexpr int kFree = -2; // a segment's owner once it is removed
    std::vector<QRectF> labels_;
    std::vector<int> labelOwners_;
    std::vector<QLineF> segments_;
    std::vector<int> segmentOwners_;
    std::vector<int> free_;                           // removed segments, to be reused
    std::unordered_map<int, std::vector<int>> owned_; // owner -> its segments
    // Segments near each cell, dense over the cells from (cellX0_, cellY0_) on: a look-up is
    // arithmetic. It grows as curves land further out; they stay within the layout's area and a
    // tunnel's reach around it, which bounds it.
    std::vector<std::vector<Entry>> cells_;
    std::vector<unsigned> generations_; // per segment slot: how often it was freed
    qint64 cellX0_ = 0;
    qint64 cellY0_ = 0;
    qint64 cellCols_ = 0;
    qint64 cellRows_ = 0;
    std::size_t stale_ = 0;          // removed segments the cells still list (until compact)
    mutable std::vector<int> stamp_; // per segment: the query that last looked at it
    mutable int query_ = 0;
};

// owner: the key under which the route's curve and label are added to `placed`.
TunnelRoute routeTunnel(const TopologyLayout &layout, const QString &from, const QString &to,
                        QSizeF labelSize, TunnelObstacles *placed, int owner = -1);

// The nearest point of the rectangle's border to p (p itself when it lies on it).
QPointF nearestBorderPoint(const QRectF &rect, const QPointF &p);

} // namespace dmr::console
