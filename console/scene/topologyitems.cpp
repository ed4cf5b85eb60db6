#include "topologyitems.h"

#include "topologylayout.h"
#include "topologyscene.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGuiApplication>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPixmap>
#include <QStyleOptionGraphicsItem>
#include <QtMath>

#include <algorithm>

namespace dmr::console {

namespace {

// Below these levels of detail (scene units to device pixels) items draw less.
constexpr qreal kLodText = 0.55;       // node labels
constexpr qreal kLodRegionText = 0.45; // region headers, as large as they can grow
constexpr qreal kLodReadable = 0.8;    // below this, region headers grow to stay legible
constexpr qreal kLodLegendText = 0.3;
constexpr qreal kLodSimple = 0.3; // nodes as plain squares, no marks' details
constexpr qreal kLodTunnelText = 0.8;
constexpr qreal kRegionCorner = 12;

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QColor withAlpha(QColor c, qreal alpha)
{
    c.setAlphaF(static_cast<float>(alpha));
    return c;
}

QPen cosmeticPen(const QColor &color, qreal width, Qt::PenStyle style = Qt::SolidLine)
{
    QPen pen(color, width, style, Qt::RoundCap, Qt::RoundJoin);
    pen.setCosmetic(true);
    return pen;
}

qreal lodOf(const QPainter *painter)
{
    return QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
}

QPolygonF starPolygon(QPointF centre, qreal outer)
{
    QPolygonF star;
    const qreal inner = outer * 0.45;
    for (int i = 0; i < 10; ++i) {
        const qreal angle = -M_PI / 2 + i * M_PI / 5;
        const qreal r = i % 2 == 0 ? outer : inner;
        star << centre + QPointF(r * std::cos(angle), r * std::sin(angle));
    }
    return star;
}

QColor nodeFillFor(const SceneStyle &s, NodeVisualState state)
{
    switch (state) {
    case NodeVisualState::Up:
        return s.nodeFill;
    case NodeVisualState::Drained:
        return mix(s.nodeFill, s.background, 0.5);
    case NodeVisualState::Failed:
        return mix(s.down, s.background, 0.55);
    case NodeVisualState::NeverJoined:
        return mix(s.regionFill, s.background, 0.5);
    case NodeVisualState::Down:
        break;
    }
    return mix(s.nodeFill, s.down, 0.25);
}

// The node's circle as its state shows it: filled, outlined (dashed when drained), crossed in
// red when failed.
void drawNodeGlyph(QPainter *p, const SceneStyle &s, QPointF c, qreal r, NodeVisualState state)
{
    const bool up = state == NodeVisualState::Up;
    if (state == NodeVisualState::Drained) {
        p->setBrush(nodeFillFor(s, state));
        p->setPen(cosmeticPen(s.down, 1.4, Qt::DashLine));
        p->drawEllipse(c, r, r);
    } else if (state == NodeVisualState::NeverJoined) {
        // A dotted outline: a place in the topology that no agent has filled yet.
        p->setBrush(nodeFillFor(s, state));
        p->setPen(cosmeticPen(s.down, 1.2, Qt::DotLine));
        p->drawEllipse(c, r, r);
    } else {
        // Two fills rather than a stroke: several times faster with thousands of nodes.
        const qreal w = up ? 1.3 : 1.1;
        p->setPen(Qt::NoPen);
        p->setBrush(up ? s.nodeOutline : s.down);
        p->drawEllipse(c, r + w / 2, r + w / 2);
        p->setBrush(nodeFillFor(s, state));
        p->drawEllipse(c, r - w / 2, r - w / 2);
    }
    if (state == NodeVisualState::Failed) {
        const qreal k = r * 0.62;
        p->setPen(cosmeticPen(s.failed, 2.2));
        p->drawLine(c + QPointF(-k, -k), c + QPointF(k, k));
        p->drawLine(c + QPointF(-k, k), c + QPointF(k, -k));
    }
}

// The node glyph as a pixmap at the painter's scale, shared by every node that looks the same:
// a zoom change then renders a handful of glyphs instead of thousands of antialiased circles.
void drawNodeGlyphCached(QPainter *p, const SceneStyle &s, qreal r, NodeVisualState state)
{
    const QTransform world = p->worldTransform();
    if (p->paintEngine() == nullptr || p->paintEngine()->type() != QPaintEngine::Raster ||
        world.type() > QTransform::TxScale) {
        drawNodeGlyph(p, s, {}, r, state); // vectors stay vectors (SVG export)
        return;
    }
    const qreal scale = std::sqrt(std::abs(p->worldTransform().determinant()));
    const qreal dpr = p->device() ? p->device()->devicePixelRatioF() : 1.0;
    const qreal margin = 3; // antialiasing, the failed cross's pen
    const qreal side = 2 * (r + margin);
    const int pixels = std::clamp(qCeil(side * scale * dpr), 1, 512);
    // Looked up once per node per frame: a key of plain values, no string to format.
    auto &glyphs = s.glyphs;
    const SceneStyle::GlyphKey key{int(state), pixels, r, dpr};
    auto it = glyphs.find(key);
    if (it == glyphs.end()) {
        if (glyphs.size() >= SceneStyle::kGlyphsMax)
            glyphs.clear();
        QPixmap glyph(pixels, pixels);
        glyph.fill(Qt::transparent);
        QPainter gp(&glyph);
        gp.setRenderHint(QPainter::Antialiasing);
        const qreal k = pixels / side;
        gp.scale(k, k);
        drawNodeGlyph(&gp, s, QPointF(side / 2, side / 2), r, state);
        gp.end();
        glyph.setDevicePixelRatio(dpr);
        it = glyphs.emplace(key, std::move(glyph)).first;
    }
    const QPixmap &glyph = it->second;
    // Blit it in device pixels, unscaled: the raster engine's fastest path.
    const QPointF centre = world.map(QPointF(0, 0));
    const qreal half = pixels / (2 * dpr);
    p->setWorldTransform(QTransform());
    p->drawPixmap(QPointF(std::round((centre.x() - half) * dpr) / dpr,
                          std::round((centre.y() - half) * dpr) / dpr),
                  glyph);
    p->setWorldTransform(world);
}

void drawRing(QPainter *p, QPointF c, qreal r, const QColor &color, qreal width)
{
    p->setBrush(Qt::NoBrush);
    p->setPen(QPen(color, width));
    p->drawEllipse(c, r, r);
}

void drawStar(QPainter *p, const SceneStyle &s, QPointF c, qreal outer)
{
    p->setBrush(s.systemLeader);
    p->setPen(cosmeticPen(mix(s.systemLeader, s.text, 0.55), 1.0));
    p->drawPolygon(starPolygon(c, outer));
}

// Ring radii and widths of the marks, relative to the node radius.
qreal groupRingRadius(qreal r)
{
    return r + 4.5;
}
qreal systemRingRadius(qreal r)
{
    return r + 8.8;
}
constexpr qreal kRingWidth = 3.4;

QPointF starCentre(qreal r)
{
    return {r * 0.95, -r * 0.95};
}

} // namespace

SceneStyle SceneStyle::fromPalette(const QPalette &palette, qreal nodeRadius)
{
    SceneStyle s;
    s.nodeRadius = nodeRadius;
    s.background = palette.color(QPalette::Active, QPalette::Base);
    s.text = palette.color(QPalette::Active, QPalette::Text);
    const bool dark = s.background.lightnessF() < 0.5;
    const QColor highlight = palette.color(QPalette::Active, QPalette::Highlight);
    s.muted = mix(s.text, s.background, 0.42);
    s.regionFill = mix(s.background, highlight, dark ? 0.12 : 0.07);
    s.regionOutline = mix(s.text, s.background, dark ? 0.45 : 0.5);
    s.nodeFill = dark ? mix(s.background, s.text, 0.12) : s.background;
    s.nodeOutline = mix(s.text, s.background, 0.12);
    s.groupLeader = dark ? QColor(0x5c, 0xa8, 0xff) : QColor(0x1f, 0x6f, 0xd1);
    s.systemLeader = dark ? QColor(0xff, 0xc4, 0x2e) : QColor(0xe0, 0x98, 0x00);
    s.failed = dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    s.down = mix(s.text, s.background, 0.58);
    s.tunnelUp = dark ? QColor(0x4c, 0xd1, 0x7a) : QColor(0x1e, 0x8e, 0x3e);
    s.tunnelPending = mix(s.text, s.background, 0.5);
    s.selection = highlight;
    s.unreachable = dark ? QColor(0xff, 0x9e, 0x40) : QColor(0xf5, 0x7c, 0x00);
    s.ghost = dark ? QColor(0xc0, 0x8b, 0xff) : QColor(0x7b, 0x3f, 0xc4);
    s.added = s.tunnelUp;
    s.removed = s.failed;
    s.dropping = s.unreachable;

    const QFont base = QGuiApplication::font();
    s.nodeFont = base;
    s.nodeFont.setPointSizeF(8.5);
    s.regionFont = base;
    s.regionFont.setPointSizeF(9.5);
    s.regionFont.setBold(true);
    s.smallFont = base;
    s.smallFont.setPointSizeF(7.5);
    s.legendTitleFont = base;
    s.legendTitleFont.setPointSizeF(8.5);
    s.legendTitleFont.setBold(true);
    return s;
}

qreal SceneStyle::smallTextWidth(const QString &line) const
{
    if (const auto it = smallWidths.constFind(line); it != smallWidths.cend())
        return *it;
    if (smallWidths.size() >= kSmallWidthsMax)
        smallWidths.clear();
    const qreal width = QFontMetricsF(smallFont).horizontalAdvance(line);
    smallWidths.insert(line, width);
    return width;
}

qreal SceneStyle::smallLineHeight() const
{
    if (smallHeight < 0)
        smallHeight = QFontMetricsF(smallFont).height();
    return smallHeight;
}

// ---- RegionItem -------------------------------------------------------------------------------

RegionItem::RegionItem(const SceneStyle *style, const QString &network, const QRectF &rect,
                       const QRectF &header, const QRectF &headerRoom, int memberCount)
    : style_(style)
    , network_(network)
    , rect_(rect)
    , header_(header)
    , headerRoom_(headerRoom)
    , members_(memberCount)
    , up_(0)
{
    setData(RoleKind, static_cast<int>(ItemKind::Region));
    setData(RoleId, network);
    setZValue(0);
}

QRectF RegionItem::boundingRect() const
{
    return rect_.adjusted(-2, -2, 2, 2);
}

void RegionItem::setLeader(const QString &leader)
{
    if (leader == leader_ && data(RoleLeader).isValid())
        return;
    leader_ = leader;
    setData(RoleLeader, leader);
    update();
}

void RegionItem::setMembersUp(int up)
{
    if (up == up_)
        return;
    up_ = up;
    update();
}

void RegionItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    const qreal lod = lodOf(painter);
    const bool leaderless = leader_.isEmpty();
    const QTransform world = painter->worldTransform();
    if (!leaderless && lod * kRegionCorner < 1.5 && world.type() <= QTransform::TxScale &&
        painter->paintEngine() && painter->paintEngine()->type() == QPaintEngine::Raster) {
        // Zoomed far out (a hundred networks on screen), the corners and the outline's
        // antialiasing are below a pixel: two fills in whole device pixels, no stroker.
        const QRect device = world.mapRect(rect_).toAlignedRect();
        painter->setWorldTransform(QTransform());
        painter->fillRect(device, s.regionOutline);
        painter->fillRect(device.adjusted(1, 1, -1, -1), s.regionFill);
        painter->setWorldTransform(world);
    } else {
        painter->setBrush(s.regionFill);
        painter->setPen(cosmeticPen(leaderless ? s.failed : s.regionOutline, 1.5,
                                    leaderless ? Qt::DashLine : Qt::SolidLine));
        if (lod < 0.05) {
            painter->drawRect(rect_);
            return;
        }
        painter->drawRoundedRect(rect_, kRegionCorner, kRegionCorner);
    }
    if (lod < 0.05)
        return;

