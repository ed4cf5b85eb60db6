// The relay's pure core: channels, the tunnel wire format (round trips, every malformed
// input, the per-hop fields, nonce and key info), the anti-replay window (edges, and random
// walks against a model), the engine's forwarding decisions (Fig. 5 relays wired in memory:
// every network hears a datagram exactly once; each drop reason; a tunnel's phases through a
// drain of the system leader), the dedupe window and the reachability bookkeeping. The
// property test over random plan changes is tst_relay_sim.

#include "dmr/cluster.h"
#include "dmr/relay_engine.h"

#include <QtTest>

#include <deque>
#include <functional>
#include <random>

namespace r = dmr::relay;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s)
{
    return {s.begin(), s.end()};
}

dmr::IpAddress v4(const char *text)
{
    return *dmr::IpAddress::parse(text);
}

r::Header dataHeader(std::string_view origin, std::uint64_t seq)
{
    r::Header h;
    h.origin = origin;
    h.hop = origin;
    h.originNetwork = v4("10.0.1.0");
    h.originPrefixLength = 24;
    h.source = v4("10.0.1.3");
    h.sourcePort = 40000;
    h.group = v4("239.1.0.1");
    h.port = 5000;
    h.epoch = 7;
    h.sequence = seq;
    return h;
}

// Relays wired in memory, each a relay::Engine with its part of a cluster's plan (as the data
// plane runs it): datagrams injected on a network go to every node on it, tunnel datagrams are
// delivered in order until nothing moves, and every emission onto a network is counted.
struct Mesh
{
    dmr::Topology topology;
    std::map<dmr::NodeId, std::unique_ptr<r::Engine>> engines;
    std::map<dmr::GroupName, int> emitted; // network -> datagrams emitted on it
    std::map<std::string, int> drops;
    int tunnelSends = 0;
    struct Msg
    {
        dmr::NodeId to;
        r::Header h;
        std::string origin, hop;
        std::vector<std::uint8_t> payload;
    };
    std::deque<Msg> queue;
    std::set<dmr::NodeId> dead;

    explicit Mesh(std::vector<std::pair<dmr::NodeId, std::vector<const char *>>> nodes,
                  bool prune = false, const r::RateLimit &tunnelLimit = {})
    {
        for (const auto &[id, addresses] : nodes) {
            dmr::Node n{id, {}};
            for (const char *a : addresses)
                n.interfaces.push_back({"eth" + std::to_string(n.interfaces.size()),
                                        *dmr::InterfaceAddress::parse(a)});
            topology[id] = n;
            r::Engine::Config c;
            c.self = id;
            c.channels = {*r::ChannelRange::parse("239.1.0.0/16:5000-5100"),
                          *r::ChannelRange::parse("ff15::1:0/112:5000-5100")};
            c.probeChannel = *r::Channel::parse("239.255.77.1:7699");
            c.probeChannelV6 = *r::Channel::parse("[ff15::4d01]:7699");
            c.prune = prune;
            c.tunnelLimit = tunnelLimit;
            auto e = std::make_unique<r::Engine>(c);
            if (prune)
                for (const auto &[other, unused] : nodes)
                    e->setPeerPrunes(other, true);
            e->setEpoch(7);
            std::vector<r::SegmentNetwork> segs;
            for (const auto &i : n.interfaces)
                segs.push_back({i.group(), i.network().address(),
                                static_cast<std::uint8_t>(i.network().length())});
            e->setSegments(segs);
            engines[id] = std::move(e);
        }
    }
    // Joins in this order, and every node applies its part of the plan; carries delivered.
    void join(const std::vector<dmr::NodeId> &order)
    {
        dmr::ClusterModel model(topology);
        for (const auto &id : order)
            QVERIFY(model.join(id));
        const auto actions = dmr::diffPlans(dmr::Plan{}, model.plan());
        for (auto &[id, e] : engines) {
            std::map<dmr::NodeId, bool> carries;
            for (const auto &a : dmr::actionsFor(actions, id))
                if (a.kind == dmr::Action::Kind::OpenTunnel)
                    carries[a.tunnel.root.node == id ? a.tunnel.leaf.node : a.tunnel.root.node] =
                        true;
            execute(id, e->applyPlan(dmr::actionsFor(actions, id), carries, 0));
            execute(id, e->rebuild());
        }
        run();
    }
    void send(const dmr::NodeId &from, const dmr::NodeId &to, const r::Header &h,
              std::span<const std::uint8_t> payload)
    {
        Msg m{to, h, std::string(h.origin), std::string(h.hop), {payload.begin(), payload.end()}};
        queue.push_back(std::move(m));
        if (h.kind == r::Kind::Data)
            ++tunnelSends;
        (void)from;
    }
    void execute(const dmr::NodeId &id, const r::Effects &e)
    {
        for (const auto &c : e.controls) {
            r::Header h;
            h.kind = c.kind;
            h.origin = id;
            h.hop = id;
            h.epoch = 7;
            h.sequence = c.sequence;
            send(id, c.peer, h, c.payload);
        }
    }
    void execute(const dmr::NodeId &id, const r::Forward &f, std::span<const std::uint8_t> pl)
    {
        if (f.drop != r::Drop::None) {
            if (r::counted(f.drop))
                ++drops[std::string(r::toString(f.drop))];
            return;
        }
        if (f.tunnelsUnfit != 0)
            drops["needs-tunnel-v3"] += static_cast<int>(f.tunnelsUnfit);
        if (f.tunnelsLimited != 0)
            drops["rate-limit-tunnel"] += static_cast<int>(f.tunnelsLimited);
        execute(id, f.effects);
        const dmr::Node &node = topology.at(id);
        for (const std::size_t s : f.segments)
            ++emitted[node.interfaces[s].group()];
        r::Header h = f.header;
        h.ttl = f.ttl;
        h.hop = id;
        for (const auto &peer : f.tunnels)
            send(id, peer, h, pl);
    }
    // Applies `id`'s part of a plan change: its opens, or its closes (make before break).
    void applyPart(const dmr::NodeId &id, const std::vector<dmr::Action> &global, bool opens)
    {
        std::vector<dmr::Action> part;
        std::map<dmr::NodeId, bool> carries;
        for (const auto &a : dmr::actionsFor(global, id))
            if (a.opens() == opens) {
                part.push_back(a);
                if (a.kind == dmr::Action::Kind::OpenTunnel)
                    carries[a.tunnel.root.node == id ? a.tunnel.leaf.node : a.tunnel.root.node] =
                        true;
            }
        auto &e = *engines.at(id);
        execute(id, e.applyPlan(part, carries, 10));
        execute(id, e.rebuild());
        run();
    }
    void run()
    {
        while (!queue.empty()) {
            Msg m = std::move(queue.front());
            queue.pop_front();
            if (dead.count(m.to) != 0)
                continue; // a crashed node: what is sent to it goes nowhere
            m.h.origin = m.origin;
            m.h.hop = m.hop;
            auto &e = engines.at(m.to);
            execute(m.to, e->fromTunnel(m.h, m.payload, m.payload.size(), 0), m.payload);
        }
    }
    // Hosts on `network` listen to `groups` now: every node there knows (they all snoop).
    void listen(const dmr::GroupName &network, std::set<dmr::IpAddress> groups)
    {
        for (auto &[id, e] : engines)
            for (const auto &i : topology.at(id).interfaces)
                if (i.group() == network)
                    execute(id, e->setListening(network, groups));
        run();
    }
    // A datagram an application sends on `network` to `group`: every node there hears it (or
    // only `at`, when given: the others hear it in a later call).
    void inject(const dmr::GroupName &network, std::string_view payload,
                const char *group = "239.1.0.1", const char *source = "10.0.1.3",
                const dmr::NodeId &at = {})
    {
        const auto pl = bytes(payload);
        for (auto &[id, e] : engines) {
            if ((!at.empty() && id != at) || dead.count(id) != 0)
                continue;
            const auto &ifs = topology.at(id).interfaces;
            for (std::size_t i = 0; i < ifs.size(); ++i)
                if (ifs[i].group() == network)
                    execute(id, e->fromSegment(i, v4(source), 40000, v4(group), 5000, pl, false, 0),
                            pl);
        }
        run();
    }
};

const dmr::GroupName A = "10.0.1.0/24";
const dmr::GroupName B = "10.0.2.0/24";
const dmr::GroupName C = "10.0.3.0/24";

// Fig. 5's nodes, not joined yet.
Mesh fig5Nodes(bool prune)
{
    return Mesh({{"1", {"10.0.1.1/24", "10.0.3.1/24"}},
                 {"2", {"10.0.1.2/24"}},
                 {"3", {"10.0.1.3/24"}},
                 {"4", {"10.0.2.4/24", "10.0.3.4/24"}},
                 {"5", {"10.0.2.5/24"}},
                 {"6", {"10.0.2.6/24"}}},
                prune);
}

// Fig. 5, joined 2 6 4 1 3 5, every node pruning.
Mesh fig5Pruned()
{
    Mesh m = fig5Nodes(true);
    // Every node's tables are complete, and nobody listens yet (a network without word of its
    // listeners wants every group: pruneNoWordFloods).
    for (const auto &n : {A, B, C})
        m.listen(n, {});
    m.join({"2", "6", "4", "1", "3", "5"});
    return m;
}

// Fig. 5, joined 2 6 4 1 3 5: 2 leads A and is the system leader, 6 leads B, 4 leads C.
Mesh fig5()
{
    Mesh m = fig5Nodes(false);
    m.join({"2", "6", "4", "1", "3", "5"});
    return m;
}

// Six nodes, two on each network; joined 5 3 2 4 1 6: 5 leads B and is the system leader,
// 3 leads C, 4 leads A. Then 3 crashes while 5 is drained: 4 becomes the system leader, 2
// leads B and 6 leads C. Every node applies its opens, then its closes; 5 lingers as the
// hub of the tunnels it rooted, since 3 never releases it.
struct Handover
{
    Mesh m{{{"1", {"10.0.1.1/24"}},
            {"2", {"10.0.2.2/24"}},
            {"3", {"10.0.3.3/24"}},
            {"4", {"10.0.1.4/24"}},
            {"5", {"10.0.2.5/24"}},
            {"6", {"10.0.3.6/24"}}}};
    dmr::ClusterModel model{m.topology};
    void change(const std::function<void()> &what, const std::vector<dmr::NodeId> &order)
    {
        const auto before = model.plan();
        what();
        const auto global = dmr::diffPlans(before, model.plan());
        for (const auto &id : order)
            m.applyPart(id, global, true);
        for (const auto &id : order)
            m.applyPart(id, global, false);
    }
    Handover()
    {
        const std::vector<dmr::NodeId> order{"5", "3", "2", "4", "1", "6"};
        for (const auto &id : order)
            QVERIFY(model.join(id));
        m.join(order);
        m.dead.insert("3");
        change(
            [&] {
                QVERIFY(model.fail("3"));
                QVERIFY(model.drain("5"));
            },
            {"4", "2", "6", "1", "5"});
        QCOMPARE(model.plan().election.systemLeader.value_or(""), dmr::NodeId("4"));
        QVERIFY(m.engines.at("5")->lingering());
        QVERIFY(m.engines.at("4")->tunnels().at("5").phase == r::TunnelPhase::Released);
    }
};

} // namespace

