#pragma once
// The topology view: a QGraphicsView that zooms with the wheel (with or without Ctrl), pans by
// dragging the background, and fits the whole topology until the user zooms. The scene's legend
// is a small overlay in its bottom right corner (TopologyScene::setLegendVisible hides it).

#include <QGraphicsView>
#include <QPixmap>

namespace dmr::console {

class TopologyScene;

class TopologyView : public QGraphicsView
{
    Q_OBJECT
    Q_PROPERTY(qreal zoom READ zoom WRITE setZoom NOTIFY zoomChanged)

public:
    explicit TopologyView(QWidget *parent = nullptr);
    explicit TopologyView(TopologyScene *scene, QWidget *parent = nullptr);

    // Sets the scene and follows its layout changes (fits them while autoFit() holds).
    void setTopologyScene(TopologyScene *scene);
    TopologyScene *topologyScene() const;

    qreal zoom() const; // 1 = one scene unit per device-independent pixel
    void setZoom(qreal zoom);
    // Whether the view fits the topology whenever it is laid out or resized. Zooming by hand
    // turns it off; fitAll() turns it back on.
    bool autoFit() const { return autoFit_; }

    static constexpr qreal kMinZoom = 0.01;
    static constexpr qreal kMaxZoom = 8.0;
    static constexpr qreal kMaxFitZoom = 1.6; // a small topology is not blown up beyond this

public slots:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitAll();
    void centerOnNode(const QString &id);

signals:
    void zoomChanged(qreal zoom);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    QRect legendRect() const; // in viewport pixels; empty when hidden
    QRect bannerRect() const; // the overlay's caption, top left; empty without one

private:
    void scaleBy(qreal factor);
    void setFitted(bool fitted);
    void fitNow();

    bool autoFit_ = true;
    QPixmap legendPixmap_;
    int legendGeneration_ = -1;
};

} // namespace dmr::console
