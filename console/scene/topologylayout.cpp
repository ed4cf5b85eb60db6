#include "topologylayout.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <set>

namespace dmr::console {

namespace {

struct Net
{
    QString name;
    std::vector<int> members; // node indices, natural order
    std::set<int> adjacent;   // other networks sharing a node
    int component = -1;
    int parent = -1;
    int depth = 0;
    std::vector<int> children; // network order
    std::vector<int> interior; // node indices drawn inside
    std::vector<int> gates;    // node indices in the gap towards the parent
    int cols = 0;
    int rows = 0;
    qreal ownWidth = 0;
    qreal ownHeight = 0;
    qreal blockWidth = 0;
    qreal labelWidth = 0;
    QRectF rect;
    QRectF header;
};

struct Vertex
{
    QString id;
    std::vector<int> nets; // network indices, ascending
    int home = -1;
    int gateParent = -1;
    int gateChild = -1;
    bool sideways = false; // a gate between a region and its parent to its left or right
    QPointF pos;
};

class Builder
{
public:
    Builder(const dmr::Topology &topology, const LayoutMetrics &m)
        : m_(m)
    {
        collect(topology);
        buildTrees();
        assignNodes();
        for (auto &net : nets_)
            measureOwn(net);
    }

    TopologyLayout run()
    {
        // Lay out each connected part around (0, 0), then put the parts in rows.
        std::vector<int> hubs;
        for (std::size_t i = 0; i < nets_.size(); ++i)
            if (nets_[i].parent < 0)
                hubs.push_back(static_cast<int>(i));
        std::vector<std::pair<int, QRectF>> parts; // hub, bounds
        for (int hub : hubs) {
            placeComponent(hub);
            parts.emplace_back(hub, componentBounds(hub));
        }
        qreal x = 0;
        qreal y = 0;
        qreal rowHeight = 0;
        for (const auto &[hub, bounds] : parts) {
            if (x > 0 && x + bounds.width() > m_.maxRowWidth) {
                x = 0;
                y += rowHeight + m_.componentGap;
                rowHeight = 0;
            }
            shiftComponent(hub, QPointF(x, y) - bounds.topLeft());
            x += bounds.width() + m_.componentGap;
            rowHeight = std::max(rowHeight, bounds.height());
        }
        placeUnattached(parts.empty() ? 0 : y + rowHeight + m_.componentGap);
        return finish();
    }

private:
    void collect(const dmr::Topology &topology)
    {
        std::vector<const dmr::Node *> order;
        order.reserve(topology.size());
        for (const auto &[id, node] : topology)
            order.push_back(&node);
        std::sort(order.begin(), order.end(), [](const dmr::Node *a, const dmr::Node *b) {
            return dmr::naturalLess(a->id, b->id);
        });
        std::map<dmr::Prefix, int> netOf;
        for (const auto *node : order)
            for (const auto &iface : node->interfaces)
                netOf.emplace(iface.network(), 0);
        int index = 0;
        for (auto &[prefix, i] : netOf) {
            i = index++;
            Net net;
            net.name = QString::fromStdString(prefix.toString());
            nets_.push_back(std::move(net));
        }
        for (const auto *node : order) {
            Vertex v;
            v.id = QString::fromStdString(node->id);
            for (const auto &iface : node->interfaces)
                v.nets.push_back(netOf.at(iface.network()));
            std::sort(v.nets.begin(), v.nets.end());
            v.nets.erase(std::unique(v.nets.begin(), v.nets.end()), v.nets.end());
            const int vi = static_cast<int>(vertices_.size());
            for (int n : v.nets) {
                nets_[n].members.push_back(vi);
                for (int o : v.nets)
                    if (o != n)
                        nets_[n].adjacent.insert(o);
            }
            vertices_.push_back(std::move(v));
        }
    }

    // Each connected part becomes a breadth-first tree from its hub: the network with the most
    // neighbours, then the most members, then the first.
    void buildTrees()
    {
        int component = 0;
        for (std::size_t start = 0; start < nets_.size(); ++start) {
            if (nets_[start].component >= 0)
                continue;
            std::vector<int> part;
            std::deque<int> queue{static_cast<int>(start)};
            nets_[start].component = component;
            while (!queue.empty()) {
                const int n = queue.front();
                queue.pop_front();
                part.push_back(n);
                for (int o : nets_[n].adjacent)
                    if (nets_[o].component < 0) {
                        nets_[o].component = component;
                        queue.push_back(o);
                    }
            }
            int hub = part.front();
            for (int n : part) {
                const auto key = [&](int i) {
                    return std::make_pair(nets_[i].adjacent.size(), nets_[i].members.size());
                };
                if (key(n) > key(hub) || (key(n) == key(hub) && n < hub))
                    hub = n;
            }
            std::vector<bool> seen(nets_.size(), false);
            seen[hub] = true;
            queue = {hub};
            while (!queue.empty()) {
                const int n = queue.front();
                queue.pop_front();
                for (int o : nets_[n].adjacent)
                    if (!seen[o]) {
                        seen[o] = true;
                        nets_[o].parent = n;
                        nets_[o].depth = nets_[n].depth + 1;
                        nets_[n].children.push_back(o);
                        queue.push_back(o);
                    }
            }
            ++component;
        }
    }