    if (!measured_ || metricsFont_ != s.regionFont || metricsSmallFont_ != s.nodeFont) {
        measured_ = true;
        // Measured once per look: the title's width and the two lines' height.
        metricsFont_ = s.regionFont;
        metricsSmallFont_ = s.nodeFont;
        const QFontMetricsF title(s.regionFont);
        const QFontMetricsF small(s.nodeFont);
        titleWidth_ = title.horizontalAdvance(network_);
        titleHeight_ = title.height();
        smallHeight_ = small.height();
    }
    const qreal textHeight = titleHeight_ + 1 + smallHeight_;
    // Zoomed out, the header grows so that it stays legible on screen, as far as the region
    // has room for it; too far out, it is left out. The title alone bounds how far it can grow:
    // when even that is too small, the leader line need not be measured.
    const qreal wanted = lod < kLodReadable ? kLodReadable / lod : 1;
    if (lod < kLodReadable &&
        std::min({wanted, headerRoom_.width() / titleWidth_, headerRoom_.height() / textHeight}) *
                lod <
            kLodRegionText)
        return;
    const QFontMetricsF small(s.nodeFont);
    const QString leaderText = leaderless
                                   ? dmr::console::TopologyScene::tr("no leader")
                                   : dmr::console::TopologyScene::tr("leader %1").arg(leader_);
    const QString count = dmr::console::TopologyScene::tr("· %1/%n up", nullptr, members_).arg(up_);
    qreal grow = 1;
    if (lod < kLodReadable) {
        const qreal textWidth =
            std::max(titleWidth_, small.horizontalAdvance(leaderText + QLatin1Char(' ') + count));
        const qreal room =
            std::min(headerRoom_.width() / textWidth, headerRoom_.height() / textHeight);
        grow = std::min(wanted, room);
        if (grow * lod < kLodRegionText)
            return;
    }
    painter->save();
    // The two lines, centred in the header's height (or grown from its top left corner).
    const QPointF origin(header_.left(), grow > 1 ? std::max(headerRoom_.top(), header_.top())
                                                  : header_.center().y() - textHeight / 2);
    painter->translate(origin);
    painter->scale(grow, grow);
    const qreal width = (rect_.right() - header_.left() - 8) / grow;
    const QRectF titleRect(0, 0, width, titleHeight_);
    painter->setFont(s.regionFont);
    painter->setPen(s.text);
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter, network_);

    painter->setFont(s.nodeFont);
    const QRectF line(0, titleRect.bottom() + 1, width, small.height());
    painter->setPen(leaderless ? s.failed : s.groupLeader);
    painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter, leaderText);
    painter->setPen(s.muted);
    painter->drawText(line.adjusted(small.horizontalAdvance(leaderText) + 6, 0, 0, 0),
                      Qt::AlignLeft | Qt::AlignVCenter, count);
    painter->restore();
}

