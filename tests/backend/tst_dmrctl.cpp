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
#include "format.h"
#include "lab_secrets.h"

#include "dmr/replies.h"
#include "dmr/snapshot.h"

#include <memory>
#include <thread>
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

// Fig. 5 as get-cluster's snapshot shows it (backend/PROTOCOL.md): 2 routes A 10.0.1.0/24, 6 routes
// B 10.0.2.0/24, 4 routes C 10.0.3.0/24; 1 is on A and C.
const char *const kFig5Snapshot =
    R"json({"cluster":"fig5","format":"dmr-snapshot","gl_group":[{"node":"2","seq":3},{"node":"6","seq":6},{"node":"4","seq":10}],"gl_order":["2","6","4"],"groups":[{"members":[{"node":"2","seq":2},{"node":"1","seq":12},{"node":"3","seq":15}],"name":"10.0.1.0/24"},{"members":[{"node":"6","seq":5},{"node":"4","seq":8},{"node":"5","seq":17}],"name":"10.0.2.0/24"},{"members":[{"node":"4","seq":9},{"node":"1","seq":13}],"name":"10.0.3.0/24"}],"leaders":{"10.0.1.0/24":"2","10.0.2.0/24":"6","10.0.3.0/24":"4"},"nodes":[{"id":"1","interfaces":[{"address":"10.0.1.1/24","failed":false,"name":"eth0","network":"10.0.1.0/24"},{"address":"10.0.3.1/24","failed":false,"name":"eth1","network":"10.0.3.0/24"}],"state":"up"},{"id":"2","interfaces":[{"address":"10.0.1.2/24","failed":false,"name":"eth0","network":"10.0.1.0/24"}],"state":"up"},{"id":"3","interfaces":[{"address":"10.0.1.3/24","failed":false,"name":"eth0","network":"10.0.1.0/24"}],"state":"up"},{"id":"4","interfaces":[{"address":"10.0.2.4/24","failed":false,"name":"eth0","network":"10.0.2.0/24"},{"address":"10.0.3.4/24","failed":false,"name":"eth1","network":"10.0.3.0/24"}],"state":"up"},{"id":"5","interfaces":[{"address":"10.0.2.5/24","failed":false,"name":"eth0","network":"10.0.2.0/24"}],"state":"up"},{"id":"6","interfaces":[{"address":"10.0.2.6/24","failed":false,"name":"eth0","network":"10.0.2.0/24"}],"state":"up"}],"routes":[{"iface":"eth0","network":"10.0.1.0/24","node":"2"},{"iface":"eth1","network":"10.0.3.0/24","node":"4"},{"iface":"eth0","network":"10.0.2.0/24","node":"6"}],"system_leader":"2","time_ms":1795756582800,"tunnels":[{"leaf":{"address":"10.0.2.6","iface":"eth0","node":"6"},"networks":["10.0.2.0/24"],"root":{"address":"10.0.1.2","iface":"eth0","node":"2"}},{"leaf":{"address":"10.0.2.4","iface":"eth0","node":"4"},"networks":["10.0.3.0/24"],"root":{"address":"10.0.1.2","iface":"eth0","node":"2"}}],"version":1})json";

// Canned get-state results: the routing points' relay objects with listeners and wanted groups.
const char *const kState2 = R"json({"node":"2","leads":["10.0.1.0/24"],"relay":{"prune":true,
 "listeners":[{"network":"10.0.1.0/24","querying":true,"querier":"10.0.1.2","refused":0,
   "groups":[{"group":"239.1.0.5","age_ms":1234,"expires_in_ms":250000,"reporters":1},
             {"group":"239.1.0.7","age_ms":75000,"expires_in_ms":200000,"reporters":2}]}],
 "tunnels":[{"peer":"6","role":"root","state":"up","networks":["10.0.2.0/24"],
             "peer_wants":["239.1.0.5"],"wants_sent":["239.1.0.5","239.1.0.7"],"pruned_packets":12},
            {"peer":"4","role":"root","state":"up","networks":["10.0.3.0/24"],
             "peer_wants":null,"wants_sent":null,"pruned_packets":0}]}})json";
const char *const kState6 = R"json({"node":"6","leads":["10.0.2.0/24"],"relay":{"prune":true,
 "listeners":[{"network":"10.0.2.0/24","querying":false,"querier":"10.0.2.4","refused":0,
   "groups":[{"group":"239.1.0.5","age_ms":500,"expires_in_ms":259500,"reporters":1}]}],
 "tunnels":[{"peer":"2","role":"leaf","state":"up","networks":["10.0.2.0/24"],
             "peer_wants":["239.1.0.5","239.1.0.7"],"wants_sent":["239.1.0.5"],"pruned_packets":3}]}})json";
