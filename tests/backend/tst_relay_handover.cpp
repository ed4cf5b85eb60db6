// The carry handover on three real relay data planes (backend/agent/relay_data_plane.h) in one
// process: loopback segments and tunnels on 127.0.0.1, one io_context, the plan applied by hand
// one step at a time in the order the agents apply it when node L1 (leader of B) is drained and
// L2 (on B and C) takes B over. At every step datagrams flow, and each network's receiver must
// get each exactly once:
//  1. steady: R (system leader, routes A) roots R-L1 {B} and R-L2 {C};
//  2. L2 routes B too and its tunnel lists B and C (its opens), R updated the tunnel: both L1
//     and L2 route B now;
//  3. L1 closed its end first (it heard L2's "applied" before R did): L1 is closing;
//  4. R closed R-L1: its farewell ends L1's tunnel, and L2 is told it carries B and C.
// A datagram from A must reach B and C once; one from B (heard by both routing points of B in
// steps 2-3) must reach A and C once.
//
// The second row runs the same steps with peers that do not speak the carry (a cluster of
// older agents): step 2 then delivers B's datagrams twice. That is the duplicate the carry
// removes, and it shows that this test sees it. The third runs them with relay.encrypt: every
// payload must come out intact, decrypted at each hop.

#include "relay_data_plane.h"
#include "segment_io.h"
#include "test_names.h"

#include <QtTest>

using namespace dmr;
using namespace dmr::agent;

namespace {

constexpr int kDeadlineMs = 20000;
const GroupName kA = "10.0.1.0/24";
const GroupName kB = "10.0.2.0/24";
const GroupName kC = "10.0.3.0/24";

const std::string kCluster = dmr::test::clusterName("handover");

Interface makeIface(const char *name, const char *address)
{
    return Interface{name, *InterfaceAddress::parse(address)};
}

relay::Channel channel()
{
    return *relay::Channel::parse("239.1.2.3:5001");
}

struct PlaneNode
{
    NodeId id;
    std::vector<Interface> interfaces;
    std::uint16_t port = 0;
    std::unique_ptr<RelayDataPlane> plane;
};

Endpoint endpoint(const PlaneNode &n)
{
    return {n.id, n.interfaces.front().name, n.interfaces.front().address.address()};
}

Action route(const PlaneNode &n, const GroupName &network)
{
    Action a;
    a.kind = Action::Kind::Route;
    for (const auto &i : n.interfaces)
        if (i.group() == network)
            a.route = {n.id, i.name, network};
    return a;
}

Action unroute(const PlaneNode &n, const GroupName &network)
{
    Action a = route(n, network);
    a.kind = Action::Kind::Unroute;
    return a;
}

Action tunnel(Action::Kind kind, const PlaneNode &root, const PlaneNode &leaf,
              std::vector<GroupName> networks)
{
    Action a;
    a.kind = kind;
    a.tunnel = {endpoint(root), endpoint(leaf), std::move(networks)};
    return a;
}

} // namespace

class TestRelayHandover : public QObject
{
    Q_OBJECT

    asio::io_context io_{1};
    std::map<NodeId, PlaneNode> nodes_;
    std::map<GroupName, std::unique_ptr<LoopbackSegmentSocket>> rx_;
    std::map<GroupName, std::unique_ptr<LoopbackSegmentSocket>> tx_;
    std::map<GroupName, std::map<std::string, int>> got_; // network -> payload -> times
    bool carry_ = true;
    bool encrypt_ = false;
    int sent_ = 0;
    // The tunnel formats node L1's meta lists (the others list this build's).
    std::vector<int> l1Versions_ = relay::tunnelVersions();

    void apply(const NodeId &id, const std::vector<Action> &actions)
    {
        const auto errors = nodes_.at(id).plane->apply(actions);
        QVERIFY2(errors.empty(), errors.empty() ? "" : errors.front().c_str());
    }

    bool sendOn(const GroupName &network, const std::string &payload)
    {
        return tx_.at(network)->send(
            channel(),
            std::span(reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size()));
    }

