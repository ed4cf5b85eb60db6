#pragma once
// How the models show values to people: times, node states, drill actions. Translated.

#include "dmr/cluster.h"

#include <QString>

namespace dmr::console {

// "14:03:27.512", local time: for tables.
QString formatTime(qint64 msSinceEpoch);
// "2026-11-27 14:03:27.512", local time: for tooltips and exports.
QString formatDateTime(qint64 msSinceEpoch);
// "up", "down", "failed", "drained".
QString stateText(dmr::NodeState state);
// "kill", "fail adapter", "drain", "restore"; an unknown action as it came.
QString drillActionText(const QString &action);
// "2 → 6": one end of a tunnel, what node `from` sends into it towards `to`.
QString tunnelEndText(const QString &from, const QString &to);

} // namespace dmr::console
