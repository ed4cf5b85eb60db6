#include "timelinewidget.h"

#include "client/records.h"
#include "models/drill_model.h"
#include "models/format.h"
#include "models/history_model.h"
#include "models/plan_timeline.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace dmr::console {

namespace {

constexpr int kLeft = 70; // room for the ms labels
constexpr int kRight = 16;
constexpr int kTop = 24;  // the phases' key
constexpr int kAxis = 24; // the time labels
constexpr int kBarWidth = 10;
constexpr qint64 kFollowMs = 60 * 60 * 1000; // following shows the last hour at most
constexpr int kLabelPixelsMin = 84;          // between two time labels

const QColor kDetection(0xe0, 0x8e, 0x0b);
const QColor kElection(0x3b, 0x7d, 0xd8);
const QColor kTunnels(0x2e, 0x9e, 0x4f);

QColor drillColor(const QString &action)
{
    if (action == u"kill")
        return QColor(0xd0, 0x3b, 0x3b);
    if (action == u"fail-adapter")
        return QColor(0xe6, 0x7e, 0x22);
    return QColor(0x8a, 0x8f, 0x98); // drain
}

// 1, 2, 5 times a power of ten, at or above v.
qint64 niceCeil(double v)
{
    double p = 1;
    while (p * 10 <= v)
        p *= 10;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v)
            return qint64(m * p);
    return qint64(10 * p);
}

} // namespace

TimelineWidget::TimelineWidget(HistoryModel *history, DrillModel *drills, PlanTimeline *timeline,
                               QWidget *parent)
    : QWidget(parent)
    , history_(history)
    , drills_(drills)
    , timeline_(timeline)
{
    setObjectName(QStringLiteral("timeline"));
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(history_),
                                  static_cast<QAbstractItemModel *>(drills_)}) {
        connect(m, &QAbstractItemModel::rowsInserted, this, &TimelineWidget::dataChanged);
        connect(m, &QAbstractItemModel::rowsRemoved, this, &TimelineWidget::dataChanged);
        connect(m, &QAbstractItemModel::dataChanged, this, &TimelineWidget::dataChanged);
        connect(m, &QAbstractItemModel::modelReset, this, &TimelineWidget::dataChanged);
    }
    connect(timeline_, &PlanTimeline::changed, this, &TimelineWidget::dataChanged);
    // Following, the right end is now: the axis moves on by itself.
    auto *tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this] {
        if (following_ && isVisible()) {
            follow();
            update();
        }
    });
    tick->start();
    follow();
}

void TimelineWidget::dataChanged()
{
    if (following_)
        follow();
    update();
}

