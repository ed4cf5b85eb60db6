// The etcd backend's crash links (backend/agent/peer_link.h, dmr/etcd_crash.h) against hostile
// input, on real dmr-agent processes and a real etcd on loopback.
//
// Two agents (1, 2) and a third node, 9, that this test registers in etcd itself (its record
// and a group key on a lease the test holds), whose membership address is a server in this test.
// 2 watches 9 (the ring: 9 joined after it). The server plays 9 in one way per row, then closes
// its connections and its port, so that a new connection is refused: only when 9 proved itself
// (the cluster key, its own node id, this connection's nonces) may 2 revoke 9's lease. The
// "authenticated" rows are the control: the same setup with an honest handshake is revoked.
// Then what strangers send to the agents' own membership ports: nobody is revoked.

#include "agent_cluster.h"
#include "etcd_server.h"

#include "frame.h"

#include "dmr/etcd_view.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

#include <functional>
#include <memory>

namespace {

constexpr int kDeadlineMs = 30000;
const QString kA = QStringLiteral("10.0.1.0/24");

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList membersOf(const QJsonObject &cluster, const QString &group)
{
    for (const auto &g : cluster[s("snapshot")].toObject()[s("groups")].toArray())
        if (g.toObject()[s("name")].toString() == group) {
            QStringList out;
            for (const auto &m : g.toObject()[s("members")].toArray())
                out << m.toObject()[s("node")].toString();
            return out;
        }
    return {};
}

// Waits for the condition while this test's own servers and sockets are served (the event loop
// runs between checks).
bool until(const std::function<bool()> &condition, int timeoutMs = kDeadlineMs)
{
    QElapsedTimer t;
    t.start();
    while (!condition()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QTest::qWait(20);
    }
    return true;
}

std::string b64(const std::string &text)
{
    return dmr::etcd::base64Encode(text);
}

// What the server at node 9's address does with each connection.
enum class Mode {
    Honest,          // the real handshake, with the cluster key, as node 9
    HonestThenReset, // the same, and its end is a reset rather than a FIN
    AnotherKey,      // an agent with another key: it refuses the hello
    ForgedWelcome,   // a challenge, then a welcome whose proof is made up
    ReplayedWelcome, // the challenge and welcome of an earlier honest session, replayed
    AnotherNode,     // the cluster key, but it says it is node 8
    Oversized,       // a challenge line longer than any handshake line may be
    Malformed,       // not the DMR cluster protocol at all
    BytesAfter,      // the honest handshake, then bytes the protocol never sends
};

class FakeNine : public QObject
{
public:
    FakeNine(Mode mode, std::string key)
        : mode_(mode)
        , key_(std::move(key))
    {
        server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, this, [this] { accept(); });
    }

    quint16 port() const { return server_.serverPort(); }
    int connections() const { return connections_; }
    int handshakes() const { return handshakes_; } // honest ones completed