// An agent of a release before listening and pruning: no prune, listeners, peer_wants.
const char *const kState4Old = R"json({"node":"4","leads":["10.0.3.0/24"],"relay":{
 "tunnels":[{"peer":"2","role":"leaf","state":"up","networks":["10.0.3.0/24"]}]}})json";
// Node 1 snoops C (it does not route it): no groups there.
const char *const kState1 = R"json({"node":"1","leads":[],"relay":{"prune":true,
 "listeners":[{"network":"10.0.1.0/24","querying":false,"querier":"10.0.1.2","refused":0,"groups":[]},
              {"network":"10.0.3.0/24","querying":false,"querier":null,"refused":0,"groups":[]}],
 "tunnels":[]}})json";

dmr::Snapshot fig5Snapshot()
{
    auto s = dmr::parseSnapshot(kFig5Snapshot);
    if (!s)
        qFatal("the canned snapshot does not parse: %s", s.error().message.c_str());
    return *s;
}

dmrctl::ListenerAnswer answer(const char *stateJson)
{
    auto typed = dmr::reply::parseRelayState(stateJson);
    if (!typed)
        qFatal("a canned state does not parse: %s", typed.error().message.c_str());
    return {*typed, {}};
}

std::string replaced(std::string text, const std::string &from, const std::string &to)
{
    const auto at = text.find(from);
    if (at == std::string::npos)
        qFatal("\"%s\" is not in the canned text", from.c_str());
    return text.replace(at, from.size(), to);
}

