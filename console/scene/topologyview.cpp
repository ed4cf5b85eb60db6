#include "topologyview.h"

#include "topologyitems.h"
#include "topologyscene.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>
#include <QtMath>

#include <algorithm>

namespace dmr::console {

namespace {
constexpr qreal kLegendScale = 0.8;
constexpr int kLegendMargin = 10;
} // namespace

TopologyView::TopologyView(QWidget *parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                   QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    // Every item sets the pen, brush and font it draws with, and puts back the transform and
    // render hints it changes: no save and restore of the painter around each of 10,000 items.
    setOptimizationFlag(QGraphicsView::DontSavePainterState, true);
    setFrameShape(QFrame::NoFrame);
    setFitted(autoFit_);
}

TopologyView::TopologyView(TopologyScene *scene, QWidget *parent)
    : TopologyView(parent)
{
    setTopologyScene(scene);
}

void TopologyView::setTopologyScene(TopologyScene *scene)
{
    if (auto *old = topologyScene())
        disconnect(old, nullptr, this, nullptr);
    setScene(scene);
    // The scene's background brush covers every pixel: the viewport need not be cleared first.
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent, scene != nullptr);
    if (scene) {
        connect(scene, &TopologyScene::layoutChanged, this, [this] {
            if (autoFit_)
                fitNow();
        });
    }
    if (autoFit_)
        fitNow();
}

TopologyScene *TopologyView::topologyScene() const
{
    return qobject_cast<TopologyScene *>(scene());
}

qreal TopologyView::zoom() const
{
    return transform().m11();
}

void TopologyView::setZoom(qreal zoom)
{
    const qreal z = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (qFuzzyCompare(z, this->zoom()))
        return;
    setTransform(QTransform::fromScale(z, z));
    emit zoomChanged(z);
}

void TopologyView::setFitted(bool fitted)
{
    autoFit_ = fitted;
    if (!fitted)
        setSceneRect(QRectF()); // the scene's own again: what there is to scroll to
    // Fitted, the whole scene is in view: scroll bars would only take room and make the fit
    // shrink again. Zoomed in or at 1:1 they show where the view is.
    const auto policy = fitted ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded;
    setHorizontalScrollBarPolicy(policy);
    setVerticalScrollBarPolicy(policy);
}

void TopologyView::scaleBy(qreal factor)
{
    setFitted(false);
    setZoom(zoom() * factor);
}

void TopologyView::zoomIn()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    scaleBy(1.25);
    setTransformationAnchor(anchor);
}

void TopologyView::zoomOut()
{
    const auto anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    scaleBy(1 / 1.25);
    setTransformationAnchor(anchor);
}

void TopologyView::resetZoom()
{
    setFitted(false);
    setZoom(1.0);
}

void TopologyView::fitAll()
{
    setFitted(true);
    fitNow();
}

void TopologyView::fitNow()
{
    auto *s = topologyScene();
    if (!s || viewport()->width() < 10 || viewport()->height() < 10)
        return;
    const QRectF content = s->sceneRect();
    if (content.isEmpty())
        return;
    // The legend's corner is kept clear: the topology fits beside it (or above it, whichever
    // leaves it larger).
    const QRect legend = legendRect();
    const qreal w = viewport()->width();
    const qreal h = viewport()->height();
    const qreal beside = legend.isEmpty() ? 0 : legend.width() + 2 * kLegendMargin;
    const qreal above = legend.isEmpty() ? 0 : legend.height() + 2 * kLegendMargin;
    const qreal zBeside = std::min((w - beside) / content.width(), h / content.height());
    const qreal zAbove = std::min(w / content.width(), (h - above) / content.height());
    const bool besideWins = zBeside >= zAbove;
    const qreal z = std::max(kMinZoom, std::min(std::max(zBeside, zAbove), kMaxFitZoom));
    setTransform(QTransform::fromScale(z, z));
    // The view's own scene rect has the legend's room beside (or below) the content: the view
    // centres that, so the content sits in the part of the view left to it.
    const QRectF room =
        besideWins ? content.adjusted(0, 0, beside / z, 0) : content.adjusted(0, 0, 0, above / z);
    setSceneRect(room);
    centerOn(room.center());
    emit zoomChanged(z);
}

