#pragma once
// A topology built in network namespaces (backend/lab/netns_lab.h) with real dmr-agent processes
// in them (OS interfaces, membership on each node's first address, so that traffic between
// networks crosses the unicast-only router), plus dmr-mcast senders and receivers: what the
// namespace end-to-end test and the namespace benchmark share. Root only; whyUnavailable() says
// why not. The destructor kills every process it started and removes the namespaces.

#include "agent_cluster.h"

#include "netns_lab.h"

#include <QProcess>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <vector>

// One numbered datagram as a receiver logged it.
struct Arrival
{
    long seq = 0;
    double tMs = 0; // CLOCK_REALTIME at receipt
    QString iface;
    QString source; // the address it came from: the sender, or the relay that emitted it
};

// What one receiver got of a stream of `count` datagrams, and around an event at eventMs.
struct Delivery
{
    long received = 0;   // datagrams logged, duplicates included
    long unique = 0;     // distinct sequence numbers in 1..count
    long duplicates = 0; // received - unique (out-of-range numbers count as foreign)
    long lost = 0;       // count - unique
    long foreign = 0;    // sequence numbers outside 1..count
    // The longest silence from the last arrival before eventMs on, up to endMs: between two
    // arrivals, or from the last one to endMs (recovered is then false: nothing came after it).
    // Without an event, the longest gap of the whole stream.
    double outageMs = 0;
    bool recovered = true;
    bool aroundEvent = false; // outageMs is the silence around an event, else the longest gap
    long lostAfterEvent = 0;  // missing numbers after the last one received before eventMs

    QString text() const; // "received 2000, lost 0, duplicates 0, outage 12.3 ms"
};

// Pure: for tests of the analysis and for the figures.
Delivery analyse(const std::vector<Arrival> &arrivals, long count, std::optional<double> eventMs,
                 double endMs);

class NetnsCluster
{
public:
    // Why this machine cannot run namespace tests (not root, no `ip`, namespaces refused), or
    // empty.
    static QString whyUnavailable();
    // Why this kernel cannot route multicast (MRT_INIT refused: built without CONFIG_IP_MROUTE,
    // or no CAP_NET_ADMIN), or empty. What needs the kernel's multicast routing (the static
    // smcroute baseline) skips with this reason.
    static QString whyNoMulticastRouting();
    // Why this machine cannot build an IPv6 lab (no /proc/sys/net/ipv6: the kernel has no IPv6,
    // or it is disabled with disable_ipv6=1), or empty.
    static QString whyNoIpv6();
    // The relay's flags (os mode) when this dmr-agent has a relay; empty, and why in `why`, when
    // it has none.
    static QStringList relayArgs(const QString &agentPath, QString *why);

    // lab: 1-12 of [a-z0-9]; topologyPath: a topology file; agentArgs: extra flags for every
    // agent (the relay's, say).
    NetnsCluster(QString lab, QString topologyPath, QString agentPath, QString mcastPath,
                 int basePort, QStringList agentArgs = {});
    ~NetnsCluster();
    NetnsCluster(const NetnsCluster &) = delete;
    NetnsCluster &operator=(const NetnsCluster &) = delete;

    // Removes what an earlier run of this lab left, builds the namespaces and declares the
    // agents (not started). Empty on success, else what failed.
    QString build();
    QStringList joinOrder() const { return joinOrder_; }
    QString netnsOf(const QString &id) const;
    QString addressOf(const QString &id) const; // first interface's address (10.0.1.2, fd00:1::2)
    const dmr::lab::NetnsLabPlan &plan() const { return *plan_; }
    AgentCluster &agents() { return *agents_; }

    // Starts the agents in the join order, each waiting until it is in the view.
    QString startAgents(int joinTimeoutMs = 30000);

    // Receivers: `dmr-mcast recv` in node id's namespace, logging to a file (joined on iface, or
    // where the kernel routes the group). Waits (up to timeoutMs) for its "joined" line. The
    // group is IPv4 (239.1.0.7) or IPv6 (ff15::1:1).
    // `stream`: a second receiver on the node (another group at the same time), named by
    // id + stream in arrivals() and highestSeq().
    QString startReceiver(const QString &id, const QString &group, int port, int timeoutMs = 20000,
                          const QString &iface = {}, const QString &stream = {});
    void stopReceivers(); // SIGTERM, then wait
    std::vector<Arrival> arrivals(const QString &id) const;
    QStringList receiverIds() const;
    // The highest sequence number this receiver has logged so far (0: none).
    long highestSeq(const QString &id) const;

    // `dmr-mcast send` in node id's namespace; waitSender() waits for it to end (its JSON line).
    // `stream`: another sender at the same time; waitSender() waits for every one.
    QString startSender(const QString &id, const QString &group, int port, double rate, long count,
                        int ttl = 1, const QString &iface = {}, const QString &stream = {});
    QString waitSender(int timeoutMs);
    void stopSender();
    // The last datagram a receiver logged (read from the end of its log: cheap on long runs).
    std::optional<Arrival> lastArrival(const QString &id) const;

    // A command in a node's namespace (or any namespace of the lab), output merged: empty on
    // success, else the command and its output.
    static QString runIn(const QString &netns, const QStringList &command,
                         QString *output = nullptr, int timeoutMs = 20000);

    QString logDir() const { return logDir_; }

private:
    struct Receiver
    {
        std::unique_ptr<QProcess> process;
        QString logPath;
    };

    QString lab_;
    QString topologyPath_;
    QString agentPath_;
    QString mcastPath_;
    int basePort_;
    QStringList agentArgs_;
    QString logDir_;
    QStringList joinOrder_;
    std::optional<dmr::lab::NetnsLabPlan> plan_;
    std::unique_ptr<AgentCluster> agents_;
    std::map<QString, Receiver> receivers_;
    std::unique_ptr<QProcess> sender_;
    std::map<QString, std::unique_ptr<QProcess>> streamSenders_;
    bool built_ = false;
};
