// The cluster transport against an attacker, with real dmr-agent processes on 127.0.0.1 (Fig. 5,
// resources/topologies/fig5.json):
//
//      network A 10.0.1.0/24: 1 2 3        network B 10.0.2.0/24: 4 5 6
//      network C 10.0.3.0/24: 1 4          started in the order 2 6 4 1 3 5
//
// - An operator drains node 5 through node 1, which forwards the drill to node 5 over the
//   cluster transport. A tap on the loopback wire captures that connection's bytes. Sent again
//   from a plain socket, to node 5 and to node 2 (the system leader), they drain nobody: both
//   refuse the replay in its handshake and count it. (Before frames were bound to their
//   connection, this replay drained node 5 again, and node 2, whose leadership moved.)
// - A peer that holds the key (a legitimate session) still cannot make a node run a forwarded
//   drill that names another node, nor one drill id twice.
// - A node whose key does not match says so itself, naming the peer.

#include "agent_cluster.h"
#include "loopback_capture.h"

#include "frame.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QtTest>

namespace {

constexpr int kDeadlineMs = 20000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QJsonObject drill(const AgentCluster &c, const QString &via, const QString &action,
                  const QString &node)
{
    return c.ask(via, QJsonObject{{s("type"), s("drill")},
                                  {s("action"), action},
                                  {s("node"), node},
                                  {s("reason"), s("trust test")}});
}

double transportCounter(const AgentCluster &c, const QString &node, const char *name)
{
    return c.state(node)[s("cluster_transport")].toObject()[s(name)].toDouble(-1);
}

int drillCount(const AgentCluster &c, const QString &node)
{
    return c.ask(node, QJsonObject{{s("type"), s("get-drills")}})[s("result")]
        .toObject()[s("drills")]
        .toArray()
        .size();
}

// A client of the cluster transport that holds the key: a legitimate session, as another
// agent would open it.
class KeyHolder
{
public:
    KeyHolder(const QString &key, int port)
        : key_(key.toStdString())
    {
        socket_.connectToHost(s("127.0.0.1"), static_cast<quint16>(port));
    }
    // Reads the challenge and sends the hello; false when the agent did not challenge.
    bool open()
    {
        if (!socket_.waitForConnected(5000))
            return false;
        QDeadlineTimer d(5000);
        while (!socket_.canReadLine() && !d.hasExpired())
            socket_.waitForReadyRead(100);
        if (!socket_.canReadLine())
            return false;
        const QByteArray challenge = socket_.readLine().trimmed();
        dmr::agent::frame::Dialer dialer(key_, {"key-holder", "127.0.0.1:1"},
                                         dmr::agent::frame::freshNonce());
        auto hello = dialer.onChallenge(challenge.toStdString());
        if (!hello)
            return false;
        sealer_ = hello->sealer;
        socket_.write(QByteArray::fromStdString(hello->hello));
        return socket_.waitForBytesWritten(5000);
    }
    void send(const QJsonObject &message)
    {
        const auto line =
            sealer_.seal(QJsonDocument(message).toJson(QJsonDocument::Compact).toStdString());
        socket_.write(QByteArray::fromStdString(line));
        socket_.waitForBytesWritten(5000);
    }

private:
    std::string key_;
    QTcpSocket socket_;
    dmr::agent::frame::Sealer sealer_;
};

QJsonObject forwardedDrill(const QString &action, const QString &node, const QString &drillId)
{
    return QJsonObject{{s("agent"), s("drill")},
                       {s("drill"), QJsonObject{{s("type"), s("drill")},
                                                {s("action"), action},
                                                {s("node"), node},
                                                {s("reason"), s("sent by a key holder")}}},
                       {s("client"), s("tst_cluster_trust")},
                       {s("via"), s("key-holder")},
                       {s("corr"), 1},
                       {s("drill_id"), drillId}};
}

} // namespace

class TestClusterTrust : public QObject
{
    Q_OBJECT

private slots:
    void capturedDrillCannotBeReplayed()
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        c->addFig5();
        LoopbackCapture tap(static_cast<std::uint16_t>(c->membershipPort(s("5"))));
        if (!tap.available())
            QSKIP(qPrintable(s("cannot capture on lo: ") + tap.error()));
        QVERIFY(c->startAll());

        // The operator's drill, forwarded by node 1 to node 5 over the cluster transport.
        const auto drained = drill(*c, s("1"), s("drain"), s("5"));
        QVERIFY2(drained[s("ok")].toBool(), qPrintable(QJsonDocument(drained).toJson()));
        QVERIFY(AgentCluster::waitFor(
            [&] { return c->state(s("5"))[s("state")].toString() == s("drained"); }, kDeadlineMs));
        QVERIFY(drill(*c, s("5"), s("restore"), s("5"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return c->state(s("5"))[s("state")].toString() == s("up") &&
                       c->agree(c->ids(), s("2"));
            },
            kDeadlineMs));

