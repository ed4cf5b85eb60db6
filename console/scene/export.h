#pragma once
// Saving the topology view: the scene as PNG (rendered at twice the device pixel ratio) or SVG,
// and the snapshot it shows as JSON (dmr::toJson, which dmr::parseSnapshot reads back) or as
// GraphViz DOT (dmr::renderDot). Files are written whole or not at all (QSaveFile); on failure
// the functions return false and say why in *error, as one line.
//
// A picture carries a caption above the topology (the cluster, the snapshot's time in UTC, the
// view id and what is shown, the system leader) and, when the scene's legend is on, the legend
// in its bottom right corner.

#include "dmr/snapshot.h"

#include <QRectF>
#include <QString>

#include <optional>

class QGraphicsScene;

namespace dmr::console {

enum class SnapshotFormat { Json, Dot };

// The area exported: the TopologyScene's content, or any scene's items' bounds, with a margin.
QRectF exportRect(QGraphicsScene &scene);
// The caption of a TopologyScene's picture: "DMR cluster fig5 · 2026-12-04 20:55:16 UTC ·
// view 2.0 (live) · system leader 4"; empty for another scene.
QString exportCaption(QGraphicsScene &scene);

// Renders at devicePixelRatio (the image is that many times the scene's size), shrunk when it
// would exceed kMaxExportPixels.
bool exportPng(QGraphicsScene &scene, const QString &path, QString *error,
               qreal devicePixelRatio = 2.0);
inline constexpr qint64 kMaxExportPixels = 120'000'000;

// The title and description default to "DMR topology" and the scene's cluster and time.
bool exportSvg(QGraphicsScene &scene, const QString &path, QString *error,
               const QString &title = {}, const QString &description = {});

bool exportSnapshot(const dmr::Snapshot &snapshot, const QString &path, SnapshotFormat format,
                    QString *error);

// By the file's suffix: .json, .dot/.gv; nullopt otherwise.
std::optional<SnapshotFormat> snapshotFormatForPath(const QString &path);

} // namespace dmr::console