    void assignNodes()
    {
        for (std::size_t vi = 0; vi < vertices_.size(); ++vi) {
            auto &v = vertices_[vi];
            if (v.nets.empty())
                continue;
            // A gate of the shallowest tree edge among its networks.
            int child = -1;
            for (int a : v.nets)
                for (int b : v.nets)
                    if (a != b && nets_[b].parent == a &&
                        (child < 0 || std::make_pair(nets_[b].depth, b) <
                                          std::make_pair(nets_[child].depth, child)))
                        child = b;
            if (child >= 0) {
                v.gateChild = child;
                v.gateParent = nets_[child].parent;
                nets_[child].gates.push_back(static_cast<int>(vi));
                continue;
            }
            int home = v.nets.front();
            for (int n : v.nets)
                if (std::make_pair(nets_[n].depth, n) < std::make_pair(nets_[home].depth, home))
                    home = n;
            v.home = home;
            nets_[home].interior.push_back(static_cast<int>(vi));
        }
    }

    void measureOwn(Net &net)
    {
        const auto n = static_cast<int>(net.interior.size());
        if (n > 0) {
            net.cols = std::clamp(static_cast<int>(std::ceil(std::sqrt(n * 1.0))), 1, n);
            net.rows = (n + net.cols - 1) / net.cols;
        }
        qsizetype longestId = 1;
        for (int vi : net.members)
            longestId = std::max(longestId, vertices_[vi].id.size());
        const qreal title = static_cast<qreal>(net.name.size()) * m_.charWidth * 1.25;
        // "leader f8n16 · 16/16 up", in a smaller font than the estimate's
        const qreal leaderLine = static_cast<qreal>(longestId + 18) * m_.charWidth * 0.85;
        const qreal grid = net.cols * m_.cellWidth;
        const qreal gates = static_cast<qreal>(net.gates.size()) * m_.cellWidth;
        net.labelWidth = std::max(title, leaderLine);
        net.ownWidth =
            std::max({m_.minRegionWidth, grid, title, leaderLine, gates}) + 2 * m_.padding;
        net.ownHeight = net.rows > 0 ? m_.headerHeight + net.rows * m_.cellHeight + m_.padding * 0.5
                                     : 4 + m_.headerTextHeight + m_.padding * 0.6;
    }

    // Children stand on their parent's edge in a row: above or below it (Axis::H, the row runs
    // along x), or left or right of it (Axis::V, the row runs along y).
    enum class Axis { H, V };

    qreal ownAlong(const Net &net, Axis axis) const
    {
        if (axis == Axis::H)
            return net.ownWidth;
        const qreal gates = static_cast<qreal>(net.gates.size()) * m_.cellHeight + 2 * m_.padding;
        return std::max(net.ownHeight, gates);
    }
    qreal ownDepth(const Net &net, Axis axis) const
    {
        return axis == Axis::H ? net.ownHeight : net.ownWidth;
    }
    qreal cellAlong(Axis axis) const { return axis == Axis::H ? m_.cellWidth : m_.cellHeight; }

    // The extent along the row of a network's block: itself, or the row of its children.
    qreal measureBlock(int n, Axis axis)
    {
        const qreal row = measureRow(nets_[n].children, axis);
        nets_[n].blockWidth = std::max(ownAlong(nets_[n], axis), row);
        return nets_[n].blockWidth;
    }

    qreal measureRow(const std::vector<int> &row, Axis axis)
    {
        qreal extent = 0;
        for (int c : row)
            extent += measureBlock(c, axis);
        if (!row.empty())
            extent += m_.siblingGap * static_cast<qreal>(row.size() - 1);
        return extent;
    }

    // How far a block reaches away from its parent's edge.
    qreal measureDepth(int n, Axis axis) const
    {
        qreal deepest = 0;
        for (int c : nets_[n].children)
            deepest = std::max(deepest, m_.gateGap + measureDepth(c, axis));
        return ownDepth(nets_[n], axis) + deepest;
    }

    qreal rowDepth(const std::vector<int> &row, Axis axis) const
    {
        qreal deepest = 0;
        for (int c : row)
            deepest = std::max(deepest, m_.gateGap + measureDepth(c, axis));
        return deepest;
    }

    // dir -1: the block grows up (H) or left (V) from `edge`, its parent being below or right
    // of it; +1: down or right. `start` is where the block begins along the row.
    void placeBlock(int n, qreal start, qreal edge, int dir, Axis axis)
    {
        auto &net = nets_[n];
        const qreal depth = ownDepth(net, axis);
        const qreal near = dir < 0 ? edge - depth : edge;
        net.rect = axis == Axis::H ? QRectF(start, near, net.blockWidth, depth)
                                   : QRectF(near, start, depth, net.blockWidth);
        net.header = topHeader(net);
        placeInterior(net);
        const qreal far = dir < 0 ? near : near + depth;
        placeChildren(start, net.blockWidth, net.children, far, dir, axis);
    }

    QRectF topHeader(const Net &net) const
    {
        return QRectF(net.rect.left() + m_.padding * 0.7, net.rect.top() + 4,
                      std::min(net.rect.width() - m_.padding * 1.4, net.labelWidth),
                      m_.headerTextHeight);
    }