// ---- MarkItem ---------------------------------------------------------------------------------

MarkItem::MarkItem(const SceneStyle *style, Kind kind, QGraphicsItem *parent)
    : QGraphicsItem(parent)
    , style_(style)
    , kind_(kind)
{
    setData(RoleKind, static_cast<int>(ItemKind::Mark));
    setAcceptedMouseButtons(Qt::NoButton);
    setVisible(false);
}

QRectF MarkItem::boundingRect() const
{
    const qreal r = style_->nodeRadius;
    const qreal outer =
        kind_ == Kind::GroupLeader ? groupRingRadius(r) + kRingWidth : systemRingRadius(r) + 9;
    return QRectF(-outer, -outer, 2 * outer, 2 * outer);
}

void MarkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    const qreal r = s.nodeRadius;
    const bool simple = lodOf(painter) < kLodSimple;
    switch (kind_) {
    case Kind::GroupLeader:
        drawRing(painter, {}, groupRingRadius(r), s.groupLeader, kRingWidth);
        break;
    case Kind::SystemLeader:
        drawRing(painter, {}, systemRingRadius(r), s.systemLeader, kRingWidth);
        if (!simple)
            drawStar(painter, s, starCentre(r), 8.5);
        break;
    case Kind::Pulse:
        drawRing(painter, {}, r + 2, pulse_, 3);
        break;
    }
}

// ---- NodeItem ---------------------------------------------------------------------------------

NodeItem::NodeItem(TopologyScene *scene, const SceneStyle *style, const QString &id, bool gate,
                   bool sideways)
    : owner_(scene)
    , style_(style)
    , id_(id)
    , gate_(gate)
    , sideways_(sideways)
{
    setData(RoleKind, static_cast<int>(ItemKind::Node));
    setData(RoleId, id);
    setData(RoleSystemLeader, false);
    setData(RoleGroupLeader, false);
    setData(RoleSelected, false);
    setZValue(3);
    setAcceptedMouseButtons(Qt::LeftButton | Qt::RightButton);
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
    setVisualState(NodeVisualState::Down);
    measureLabel();
}

MarkItem *NodeItem::mark(MarkItem::Kind kind) const
{
    return marks_[static_cast<int>(kind)];
}

MarkItem *NodeItem::ensureMark(MarkItem::Kind kind)
{
    auto &m = marks_[static_cast<int>(kind)];
    if (!m)
        m = new MarkItem(style_, kind, this);
    return m;
}

void NodeItem::measureLabel()
{
    prepareGeometryChange();
    const qreal r = style_->nodeRadius;
    const QFontMetricsF fm(style_->nodeFont);
    const qreal w = fm.horizontalAdvance(id_) + 2;
    const qreal h = fm.height();
    labelInside_ = w <= 1.45 * r;
    if (labelInside_)
        labelRect_ = QRectF(-r, -h / 2, 2 * r, h);
    else if (gate_ && !sideways_)
        labelRect_ = QRectF(systemRingRadius(r) + 3, -h / 2, w, h);
    else
        labelRect_ = QRectF(-w / 2, systemRingRadius(r) + 2, w, h);
    const QFontMetricsF small(style_->smallFont);
    smallIdWidth_ = small.horizontalAdvance(id_) + 4;
    smallFontHeight_ = small.height();
    smallLabel_ = QPixmap();
    const qreal outer = systemRingRadius(r) + 9; // the star, the selection halo
    bounds_ =
        QRectF(-outer, -outer, 2 * outer, 2 * outer).united(labelRect_.adjusted(-1, -1, 1, 1));
    // The failed-adapter badge below left.
    bounds_ = bounds_.united(QRectF(-r - 6, r - 8, 14, 14));
}

void NodeItem::styleChanged()
{
    measureLabel();
    update();
}

QRectF NodeItem::boundingRect() const
{
    return bounds_;
}

QPainterPath NodeItem::shape() const
{
    QPainterPath path;
    const qreal r = style_->nodeRadius + 4;
    path.addEllipse(QPointF(), r, r);
    if (!labelInside_)
        path.addRect(labelRect_);
    return path;
}

void NodeItem::setVisualState(NodeVisualState state)
{
    if (state == state_ && data(RoleState).isValid())
        return;
    state_ = state;
    static const char *const names[] = {"up", "down", "failed", "drained", "never-joined"};
    setData(RoleState, QString::fromLatin1(names[static_cast<int>(state)]));
    update();
}

void NodeItem::setRoles(bool groupLeader, bool systemLeader)
{
    // setData copies every role the item holds: only what changed is written.
    if (groupLeader != groupLeader_) {
        groupLeader_ = groupLeader;
        setData(RoleGroupLeader, groupLeader);
    }
    if (systemLeader != systemLeader_) {
        systemLeader_ = systemLeader;
        setData(RoleSystemLeader, systemLeader);
    }
}