    // Runs the relays and reads every receiver until `done` or the deadline.
    bool pumpUntil(const std::function<bool()> &done, int deadlineMs = kDeadlineMs)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            io_.run_for(std::chrono::milliseconds(2));
            for (auto &[network, sock] : rx_)
                while (auto d = sock->receive(0))
                    if (d->channel == channel())
                        ++got_[network][std::string(d->payload.begin(), d->payload.end())];
            if (done())
                return true;
            if (t.elapsed() > deadlineMs)
                return false;
        }
    }

    QJsonArray carriesOf(const NodeId &id)
    {
        const auto j = nodes_.at(id).plane->stateJson()["carries"];
        QJsonArray out;
        if (j.is_array())
            for (const auto &n : j)
                out.append(QString::fromStdString(n.get<std::string>()));
        return out;
    }

    // Sends `count` datagrams on `from`; every other network must get each exactly once.
    void stream(const GroupName &from, const std::string &step, int count = 50)
    {
        std::vector<std::string> payloads;
        for (int i = 0; i < count; ++i) {
            payloads.push_back(step + " " + from + " #" + std::to_string(++sent_));
            const auto &p = payloads.back();
            QVERIFY(tx_.at(from)->send(
                channel(), std::span(reinterpret_cast<const std::uint8_t *>(p.data()), p.size())));
            if (i % 10 == 9)
                pumpUntil([] { return true; }); // keep the socket buffers short
        }
        std::vector<GroupName> others;
        for (const auto &n : {kA, kB, kC})
            if (n != from)
                others.push_back(n);
        const bool all = pumpUntil([&] {
            for (const auto &n : others)
                for (const auto &p : payloads)
                    if (got_[n][p] == 0)
                        return false;
            return true;
        });
        pumpUntil([] { return false; }, 200); // late copies, if any
        QStringList wrong;
        for (const auto &n : others)
            for (const auto &p : payloads)
                if (got_[n][p] != 1)
                    wrong << QString::fromStdString(n + " got \"" + p + "\" x" +
                                                    std::to_string(got_[n][p]));
        if (!carry_ && step == "both-route-B" && from == kA) {
            // Without the carry both routing points of B emit what R sends: the duplicate.
            QVERIFY2(!wrong.isEmpty(), "without the carry step 2 should have duplicated on B");
            return;
        }
        if (!wrong.isEmpty()) // what each relay dropped, to tell where it went wrong
            for (const auto &[id, n] : nodes_)
                wrong << QString::fromStdString(id + " drops " +
                                                n.plane->stateJson()["drops"].dump());
        QVERIFY2(all && wrong.isEmpty(), qPrintable(wrong.mid(0, 16).join(QLatin1Char('\n'))));
    }

    // Three networks' receivers and senders, and a relay data plane per node.
    void setUp(const std::map<NodeId, std::vector<Interface>> &spec)
    {
        io_.restart();
        nodes_.clear();
        rx_.clear();
        tx_.clear();
        got_.clear();
        for (const auto &[id, interfaces] : spec)
            nodes_[id].interfaces = interfaces;
        for (auto &[id, n] : nodes_)
            n.id = id;
        const auto t0 = std::chrono::steady_clock::now();
        for (auto &[id, n] : nodes_) {
            AgentConfig::RelaySection config;
            config.enabled = true;
            config.mode = RelayMode::Loopback;
            config.channels = {*relay::ChannelRange::parse("239.1.0.0/16:5000-5100")};
            config.port = 0; // any free port
            config.probeIntervalMs = 0;
            config.encrypt = encrypt_;
            n.plane = std::make_unique<RelayDataPlane>(
                io_, id, config, makeLoopbackSegmentIo(io_, kCluster),
                [this](const NodeId &peer) -> std::optional<RelayDataPlane::Peer> {
                    auto it = nodes_.find(peer);
                    if (it == nodes_.end())
                        return std::nullopt;
                    // What its meta would say: its tunnel port and epoch (the tunnel keys').
                    return RelayDataPlane::Peer{it->second.port,
                                                carry_,
                                                it->second.plane ? it->second.plane->epoch() : 0,
                                                {dmr::IpAddress::v4(INADDR_LOOPBACK)},
                                                peer == "L1" ? l1Versions_
                                                             : relay::tunnelVersions()};
                },
                [t0] {
                    return static_cast<std::int64_t>(
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count());
                },
                RelayDataPlane::Trust{"tst_relay_handover cluster key", true, {}});
            auto r = n.plane->start(n.interfaces);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            n.port = n.plane->tunnelPort();
        }
        for (const auto &network : {kA, kB, kC}) {
            auto r = LoopbackSegmentSocket::open(kCluster, network);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            rx_[network] = std::move(r).value();
            auto t = LoopbackSegmentSocket::open(kCluster, network);
            QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
            tx_[network] = std::move(t).value();
            // The receiver listens to the channel (relay.prune: the default).
            QVERIFY(rx_[network]->listen(channel().group));
        }
    }

    // Every plane knows the receivers on each of its networks, and each tunnel's peer wants
    // the channel's group (or every group): what the steps send reaches every network.
    bool listenersKnown()
    {
        const std::string group = channel().group.toString();
        for (auto &[id, n] : nodes_) {
            const auto relay = n.plane->stateJson();
            for (const auto &l : relay["listeners"]) {
                bool found = false;
                for (const auto &g : l["groups"])
                    found = found || g["group"] == group;
                if (!found)
                    return false;
            }
            for (const auto &t : relay["tunnels"])
                if (t["peer_wants"].is_array() &&
                    std::find(t["peer_wants"].begin(), t["peer_wants"].end(), group) ==
                        t["peer_wants"].end())
                    return false;
        }
        return true;
    }

