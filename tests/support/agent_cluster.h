#pragma once
// A cluster of real dmr-agent processes on 127.0.0.1 for tests and benchmarks: start them in a
// join order (each waits until it is in the view), kill -9, SIGSTOP/SIGCONT, restart, and ask
// any of them anything over the control protocol (with dmrctl's blocking client, dmr_ctl_client).
// Every wait is a condition with a deadline.

#include "client.h"
#include "dmr/replies.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <optional>

class AgentCluster
{
public:
    // What tests read off a get-state: its tunnels as sorted "root-leaf", the networks it leads.
    static QStringList tunnelsOf(const QJsonObject &state);
    static QStringList leadsOf(const QJsonObject &state);
    // The agent's relay (get-state's "relay"), and whether it holds `expected` tunnels, all up.
    QJsonObject relayOf(const QString &id) const;
    bool relayTunnelsUp(const QString &id, int expected) const;
    // Pruning: whether the agent's listener table of `network` holds `group`.
    bool relayListens(const QString &id, const QString &network, const QString &group) const;
    // Every agent knows `group` is listened to on each of its networks, and each of its tunnels'
    // peers wants it (or wants everything): a datagram of it reaches every network. why: what
    // is missing.
    bool relayListening(const QStringList &ids, const QString &group, QString *why = nullptr) const;
    // Every agent's listener tables are complete (a general query's response time passed) and
    // every tunnel's peer said what it wants: from now on the relays prune, none floods.
    bool relayPruning(const QStringList &ids, QString *why = nullptr) const;
    // An agent's /metrics page (metrics.listen on 127.0.0.1:port): the whole HTTP response,
    // empty when nothing answers within 5 s.
    static QByteArray metricsAt(int port);
    // The flags that turn an agent's relay on in loopback mode for the cluster named `cluster`
    // (its segments are that name's), with its tunnel port at membershipPort + 2000; the caller
    // adds its own relay flags (channels, keepalive, ...).
    QStringList loopbackRelayArgs(const QString &id, const std::string &cluster) const;
    // Every listed agent answers, holds the same view, and names this system leader.
    bool agree(const QStringList &ids, const QString &systemLeader) const;
    // The time a node's data plane did something of this kind matching `text` (a substring),
    // or -1.
    static qint64 actionTime(const QJsonObject &state, const QString &kind, const QString &text);
    // Fig. 5 after node 6 (leader of B) was drained: the handover was make-before-break (4 routed
    // B and updated its tunnel before 6 and the system leader 2 closed their part) and did not
    // fall back to its timeout. Empty when so, else what was not.
    QString drainOfSixMadeBeforeBreak() const;

    struct Node
    {
        QString id;
        QStringList interfaces; // "eth0=10.0.1.1/24"; empty: the OS's (--node.interfaces left out)
        int index = 0;          // ports: base + index (membership), base + 1000 + index (control)
        std::unique_ptr<QProcess> process;
        QStringList extraArgs;
        QString netns;       // run under `ip netns exec NETNS`; empty: this namespace
        QString host;        // membership listen address; empty: 127.0.0.1
        QStringList peerIds; // its --cluster.peers; empty: every node
        QString agentPath;   // the dmr-agent binary it runs; empty: the cluster's
    };

    static QString defaultKey() { return QStringLiteral("test-cluster-key-0123456789"); }
    static QString token() { return QStringLiteral("test-operator-token-0123"); }

    // basePort: pick a free range; pass 0 for one chosen from the process id.
    AgentCluster(QString agentPath, int basePort = 0);
    ~AgentCluster();

    void addNode(const QString &id, const QStringList &interfaces, QStringList extraArgs = {});
    // Fig. 5 (resources/topologies/fig5.json) in its join order 2 6 4 1 3 5.
    void addFig5();
    // Runs this node's agent in a network namespace (`ip netns exec NETNS dmr-agent ...`), its
    // membership port on membershipHost (an address of that namespace, which peers() then lists
    // for it). The control port stays on 127.0.0.1 inside the namespace: ask() reaches it through
    // a socket opened there.
    void placeInNetns(const QString &id, const QString &netns, const QString &membershipHost);
    // This node's --cluster.peers lists only these nodes (the seeds it joins through and knocks
    // on after a partition) instead of every node.
    void setPeersOf(const QString &id, const QStringList &peerIds);
    // The dmr-agent binary this node's agent runs from its next start on (another version of it,
    // for a rolling upgrade); empty: the cluster's.
    void setAgentPath(const QString &id, const QString &path) { nodes_.at(id).agentPath = path; }
    // More command line arguments for this node's agent (after the cluster's own, so they win).
    void appendArgs(const QString &id, const QStringList &args);