void NodeItem::setFailedAdapters(const QStringList &adapters)
{
    if (adapters == failedAdapters_)
        return;
    failedAdapters_ = adapters;
    update();
}

void NodeItem::setSelectedNode(bool selected)
{
    if (selected == selected_)
        return;
    selected_ = selected;
    setData(RoleSelected, selected);
    update();
}

void NodeItem::setUnreachable(bool unreachable)
{
    if (unreachable == unreachable_)
        return;
    unreachable_ = unreachable;
    setData(RoleUnreachable, unreachable);
    update();
}

void NodeItem::setNoTunnel(const QString &why)
{
    if (why == noTunnel_)
        return;
    noTunnel_ = why;
    setData(RoleNoTunnel, why);
    update();
}

namespace {

// A red "no entry" disc: the plan gives this group leader no tunnel, its networks are cut off.
void drawNoTunnelBadge(QPainter *painter, const SceneStyle &s, QPointF c, qreal size)
{
    painter->setBrush(s.failed);
    painter->setPen(cosmeticPen(s.background, 1.2));
    painter->drawEllipse(c, size, size);
    painter->setPen(cosmeticPen(s.background, 2.0));
    painter->drawLine(c + QPointF(-size * 0.55, 0), c + QPointF(size * 0.55, 0));
}

// An amber warning triangle with "!": no other node hears this one's probes.
void drawUnreachableBadge(QPainter *painter, const SceneStyle &s, QPointF c, qreal size)
{
    QPolygonF triangle;
    triangle << c + QPointF(0, -size) << c + QPointF(size * 1.05, size * 0.8)
             << c + QPointF(-size * 1.05, size * 0.8);
    painter->setBrush(s.unreachable);
    painter->setPen(cosmeticPen(s.background, 1.2));
    painter->drawPolygon(triangle);
    painter->setPen(cosmeticPen(QColor(0x20, 0x20, 0x20), 1.6));
    painter->drawLine(c + QPointF(0, -size * 0.45), c + QPointF(0, size * 0.2));
    painter->drawPoint(c + QPointF(0, size * 0.52));
}

} // namespace

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    const qreal r = s.nodeRadius;
    const qreal lod = lodOf(painter);
    if (lod < kLodSimple) {
        // Thousands of nodes on screen: a square, no outline, no text.
        const bool aa = painter->testRenderHint(QPainter::Antialiasing);
        painter->setRenderHint(QPainter::Antialiasing, false);
        QColor fill = state_ == NodeVisualState::Up ? s.nodeOutline : s.down;
        if (state_ == NodeVisualState::Failed)
            fill = s.failed;
        painter->fillRect(QRectF(-r, -r, 2 * r, 2 * r), fill);
        if (selected_)
            painter->fillRect(QRectF(-2 * r, -2 * r, 4 * r, 4 * r), withAlpha(s.selection, 0.5));
        if (unreachable_)
            painter->fillRect(QRectF(-r, -r, r, r), s.unreachable);
        if (!noTunnel_.isEmpty())
            painter->fillRect(QRectF(0, 0, r, r), s.failed);
        painter->setRenderHint(QPainter::Antialiasing, aa);
        return;
    }
    drawNodeGlyphCached(painter, s, r, state_);
    if (selected_) {
        // Corner brackets around the marks: a square, so that it never reads as a leader's
        // ring, and open, so that it hides nothing inside.
        const qreal e = systemRingRadius(r) + 6;
        const qreal arm = e * 0.45;
        painter->setBrush(Qt::NoBrush);
        painter->setPen(cosmeticPen(s.selection, 2.6, Qt::SolidLine));
        for (const QPointF corner :
             {QPointF(-e, -e), QPointF(e, -e), QPointF(e, e), QPointF(-e, e)}) {
            const QPointF along(corner.x() < 0 ? arm : -arm, 0);
            const QPointF down(0, corner.y() < 0 ? arm : -arm);
            painter->drawPolyline(QPolygonF{corner + along, corner, corner + down});
        }
    }
    if (!failedAdapters_.isEmpty()) {
        // A small red badge: some adapter of this node is down.
        const QPointF c(-r * 0.9, r * 0.9);
        painter->setBrush(s.failed);
        painter->setPen(cosmeticPen(s.background, 1.2));
        painter->drawEllipse(c, 5.5, 5.5);
        painter->setPen(cosmeticPen(s.background, 1.6));
        painter->drawLine(c + QPointF(-2.3, -2.3), c + QPointF(2.3, 2.3));
        painter->drawLine(c + QPointF(-2.3, 2.3), c + QPointF(2.3, -2.3));
    }
    if (unreachable_)
        drawUnreachableBadge(painter, s, QPointF(-r * 0.9, -r * 0.85), 6.5);
    if (!noTunnel_.isEmpty())
        drawNoTunnelBadge(painter, s, QPointF(r * 0.9, r * 0.9), 5.5);
    if (lod < kLodText) {
        paintSmallLabel(painter, lod);
        return;
    }
    if (!labelInside_) {
        // A halo behind the label, so that a tunnel passing under it does not hide it.
        painter->setBrush(withAlpha(selected_ ? s.selection
                                    : gate_   ? s.background
                                              : s.regionFill,
                                    selected_ ? 0.3 : 0.85));
        painter->setPen(Qt::NoPen);
        painter->drawRoundedRect(labelRect_.adjusted(-2, 0, 2, 0), 3, 3);
    }
    painter->setFont(s.nodeFont);
    painter->setPen(state_ == NodeVisualState::Up ? s.text : s.muted);
    painter->drawText(labelRect_, Qt::AlignCenter, id_);
}

