// The monitoring files (resources/monitoring) against live agents: Fig. 5's six agents on
// loopback with the relay in loopback mode, scraped on /metrics once the system leader's tunnels
// are up and every node hears every node. Every metric that the Prometheus rules and the Grafana
// dashboard name must be a family the agents export, with at least one sample on some agent: a
// renamed or removed metric fails here, not in an operator's empty panel or silent alert. The
// dashboard is valid JSON with a query in every panel; `promtool check rules` accepts the rules
// when Debian's prometheus package is installed (skipped, saying so, when it is not).
//
// And the two metrics the alerts added: a node stalled past its failure timeout (SIGSTOP) is
// taken out of the view while it runs, which its dmr_membership_rejoins_total counts once it
// resumes and joins again (a false suspicion); with nodes 1 and 4 killed, network C
// (10.0.3.0/24, only theirs) has no leader, and dmr_network_has_leader says 0 for it.

#include "agent_cluster.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QtTest>

#include <map>
#include <set>

namespace {

constexpr int kDeadlineMs = 60000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The dmr_* names a file mentions.
std::set<QString> metricNames(const QByteArray &text)
{
    std::set<QString> out;
    static const QRegularExpression name(s("\\bdmr_[a-z0-9_]+\\b"));
    auto it = name.globalMatch(QString::fromUtf8(text));
    while (it.hasNext())
        out.insert(it.next().captured(0));
    return out;
}

QByteArray httpGet(int port, const QByteArray &path)
{
    QTcpSocket sock;
    sock.connectToHost(s("127.0.0.1"), static_cast<quint16>(port));
    if (!sock.waitForConnected(5000))
        return {};
    sock.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray all;
    while (sock.waitForReadyRead(5000))
        all += sock.readAll();
    return all;
}

struct Exported
{
    std::set<QString> families; // from "# TYPE name kind"
    std::set<QString> sampled;  // names with at least one sample line
};

void addScrape(const QByteArray &body, Exported &into)
{
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("# TYPE ")) {
            into.families.insert(QString::fromUtf8(line.split(' ').value(2)));
        } else if (line.startsWith("dmr_")) {
            const int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            into.sampled.insert(QString::fromUtf8(line.left(end)));
        }
    }
}

} // namespace

class TestMonitoring : public QObject
{
    Q_OBJECT

    const QString rulesPath_ = s(DMR_RESOURCES "/monitoring/dmr-alerts.yml");
    const QString dashboardPath_ = s(DMR_RESOURCES "/monitoring/dmr-dashboard.json");
    std::unique_ptr<AgentCluster> cluster_;
    std::map<QString, int> metricsPort_;

    QString metrics(const QString &id) const
    {
        return QString::fromUtf8(httpGet(metricsPort_.at(id), "/metrics"));
    }

private slots:
    void dashboardIsValid()
    {
        QJsonParseError error{};
        const auto doc = QJsonDocument::fromJson(readFile(dashboardPath_), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const auto panels = doc.object()[s("panels")].toArray();
        QVERIFY(panels.size() > 10);
        std::set<int> ids;
        for (const auto &p : panels) {
            const auto panel = p.toObject();
            const QString title = panel[s("title")].toString();
            QVERIFY2(ids.insert(panel[s("id")].toInt()).second, qPrintable(title));
            if (panel[s("type")].toString() == s("row"))
                continue;
            const auto targets = panel[s("targets")].toArray();
            QVERIFY2(!targets.isEmpty(), qPrintable(title + s(": no query")));
            for (const auto &t : targets)
                QVERIFY2(t.toObject()[s("expr")].toString().contains(s("dmr_")),
                         qPrintable(title + s(": a query without a DMR metric")));
        }
    }

    void promtoolAcceptsTheRules()
    {
        const QString promtool = QStandardPaths::findExecutable(s("promtool"));
        if (promtool.isEmpty())
            QSKIP("promtool is not installed (Debian: apt-get install prometheus); the rules' "
                  "metric names are still checked against live agents below");
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(promtool, {s("check"), s("rules"), rulesPath_});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAll());
        QVERIFY2(p.exitCode() == 0, qPrintable(out));
        QVERIFY2(out.contains(s("SUCCESS")), qPrintable(out));
    }