bool hasLine(const QString &text, const QString &pattern)
{
    return text.contains(QRegularExpression(pattern, QRegularExpression::MultilineOption));
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
            QVERIFY2(t.out.contains(QRegularExpression("(10\\.0\\.\\d\\.0/24) +\\1( |$)",
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
                                                       "+LIMITED_BYTES +BOUNDARY +BELOW_THRESHOLD$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
            // The probe channel (last): its counts, none of them unknown.
            QVERIFY2(t.out.contains(QRegularExpression("\\(probe\\) +\\d+ +\\d+ +0 +0 +0 +0$",
                                                       QRegularExpression::MultilineOption)),
                     qPrintable(t.out));
        }
    }

    // ---- listeners and wanted groups, from canned get-state replies ----------------------------

    void listenersOfEveryNetworkFromItsRoutingPoint()
    {
        std::map<dmr::NodeId, dmrctl::ListenerAnswer> answers{
            {"2", answer(kState2)}, {"6", answer(kState6)}, {"4", answer(kState4Old)}};
        const QString out =
            QString::fromStdString(dmrctl::formatListeners(fig5Snapshot(), answers));
        // A: two groups with their ages, node 2 is the querier.
        QVERIFY2(
            hasLine(
                out,
                "^10\\.0\\.1\\.0/24 +2 +2 +node 2 \\(10\\.0\\.1\\.2\\) +239\\.1\\.0\\.5 +1\\.2 s "
                "+4 min 10 s +1$"),
            qPrintable(out));
        QVERIFY2(hasLine(out, "^ +239\\.1\\.0\\.7 +1 min 15 s +3 min 20 s +2$"), qPrintable(out));
        // B: node 4 (on B too) is the querier there, not the routing point.
        QVERIFY2(hasLine(out, "^10\\.0\\.2\\.0/24 +6 +6 +10\\.0\\.2\\.4 +239\\.1\\.0\\.5 +0\\.5 s"),
                 qPrintable(out));
        // C: its routing point predates listeners: unknown, and no crash.
        QVERIFY2(hasLine(out,
                         "^10\\.0\\.3\\.0/24 +4 +4 +unknown +unknown \\(agent 4 does not report "
                         "listeners\\)$"),
                 qPrintable(out));
        // The tunnels by their sending end: a list, "everything" for a null peer_wants, unknown.
        QVERIFY2(hasLine(out, "^2 +6 +239\\.1\\.0\\.5 \\(1 group\\) +12$"), qPrintable(out));
        QVERIFY2(hasLine(out, "^2 +4 +everything \\(no word from node 4 yet\\) +0$"),
                 qPrintable(out));
        QVERIFY2(hasLine(out, "^6 +2 +239\\.1\\.0\\.5, 239\\.1\\.0\\.7 \\(2 groups\\) +3$"),
                 qPrintable(out));
        QVERIFY2(
            hasLine(out, "^4 +2 +unknown \\(agent 4 does not report wanted groups\\) +unknown$"),
            qPrintable(out));
    }

    void aSilentRoutingPointIsReplacedByASnoopingMember()
    {
        const dmr::Snapshot s = fig5Snapshot();
        // C's routing point first, then its members in join order.
        QCOMPARE(dmrctl::listenerSources(s, "10.0.3.0/24"), (std::vector<std::string>{"4", "1"}));
        std::map<dmr::NodeId, dmrctl::ListenerAnswer> answers{
            {"2", answer(kState2)},
            {"6", answer(kState6)},
            {"4", {std::nullopt, "no answer: 127.0.0.1:25402: connection refused"}},
            {"1", answer(kState1)}};
        const QString out = QString::fromStdString(dmrctl::formatListeners(s, answers));
        QVERIFY2(hasLine(out, "^10\\.0\\.3\\.0/24 +4 +1 \\(snooping\\) +none +none$"),
                 qPrintable(out));
        QVERIFY2(hasLine(out, "^node 4: no answer: 127\\.0\\.0\\.1:25402: connection refused$"),
                 qPrintable(out));
        // Nobody of a network answers: said so, the rest is still shown.
        answers.erase("1");
        const QString none = QString::fromStdString(dmrctl::formatListeners(s, answers));
        QVERIFY2(
            hasLine(none, "^10\\.0\\.3\\.0/24 +4 +- +- +unknown \\(no node of it answered\\)$"),
            qPrintable(none));
        QVERIFY2(hasLine(none, "^10\\.0\\.1\\.0/24 +2 +2 "), qPrintable(none));
    }

    void pruningOffFloods()
    {
        const std::string state = replaced(kState6, "\"prune\":true", "\"prune\":false");
        std::map<dmr::NodeId, dmrctl::ListenerAnswer> answers{{"6", answer(state.c_str())}};
        const QString out =
            QString::fromStdString(dmrctl::formatListeners(fig5Snapshot(), answers));
        QVERIFY2(hasLine(out, "^6 +2 +everything \\(relay\\.prune = false at node 6\\) +3$"),
                 qPrintable(out));
        QVERIFY2(hasLine(out, "^node 6 floods: relay\\.prune = false$"), qPrintable(out));
    }

    void tunnelsSayWhatEachPeerWants()
    {
        auto withRelay = [](const char *state) {
            dmrctl::Json j = dmrctl::Json::parse(state);
            j["relay"]["mode"] = "loopback";
            auto typed = dmr::reply::parseRelayState(j.dump());
            if (!typed)
                qFatal("a canned state does not parse: %s", typed.error().message.c_str());
            return *typed;
        };
        const QString root = QString::fromStdString(dmrctl::formatTunnels(withRelay(kState2)));
        QVERIFY2(hasLine(root, "^PEER .* +CARRIES +WANTS +PRUNED$"), qPrintable(root));
        QVERIFY2(hasLine(root, "^6 +root .* +1 group +12$"), qPrintable(root));
        QVERIFY2(hasLine(root, "^4 +root .* +everything +0$"), qPrintable(root));
        // An older agent: no word on wants, no counter.
        const QString old = QString::fromStdString(dmrctl::formatTunnels(withRelay(kState4Old)));
        QVERIFY2(hasLine(old, "^2 +leaf .* +unknown +-$"), qPrintable(old));
    }

    void malformedWantsAreAnErrorNamingTheField()
    {
        const std::string state =
            replaced(kState2, "\"peer_wants\":null", "\"peer_wants\":\"all\"");
        auto typed = dmr::reply::parseRelayState(state);
        QVERIFY(!typed);
        QVERIFY2(typed.error().message.find("relay.tunnels[1].peer_wants: expected an array") !=
                     std::string::npos,
                 typed.error().message.c_str());
        const std::string age = replaced(kState2, "\"age_ms\":1234", "\"age_ms\":\"old\"");
        typed = dmr::reply::parseRelayState(age);
        QVERIFY(!typed);
        QVERIFY2(typed.error().message.find("relay.listeners[0].groups[0].age_ms: expected an "
                                            "integer") != std::string::npos,
                 typed.error().message.c_str());
    }

    // Against the two real agents: each network's routing point answers for it.
    void listenersOfRealAgents()
    {
        const Run r = dmrctl({"--connect", agents_[1].control(), "listeners"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(hasLine(r.out, "^10\\.0\\.1\\.0/24 +1 +1 "), qPrintable(r.out));
        QVERIFY2(hasLine(r.out, "^10\\.0\\.2\\.0/24 +2 +2 "), qPrintable(r.out));
        // Both ends of the one tunnel say what they send into it.
        QVERIFY2(hasLine(r.out, "^1 +2 +\\S"), qPrintable(r.out));
        QVERIFY2(hasLine(r.out, "^2 +1 +\\S"), qPrintable(r.out));
        const Run json = dmrctl({"--connect", agents_[0].control(), "--json", "listeners"});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject all = parseObject(json.out);
        QCOMPARE(all.value("states").toObject().keys(), (QStringList{"1", "2"}));
        QVERIFY(all.value("unanswered").toObject().isEmpty());
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

    void answersOutsideTheProtocolAreBadReplies()
    {
        // A scripted agent on a loopback socket: after the hello, each request gets the lines
        // listed for it. What the protocol's envelope reader (reply::parseMessage) refuses is a
        // BadReply naming why; events on the way are kept; a stale id is skipped; an error
        // without an id answers what is pending; a result keeps the agent's field order.
        const std::vector<std::vector<std::string>> script = {
            {dmr::protocol::encodeHelloReply(std::int64_t{1}, "x", "0", "member", false)},
            {R"({"type":"event","event":"drill","time_ms":1,"data":{}})",
             R"({"type":"reply","id":99,"ok":true,"result":{}})",
             R"({"type":"reply","id":2,"ok":true,"result":{"b":1,"a":2}})"},
            {"not json"},
            {R"({"type":"error","id":4})"},
            {R"({"type":"error","code":"busy","message":"later"})"},
            {R"({"type":"reply","id":6,"ok":true})"},
            {R"({"type":"frobnicate","id":7})"},
            {R"({"type":"reply","id":[8],"ok":true,"result":{}})"},
        };
        std::vector<int> keep;
        const int port = freePort(keep);
        QVERIFY(port != 0);
        const int listener = keep.back();
        QCOMPARE(::listen(listener, 1), 0);
        std::thread agent([&] {
            const int fd = ::accept(listener, nullptr, nullptr);
            if (fd < 0)
                return;
            std::string in;
            for (const auto &lines : script) {
                char c = 0;
                while (::recv(fd, &c, 1, 0) == 1 && c != '\n')
                    in += c;
                for (const auto &l : lines) {
                    const std::string out = l + "\n";
                    (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
                }
            }
            char c = 0;
            while (::recv(fd, &c, 1, 0) == 1) {
            }
            ::close(fd);
        });
        std::vector<std::string> tried;
        dmrctl::ClientOptions options;
        options.addresses = {{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)}};
        options.timeout = std::chrono::milliseconds(kDeadlineMs);
        {
            auto client = dmrctl::Client::connect(options, 0, tried);
            QVERIFY2(client.ok(), client.ok() ? "" : client.failure().message.c_str());
            dmr::protocol::Request r;
            r.kind = dmr::protocol::RequestKind::GetState;
            auto result = client->call(r);
            QVERIFY(result.ok());
            QCOMPARE(QString::fromStdString(result->dump()), QString(R"({"b":1,"a":2})"));
            auto expectBad = [&](const char *words) {
                auto bad = client->call(r);
                QVERIFY(!bad.ok());
                QVERIFY(bad.failure().kind == dmrctl::Failure::Kind::BadReply);
                QVERIFY2(bad.failure().message.find(words) != std::string::npos,
                         bad.failure().message.c_str());
            };
            expectBad("syntax error");
            expectBad("(id 4) lacks a code or a message");
            auto busy = client->call(r);
            QVERIFY(!busy.ok());
            QVERIFY(busy.failure().kind == dmrctl::Failure::Kind::Refused);
            QCOMPARE(QString::fromStdString(busy.failure().code), QString("busy"));
            expectBad("has no \"result\" object");
            expectBad("frobnicate");
            expectBad("id");
            auto event = client->nextEvent();
            QVERIFY(event.ok());
            QCOMPARE(QString::fromStdString((*event)["event"].get<std::string>()),
                     QString("drill"));
        }
        agent.join();
        closeAll(keep);
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