void TimelineWidget::follow()
{
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = 0;
    const auto see = [&](qint64 t) {
        if (t <= 0)
            return;
        first = std::min(first, t);
        last = std::max(last, t);
    };
    for (const auto &r : history_->records())
        see(r.tunnelsUpMs.value_or(r.failedMs));
    for (int i = 0; i < drills_->rowCount(); ++i) {
        const DrillRecord d = drills_->recordAt(i);
        see(d.startedMs);
        see(d.endedMs.value_or(0));
    }
    if (timeline_->frameCount() > 0) {
        see(timeline_->frame(0).timeMs);
        see(timeline_->frame(timeline_->frameCount() - 1).timeMs);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (last == 0) {
        start_ = now - 5 * 60 * 1000;
        end_ = now;
        return;
    }
    // A record of the last hour runs up to now and moves on with it; an older one (a console
    // opened on a quiet cluster) is shown where it is.
    if (now - last < kFollowMs)
        last = std::max(last, now);
    first = std::max(first, last - kFollowMs);
    const qint64 pad = std::max<qint64>(2000, (last - first) / 20);
    start_ = first - pad;
    end_ = last + pad;
}

void TimelineWidget::fitAll()
{
    following_ = true;
    follow();
    update();
}

void TimelineWidget::setRange(qint64 startMs, qint64 endMs)
{
    following_ = false;
    start_ = startMs;
    end_ = std::max(startMs + 50, endMs);
    update();
}

void TimelineWidget::setCursorMs(std::optional<qint64> ms)
{
    cursor_ = ms;
    if (cursor_ && !following_ && (*cursor_ < start_ || *cursor_ > end_)) {
        const qint64 span = end_ - start_;
        start_ = *cursor_ - span / 2;
        end_ = start_ + span;
    }
    update();
}

void TimelineWidget::setSelectedFailover(const QString &key)
{
    selected_ = key;
    update();
}

TimelineWidget::Lanes TimelineWidget::lanes() const
{
    Lanes l;
    const int w = width() - kLeft - kRight;
    int y = height() - kAxis;
    l.axis = QRect(kLeft, y, w, kAxis);
    y -= 12;
    l.views = QRect(kLeft, y, w, 10);
    y -= 18;
    l.degraded = QRect(kLeft, y, w, 16);
    y -= 22;
    l.drills = QRect(kLeft, y, w, 20);
    y -= 8;
    l.chart = QRect(kLeft, kTop, w, std::max(20, y - kTop));
    return l;
}

int TimelineWidget::xOf(qint64 ms) const
{
    const Lanes l = lanes();
    const double f = double(ms - start_) / double(std::max<qint64>(1, end_ - start_));
    return l.chart.left() + int(std::lround(f * l.chart.width()));
}

qint64 TimelineWidget::msAt(int x) const
{
    const Lanes l = lanes();
    const double f = double(x - l.chart.left()) / double(std::max(1, l.chart.width()));
    return start_ + qint64(std::llround(f * double(end_ - start_)));
}

qint64 TimelineWidget::stepMs() const
{
    static constexpr qint64 kSteps[] = {100,    200,    500,     1000,    2000,    5000,
                                        10000,  15000,  30000,   60000,   120000,  300000,
                                        600000, 900000, 1800000, 3600000, 7200000, 21600000};
    const int w = std::max(1, lanes().axis.width());
    for (qint64 step : kSteps)
        if (double(step) / double(end_ - start_) * w >= kLabelPixelsMin)
            return step;
    return 86400000;
}

QStringList TimelineWidget::timeLabels() const
{
    QStringList out;
    const qint64 step = stepMs();
    const QString format = step < 1000    ? QStringLiteral("HH:mm:ss.zzz")
                           : step < 60000 ? QStringLiteral("HH:mm:ss")
                                          : QStringLiteral("HH:mm");
    // Steps of whole seconds and minutes fall on the local clock's round values.
    const qint64 offset = QDateTime::fromMSecsSinceEpoch(start_).offsetFromUtc() * 1000LL;
    qint64 t = ((start_ + offset) / step + 1) * step - offset;
    for (; t < end_; t += step)
        out << QDateTime::fromMSecsSinceEpoch(t).toString(format);
    return out;
}

qint64 TimelineWidget::msAxisMax() const
{
    double tallest = 1;
    for (const auto &r : history_->records()) {
        if (r.failedMs < start_ || r.failedMs > end_)
            continue;
        const qint64 h = r.totalMs.value_or(r.detectionMs + r.electionMs.value_or(0));
        tallest = std::max(tallest, double(h));
    }
    return std::max<qint64>(5, niceCeil(tallest));
}

QRect TimelineWidget::barRect(const QString &key) const
{
    const Lanes l = lanes();
    const qint64 top = msAxisMax();
    for (const auto &r : history_->records()) {
        if (r.key() != key)
            continue;
        if (r.failedMs < start_ || r.failedMs > end_)
            return {};
        const qint64 h = r.totalMs.value_or(r.detectionMs + r.electionMs.value_or(0));
        // Even a 0 ms failover stands a few pixels tall: it happened.
        const int px = std::max(4, int(std::lround(double(h) / double(top) * l.chart.height())));
        const int x = xOf(r.failedMs);
        return QRect(x - kBarWidth / 2, l.chart.bottom() - px + 1, kBarWidth, px);
    }
    return {};
}

QString TimelineWidget::failoverAt(const QPoint &pos) const
{
    const Lanes l = lanes();
    if (!l.chart.adjusted(0, 0, 0, 4).contains(pos))
        return {};
    QString best;
    int bestDistance = kBarWidth;
    for (const auto &r : history_->records()) {
        const QRect bar = barRect(r.key());
        if (bar.isEmpty())
            continue;
        const int d = std::abs(bar.center().x() - pos.x());
        if (d <= bestDistance && pos.y() >= bar.top() - 14) {
            bestDistance = d;
            best = r.key();
        }
    }
    return best;
}

TimelineWidget::Shown TimelineWidget::shown() const
{
    Shown s;
    for (const auto &r : history_->records())
        s.failovers += r.failedMs >= start_ && r.failedMs <= end_;
    for (int i = 0; i < drills_->rowCount(); ++i) {
        const DrillRecord d = drills_->recordAt(i);
        if (d.action == u"restore")
            continue;
        const qint64 end = d.endedMs.value_or(end_);
        s.drills += end >= start_ && d.startedMs <= end_;
    }
    for (const auto &p : timeline_->degradedPeriods()) {
        const qint64 end = p.endMs < 0 ? end_ : p.endMs;
        s.degraded += end >= start_ && p.startMs <= end_;
    }
    for (int i = 0; i < timeline_->frameCount(); ++i) {
        const qint64 t = timeline_->frame(i).timeMs;
        s.views += t >= start_ && t <= end_;
    }
    return s;
}

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const QColor grid = pal.color(QPalette::Mid);
    const QColor muted = pal.color(QPalette::PlaceholderText);
    p.fillRect(rect(), base);
    const Lanes l = lanes();
    const QFontMetrics fm(font());

    // The ms axis: round ticks, a grid line each.
    const qint64 top = msAxisMax();
    const qint64 tick = std::max<qint64>(1, niceCeil(double(top) / 5.0));
    p.setFont(font());
    for (qint64 v = 0; v <= top; v += tick) {
        const int y =
            l.chart.bottom() - int(std::lround(double(v) / double(top) * l.chart.height()));
        p.setPen(QPen(grid, 1, v == 0 ? Qt::SolidLine : Qt::DotLine));
        p.drawLine(l.chart.left(), y, l.chart.right(), y);
        p.setPen(text);
        p.drawText(QRect(0, y - fm.height() / 2, kLeft - 8, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, tr("%1 ms").arg(v));
    }
    // The key of the phases, top right.
    {
        int x = l.chart.right();
        const QList<std::pair<QColor, QString>> key{
            {kTunnels, tr("tunnels")}, {kElection, tr("election")}, {kDetection, tr("detection")}};
        for (const auto &[color, name] : key) {
            const int w = fm.horizontalAdvance(name);
            x -= w;
            p.setPen(text);
            p.drawText(QRect(x, 4, w, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, name);
            x -= 14;
            p.fillRect(QRect(x, 4 + fm.height() / 2 - 5, 10, 10), color);
            x -= 16;
        }
        p.setPen(text);
        p.drawText(QRect(l.chart.left(), 4, x - l.chart.left(), fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, tr("Failover phases (ms)"));
    }
    // Lane names, left of their lanes.
    p.setPen(muted);
    for (const auto &[lane, name] :
         {std::pair{l.drills, tr("drills")}, std::pair{l.degraded, tr("degraded")},
          std::pair{l.views, tr("plans")}})
        p.drawText(QRect(0, lane.top(), kLeft - 8, lane.height()),
                   Qt::AlignRight | Qt::AlignVCenter, name);

    p.save();
    p.setClipRect(QRect(kLeft, 0, width() - kLeft - kRight, height()));
    // Degraded periods.
    for (const auto &period : timeline_->degradedPeriods()) {
        const qint64 end = period.endMs < 0 ? end_ : period.endMs;
        if (end < start_ || period.startMs > end_)
            continue;
        const QRect span(QPoint(xOf(period.startMs), l.degraded.top()),
                         QPoint(std::max(xOf(end), xOf(period.startMs) + 2), l.degraded.bottom()));
        p.fillRect(span, QColor(0xd0, 0x3b, 0x3b, 150));
    }
    // Plan changes: a tick each.
    p.setPen(QPen(text, 1));
    for (int i = 0; i < timeline_->frameCount(); ++i) {
        const qint64 t = timeline_->frame(i).timeMs;
        if (t < start_ || t > end_)
            continue;
        const int x = xOf(t);
        p.drawLine(x, l.views.top(), x, l.views.bottom());
    }
    // Drills.
    for (int i = 0; i < drills_->rowCount(); ++i) {
        const DrillRecord d = drills_->recordAt(i);
        if (d.action == u"restore")
            continue;
        const qint64 end = d.endedMs.value_or(std::max(end_, d.startedMs));
        if (end < start_ || d.startedMs > end_)
            continue;
        const QRect span(QPoint(xOf(d.startedMs), l.drills.top() + 2),
                         QPoint(std::max(xOf(end), xOf(d.startedMs) + 3), l.drills.bottom() - 2));
        QColor c = drillColor(d.action);
        p.setPen(Qt::NoPen);
        p.setBrush(d.endedMs ? c : c.lighter(115));
        p.drawRoundedRect(span, 3, 3);
        const QString label = d.iface.isEmpty()
                                  ? tr("%1 %2").arg(drillActionText(d.action), d.node)
                                  : tr("%1 %2 %3").arg(drillActionText(d.action), d.node, d.iface);
        if (fm.horizontalAdvance(label) + 6 < span.width()) {
            p.setPen(Qt::white);
            p.drawText(span, Qt::AlignCenter, label);
        }
    }
    // Failovers: stacked phases.
    const auto heightOf = [&](qint64 ms) { return double(ms) / double(top) * l.chart.height(); };
    for (const auto &r : history_->records()) {
        const QRect bar = barRect(r.key());
        if (bar.isEmpty())
            continue;
        double y = l.chart.bottom() + 1;
        const auto segment = [&](qint64 ms, const QColor &color, bool pending) {
            const double h = heightOf(ms);
            const QRectF part(bar.left(), y - h, bar.width(), h);
            if (pending) {
                p.setPen(QPen(color, 1, Qt::DashLine));
                p.setBrush(Qt::NoBrush);
                p.drawRect(part.adjusted(0.5, 0.5, -0.5, -0.5));
            } else {
                p.fillRect(part, color);
            }
            y -= h;
        };
        const qint64 parts = r.detectionMs + r.electionMs.value_or(0) + r.tunnelsMs.value_or(0);
        if (parts == 0) {
            p.fillRect(bar, kTunnels); // under a ms: a sliver, still a failover
        } else {
            segment(r.detectionMs, kDetection, false);
            segment(r.electionMs.value_or(0), kElection, false);
            if (r.tunnelsMs)
                segment(*r.tunnelsMs, kTunnels, false);
        }
        if (!r.totalMs) // tunnels not up yet
            segment(std::max<qint64>(1, top / 20), kTunnels, true);
        if (r.key() == selected_) {
            p.setPen(QPen(pal.color(QPalette::Highlight), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(bar.adjusted(-3, -3, 3, 3));
        }
        // Whose failover it is, above the bar.
        const QString who = r.node;
        const QRect name(bar.center().x() - 30, bar.top() - fm.height() - 2, 60, fm.height());
        p.setPen(text);
        p.drawText(name, Qt::AlignHCenter | Qt::AlignBottom, who);
    }
    // The replay cursor.
    if (cursor_ && *cursor_ >= start_ && *cursor_ <= end_) {
        const int x = xOf(*cursor_);
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.drawLine(x, l.chart.top(), x, l.views.bottom());
    }
    p.restore();

    // Time labels: round clock times, never crowded.
    p.setPen(QPen(grid, 1));
    p.drawLine(l.axis.left(), l.axis.top(), l.axis.right(), l.axis.top());
    const qint64 step = stepMs();
    const qint64 offset = QDateTime::fromMSecsSinceEpoch(start_).offsetFromUtc() * 1000LL;
    const QStringList labels = timeLabels();
    qint64 t = ((start_ + offset) / step + 1) * step - offset;
    for (const QString &label : labels) {
        const int x = xOf(t);
        p.setPen(QPen(grid, 1));
        p.drawLine(x, l.axis.top(), x, l.axis.top() + 4);
        p.setPen(text);
        const int w = fm.horizontalAdvance(label);
        p.drawText(QRect(x - w / 2, l.axis.top() + 5, w, fm.height()), Qt::AlignCenter, label);
        t += step;
    }
}

QString TimelineWidget::tipAt(const QPoint &pos) const
{
    const Lanes l = lanes();
    if (const QString key = failoverAt(pos); !key.isEmpty()) {
        for (const auto &r : history_->records()) {
            if (r.key() != key)
                continue;
            const auto ms = [](const std::optional<qint64> &v) {
                return v ? tr("%1 ms").arg(*v) : tr("not yet");
            };
            return tr("Failover of node %1 (%2) at %3\ndetection %4 ms, election %5, tunnels %6\n"
                      "total %7\nClick to see the plan before and after.")
                .arg(r.node, describeCause(r.cause), formatTime(r.failedMs))
                .arg(r.detectionMs)
                .arg(ms(r.electionMs), ms(r.tunnelsMs), ms(r.totalMs));
        }
    }
    const qint64 t = msAt(pos.x());
    if (l.drills.contains(pos)) {
        for (int i = 0; i < drills_->rowCount(); ++i) {
            const DrillRecord d = drills_->recordAt(i);
            const qint64 end = d.endedMs.value_or(end_);
            if (d.action != u"restore" && t >= d.startedMs - (end_ - start_) / 200 && t <= end)
                return tr("%1\nstarted %2, %3")
                    .arg(describe(d), formatTime(d.startedMs),
                         d.endedMs ? tr("ended %1").arg(formatTime(*d.endedMs)) : tr("in force"));
        }
    }
    if (l.degraded.contains(pos)) {
        for (const auto &period : timeline_->degradedPeriods()) {
            const qint64 end = period.endMs < 0 ? end_ : period.endMs;
            if (t >= period.startMs && t <= end)
                return tr("Degraded from %1: %2")
                    .arg(formatTime(period.startMs), period.why.join(tr(", ")));
        }
    }
    if (l.views.adjusted(0, -4, 0, 4).contains(pos)) {
        const int i = timeline_->frameAt(t);
        if (i >= 0)
            return tr("View %1 at %2 (from agent %3)\nClick to see the plan then.")
                .arg(timeline_->frame(i).viewId, formatTime(timeline_->frame(i).timeMs),
                     timeline_->frame(i).agent);
    }
    return {};
}

bool TimelineWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString tip = tipAt(help->pos());
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineWidget::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0)
        return;
    const qint64 at = msAt(int(event->position().x()));
    const double factor = std::pow(0.999, delta);
    const qint64 span = std::max<qint64>(200, qint64(double(end_ - start_) * factor));
    const double f = double(at - start_) / double(std::max<qint64>(1, end_ - start_));
    setRange(at - qint64(f * double(span)), at - qint64(f * double(span)) + span);
    event->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    dragFrom_ = event->position().toPoint();
    dragStart_ = start_;
    dragged_ = false;
}

void TimelineWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (!dragFrom_)
        return;
    const int dx = event->position().toPoint().x() - dragFrom_->x();
    if (std::abs(dx) < 4 && !dragged_)
        return;
    dragged_ = true;
    const qint64 span = end_ - start_;
    const qint64 moved =
        qint64(double(dx) / double(std::max(1, lanes().chart.width())) * double(span));
    setRange(dragStart_ - moved, dragStart_ - moved + span);
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !dragFrom_)
        return;
    const QPoint at = event->position().toPoint();
    dragFrom_.reset();
    if (dragged_)
        return;
    if (const QString key = failoverAt(at); !key.isEmpty()) {
        setSelectedFailover(key);
        emit failoverClicked(key);
        return;
    }
    emit timeClicked(msAt(at.x()));
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        fitAll();
}

} // namespace dmr::console