    void everyNamedMetricIsExported()
    {
        std::set<QString> named = metricNames(readFile(rulesPath_));
        const std::set<QString> fromDashboard = metricNames(readFile(dashboardPath_));
        named.insert(fromDashboard.begin(), fromDashboard.end());
        QVERIFY(named.size() > 20);

        // Fig. 5 with the relay: tunnels, reachability rows and every other family are live.
        cluster_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        AgentCluster &cluster = *cluster_;
        std::map<QString, int> &metricsPort = metricsPort_;
        cluster.addFig5();
        for (const auto &id : cluster.ids()) {
            // In the cluster's port range, above the 64 membership and control ports it checks.
            metricsPort[id] = cluster.controlPort(id) + 80;
            cluster.appendArgs(id, {s("--relay.enabled"), s("true"), s("--relay.mode"),
                                    s("loopback"), s("--relay.port"),
                                    QString::number(cluster.membershipPort(id) + 2000),
                                    s("--relay.probe_interval_ms"), s("250"), s("--cluster.name"),
                                    s("monitoring%1").arg(QCoreApplication::applicationPid()),
                                    s("--metrics.listen"), s("127.0.0.1:%1").arg(metricsPort[id])});
        }
        QVERIFY(cluster.startAll());
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         const QString m =
                             QString::fromUtf8(httpGet(metricsPort[s("2")], "/metrics"));
                         static const QRegularExpression up(
                             s("^dmr_relay_tunnel_up\\{node=\"2\",peer=\"[46]\"\\} 1$"),
                             QRegularExpression::MultilineOption);
                         static const QRegularExpression heard(
                             s("^dmr_reachability_heard\\{node=\"2\",from=\"[13456]\"\\} 1$"),
                             QRegularExpression::MultilineOption);
                         return m.count(up) == 2 && m.count(heard) == 5;
                     },
                     kDeadlineMs),
                 "node 2 never had its two tunnels and every node's probes");

        Exported exported;
        for (const auto &id : cluster.ids())
            addScrape(httpGet(metricsPort[id], "/metrics"), exported);
        QStringList missing;
        for (const QString &name : named) {
            if (exported.families.count(name) == 0)
                missing << name + s(" (not exported)");
            else if (exported.sampled.count(name) == 0)
                missing << name + s(" (exported without a sample)");
        }
        QVERIFY2(missing.isEmpty(), qPrintable(s("named in resources/monitoring but not live: ") +
                                               missing.join(s(", "))));
    }

    void falseSuspicionCountsARejoin()
    {
        QVERIFY(cluster_);
        QVERIFY(metrics(s("5")).contains(s("dmr_membership_rejoins_total{node=\"5\"} 0\n")));
        // Stopped for ten failure timeouts (heartbeats every 100 ms, 3 misses): the others take
        // it out; it resumes, finds itself out of the view, and joins again at the end.
        cluster_->sigstop(s("5"));
        QVERIFY2(
            AgentCluster::waitFor(
                [&] { return metrics(s("2")).contains(s("dmr_view_members{node=\"2\"} 5\n")); },
                kDeadlineMs),
            "node 5 stopped, yet still in node 2's view");
        cluster_->sigcont(s("5"));
        QVERIFY2(AgentCluster::waitFor(
                     [&] {
                         return metrics(s("5")).contains(
                             s("dmr_membership_rejoins_total{node=\"5\"} 1\n"));
                     },
                     kDeadlineMs),
                 qPrintable(metrics(s("5"))));
        QVERIFY(AgentCluster::waitFor([&] { return cluster_->agree(cluster_->ids(), s("2")); },
                                      kDeadlineMs));
        // Nobody else was taken out.
        for (const auto &id : cluster_->ids())
            if (id != s("5"))
                QVERIFY2(metrics(id).contains(
                             s("dmr_membership_rejoins_total{node=\"%1\"} 0\n").arg(id)),
                         qPrintable(id));
        QVERIFY(cluster_->logOf(s("5")).contains(s("taken out of the view while running")));
    }

    void networkWithoutLeader()
    {
        QVERIFY(cluster_);
        const QString c = s("dmr_network_has_leader{node=\"2\",network=\"10.0.3.0/24\"} ");
        QVERIFY2(metrics(s("2")).contains(c + s("1\n")), qPrintable(metrics(s("2"))));
        cluster_->kill9(s("1"));
        cluster_->kill9(s("4"));
        QVERIFY2(AgentCluster::waitFor([&] { return metrics(s("2")).contains(c + s("0\n")); },
                                       kDeadlineMs),
                 qPrintable(metrics(s("2"))));
        // A and B keep theirs.
        const QString now = metrics(s("2"));
        QVERIFY(now.contains(s("dmr_network_has_leader{node=\"2\",network=\"10.0.1.0/24\"} 1")));
        QVERIFY(now.contains(s("dmr_network_has_leader{node=\"2\",network=\"10.0.2.0/24\"} 1")));
    }

    void cleanupTestCase() { cluster_.reset(); }
};

QTEST_GUILESS_MAIN(TestMonitoring)
#include "tst_monitoring.moc"
