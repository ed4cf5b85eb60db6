#include "export.h"

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

void render(QGraphicsScene &scene, QPainter &painter, const QRectF &target, const QRectF &source)
{
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                           QPainter::SmoothPixmapTransform);
    scene.render(&painter, target, source, Qt::KeepAspectRatio);
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
    return rect.adjusted(-24, -24, 24, 24);
}

bool exportPng(QGraphicsScene &scene, const QString &path, QString *error, qreal devicePixelRatio)
{
    const QRectF source = exportRect(scene);
    qreal dpr = std::max<qreal>(devicePixelRatio, 0.05);
    const qreal pixels = source.width() * source.height() * dpr * dpr;
    if (pixels > static_cast<qreal>(kMaxExportPixels))
        dpr *= std::sqrt(static_cast<qreal>(kMaxExportPixels) / pixels);
    const QSize size(static_cast<int>(std::ceil(source.width() * dpr)),
                     static_cast<int>(std::ceil(source.height() * dpr)));
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
        render(scene, painter, QRectF(QPointF(), source.size()), source);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    writer.setText(QStringLiteral("Software"), QStringLiteral("dmr-console"));
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
    QString desc = description;
    if (desc.isEmpty()) {
        if (auto *topology = qobject_cast<TopologyScene *>(&scene);
            topology && topology->hasSnapshot()) {
            const auto &s = topology->snapshot();
            desc = TopologyScene::tr("Cluster %1 at %2")
                       .arg(QString::fromStdString(s.cluster),
                            QDateTime::fromMSecsSinceEpoch(s.timeMs).toUTC().toString(
                                Qt::ISODateWithMs));
        }
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setTitle(title.isEmpty() ? TopologyScene::tr("DMR topology") : title);
    generator.setDescription(desc);
    generator.setResolution(96);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(), source.size()));
    {
        QPainter painter;
        if (!painter.begin(&generator)) {
            if (error)
                *error = TopologyScene::tr("cannot render %1 as SVG").arg(path);
            return false;
        }
        painter.fillRect(QRectF(QPointF(), source.size()), scene.backgroundBrush());
        render(scene, painter, QRectF(QPointF(), source.size()), source);
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