    // Children side by side, centred on [start, start + extent] along the row, standing on
    // `edge`; their gates in the gap in front of them.
    void placeChildren(qreal start, qreal extent, const std::vector<int> &children, qreal edge,
                       int dir, Axis axis)
    {
        if (children.empty())
            return;
        qreal row = m_.siblingGap * static_cast<qreal>(children.size() - 1);
        for (int c : children)
            row += nets_[c].blockWidth;
        qreal along = start + (extent - row) / 2;
        for (int c : children) {
            placeBlock(c, along, edge + dir * m_.gateGap, dir, axis);
            const auto &gates = nets_[c].gates;
            const qreal centre = along + nets_[c].blockWidth / 2;
            const qreal across = edge + dir * m_.gateGap / 2;
            for (std::size_t i = 0; i < gates.size(); ++i) {
                const qreal at =
                    centre + (static_cast<qreal>(i) - static_cast<qreal>(gates.size() - 1) / 2) *
                                 cellAlong(axis);
                vertices_[gates[i]].pos =
                    axis == Axis::H ? QPointF(at, across) : QPointF(across, at);
                vertices_[gates[i]].sideways = axis == Axis::V;
            }
            along += nets_[c].blockWidth + m_.siblingGap;
        }
    }

    void placeInterior(const Net &net)
    {
        if (net.interior.empty())
            return;
        const qreal left = net.rect.center().x() - net.cols * m_.cellWidth / 2;
        const qreal top = net.rect.top() + m_.headerHeight;
        for (std::size_t i = 0; i < net.interior.size(); ++i) {
            const auto col = static_cast<int>(i) % net.cols;
            const auto row = static_cast<int>(i) / net.cols;
            vertices_[net.interior[i]].pos =
                QPointF(left + (col + 0.5) * m_.cellWidth,
                        top + row * m_.cellHeight + m_.cellHeight * 0.42);
        }
    }

    // The hub is a bar with its neighbours above it, and below it when there are more than
    // three (the first half above). With more than eight, the hub is a rectangle with its
    // neighbours on all four sides (above, below, left, right, in that order), split so that
    // the whole is about as wide as a screen.
    void placeComponent(int hub)
    {
        const auto &kids = nets_[hub].children;
        const std::size_t k = kids.size();
        std::size_t above = k <= 3 ? k : (k + 1) / 2;
        std::size_t below = k - above;
        if (k > 8) {
            double best = 1e300;
            for (std::size_t n = 2; 2 * n <= k; ++n) {
                const double aspect = ringAspect(kids, n, n);
                const double off = std::abs(std::log(aspect / (16.0 / 9.0)));
                if (off < best - 1e-9) {
                    best = off;
                    above = n;
                    below = n;
                }
            }
        }
        const auto part = [&](std::size_t from, std::size_t count) {
            return std::vector<int>(kids.begin() + static_cast<long>(from),
                                    kids.begin() + static_cast<long>(from + count));
        };
        const std::size_t sides = k - above - below;
        const std::vector<int> top = part(0, above);
        const std::vector<int> bottom = part(above, below);
        const std::vector<int> left = part(above + below, (sides + 1) / 2);
        const std::vector<int> right = part(above + below + (sides + 1) / 2, sides / 2);

        auto &h = nets_[hub];
        const qreal topRow = measureRow(top, Axis::H);
        const qreal bottomRow = measureRow(bottom, Axis::H);
        const qreal leftColumn = measureRow(left, Axis::V);
        const qreal rightColumn = measureRow(right, Axis::V);
        // A bar with neighbours on both sides has its header in a column at its left end, out
        // of the way of the gates and of the tunnels through the bar.
        const bool bar = sides == 0;
        const qreal column =
            !bar || bottom.empty() || !h.interior.empty() ? 0 : h.labelWidth + m_.padding * 1.5;
        h.blockWidth = std::max({h.ownWidth, column + topRow, column + bottomRow});
        if (column > 0)
            h.ownHeight = m_.headerTextHeight + 2 * m_.padding;
        const qreal height = std::max({h.ownHeight, leftColumn, rightColumn});
        h.rect = QRectF(0, 0, h.blockWidth, height);
        h.header = column > 0 ? QRectF(h.rect.left() + m_.padding * 0.7,
                                       h.rect.center().y() - m_.headerTextHeight / 2, h.labelWidth,
                                       m_.headerTextHeight)
                              : topHeader(h);
        placeInterior(h);
        placeChildren(column, h.blockWidth - column, top, h.rect.top(), -1, Axis::H);
        placeChildren(column, h.blockWidth - column, bottom, h.rect.bottom(), +1, Axis::H);
        placeChildren(0, height, left, h.rect.left(), -1, Axis::V);
        placeChildren(0, height, right, h.rect.right(), +1, Axis::V);
    }

    // Width over height of the whole, with `above` and `below` neighbours in the rows and the
    // rest in the two columns.
    double ringAspect(const std::vector<int> &kids, std::size_t above, std::size_t below)
    {
        const auto part = [&](std::size_t from, std::size_t count) {
            return std::vector<int>(kids.begin() + static_cast<long>(from),
                                    kids.begin() + static_cast<long>(from + count));
        };
        const std::size_t sides = kids.size() - above - below;
        const auto top = part(0, above);
        const auto bottom = part(above, below);
        const auto left = part(above + below, (sides + 1) / 2);
        const auto right = part(above + below + (sides + 1) / 2, sides / 2);
        const auto &h = nets_[static_cast<std::size_t>(nets_[kids.front()].parent)];
        const qreal width =
            std::max({h.ownWidth, measureRow(top, Axis::H), measureRow(bottom, Axis::H)}) +
            rowDepth(left, Axis::V) + rowDepth(right, Axis::V);
        const qreal height =
            std::max({h.ownHeight, measureRow(left, Axis::V), measureRow(right, Axis::V)}) +
            rowDepth(top, Axis::H) + rowDepth(bottom, Axis::H);
        return width / std::max<qreal>(height, 1);
    }

