#pragma once
// What a drill would leave: the live snapshot's cluster (dmr::modelOf) with the drill applied
// by the same model and planner dmrctl plan uses (a kill fails the node, a drain drains it, a
// failed adapter leaves its network, a restore brings it back at the end of every list).

#include "dmr/snapshot.h"

#include <QString>
#include <QStringList>

namespace dmr::console {

struct WhatIf
{
    dmr::Snapshot after;
    QStringList failing; // the nodes the drill takes out (or whose adapter it takes)
    QString error;       // why it cannot be answered (an unknown node, a node already down)
};

WhatIf whatIf(const dmr::Snapshot &live, const QString &action, const QString &node,
              const QString &iface = {});

} // namespace dmr::console
