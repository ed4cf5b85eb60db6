#include "export.h"

#include "topologyitems.h"
#include "topologyscene.h"

#include "dmr/render.h"

#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>
#include <QStyleOptionGraphicsItem>
#include <QSvgGenerator>

#include <cmath>

namespace dmr::console {

namespace {

bool writeWhole(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = TopologyScene::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = TopologyScene::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

constexpr qreal kCaptionHeight = 30;

// The caption bar, the scene below it, and the legend in the scene's bottom right corner.
void render(QGraphicsScene &scene, QPainter &painter, const QRectF &target, const QRectF &source)
{
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                           QPainter::SmoothPixmapTransform);
    const QString caption = exportCaption(scene);
    QRectF area = target;
    if (!caption.isEmpty()) {
        const QRectF bar(target.left(), target.top(), target.width(), kCaptionHeight);
        const QPalette palette = scene.palette();
        const QColor text = palette.color(QPalette::Active, QPalette::Text);
        const QColor base = palette.color(QPalette::Active, QPalette::Base);
        painter.fillRect(bar, QColor::fromRgbF(float(base.redF() * 0.92 + text.redF() * 0.08),
                                               float(base.greenF() * 0.92 + text.greenF() * 0.08),
                                               float(base.blueF() * 0.92 + text.blueF() * 0.08)));
        QFont font = painter.font();
        font.setPointSizeF(9.5);
        font.setBold(true);
        painter.setFont(font);
        painter.setPen(text);
        painter.drawText(bar.adjusted(10, 0, -10, 0), Qt::AlignLeft | Qt::AlignVCenter, caption);
        area.setTop(bar.bottom());
    }
    scene.render(&painter, area, source, Qt::KeepAspectRatio);
    auto *topology = qobject_cast<TopologyScene *>(&scene);
    auto *legend = topology && topology->legendVisible()
                       ? dynamic_cast<LegendItem *>(topology->legendItem())
                       : nullptr;
    if (legend) {
        const QSizeF size = legend->size();
        painter.save();
        painter.translate(area.right() - size.width() - 12, area.bottom() - size.height() - 12);
        QStyleOptionGraphicsItem option;
        legend->paint(&painter, &option, nullptr);
        painter.restore();
    }
}

} // namespace

QRectF exportRect(QGraphicsScene &scene)
{
    QRectF rect;
    if (auto *topology = qobject_cast<TopologyScene *>(&scene))
        rect = topology->contentRect();
    if (rect.isEmpty())
        rect = scene.itemsBoundingRect();
    if (rect.isEmpty())
        rect = QRectF(0, 0, 100, 100);
    if (auto *topology = qobject_cast<TopologyScene *>(&scene)) {
        // Room for the legend in the corner, beside the topology rather than over it.
        if (auto *legend = dynamic_cast<LegendItem *>(topology->legendItem());
            legend && topology->legendVisible())
            rect.setRight(rect.right() + legend->size().width() + 24);
    }
    return rect.adjusted(-24, -24, 24, 24);
}

QString exportCaption(QGraphicsScene &scene)
{
    auto *topology = qobject_cast<TopologyScene *>(&scene);
    if (!topology || !topology->hasSnapshot())
        return {};
    const auto &s = topology->snapshot();
    QStringList parts;
    parts << TopologyScene::tr("DMR cluster %1").arg(QString::fromStdString(s.cluster));
    parts << QDateTime::fromMSecsSinceEpoch(s.timeMs, Qt::UTC)
                 .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    QString view = topology->viewId().isEmpty()
                       ? QString()
                       : TopologyScene::tr("view %1").arg(topology->viewId());
    const QString shown =
        topology->viewLabel().isEmpty() ? TopologyScene::tr("live") : topology->viewLabel();
    parts << (view.isEmpty() ? shown : TopologyScene::tr("%1 (%2)").arg(view, shown));
    const auto &sl = s.plan.election.systemLeader;
    parts << (sl ? TopologyScene::tr("system leader %1").arg(QString::fromStdString(*sl))
                 : TopologyScene::tr("no system leader"));
    return parts.join(QStringLiteral(" · "));
}

bool exportPng(QGraphicsScene &scene, const QString &path, QString *error, qreal devicePixelRatio)
{
    const QRectF source = exportRect(scene);
    const qreal caption = exportCaption(scene).isEmpty() ? 0 : kCaptionHeight;
    const QSizeF whole(source.width(), source.height() + caption);
    qreal dpr = std::max<qreal>(devicePixelRatio, 0.05);
    const qreal pixels = whole.width() * whole.height() * dpr * dpr;
    if (pixels > static_cast<qreal>(kMaxExportPixels))
        dpr *= std::sqrt(static_cast<qreal>(kMaxExportPixels) / pixels);
    const QSize size(static_cast<int>(std::ceil(whole.width() * dpr)),
                     static_cast<int>(std::ceil(whole.height() * dpr)));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) {
        if (error)
            *error = TopologyScene::tr("cannot allocate a %1×%2 image")
                         .arg(size.width())
                         .arg(size.height());
        return false;
    }
    image.setDevicePixelRatio(dpr);
    image.fill(scene.backgroundBrush().color());
    {
        QPainter painter(&image);
        render(scene, painter, QRectF(QPointF(), whole), source);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    writer.setText(QStringLiteral("Software"), QStringLiteral("dmr-console"));
    if (const QString text = exportCaption(scene); !text.isEmpty())
        writer.setText(QStringLiteral("Description"), text);
    if (!writer.write(image)) {
        if (error)
            *error =
                TopologyScene::tr("cannot encode %1 as PNG: %2").arg(path, writer.errorString());
        return false;
    }
    return writeWhole(path, bytes, error);
}

bool exportSvg(QGraphicsScene &scene, const QString &path, QString *error, const QString &title,
               const QString &description)
{
    const QRectF source = exportRect(scene);
    const QString caption = exportCaption(scene);
    const QSizeF whole(source.width(), source.height() + (caption.isEmpty() ? 0 : kCaptionHeight));
    const QString desc = description.isEmpty() ? caption : description;
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setTitle(title.isEmpty() ? TopologyScene::tr("DMR topology") : title);
    generator.setDescription(desc);
    generator.setResolution(96);
    generator.setSize(whole.toSize());
    generator.setViewBox(QRectF(QPointF(), whole));
    {
        QPainter painter;
        if (!painter.begin(&generator)) {
            if (error)
                *error = TopologyScene::tr("cannot render %1 as SVG").arg(path);
            return false;
        }
        painter.fillRect(QRectF(QPointF(), whole), scene.backgroundBrush());
        render(scene, painter, QRectF(QPointF(), whole), source);
    }
    return writeWhole(path, bytes, error);
}

bool exportSnapshot(const dmr::Snapshot &snapshot, const QString &path, SnapshotFormat format,
                    QString *error)
{
    const std::string text =
        format == SnapshotFormat::Json ? dmr::toJson(snapshot) : dmr::renderDot(snapshot);
    return writeWhole(path, QByteArray::fromStdString(text), error);
}

std::optional<SnapshotFormat> snapshotFormatForPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("json"))
        return SnapshotFormat::Json;
    if (suffix == QLatin1String("dot") || suffix == QLatin1String("gv"))
        return SnapshotFormat::Dot;
    return std::nullopt;
}

} // namespace dmr::console