    QRectF nodeBox(const Vertex &v) const
    {
        return QRectF(v.pos.x() - m_.cellWidth / 2, v.pos.y() - m_.cellHeight * 0.42, m_.cellWidth,
                      m_.cellHeight);
    }

    QRectF componentBounds(int hub) const
    {
        QRectF bounds;
        const int component = nets_[hub].component;
        for (const auto &net : nets_)
            if (net.component == component) {
                bounds = bounds.united(net.rect);
                for (int g : net.gates)
                    bounds = bounds.united(nodeBox(vertices_[g]));
            }
        return bounds;
    }

    void shiftComponent(int hub, QPointF by)
    {
        const int component = nets_[hub].component;
        for (auto &net : nets_)
            if (net.component == component) {
                net.rect.translate(by);
                net.header.translate(by);
                for (int vi : net.interior)
                    vertices_[vi].pos += by;
                for (int vi : net.gates)
                    vertices_[vi].pos += by;
            }
    }

    // Nodes with no interface at all: a row under everything else.
    void placeUnattached(qreal y)
    {
        qreal x = m_.cellWidth / 2;
        for (auto &v : vertices_)
            if (v.nets.empty()) {
                v.pos = QPointF(x, y + m_.cellHeight * 0.42);
                x += m_.cellWidth;
            }
    }

    TopologyLayout finish()
    {
        TopologyLayout out;
        out.metrics = m_;
        QRectF bounds;
        for (const auto &net : nets_)
            bounds = bounds.united(net.rect);
        for (const auto &v : vertices_)
            bounds = bounds.united(nodeBox(v));
        const QPointF shift = -bounds.topLeft();
        out.bounds = bounds.translated(shift);

        auto names = [&](const std::vector<int> &vs) {
            QStringList list;
            list.reserve(static_cast<qsizetype>(vs.size()));
            for (int vi : vs)
                list << vertices_[vi].id;
            return list;
        };
        out.regions.reserve(nets_.size());
        for (const auto &net : nets_) {
            RegionLayout r;
            r.network = net.name;
            r.rect = net.rect.translated(shift);
            r.parent = net.parent >= 0 ? nets_[net.parent].name : QString();
            r.members = names(net.members);
            r.interior = names(net.interior);
            r.gates = names(net.gates);
            r.header = net.header.translated(shift);
            r.headerRoom = net.interior.empty()
                               ? r.rect.adjusted(m_.padding * 0.7, 4, -m_.padding * 0.7, -4)
                               : QRectF(r.header.left(), r.rect.top() + 4,
                                        r.rect.right() - r.header.left() - m_.padding * 0.7,
                                        m_.headerHeight - 8);
            out.regionIndex.insert(r.network, static_cast<int>(out.regions.size()));
            out.regions.push_back(std::move(r));
        }
        out.nodes.reserve(vertices_.size());
        for (const auto &v : vertices_) {
            NodeLayout n;
            n.id = v.id;
            n.pos = v.pos + shift;
            for (int net : v.nets)
                n.networks << nets_[net].name;
            n.home = v.home >= 0 ? nets_[v.home].name : QString();
            n.gate = v.gateChild >= 0;
            if (n.gate)
                n.gateOf = {nets_[v.gateParent].name, nets_[v.gateChild].name};
            n.sideways = v.sideways;
            out.nodeIndex.insert(n.id, static_cast<int>(out.nodes.size()));
            out.nodes.push_back(std::move(n));
        }
        out.gridCell = 2 * std::max(m_.cellWidth, m_.cellHeight);
        std::vector<QRectF> boxes;
        boxes.reserve(out.nodes.size());
        for (const auto &n : out.nodes)
            boxes.emplace_back(n.pos, QSizeF(0, 0));
        out.grid.build(out.gridCell, boxes);
        boxes.clear();
        const qreal m = TopologyLayout::kRegionMargin;
        for (const auto &reg : out.regions)
            boxes.push_back(reg.rect.adjusted(-m, -m, m, m).united(reg.header));
        out.regionGrid.build(256, boxes);
        return out;
    }

