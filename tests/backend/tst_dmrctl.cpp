// dmrctl against two real dmr-agent processes on loopback: every command's output and exit
// status, the operator token, the fallback over --connect, and a kill drill forwarded by one
// agent to the other, which then becomes system leader and records the failover. Every wait is
// a condition polled until a deadline; nothing sleeps a fixed time.

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include "client.h"
#include "lab_secrets.h"

#include <memory>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

const char *const kDmrctl = DMRCTL_PATH;
const char *const kAgent = DMR_AGENT_PATH;
const char *const kKey = "0123456789abcdef-tst-dmrctl-key";
const char *const kToken = "operator-token-123456";
constexpr int kDeadlineMs = 20000;

// A loopback port free right now: bound to port 0, read back, closed. `keep` holds the sockets
// open until every port of a set is chosen, so the ports of one set differ.
int freePort(std::vector<int> &keep)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        ::close(fd);
        return 0;
    }
    keep.push_back(fd);
    return ntohs(a.sin_port);
}

void closeAll(std::vector<int> &fds)
{
    for (int fd : fds)
        ::close(fd);
    fds.clear();
}

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
    bool finished = false;
};

QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestDmrctl : public QObject
{
    Q_OBJECT

    struct Agent
    {
        QString id;
        int membershipPort = 0;
        int controlPort = 0;
        int relayPort = 0; // UDP: the relay's tunnel port (loopback mode)
        std::unique_ptr<QProcess> process;
        QString control() const { return QStringLiteral("127.0.0.1:%1").arg(controlPort); }
    };
    std::vector<Agent> agents_;

    static QProcessEnvironment environment()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DMR_TOKEN")); // the tests say when a token is sent
        return env;
    }

    static Run dmrctl(const QStringList &args, int timeoutMs = 15000)
    {
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QString::fromUtf8(kDmrctl), args);
        Run r;
        if (!p.waitForStarted(timeoutMs))
            return r;
        r.finished = p.waitForFinished(timeoutMs);
        if (!r.finished) {
            p.kill();
            p.waitForFinished(5000);
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // get-state's result from agent i, or {} when it does not answer.
    QJsonObject state(std::size_t i) const
    {
        const Run r =
            dmrctl({"--connect", agents_[i].control(), "--timeout-ms", "2000", "status", "--json"});
        return r.exitCode == 0 ? parseObject(r.out) : QJsonObject();
    }

    // Both agents answer, agree on a system leader, and each sees both nodes up.
    bool settled() const
    {
        QString leader;
        for (std::size_t i = 0; i < agents_.size(); ++i) {
            const QJsonObject s = state(i);
            const QString sl = s.value("system_leader").toString();
            if (sl.isEmpty() || (!leader.isEmpty() && sl != leader))
                return false;
            leader = sl;
            const Run c = dmrctl({"--connect", agents_[i].control(), "cluster", "--json"});
            if (c.exitCode != 0)
                return false;
            const QJsonArray nodes =
                parseObject(c.out).value("snapshot").toObject().value("nodes").toArray();
            int up = 0;
            for (const auto &n : nodes)
                up += n.toObject().value("state").toString() == "up" ? 1 : 0;
            if (up != static_cast<int>(agents_.size()))
                return false;
        }
        return true;
    }

    bool anyAgentExited() const
    {
        for (const auto &a : agents_)
            if (a.process->state() == QProcess::NotRunning)
                return true;
        return false;
    }

    QString agentLogs() const
    {
        QString logs;
        for (const auto &a : agents_)
            logs += QStringLiteral("--- agent %1:\n").arg(a.id) +
                    QString::fromUtf8(a.process->readAllStandardOutput());
        return logs;
    }

    void stopAgents()
    {
        for (auto &a : agents_) {
            if (a.process && a.process->state() != QProcess::NotRunning) {
                a.process->kill();
                a.process->waitForFinished(5000);
            }
        }
        agents_.clear();
    }

    // Starts agents "1" and "2" on fresh ports; true once they have formed one cluster.
    bool startAgents()
    {
        std::vector<int> held;
        agents_.clear();
        for (const char *id : {"1", "2"}) {
            Agent a;
            a.id = QString::fromLatin1(id);
            a.membershipPort = freePort(held);
            a.controlPort = freePort(held);
            a.relayPort = freePort(held);
            agents_.push_back(std::move(a));
        }
        closeAll(held);
        for (std::size_t i = 0; i < agents_.size(); ++i) {
            Agent &a = agents_[i];
            const Agent &peer = agents_[1 - i];
            a.process = std::make_unique<QProcess>();
            a.process->setProcessChannelMode(QProcess::MergedChannels);
            a.process->start(QString::fromUtf8(kAgent),
                             {"--node.id", a.id, "--node.interfaces",
                              QStringLiteral("eth0=10.0.%1.%1/24").arg(a.id), "--cluster.key",
                              QString::fromUtf8(kKey), "--cluster.peers",
                              QStringLiteral("127.0.0.1:%1").arg(peer.membershipPort),
                              "--membership.listen",
                              QStringLiteral("127.0.0.1:%1").arg(a.membershipPort),
                              "--control.listen", a.control(), "--control.operator_token",
                              QString::fromUtf8(kToken), "--metrics.listen", "",
                              // The relay in loopback mode, for tunnels and reachability.
                              "--cluster.name", QStringLiteral("dmrctl-%1").arg(::getpid()),
                              "--relay.enabled", "true", "--relay.mode", "loopback", "--relay.port",
                              QString::number(a.relayPort), "--relay.probe_interval_ms", "200"});
            if (!a.process->waitForStarted(5000))
                return false;
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < kDeadlineMs) {
            if (anyAgentExited())
                return false; // a port taken meanwhile, most likely
            if (settled())
                return true;
            QTest::qWait(100);
        }
        return false;
    }

    // The control address of a port nobody listens on.
    static QString deadAddress()
    {
        std::vector<int> held;
        const int port = freePort(held);
        closeAll(held);
        return QStringLiteral("127.0.0.1:%1").arg(port);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(QString::fromUtf8(kDmrctl)).isExecutable(), kDmrctl);
        QVERIFY2(QFileInfo(QString::fromUtf8(kAgent)).isExecutable(), kAgent);
        // Ports are picked free, but another process may take one before the agent binds it.
        for (int attempt = 1; attempt <= 3; ++attempt) {
            if (startAgents())
                return;
            const QString logs = agentLogs();
            stopAgents();
            if (attempt == 3)
                QFAIL(qPrintable("the two agents did not form a cluster within 20 s:\n" + logs));
        }
    }

    void cleanupTestCase() { stopAgents(); }

    // A client of the next release (it speaks kVersion and kVersion + 1) and this agent: the
    // hello in kVersion + 1 is refused with the list, the second in kVersion is served, and the
    // session says so. A client that speaks only newer versions is refused with the list.
    void aClientOfTheNextReleaseNegotiates()
    {
        const auto address = dmrctl::parseAddress(agents_[0].control().toStdString());
        QVERIFY(std::holds_alternative<dmrctl::Address>(address));
        dmrctl::ClientOptions o;
        o.addresses = {std::get<dmrctl::Address>(address)};
        o.clientName = "tst_dmrctl next release";
        o.timeout = std::chrono::milliseconds(10000);
        o.protocolMin = dmr::protocol::kVersionMin;
        o.protocol = dmr::protocol::kVersion + 1;
        std::vector<std::string> tried;
        auto next = dmrctl::Client::connect(o, 0, tried);
        QVERIFY2(next.ok(), next.ok() ? "" : next.failure().message.c_str());
        QCOMPARE(next->hello()["protocol"].get<int>(), dmr::protocol::kVersion);
        dmr::protocol::Request ask;
        ask.kind = dmr::protocol::RequestKind::GetState;
        auto state = next->call(ask);
        QVERIFY2(state.ok(), state.ok() ? "" : state.failure().message.c_str());
        QCOMPARE((*state)["node"].get<std::string>(), std::string("1"));

        o.protocolMin = dmr::protocol::kVersion + 1;
        auto newer = dmrctl::Client::connect(o, 0, tried);
        QVERIFY(!newer.ok());
        QCOMPARE(newer.failure().code, std::string("unsupported-protocol"));
        std::vector<int> ours;
        for (int v = dmr::protocol::kVersionMin; v <= dmr::protocol::kVersion; ++v)
            ours.push_back(v);
        QCOMPARE(newer.failure().versions, ours);
        QVERIFY2(newer.failure().message.find("this agent speaks") != std::string::npos,
                 newer.failure().message.c_str());
    }

    void clusterListsBothNodes()
    {
        const Run r = dmrctl({"--connect", agents_[0].control(), "--json", "cluster"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject snapshot = parseObject(r.out).value("snapshot").toObject();
        QStringList ids;
        for (const auto &n : snapshot.value("nodes").toArray())
            ids << n.toObject().value("id").toString();
        ids.sort();
        QCOMPARE(ids, QStringList({"1", "2"}));

        // The table: both nodes, their networks, the GL_group.
        const Run t = dmrctl({"--connect", agents_[1].control(), "cluster"});
        QCOMPARE(t.exitCode, 0);
        QVERIFY2(t.out.contains("NODE") && t.out.contains("10.0.1.0/24") &&
                     t.out.contains("10.0.2.0/24") && t.out.contains("GL_group"),
                 qPrintable(t.out));
    }

    void statusTableShowsRole()
    {
        for (std::size_t i = 0; i < agents_.size(); ++i) {
            const QString role = state(i).value("role").toString();
            QVERIFY(role == "system-leader" || role == "group-leader");
            const Run r = dmrctl({"status", "--connect", agents_[i].control()});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.contains(QRegularExpression("^role +" + role + "$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(r.out));
            QVERIFY2(r.out.contains(QRegularExpression("^node +" + agents_[i].id + "$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(r.out));
        }
    }

    void snapshotDotAndJson()
    {
        const Run dot = dmrctl({"--connect", agents_[0].control(), "snapshot", "--format", "dot"});
        QCOMPARE(dot.exitCode, 0);
        QVERIFY2(dot.out.startsWith("graph"), qPrintable(dot.out.left(200)));

        const Run json = dmrctl({"--connect", agents_[0].control(), "snapshot"});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject doc = parseObject(json.out);
        QCOMPARE(doc.value("format").toString(), QStringLiteral("dmr-snapshot"));
        QCOMPARE(doc.value("nodes").toArray().size(), 2);
    }

    void readTables()
    {
        for (const char *command : {"history", "drills"}) {
            const Run r = dmrctl({"--connect", agents_[0].control(), command});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
    }

    void tunnelsAndReachability()
    {
        // Both agents hear each other's probes through the relay (two networks, one tunnel).
        QElapsedTimer timer;
        timer.start();
        Run r;
        while (timer.elapsed() < kDeadlineMs) {
            r = dmrctl({"--connect", agents_[0].control(), "reachability"});
            if (r.exitCode == 0 && r.out.contains("2/2 cells fine"))
                break;
            QTest::qWait(200);
        }
        QVERIFY2(r.out.contains("2/2 cells fine"), qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(
                     QRegularExpression("^1 +\\\\ +ok$", QRegularExpression::MultilineOption)),
                 qPrintable(r.out));
        const Run json = dmrctl({"--connect", agents_[1].control(), "--json", "reachability"});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject matrix = parseObject(json.out);
        QCOMPARE(matrix.value("rows").toArray().size(), 2);
        QCOMPARE(matrix.value("asked_by").toString(), QStringLiteral("2"));

        // The tunnel, up at both ends, with the probes counted through it.
        for (std::size_t i = 0; i < agents_.size(); ++i) {
            const Run t = dmrctl({"--connect", agents_[i].control(), "tunnels"});
            QCOMPARE(t.exitCode, 0);
            const QString peer = agents_[1 - i].id;
            QVERIFY2(t.out.contains(
                         QRegularExpression("^" + peer + " +(root|leaf) +127\\.0\\.0\\.1:" +
                                                QString::number(agents_[1 - i].relayPort) + " +up ",
                                            QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
            QVERIFY2(t.out.contains("mode loopback"), qPrintable(t.out));
            QVERIFY2(t.out.contains(QRegularExpression(
                         "^tunnels authenticated: AES-256-GCM, payloads in the clear, epoch \\d+$",
                         QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
            // The carry handover: each end emits onto its own network; the tunnel's plan lists
            // the leaf's network and the leaf carries it (NETWORKS and CARRIES agree at rest).
            QVERIFY2(t.out.contains(
                         QRegularExpression("^emits onto: 10\\.0\\." + agents_[i].id + "\\.0/24$",
                                            QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
            QVERIFY2(t.out.contains(QRegularExpression("(10\\.0\\.\\d\\.0/24) +\\1 *$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
            // The boundaries and limits in force (loopback mode: no rate limits by default),
            // and what they kept out, per tunnel and per channel.
            QVERIFY2(t.out.contains("\nlimits: per tunnel unlimited; per channel unlimited; "
                                    "threshold 1; boundaries 239.255.0.0/16, 224.0.0.0/24, "
                                    "ff02::/16, ff05::/16\n"),
                     qPrintable(t.out));
            QVERIFY2(t.out.contains(QRegularExpression(" DUPLICATES +LIMITED +NETWORKS")),
                     qPrintable(t.out));
            QVERIFY2(t.out.contains(QRegularExpression("^CHANNEL +INGESTED +EMITTED +LIMITED "
                                                       "+LIMITED_BYTES$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
        }
    }

    void drillWithoutTokenIsRefused()
    {
        const Run r = dmrctl({"--connect", agents_[1].control(), "drill", "kill", agents_[0].id,
                              "--reason", "test"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not-authorized"), qPrintable(r.err));
        // Nothing happened: both agents still agree on a leader and see both nodes up.
        QVERIFY(settled());
    }

    void wrongTokenIsRefused()
    {
        const Run r = dmrctl({"--connect", agents_[1].control(), "--token", "not-the-token",
                              "drill", "kill", agents_[0].id, "--reason", "test"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not-authorized"), qPrintable(r.err));
    }

    void usageErrors()
    {
        const QString c = agents_[0].control();
        const QList<QStringList> cases = {
            {"--connect", c, "drill", "kill", "1"},                          // no --reason
            {"--connect", c, "drill", "fail-adapter", "1", "--reason", "x"}, // no IFACE
            {"--connect", c, "drill", "explode", "1", "--reason", "x"},
            {"--connect", c}, // no command
            {"--connect", "127.0.0.1:notaport", "status"},
            {"--connect", c, "--timeout-ms", "0", "status"},
        };
        for (const auto &args : cases) {
            const Run r = dmrctl(args);
            QVERIFY2(r.exitCode == 2,
                     qPrintable(args.join(' ') + ": exit " + QString::number(r.exitCode)));
            QVERIFY2(!r.err.isEmpty(), qPrintable(args.join(' ')));
        }
    }

    void unreachableNamesEveryAddress()
    {
        const QString a = deadAddress();
        const QString b = deadAddress();
        const Run r = dmrctl({"--connect", a + "," + b, "status"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(a) && r.err.contains(b), qPrintable(r.err));
    }

    void connectFallsBack()
    {
        const QString dead = deadAddress();
        // A comma list, and repeated options: both go on to the next address.
        for (const QStringList &connect :
             {QStringList{"--connect", dead + "," + agents_[1].control()},
              QStringList{"--connect", dead, "--connect", agents_[1].control()}}) {
            const Run r = dmrctl(connect + QStringList{"status", "--json"});
            QCOMPARE(r.exitCode, 0);
            QCOMPARE(parseObject(r.out).value("node").toString(), agents_[1].id);
            QVERIFY2(r.err.contains(dead), qPrintable(r.err)); // says which one it passed over
        }
    }

    void drillKillFailsOver()
    {
        const QString leader = state(0).value("system_leader").toString();
        QVERIFY(!leader.isEmpty());
        const std::size_t victim = agents_[0].id == leader ? 0 : 1;
        const std::size_t survivor = 1 - victim;
        const Agent &s = agents_[survivor];

        QSet<int> before;
        {
            const Run h = dmrctl({"--connect", s.control(), "--json", "history"});
            QCOMPARE(h.exitCode, 0);
            for (const auto &f : parseObject(h.out).value("failovers").toArray())
                before.insert(f.toObject().value("id").toInt());
        }

        // Follow the survivor's events from before the drill.
        QProcess events;
        events.setProcessEnvironment(environment());
        events.start(QString::fromUtf8(kDmrctl),
                     {"--connect", s.control(), "events", "--count", "1", "--json"});
        QVERIFY(events.waitForStarted(5000));
        QByteArray eventsErr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (eventsErr += events.readAllStandardError()).contains("following the events"),
            kDeadlineMs);

        // Sent to the survivor, which forwards it to the leader over the cluster transport.
        const Run drill =
            dmrctl({"--connect", s.control(), "--token", kToken, "drill", "kill", leader,
                    "--reason", "tst_dmrctl failover", "--duration-ms", "60000"});
        QVERIFY2(drill.exitCode == 0, qPrintable(drill.err));
        QVERIFY2(drill.out.contains("kill node " + leader), qPrintable(drill.out));

        QTRY_VERIFY_WITH_TIMEOUT(state(survivor).value("system_leader").toString() == s.id,
                                 kDeadlineMs);
        QCOMPARE(state(survivor).value("role").toString(), QStringLiteral("system-leader"));

        QVERIFY(events.waitForFinished(kDeadlineMs));
        QCOMPARE(events.exitCode(), 0);
        const QJsonObject event = parseObject(QString::fromUtf8(events.readAllStandardOutput()));
        QCOMPARE(event.value("type").toString(), QStringLiteral("event"));

        // The survivor recorded the leader's failover, with the survivor as its successor.
        const Run h = dmrctl({"--connect", s.control(), "--json", "history"});
        QCOMPARE(h.exitCode, 0);
        bool found = false;
        for (const auto &f : parseObject(h.out).value("failovers").toArray()) {
            const QJsonObject o = f.toObject();
            if (before.contains(o.value("id").toInt()) || o.value("node").toString() != leader)
                continue;
            const bool lostLeadership =
                o.value("roles").toArray().contains(QJsonValue("system-leader")) &&
                o.value("successors").toObject().value("system-leader").toString() == s.id;
            found = found || lostLeadership;
        }
        QVERIFY2(found, qPrintable(h.out));

        // The history table prints a null duration as "-", never "null".
        const Run table = dmrctl({"--connect", s.control(), "history"});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains("TOTAL_MS") && !table.out.contains("null"));

        const Run d = dmrctl({"--connect", s.control(), "--json", "drills"});
        QCOMPARE(d.exitCode, 0);
        const QJsonArray drills = parseObject(d.out).value("drills").toArray();
        QVERIFY(!drills.isEmpty());
        QCOMPARE(drills.last().toObject().value("action").toString(), QStringLiteral("kill"));
        QCOMPARE(drills.last().toObject().value("node").toString(), leader);
        // The record names who asked, also when the drill was forwarded to its node.
        QCOMPARE(drills.last().toObject().value("role").toString(), QStringLiteral("operator"));
        QCOMPARE(drills.last().toObject().value("identity").toString(), QStringLiteral("token"));
    }

    // dmrctl in TLS 1.3 against an agent with a certificate from a throwaway CA: it checks the
    // agent against --tls-ca, says what to do when it speaks clear text to a TLS port, refuses an
    // agent its CA did not sign, and with a client certificate mapped to the operator role runs
    // a drill without a token, recorded under the certificate's subject.
    void tlsAndClientCertificates()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto tls = dmr::lab::makeLabTls(dir.filePath("tls").toStdString(), {}, "carol");
        QVERIFY(tls.ok());
        auto other = dmr::lab::makeLabTls(dir.filePath("other").toStdString(), {}, "mallory");
        QVERIFY(other.ok());
        const QString ca = QString::fromStdString(tls->caCert);
        std::vector<int> held;
        const int membershipPort = freePort(held);
        const int controlPort = freePort(held);
        closeAll(held);
        const QString control = QStringLiteral("127.0.0.1:%1").arg(controlPort);
        QProcess agent;
        agent.setProcessChannelMode(QProcess::MergedChannels);
        agent.start(QString::fromUtf8(kAgent), {"--node.id",
                                                "t",
                                                "--node.interfaces",
                                                "eth0=10.0.9.1/24",
                                                "--cluster.key",
                                                QString::fromUtf8(kKey),
                                                "--membership.listen",
                                                QStringLiteral("127.0.0.1:%1").arg(membershipPort),
                                                "--control.listen",
                                                control,
                                                "--control.operator_token",
                                                QString::fromUtf8(kToken),
                                                "--metrics.listen",
                                                "",
                                                "--control.tls_cert",
                                                QString::fromStdString(tls->agentCert),
                                                "--control.tls_key",
                                                QString::fromStdString(tls->agentKey),
                                                "--control.tls_client_ca",
                                                ca,
                                                "--control.operator_cert_names",
                                                "carol"});
        QVERIFY(agent.waitForStarted(5000));
        QElapsedTimer timer;
        timer.start();
        Run status;
        while (timer.elapsed() < kDeadlineMs) {
            status = dmrctl({"--connect", control, "--tls-ca", ca, "--json", "status"});
            if (status.exitCode == 0 &&
                parseObject(status.out).value("role").toString() == QStringLiteral("system-leader"))
                break;
            QTest::qWait(100);
        }
        QVERIFY2(status.exitCode == 0, qPrintable(status.err));

        const Run plain = dmrctl({"--connect", control, "status"});
        QCOMPARE(plain.exitCode, 3);
        QVERIFY2(plain.err.contains("give --tls-ca"), qPrintable(plain.err));

        const Run stranger = dmrctl(
            {"--connect", control, "--tls-ca", QString::fromStdString(other->caCert), "status"});
        QCOMPARE(stranger.exitCode, 3);
        QVERIFY2(stranger.err.contains("certificate is not trusted"), qPrintable(stranger.err));

        const Run usage = dmrctl({"--connect", control, "--tls-cert",
                                  QString::fromStdString(tls->operatorCert), "status"});
        QCOMPARE(usage.exitCode, 2);

        // A viewer without the certificate: no drills.
        const Run viewer = dmrctl(
            {"--connect", control, "--tls-ca", ca, "drill", "drain", "t", "--reason", "no role"});
        QCOMPARE(viewer.exitCode, 1);
        QVERIFY2(viewer.err.contains("not-authorized"), qPrintable(viewer.err));

        const QStringList asCarol{"--connect",  control,
                                  "--tls-ca",   ca,
                                  "--tls-cert", QString::fromStdString(tls->operatorCert),
                                  "--tls-key",  QString::fromStdString(tls->operatorKey)};
        const Run drill = dmrctl(asCarol + QStringList{"drill", "drain", "t", "--reason",
                                                       "carol drains", "--duration-ms", "300"});
        QVERIFY2(drill.exitCode == 0, qPrintable(drill.err));
        const Run drills = dmrctl(asCarol + QStringList{"--json", "drills"});
        QCOMPARE(drills.exitCode, 0);
        const QJsonObject record =
            parseObject(drills.out).value("drills").toArray().first().toObject();
        QCOMPARE(record.value("role").toString(), QStringLiteral("operator"));
        QCOMPARE(record.value("identity").toString(), QStringLiteral("CN=carol,O=dmr-lab"));
        const Run table = dmrctl(asCarol + QStringList{"drills"});
        QVERIFY2(table.out.contains("CN=carol,O=dmr-lab"), qPrintable(table.out));
        agent.kill();
        agent.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestDmrctl)
#include "tst_dmrctl.moc"