    // Every connection ends (a FIN, or an RST for HonestThenReset) and the port refuses.
    void die()
    {
        server_.close();
        for (auto *socket : sockets_) {
            if (mode_ == Mode::HonestThenReset)
                socket->abort();
            else
                socket->close();
        }
        sockets_.clear();
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = server_.nextPendingConnection()) {
            ++connections_;
            sockets_.push_back(socket);
            start(socket);
        }
    }

    void send(QTcpSocket *socket, const std::string &line)
    {
        socket->write(line.data(), static_cast<qint64>(line.size()));
        socket->flush();
    }

    void start(QTcpSocket *socket)
    {
        using namespace dmr::agent;
        const bool wrongKey = mode_ == Mode::AnotherKey || mode_ == Mode::ForgedWelcome;
        const std::string id = mode_ == Mode::AnotherNode ? "8" : "9";
        if (mode_ == Mode::Oversized) {
            send(socket, "DMR-CLUSTER 2 9 " + std::string(2 * frame::kHandshakeLineBytesMax, 'a'));
            return;
        }
        if (mode_ == Mode::Malformed) {
            send(socket, "SSH-2.0-OpenSSH_9.2\r\n");
            return;
        }
        auto acceptor = std::make_shared<frame::Acceptor>(
            wrongKey ? std::string("another-cluster-key-0123456789") : key_, id,
            frame::freshNonce());
        if (mode_ == Mode::ReplayedWelcome && !recordedChallenge_.empty()) {
            // An earlier session's challenge and, once the hello is in, its welcome.
            send(socket, recordedChallenge_);
        } else {
            const std::string challenge = acceptor->challenge();
            if (mode_ == Mode::ReplayedWelcome)
                recordedChallenge_ = challenge;
            send(socket, challenge);
        }
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, this, [=, this] {
            buffer->append(socket->readAll());
            const auto nl = buffer->indexOf('\n');
            if (nl < 0)
                return;
            const std::string hello = buffer->left(nl).toStdString();
            buffer->remove(0, nl + 1);
            if (mode_ == Mode::ForgedWelcome) {
                send(socket,
                     "DMR-CLUSTER-WELCOME " + std::string(2 * frame::kMacBytes, 'b') + "\n");
                return;
            }
            if (mode_ == Mode::ReplayedWelcome && !recordedWelcome_.empty()) {
                send(socket, recordedWelcome_);
                return;
            }
            auto accepted = acceptor->onHello(hello);
            if (!accepted) {
                send(socket, acceptor->refusal());
                socket->close();
                return;
            }
            send(socket, accepted->welcome);
            ++handshakes_;
            if (mode_ == Mode::ReplayedWelcome) {
                // Recorded; this honest session ends (a live peer dropping it: the watcher's probe
                // is accepted), and every later connection gets the replay.
                recordedWelcome_ = accepted->welcome;
                socket->close();
            } else if (mode_ == Mode::BytesAfter) {
                send(socket, "1 0000 not-a-frame\n");
            }
        });
    }

    Mode mode_;
    std::string key_;
    QTcpServer server_;
    std::vector<QTcpSocket *> sockets_;
    int connections_ = 0;
    int handshakes_ = 0;
    std::string recordedChallenge_;
    std::string recordedWelcome_;
};

} // namespace

class TestEtcdCrashLinks : public QObject
{
    Q_OBJECT

    std::unique_ptr<EtcdServer> etcd_;
    std::unique_ptr<AgentCluster> c_;
    QNetworkAccessManager http_;

    QJsonObject post(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest req(QUrl(s("http://") + etcd_->endpoint() + path));
        req.setHeader(QNetworkRequest::ContentTypeHeader, s("application/json"));
        QNetworkReply *reply = http_.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        const auto doc = QJsonDocument::fromJson(reply->readAll());
        reply->deleteLater();
        return doc.object();
    }

    qint64 grant()
    {
        return post(s("/v3/lease/grant"), {{s("TTL"), s("120")}})[s("ID")].toString().toLongLong();
    }

    // The lease's remaining TTL; -1 once it is gone (revoked or expired).
    qint64 ttlOf(qint64 lease)
    {
        return post(s("/v3/lease/timetolive"), {{s("ID"), QString::number(lease)}})[s("TTL")]
            .toString()
            .toLongLong();
    }

    void registerNine(qint64 lease, quint16 port)
    {
        const std::string prefix = dmr::etcd::clusterPrefix("crashlinks");
        const std::string record = dmr::etcd::encodeNodeRecord(
            {"127.0.0.1:" + std::to_string(port), 99, R"({"state":"up"})", false});
        QJsonArray ops;
        const auto put = [&](const std::string &key, const std::string &value) {
            ops.append(QJsonObject{
                {s("request_put"), QJsonObject{{s("key"), QString::fromStdString(b64(key))},
                                               {s("value"), QString::fromStdString(b64(value))},
                                               {s("lease"), QString::number(lease)}}}});
        };
        put(dmr::etcd::nodeKey(prefix, "9"), record);
        put(dmr::etcd::groupKey(prefix, kA.toStdString(), "9"), "");
        post(s("/v3/kv/txn"), {{s("success"), ops}});
    }