void NodeItem::paintSmallLabel(QPainter *painter, qreal lod) const
{
    // Zoomed out to fit: the id at a small but readable size on screen, under the node, when it
    // fits in its cell; otherwise only the hover label says who it is. Drawn once into a pixmap
    // per zoom and look, then blitted: a fitted frame of a thousand nodes stays quick.
    constexpr qreal kScreenPixels = 10; // the id's height on screen
    if (lod < kLodSimple)
        return;
    const qreal scale = kScreenPixels / (smallFontHeight_ * lod);
    const qreal textWidth = smallIdWidth_;
    if (textWidth * scale > style_->nodeRadius * 4.2) // most of a grid cell
        return;
    const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const QSize pixels(qCeil(textWidth * scale * lod * dpr), qCeil(kScreenPixels * dpr) + 2);
    const QColor color = state_ == NodeVisualState::Up ? style_->text : style_->muted;
    const auto key = std::make_tuple(pixels.width(), pixels.height(), color.rgba(), dpr);
    if (key != smallLabelKey_ || smallLabel_.isNull()) {
        smallLabelKey_ = key;
        QPixmap label(pixels);
        label.fill(Qt::transparent);
        QPainter lp(&label);
        lp.setRenderHint(QPainter::TextAntialiasing);
        lp.setPen(Qt::NoPen);
        lp.setBrush(withAlpha(style_->background, 0.75));
        lp.drawRoundedRect(QRectF(QPointF(), QSizeF(pixels)), 2 * dpr, 2 * dpr);
        QFont font = style_->smallFont;
        font.setPixelSize(std::max(1, qRound(kScreenPixels * dpr * 0.8)));
        lp.setFont(font);
        lp.setPen(color);
        lp.drawText(QRectF(QPointF(), QSizeF(pixels)), Qt::AlignCenter, id_);
        lp.end();
        label.setDevicePixelRatio(dpr);
        smallLabel_ = label;
    }
    const QTransform world = painter->worldTransform();
    const QPointF below = world.map(QPointF(0, style_->nodeRadius + 1));
    painter->setWorldTransform(QTransform());
    painter->drawPixmap(
        QPointF(std::round(below.x() - pixels.width() / (2 * dpr)), std::round(below.y())),
        smallLabel_);
    painter->setWorldTransform(world);
}

void NodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    owner_->showHoverLabel(this);
    QGraphicsItem::hoverEnterEvent(event);
}

void NodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    owner_->hideHoverLabel(this);
    QGraphicsItem::hoverLeaveEvent(event);
}

// ---- HoverLabelItem ---------------------------------------------------------------------------

HoverLabelItem::HoverLabelItem(const SceneStyle *style)
    : style_(style)
{
    setData(RoleKind, static_cast<int>(ItemKind::HoverLabel));
    setFlag(ItemIgnoresTransformations);
    setAcceptedMouseButtons(Qt::NoButton);
    setZValue(20);
    setVisible(false);
}

void HoverLabelItem::setText(const QString &text)
{
    prepareGeometryChange();
    text_ = text;
    const QFontMetricsF fm(style_->nodeFont);
    qreal w = 0;
    const QStringList lines = text.split(u'\n');
    for (const auto &l : lines)
        w = std::max(w, fm.horizontalAdvance(l));
    bounds_ = QRectF(12, -fm.height() * lines.size() - 14, w + 12, fm.height() * lines.size() + 8);
    update();
}

QRectF HoverLabelItem::boundingRect() const
{
    return bounds_.adjusted(-2, -2, 2, 2);
}

void HoverLabelItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    painter->setBrush(withAlpha(s.background, 0.95));
    painter->setPen(cosmeticPen(s.regionOutline, 1.0));
    painter->drawRoundedRect(bounds_, 4, 4);
    painter->setFont(s.nodeFont);
    painter->setPen(s.text);
    painter->drawText(bounds_.adjusted(6, 4, -6, -4), Qt::AlignLeft | Qt::AlignVCenter, text_);
}

void NodeItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        event->accept();
    else
        event->ignore();
}

void NodeItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (shape().contains(event->pos())) {
        owner_->setSelectedNode(id_);
        owner_->emitNodeClicked(id_);
    }
}

void NodeItem::contextMenuEvent(QGraphicsSceneContextMenuEvent *event)
{
    owner_->setSelectedNode(id_);
    owner_->emitContextMenu(id_, event->screenPos());
    event->accept();
}

// ---- LinkItem ---------------------------------------------------------------------------------

LinkItem::LinkItem(const SceneStyle *style, const QString &node, const QString &network,
                   const QString &iface, QPointF from, QPointF to)
    : style_(style)
    , node_(node)
    , network_(network)
    , iface_(iface)
{
    const QLineF full(from, to);
    const qreal r = style->nodeRadius;
    if (full.length() > r) {
        QLineF trimmed = full;
        trimmed.setP1(full.pointAt(r / full.length()));
        line_ = trimmed;
    } else {
        line_ = QLineF(to, to);
    }
    setData(RoleKind, static_cast<int>(ItemKind::Link));
    setData(RoleId, node);
    setData(RoleNetwork, network);
    setData(RoleAdapterFailed, false);
    setZValue(1);
    setAcceptedMouseButtons(Qt::NoButton);
}

QRectF LinkItem::boundingRect() const
{
    return QRectF(line_.p1(), line_.p2()).normalized().adjusted(-10, -10, 10, 10);
}

void LinkItem::setAdapterFailed(bool failed)
{
    if (failed == failed_)
        return;
    failed_ = failed;
    setData(RoleAdapterFailed, failed);
    update();
}

void LinkItem::setNodeUp(bool up)
{
    if (up == nodeUp_)
        return;
    nodeUp_ = up;
    update();
}

void LinkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    if (lodOf(painter) < 0.15 || line_.length() < 0.5)
        return;
    if (failed_) {
        painter->setPen(cosmeticPen(s.failed, 2.4, Qt::DashLine));
        painter->drawLine(line_);
        // The cross where the link meets its network, clear of the node's rings, on a disc
        // that keeps it apart from the region's outline.
        const QPointF c = line_.p2();
        const qreal k = 5;
        painter->setBrush(s.background);
        painter->setPen(cosmeticPen(s.failed, 1.6));
        painter->drawEllipse(c, k + 3, k + 3);
        painter->setPen(cosmeticPen(s.failed, 2.6));
        painter->drawLine(c + QPointF(-k, -k), c + QPointF(k, k));
        painter->drawLine(c + QPointF(-k, k), c + QPointF(k, -k));
        return;
    }
    painter->setPen(cosmeticPen(nodeUp_ ? s.regionOutline : s.down, 2.4));
    painter->drawLine(line_);
    // The port where the link meets the network.
    painter->setBrush(nodeUp_ ? s.regionOutline : s.down);
    painter->setPen(Qt::NoPen);
    painter->drawEllipse(line_.p2(), 3, 3);
}

// ---- TunnelItem -------------------------------------------------------------------------------

