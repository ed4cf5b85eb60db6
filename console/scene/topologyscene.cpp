#include "topologyscene.h"

#include <QEasingCurve>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsSceneHelpEvent>
#include <QSet>
#include <QToolTip>
#include <QVariantAnimation>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

namespace dmr::console {

namespace {

// Internal: whether a mark is meant to be shown (it stays visible while it fades out).
constexpr int kRoleMarkShown = 100;

NodeVisualState visualState(dmr::NodeState state)
{
    switch (state) {
    case dmr::NodeState::Up:
        return NodeVisualState::Up;
    case dmr::NodeState::Failed:
        return NodeVisualState::Failed;
    case dmr::NodeState::Drained:
        return NodeVisualState::Drained;
    case dmr::NodeState::Down:
        break;
    }
    return NodeVisualState::Down;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QString stateText(NodeVisualState state)
{
    switch (state) {
    case NodeVisualState::Up:
        return TopologyScene::tr("up");
    case NodeVisualState::Failed:
        return TopologyScene::tr("failed");
    case NodeVisualState::Drained:
        return TopologyScene::tr("drained");
    case NodeVisualState::NeverJoined:
        return TopologyScene::tr("never joined");
    case NodeVisualState::Down:
        break;
    }
    return TopologyScene::tr("down");
}

// The roles of a node in a plan, for people: "system leader", "leader of 10.0.1.0/24".
QStringList rolesIn(const dmr::Plan &plan, const dmr::NodeId &id)
{
    QStringList roles;
    if (plan.election.systemLeader == id)
        roles << TopologyScene::tr("system leader");
    for (const auto &g : plan.election.groupsLedBy(id))
        roles << TopologyScene::tr("leader of %1").arg(QString::fromStdString(g));
    return roles;
}

struct NodeFacts
{
    NodeVisualState state = NodeVisualState::Down;
    bool groupLeader = false;
    bool systemLeader = false;
    QStringList failedAdapters;
    bool operator==(const NodeFacts &) const = default;
};

// Who leads what in one snapshot, looked up once rather than per node.
struct Leadership
{
    std::unordered_map<dmr::NodeId, std::vector<dmr::GroupName>> led;
    std::optional<dmr::NodeId> systemLeader;

    explicit Leadership(const dmr::Snapshot &s)
        : systemLeader(s.plan.election.systemLeader)
    {
        for (const auto &[group, leader] : s.plan.election.groupLeaders)
            led[leader].push_back(group);
    }
    const std::vector<dmr::GroupName> &groupsLedBy(const dmr::NodeId &id) const
    {
        static const std::vector<dmr::GroupName> none;
        const auto it = led.find(id);
        return it == led.end() ? none : it->second;
    }
};

NodeFacts factsOf(const dmr::NodeStatus *status, const Leadership &leaders, const dmr::NodeId &id)
{
    NodeFacts f;
    if (status) {
        f.state = visualState(status->state);
        for (const auto &a : status->failedAdapters)
            f.failedAdapters << q(a);
    }
    f.groupLeader = leaders.led.count(id) != 0;
    f.systemLeader = leaders.systemLeader == id;
    return f;
}

// Walks a status map alongside the nodes (both in id order): the status of each node in turn
// without a lookup per node.
class StatusWalk
{
public:
    explicit StatusWalk(const std::map<dmr::NodeId, dmr::NodeStatus> &status)
        : it_(status.begin())
        , end_(status.end())
    {
    }
    const dmr::NodeStatus *at(const dmr::NodeId &id)
    {
        while (it_ != end_ && it_->first < id)
            ++it_;
        return it_ != end_ && it_->first == id ? &it_->second : nullptr;
    }

private:
    std::map<dmr::NodeId, dmr::NodeStatus>::const_iterator it_;
    std::map<dmr::NodeId, dmr::NodeStatus>::const_iterator end_;
};

// The nodes whose status differs between two snapshots (the maps walked together, in id
// order), in id order.
std::vector<dmr::NodeId> statusChanges(const std::map<dmr::NodeId, dmr::NodeStatus> &was,
                                       const std::map<dmr::NodeId, dmr::NodeStatus> &now)
{
    std::vector<dmr::NodeId> out;
    auto a = was.begin();
    auto b = now.begin();
    while (a != was.end() || b != now.end()) {
        if (b == now.end() || (a != was.end() && a->first < b->first)) {
            out.push_back(a->first);
            ++a;
        } else if (a == was.end() || b->first < a->first) {
            out.push_back(b->first);
            ++b;
        } else {
            if (!(a->second == b->second))
                out.push_back(a->first);
            ++a;
            ++b;
        }
    }
    return out;
}

// Those, and the nodes whose roles differ between the two leaderships: in id order, each once.
std::vector<dmr::NodeId> changedNodes(const std::vector<dmr::NodeId> &statusChanged,
                                      const Leadership &before, const Leadership &after)
{
    std::vector<dmr::NodeId> out = statusChanged;
    for (const auto &[id, groups] : after.led)
        if (before.groupsLedBy(id) != groups)
            out.push_back(id);
    for (const auto &[id, groups] : before.led)
        if (after.groupsLedBy(id) != groups)
            out.push_back(id);
    if (before.systemLeader != after.systemLeader)
        for (const auto &leader : {before.systemLeader, after.systemLeader})
            if (leader)
                out.push_back(*leader);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool tunnelUp(const dmr::Snapshot &s, const dmr::Tunnel &t)
{
    const auto up = [&](const dmr::NodeId &id) {
        const auto it = s.status.find(id);
        return it != s.status.end() && it->second.state == dmr::NodeState::Up &&
               s.membership.glGroup.contains(id);
    };
    return up(t.root.node) && up(t.leaf.node);
}

QString toolTipOf(const Leadership &leaders, const dmr::Node &node, const NodeFacts &f)
{
    QStringList lines;
    lines << TopologyScene::tr("Node %1: %2").arg(q(node.id), stateText(f.state));
    if (f.systemLeader)
        lines << TopologyScene::tr("System leader");
    const auto &led = leaders.groupsLedBy(node.id);
    if (!led.empty()) {
        QStringList groups;
        for (const auto &g : led)
            groups << q(g);
        lines << TopologyScene::tr("Leads %1").arg(groups.join(QStringLiteral(", ")));
    }
    for (const auto &iface : node.interfaces) {
        QString line = QStringLiteral("%1  %2  (%3)")
                           .arg(q(iface.name), q(iface.address.toString()), q(iface.group()));
        if (f.failedAdapters.contains(q(iface.name)))
            line += QLatin1Char(' ') + TopologyScene::tr("adapter failed");
        lines << line;
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

TopologyScene::TopologyScene(QObject *parent)
    : QGraphicsScene(parent)
    , style_(std::make_unique<SceneStyle>())
{
    applyPalette();
    legend_ = new LegendItem(style_.get());
    hover_ = new HoverLabelItem(style_.get());
    addItem(hover_);
}

TopologyScene::~TopologyScene()
{
    stopAnimations();
    delete legend_;
}

void TopologyScene::setSnapshot(const dmr::Snapshot &snapshot)
{
    const bool sameNodes = hasSnapshot_ && snapshot.nodes == snapshot_.nodes;
    if (!sameNodes) {
        relayout(snapshot);
        snapshot_ = snapshot;
    } else {
        const auto changed = statusChanges(snapshot_.status, snapshot.status);
        applySnapshot(snapshot, animationsEnabled_, &changed);
        // The nodes are equal: copying them again is the largest part of a big cluster's copy;
        // of the statuses, only those that changed are.
        snapshot_.cluster = snapshot.cluster;
        snapshot_.timeMs = snapshot.timeMs;
        for (const auto &id : changed) {
            if (const auto it = snapshot.status.find(id); it != snapshot.status.end())
                snapshot_.status.insert_or_assign(id, it->second);
            else
                snapshot_.status.erase(id);
        }
        snapshot_.membership = snapshot.membership;
        snapshot_.plan = snapshot.plan;
    }
    hasSnapshot_ = true;
    emit snapshotChanged();
}

QGraphicsItem *TopologyScene::nodeItem(const QString &id) const
{
    return nodes_.value(id);
}

QGraphicsItem *TopologyScene::regionItem(const QString &network) const
{
    return regions_.value(network);
}

QList<QGraphicsItem *> TopologyScene::linkItems(const QString &nodeId) const
{
    QList<QGraphicsItem *> out;
    for (auto *link : links_.value(nodeId))
        out << link;
    return out;
}

QList<QGraphicsItem *> TopologyScene::tunnelItems() const
{
    QList<QGraphicsItem *> out;
    for (auto *t : tunnels_)
        out << t;
    return out;
}

QGraphicsItem *TopologyScene::legendItem() const
{
    return legend_;
}

void TopologyScene::setLegendVisible(bool visible)
{
    legendVisible_ = visible;
    legend_->setVisible(visible);
    update(); // the views paint it
}

QGraphicsItem *TopologyScene::overlayItem() const
{
    return overlay_;
}

QString TopologyScene::overlayCaption() const
{
    return overlay_ ? overlay_->caption() : QString();
}

QGraphicsItem *TopologyScene::hoverLabel() const
{
    return hover_;
}

QString TopologyScene::nodeToolTip(const QString &id) const
{
    const auto n = snapshot_.nodes.find(id.toStdString());
    if (!hasSnapshot_ || n == snapshot_.nodes.end())
        return {};
    const Leadership leaders(snapshot_);
    NodeFacts f =
        factsOf(snapshot_.status.count(n->first) != 0 ? &snapshot_.status.at(n->first) : nullptr,
                leaders, n->first);
    if (auto *item = nodes_.value(id))
        f.state = item->visualState();
    const QString cut = noTunnelText(snapshot_, n->first);
    return toolTipOf(leaders, n->second, f) + (cut.isEmpty() ? QString() : QLatin1Char('\n') + cut);
}

QString TopologyScene::noTunnelText(const dmr::Snapshot &snapshot, const std::string &id)
{
    for (const auto &t : snapshot.plan.noTunnels)
        if (t.leaf == id) {
            QStringList networks;
            for (const auto &n : t.networks)
                networks << q(n);
            return tr("No tunnel from system leader %1, so %2 is cut off: %3")
                .arg(q(t.root), networks.join(tr(", ")), q(t.reason));
        }
    return {};
}

QString TopologyScene::nodeSummary(const QString &id) const
{
    const auto *item = nodes_.value(id);
    if (!item)
        return id;
    const QStringList roles = rolesIn(snapshot_.plan, id.toStdString());
    return roles.isEmpty() ? tr("Node %1: %2").arg(id, stateText(item->visualState()))
                           : tr("Node %1: %2\n%3")
                                 .arg(id, stateText(item->visualState()), roles.join(tr(", ")));
}

void TopologyScene::helpEvent(QGraphicsSceneHelpEvent *event)
{
    for (auto *item : items(event->scenePos())) {
        if (auto *node = dynamic_cast<NodeItem *>(item)) {
            QToolTip::showText(event->screenPos(), nodeToolTip(node->id()), event->widget());
            event->accept();
            return;
        }
        if (!item->toolTip().isEmpty())
            break;
    }
    QGraphicsScene::helpEvent(event);
}

void TopologyScene::showHoverLabel(NodeItem *node)
{
    hover_->setText(nodeSummary(node->id()));
    hover_->setPos(node->pos());
    hover_->setVisible(true);
}

void TopologyScene::hideHoverLabel(NodeItem *node)
{
    if (hover_->pos() == node->pos())
        hover_->setVisible(false);
}

QString TopologyScene::systemLeader() const
{
    for (auto it = nodes_.cbegin(); it != nodes_.cend(); ++it)
        if (it.value()->data(RoleSystemLeader).toBool())
            return it.key();
    return {};
}

QStringList TopologyScene::findNodes(const QString &text) const
{
    const QString needle = text.trimmed();
    if (needle.isEmpty() || !hasSnapshot_)
        return {};
    std::vector<dmr::NodeId> found;
    for (const auto &[id, node] : snapshot_.nodes) {
        bool match = q(id).contains(needle, Qt::CaseInsensitive);
        for (const auto &iface : node.interfaces)
            match = match || q(iface.address.toString()).contains(needle, Qt::CaseInsensitive);
        if (match)
            found.push_back(id);
    }
    std::sort(found.begin(), found.end(), dmr::naturalLess);
    QStringList out;
    for (const auto &id : found)
        out << q(id);
    return out;
}

QRectF TopologyScene::contentRect() const
{
    return layout_.bounds;
}

void TopologyScene::setAnimationsEnabled(bool enabled)
{
    animationsEnabled_ = enabled;
}

void TopologyScene::setSelectedNode(const QString &id)
{
    const QString next = nodes_.contains(id) ? id : QString();
    if (next == selected_)
        return;
    if (auto *old = nodes_.value(selected_))
        old->setSelectedNode(false);
    selected_ = next;
    if (auto *item = nodes_.value(selected_))
        item->setSelectedNode(true);
    emit selectedNodeChanged(selected_);
}

void TopologyScene::emitNodeClicked(const QString &id)
{
    emit nodeClicked(id);
}

void TopologyScene::emitContextMenu(const QString &id, const QPoint &screenPos)
{
    emit nodeContextMenuRequested(id, screenPos);
}

bool TopologyScene::event(QEvent *event)
{
    const bool handled = QGraphicsScene::event(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyPalette();
    return handled;
}

void TopologyScene::applyPalette()
{
    *style_ = SceneStyle::fromPalette(palette(), layout_.metrics.nodeRadius);
    setBackgroundBrush(style_->background);
    for (auto *node : std::as_const(nodes_))
        node->styleChanged();
    for (auto *tunnel : std::as_const(tunnels_))
        tunnel->styleChanged();
    if (legend_)
        legend_->styleChanged();
    if (hover_ && !hover_->text().isEmpty())
        hover_->setText(hover_->text());
    QGraphicsScene::update();
}

void TopologyScene::relayout(const dmr::Snapshot &snapshot)
{
    stopAnimations();
    const QString selected = selected_;
    QList<QGraphicsItem *> topLevel;
    for (auto *item : items())
        if (item != hover_ && !item->parentItem())
            topLevel << item;
    qDeleteAll(topLevel);
    overlay_ = nullptr;
    hover_->setVisible(false);
    nodes_.clear();
    regions_.clear();
    links_.clear();
    tunnels_.clear();
    fading_.clear();
    placed_.clear();
    selected_.clear();

    layout_ = layoutTopology(snapshot.nodes);
    for (const auto &r : layout_.regions) {
        auto *item = new RegionItem(style_.get(), r.network, r.rect, r.header, r.headerRoom,
                                    static_cast<int>(r.members.size()));
        constexpr qsizetype kListed = 24;
        QString nodes = r.members.mid(0, kListed).join(QStringLiteral(", "));
        if (r.members.size() > kListed)
            nodes += QLatin1Char(' ') +
                     tr("and %n more", nullptr, static_cast<int>(r.members.size() - kListed));
        item->setToolTip(tr("Network %1").arg(r.network) + QLatin1Char('\n') +
                         tr("Nodes: %1").arg(nodes));
        item->setData(RoleBaseToolTip, item->toolTip());
        addItem(item);
        regions_.insert(r.network, item);
    }
    itemOrder_.clear();
    for (const auto &n : layout_.nodes) {
        auto *item = new NodeItem(this, style_.get(), n.id, n.gate, n.sideways);
        item->setPos(n.pos);
        item->setData(RoleNetworks, n.networks);
        addItem(item);
        nodes_.insert(n.id, item);
        const auto &node = snapshot.nodes.at(n.id.toStdString());
        for (const auto &network : n.networks) {
            if (!layout_.hasLink(n, network))
                continue;
            QString iface;
            for (const auto &i : node.interfaces)
                if (q(i.group()) == network) {
                    iface = q(i.name);
                    break;
                }
            auto *link = new LinkItem(style_.get(), n.id, network, iface, n.pos,
                                      layout_.attachPoint(n, network));
            link->setToolTip(tr("%1 %2 on %3").arg(n.id, iface, network));
            addItem(link);
            links_[n.id] << link;
        }
    }
    itemOrder_.reserve(snapshot.nodes.size());
    for (const auto &[id, node] : snapshot.nodes)
        itemOrder_.push_back(nodes_.value(q(id)));
    setSceneRect(contentRect().adjusted(-40, -40, 40, 40));
    applySnapshot(snapshot, false, nullptr);
    setSelectedNode(selected);
    setUnreachable(unreachable_);
    emit layoutChanged();
}

void TopologyScene::setNeverJoined(const QStringList &nodes)
{
    if (nodes == neverJoined_)
        return;
    neverJoined_ = nodes;
    // The nodes' looks follow from the snapshot with this set (applySnapshot).
    if (hasSnapshot_)
        applySnapshot(snapshot_, false, nullptr);
}

void TopologyScene::setUnreachable(const QStringList &nodes)
{
    unreachable_ = nodes;
    const QSet<QString> set(nodes.begin(), nodes.end());
    for (auto it = nodes_.begin(); it != nodes_.end(); ++it)
        it.value()->setUnreachable(set.contains(it.key()));
}

void TopologyScene::applySnapshot(const dmr::Snapshot &snapshot, bool animated,
                                  const std::vector<dmr::NodeId> *statusChanged)
{
    const bool everything = statusChanged == nullptr;
    const Leadership leaders(snapshot);
    const Leadership before = everything ? leaders : Leadership(snapshot_);
    const QSet<QString> neverJoined(neverJoined_.begin(), neverJoined_.end());

    // The nodes to touch, with what they show now: every node after a layout; otherwise only
    // those whose status or roles changed (with 10,000 nodes, most did neither).
    struct Touch
    {
        const dmr::NodeId *id;
        const dmr::Node *node;
        NodeItem *item;
        NodeFacts facts;
    };
    std::vector<Touch> touched;
    const auto touch = [&](const dmr::NodeId &id, const dmr::Node &node, NodeItem *item,
                           const dmr::NodeStatus *status) {
        if (!item)
            return;
        NodeFacts f = factsOf(status, leaders, id);
        if (f.state == NodeVisualState::Down && !neverJoined.isEmpty() &&
            neverJoined.contains(q(id)))
            f.state = NodeVisualState::NeverJoined;
        touched.push_back({&id, &node, item, std::move(f)});
    };
    if (everything) {
        // The items in the nodes' order (relayout made them so): no lookup per node.
        const bool aligned = itemOrder_.size() == snapshot.nodes.size();
        StatusWalk now(snapshot.status);
        std::size_t index = 0;
        touched.reserve(snapshot.nodes.size());
        for (const auto &[id, node] : snapshot.nodes)
            touch(id, node, aligned ? itemOrder_[index++] : nodes_.value(q(id)), now.at(id));
    } else {
        for (const auto &id : changedNodes(*statusChanged, before, leaders)) {
            const auto node = snapshot.nodes.find(id);
            if (node == snapshot.nodes.end())
                continue;
            const auto status = snapshot.status.find(id);
            touch(node->first, node->second, nodes_.value(q(id)),
                  status == snapshot.status.end() ? nullptr : &status->second);
        }
    }
    // Count what changes; a storm of changes is applied without animation.
    if (animated) {
        int changes = 0;
        for (const auto &t : touched)
            changes += (t.facts.state != t.item->visualState()) +
                       (t.facts.groupLeader != t.item->groupLeader()) +
                       (t.facts.systemLeader != t.item->systemLeader());
        animated = changes <= kMaxAnimatedChanges;
    }

    for (const auto &t : touched) {
        const dmr::NodeId &id = *t.id;
        const dmr::Node &node = *t.node;
        NodeItem *item = t.item;
        const NodeFacts &f = t.facts;
        if (f.state != item->visualState()) {
            item->setVisualState(f.state);
            if (animated) {
                const QColor color = f.state == NodeVisualState::Up       ? style_->tunnelUp
                                     : f.state == NodeVisualState::Failed ? style_->failed
                                                                          : style_->muted;
                pulse(item, color, true);
            }
        }
        item->setRoles(f.groupLeader, f.systemLeader);
        showMark(item, MarkItem::Kind::GroupLeader, f.groupLeader, animated);
        showMark(item, MarkItem::Kind::SystemLeader, f.systemLeader, animated);
        item->setFailedAdapters(f.failedAdapters);
        item->setNoTunnel(noTunnelText(snapshot, id));
        // Its tool tip and hover label are made when asked for (nodeToolTip, nodeSummary):
        // with thousands of changes a second, most are never looked at.
        for (auto *link : links_.value(q(id))) {
            bool failed = false;
            for (const auto &iface : node.interfaces)
                if (q(iface.group()) == link->network() && f.failedAdapters.contains(q(iface.name)))
                    failed = true;
            link->setAdapterFailed(failed);
            link->setNodeUp(f.state == NodeVisualState::Up);
        }
    }

    for (auto it = regions_.begin(); it != regions_.end(); ++it) {
        const auto group = it.key().toStdString();
        const auto leader = snapshot.plan.election.groupLeaders.find(group);
        it.value()->setLeader(
            leader == snapshot.plan.election.groupLeaders.end() ? QString() : q(leader->second));
        const auto view = snapshot.membership.networks.find(group);
        it.value()->setMembersUp(view == snapshot.membership.networks.end()
                                     ? 0
                                     : static_cast<int>(view->second.members.size()));
    }
    updateTunnels(snapshot, animated);
}

void TopologyScene::updateTunnels(const dmr::Snapshot &snapshot, bool animated)
{
    QList<TunnelItem *> next;
    QHash<QString, TunnelItem *> old; // by root-leaf
    for (auto *t : std::as_const(tunnels_))
        old.insert(t->root() + u'-' + t->leaf(), t);
    // The tunnels that close leave the obstacles first: new ones may take their places.
    if (!old.isEmpty()) {
        QSet<QString> planned;
        for (const auto &t : snapshot.plan.tunnels)
            planned.insert(q(t.root.node) + u'-' + q(t.leaf.node));
        for (auto it = old.cbegin(); it != old.cend(); ++it)
            if (!planned.contains(it.key())) {
                placed_.remove(it.value()->obstacleKey());
                it.value()->setObstacleKey(-1);
            }
    }
    for (const auto &t : snapshot.plan.tunnels) {
        const QString root = q(t.root.node);
        const QString leaf = q(t.leaf.node);
        QStringList carries;
        for (const auto &n : t.networks)
            carries << q(n);
        TunnelItem *item = old.take(root + u'-' + leaf);
        if (!item) {
            const auto *a = layout_.node(root);
            const auto *b = layout_.node(leaf);
            if (!a || !b)
                continue;
            const QString label = TunnelItem::labelText(carries);
            const QSizeF size(style_->smallTextWidth(label) + 10, style_->smallLineHeight() + 4);
            const int key = nextObstacleKey_++;
            const auto route = routeTunnel(layout_, root, leaf, size, &placed_, key);
            item = new TunnelItem(style_.get(), root, leaf, a->pos, b->pos, route, carries);
            item->setObstacleKey(key);
            addItem(item);
            auto *labelItem = new TunnelLabelItem(style_.get(), item);
            item->setLabelItem(labelItem);
            addItem(labelItem);
            item->setOpacity(0);
            labelItem->setOpacity(0);
            animate(item, animated, [item, labelItem](qreal v) {
                item->setOpacity(v);
                labelItem->setOpacity(v);
            });
        }
        const QRectF labelWas = item->labelRect();
        item->setCarries(carries);
        item->setUp(tunnelUp(snapshot, t));
        if (const QRectF label = item->labelRect(); label != labelWas)
            placed_.setLabel(item->obstacleKey(), label);
        const QString toolTip =
            tr("Tunnel %1 %2 %3 ⇄ %4 %5 %6")
                .arg(root, q(t.root.iface), q(t.root.address.toString()), leaf, q(t.leaf.iface),
                     q(t.leaf.address.toString())) +
            QLatin1Char('\n') + TunnelItem::labelText(carries) + QLatin1Char('\n') +
            (item->isUp() ? tr("up") : tr("pending: an end is not yet in the GL_group"));
        // setData and setToolTip copy everything the item holds: written when it changed.
        if (toolTip != item->data(RoleBaseToolTip).toString()) {
            item->setToolTip(toolTip);
            item->setData(RoleBaseToolTip, toolTip);
        }
        next << item;
    }
    // In the order they were shown, so that the same changes always fade the same way.
    QList<TunnelItem *> closing;
    for (auto *t : std::as_const(tunnels_))
        if (old.contains(t->root() + u'-' + t->leaf()))
            closing << t;
    for (auto *gone : closing) {
        // Its label goes at once: the new tunnels' labels take the places they need now, and
        // two labels in one place would read as one.
        if (auto *label = gone->labelItem()) {
            gone->setLabelItem(nullptr);
            delete label;
        }
        fading_ << gone;
        animate(
            gone, animated, [gone](qreal v) { gone->setOpacity(1 - v); },
            [this, gone] {
                fading_.removeOne(gone);
                delete gone;
            });
    }
    tunnels_ = next;
    applyListeners();
}

void TopologyScene::setListeners(const QHash<QString, QString> &networkText,
                                 const QHash<QString, QString> &tunnelLabel,
                                 const QHash<QString, QString> &tunnelText)
{
    if (networkText == networkListeners_ && tunnelLabel == tunnelWants_ &&
        tunnelText == tunnelWantsText_)
        return;
    networkListeners_ = networkText;
    tunnelWants_ = tunnelLabel;
    tunnelWantsText_ = tunnelText;
    applyListeners();
}

void TopologyScene::setTunnelDrops(const QHash<QString, QString> &label,
                                   const QSet<QString> &dropping)
{
    if (label == tunnelDrops_ && dropping == tunnelsDropping_)
        return;
    tunnelDrops_ = label;
    tunnelsDropping_ = dropping;
    applyListeners();
}

void TopologyScene::applyListeners()
{
    auto withExtra = [](QGraphicsItem *item, const QString &extra) {
        const QString base = item->data(RoleBaseToolTip).toString();
        const QString toolTip = extra.isEmpty() ? base : base + QLatin1Char('\n') + extra;
        if (toolTip != item->toolTip())
            item->setToolTip(toolTip);
    };
    for (auto it = regions_.cbegin(); it != regions_.cend(); ++it)
        withExtra(it.value(), networkListeners_.value(it.key()));
    for (auto *t : std::as_const(tunnels_)) {
        const QString key = t->root() + u'-' + t->leaf();
        const QRectF labelWas = t->labelRect();
        t->setWants(tunnelWants_.value(key));
        t->setDrops(tunnelDrops_.value(key), tunnelsDropping_.contains(key));
        if (const QRectF label = t->labelRect(); label != labelWas && t->obstacleKey() >= 0)
            placed_.setLabel(t->obstacleKey(), label);
        withExtra(t, tunnelWantsText_.value(key));
    }
}

void TopologyScene::clearOverlay()
{
    if (!overlay_)
        return;
    delete overlay_;
    overlay_ = nullptr;
    update();
}

void TopologyScene::showPlanChange(const dmr::Snapshot &before, const dmr::Snapshot &after,
                                   PlanOverlayItem::Mode mode, const QString &caption,
                                   const QStringList &failing)
{
    clearOverlay();
    const QFontMetricsF fm(style_->smallFont);
    // Routed clear of what is drawn already, so that the overlay's tunnels run beside the live
    // ones rather than on top of them.
    TunnelObstacles placed;
    for (auto *t : std::as_const(tunnels_)) {
        placed.addCurve(t->polyline());
        placed.addLabel(t->labelRect());
    }
    const auto key = [](const dmr::Tunnel &t) { return t.root.node + "-" + t.leaf.node; };
    std::map<std::string, const dmr::Tunnel *> was;
    std::map<std::string, const dmr::Tunnel *> now;
    for (const auto &t : before.plan.tunnels)
        was.emplace(key(t), &t);
    for (const auto &t : after.plan.tunnels)
        now.emplace(key(t), &t);
    QList<PlanOverlayItem::Tunnel> tunnels;
    const auto add = [&](const dmr::Tunnel &t, bool opened) {
        const QString root = q(t.root.node);
        const QString leaf = q(t.leaf.node);
        if (!layout_.node(root) || !layout_.node(leaf))
            return;
        QStringList carries;
        for (const auto &n : t.networks)
            carries << q(n);
        const QString label = opened ? TunnelItem::labelText(carries)
                                     : tr("closes: %1").arg(carries.join(QStringLiteral(", ")));
        // A tunnel the scene draws already (the change's new ones, a what-if's closing ones)
        // is marked on its own curve; the others are routed clear of what is drawn.
        for (auto *shown : std::as_const(tunnels_))
            if (shown->root() == root && shown->leaf() == leaf &&
                (mode == PlanOverlayItem::Mode::Change) == opened) {
                tunnels << PlanOverlayItem::Tunnel{shown->polyline(), label, opened};
                return;
            }
        const QSizeF size(fm.horizontalAdvance(label) + 10, fm.height() + 4);
        const auto route = routeTunnel(layout_, root, leaf, size, &placed);
        tunnels << PlanOverlayItem::Tunnel{route.polyline, label, opened};
    };
    for (const auto &[k, t] : now) {
        const auto it = was.find(k);
        if (it == was.end() || it->second->networks != t->networks)
            add(*t, true);
    }
    for (const auto &[k, t] : was)
        if (now.count(k) == 0)
            add(*t, false);

    QList<PlanOverlayItem::Mark> marks;
    std::set<dmr::NodeId> ids;
    for (const auto &[id, n] : after.nodes)
        ids.insert(id);
    for (const auto &[id, n] : before.nodes)
        ids.insert(id);
    for (const auto &id : ids) {
        const auto *pos = layout_.node(q(id));
        if (!pos)
            continue;
        const QStringList had = rolesIn(before.plan, id);
        const QStringList has = rolesIn(after.plan, id);
        QStringList gained;
        QStringList lost;
        for (const auto &r : has)
            if (!had.contains(r))
                gained << r;
        for (const auto &r : had)
            if (!has.contains(r))
                lost << r;
        if (failing.contains(q(id))) {
            marks << PlanOverlayItem::Mark{
                pos->pos, PlanOverlayItem::Mark::Fails,
                lost.isEmpty() ? QString() : tr("loses %1").arg(lost.join(tr(", ")))};
        } else if (!gained.isEmpty()) {
            marks << PlanOverlayItem::Mark{pos->pos, PlanOverlayItem::Mark::Gains,
                                           tr("takes over %1").arg(gained.join(tr(", ")))};
        } else if (!lost.isEmpty()) {
            marks << PlanOverlayItem::Mark{pos->pos, PlanOverlayItem::Mark::Loses,
                                           tr("loses %1").arg(lost.join(tr(", ")))};
        }
    }
    const QPointF captionAt = layout_.bounds.topLeft() + QPointF(0, -34);
    overlay_ = new PlanOverlayItem(style_.get(), mode, tunnels, marks, caption, captionAt);
    addItem(overlay_);
    update(); // the views' banners
}

void TopologyScene::finishAnimations()
{
    const auto running = running_.values();
    for (const auto &animation : running)
        if (animation)
            animation->setCurrentTime(animation->duration());
}

void TopologyScene::stopAnimations()
{
    for (auto it = running_.begin(); it != running_.end(); ++it)
        if (it.value()) {
            it.value()->stop();
            delete it.value();
        }
    running_.clear();
}

void TopologyScene::animate(QGraphicsItem *item, bool enabled,
                            const std::function<void(qreal)> &step,
                            const std::function<void()> &done)
{
    if (auto old = running_.take(item); old) {
        old->stop();
        old->deleteLater();
    }
    if (!enabled || !animationsEnabled_) {
        step(1);
        if (done)
            done();
        return;
    }
    auto *animation = new QVariantAnimation(this);
    animation->setDuration(kAnimationMs);
    animation->setStartValue(0.0);
    animation->setEndValue(1.0);
    connect(animation, &QVariantAnimation::valueChanged, this,
            [step](const QVariant &v) { step(v.toReal()); });
    connect(animation, &QVariantAnimation::finished, this, [this, item, animation, done] {
        if (running_.value(item) == animation)
            running_.remove(item);
        animation->deleteLater();
        if (done)
            done();
    });
    running_.insert(item, animation);
    step(0);
    animation->start();
}

void TopologyScene::showMark(NodeItem *node, MarkItem::Kind kind, bool show, bool animated)
{
    MarkItem *mark = show ? node->ensureMark(kind) : node->mark(kind);
    if (!mark || mark->data(kRoleMarkShown).toBool() == show)
        return;
    mark->setData(kRoleMarkShown, show);
    if (show) {
        mark->setVisible(true);
        const QEasingCurve curve(QEasingCurve::OutBack);
        animate(mark, animated, [mark, curve](qreal t) {
            mark->setOpacity(std::min<qreal>(1, t * 1.5));
            mark->setScale(0.3 + 0.7 * curve.valueForProgress(t));
        });
    } else {
        animate(
            mark, animated,
            [mark](qreal t) {
                mark->setOpacity(1 - t);
                mark->setScale(1 + 0.4 * t);
            },
            [mark] {
                mark->setVisible(false);
                mark->setOpacity(1);
                mark->setScale(1);
            });
    }
}

void TopologyScene::pulse(NodeItem *node, const QColor &color, bool animated)
{
    auto *ring = node->ensureMark(MarkItem::Kind::Pulse);
    ring->setPulseColor(color);
    ring->setVisible(true);
    animate(
        ring, animated,
        [ring](qreal t) {
            ring->setScale(1 + 1.2 * t);
            ring->setOpacity(0.9 * (1 - t));
        },
        [ring] {
            ring->setVisible(false);
            ring->setScale(1);
            ring->setOpacity(1);
        });
}

} // namespace dmr::console