class TestRelay : public QObject
{
    Q_OBJECT

private slots:
    // The tunnel formats: this build's list, a peer's from its meta (or its age), the newest
    // common one.
    void tunnelVersionNegotiation()
    {
        using dmr::relay::kTunnelVersion;
        const auto ours = dmr::relay::tunnelVersions();
        QCOMPARE(ours.front(), int{dmr::relay::kTunnelVersionMin});
        QCOMPARE(ours.back(), int{kTunnelVersion});
        QCOMPARE(dmr::relay::tunnelVersionsOf(std::nullopt, true), std::vector<int>{2});
        QCOMPARE(dmr::relay::tunnelVersionsOf(std::nullopt, false), std::vector<int>{1});
        QCOMPARE(dmr::relay::tunnelVersionsOf(std::vector<int>{-1, 0, 2, 256, 3}, true),
                 (std::vector<int>{2, 3}));
        QCOMPARE(dmr::relay::tunnelVersionWith({kTunnelVersion, kTunnelVersion + 1}),
                 std::optional<int>(kTunnelVersion));
        QCOMPARE(dmr::relay::tunnelVersionWith({kTunnelVersion + 1}), std::optional<int>());
        QCOMPARE(dmr::relay::tunnelVersionWith({1}), std::optional<int>());
        QCOMPARE(dmr::relay::tunnelVersionWith({}), std::optional<int>());
    }