        // What the tap saw: the connection that carried the drill, up to its end.
        QByteArray captured;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                for (const auto &stream : tap.streams()) {
                    const auto at = stream.indexOf("\"agent\":\"drill\"");
                    if (at < 0)
                        continue;
                    const auto end = stream.indexOf('\n', at);
                    if (end < 0)
                        continue;
                    captured = stream.left(end + 1);
                    return true;
                }
                return false;
            },
            kDeadlineMs));

        const int drills5 = drillCount(*c, s("5"));
        const int drills2 = drillCount(*c, s("2"));
        const double refused5 = std::max(0.0, transportCounter(*c, s("5"), "handshakes_refused"));
        const double refused2 = std::max(0.0, transportCounter(*c, s("2"), "handshakes_refused"));

        // The replay, from a plain socket, to node 5 and to the system leader.
        QTcpSocket to5;
        QTcpSocket to2;
        to5.connectToHost(s("127.0.0.1"), static_cast<quint16>(c->membershipPort(s("5"))));
        to2.connectToHost(s("127.0.0.1"), static_cast<quint16>(c->membershipPort(s("2"))));
        QVERIFY(to5.waitForConnected(5000) && to2.waitForConnected(5000));
        to5.write(captured);
        to2.write(captured);
        QVERIFY(to5.waitForBytesWritten(5000) && to2.waitForBytesWritten(5000));

        // Either both refuse it and count it, or a drill ran: wait for whichever comes.
        AgentCluster::waitFor(
            [&] {
                return (transportCounter(*c, s("5"), "handshakes_refused") > refused5 &&
                        transportCounter(*c, s("2"), "handshakes_refused") > refused2) ||
                       c->state(s("5"))[s("state")].toString() == s("drained") ||
                       c->state(s("2"))[s("state")].toString() == s("drained");
            },
            kDeadlineMs);
        QCOMPARE(c->state(s("5"))[s("state")].toString(), s("up"));
        QCOMPARE(c->state(s("2"))[s("state")].toString(), s("up"));
        QCOMPARE(drillCount(*c, s("5")), drills5);
        QCOMPARE(drillCount(*c, s("2")), drills2);
        QVERIFY(c->agree(c->ids(), s("2")));
        QVERIFY(transportCounter(*c, s("5"), "handshakes_refused") > refused5);
        QVERIFY(transportCounter(*c, s("2"), "handshakes_refused") > refused2);
        QVERIFY(c->logOf(s("5")).contains(s("refused")));
    }

    void forwardedDrillRunsOnItsNodeOnce()
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        c->addFig5();
        QVERIFY(c->startAll());
        const QString key = AgentCluster::defaultKey();

        // A drill naming node 5, delivered to node 2: refused, node 2 keeps its roles.
        {
            KeyHolder k(key, c->membershipPort(s("2")));
            QVERIFY(k.open());
            k.send(forwardedDrill(s("drain"), s("5"), s("id-for-five")));
            QVERIFY(AgentCluster::waitFor(
                [&] { return transportCounter(*c, s("2"), "drills_refused") >= 1; }, kDeadlineMs));
        }
        QCOMPARE(c->state(s("2"))[s("state")].toString(), s("up"));
        QCOMPARE(c->state(s("5"))[s("state")].toString(), s("up"));
        QVERIFY(c->logOf(s("2")).contains(s("names node 5, this is node 2")));

        // A drill for node 3 runs once; the same drill id in a new session is refused.
        {
            KeyHolder k(key, c->membershipPort(s("3")));
            QVERIFY(k.open());
            k.send(forwardedDrill(s("drain"), s("3"), s("once-1")));
            QVERIFY(AgentCluster::waitFor(
                [&] { return c->state(s("3"))[s("state")].toString() == s("drained"); },
                kDeadlineMs));
        }
        QVERIFY(drill(*c, s("3"), s("restore"), s("3"))[s("ok")].toBool());
        QVERIFY(AgentCluster::waitFor(
            [&] { return c->state(s("3"))[s("state")].toString() == s("up"); }, kDeadlineMs));
        const int drills3 = drillCount(*c, s("3"));
        {
            KeyHolder k(key, c->membershipPort(s("3")));
            QVERIFY(k.open());
            k.send(forwardedDrill(s("drain"), s("3"), s("once-1")));
            QVERIFY(AgentCluster::waitFor(
                [&] { return transportCounter(*c, s("3"), "drills_refused") >= 1; }, kDeadlineMs));
        }
        QCOMPARE(c->state(s("3"))[s("state")].toString(), s("up"));
        QCOMPARE(drillCount(*c, s("3")), drills3);
        QVERIFY(c->logOf(s("3")).contains(s("drill once-1 already ran on this node")));
    }

    void wrongKeySaysSoItself()
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        c->addNode(s("a"), {s("eth0=10.9.0.1/24")});
        c->addNode(s("x"), {s("eth0=10.9.0.3/24")},
                   {s("--cluster.key"), s("not-the-cluster-key-at-all")});
        QVERIFY(c->start(s("a")));
        QVERIFY(c->start(s("x")));
        // The node with the other key says so, with the address of the peer it tried.
        const QString peerA = s("127.0.0.1:") + QString::number(c->membershipPort(s("a")));
        QVERIFY(AgentCluster::waitFor(
            [&] { return transportCounter(*c, s("x"), "key_mismatches") >= 1; }, kDeadlineMs));
        QVERIFY2(c->logOf(s("x")).contains(s("membership peer ") + peerA) &&
                     c->logOf(s("x")).contains(s("cluster key does not match")),
                 qPrintable(c->logOf(s("x"))));
        // And the node it knocked on names who knocked.
        QVERIFY(AgentCluster::waitFor(
            [&] { return transportCounter(*c, s("a"), "key_mismatches") >= 1; }, kDeadlineMs));
        QVERIFY2(c->logOf(s("a")).contains(s("it says it is node x")),
                 qPrintable(c->logOf(s("a"))));
    }
};

QTEST_GUILESS_MAIN(TestClusterTrust)
#include "tst_cluster_trust.moc"
