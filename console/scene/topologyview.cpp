#include "topologyview.h"

#include "topologyscene.h"

#include <QWheelEvent>
#include <QtMath>

#include <algorithm>

namespace dmr::console {

TopologyView::TopologyView(QWidget *parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                   QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlag(QGraphicsView::DontSavePainterState, false);
    setFrameShape(QFrame::NoFrame);
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

void TopologyView::scaleBy(qreal factor)
{
    autoFit_ = false;
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
    autoFit_ = false;
    setZoom(1.0);
}

void TopologyView::fitAll()
{
    autoFit_ = true;
    fitNow();
}

void TopologyView::fitNow()
{
    auto *s = topologyScene();
    if (!s || viewport()->width() < 10 || viewport()->height() < 10)
        return;
    const QRectF content = s->contentRect().adjusted(-20, -20, 20, 20);
    if (content.isEmpty())
        return;
    const qreal z = std::min({viewport()->width() / content.width(),
                              viewport()->height() / content.height(), kMaxFitZoom});
    setTransform(QTransform::fromScale(z, z));
    centerOn(content.center());
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

void TopologyView::showEvent(QShowEvent *event)
{
    QGraphicsView::showEvent(event);
    if (autoFit_)
        fitNow();
}

} // namespace dmr::console