    LayoutMetrics m_;
    std::vector<Net> nets_;
    std::vector<Vertex> vertices_;
};

} // namespace

const RegionLayout *TopologyLayout::region(const QString &network) const
{
    const auto it = regionIndex.constFind(network);
    return it == regionIndex.cend() ? nullptr : &regions[static_cast<std::size_t>(*it)];
}

const NodeLayout *TopologyLayout::node(const QString &id) const
{
    const auto it = nodeIndex.constFind(id);
    return it == nodeIndex.cend() ? nullptr : &nodes[static_cast<std::size_t>(*it)];
}

bool TopologyLayout::hasLink(const NodeLayout &n, const QString &network) const
{
    return network != n.home && n.networks.contains(network);
}

QPointF TopologyLayout::attachPoint(const NodeLayout &n, const QString &network) const
{
    const auto *r = region(network);
    return r ? nearestBorderPoint(r->rect, n.pos) : n.pos;
}

QPointF nearestBorderPoint(const QRectF &rect, const QPointF &p)
{
    const QPointF clamped(std::clamp(p.x(), rect.left(), rect.right()),
                          std::clamp(p.y(), rect.top(), rect.bottom()));
    if (clamped != p)
        return clamped; // outside: the clamped point is on the border
    const qreal toLeft = p.x() - rect.left();
    const qreal toRight = rect.right() - p.x();
    const qreal toTop = p.y() - rect.top();
    const qreal toBottom = rect.bottom() - p.y();
    const qreal nearest = std::min({toLeft, toRight, toTop, toBottom});
    if (nearest == toTop)
        return {p.x(), rect.top()};
    if (nearest == toBottom)
        return {p.x(), rect.bottom()};
    if (nearest == toLeft)
        return {rect.left(), p.y()};
    return {rect.right(), p.y()};
}

TopologyLayout layoutTopology(const dmr::Topology &topology, const LayoutMetrics &metrics)
{
    return Builder(topology, metrics).run();
}

void TopologyLayout::CellLists::build(qreal cellSize, const std::vector<QRectF> &boxes)
{
    size = cellSize;
    lists.clear();
    cols = rows = 0;
    if (boxes.empty())
        return;
    qint64 xa = std::numeric_limits<qint64>::max();
    qint64 ya = xa;
    qint64 xb = std::numeric_limits<qint64>::min();
    qint64 yb = xb;
    for (const auto &b : boxes) {
        xa = std::min(xa, cellOf(b.left()));
        ya = std::min(ya, cellOf(b.top()));
        xb = std::max(xb, cellOf(b.right()));
        yb = std::max(yb, cellOf(b.bottom()));
    }
    x0 = xa;
    y0 = ya;
    cols = xb - xa + 1;
    rows = yb - ya + 1;
    lists.assign(static_cast<std::size_t>(cols * rows), {});
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto &b = boxes[i];
        for (qint64 y = cellOf(b.top()); y <= cellOf(b.bottom()); ++y)
            for (qint64 x = cellOf(b.left()); x <= cellOf(b.right()); ++x)
                lists[static_cast<std::size_t>((y - y0) * cols + (x - x0))].push_back(
                    static_cast<int>(i));
    }
}

namespace {

// A node's circle, marks and label, as the scene draws them (estimated).
QRectF nodeFootprint(const TopologyLayout &layout, const NodeLayout &n)
{
    const qreal r = layout.metrics.nodeRadius;
    const qreal label = static_cast<qreal>(n.id.size()) * layout.metrics.charWidth * 0.9;
    const qreal ring = r + 13; // the system leader's ring and star
    if (n.id.size() <= 2)      // written inside the circle
        return QRectF(n.pos.x() - ring, n.pos.y() - ring, 2 * ring, 2 * ring);
    if (n.gate && !n.sideways)
        return QRectF(n.pos.x() - ring, n.pos.y() - ring, 2 * ring + 4 + label, 2 * ring);
    const qreal half = std::max(ring, label / 2);
    return QRectF(n.pos.x() - half, n.pos.y() - ring, 2 * half, 2 * ring + 16);
}

QPointF quadAt(QPointF a, QPointF c, QPointF b, qreal t)
{
    const qreal u = 1 - t;
    return u * u * a + 2 * u * t * c + t * t * b;
}

} // namespace

namespace {

qint64 cellOf(qreal v, qreal cell)
{
    return static_cast<qint64>(std::floor(v / cell));
}

qreal squaredDistance(QPointF a, QPointF b)
{
    const QPointF d = a - b;
    return QPointF::dotProduct(d, d);
}

qreal squaredDistanceToSegment(QPointF p, const QLineF &s)
{
    const QPointF d = s.p2() - s.p1();
    const qreal len2 = QPointF::dotProduct(d, d);
    const qreal t =
        len2 > 0 ? std::clamp(QPointF::dotProduct(p - s.p1(), d) / len2, 0.0, 1.0) : 0.0;
    return squaredDistance(p, s.p1() + t * d);
}

// Proper crossing of two segments (orientation tests), with the crossing point.
bool segmentsCross(const QLineF &a, const QLineF &b, QPointF *at)
{
    const QPointF r = a.p2() - a.p1();
    const QPointF s = b.p2() - b.p1();
    const qreal denom = r.x() * s.y() - r.y() * s.x();
    if (std::abs(denom) < 1e-9)
        return false;
    const QPointF qp = b.p1() - a.p1();
    const qreal t = (qp.x() * s.y() - qp.y() * s.x()) / denom;
    const qreal u = (qp.x() * r.y() - qp.y() * r.x()) / denom;
    if (t < 0 || t > 1 || u < 0 || u > 1)
        return false;
    *at = a.p1() + t * r;
    return true;
}

} // namespace

void TunnelObstacles::addLabel(const QRectF &box, int owner)
{
    if (box.isEmpty())
        return;
    labels_.push_back(box);
    labelOwners_.push_back(owner);
}