TunnelItem::TunnelItem(const SceneStyle *style, const QString &root, const QString &leaf,
                       QPointF from, QPointF to, const TunnelRoute &route,
                       const QStringList &carries)
    : style_(style)
    , root_(root)
    , leaf_(leaf)
    , middle_(route.label)
    , route_(route.polyline)
{
    const QPointF control = route.control;
    // Start and end at the nodes' circles, clear of the marks' rings.
    const qreal gap = style->nodeRadius + 5;
    const auto trim = [&](QPointF end) {
        const QLineF towards(end, control);
        return towards.length() > gap ? towards.pointAt(gap / towards.length()) : end;
    };
    path_.moveTo(trim(from));
    path_.quadTo(control, trim(to));
    flat_ = path_.toSubpathPolygons().value(0);
    setFlag(ItemUsesExtendedStyleOption);
    setData(RoleKind, static_cast<int>(ItemKind::Tunnel));
    setData(RoleId, root + QLatin1Char('-') + leaf);
    setData(RoleTunnelRoot, root);
    setData(RoleTunnelLeaf, leaf);
    setData(RoleState, QStringLiteral("up"));
    setZValue(2);
    setAcceptedMouseButtons(Qt::NoButton);
    setCarries(carries);
}

QString TunnelItem::labelText(const QStringList &carries)
{
    return carries.isEmpty() ? QString()
                             : dmr::console::TopologyScene::tr("carries %1")
                                   .arg(carries.join(QStringLiteral(", ")));
}

QString TunnelItem::shownLabel() const
{
    if (label_.isEmpty())
        return {};
    return up_ ? label_ : dmr::console::TopologyScene::tr("%1 (pending)").arg(label_);
}

QRectF TunnelItem::labelRect() const
{
    return labelRect_;
}

void TunnelItem::styleChanged()
{
    if (labelItem_)
        labelItem_->geometryChanged();
    measureLabel();
    update();
}

void TunnelItem::measureLabel()
{
    const QString text = shownLabel();
    if (text.isEmpty()) {
        labelRect_ = {};
        return;
    }
    const qreal w = style_->smallTextWidth(text) + 10;
    const qreal h = style_->smallLineHeight() + 4;
    labelRect_ = QRectF(middle_.x() - w / 2, middle_.y() - h / 2, w, h);
}

QRectF TunnelItem::boundingRect() const
{
    return path_.boundingRect().adjusted(-4, -4, 4, 4);
}

// ---- TunnelLabelItem --------------------------------------------------------------------------

TunnelLabelItem::TunnelLabelItem(const SceneStyle *style, TunnelItem *tunnel)
    : style_(style)
    , tunnel_(tunnel)
{
    setData(RoleKind, static_cast<int>(ItemKind::TunnelLabel));
    setZValue(3.5); // above the nodes: a node never hides what a tunnel carries
    setAcceptedMouseButtons(Qt::NoButton);
}

QRectF TunnelLabelItem::boundingRect() const
{
    return tunnel_ ? tunnel_->labelRect().adjusted(-2, -2, 2, 2) : QRectF();
}

void TunnelLabelItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    if (!tunnel_ || lodOf(painter) < kLodTunnelText)
        return;
    const QString text = tunnel_->shownLabel();
    if (text.isEmpty())
        return;
    const auto &s = *style_;
    const bool up = tunnel_->isUp();
    const QRectF box = tunnel_->labelRect();
    const qreal h = box.height();
    // A tunnel whose rate limit drops now: a warning outline, tint and text.
    const bool dropping = tunnel_->isDropping();
    painter->setBrush(dropping ? mix(s.background, s.dropping, 0.18)
                               : withAlpha(s.background, 0.92));
    painter->setPen(cosmeticPen(dropping ? s.dropping
                                : up     ? s.tunnelUp
                                         : s.tunnelPending,
                                dropping ? 2.0 : 1.0));
    painter->drawRoundedRect(box, h / 2, h / 2);
    painter->setFont(s.smallFont);
    painter->setPen(dropping ? mix(s.text, s.dropping, 0.55) : s.text);
    painter->drawText(box, Qt::AlignCenter, text);
}

QPainterPath TunnelItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    return stroker.createStroke(path_);
}

void TunnelItem::setUp(bool up)
{
    if (up == up_)
        return;
    up_ = up;
    setData(RoleState, up ? QStringLiteral("up") : QStringLiteral("pending"));
    if (labelItem_)
        labelItem_->geometryChanged(); // the label grows or shrinks
    measureLabel();
    update();
}

void TunnelItem::setCarries(const QStringList &networks)
{
    if (networks == carries_ && !label_.isEmpty())
        return;
    if (labelItem_)
        labelItem_->geometryChanged();
    carries_ = networks;
    label_ = labelText(networks);
    if (!wants_.isEmpty() && !label_.isEmpty())
        label_ = dmr::console::TopologyScene::tr("%1 · %2").arg(label_, wants_);
    if (!drops_.isEmpty() && !label_.isEmpty())
        label_ = dmr::console::TopologyScene::tr("%1 · %2").arg(label_, drops_);
    measureLabel();
}

void TunnelItem::setDrops(const QString &drops, bool dropping)
{
    if (drops == drops_ && dropping == dropping_)
        return;
    dropping_ = dropping;
    if (labelItem_)
        labelItem_->update();
    if (drops == drops_)
        return;
    drops_ = drops;
    if (labelItem_)
        labelItem_->geometryChanged();
    label_.clear(); // setCarries makes it again
    setCarries(carries_);
}

void TunnelItem::setWants(const QString &wants)
{
    if (wants == wants_)
        return;
    wants_ = wants;
    if (labelItem_)
        labelItem_->geometryChanged();
    label_.clear(); // setCarries makes it again
    setCarries(carries_);
}

void TunnelItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const auto &s = *style_;
    const qreal lod = lodOf(painter);
    // Zoomed far out: a thin solid line, which the raster engine draws without stroking
    // (dashes would not show anyway).
    const bool simple = lod < kLodSimple;
    QPen pen = cosmeticPen(up_ ? s.tunnelUp : s.tunnelPending, simple ? 1.0 : 3.2);
    pen.setCapStyle(Qt::FlatCap);
    if (!simple)
        pen.setDashPattern(up_ ? QList<qreal>{3.5, 1.6} : QList<qreal>{1.2, 1.8});
    painter->setBrush(Qt::NoBrush);
    painter->setPen(pen);
    if (simple) {
        // Without antialiasing a one-pixel line takes the raster engine's fast path instead of
        // the stroker: at 10,000 nodes this was half of a fitted frame.
        const bool aa = painter->testRenderHint(QPainter::Antialiasing);
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->drawPolyline(flat_);
        painter->setRenderHint(QPainter::Antialiasing, aa);
        return;
    }
    const QRectF exposed = option->exposedRect.adjusted(-8, -8, 8, 8);
    const QRectF bounds = path_.boundingRect();
    if (exposed.width() * exposed.height() * 4 < bounds.width() * bounds.height()) {
        // Zoomed in on a long tunnel: stroke only the pieces on screen, not the whole curve, and
        // each piece of the flattened curve as a line of its own. With a hundred tunnels from
        // the system leader on screen that took half the time of one polyline per run (the
        // rasterizer's cost); the joins the pieces lose bend by a degree or two and do not show.
        // The dashes run on from the tunnel's start (the pen's dash offset, in pen widths on
        // screen), so a repaint of part of the view matches the pixels around it.
        const qreal scale = std::sqrt(std::abs(painter->worldTransform().determinant()));
        const qreal width = pen.widthF();
        qreal period = 0;
        for (const qreal d : pen.dashPattern())
            period += d;
        qreal along = 0; // in pen widths on screen, from the curve's start
        for (qsizetype i = 1; i < flat_.size(); ++i) {
            const QLineF segment(flat_[i - 1], flat_[i]);
            const qreal length = segment.length() * scale / width;
            if (QRectF(segment.p1(), segment.p2()).normalized().intersects(exposed)) {
                pen.setDashOffset(period > 0 ? std::fmod(along, period) : 0);
                painter->setPen(pen);
                painter->drawLine(segment);
            }
            along += length;
        }
    } else {
        painter->drawPath(path_);
    }
}

// ---- PlanOverlayItem --------------------------------------------------------------------------

PlanOverlayItem::PlanOverlayItem(const SceneStyle *style, Mode mode, QList<Tunnel> tunnels,
                                 QList<Mark> marks, QString caption, QPointF captionAt)
    : style_(style)
    , mode_(mode)
    , tunnels_(std::move(tunnels))
    , marks_(std::move(marks))
    , caption_(std::move(caption))
    , captionAt_(captionAt)
{
    setData(RoleKind, static_cast<int>(ItemKind::Overlay));
    setZValue(6);
    setAcceptedMouseButtons(Qt::NoButton);
    QRectF b;
    for (const auto &t : tunnels_)
        b = b.united(t.path.boundingRect());
    const qreal ring = style_->nodeRadius + 16;
    for (const auto &m : marks_)
        b = b.united(QRectF(m.pos - QPointF(ring, ring), QSizeF(2 * ring, 2 * ring + 40))
                         .adjusted(-120, 0, 120, 0));
    bounds_ = b.adjusted(-12, -12, 12, 12);
}

QRectF PlanOverlayItem::boundingRect() const
{
    return bounds_;
}

void PlanOverlayItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    const qreal lod = lodOf(painter);
    const qreal r = s.nodeRadius;
    const QColor gain = mode_ == Mode::WhatIf ? s.ghost : s.added;
    for (const auto &t : tunnels_) {
        // Clear of the nodes' circles at both ends.
        QPolygonF path = t.path;
        if (path.size() < 2)
            continue;
        const QColor color = t.opened ? gain : s.removed;
        // A change's new tunnels are drawn by the scene already: a glow under them says which.
        const bool glow = mode_ == Mode::Change && t.opened;
        QPen pen = glow
                       ? cosmeticPen(withAlpha(color, 0.28), 11.0)
                       : cosmeticPen(withAlpha(color, t.opened ? 0.9 : 0.75), t.opened ? 4.0 : 3.0);
        pen.setCapStyle(glow ? Qt::RoundCap : Qt::FlatCap);
        if (!glow)
            pen.setDashPattern(t.opened ? QList<qreal>{2.0, 1.2} : QList<qreal>{1.0, 1.6});
        painter->setBrush(Qt::NoBrush);
        painter->setPen(pen);
        QPolygonF trimmed;
        for (const auto &p : path)
            if (QLineF(p, path.first()).length() > r + 6 && QLineF(p, path.last()).length() > r + 6)
                trimmed << p;
        painter->drawPolyline(trimmed.size() >= 2 ? trimmed : path);
        const QPointF mid = path[path.size() / 2];
        if (!t.opened) {
            const qreal k = 7;
            painter->setPen(cosmeticPen(s.removed, 3));
            painter->drawLine(mid + QPointF(-k, -k), mid + QPointF(k, k));
            painter->drawLine(mid + QPointF(-k, k), mid + QPointF(k, -k));
        }
        if (lod >= kLodTunnelText && !t.label.isEmpty() && !glow) {
            const QFontMetricsF fm(s.smallFont);
            const QRectF box(mid.x() - fm.horizontalAdvance(t.label) / 2 - 5, mid.y() + 10,
                             fm.horizontalAdvance(t.label) + 10, fm.height() + 4);
            painter->setBrush(withAlpha(s.background, 0.92));
            painter->setPen(cosmeticPen(color, 1.0, Qt::DashLine));
            painter->drawRoundedRect(box, box.height() / 2, box.height() / 2);
            painter->setFont(s.smallFont);
            painter->setPen(color);
            painter->drawText(box, Qt::AlignCenter, t.label);
        }
    }
    for (const auto &m : marks_) {
        const QColor color = m.kind == Mark::Gains ? gain : s.removed;
        painter->setBrush(Qt::NoBrush);
        painter->setPen(
            cosmeticPen(color, 3.2, m.kind == Mark::Gains ? Qt::SolidLine : Qt::DashLine));
        painter->drawEllipse(m.pos, r + 13, r + 13);
        if (m.kind == Mark::Fails) {
            const qreal k = r * 0.8;
            painter->setPen(cosmeticPen(s.removed, 3.4));
            painter->drawLine(m.pos + QPointF(-k, -k), m.pos + QPointF(k, k));
            painter->drawLine(m.pos + QPointF(-k, k), m.pos + QPointF(k, -k));
        }
        if (lod >= kLodText && !m.text.isEmpty()) {
            const QFontMetricsF fm(s.smallFont);
            const QRectF box(m.pos.x() - fm.horizontalAdvance(m.text) / 2 - 5,
                             m.pos.y() - r - 16 - fm.height() - 4,
                             fm.horizontalAdvance(m.text) + 10, fm.height() + 4);
            painter->setBrush(withAlpha(s.background, 0.92));
            painter->setPen(cosmeticPen(color, 1.0));
            painter->drawRoundedRect(box, 3, 3);
            painter->setFont(s.smallFont);
            painter->setPen(color);
            painter->drawText(box, Qt::AlignCenter, m.text);
        }
    }
    // The caption is the view's: a banner at the top of the viewport, readable at any zoom.
}

