#pragma once
// The cluster's life on one time axis: each failover as a bar of its phases stacked in ms
// (detection, election, tunnels: the total is the bar's height), the drills as spans, the
// periods the cluster ran degraded, and a tick for every plan change (view) in the agents' view
// logs. Time labels read as clock times at a step that never crowds them; the ms axis has round
// ticks. Wheel zooms around the mouse, dragging pans, a double click fits everything. A click on
// a bar selects that failover (failoverClicked); a click elsewhere puts the replay cursor there
// (timeClicked). The models own the data: the widget only reads them.

#include <QWidget>

#include <optional>

namespace dmr::console {

class DrillModel;
class HistoryModel;
class PlanTimeline;

class TimelineWidget : public QWidget
{
    Q_OBJECT

public:
    TimelineWidget(HistoryModel *history, DrillModel *drills, PlanTimeline *timeline,
                   QWidget *parent = nullptr);

    // The time shown, ms since the epoch; while following, it ends at the newest entry (or now).
    qint64 startMs() const { return start_; }
    qint64 endMs() const { return end_; }
    void setRange(qint64 startMs, qint64 endMs);
    bool following() const { return following_; }

    std::optional<qint64> cursorMs() const { return cursor_; }
    void setCursorMs(std::optional<qint64> ms);
    QString selectedFailover() const { return selected_; }
    void setSelectedFailover(const QString &key);

    // What is drawn, for tests and accessibility: one line per bar ("failover 2 connection-lost
    // 3 ms"), drill span, degraded span and the number of view ticks.
    struct Shown
    {
        int failovers = 0;
        int drills = 0;
        int degraded = 0;
        int views = 0;
    };
    Shown shown() const;
    // The bar of a failover (FailoverRecord::key) in widget pixels; empty when not drawn.
    QRect barRect(const QString &key) const;
    QString failoverAt(const QPoint &pos) const;
    // The x of a time, and the time of an x, in widget pixels.
    int xOf(qint64 ms) const;
    qint64 msAt(int x) const;
    // The time labels drawn, left to right (for tests: readable, not crowded).
    QStringList timeLabels() const;
    // The ms axis' top value (a round number at or above the tallest bar).
    qint64 msAxisMax() const;

    QSize sizeHint() const override { return {900, 260}; }
    QSize minimumSizeHint() const override { return {360, 180}; }

public slots:
    // Shows everything held (and follows the newest again).
    void fitAll();

signals:
    void failoverClicked(const QString &key);
    void timeClicked(qint64 ms);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Lanes
    {
        QRect chart;    // the bars, with the ms axis at its left
        QRect drills;   // drill spans
        QRect degraded; // degraded periods
        QRect views;    // a tick per plan change
        QRect axis;     // the time labels
    };
    Lanes lanes() const;
    void follow(); // the range that ends at the newest entry
    void dataChanged();
    qint64 stepMs() const; // between two time labels
    QString tipAt(const QPoint &pos) const;

    HistoryModel *history_;
    DrillModel *drills_;
    PlanTimeline *timeline_;
    qint64 start_ = 0;
    qint64 end_ = 1;
    bool following_ = true;
    std::optional<qint64> cursor_;
    QString selected_;
    std::optional<QPoint> dragFrom_;
    qint64 dragStart_ = 0;
    bool dragged_ = false;
};

} // namespace dmr::console
