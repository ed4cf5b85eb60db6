#include "whatif.h"

namespace dmr::console {

WhatIf whatIf(const dmr::Snapshot &live, const QString &action, const QString &node,
              const QString &iface)
{
    WhatIf out;
    dmr::ClusterModel model = dmr::modelOf(live);
    const std::string id = node.toStdString();
    dmr::Status status = dmr::okStatus();
    if (action == u"kill") {
        status = model.fail(id);
    } else if (action == u"drain") {
        status = model.drain(id);
    } else if (action == u"fail-adapter") {
        status = model.failAdapter(id, iface.toStdString());
    } else if (action == u"restore") {
        if (!iface.isEmpty())
            status = model.restoreAdapter(id, iface.toStdString());
        else if (model.state(id) != dmr::NodeState::Up)
            status = model.join(id);
    } else {
        out.error = QStringLiteral("unknown drill action \"%1\"").arg(action);
        return out;
    }
    if (!status) {
        out.error = QString::fromStdString(status.error().message);
        return out;
    }
    out.after = dmr::makeSnapshot(model, live.cluster, live.timeMs);
    // The snapshot holds the nodes the live one knows (the model has them all).
    if (action != u"restore")
        out.failing << node;
    return out;
}

} // namespace dmr::console