private slots:
    void handover_data()
    {
        QTest::addColumn<bool>("carry");
        QTest::addColumn<bool>("encrypt");
        QTest::newRow("carry: exactly once at every step") << true << false;
        QTest::newRow("peers without carry: step 2 duplicates B (the test sees it)")
            << false << false;
        // relay.encrypt: every payload decrypted intact at each hop (the root encrypts again
        // for each leaf), exactly once.
        QTest::newRow("carry, payloads encrypted: exactly once, intact") << true << true;
    }

    void handover()
    {
        QFETCH(bool, carry);
        QFETCH(bool, encrypt);
        carry_ = carry;
        encrypt_ = encrypt;
        setUp({{"R", {makeIface("eth0", "10.0.1.1/24")}},
               {"L1", {makeIface("eth0", "10.0.2.1/24")}},
               {"L2", {makeIface("eth0", "10.0.2.2/24"), makeIface("eth1", "10.0.3.2/24")}}});
        if (QTest::currentTestFailed())
            return;
        const PlaneNode &R = nodes_.at("R");
        const PlaneNode &L1 = nodes_.at("L1");
        const PlaneNode &L2 = nodes_.at("L2");
        using K = Action::Kind;

        // 1. Steady.
        apply("R", {route(R, kA), tunnel(K::OpenTunnel, R, L1, {kB}),
                    tunnel(K::OpenTunnel, R, L2, {kC})});
        apply("L1", {route(L1, kB), tunnel(K::OpenTunnel, R, L1, {kB})});
        apply("L2", {route(L2, kC), tunnel(K::OpenTunnel, R, L2, {kC})});
        if (carry) {
            QVERIFY2(pumpUntil([&] {
                         return carriesOf("L1") == QJsonArray{QString::fromStdString(kB)} &&
                                carriesOf("L2") == QJsonArray{QString::fromStdString(kC)};
                     }),
                     "the leaves never heard what they carry");
            QCOMPARE(carriesOf("R"), QJsonArray{QString::fromStdString(kA)});
        } else {
            pumpUntil([] { return false; }, 100);
        }
        QVERIFY2(pumpUntil([&] { return listenersKnown(); }),
                 "the relays never learnt who listens, or never told each other");
        for (const auto &from : {kA, kB, kC})
            stream(from, "steady");

        // 2. L2 routes B too; R lists B in its tunnel; L1 still routes B.
        apply("L2", {route(L2, kB), tunnel(K::UpdateTunnel, R, L2, {kB, kC})});
        apply("R", {tunnel(K::UpdateTunnel, R, L2, {kB, kC})});
        stream(kA, "both-route-B");
        if (!carry)
            return;
        stream(kB, "both-route-B");
        stream(kC, "both-route-B");

        // 3. L1 closes its end before R does: it keeps emitting what R still sends it.
        apply("L1", {unroute(L1, kB), tunnel(K::CloseTunnel, R, L1, {kB})});
        const auto closing = nodes_.at("L1").plane->stateJson()["tunnels"];
        const bool l1Closing = closing.size() == 1 && closing[0]["closing"] == true;
        stream(kA, "L1-closing");
        stream(kC, "L1-closing");
        QVERIFY2(l1Closing, "L1 did not keep its closed tunnel open for what R still sends");

        // 4. R closes R-L1: its farewell ends L1's tunnel, B moves to L2.
        apply("R", {tunnel(K::CloseTunnel, R, L1, {kB})});
        QVERIFY2(pumpUntil([&] {
                     return nodes_.at("L1").plane->stateJson()["tunnels"].empty() &&
                            carriesOf("L2") ==
                                QJsonArray{QString::fromStdString(kB), QString::fromStdString(kC)};
                 }),
                 "the farewell did not end L1's tunnel, or L2 was not told it carries B");
        for (const auto &from : {kA, kB, kC})
            stream(from, "after");
        nodes_.clear(); // the planes go before the io_context they use
    }

    // Tunnel format negotiation: R roots a tunnel to L1, whose meta lists `versions`. With one
    // in common the tunnel speaks the newest of them and carries A to B; with none, R opens no
    // tunnel, says which side to upgrade, counts it, and nothing of A reaches B.
    void tunnelVersions_data()
    {
        QTest::addColumn<QList<int>>("versions");
        QTest::addColumn<int>("expected"); // 0: no tunnel
        QTest::addColumn<QString>("upgrade");
        QTest::newRow("this release")
            << QList<int>{relay::kTunnelVersion} << int{relay::kTunnelVersion} << QString();
        QTest::newRow("the next release (speaks this one too)")
            << QList<int>{relay::kTunnelVersion, relay::kTunnelVersion + 1}
            << int{relay::kTunnelVersion} << QString();
        QTest::newRow("a release that dropped this one")
            << QList<int>{relay::kTunnelVersion + 1} << 0 << QStringLiteral("upgrade this node");
        const auto before = relay::tunnelVersionsOf(std::nullopt, false);
        QTest::newRow("an agent from before authenticated tunnels (no list, no epoch)")
            << QList<int>(before.begin(), before.end()) << 0 << QStringLiteral("upgrade node L1");
    }

    void tunnelVersions()
    {
        QFETCH(QList<int>, versions);
        QFETCH(int, expected);
        QFETCH(QString, upgrade);
        carry_ = true;
        encrypt_ = false;
        l1Versions_.assign(versions.begin(), versions.end());
        setUp({{"R", {makeIface("eth0", "10.0.1.1/24")}},
               {"L1", {makeIface("eth0", "10.0.2.1/24")}},
               {"L2", {makeIface("eth0", "10.0.3.2/24")}}});
        if (QTest::currentTestFailed())
            return;
        const PlaneNode &R = nodes_.at("R");
        const PlaneNode &L1 = nodes_.at("L1");
        using K = Action::Kind;
        const auto errors =
            nodes_.at("R").plane->apply({route(R, kA), tunnel(K::OpenTunnel, R, L1, {kB})});
        apply("L1", {route(L1, kB), tunnel(K::OpenTunnel, R, L1, {kB})});
        const auto state = nodes_.at("R").plane->stateJson();
        if (expected != 0) {
            QVERIFY2(errors.empty(), errors.empty() ? "" : errors.front().c_str());
            QCOMPARE(state["tunnels"][0]["version"].get<int>(), expected);
            const std::string p = "versions " + std::to_string(++sent_);
            QVERIFY(sendOn(kA, p));
            QVERIFY2(pumpUntil([&] { return got_[kB][p] == 1; }), "A's datagram never reached B");
        } else {
            QCOMPARE(errors.size(), std::size_t{1});
            QVERIFY2(QString::fromStdString(errors.front()).contains(upgrade),
                     errors.front().c_str());
            QVERIFY2(errors.front().find("no tunnel with node L1") != std::string::npos,
                     errors.front().c_str());
            QCOMPARE(state["drops"]["no-common-version"].get<int>(), 1);
            const std::string p = "versions " + std::to_string(++sent_);
            QVERIFY(sendOn(kA, p));
            pumpUntil([] { return false; }, 500);
            QCOMPARE(got_[kB][p], 0);
        }
        nodes_.clear();
    }

    void rootHandover_data()
    {
        // The order in which the three nodes that close something carry out their closes (each
        // on the last "applied" it waits for; any order can happen): O the old system leader,
        // N the new one, L a leaf of both.
        QTest::addColumn<QString>("order");
        QTest::newRow("old root first, then the new root, then the leaf") << QStringLiteral("ONL");
        QTest::newRow("new root first") << QStringLiteral("NOL");
        QTest::newRow("leaf first, then the new root") << QStringLiteral("LNO");
        QTest::newRow("leaf first, then the old root") << QStringLiteral("LON");
    }

    void rootHandover()
    {
        // The system leader O (routes A) is drained: N (leader of B) becomes the system leader,
        // P (next on A) leads A, L (leader of C) moves from O's star to N's. Every step is a
        // state the cluster passes through; at each, a datagram on A, B or C must reach the
        // other two networks exactly once (relay.h, "Handover": one root at a time).
        QFETCH(QString, order);
        carry_ = true;
        setUp({{"O", {makeIface("eth0", "10.0.1.1/24")}},
               {"P", {makeIface("eth0", "10.0.1.2/24")}},
               {"N", {makeIface("eth0", "10.0.2.1/24")}},
               {"L", {makeIface("eth0", "10.0.3.1/24")}}});
        if (QTest::currentTestFailed())
            return;
        const PlaneNode &O = nodes_.at("O");
        const PlaneNode &P = nodes_.at("P");
        const PlaneNode &N = nodes_.at("N");
        const PlaneNode &L = nodes_.at("L");
        using K = Action::Kind;
        apply("O",
              {route(O, kA), tunnel(K::OpenTunnel, O, N, {kB}), tunnel(K::OpenTunnel, O, L, {kC})});
        apply("N", {route(N, kB), tunnel(K::OpenTunnel, O, N, {kB})});
        apply("L", {route(L, kC), tunnel(K::OpenTunnel, O, L, {kC})});
        QVERIFY2(pumpUntil([&] {
                     return carriesOf("N") == QJsonArray{QString::fromStdString(kB)} &&
                            carriesOf("L") == QJsonArray{QString::fromStdString(kC)};
                 }),
                 "the leaves never heard what they carry");
        for (const auto &from : {kA, kB, kC})
            stream(from, "steady");

        // The opens of the new plan: N roots N-P and N-L, P routes A, L opens N-L.
        apply("N", {tunnel(K::OpenTunnel, N, P, {kA}), tunnel(K::OpenTunnel, N, L, {kC})});
        apply("L", {tunnel(K::OpenTunnel, N, L, {kC})});
        apply("P", {route(P, kA), tunnel(K::OpenTunnel, N, P, {kA})});
        for (const auto &from : {kA, kB, kC})
            stream(from, "opened");

        // The closes, in this row's order, with datagrams flowing between them.
        for (const QChar who : order) {
            const std::string step = std::string("closed-") + who.toLatin1();
            if (who == QLatin1Char('O'))
                apply("O", {unroute(O, kA), tunnel(K::CloseTunnel, O, N, {kB}),
                            tunnel(K::CloseTunnel, O, L, {kC})});
            else if (who == QLatin1Char('N'))
                apply("N", {tunnel(K::CloseTunnel, O, N, {kB})});
            else
                apply("L", {tunnel(K::CloseTunnel, O, L, {kC})});
            for (const auto &from : {kA, kB, kC})
                stream(from, step);
        }
        // Every leaf released O, which said its farewells: nothing of O's star is left.
        QVERIFY2(
            pumpUntil([&] {
                return nodes_.at("O").plane->stateJson()["tunnels"].empty() &&
                       nodes_.at("N").plane->stateJson()["tunnels"].size() == 2 &&
                       nodes_.at("L").plane->stateJson()["tunnels"].size() == 1;
            }),
            qPrintable(QString::fromStdString(
                "O's star did not go: O " + nodes_.at("O").plane->stateJson()["tunnels"].dump() +
                " N " + nodes_.at("N").plane->stateJson()["tunnels"].dump() + " L " +
                nodes_.at("L").plane->stateJson()["tunnels"].dump())));
        QCOMPARE(carriesOf("P"), QJsonArray{QString::fromStdString(kA)});
        QCOMPARE(carriesOf("L"), QJsonArray{QString::fromStdString(kC)});
        QCOMPARE(carriesOf("N"), QJsonArray{QString::fromStdString(kB)});
        for (const auto &from : {kA, kB, kC})
            stream(from, "after");
        nodes_.clear();
    }
};

QTEST_GUILESS_MAIN(TestRelayHandover)
#include "tst_relay_handover.moc"