// ---- LegendItem -------------------------------------------------------------------------------

namespace {

enum class LegendSample {
    SystemLeader,
    GroupLeader,
    Up,
    Failed,
    Drained,
    Down,
    NeverJoined,
    FailedAdapter,
    Unreachable,
    TunnelUp,
    TunnelPending
};

struct LegendEntry
{
    LegendSample sample;
    QString text;
};

QList<LegendEntry> legendEntries()
{
    return {
        {LegendSample::SystemLeader, dmr::console::TopologyScene::tr("system leader")},
        {LegendSample::GroupLeader,
         dmr::console::TopologyScene::tr("group leader (routes its network)")},
        {LegendSample::Up, dmr::console::TopologyScene::tr("node up")},
        {LegendSample::Failed, dmr::console::TopologyScene::tr("node failed")},
        {LegendSample::Drained, dmr::console::TopologyScene::tr("node drained (maintenance)")},
        {LegendSample::Down, dmr::console::TopologyScene::tr("node down (stopped)")},
        {LegendSample::NeverJoined, dmr::console::TopologyScene::tr("never joined")},
        {LegendSample::FailedAdapter, dmr::console::TopologyScene::tr("failed adapter")},
        {LegendSample::Unreachable,
         dmr::console::TopologyScene::tr("unreachable (no node hears its probes)")},
        {LegendSample::TunnelUp, dmr::console::TopologyScene::tr("tunnel up")},
        {LegendSample::TunnelPending, dmr::console::TopologyScene::tr("tunnel pending")},
    };
}

constexpr qreal kLegendRowHeight = 21;
constexpr qreal kLegendSampleWidth = 46;
constexpr qreal kLegendPad = 10;

} // namespace

LegendItem::LegendItem(const SceneStyle *style)
    : style_(style)
{
    setData(RoleKind, static_cast<int>(ItemKind::Legend));
    setZValue(4);
    setAcceptedMouseButtons(Qt::NoButton);
    styleChanged();
}

QStringList LegendItem::entries() const
{
    QStringList out;
    for (const auto &e : legendEntries())
        out << e.text;
    return out;
}

void LegendItem::styleChanged()
{
    ++generation_;
    prepareGeometryChange();
    const QFontMetricsF fm(style_->nodeFont);
    const QFontMetricsF title(style_->legendTitleFont);
    qreal w = title.horizontalAdvance(dmr::console::TopologyScene::tr("Legend"));
    for (const auto &e : legendEntries())
        w = std::max(w, kLegendSampleWidth + fm.horizontalAdvance(e.text));
    const auto rows = static_cast<qreal>(legendEntries().size());
    bounds_ = QRectF(0, 0, w + 2 * kLegendPad,
                     title.height() + 6 + rows * kLegendRowHeight + 2 * kLegendPad);
}

QRectF LegendItem::boundingRect() const
{
    return bounds_.adjusted(-2, -2, 2, 2);
}

void LegendItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const auto &s = *style_;
    painter->setBrush(withAlpha(s.background, 0.92));
    painter->setPen(cosmeticPen(s.regionOutline, 1.0));
    painter->drawRoundedRect(bounds_, 8, 8);
    if (lodOf(painter) < kLodLegendText)
        return;
    const QFontMetricsF title(s.legendTitleFont);
    painter->setFont(s.legendTitleFont);
    painter->setPen(s.text);
    painter->drawText(QRectF(kLegendPad, kLegendPad, bounds_.width(), title.height()),
                      Qt::AlignLeft | Qt::AlignVCenter, dmr::console::TopologyScene::tr("Legend"));
    const qreal r = 8;
    qreal y = kLegendPad + title.height() + 6;
    for (const auto &e : legendEntries()) {
        const QPointF c(kLegendPad + 16, y + kLegendRowHeight / 2);
        painter->save();
        switch (e.sample) {
        case LegendSample::SystemLeader:
            drawNodeGlyph(painter, s, c, r * 0.7, NodeVisualState::Up);
            drawRing(painter, c, r * 0.7 + 2.5, s.groupLeader, 2);
            drawRing(painter, c, r * 0.7 + 5.5, s.systemLeader, 2);
            drawStar(painter, s, c + QPointF(r * 1.45, -r * 0.7), 5.5);
            break;
        case LegendSample::GroupLeader:
            drawNodeGlyph(painter, s, c, r * 0.7, NodeVisualState::Up);
            drawRing(painter, c, r * 0.7 + 2.5, s.groupLeader, 2);
            break;
        case LegendSample::Up:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::Up);
            break;
        case LegendSample::Failed:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::Failed);
            break;
        case LegendSample::Drained:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::Drained);
            break;
        case LegendSample::Down:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::Down);
            break;
        case LegendSample::NeverJoined:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::NeverJoined);
            break;
        case LegendSample::FailedAdapter: {
            const QLineF l(c + QPointF(-14, 0), c + QPointF(14, 0));
            painter->setPen(cosmeticPen(s.failed, 2.2, Qt::DashLine));
            painter->drawLine(l);
            painter->setPen(cosmeticPen(s.failed, 2.2));
            painter->drawLine(c + QPointF(-4, -4), c + QPointF(4, 4));
            painter->drawLine(c + QPointF(-4, 4), c + QPointF(4, -4));
            break;
        }
        case LegendSample::Unreachable:
            drawNodeGlyph(painter, s, c, r, NodeVisualState::Up);
            drawUnreachableBadge(painter, s, c + QPointF(-r * 0.9, -r * 0.85), 5.5);
            break;
        case LegendSample::TunnelUp:
        case LegendSample::TunnelPending: {
            const bool up = e.sample == LegendSample::TunnelUp;
            QPen pen = cosmeticPen(up ? s.tunnelUp : s.tunnelPending, 3.2);
            pen.setCapStyle(Qt::FlatCap);
            pen.setDashPattern(up ? QList<qreal>{3.5, 1.6} : QList<qreal>{1.2, 1.8});
            painter->setPen(pen);
            painter->drawLine(c + QPointF(-15, 0), c + QPointF(15, 0));
            break;
        }
        }
        painter->restore();
        painter->setFont(s.nodeFont);
        painter->setPen(s.text);
        painter->drawText(
            QRectF(kLegendPad + kLegendSampleWidth - 6, y, bounds_.width(), kLegendRowHeight),
            Qt::AlignLeft | Qt::AlignVCenter, e.text);
        y += kLegendRowHeight;
    }
}

} // namespace dmr::console