    bool nineSeenBy(const QString &id) { return membersOf(c_->cluster(id), kA).contains(s("9")); }

private slots:
    void initTestCase()
    {
        if (EtcdServer::binary().isEmpty())
            QSKIP("etcd is not installed: ./dmr installs Debian's etcd-server");
        etcd_ = std::make_unique<EtcdServer>();
        QVERIFY2(etcd_->start(), qPrintable(etcd_->error()));
        c_ = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), 29300);
        c_->setClusterName(s("crashlinks"));
        c_->useEtcd({etcd_->endpoint()});
        c_->addNode(s("1"), {s("eth0=10.0.1.1/24")});
        c_->addNode(s("2"), {s("eth0=10.0.1.2/24")});
        QVERIFY(c_->startAll(kDeadlineMs));
        QVERIFY(until([&] { return c_->agree(c_->ids(), s("1")); }, kDeadlineMs));
    }

    void hostileNine_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("revoked");
        QTest::newRow("authenticated, then closed and refused: revoked")
            << int(Mode::Honest) << true;
        QTest::newRow("authenticated, then reset and refused: revoked")
            << int(Mode::HonestThenReset) << true;
        QTest::newRow("another cluster key") << int(Mode::AnotherKey) << false;
        QTest::newRow("forged welcome") << int(Mode::ForgedWelcome) << false;
        QTest::newRow("replayed challenge and welcome") << int(Mode::ReplayedWelcome) << false;
        QTest::newRow("another node id") << int(Mode::AnotherNode) << false;
        QTest::newRow("oversized challenge") << int(Mode::Oversized) << false;
        QTest::newRow("malformed challenge") << int(Mode::Malformed) << false;
        QTest::newRow("bytes after the welcome") << int(Mode::BytesAfter) << false;
    }
    void hostileNine()
    {
        QFETCH(int, mode);
        QFETCH(bool, revoked);
        const QString logBefore = c_->logOf(s("2"));
        FakeNine nine(static_cast<Mode>(mode), AgentCluster::defaultKey().toStdString());
        QVERIFY(nine.port() != 0);
        const qint64 lease = grant();
        QVERIFY(lease != 0);
        registerNine(lease, nine.port());
        QVERIFY(until([&] { return nineSeenBy(s("1")) && nineSeenBy(s("2")); }, kDeadlineMs));
        // 2 dials 9; a link that fails is dialled again a second later: a second connection
        // shows that it went round at least once (a link that stays up is not dialled again).
        QVERIFY(
            until([&] { return nine.connections() >= 1 && (!revoked || nine.handshakes() >= 1); }));
        if (!revoked)
            until([&] { return nine.connections() >= 2; }, 3000);
        QTest::qWait(200); // the link's last bytes are read
        nine.die();
        if (revoked) {
            QVERIFY(until([&] { return !nineSeenBy(s("1")) && !nineSeenBy(s("2")); }, kDeadlineMs));
            QCOMPARE(ttlOf(lease), qint64{-1});
            QVERIFY(c_->logOf(s("2")).mid(logBefore.size()).contains(s("node 9 crashed")));
            return;
        }
        // The port refuses now; the watcher dials it again (refused: never up, proves nothing).
        QTest::qWait(2500);
        QVERIFY2(ttlOf(lease) > 0, "a forged or failed link made the watcher revoke 9's lease");
        QVERIFY(nineSeenBy(s("1")) && nineSeenBy(s("2")));
        QVERIFY(!c_->logOf(s("2")).mid(logBefore.size()).contains(s("node 9 crashed")));
        // Clean up: the test's own revoke takes 9 out.
        post(s("/v3/lease/revoke"), {{s("ID"), QString::number(lease)}});
        QVERIFY(until([&] { return !nineSeenBy(s("1")) && !nineSeenBy(s("2")); }, kDeadlineMs));
    }

    // Strangers on the agents' own membership ports: junk, an oversized line, a hello made with
    // another key, connections opened and reset. Nobody is revoked, nobody leaves.
    void strangersRevokeNobody()
    {
        const QString before2 = c_->logOf(s("2"));
        const QString before1 = c_->logOf(s("1"));
        for (const auto &id : c_->ids()) {
            const int port = c_->membershipPort(id);
            for (int round = 0; round < 3; ++round) {
                for (const QByteArray &bytes :
                     {QByteArray("garbage\n"), QByteArray(4096, 'x'),
                      QByteArray(
                          "DMR-CLUSTER-HELLO 2 9 127.0.0.1:1 00000000000000000000000000000000 "
                          "0000000000000000000000000000000000000000000000000000000000000000\n"),
                      QByteArray()}) {
                    QTcpSocket socket;
                    socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
                    QVERIFY(socket.waitForConnected(5000));
                    socket.write(bytes);
                    socket.flush();
                    socket.waitForReadyRead(200);
                    socket.abort();
                }
            }
        }
        QTest::qWait(2500);
        QVERIFY(c_->agree(c_->ids(), s("1")));
        QVERIFY(!c_->logOf(s("2")).mid(before2.size()).contains(s("crashed")));
        QVERIFY(!c_->logOf(s("1")).mid(before1.size()).contains(s("crashed")));
    }

    void cleanupTestCase()
    {
        c_.reset();
        etcd_.reset();
    }
};

QTEST_GUILESS_MAIN(TestEtcdCrashLinks)
#include "tst_etcd_crash_links.moc"
