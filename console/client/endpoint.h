#pragma once
// An agent's control address: "HOST:PORT", "[V6]:PORT", a bare HOST or a bare IPv6 address
// (port 7500), as dmrctl's --connect takes it and as get-cluster lists agents[].control.

#include <QMetaType>
#include <QString>
#include <QStringView>

#include <optional>

namespace dmr::console {

inline constexpr quint16 kDefaultControlPort = 7500;

struct Endpoint
{
    QString host;
    quint16 port = kDefaultControlPort;

    // "127.0.0.1:7500", "[::1]:7500": what parse() reads back.
    QString toString() const;
    bool isValid() const { return !host.isEmpty() && port != 0; }
    bool operator==(const Endpoint &) const = default;

    // nullopt when the text is not an address; *error then says why, as one line.
    static std::optional<Endpoint> parse(QStringView text, QString *error = nullptr);
};

} // namespace dmr::console

Q_DECLARE_METATYPE(dmr::console::Endpoint)
