#include "endpoint.h"

#include "tr.h"

namespace dmr::console {

QString Endpoint::toString() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

std::optional<Endpoint> Endpoint::parse(QStringView text, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<Endpoint> {
        if (error)
            *error = Tr::tr("invalid agent address \"%1\": %2").arg(text.toString(), why);
        return std::nullopt;
    };
    const QStringView t = text.trimmed();
    if (t.isEmpty())
        return fail(Tr::tr("empty"));

    QStringView host = t;
    QStringView port;
    if (t.startsWith(u'[')) {
        const auto close = t.indexOf(u']');
        if (close < 0)
            return fail(Tr::tr("missing \"]\" after the IPv6 address"));
        host = t.mid(1, close - 1);
        const QStringView rest = t.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':'))
                return fail(Tr::tr("expected \":PORT\" after \"]\""));
            port = rest.mid(1);
            if (port.isEmpty())
                return fail(Tr::tr("empty port"));
        }
    } else if (t.count(u':') == 1) {
        const auto colon = t.indexOf(u':');
        host = t.left(colon);
        port = t.mid(colon + 1);
        if (port.isEmpty())
            return fail(Tr::tr("empty port"));
    } // else: a bare host name, IPv4 or IPv6 address, on the default port
    if (host.isEmpty())
        return fail(Tr::tr("empty host"));

    Endpoint e;
    e.host = host.toString();
    if (!port.isEmpty()) {
        bool ok = false;
        const uint p = port.toUInt(&ok);
        if (!ok || p == 0 || p > 65535)
            return fail(Tr::tr("port \"%1\" is not a number from 1 to 65535").arg(port.toString()));
        e.port = static_cast<quint16>(p);
    }
    return e;
}

} // namespace dmr::console