    void channelRanges_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical"); // or the error
        QTest::addColumn<bool>("ok");
        QTest::newRow("range") << "239.1.0.0/16:5000-5100"
                               << "239.1.0.0/16:5000-5100" << true;
        QTest::newRow("one") << "239.1.2.3:5000"
                             << "239.1.2.3/32:5000" << true;
        QTest::newRow("not multicast")
            << "10.0.0.0/8:5000"
            << "\"10.0.0.0/8:5000\": 10.0.0.0 is not a multicast group (224.0.0.0/4)" << false;
        QTest::newRow("host bits")
            << "239.1.0.1/16:5000"
            << "\"239.1.0.1/16:5000\": 239.1.0.1/16 has host bits set" << false;
        QTest::newRow("no port")
            << "239.1.0.0/16"
            << "\"239.1.0.0/16\": expected GROUP[/LEN]:PORT[-PORT], as in 239.1.0.0/16:5000-5100 "
               "or ff15::1:0/112:5000-5100"
            << false;
        QTest::newRow("backwards")
            << "239.1.0.0/16:5100-5000"
            << "\"239.1.0.0/16:5100-5000\": port range 5100-5000 ends before it starts" << false;
        QTest::newRow("port 0") << "239.1.0.0/16:0"
                                << "\"239.1.0.0/16:0\": port 0 is out of range 1-65535" << false;
        QTest::newRow("v6 range") << "ff15::1:0/112:5000-5100"
                                  << "ff15::1:0/112:5000-5100" << true;
        QTest::newRow("v6 bracketed") << "[ff15::1]:5000"
                                      << "ff15::1/128:5000" << true;
        QTest::newRow("v6 last colon is the port") << "ff0e::1:7:5000"
                                                   << "ff0e::1:7/128:5000" << true;
        QTest::newRow("v6 link-local scope")
            << "ff02::1:5000"
            << "\"ff02::1:5000\": ff02::1 has link-local scope (ff02::/16): it never leaves its "
               "link, so no router forwards it"
            << false;
        QTest::newRow("v6 interface-local scope")
            << "ff01::1:5000"
            << "\"ff01::1:5000\": ff01::1 has interface-local scope (ff01::/16): it never leaves "
               "the host, so no router forwards it"
            << false;
        QTest::newRow("v6 reserved scope")
            << "ff10::1:5000"
            << "\"ff10::1:5000\": ff10::1 has reserved scope 0 (RFC 4291)" << false;
        QTest::newRow("v6 range wider than a scope")
            << "ff00::/8:5000"
            << "\"ff00::/8:5000\": prefix length \"8\" is not a number from 16 to 128 (an IPv6 "
               "range must fix the scope)"
            << false;
        QTest::newRow("v6 not multicast")
            << "fd00::1:5000"
            << "\"fd00::1:5000\": fd00::1 is not a multicast group (ff00::/8)" << false;
    }
    void channelRanges()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QFETCH(bool, ok);
        auto c = r::ChannelRange::parse(text.toStdString());
        QCOMPARE(c.ok(), ok);
        QCOMPARE(QString::fromStdString(ok ? c->toString() : c.error().message), canonical);
    }

    void channelMatch()
    {
        const std::vector<r::ChannelRange> ranges = {
            *r::ChannelRange::parse("239.1.0.0/16:5000-5100"),
            *r::ChannelRange::parse("239.9.9.9:7000")};
        QCOMPARE(r::matchChannel(ranges, v4("239.1.200.7"), 5000), std::optional<std::size_t>(0));
        QCOMPARE(r::matchChannel(ranges, v4("239.1.200.7"), 5100), std::optional<std::size_t>(0));
        QVERIFY(!r::matchChannel(ranges, v4("239.1.200.7"), 5101));
        QVERIFY(!r::matchChannel(ranges, v4("239.2.0.1"), 5000));
        QCOMPARE(r::matchChannel(ranges, v4("239.9.9.9"), 7000), std::optional<std::size_t>(1));
        QCOMPARE(ranges[0].groupCount(), std::uint64_t{65536});
        auto ch = r::Channel::parse("239.255.77.1:7699");
        QVERIFY(ch.ok());
        QCOMPARE(QString::fromStdString(ch->toString()), QStringLiteral("239.255.77.1:7699"));
        QVERIFY(!r::Channel::parse("239.255.77.1").ok());

        // IPv6: a group matches only a range of its family.
        const std::vector<r::ChannelRange> both = {*r::ChannelRange::parse("239.1.0.0/16:5000"),
                                                   *r::ChannelRange::parse("ff15::1:0/112:5000")};
        QCOMPARE(r::matchChannel(both, v4("ff15::1:ab"), 5000), std::optional<std::size_t>(1));
        QVERIFY(!r::matchChannel(both, v4("ff15::2:ab"), 5000));
        QVERIFY(!r::matchChannel(both, v4("ff02::1:ab"), 5000));
        QCOMPARE(r::matchChannel(both, v4("239.1.0.9"), 5000), std::optional<std::size_t>(0));
        QCOMPARE(both[1].groupCount(), std::uint64_t{65536});
        QCOMPARE(r::ChannelRange::parse("ff15::/16:5000")->groupCount(),
                 std::uint64_t{1} << 63); // capped
        auto ch6 = r::Channel::parse("[ff15::4d01]:7699");
        QVERIFY(ch6.ok());
        QCOMPARE(QString::fromStdString(ch6->toString()), QStringLiteral("[ff15::4d01]:7699"));
        QCOMPARE(r::Channel::parse("ff15::4d01:7699")->group, v4("ff15::4d01"));
        QVERIFY(!r::Channel::parse("[ff02::1]:7699").ok());
    }

    void wireRoundTrip()
    {
        r::Header h = dataHeader("node-2", 0x0102030405060708ULL);
        h.hop = "6";
        h.ttl = 3;
        h.epoch = 0x1111222233334444ULL;
        h.hopEpoch = 0xA1A2A3A4A5A6A7A8ULL;
        h.receiverEpoch = 0xB1B2B3B4B5B6B7B8ULL;
        h.hopSequence = 0xC1C2C3C4C5C6C7C8ULL;
        h.flags = r::kFlagEncrypted;
        const auto payload = bytes("hello, network B");
        std::vector<std::uint8_t> buf(r::kTunnelDatagramBytesMax);
        const std::size_t n = r::encode(h, payload, buf);
        QCOMPARE(n, r::kFixedHeaderBytes + 6 + 1 + payload.size() + r::kTagBytes);
        QCOMPARE(n, r::datagramBytes(h, payload.size()));
        auto d = r::decode(std::span(buf.data(), n));
        QVERIFY(std::holds_alternative<r::Decoded>(d));
        const auto &dec = std::get<r::Decoded>(d);
        QVERIFY(dec.header == h);
        QCOMPARE(dec.version, int{r::kTunnelVersion});
        {
            // Version 3 (a peer of the release before) has the same layout, without wants.
            std::vector<std::uint8_t> v3(r::kTunnelDatagramBytesMax);
            QCOMPARE(r::encode(h, payload, v3, 3), n);
            const auto d3 = r::decode(std::span(v3.data(), n));
            QVERIFY(std::holds_alternative<r::Decoded>(d3));
            QCOMPARE(std::get<r::Decoded>(d3).version, 3);
            QVERIFY(std::get<r::Decoded>(d3).header == h);
        }
        QCOMPARE(std::vector<std::uint8_t>(dec.payload.begin(), dec.payload.end()), payload);
        QCOMPARE(dec.headerBytes, r::kFixedHeaderBytes + 7);
        QCOMPARE(dec.tag.size(), r::kTagBytes);
        QCOMPARE(dec.tag.data(), buf.data() + n - r::kTagBytes);
        // The tag is left to the sealer: zeros.
        QVERIFY(std::all_of(dec.tag.begin(), dec.tag.end(), [](auto b) { return b == 0; }));
        // Fixed offsets, big-endian, as the header comment says (version 4, IPv4).
        QCOMPARE(buf[0], std::uint8_t('D'));
        QCOMPARE(buf[2], std::uint8_t(4));
        QCOMPARE(buf[2], r::kTunnelVersion);
        QCOMPARE(buf[3], std::uint8_t(1));
        QCOMPARE(buf[4], std::uint8_t(3));
        QCOMPARE(buf[8], r::kFlagEncrypted);
        QCOMPARE(buf[9], std::uint8_t(4));     // family
        QCOMPARE(buf[12], std::uint8_t(0x11)); // origin epoch
        QCOMPARE(buf[20], std::uint8_t(1));    // origin sequence
        QCOMPARE(buf[27], std::uint8_t(8));
        QCOMPARE(buf[28], std::uint8_t(0xA1)); // hop epoch
        QCOMPARE(buf[36], std::uint8_t(0xB1)); // receiver epoch
        QCOMPARE(buf[44], std::uint8_t(0xC1)); // hop sequence
        QCOMPARE(buf[51], std::uint8_t(0xC8));
        QCOMPARE(buf[52], std::uint8_t(40000 >> 8)); // source port
        QCOMPARE(buf[54], std::uint8_t(5000 >> 8));  // port
        QCOMPARE(buf[56], std::uint8_t(10));         // origin network 10.0.1.0
        QCOMPARE(buf[63], std::uint8_t(3));          // source 10.0.1.3
        QCOMPARE(buf[64], std::uint8_t(239));        // group 239.1.0.1
        QCOMPARE(buf[68], std::uint8_t('n'));        // the ids
        QCOMPARE(buf[74], std::uint8_t('6'));

        // Version 2, what a peer of the release before speaks: IPv4, the old order.
        const std::size_t n2 = r::encode(h, payload, buf, 2);
        QCOMPARE(n2, n);
        QCOMPARE(buf[2], std::uint8_t(2));
        QCOMPARE(buf[9], std::uint8_t(0));
        QCOMPARE(buf[12], std::uint8_t(10));   // origin network
        QCOMPARE(buf[24], std::uint8_t(239));  // group
        QCOMPARE(buf[28], std::uint8_t(0x11)); // origin epoch
        QCOMPARE(buf[36], std::uint8_t(1));    // origin sequence
        QCOMPARE(buf[44], std::uint8_t(0xA1)); // hop epoch
        QCOMPARE(buf[52], std::uint8_t(0xB1)); // receiver epoch
        QCOMPARE(buf[60], std::uint8_t(0xC1)); // hop sequence
        QCOMPARE(buf[68], std::uint8_t('n'));
        auto d2 = r::decode(std::span(buf.data(), n2));
        QVERIFY(std::holds_alternative<r::Decoded>(d2));
        QVERIFY(std::get<r::Decoded>(d2).header == h);
        QCOMPARE(std::get<r::Decoded>(d2).version, 2);
        r::setHopFields(std::span(buf.data(), n2), 1, 2, 3);
        QCOMPARE(std::get<r::Decoded>(r::decode(std::span(buf.data(), n2))).header.hopSequence,
                 std::uint64_t{3});

        // IPv6: 16-byte addresses, a 104-byte fixed part; never in version 2.
        r::Header h6 = h;
        h6.originNetwork = v4("fd00:1::");
        h6.originPrefixLength = 64;
        h6.source = v4("fd00:1::3");
        h6.group = v4("ff15::1:7");
        const std::size_t n6 = r::encode(h6, payload, buf);
        QCOMPARE(n6, r::kFixedHeaderBytesV6 + 7 + payload.size() + r::kTagBytes);
        QCOMPARE(buf[9], std::uint8_t(6));
        QCOMPARE(buf[7], std::uint8_t(64));
        QCOMPARE(buf[56], std::uint8_t(0xfd)); // origin network
        QCOMPARE(buf[72], std::uint8_t(0xfd)); // source
        QCOMPARE(buf[88], std::uint8_t(0xff)); // group
        QCOMPARE(buf[103], std::uint8_t(7));
        QCOMPARE(buf[104], std::uint8_t('n')); // the ids
        QCOMPARE(buf[28], std::uint8_t(0xA1)); // hop fields where IPv4's are
        auto d6 = r::decode(std::span(buf.data(), n6));
        QVERIFY(std::holds_alternative<r::Decoded>(d6));
        QVERIFY(std::get<r::Decoded>(d6).header == h6);
        r::setHopFields(std::span(buf.data(), n6), 5, 6, 7);
        const auto &hop6 = std::get<r::Decoded>(r::decode(std::span(buf.data(), n6))).header;
        QCOMPARE(hop6.hopEpoch, std::uint64_t{5});
        QCOMPARE(hop6.receiverEpoch, std::uint64_t{6});
        QCOMPARE(hop6.hopSequence, std::uint64_t{7});
        QVERIFY(!r::versionCarries(2, h6));
        QVERIFY(r::versionCarries(3, h6));
        QCOMPARE(r::encode(h6, payload, buf, 2), std::size_t{0});
        r::Header mixed = h6;
        mixed.source = v4("10.0.1.3"); // one family for the three addresses
        QCOMPARE(r::encode(mixed, payload, buf), std::size_t{0});
        QCOMPARE(r::encode(h, payload, buf, 1), std::size_t{0}); // no version 1

        r::Header k = h;
        k.kind = r::Kind::Keepalive;
        k.flags = 0;
        const std::size_t kn = r::encode(k, {}, buf);
        auto kd = r::decode(std::span(buf.data(), kn));
        QVERIFY(std::holds_alternative<r::Decoded>(kd));
        QVERIFY(std::get<r::Decoded>(kd).header.kind == r::Kind::Keepalive);
        QVERIFY(std::get<r::Decoded>(kd).payload.empty());
    }

    void wireHopFields()
    {
        // A datagram encoded once, then given each tunnel's hop fields in place.
        r::Header h = dataHeader("2", 9);
        const auto payload = bytes("fan out");
        std::vector<std::uint8_t> buf(r::kTunnelDatagramBytesMax);
        const std::size_t n = r::encode(h, payload, buf);
        r::setHopFields(std::span(buf.data(), n), 41, 42, 43);
        auto d = r::decode(std::span(buf.data(), n));
        QVERIFY(std::holds_alternative<r::Decoded>(d));
        r::Header want = h;
        want.hopEpoch = 41;
        want.receiverEpoch = 42;
        want.hopSequence = 43;
        QVERIFY(std::get<r::Decoded>(d).header == want);

        // The nonce: the hop epoch's low 32 bits, then the hop sequence, big-endian.
        const auto nonce = r::tunnelNonce(0xFFFFFFFF01020304ULL, 0x0506070809101112ULL);
        const std::array<std::uint8_t, 12> expected{1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x11, 0x12};
        QVERIFY(nonce == expected);

        // One key per direction and pair of incarnations: the info differs in each.
        const auto info = r::tunnelKeyInfo("2", "6", 100, 200);
        QVERIFY(info != r::tunnelKeyInfo("6", "2", 100, 200));
        QVERIFY(info != r::tunnelKeyInfo("2", "6", 101, 200));
        QVERIFY(info != r::tunnelKeyInfo("2", "6", 100, 201));
        QVERIFY(info != r::tunnelKeyInfo("2", "4", 100, 200));
        // Length-prefixed ids: "2"+"61" is not "26"+"1".
        QVERIFY(r::tunnelKeyInfo("2", "61", 1, 1) != r::tunnelKeyInfo("26", "1", 1, 1));
        const std::string purpose(info.begin(), info.begin() + r::kTunnelKeyPurpose.size());
        QCOMPARE(purpose, std::string(r::kTunnelKeyPurpose));
        QCOMPARE(info.size(), r::kTunnelKeyPurpose.size() + 2 + 2 + 16);
    }

    void wireMalformed()
    {
        r::Header h = dataHeader("2", 1);
        const auto payload = bytes("x");
        std::vector<std::uint8_t> good(r::kTunnelDatagramBytesMax + 16);
        const std::size_t n = r::encode(h, payload, good);
        good.resize(n);
        auto error = [](std::vector<std::uint8_t> b) -> QString {
            auto d = r::decode(b);
            if (auto *e = std::get_if<r::DecodeError>(&d))
                return QString::fromUtf8(r::toString(*e).data(),
                                         static_cast<int>(r::toString(*e).size()));
            return QStringLiteral("ok");
        };
        auto cut = [&](std::size_t bytes) {
            return std::vector<std::uint8_t>(good.begin(), good.begin() + bytes);
        };
        QCOMPARE(error(good), QStringLiteral("ok"));
        QCOMPARE(error({}), QStringLiteral("truncated"));
        QCOMPARE(error(cut(2)), QStringLiteral("truncated"));
        QCOMPARE(error(cut(r::kFixedHeaderBytes - 1)), QStringLiteral("truncated"));
        QCOMPARE(error(cut(r::kFixedHeaderBytes + 1)), QStringLiteral("truncated")); // ids cut
        QCOMPARE(error(cut(n - 2)), QStringLiteral("truncated")); // shorter than header + tag
        QCOMPARE(error(cut(n - r::kTagBytes)), QStringLiteral("truncated")); // no tag at all
        // Cut by as much as its payload: a well-formed datagram whose tag is wrong, for the MAC
        // to refuse (bad-mac), not the decoder.
        QCOMPARE(error(cut(n - 1)), QStringLiteral("ok"));
        auto mutate = [&](std::size_t at, std::uint8_t v) {
            auto b = good;
            b[at] = v;
            return b;
        };
        QCOMPARE(error(mutate(0, 'X')), QStringLiteral("bad-magic"));
        // The version is named however short the rest is: a version 1 agent's keepalive.
        QCOMPARE(error(mutate(2, 1)), QStringLiteral("old-version"));
        QCOMPARE(error({'D', 'R', 1}), QStringLiteral("old-version"));
        QCOMPARE(error(mutate(2, 5)), QStringLiteral("bad-version"));
        QCOMPARE(error(mutate(2, 0)), QStringLiteral("bad-version"));
        QCOMPARE(error(mutate(9, 0)), QStringLiteral("bad-family"));
        QCOMPARE(error(mutate(9, 5)), QStringLiteral("bad-family"));
        // Said to be IPv6: its fixed part would be 104 bytes, longer than this one.
        QCOMPARE(error(mutate(9, 6)), QStringLiteral("truncated"));
        QCOMPARE(error(mutate(3, 9)), QStringLiteral("bad-kind"));
        QCOMPARE(error(mutate(5, 0)), QStringLiteral("bad-id-length"));
        QCOMPARE(error(mutate(6, 65)), QStringLiteral("bad-id-length"));
        QCOMPARE(error(mutate(7, 33)), QStringLiteral("bad-prefix"));
        QCOMPARE(error(mutate(8, 2)), QStringLiteral("bad-flags"));  // an unknown flag
        QCOMPARE(error(mutate(10, 1)), QStringLiteral("bad-flags")); // reserved, not zero
        QCOMPARE(error(mutate(8, r::kFlagEncrypted)), QStringLiteral("ok"));
        auto encryptedKeepalive = mutate(8, r::kFlagEncrypted);
        encryptedKeepalive[3] = static_cast<std::uint8_t>(r::Kind::Keepalive);
        QCOMPARE(error(encryptedKeepalive), QStringLiteral("bad-flags"));
        QCOMPARE(error(mutate(3, 2)), QStringLiteral("oversize")); // a keepalive with a payload
        auto big = good;
        big.resize(r::kFixedHeaderBytes + 2 + r::kPayloadBytesMax + 1 + r::kTagBytes);
        QCOMPARE(error(big), QStringLiteral("oversize"));
        big.resize(big.size() - 1);
        QCOMPARE(error(big), QStringLiteral("ok")); // kPayloadBytesMax exactly

        // The encoder refuses what the decoder would.
        std::vector<std::uint8_t> out(r::kTunnelDatagramBytesMax * 2);
        std::vector<std::uint8_t> tooMuch(r::kPayloadBytesMax + 1);
        QCOMPARE(r::encode(h, tooMuch, out), std::size_t{0});
        r::Header noId = h;
        noId.origin = "";
        QCOMPARE(r::encode(noId, payload, out), std::size_t{0});
        const std::string longId(65, 'n');
        r::Header longHop = h;
        longHop.hop = longId;
        QCOMPARE(r::encode(longHop, payload, out), std::size_t{0});
        r::Header badFlags = h;
        badFlags.flags = 0x80;
        QCOMPARE(r::encode(badFlags, payload, out), std::size_t{0});
        r::Header encryptedCarry = h;
        encryptedCarry.kind = r::Kind::Carry;
        encryptedCarry.flags = r::kFlagEncrypted;
        QCOMPARE(r::encode(encryptedCarry, r::encodeCarry({}), out), std::size_t{0});
        std::vector<std::uint8_t> small(n - 1); // room for all but the tag's last byte
        QCOMPARE(r::encode(h, payload, small), std::size_t{0});
    }

    void replayWindow()
    {
        using V = r::ReplayWindow::Verdict;
        r::ReplayWindow w;
        QVERIFY(w.check(0) == V::TooOld); // 0 is never sent
        QVERIFY(w.accept(0) == V::TooOld);
        QVERIFY(w.accept(1) == V::Fresh);
        QVERIFY(w.accept(1) == V::Seen);
        QVERIFY(w.accept(3) == V::Fresh);
        QVERIFY(w.check(2) == V::Fresh); // late but inside the window
        QVERIFY(w.check(2) == V::Fresh); // check() alone records nothing
        QVERIFY(w.accept(2) == V::Fresh);
        QVERIFY(w.accept(2) == V::Seen);
        QCOMPARE(w.highest(), std::uint64_t{3});

        // A far-future sequence that only was checked (its MAC did not verify) moves nothing:
        // the real stream goes on.
        const std::uint64_t farFuture = std::uint64_t{1} << 62;
        QVERIFY(w.check(farFuture) == V::Fresh);
        QCOMPARE(w.highest(), std::uint64_t{3});
        QVERIFY(w.accept(4) == V::Fresh);

        // The edge of the window: kSize sequences behind the top are tracked, one more is not.
        const std::uint64_t top = 10 * r::ReplayWindow::kSize;
        QVERIFY(w.accept(top) == V::Fresh);
        QVERIFY(w.check(top - r::ReplayWindow::kSize + 1) == V::Fresh);
        QVERIFY(w.accept(top - r::ReplayWindow::kSize + 1) == V::Fresh);
        QVERIFY(w.accept(top - r::ReplayWindow::kSize + 1) == V::Seen);
        QVERIFY(w.check(top - r::ReplayWindow::kSize) == V::TooOld);
        QVERIFY(w.check(4) == V::TooOld);

        // An accepted jump (the sender's own, authenticated) moves the window: what is older
        // than kSize behind it is too old, and nothing of the old ring shows through.
        QVERIFY(w.accept(farFuture) == V::Fresh);
        QVERIFY(w.check(top) == V::TooOld);
        for (std::uint64_t s = farFuture - r::ReplayWindow::kSize + 1; s < farFuture; s += 61)
            QVERIFY(w.check(s) == V::Fresh);
        w.reset();
        QCOMPARE(w.highest(), std::uint64_t{0});
        QVERIFY(w.accept(1) == V::Fresh);
    }

    void replayWindowAgainstAModel()
    {
        // Random walks of reordered, repeated and jumping sequences against a plain set: the
        // window says Seen exactly for what was accepted before and is still within kSize of
        // the top, TooOld for what is further behind, Fresh otherwise.
        using V = r::ReplayWindow::Verdict;
        std::mt19937_64 random(7);
        for (int walk = 0; walk < 20; ++walk) {
            r::ReplayWindow w;
            std::set<std::uint64_t> accepted;
            std::uint64_t top = 0;
            std::uint64_t next = 1;
            for (int i = 0; i < 20000; ++i) {
                std::uint64_t s = 0;
                switch (random() % 10) {
                case 0: // a jump ahead
                    next += random() % (3 * r::ReplayWindow::kSize);
                    s = next++;
                    break;
                case 1: // a repeat of something recent
                case 2: // late, reordered
                    s = top > 5000 ? top - random() % 5000 : 1 + random() % (top + 1);
                    break;
                default:
                    s = next++;
                }
                const V want = s > top                             ? V::Fresh
                               : top - s >= r::ReplayWindow::kSize ? V::TooOld
                               : accepted.count(s) != 0            ? V::Seen
                                                                   : V::Fresh;
                QVERIFY2(
                    w.check(s) == want,
                    qPrintable(QStringLiteral("walk %1 step %2 seq %3").arg(walk).arg(i).arg(s)));
                QVERIFY(w.accept(s) == want);
                if (want == V::Fresh) {
                    accepted.insert(s);
                    top = std::max(top, s);
                }
            }
        }
    }

    void fig5ExactlyOnce()
    {
        // A datagram sent on any network reaches every other network exactly once, never its
        // own, and no tunnel carries it twice.
        for (const auto &origin : {A, B, C}) {
            Mesh m = fig5();
            m.tunnelSends = 0;
            m.drops.clear();
            m.inject(origin, "payload");
            for (const auto &n : {A, B, C})
                QCOMPARE(m.emitted[n], n == origin ? 0 : 1);
            QCOMPARE(m.tunnelSends, 2); // leaf->root->other leaf, or root->both leaves
            QVERIFY(m.drops.empty());
        }
    }

    void fig5Ipv6Only()
    {
        // Fig. 5 with IPv6 networks: the same star, carrying IPv6 groups exactly once.
        const dmr::GroupName A6 = "fd00:1::/64", B6 = "fd00:2::/64", C6 = "fd00:3::/64";
        for (const auto &origin : {A6, B6, C6}) {
            Mesh m({{"1", {"fd00:1::1/64", "fd00:3::1/64"}},
                    {"2", {"fd00:1::2/64"}},
                    {"3", {"fd00:1::3/64"}},
                    {"4", {"fd00:2::4/64", "fd00:3::4/64"}},
                    {"5", {"fd00:2::5/64"}},
                    {"6", {"fd00:2::6/64"}}});
            m.join({"2", "6", "4", "1", "3", "5"});
            m.tunnelSends = 0;
            m.inject(origin, "payload", "ff15::1:1", "fd00:1::99");
            for (const auto &n : {A6, B6, C6})
                QCOMPARE(m.emitted[n], n == origin ? 0 : 1);
            QCOMPARE(m.tunnelSends, 2);
            QVERIFY(m.drops.empty());
        }
    }

    void dualStackKeepsFamiliesApart()
    {
        // Each node has an IPv4 and an IPv6 network on its link (two interfaces): an IPv4 group
        // reaches the other IPv4 networks only, an IPv6 group the IPv6 ones; a group of the
        // other family than the network it is heard on is dropped, named.
        const dmr::GroupName A6 = "fd00:1::/64", B6 = "fd00:2::/64";
        auto mesh = [] {
            Mesh m(
                {{"2", {"10.0.1.2/24", "fd00:1::2/64"}}, {"6", {"10.0.2.6/24", "fd00:2::6/64"}}});
            m.join({"2", "6"});
            m.tunnelSends = 0;
            return m;
        };
        Mesh m = mesh();
        m.inject(A, "v4");
        QCOMPARE(m.emitted[B], 1);
        QCOMPARE(m.emitted[B6], 0);
        QCOMPARE(m.emitted[A6], 0);
        m = mesh();
        m.inject(A6, "v6", "ff15::1:1", "fd00:1::99");
        QCOMPARE(m.emitted[B6], 1);
        QCOMPARE(m.emitted[B], 0);
        QCOMPARE(m.emitted[A], 0);
        m = mesh();
        m.inject(A, "v6 on the IPv4 network", "ff15::1:1", "fd00:1::99");
        QCOMPARE(m.emitted[B] + m.emitted[B6] + m.emitted[A6], 0);
        QCOMPARE(m.drops["other-family"], 1);
        QCOMPARE(m.tunnelSends, 0);
        // An IPv4 source of an IPv6 group (a loopback segment) travels IPv4-mapped.
        auto &e2 = *m.engines.at("2");
        const auto pl = bytes("mapped");
        const auto f =
            e2.fromSegment(1, v4("127.0.0.1"), 40000, v4("ff15::1:1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::None);
        QCOMPARE(f.header.source, v4("::ffff:127.0.0.1"));
        QCOMPARE(f.header.originNetwork, v4("fd00:1::"));
        QCOMPARE(f.header.originPrefixLength, std::uint8_t(64));
        // Each segment's probes go on its family's probe channel.
        QCOMPARE(e2.probeChannelOf(0).group, v4("239.255.77.1"));
        QCOMPARE(e2.probeChannelOf(1).group, v4("ff15::4d01"));
    }

    void olderPeerGetsNoIpv6()
    {
        // Node 4 runs the release before (tunnel version 2, IPv4 only): the system leader keeps
        // IPv6 datagrams out of its tunnel, counted as needs-tunnel-v3, and IPv4 ones still go.
        // What stays out is not charged to the tunnel's rate limit (one datagram, no refill
        // within a millisecond): the IPv4 datagram after it still passes into 4's tunnel.
        const dmr::GroupName A6 = "fd00:1::/64", B6 = "fd00:2::/64", C6 = "fd00:3::/64";
        r::RateLimit oneAtATime;
        oneAtATime.datagramsPerS = 1000;
        oneAtATime.burstDatagrams = 1;
        auto mesh = [&](const r::RateLimit &limit) {
            Mesh m({{"2", {"10.0.1.2/24", "fd00:1::2/64"}},
                    {"6", {"10.0.2.6/24", "fd00:2::6/64"}},
                    {"4", {"10.0.3.4/24", "fd00:3::4/64"}}},
                   false, limit);
            for (auto &[id, e] : m.engines)
                for (const auto &peer : {"2", "6", "4"})
                    if (id != peer)
                        e->setPeerVersion(peer, id == "4" || std::string_view(peer) == "4"
                                                    ? 2
                                                    : r::kTunnelVersion);
            m.join({"2", "6", "4"});
            m.tunnelSends = 0;
            return m;
        };
        Mesh m = mesh({});
        m.inject(A6, "v6", "ff15::1:1", "fd00:1::99");
        QCOMPARE(m.emitted[B6], 1);
        QCOMPARE(m.emitted[C6], 0);
        QCOMPARE(m.drops["needs-tunnel-v3"], 1);
        QCOMPARE(m.tunnelSends, 1);
        m.inject(A, "v4");
        QCOMPARE(m.emitted[B], 1);
        QCOMPARE(m.emitted[C], 1);
        // From 4's own IPv6 network nothing can leave (its only tunnel is version 2).
        m.inject(C6, "v6 at 4", "ff15::1:1", "fd00:3::99");
        QCOMPARE(m.emitted[A6] + m.emitted[B6], 1);
        QCOMPARE(m.drops["needs-tunnel-v3"], 2);

        Mesh limited = mesh(oneAtATime);
        auto &root = *limited.engines.at("2");
        const auto pl = bytes("p");
        auto f = root.fromSegment(1, v4("fd00:1::99"), 40000, v4("ff15::1:1"), 5000, pl, false, 1);
        QCOMPARE(f.tunnelsUnfit, 1u);
        QCOMPARE(f.tunnelsLimited, 0u);
        QCOMPARE(std::vector<dmr::NodeId>(f.tunnels.begin(), f.tunnels.end()),
                 std::vector<dmr::NodeId>{"6"});
        f = root.fromSegment(0, v4("10.0.1.9"), 40000, v4("239.1.0.1"), 5000, pl, false, 1);
        QCOMPARE(f.tunnelsUnfit, 0u);
        QCOMPARE(f.tunnelsLimited, 1u); // 6's token went to the IPv6 datagram
        QCOMPARE(std::vector<dmr::NodeId>(f.tunnels.begin(), f.tunnels.end()),
                 std::vector<dmr::NodeId>{"4"});
        // Back on this build's format, 4's tunnel carries IPv6 again.
        root.setPeerVersion("4", r::kTunnelVersion);
        f = root.fromSegment(1, v4("fd00:1::99"), 40000, v4("ff15::1:1"), 5000, pl, false, 2);
        QCOMPARE(f.tunnelsUnfit, 0u);
        QCOMPARE(f.tunnels.size(), 2u);
    }

    void nodeRoutingTwoNetworks()
    {
        // The system leader leads A and C: a datagram on A goes onto C locally, and to B.
        Mesh m({{"2", {"10.0.1.2/24", "10.0.3.2/24"}}, {"6", {"10.0.2.6/24"}}});
        m.join({"2", "6"});
        m.inject(A, "p");
        QCOMPARE(m.emitted[A], 0);
        QCOMPARE(m.emitted[B], 1);
        QCOMPARE(m.emitted[C], 1);
        m.emitted.clear();
        m.inject(B, "p2");
        QCOMPARE(m.emitted[A], 1);
        QCOMPARE(m.emitted[B], 0);
        QCOMPARE(m.emitted[C], 1);
    }

    // Pruning (relay.h, "Pruning"): a group goes only where some network listens to it.
    void pruneNobodyListens()
    {
        // Nobody listens anywhere: the routing point of the origin takes nothing in, no tunnel
        // carries it, no network hears it; the probe channel is never pruned.
        for (const auto &origin : {A, B, C}) {
            Mesh m = fig5Pruned();
            m.tunnelSends = 0;
            m.inject(origin, "payload");
            for (const auto &n : {A, B, C})
                QCOMPARE(m.emitted[n], 0);
            QCOMPARE(m.tunnelSends, 0);
            QCOMPARE(m.drops["not-wanted"], 1);
        }
    }

    void pruneOnlyToListeners_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::addColumn<QStringList>("listening");
        QTest::addColumn<int>("tunnelSends");
        // A (node 2) is the system leader's network; B (6) and C (4) are its leaves.
        QTest::newRow("A to C") << A.c_str() << QStringList{C.c_str()} << 1;
        QTest::newRow("A to B") << A.c_str() << QStringList{B.c_str()} << 1;
        QTest::newRow("A to B and C") << A.c_str() << QStringList{B.c_str(), C.c_str()} << 2;
        QTest::newRow("B to C") << B.c_str() << QStringList{C.c_str()} << 2;
        QTest::newRow("B to A") << B.c_str() << QStringList{A.c_str()} << 1;
        QTest::newRow("C to A and B") << C.c_str() << QStringList{A.c_str(), B.c_str()} << 2;
        QTest::newRow("B to B only") << B.c_str() << QStringList{B.c_str()} << 0;
    }
    void pruneOnlyToListeners()
    {
        QFETCH(QString, origin);
        QFETCH(QStringList, listening);
        QFETCH(int, tunnelSends);
        const auto g = v4("239.1.0.1");
        Mesh m = fig5Pruned();
        for (const auto &n : listening)
            m.listen(n.toStdString(), {g});
        m.tunnelSends = 0;
        m.inject(origin.toStdString(), "payload");
        for (const auto &n : {A, B, C})
            QCOMPARE(m.emitted[n], n != origin.toStdString() && listening.contains(n.c_str()));
        QCOMPARE(m.tunnelSends, tunnelSends);
        // Another group nobody listens to crosses nothing.
        m.tunnelSends = 0;
        m.emitted.clear();
        m.inject(origin.toStdString(), "other", "239.1.0.2");
        QCOMPARE(m.tunnelSends, 0);
        for (const auto &n : {A, B, C})
            QCOMPARE(m.emitted[n], 0);
    }

    void pruneJoinAndLeave()
    {
        // A join pulls the group in (graft), a leave prunes it again: both at once, by the
        // wants deltas in the tunnels.
        const auto g = v4("239.1.0.1");
        Mesh m = fig5Pruned();
        m.inject(A, "before");
        QCOMPARE(m.emitted[C], 0);
        m.listen(C, {g});
        m.tunnelSends = 0;
        m.inject(A, "joined");
        QCOMPARE(m.emitted[C], 1);
        QCOMPARE(m.tunnelSends, 1);
        m.listen(C, {});
        m.tunnelSends = 0;
        m.inject(A, "left");
        QCOMPARE(m.emitted[C], 1);
        QCOMPARE(m.tunnelSends, 0);
        // What the root holds of its leaves' wants, as they said.
        const auto &t2 = m.engines.at("2")->tunnels();
        QVERIFY(t2.at("4").peerWants.wants().has_value());
        QVERIFY(t2.at("4").peerWants.wants()->empty());
        QVERIFY(t2.at("4").prunedPackets >= 1);
    }

    void pruneSystemLeadersOwnNetworks()
    {
        // A listener on the system leader's own network is served without any tunnel.
        const auto g = v4("239.1.0.1");
        Mesh m({{"1", {"10.0.1.1/24", "10.0.2.1/24"}}, {"2", {"10.0.3.2/24"}}}, true);
        for (const auto &n : {A, B, C})
            m.listen(n, {});
        m.join({"1", "2"});
        m.listen(B, {g});
        m.tunnelSends = 0;
        m.inject(A, "payload");
        QCOMPARE(m.emitted[B], 1);
        QCOMPARE(m.emitted[C], 0);
        QCOMPARE(m.tunnelSends, 0);
        // And one on the leaf's network is served by the one tunnel.
        m.listen(C, {g});
        m.inject(A, "again");
        QCOMPARE(m.emitted[B], 2);
        QCOMPARE(m.emitted[C], 1);
        QCOMPARE(m.tunnelSends, 1);
    }

    void pruneWithAPeerThatFloods()
    {
        // Node 4 does not prune (relay.prune = false, or a version-3 peer): it says nothing,
        // so it wants every group, and the root floods to it; the others still prune.
        Mesh m = fig5Pruned();
        Mesh flooding = fig5Nodes(true);
        for (auto &[id, e] : flooding.engines)
            e->setPeerPrunes("4", false);
        r::Engine::Config c = flooding.engines.at("4")->config();
        c.prune = false;
        flooding.engines["4"] = std::make_unique<r::Engine>(c);
        flooding.engines["4"]->setEpoch(7);
        flooding.engines["4"]->setSegments({{C, v4("10.0.3.0"), 24}, {B, v4("10.0.2.0"), 24}});
        // (Node 4's segments in its interfaces' order: eth0 B, eth1 C.)
        flooding.engines["4"]->setSegments({{B, v4("10.0.2.0"), 24}, {C, v4("10.0.3.0"), 24}});
        for (const auto &n : {A, B, C})
            flooding.listen(n, {});
        flooding.join({"2", "6", "4", "1", "3", "5"});
        flooding.tunnelSends = 0;
        flooding.inject(A, "payload");
        QCOMPARE(flooding.tunnelSends, 1); // into 4's tunnel only
        QCOMPARE(flooding.emitted[C], 1);  // 4 emits it: it does not prune
        QCOMPARE(flooding.emitted[B], 0);
        (void)m;
    }

    // What a routing point takes in from each of its networks (Engine::segmentTakesIn, which
    // os mode joins): exactly the groups fromSegment does not drop as not-wanted, following the
    // listeners and the peers' wants; every group while something is not known; none where it
    // does not route.
    void takesInFollowsWants()
    {
        const auto g1 = v4("239.1.0.1"), g2 = v4("239.1.0.2"), g3 = v4("239.1.0.3");
        const auto outside = v4("239.2.0.1"); // no channel range holds it
        const auto six = v4("ff15::1:1");
        Mesh m = fig5Pruned();
        // Checks every node's every segment against what fromSegment decides for a few groups.
        auto agrees = [&](const char *when) {
            for (auto &[id, e] : m.engines) {
                const auto &ifs = m.topology.at(id).interfaces;
                for (std::size_t s = 0; s < ifs.size(); ++s) {
                    const auto takes = e->segmentTakesIn(s);
                    QVERIFY2(takes.has_value(), qPrintable(QString::fromStdString(
                                                    id + " takes every group in: " + when)));
                    if (!e->routesSegment(s))
                        QVERIFY(takes->empty());
                    for (const auto &g : {g1, g2, g3}) {
                        const auto pl = bytes("x");
                        const r::Forward f =
                            e->fromSegment(s, v4("10.0.9.9"), 40000, g, 5000, pl, false, 0);
                        const bool in =
                            f.drop != r::Drop::NotWanted && f.drop != r::Drop::NotRouted;
                        QVERIFY2(in == (takes->count(g) != 0),
                                 qPrintable(QString::fromStdString(
                                     std::string(when) + ": node " + id + " segment " +
                                     std::to_string(s) + " group " + g.toString() +
                                     (in ? " taken in but not joined" : " joined, not taken in"))));
                    }
                    QVERIFY(takes->count(outside) == 0 && takes->count(six) == 0);
                }
            }
        };
        agrees("nobody listens");
        QCOMPARE(m.engines.at("2")->segmentTakesIn(0), std::optional(std::set<dmr::IpAddress>{}));

        const std::uint64_t before = m.engines.at("2")->takesInGeneration();
        m.listen(C, {g1, outside});
        m.listen(B, {g2});
        agrees("C wants g1, B g2");
        QVERIFY(m.engines.at("2")->takesInGeneration() != before);
        // The system leader (A) takes in what its leaves want; B's routing point (6) what the
        // root's side wants (C's g1); C's (node 4, its eth1) what A and B want.
        QCOMPARE(m.engines.at("2")->segmentTakesIn(0), std::optional(std::set{g1, g2}));
        QCOMPARE(m.engines.at("6")->segmentTakesIn(0), std::optional(std::set{g1}));
        QCOMPARE(m.engines.at("4")->segmentTakesIn(1), std::optional(std::set{g2}));
        QCOMPARE(m.engines.at("4")->segmentTakesIn(0), std::optional(std::set<dmr::IpAddress>{}));

        m.listen(A, {g3});
        m.listen(C, {});
        agrees("A wants g3, B g2");
        QCOMPARE(m.engines.at("2")->segmentTakesIn(0), std::optional(std::set{g2}));
        QCOMPARE(m.engines.at("6")->segmentTakesIn(0), std::optional(std::set{g3}));

        // A network whose listeners are not known yet wants every group: so does what its
        // routing point's peers take in.
        for (auto &[id, e] : m.engines)
            for (const auto &i : m.topology.at(id).interfaces)
                if (i.group() == C)
                    m.execute(id, e->setListening(C, std::nullopt));
        m.run();
        QCOMPARE(m.engines.at("2")->segmentTakesIn(0), std::nullopt);
        QCOMPARE(m.engines.at("6")->segmentTakesIn(0), std::nullopt);

        // Without pruning: every group, on a routed segment only.
        Mesh flooding({{"2", {"10.0.1.2/24"}}, {"6", {"10.0.2.6/24"}}, {"5", {"10.0.2.5/24"}}});
        flooding.join({"2", "6", "5"});
        QCOMPARE(flooding.engines.at("2")->segmentTakesIn(0), std::nullopt);
        QCOMPARE(flooding.engines.at("5")->segmentTakesIn(0),
                 std::optional(std::set<dmr::IpAddress>{}));
    }

    void pruneNoWordFloods()
    {
        // A routing point that knows nothing yet of who listens on a network it routes (a new
        // process: its tables complete a while after it starts) wants every group for it, and
        // so gets everything, though the others know nobody listens there. Saying "none" would
        // lose what the network's listeners are sent until its tables complete (found by the
        // rolling upgrade: the first datagram after a drain, when the new group leader was a
        // restarted agent).
        Mesh m = fig5Nodes(true);
        m.listen(A, {});
        m.listen(B, {});
        m.execute("1", m.engines.at("1")->setListening(C, std::set<dmr::IpAddress>{}));
        m.join({"2", "6", "4", "1", "3", "5"}); // 4 leads C and knows nothing of it
        m.tunnelSends = 0;
        m.inject(A, "payload", "239.1.0.1");
        QCOMPARE(m.emitted[C], 1); // by 4
        QCOMPARE(m.emitted[B], 0);
        QCOMPARE(m.tunnelSends, 1); // into 4's tunnel only
        // Its tables complete: nobody there either; then the flood into its tunnel stops.
        m.execute("4", m.engines.at("4")->setListening(C, std::set<dmr::IpAddress>{}));
        m.run();
        m.inject(A, "again", "239.1.0.1");
        QCOMPARE(m.emitted[C], 1);
        QCOMPARE(m.tunnelSends, 1);
    }

    void wantsWire()
    {
        // A full set in pages and deltas: each decodes to what was encoded, and a receiver
        // applies them in order.
        std::set<dmr::IpAddress> many;
        for (int i = 0; i < 300; ++i) {
            std::array<std::uint8_t, 16> b{0xff, 0x15};
            b[14] = static_cast<std::uint8_t>(i >> 8);
            b[15] = static_cast<std::uint8_t>(i);
            many.insert(dmr::IpAddress::v6(b));
        }
        many.insert(v4("239.1.0.9"));
        const auto pages = r::encodeWantsFull(3, many);
        QVERIFY(pages.size() > 1); // 300 IPv6 groups do not fit one 2,048-byte payload
        r::WantsReceiver rx;
        QVERIFY(!rx.wants()); // no word yet: every group
        std::size_t entries = 0;
        for (std::size_t i = 0; i < pages.size(); ++i) {
            QVERIFY(pages[i].size() <= r::kPayloadBytesMax);
            const auto m = r::decodeWants(pages[i]);
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().message.c_str());
            QCOMPARE(m->page, i);
            QCOMPARE(m->last, i + 1 == pages.size());
            entries += m->entries.size();
            QCOMPARE(rx.apply(1, *m), i + 1 == pages.size()); // the set lands with its last page
        }
        QCOMPARE(entries, many.size());
        QVERIFY(rx.wants() && *rx.wants() == many);
        // A delta on the state before it applies; one after a gap does not (the next full set).
        auto delta = r::encodeWantsDelta(4, {v4("239.1.0.10")}, {v4("239.1.0.9")});
        QCOMPARE(delta.size(), std::size_t{1});
        QVERIFY(rx.apply(1, *r::decodeWants(delta[0])));
        QVERIFY(rx.wants()->count(v4("239.1.0.10")) == 1 &&
                rx.wants()->count(v4("239.1.0.9")) == 0);
        QVERIFY(!rx.apply(1, *r::decodeWants(delta[0]))); // again: no change
        const auto gap = r::encodeWantsDelta(7, {v4("239.1.0.11")}, {});
        QVERIFY(!rx.apply(1, *r::decodeWants(gap[0])));
        QVERIFY(rx.wants()->count(v4("239.1.0.11")) == 0);
        // The next full set (the refresh) puts it right.
        const std::set<dmr::IpAddress> now{v4("239.1.0.11")};
        QVERIFY(rx.apply(1, *r::decodeWants(r::encodeWantsFull(7, now)[0])));
        QVERIFY(*rx.wants() == now);
        // Pages out of order: the set waits for the next full set.
        r::WantsReceiver rx2;
        QVERIFY(!rx2.apply(1, *r::decodeWants(pages[1])));
        QVERIFY(!rx2.wants());
        // "Every group", and a restarted peer (a new epoch) wants every group until it speaks.
        QVERIFY(rx.apply(1, *r::decodeWants(r::encodeWantsFull(8, std::nullopt)[0])));
        QVERIFY(!rx.wants());
        QVERIFY(rx.apply(1, *r::decodeWants(r::encodeWantsFull(9, now)[0])));
        QVERIFY(rx.apply(2, *r::decodeWants(delta[0])) || !rx.wants());
        QVERIFY(!rx.wants());
        // A wants datagram in a tunnel: version 4 only.
        r::Header h = dataHeader("4", 1);
        h.kind = r::Kind::Wants;
        std::vector<std::uint8_t> buf(r::kTunnelDatagramBytesMax);
        const auto p0 = r::encodeWantsFull(1, now)[0];
        QVERIFY(r::encode(h, p0, buf, 3) == 0);
        const std::size_t n = r::encode(h, p0, buf, 4);
        QVERIFY(n > 0);
        const auto d = r::decode(std::span(buf).first(n));
        QVERIFY(std::holds_alternative<r::Decoded>(d));
        QVERIFY(std::get<r::Decoded>(d).header.kind == r::Kind::Wants);
        buf[2] = 3; // the same bytes said to be version 3: not a kind it has
        QVERIFY(std::get<r::DecodeError>(r::decode(std::span(buf).first(n))) ==
                r::DecodeError::BadKind);
        buf[2] = 4;
        buf[n - r::kTagBytes - 4] = 10; // the group's first byte: 10.x is no multicast group
        QVERIFY(std::get<r::DecodeError>(r::decode(std::span(buf).first(n))) ==
                r::DecodeError::BadWants);
    }

    void wantsMalformed_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("error");
        auto header = [](std::uint8_t op, std::uint8_t flags, std::uint16_t count,
                         std::uint64_t seq = 1) {
            QByteArray b(14, 0);
            b[0] = static_cast<char>(op);
            b[1] = static_cast<char>(flags);
            for (int i = 0; i < 8; ++i)
                b[4 + i] = static_cast<char>(seq >> (56 - 8 * i));
            b[12] = static_cast<char>(count >> 8);
            b[13] = static_cast<char>(count);
            return b;
        };
        QTest::newRow("short") << QByteArray(5, 0) << "shorter than its header";
        QTest::newRow("op") << header(3, 0, 0) << "op 3";
        QTest::newRow("flags") << header(1, 0x04, 0) << "flags 4";
        QTest::newRow("delta flags") << header(2, 1, 0) << "flags 1";
        QTest::newRow("sequence 0") << header(2, 0, 0, 0) << "sequence 0";
        QTest::newRow("everything with entries")
            << header(1, 3, 1) + QByteArray("\x01\x04\xef\x01\x00\x01", 6) << "every group";
        QTest::newRow("count over bytes")
            << header(2, 0, 2) + QByteArray("\x01\x04\xef\x01\x00\x01", 6) << "entry 1 truncated";
        QTest::newRow("bytes over count")
            << header(2, 0, 0) + QByteArray("\x01", 1) << "1 bytes after the entries";
        QTest::newRow("family") << header(2, 0, 1) + QByteArray("\x01\x05\xef\x01\x00\x01", 6)
                                << "family 5";
        QTest::newRow("action") << header(2, 0, 1) + QByteArray("\x03\x04\xef\x01\x00\x01", 6)
                                << "action 3";
        QTest::newRow("full removes") << header(1, 1, 1) + QByteArray("\x02\x04\xef\x01\x00\x01", 6)
                                      << "a full set removes nothing";
        QTest::newRow("unicast") << header(2, 0, 1) + QByteArray("\x01\x04\x0a\x01\x00\x01", 6)
                                 << "10.1.0.1 is not a multicast group";
    }
    void wantsMalformed()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, error);
        const auto m =
            r::decodeWants(std::span(reinterpret_cast<const std::uint8_t *>(payload.data()),
                                     static_cast<std::size_t>(payload.size())));
        QVERIFY(!m.ok());
        QVERIFY2(QString::fromStdString(m.error().message).contains(error),
                 m.error().message.c_str());
    }

    void carryWire()
    {
        const std::set<dmr::GroupName> nets{B, C, "fd00::/64"};
        // Version 3: both families, each network after its family byte.
        const auto v3 = r::encodeCarry(nets);
        QCOMPARE(v3.size(), std::size_t{1 + 2 * 6 + 18});
        QCOMPARE(r::decodeCarry(v3), std::optional(nets));
        auto wrongFamily = v3;
        wrongFamily[1] = 5;
        QVERIFY(!r::decodeCarry(wrongFamily));
        auto longPrefix = r::encodeCarry({"fd00::/64"});
        longPrefix.back() = 129;
        QVERIFY(!r::decodeCarry(longPrefix));
        QVERIFY(!r::decodeCarry(std::span(v3.data(), v3.size() - 1)));
        // Version 2: IPv4 only, the IPv6 network left out.
        const auto payload = r::encodeCarry(nets, 2);
        QCOMPARE(payload.size(), std::size_t{11}); // count + 2 x 5: the IPv6 network is left out
        QCOMPARE(r::decodeCarry(payload, 2), std::optional(std::set<dmr::GroupName>{B, C}));
        QCOMPARE(r::decodeCarry(r::encodeCarry({})), std::optional(std::set<dmr::GroupName>{}));
        r::Header h = dataHeader("2", 9);
        h.kind = r::Kind::Carry;
        std::vector<std::uint8_t> buf(r::kTunnelDatagramBytesMax);
        const std::size_t n = r::encode(h, payload, buf, 2);
        QVERIFY(n > 0);
        auto d = r::decode(std::span(buf.data(), n));
        QVERIFY(std::holds_alternative<r::Decoded>(d));
        QVERIFY(std::get<r::Decoded>(d).header.kind == r::Kind::Carry);
        QCOMPARE(std::get<r::Decoded>(d).header.sequence, std::uint64_t{9});
        // A count that does not match the bytes, and a prefix length over 32: refused, named.
        auto bad = payload;
        bad[0] = 3;
        QCOMPARE(r::encode(h, bad, buf, 2), n);
        d = r::decode(std::span(buf.data(), n));
        QVERIFY(std::holds_alternative<r::DecodeError>(d));
        QCOMPARE(r::toString(std::get<r::DecodeError>(d)), std::string_view("bad-carry"));
        bad = payload;
        bad[5] = 33;
        QCOMPARE(r::encode(h, bad, buf, 2), n);
        d = r::decode(std::span(buf.data(), n));
        QVERIFY(std::holds_alternative<r::DecodeError>(d));
        QVERIFY(!r::decodeCarry(bad, 2));
        // A version-3 carry with a wrong family byte: refused by the decoder too.
        const std::size_t n3 = r::encode(h, wrongFamily, buf);
        d = r::decode(std::span(buf.data(), n3));
        QVERIFY(std::holds_alternative<r::DecodeError>(d));
        QCOMPARE(r::toString(std::get<r::DecodeError>(d)), std::string_view("bad-carry"));
    }

    void carryBook()
    {
        r::CarryBook book;
        using Ids = std::vector<dmr::NodeId>;
        using Nets = std::set<dmr::GroupName>;
        QCOMPARE(book.update({{"6", {B}}, {"4", {C}}}), (Ids{"4", "6"}));
        QCOMPARE(book.carriedBy("6"), Nets{B});
        QCOMPARE(book.rootCarries({A}), Nets{A});
        // The drain of 6: 4's tunnel lists B too, but B stays with 6 while 6's tunnel lists it.
        QCOMPARE(book.update({{"6", {B}}, {"4", {B, C}}}), Ids{});
        QCOMPARE(book.carriedBy("4"), Nets{C});
        // 6's tunnel closed at the root: B moves to 4 at this point, and only 4 is told.
        QCOMPARE(book.update({{"4", {B, C}}}), Ids{"4"});
        QCOMPARE(book.carriedBy("4"), (Nets{B, C}));
        QVERIFY(book.carriedBy("6").empty());
        // A network two leaves list and nobody carries: the first by id.
        r::CarryBook fresh;
        fresh.update({{"7", {B}}, {"5", {B}}});
        QCOMPARE(fresh.carriedBy("5"), Nets{B});
        // The root takes B over: it emits on B only once no leaf carries it any more.
        QCOMPARE(book.rootCarries({A, B}), Nets{A});
        book.update({{"4", {C}}});
        QCOMPARE(book.rootCarries({A, B}), (Nets{A, B}));
    }

    void forwardingDrops()
    {
        Mesh m = fig5();
        r::Engine &sl = *m.engines.at("2");
        r::Engine &leaf = *m.engines.at("6");
        const auto pl = bytes("x");
        // Heard on a segment another node routes: not this node's, and not a counted drop.
        auto f = m.engines.at("3")->fromSegment(0, v4("10.0.1.9"), 1, v4("239.1.0.1"), 5000, pl,
                                                false, 0);
        QVERIFY(f.drop == r::Drop::NotRouted);
        QVERIFY(!r::counted(f.drop));
        // Not a channel; another relay's emission on a routed network.
        f = sl.fromSegment(0, v4("10.0.1.9"), 1, v4("239.2.0.1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::NotAChannel);
        // (Another datagram than the tunnel's below: heard in a handover window, the same
        // bytes would cancel the tunnel's copy onto A, oldRoutingPointsEmissionIsNotDoubled.)
        f = sl.fromSegment(0, v4("10.0.1.9"), 1, v4("239.1.0.1"), 5000, bytes("y"), true, 0);
        QVERIFY(f.drop == r::Drop::RelayEmission);
        r::Header h = dataHeader("6", 1);
        h.originNetwork = v4("10.0.2.0");
        h.hop = "9";
        QVERIFY(sl.fromTunnel(h, pl, 1, 0).drop == r::Drop::UnknownPeer);
        h.hop = "6";
        h.origin = "2";
        QVERIFY(sl.fromTunnel(h, pl, 1, 0).drop == r::Drop::OriginNotHop);
        h.origin = "6";
        h.ttl = 0;
        QVERIFY(sl.fromTunnel(h, pl, 1, 0).drop == r::Drop::TtlExpired);
        // ttl 1: emitted locally, not forwarded further.
        h.ttl = 1;
        h.sequence = 2;
        f = sl.fromTunnel(h, pl, 1, 0);
        QVERIFY(f.drop == r::Drop::None);
        QCOMPARE(f.segments.size(), std::size_t{1}); // onto A
        QVERIFY(f.tunnels.empty());
        h.ttl = 4;
        h.sequence = 3;
        f = sl.fromTunnel(h, pl, 1, 0);
        QCOMPARE(std::vector<dmr::NodeId>(f.tunnels.begin(), f.tunnels.end()),
                 std::vector<dmr::NodeId>{"4"}); // never back to 6
        QCOMPARE(f.ttl, std::uint8_t(3));
        // The same datagram again: a duplicate.
        QVERIFY(sl.fromTunnel(h, pl, 1, 0).drop == r::Drop::Duplicate);
        // A carry at the root.
        r::Header carry = dataHeader("6", 9);
        carry.kind = r::Kind::Carry;
        QVERIFY(sl.fromTunnel(carry, r::encodeCarry({B}), 1, 0).drop == r::Drop::CarryFromLeaf);
        // A leaf never forwards tunnel to tunnel, and never emits on the origin network; a
        // datagram that came round is its own.
        r::Header down = dataHeader("4", 1);
        down.hop = "2";
        down.originNetwork = v4("10.0.2.0");
        f = leaf.fromTunnel(down, pl, 1, 0);
        QVERIFY(f.drop == r::Drop::None);
        QVERIFY(f.segments.empty());
        QVERIFY(f.tunnels.empty());
        down.origin = "6";
        QVERIFY(leaf.fromTunnel(down, pl, 1, 0).drop == r::Drop::OwnOrigin);
        // A leaf whose root has said nothing yet emits nowhere: dropped before the dedupe
        // window sees it.
        Mesh fresh({{"2", {"10.0.1.2/24"}}, {"6", {"10.0.2.6/24"}}});
        r::Engine &lonely = *fresh.engines.at("6");
        dmr::Tunnel t{{"2", "eth0", *dmr::IpAddress::parse("10.0.1.2")},
                      {"6", "eth0", *dmr::IpAddress::parse("10.0.2.6")},
                      {B}};
        dmr::Action open;
        open.kind = dmr::Action::Kind::OpenTunnel;
        open.tunnel = t;
        (void)lonely.applyPlan({open}, {{"2", true}}, 0);
        (void)lonely.rebuild();
        r::Header first = dataHeader("2", 1);
        QVERIFY(lonely.fromTunnel(first, pl, 1, 0).drop == r::Drop::NotCarried);
    }

    void tunnelLifecycle()
    {
        // The named phases of a tunnel, at both ends, through a drain of the system leader 2
        // in Fig. 5: every node opens its part first, then the new system leader closes its
        // leaf end, then the old one, then the others.
        Mesh m = fig5();
        using P = r::TunnelPhase;
        dmr::ClusterModel model(m.topology);
        for (const auto &id : {"2", "6", "4", "1", "3", "5"})
            QVERIFY(model.join(id));
        const auto before = model.plan();
        QVERIFY(model.drain("2"));
        const auto after = model.plan();
        const auto global = dmr::diffPlans(before, after);
        const dmr::NodeId sl = after.election.systemLeader.value_or("");
        QCOMPARE(sl, dmr::NodeId("6")); // GL_group 6 4 1 once 2 left
        auto apply = [&](const dmr::NodeId &id, bool opens) { m.applyPart(id, global, opens); };
        for (const auto &id : {"1", "4", "6", "2"})
            apply(id, true); // make: every open first
        const auto &old = m.engines.at("2")->tunnels();
        QVERIFY(old.at("6").phase == P::Open);
        QVERIFY(old.at("4").phase == P::Open);
        // The new root closes its leaf end: it roots tunnels itself, so it releases 2 at once.
        apply("6", false);
        QVERIFY(m.engines.at("6")->tunnels().at("2").phase == P::Released);
        QVERIFY(old.at("6").leafReleased);
        // The old root's plan takes its last tunnels: it stays their hub while 4 has not
        // released it.
        apply("2", false);
        QVERIFY(m.engines.at("2")->lingering());
        QVERIFY(old.at("4").phase == P::Lingering);
        QVERIFY(!old.at("4").leafReleased);
        // 4 closes its end: a newer root (6) said what it carries, so it releases 2 too; 2's
        // linger ends: its farewells, and every tunnel of it is gone at both ends.
        apply("4", false);
        apply("1", false);
        QVERIFY(!m.engines.at("2")->lingering());
        QVERIFY(m.engines.at("2")->tunnels().empty());
        for (const auto &id : {"1", "4", "6"})
            QVERIFY(m.engines.at(id)->tunnels().count("2") == 0);
        for (const auto &origin : {A, B, C}) {
            m.emitted.clear();
            m.inject(origin, "after " + origin);
            for (const auto &n : {A, B, C})
                QCOMPARE(m.emitted[n], n == origin ? 0 : 1);
        }
    }

    void newRootFansOutTheNewRoutingPointsCopy()
    {
        // The lingering old root still takes B in and sends it to the new root 4 (its released
        // leaf), which emits it onto A; the new routing point of B (2) takes the same datagram
        // in and sends it to 4, a cross-origin copy. 4 must still fan that copy out to its other
        // leaf (6, on C), which the old root does not reach: dropping it lost the datagram on C
        // (seen by tst_core_relay_sim in 51 of 10,000 seeds).
        Handover h;
        h.m.emitted.clear();
        h.m.inject(B, "from B", "239.1.0.1", "10.0.2.9", "5"); // the old root's copy first
        h.m.inject(B, "from B", "239.1.0.1", "10.0.2.9", "2");
        QCOMPARE(h.m.emitted[A], 1);
        QCOMPARE(h.m.emitted[C], 1);
        QCOMPARE(h.m.emitted[B], 0);
        // In the other order, 4 fans out the new routing point's copy and drops the old root's.
        h.m.emitted.clear();
        h.m.inject(B, "again", "239.1.0.1", "10.0.2.9", "2");
        h.m.inject(B, "again", "239.1.0.1", "10.0.2.9", "5");
        QCOMPARE(h.m.emitted[A], 1);
        QCOMPARE(h.m.emitted[C], 1);
    }

    void oldRoutingPointsEmissionIsNotDoubled()
    {
        // 5 leads A and B alone and emits between them itself. Drained, it hands A to 4 and B to
        // 3 (the system leader, 4 its leaf), and until its closes it still routes both. A
        // datagram on A reaches 5 and 4 at once: 5 emits it onto B, and 4's copy comes to 3
        // through the tunnel. 3 heard 5's emission on B, so it does not emit the copy there again
        // (both landed on B in 989 of 10,000 seeds of tst_core_relay_sim's DMR_RELAY_WIDE run).
        Mesh m({{"5", {"10.0.1.5/24", "10.0.2.5/24"}},
                {"3", {"10.0.2.3/24"}},
                {"4", {"10.0.1.4/24", "10.0.2.4/24"}}});
        dmr::ClusterModel model(m.topology);
        const std::vector<dmr::NodeId> order{"5", "3", "4"};
        for (const auto &id : order)
            QVERIFY(model.join(id));
        m.join(order);
        const auto before = model.plan();
        QVERIFY(model.drain("5"));
        QCOMPARE(model.plan().election.systemLeader.value_or(""), dmr::NodeId("3"));
        const auto global = dmr::diffPlans(before, model.plan());
        for (const auto &id : order)
            m.applyPart(id, global, true); // the opens: 5 still routes A and B
        auto &e3 = *m.engines.at("3");
        const auto relayed = [&](std::string_view payload) {
            const auto pl = bytes(payload);
            return e3.fromSegment(0, v4("10.0.2.5"), 5001, v4("239.1.0.1"), 5000, pl, true, 20);
        };
        m.emitted.clear();
        m.inject(A, "on A", "239.1.0.1", "10.0.1.9", "5");
        QCOMPARE(m.emitted[B], 1);
        QVERIFY(relayed("on A").drop == r::Drop::RelayEmission); // 3 hears 5's emission on B
        m.inject(A, "on A", "239.1.0.1", "10.0.1.9", "4");
        QCOMPARE(m.emitted[B], 1);
        // One heard emission cancels one copy: the same bytes sent again (5 did not emit them
        // this time) reach B through the tunnel.
        m.inject(A, "on A", "239.1.0.1", "10.0.1.9", "4");
        QCOMPARE(m.emitted[B], 2);
        // Another group or payload is another datagram.
        QVERIFY(relayed("other").drop == r::Drop::RelayEmission);
        m.inject(A, "on A", "239.1.0.1", "10.0.1.9", "4");
        QCOMPARE(m.emitted[B], 3);
    }

    void releasedLeafEmitsOnlyWhatItRoutes()
    {
        // Then 4's adapter fails (1 leads A, 6 is the system leader) and comes back (it rejoins
        // last: 1 still leads A). The old root 5 still lingers on the dead 3 and sends what it
        // takes in on B to 4: 4 must not emit it onto A, which 1 routes now and gets from 2
        // through 6 (emitting it there doubled it: 14 of 10,000 seeds).
        Handover h;
        h.change([&] { QVERIFY(h.model.failAdapter("4", "eth0")); }, {"2", "1", "6", "4"});
        h.change([&] { QVERIFY(h.model.restoreAdapter("4", "eth0")); }, {"2", "1", "6", "4"});
        QCOMPARE(h.model.plan().election.systemLeader.value_or(""), dmr::NodeId("6"));
        QVERIFY(h.m.engines.at("5")->lingering());
        h.m.emitted.clear();
        h.m.inject(B, "from B", "239.1.0.1", "10.0.2.9", "5");
        h.m.inject(B, "from B", "239.1.0.1", "10.0.2.9", "2");
        QCOMPARE(h.m.emitted[A], 1);
        QCOMPARE(h.m.emitted[C], 1);
        QCOMPARE(h.m.emitted[B], 0);
    }

    void dedupeSequences()
    {
        r::DedupeWindow w(2, 64, 500);
        const auto p = bytes("x");
        using V = r::DedupeWindow::Verdict;
        auto h = dataHeader("2", 10);
        QVERIFY(w.check(h, p, 0) == V::Fresh);
        QVERIFY(w.check(h, p, 0) == V::Duplicate);
        h.sequence = 9; // late but inside the window
        QVERIFY(w.check(h, bytes("y"), 0) == V::Fresh);
        QVERIFY(w.check(h, bytes("y"), 0) == V::Duplicate);
        h.sequence = 10 + r::DedupeWindow::kSequenceWindow + 5;
        QVERIFY(w.check(h, bytes("z"), 0) == V::Fresh);
        h.sequence = 10; // now older than the window
        QVERIFY(w.check(h, bytes("w"), 0) == V::Stale);
        // A restarted origin (new epoch) starts a new sequence space.
        h.epoch = 8;
        h.sequence = 1;
        QVERIFY(w.check(h, bytes("v"), 0) == V::Fresh);
        // Bounded: a third origin evicts the least recently seen.
        auto h3 = dataHeader("3", 1);
        auto h4 = dataHeader("4", 1);
        QVERIFY(w.check(h3, bytes("a3"), 0) == V::Fresh);
        QVERIFY(w.check(h4, bytes("a4"), 0) == V::Fresh);
        QCOMPARE(w.origins(), std::size_t{2});
    }

    void dedupeCrossOrigin()
    {
        r::DedupeWindow w(16, 256, 500);
        using V = r::DedupeWindow::Verdict;
        const auto p = bytes("same payload");
        // The same datagram ingested by 2 and by 1 (both routed A for a moment).
        QVERIFY(w.check(dataHeader("2", 5), p, 1000) == V::Fresh);
        QVERIFY(w.check(dataHeader("1", 77), p, 1100) == V::CrossOrigin);
        // The same content again from the same ingress is a new datagram (an application may
        // send the same bytes twice).
        QVERIFY(w.check(dataHeader("2", 6), p, 1200) == V::Fresh);
        // Outside the window it is new.
        QVERIFY(w.check(dataHeader("1", 78), p, 2000) == V::Fresh);
        // Another source port is another datagram.
        auto other = dataHeader("3", 1);
        other.sourcePort = 40001;
        QVERIFY(w.check(other, p, 2001) == V::Fresh);
    }

    void dedupeCrossOriginBurst()
    {
        // A handover burst: one routing point's copies of many datagrams arrive before the
        // other's. With a single bucket of kWays entries, every one of kWays datagrams still
        // finds its match (one entry per slot used to lose matches to collisions: 2.4% of
        // 10-datagram bursts in a 4,096-slot table); the (kWays+1)-th evicts the oldest.
        constexpr std::size_t kWays = r::DedupeWindow::kWays;
        r::DedupeWindow w(16, kWays, 500);
        using V = r::DedupeWindow::Verdict;
        std::vector<std::vector<std::uint8_t>> payloads;
        for (std::size_t i = 0; i <= kWays; ++i)
            payloads.push_back(bytes("burst " + std::to_string(i)));
        for (std::size_t i = 0; i < kWays; ++i)
            QVERIFY(w.check(dataHeader("6", 1 + i), payloads[i], 1000 + int(i)) == V::Fresh);
        for (std::size_t i = 0; i < kWays; ++i)
            QVERIFY(w.check(dataHeader("4", 1 + i), payloads[i], 1010) == V::CrossOrigin);
        QVERIFY(w.check(dataHeader("6", 100), payloads[kWays], 1011) == V::Fresh);
        QVERIFY(w.check(dataHeader("4", 100), payloads[0], 1012) == V::Fresh); // the oldest: gone
        QVERIFY(w.check(dataHeader("4", 101), payloads[kWays], 1012) == V::CrossOrigin);
        // In a full-size table a long burst keeps every match.
        r::DedupeWindow big;
        int lost = 0;
        for (int round = 0; round < 50; ++round) {
            for (int i = 0; i < 64; ++i) {
                auto h = dataHeader("6", static_cast<std::uint64_t>(round * 64 + i + 1));
                h.sourcePort = static_cast<std::uint16_t>(30000 + round);
                QVERIFY(big.check(h, bytes("b" + std::to_string(i)), round * 1000) == V::Fresh);
            }
            for (int i = 0; i < 64; ++i) {
                auto h = dataHeader("4", static_cast<std::uint64_t>(round * 64 + i + 1));
                h.sourcePort = static_cast<std::uint16_t>(30000 + round);
                lost += big.check(h, bytes("b" + std::to_string(i)), round * 1000) == V::Fresh;
            }
        }
        QCOMPARE(lost, 0);
    }

    void loopbackSegments()
    {
        const auto a = r::loopbackSegment("fig5", A);
        const auto b = r::loopbackSegment("fig5", B);
        const auto a2 = r::loopbackSegment("other", A);
        QVERIFY(a.group != b.group || a.port != b.port);
        QVERIFY(a.group != a2.group || a.port != a2.port);
        QCOMPARE(a.group >> 16, std::uint32_t{0xEFFF}); // 239.255.x.y
        QVERIFY(a.port >= 20000 && a.port < 40000);
        QCOMPARE(r::loopbackSegment("fig5", A).group, a.group); // deterministic

        std::vector<std::uint8_t> buf(64);
        const auto payload = bytes("data");
        const std::size_t n = r::encodeSegmentFrame(v4("239.1.0.1"), 5000, 4242, payload, buf);
        QCOMPARE(n, r::kSegmentHeaderBytes + 4);
        auto f = r::decodeSegmentFrame(std::span(buf.data(), n));
        QVERIFY(f);
        QCOMPARE(f->group, v4("239.1.0.1"));
        QCOMPARE(f->port, std::uint16_t(5000));
        QCOMPARE(f->sourcePort, std::uint16_t(4242));
        QCOMPARE(f->payload.size(), std::size_t{4});
        QCOMPARE(buf[2], std::uint8_t(1)); // IPv4: the frame every release speaks
        buf[0] = 'X';
        QVERIFY(!r::decodeSegmentFrame(std::span(buf.data(), n)));
        QVERIFY(!r::decodeSegmentFrame(std::span(buf.data(), 5)));

        // IPv6 channels: version 2 frames, 24 bytes of header.
        const std::size_t n6 =
            r::encodeSegmentFrame(v4("ff15::1:7"), 5000, 4242, payload, buf, true);
        QCOMPARE(n6, r::kSegmentHeaderBytesV6 + 4);
        QCOMPARE(buf[2], std::uint8_t(2));
        auto f6 = r::decodeSegmentFrame(std::span(buf.data(), n6));
        QVERIFY(f6);
        QCOMPARE(f6->group, v4("ff15::1:7"));
        QCOMPARE(f6->port, std::uint16_t(5000));
        QCOMPARE(f6->sourcePort, std::uint16_t(4242));
        QVERIFY(f6->relayed);
        QCOMPARE(f6->payload.size(), std::size_t{4});
        QVERIFY(!r::decodeSegmentFrame(std::span(buf.data(), r::kSegmentHeaderBytesV6 - 1)));
        buf[2] = 3;
        QVERIFY(!r::decodeSegmentFrame(std::span(buf.data(), n6)));
    }

    void probes()
    {
        r::Probe p{"node-5", v4("10.0.2.0"), 24, 99, 1234};
        auto b = r::encodeProbe(p);
        auto back = r::decodeProbe(b);
        QVERIFY(back);
        QVERIFY(*back == p);
        b.push_back(0);
        QVERIFY(!r::decodeProbe(b)); // length must match the id
        QVERIFY(!r::decodeProbe(bytes("DP")));
        QCOMPARE(r::encodeProbe(p)[2], std::uint8_t(1));

        r::Probe p6{"node-5", v4("fd00:2::"), 64, 99, 1234};
        auto b6 = r::encodeProbe(p6);
        QCOMPARE(b6[2], std::uint8_t(2));
        QCOMPARE(b6.size(), std::size_t{34 + 6});
        QVERIFY(r::decodeProbe(b6) == p6);
        b6[4] = 129; // a prefix longer than the family's
        QVERIFY(!r::decodeProbe(b6));
    }

    void reachability()
    {
        r::Reachability reach(64, 10);
        auto probe = [](const char *node, std::uint64_t seq, std::uint32_t epoch = 1) {
            return r::Probe{node, v4("10.0.2.0"), 24, epoch, seq};
        };
        // 5 is heard on A, every second, with seq 3 and 4 lost.
        for (std::uint64_t s : {1, 2, 5, 6})
            reach.heard(probe("5", s), A, static_cast<std::int64_t>(s) * 1000);
        auto row = reach.row(6000, 1000);
        QCOMPARE(row.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(row[0].from), QStringLiteral("5"));
        QVERIFY(row[0].heard);
        QCOMPARE(row[0].received, std::uint64_t{4});
        QCOMPARE(row[0].lost, std::uint64_t{2});
        QCOMPARE(row[0].recentLoss, 2.0 / 6.0);
        QCOMPARE(row[0].lastSeenMs, std::int64_t{6000});
        QCOMPARE(row[0].via, std::vector<std::string>{"10.0.2.0/24>10.0.1.0/24"});
        // Late arrival of 3 fills the gap; a duplicate counts as such.
        reach.heard(probe("5", 3), A, 6100);
        reach.heard(probe("5", 3), A, 6100);
        row = reach.row(6100, 1000);
        QCOMPARE(row[0].lost, std::uint64_t{1});
        QCOMPARE(row[0].duplicates, std::uint64_t{1});
        // Silence: not heard after 3.5 intervals.
        QVERIFY(reach.row(9400, 1000)[0].heard);
        QVERIFY(!reach.row(9700, 1000)[0].heard);
        // The recent window recovers once ten good probes follow.
        for (std::uint64_t s = 7; s <= 16; ++s)
            reach.heard(probe("5", s), A, static_cast<std::int64_t>(s) * 1000);
        row = reach.row(16000, 1000);
        QCOMPARE(row[0].recentLoss, 0.0);
        QCOMPARE(row[0].lost, std::uint64_t{1});
        // A restarted sender (new epoch) keeps its totals.
        reach.heard(probe("5", 1, 2), A, 17000);
        row = reach.row(17000, 1000);
        QCOMPARE(row[0].received, std::uint64_t{15 + 1}); // 1 2 3 5 6 7-16, then 1 anew
        QCOMPARE(row[0].lost, std::uint64_t{1});
        // Natural order of senders; two streams of one sender (heard on two networks) merge.
        reach.heard(probe("10", 1), A, 17000);
        reach.heard(probe("5", 2, 2), C, 17000);
        row = reach.row(17000, 1000);
        QCOMPARE(row.size(), std::size_t{2});
        QCOMPARE(QString::fromStdString(row[0].from), QStringLiteral("5"));
        QCOMPARE(QString::fromStdString(row[1].from), QStringLiteral("10"));
        QCOMPARE(row[0].via.size(), std::size_t{2});
    }

    void reachabilityBounded()
    {
        r::Reachability reach(3, 10);
        for (int i = 0; i < 5; ++i)
            reach.heard(r::Probe{std::to_string(i), v4("10.0.2.0"), 24, 1, 1}, A, i);
        QCOMPARE(reach.row(5, 1000).size(), std::size_t{3});
    }
};

QTEST_GUILESS_MAIN(TestRelay)
#include "tst_relay.moc"