    // Every agent started from now on uses etcd at these endpoints ("127.0.0.1:2379") instead of
    // the embedded protocol, with this lease TTL.
    void useEtcd(const QStringList &endpoints, int leaseTtlS = 2);
    bool usesEtcd() const { return !etcdEndpoints_.isEmpty(); }
    // The agents' --cluster.name (default "test"); clusters sharing one etcd differ by it.
    void setClusterName(const QString &name) { clusterName_ = name; }

    // ask() (and with it start()'s wait) speaks TLS to the control ports, checking them against
    // this CA and offering this client certificate (PEM files; cert and key may be empty). The
    // agents' TLS flags are the caller's (appendArgs).
    struct Tls
    {
        QString caFile;
        QString certFile;
        QString keyFile;
    };
    void useTls(const Tls &tls) { tls_ = tls; }

    bool start(const QString &id, int joinTimeoutMs = 20000);
    bool startAll(int joinTimeoutMs = 20000);
    void kill9(const QString &id);
    void sigstop(const QString &id);
    void sigcont(const QString &id);
    void terminate(const QString &id);
    // The agent's process id, or 0 when it is not running (for /proc and for signals sent by
    // the caller at a precisely timed moment).
    qint64 pid(const QString &id) const;
    // After the caller killed it itself: wait until the process is gone (and reaped).
    bool waitForExit(const QString &id, int timeoutMs = 5000);

    QStringList ids() const { return order_; }
    int controlPort(const QString &id) const;
    int membershipPort(const QString &id) const;
    QString peers() const;
    QString peersOf(const QString &id) const; // what this node's --cluster.peers gets
    QString netnsOf(const QString &id) const { return nodes_.at(id).netns; }
    QString logOf(const QString &id) const;

    // hello (with the operator token unless asOperator is false), then the request: the reply
    // object, or an empty object when the agent did not answer in time.
    QJsonObject ask(const QString &id, const QJsonObject &request, bool asOperator = true,
                    int timeoutMs = 3000) const;
    // The same on a control port of the host's 127.0.0.1 (a dmr-lab's proxy), in plain TCP,
    // with `token` when it is not empty.
    static QJsonObject askPort(int port, const QJsonObject &request, const QString &token,
                               int timeoutMs = 5000);
    QJsonObject state(const QString &id) const; // get-state's result, or {}
    // The same, typed (dmr/replies.h); nullopt when the agent does not answer or its reply does
    // not read (which is logged).
    std::optional<dmr::reply::State> typedState(const QString &id) const;
    // Its relay (and node, leads), typed; nullopt likewise.
    std::optional<dmr::reply::RelayState> typedRelay(const QString &id) const;
    QJsonObject cluster(const QString &id) const;

    static bool waitFor(const std::function<bool()> &condition, int timeoutMs);
    // A new socket (SOCK_STREAM, SOCK_DGRAM) of the named network namespace (/run/netns/NAME),
    // made by this thread stepping in and back out; -1 when it cannot be made.
    static int socketInNetns(const QString &netns, int type);

private:
    // The hello (with `token` unless empty), then the request, on an open connection.
    static QJsonObject helloThen(dmrctl::Connection &connection, const QJsonObject &request,
                                 const QString &token, dmrctl::Clock::time_point deadline);
    QString membershipAddress(const QString &id) const;

    Tls tls_;
    QStringList etcdEndpoints_;
    int etcdLeaseTtlS_ = 2;
    QString clusterName_ = QStringLiteral("test");
    QString agentPath_;
    int basePort_;
    QString logDir_;
    QStringList order_;
    std::map<QString, Node> nodes_;
};