void TunnelObstacles::setLabel(int owner, const QRectF &box)
{
    for (std::size_t i = 0; i < labels_.size(); ++i)
        if (labelOwners_[i] == owner) {
            if (box.isEmpty()) {
                labels_.erase(labels_.begin() + static_cast<std::ptrdiff_t>(i));
                labelOwners_.erase(labelOwners_.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                labels_[i] = box;
            }
            return;
        }
    addLabel(box, owner);
}

void TunnelObstacles::addCurve(const QPolygonF &curve, int owner)
{
    for (qsizetype i = 1; i < curve.size(); ++i) {
        const QLineF segment(curve[i - 1], curve[i]);
        int index;
        if (free_.empty()) {
            index = static_cast<int>(segments_.size());
            segments_.push_back(segment);
            segmentOwners_.push_back(owner);
            generations_.push_back(0);
        } else {
            index = free_.back();
            free_.pop_back();
            segments_[static_cast<std::size_t>(index)] = segment;
            segmentOwners_[static_cast<std::size_t>(index)] = owner;
        }
        if (owner >= 0)
            owned_[owner].push_back(index);
        list(index);
    }
}

void TunnelObstacles::list(int segment)
{
    const Entry entry{segments_[static_cast<std::size_t>(segment)], segment,
                      generations_[static_cast<std::size_t>(segment)]};
    forCells(segment, [&](qint64 x, qint64 y) { cellToFill(x, y).push_back(entry); });
}

const std::vector<TunnelObstacles::Entry> *TunnelObstacles::cell(qint64 x, qint64 y) const
{
    x -= cellX0_;
    y -= cellY0_;
    if (x < 0 || y < 0 || x >= cellCols_ || y >= cellRows_)
        return nullptr;
    return &cells_[static_cast<std::size_t>(y * cellCols_ + x)];
}

std::vector<TunnelObstacles::Entry> &TunnelObstacles::cellToFill(qint64 x, qint64 y)
{
    if (x < cellX0_ || y < cellY0_ || x >= cellX0_ + cellCols_ || y >= cellY0_ + cellRows_) {
        // Room for this cell and as much again around it (at least a few cells), the lists
        // kept where they were: it grows a few times, not with every curve.
        const qint64 kSlack = std::max<qint64>({8, cellCols_ / 2, cellRows_ / 2});
        const bool empty = cellCols_ == 0;
        const qint64 xa = std::min(x - kSlack, empty ? x - kSlack : cellX0_);
        const qint64 ya = std::min(y - kSlack, empty ? y - kSlack : cellY0_);
        const qint64 xb = std::max(x + kSlack, empty ? x + kSlack : cellX0_ + cellCols_ - 1);
        const qint64 yb = std::max(y + kSlack, empty ? y + kSlack : cellY0_ + cellRows_ - 1);
        std::vector<std::vector<Entry>> grown(
            static_cast<std::size_t>((xb - xa + 1) * (yb - ya + 1)));
        for (qint64 row = 0; row < cellRows_; ++row)
            for (qint64 col = 0; col < cellCols_; ++col)
                grown[static_cast<std::size_t>((cellY0_ + row - ya) * (xb - xa + 1) +
                                               (cellX0_ + col - xa))] =
                    std::move(cells_[static_cast<std::size_t>(row * cellCols_ + col)]);
        cells_ = std::move(grown);
        cellX0_ = xa;
        cellY0_ = ya;
        cellCols_ = xb - xa + 1;
        cellRows_ = yb - ya + 1;
    }
    return cells_[static_cast<std::size_t>((y - cellY0_) * cellCols_ + (x - cellX0_))];
}

template<typename F>
void TunnelObstacles::forCells(int segment, F &&f) const
{
    const QLineF &s = segments_[static_cast<std::size_t>(segment)];
    const QRectF box = QRectF(s.p1(), s.p2()).normalized().adjusted(-kNear, -kNear, kNear, kNear);
    for (qint64 x = cellOf(box.left(), kCell); x <= cellOf(box.right(), kCell); ++x)
        for (qint64 y = cellOf(box.top(), kCell); y <= cellOf(box.bottom(), kCell); ++y)
            f(x, y);
}

void TunnelObstacles::remove(int owner)
{
    if (owner < 0)
        return;
    for (std::size_t i = 0; i < labels_.size();)
        if (labelOwners_[i] == owner) {
            labels_.erase(labels_.begin() + static_cast<std::ptrdiff_t>(i));
            labelOwners_.erase(labelOwners_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    const auto it = owned_.find(owner);
    if (it == owned_.end())
        return;
    // The grid keeps listing the segments: every query checks a listed segment's owner and its
    // geometry, so an entry of a removed segment, or of one whose slot a new curve took, finds
    // nothing. Taking them out of cells that list a hundred tunnels near the system leader cost
    // more than the routing; they go all at once (compact) when they outnumber the live ones.
    for (int index : it->second) {
        segmentOwners_[static_cast<std::size_t>(index)] = kFree;
        ++generations_[static_cast<std::size_t>(index)];
        free_.push_back(index);
    }
    stale_ += it->second.size();
    owned_.erase(it);
}

void TunnelObstacles::compact()
{
    if (stale_ <= 1024 || stale_ <= curveSegments())
        return;
    for (auto &entries : cells_)
        entries.clear();
    for (std::size_t i = 0; i < segments_.size(); ++i)
        if (segmentOwners_[i] != kFree)
            list(static_cast<int>(i));
    stale_ = 0;
}

void TunnelObstacles::clear()
{
    *this = TunnelObstacles();
}

int TunnelObstacles::labelHits(const QRectF &box) const
{
    int hits = 0;
    for (const auto &l : labels_)
        hits += l.intersects(box);
    return hits;
}

bool TunnelObstacles::near(QPointF p, qreal radius) const
{
    const auto *list = cell(cellOf(p.x(), kCell), cellOf(p.y(), kCell));
    if (!list)
        return false;
    for (const auto &e : *list) {
        const QLineF &s = e.line;
        // Its box grown by the radius first: most listed segments pass further off.
        if (p.x() < std::min(s.x1(), s.x2()) - radius ||
            p.x() > std::max(s.x1(), s.x2()) + radius ||
            p.y() < std::min(s.y1(), s.y2()) - radius || p.y() > std::max(s.y1(), s.y2()) + radius)
            continue;
        if (current(e) && squaredDistanceToSegment(p, s) < radius * radius)
            return true;
    }
    return false;
}

int TunnelObstacles::crossings(const QPolygonF &line, QPointF a, QPointF b, qreal keepOut,
                               int most) const
{
    int count = 0;
    stamp_.resize(segments_.size(), 0);
    const qreal keep2 = keepOut * keepOut;
    for (qsizetype i = 1; i < line.size(); ++i) {
        const QLineF segment(line[i - 1], line[i]);
        // Near the ends, where tunnels from the same node meet anyway, nothing counts.
        if ((squaredDistance(segment.p1(), a) < keep2 &&
             squaredDistance(segment.p2(), a) < keep2) ||
            (squaredDistance(segment.p1(), b) < keep2 && squaredDistance(segment.p2(), b) < keep2))
            continue;
        const QRectF box = QRectF(segment.p1(), segment.p2()).normalized();
        ++query_;
        for (qint64 x = cellOf(box.left(), kCell); x <= cellOf(box.right(), kCell); ++x)
            for (qint64 y = cellOf(box.top(), kCell); y <= cellOf(box.bottom(), kCell); ++y) {
                const auto *list = cell(x, y);
                if (!list)
                    continue;
                for (const auto &e : *list) {
                    const QLineF &other = e.line;
                    if (std::max(other.x1(), other.x2()) < box.left() ||
                        std::min(other.x1(), other.x2()) > box.right() ||
                        std::max(other.y1(), other.y2()) < box.top() ||
                        std::min(other.y1(), other.y2()) > box.bottom() || !current(e))
                        continue;
                    auto &stamp = stamp_[static_cast<std::size_t>(e.segment)];
                    if (stamp == query_)
                        continue;
                    stamp = query_;
                    QPointF at;
                    if (segmentsCross(segment, other, &at) && squaredDistance(at, a) > keep2 &&
                        squaredDistance(at, b) > keep2 && ++count > most)
                        return count;
                }
            }
    }
    return count;
}

TunnelRoute routeTunnel(const TopologyLayout &layout, const QString &from, const QString &to,
                        QSizeF labelSize, TunnelObstacles *placed, int owner)
{
    const auto *a = layout.node(from);
    const auto *b = layout.node(to);
    if (!a || !b)
        return {};
    if (placed)
        placed->compact(); // after the tunnels that closed went, before this one is routed
    const int fromIndex = layout.nodeIndex.value(from);
    const int toIndex = layout.nodeIndex.value(to);
    const QPointF p = a->pos;
    const QPointF q = b->pos;
    const QLineF chord(p, q);
    const qreal length = std::max<qreal>(chord.length(), 1);
    const QPointF unit = (q - p) / length;
    const QPointF normal(unit.y(), -unit.x()); // left of from -> to
    const qreal r = layout.metrics.nodeRadius;
    const qreal reach = std::clamp(length * 0.7, 40.0, 480.0);
    const qreal room = r + 8;    // a curve this close to a node's centre touches its marks
    constexpr qreal kEnough = 4; // clearance beyond this is as good as any

    // Per region: whether its header is in reach (a curve through it hides the network's name),
    // and whether it is a network neither end is on (a tunnel through its box reads as going
    // there), in reach. The curve lies in `area` (the control point does), so these are all the
    // boxes it can meet; they are found along it through the layout's region grid.
    constexpr char kHeader = 1;
    constexpr char kForeign = 2;
    std::vector<char> kind(layout.regions.size(), 0);
    const QRectF area = QRectF(p, q).normalized().adjusted(-reach, -reach, reach, reach);
    for (std::size_t i = 0; i < layout.regions.size(); ++i) {
        const auto &reg = layout.regions[i];
        if (reg.header.intersects(area))
            kind[i] |= kHeader;
        if (reg.rect.intersects(area) && !a->networks.contains(reg.network) &&
            !b->networks.contains(reg.network))
            kind[i] |= kForeign;
    }
    const qreal margin = TopologyLayout::kRegionMargin;
    std::vector<int> headerSeen(layout.regions.size(), 0);
    int bend = 0;

    // A cluster of thousands changes dozens of tunnels a second: there, coarser samples and the
    // nearer bends keep a frame quick; the tunnels are long and the boxes large anyway.
    const bool large = layout.nodes.size() > 2000;
    const int samples = large ? std::clamp(static_cast<int>(length / 48), 24, 96)
                              : std::clamp(static_cast<int>(length / 16), 32, 256);
    const auto curve = [&](QPointF c) {
        QPolygonF line;
        line.reserve(samples + 1);
        for (int i = 0; i <= samples; ++i)
            line << quadAt(p, c, q, static_cast<qreal>(i) / samples);
        return line;
    };
    // The score of a bend: enough room is enough, then the straighter, the better. A foreign
    // box costs by the share of the curve inside it, so that a bend around it wins over a cut
    // through. Every term but the room only lowers it, so the terms are added cheapest first
    // and the count stops as soon as the bend cannot beat `toBeat` any more: the same bend
    // wins as with every term counted.
    const auto score = [&](const QPolygonF &line, qreal fraction, qreal toBeat) {
        qreal value = kEnough * 10 - std::abs(fraction) * 40;
        if (value <= toBeat)
            return value;
        // Headers the curve passes through, each counted once.
        int headerHits = 0;
        ++bend;
        for (const auto &s : line)
            layout.forRegionsAt(s, [&](int i) {
                const auto at = static_cast<std::size_t>(i);
                if ((kind[at] & kHeader) && headerSeen[at] != bend &&
                    layout.regions[at].header.contains(s)) {
                    headerSeen[at] = bend;
                    ++headerHits;
                }
            });
        int inForeign = 0; // samples inside a foreign network's box (every fourth sample)
        for (qsizetype k = 0; k < line.size(); k += 4)
            layout.forRegionsAt(line[k], [&](int i) {
                const auto at = static_cast<std::size_t>(i);
                inForeign +=
                    (kind[at] & kForeign) && layout.regions[at]
                                                 .rect.adjusted(-margin, -margin, margin, margin)
                                                 .contains(line[k]);
            });
        value -= headerHits * 120 + (inForeign * 1600.0) / static_cast<qreal>(line.size());
        if (value <= toBeat)
            return value;
        qreal clear = kEnough;
        int alongside = 0;
        const qreal skip2 = (1.5 * r) * (1.5 * r);
        for (const auto &s : line) {
            if (squaredDistance(s, p) < skip2 || squaredDistance(s, q) < skip2)
                continue;
            layout.forNodesNear(s, room + kEnough, [&](int i) {
                if (i == fromIndex || i == toIndex)
                    return;
                // Only a node nearer than room + clear lowers it: most are not, and need no root.
                const qreal d2 = squaredDistance(s, layout.nodes[static_cast<std::size_t>(i)].pos);
                if (d2 >= (room + clear) * (room + clear))
                    return;
                clear = std::min(clear, std::sqrt(d2) - room);
            });
            alongside += placed && placed->near(s, 12);
            // Both only lower the score as the samples go on.
            if (value - (kEnough - clear) * 10 - alongside * 8 <= toBeat)
                return value - (kEnough - clear) * 10 - alongside * 8;
        }
        value -= (kEnough - clear) * 10 + alongside * 8;
        if (value <= toBeat || !placed)
            return value;
        // Crossings with tunnels already placed, away from the ends they may share: counted
        // until one more would sink the bend below `toBeat` (it loses either way).
        const auto most = static_cast<int>(std::min<qreal>((value - toBeat) / 50, 1 << 20));
        return value - placed->crossings(line, p, q, 3 * r, most) * 50;
    };
    // Nothing in the way of the straight line: nothing can beat it.
    const qreal perfect = kEnough * 10;
    // Bends as fractions of the length, left first: the first best one wins.
    static constexpr qreal kBends[] = {0.0,  0.08, -0.08, 0.15, -0.15, 0.22, -0.22, 0.3,
                                       -0.3, 0.42, -0.42, 0.56, -0.56, 0.7,  -0.7};
    QPointF best = chord.pointAt(0.5);
    QPolygonF bestLine = curve(best);
    qreal bestScore = -1e18;
    const std::size_t bends = large ? 7 : std::size(kBends);
    for (std::size_t k = 0; k < bends; ++k) {
        const qreal f = kBends[k];
        // The bends come straighter first: once the straightest the rest can be cannot beat
        // the best, none of them can.
        if (kEnough * 10 - std::abs(f) * 40 <= bestScore)
            break;
        const QPointF c = chord.pointAt(0.5) + normal * std::clamp(length * f, -reach, reach);
        const QPolygonF line = curve(c);
        const qreal value = score(line, f, bestScore);
        if (value > bestScore) {
            bestScore = value;
            best = c;
            bestLine = line;
        }
        if (bestScore >= perfect)
            break;
    }

    // The label: the first spot along the curve that covers no node, header or other label.
    int labelQuery = 0; // stamps below the bends' (which count up from 1)
    const auto covers = [&](const QRectF &box) {
        int hits = 0;
        const qreal radius = std::hypot(box.width(), box.height()) / 2 + layout.gridCell;
        layout.forNodesNear(box.center(), radius, [&](int i) {
            hits +=
                nodeFootprint(layout, layout.nodes[static_cast<std::size_t>(i)]).intersects(box);
        });
        layout.forRegionsIn(box, headerSeen, --labelQuery, [&](int i) {
            hits += layout.regions[static_cast<std::size_t>(i)].header.intersects(box);
        });
        if (placed)
            hits += placed->labelHits(box);
        return hits;
    };
    QPointF label = quadAt(p, best, q, 0.5);
    QRectF labelBox;
    int fewest = 1 << 30;
    for (qreal t : {0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74}) {
        const QPointF at = quadAt(p, best, q, t);
        const QRectF box(at.x() - labelSize.width() / 2, at.y() - labelSize.height() / 2,
                         labelSize.width(), labelSize.height());
        const int hits = covers(box);
        if (hits < fewest) {
            fewest = hits;
            label = at;
            labelBox = box;
        }
        if (hits == 0)
            break;
    }
    if (placed) {
        placed->addLabel(labelBox, owner);
        placed->addCurve(bestLine, owner);
    }
    return {best, label, bestLine};
}

} // namespace dmr::console
