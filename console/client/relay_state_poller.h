#pragma once
// The relay state of the routing points: who listens on each network and what each tunnel end
// sends (get-state's "relay", backend/PROTOCOL.md). The console's main connection reaches one
// agent, whose get-state tells only its own networks and tunnel ends; a network is described by
// the node that routes and queries it. So every interval this asks each routing point's agent
// once, on a connection of its own that says hello, asks get-state, and closes: no agent gives
// up a client slot for long, and one that does not answer within the timeout is reported and
// asked again at the next round. At most one round in flight.

#include "agent_client.h"
#include "endpoint.h"
#include "records.h"

#include "dmr/protocol.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

class QTcpSocket;

namespace dmr::console {

class RelayStatePoller : public QObject
{
    Q_OBJECT

public:
    static constexpr int kIntervalMs = 2000;
    static constexpr int kTimeoutMs = 3000;

    explicit RelayStatePoller(QObject *parent = nullptr);
    ~RelayStatePoller() override;

    void setOperatorToken(const QString &token) { token_ = token; }
    void setTls(const TlsFiles &tls) { tls_ = tls; }
    void setTimeoutMs(int ms) { timeoutMs_ = ms > 0 ? ms : kTimeoutMs; }
    // Every this often while running; 0 stops the rounds.
    void setInterval(int ms);
    int interval() const { return intervalMs_; }

    // Node -> control endpoint of the nodes to ask: each network's routing point, from the
    // snapshot's routes and the agents' control addresses (a node without one is left out).
    static QMap<QString, Endpoint> routingPoints(const ClusterInfo &cluster);
    void setTargets(const QMap<QString, Endpoint> &targets);
    QMap<QString, Endpoint> targets() const { return targets_; }

public slots:
    void start(); // a round now, then every interval
    void stop();  // closes what is in flight
    void pollNow();

signals:
    void stateReceived(const QString &node, const dmr::console::RelayState &state);
    // The node could not be asked, or answered what cannot be read: one line for a person.
    void stateFailed(const QString &node, const QString &why);

private:
    struct Session;
    void open(const QString &node, const Endpoint &endpoint);
    void onLine(Session *session, const std::string &line);
    void finish(Session *session, const QString &failure);

    QMap<QString, Endpoint> targets_;
    QHash<QString, std::shared_ptr<Session>> sessions_; // by node, in flight
    QString token_;
    TlsFiles tls_;
    int intervalMs_ = kIntervalMs;
    int timeoutMs_ = kTimeoutMs;
    bool running_ = false;
    QTimer timer_;
};

} // namespace dmr::console
