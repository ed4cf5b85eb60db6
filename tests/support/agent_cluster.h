#pragma once
// A cluster of real dmr-agent processes on 127.0.0.1 for tests and benchmarks: start them in a
// join order (each waits until it is in the view), kill -9, SIGSTOP/SIGCONT, restart, and ask
// any of them anything over the control protocol. Every wait is a condition with a deadline.

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>

class AgentCluster
{
public:
    struct Node
    {
        QString id;
        QStringList interfaces; // "eth0=10.0.1.1/24"
        int index = 0;          // ports: base + index (membership), base + 1000 + index (control)
        std::unique_ptr<QProcess> process;
        QStringList extraArgs;
    };

    static QString defaultKey() { return QStringLiteral("test-cluster-key-0123456789"); }
    static QString token() { return QStringLiteral("test-operator-token-0123"); }

    // basePort: pick a free range; pass 0 for one chosen from the process id.
    AgentCluster(QString agentPath, int basePort = 0);
    ~AgentCluster();

    void addNode(const QString &id, const QStringList &interfaces, QStringList extraArgs = {});
    // The seed's Fig. 5 (resources/topologies/fig5.json) in its join order 2 6 4 1 3 5.
    void addFig5();

    bool start(const QString &id, int joinTimeoutMs = 20000);
    bool startAll(int joinTimeoutMs = 20000);
    void kill9(const QString &id);
    void sigstop(const QString &id);
    void sigcont(const QString &id);
    void terminate(const QString &id);

    QStringList ids() const { return order_; }
    int controlPort(const QString &id) const;
    int membershipPort(const QString &id) const;
    QString peers() const;
    QString logOf(const QString &id) const;

    // hello (with the operator token unless asOperator is false), then the request: the reply
    // object, or an empty object when the agent did not answer in time.
    QJsonObject ask(const QString &id, const QJsonObject &request, bool asOperator = true,
                    int timeoutMs = 3000) const;
    QJsonObject state(const QString &id) const; // get-state's result, or {}
    QJsonObject cluster(const QString &id) const;

    static bool waitFor(const std::function<bool()> &condition, int timeoutMs);

private:
    QString agentPath_;
    int basePort_;
    QString logDir_;
    QStringList order_;
    std::map<QString, Node> nodes_;
};
