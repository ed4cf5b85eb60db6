#include "format.h"

#include "client/tr.h"

#include <QDateTime>

namespace dmr::console {

QString formatTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString formatDateTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString stateText(dmr::NodeState state)
{
    switch (state) {
    case dmr::NodeState::Up:
        return Tr::tr("up");
    case dmr::NodeState::Down:
        return Tr::tr("down");
    case dmr::NodeState::Failed:
        return Tr::tr("failed");
    case dmr::NodeState::Drained:
        return Tr::tr("drained");
    }
    return {};
}

QString drillActionText(const QString &action)
{
    if (action == u"kill")
        return Tr::tr("kill");
    if (action == u"fail-adapter")
        return Tr::tr("fail adapter");
    if (action == u"drain")
        return Tr::tr("drain");
    if (action == u"restore")
        return Tr::tr("restore");
    return action;
}

QString tunnelEndText(const QString &from, const QString &to)
{
    return Tr::tr("%1 → %2").arg(from, to);
}

} // namespace dmr::console