void TopologyView::centerOnNode(const QString &id)
{
    if (auto *s = topologyScene())
        if (auto *item = s->nodeItem(id))
            centerOn(item);
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    // Plain wheel and Ctrl+wheel both zoom; Shift+wheel scrolls sideways as usual.
    if (event->modifiers() & Qt::ShiftModifier) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    scaleBy(qPow(1.0015, delta));
    event->accept();
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (autoFit_)
        fitNow();
}

QRect TopologyView::legendRect() const
{
    auto *s = topologyScene();
    auto *legend = s ? dynamic_cast<LegendItem *>(s->legendItem()) : nullptr;
    if (!legend || !s->legendVisible())
        return {};
    // In viewport pixels, whatever the zoom: small, in the corner, out of the way.
    const QSize size = (legend->size() * kLegendScale).toSize() + QSize(2, 2);
    const QRect viewport = this->viewport()->rect();
    return QRect(QPoint(viewport.right() - size.width() - kLegendMargin,
                        viewport.bottom() - size.height() - kLegendMargin),
                 size);
}

QRect TopologyView::bannerRect() const
{
    auto *s = topologyScene();
    if (!s || s->overlayCaption().isEmpty())
        return {};
    QFont font = this->font();
    font.setBold(true);
    const QFontMetrics fm(font);
    const int w =
        std::min(viewport()->width() - 20, fm.horizontalAdvance(s->overlayCaption()) + 32);
    return QRect(10, 10, w, fm.height() + 12);
}

void TopologyView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QGraphicsView::drawForeground(painter, rect);
    if (const QRect banner = bannerRect(); !banner.isEmpty()) {
        // What the overlay shows, at the top of the view whatever the zoom.
        painter->save();
        painter->resetTransform();
        QFont font = this->font();
        font.setBold(true);
        painter->setFont(font);
        const QPalette pal = palette();
        painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        QColor back = pal.color(QPalette::Base);
        back.setAlphaF(0.95f);
        painter->setBrush(back);
        painter->drawRoundedRect(QRectF(banner).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        painter->setPen(pal.color(QPalette::Text));
        painter->drawText(banner.adjusted(12, 0, -12, 0), Qt::AlignVCenter | Qt::AlignLeft,
                          painter->fontMetrics().elidedText(topologyScene()->overlayCaption(),
                                                            Qt::ElideRight, banner.width() - 24));
        painter->restore();
    }
    const QRect box = legendRect();
    if (box.isEmpty())
        return;
    auto *legend = dynamic_cast<LegendItem *>(topologyScene()->legendItem());
    // Painted once into a pixmap per look and pixel ratio, then blitted with every frame.
    const qreal dpr = devicePixelRatioF();
    if (legendPixmap_.isNull() || legendGeneration_ != legend->generation() ||
        legendPixmap_.devicePixelRatio() != dpr) {
        legendGeneration_ = legend->generation();
        QPixmap pixmap(box.size() * dpr);
        pixmap.setDevicePixelRatio(dpr);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        p.scale(kLegendScale, kLegendScale);
        QStyleOptionGraphicsItem option;
        legend->paint(&p, &option, nullptr);
        p.end();
        legendPixmap_ = pixmap;
    }
    painter->save();
    painter->resetTransform();
    painter->drawPixmap(box.topLeft(), legendPixmap_);
    painter->restore();
}

void TopologyView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    // The scroll moved the legend's pixels with the scene: paint it where it stays.
    for (const QRect box : {legendRect(), bannerRect()})
        if (!box.isEmpty()) {
            viewport()->update(box.adjusted(-2, -2, 2, 2));
            viewport()->update(box.translated(dx, dy).adjusted(-2, -2, 2, 2));
        }
}

void TopologyView::showEvent(QShowEvent *event)
{
    QGraphicsView::showEvent(event);
    if (autoFit_)
        fitNow();
}

} // namespace dmr::console
