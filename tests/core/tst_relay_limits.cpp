// The relay's boundaries and limits (dmr/relay_limits.h), pure: the token bucket (burst, refill,
// fractional credit at low rates, both dimensions, a refused datagram takes nothing, a clock
// that goes back, saturation), the boundary matcher (the defaults, per network, both families),
// the threshold, and the engine's hooks: a bounded group or one below the threshold is not
// taken in, a bounded group is not emitted onto that network, the probe channel is exempt, a
// channel range over its limit is dropped at ingest while another keeps its rate, and each
// tunnel's bucket filters what goes into it on its own.

#include "dmr/relay_engine.h"
#include "dmr/relay_limits.h"

#include <QtTest>

namespace r = dmr::relay;
using dmr::IpAddress;
using dmr::Prefix;

namespace {

IpAddress ip(const char *text)
{
    return *IpAddress::parse(text);
}

Prefix prefix(const char *text)
{
    return *Prefix::parse(text);
}

r::RateLimit datagrams(std::uint64_t perS, std::uint64_t burst)
{
    return r::RateLimit{0, perS, 0, burst};
}

const dmr::GroupName A = "10.0.1.0/24";
const dmr::GroupName B = "10.0.2.0/24";
const dmr::GroupName C = "10.0.3.0/24";

dmr::Endpoint endpoint(const char *node, const char *address)
{
    return {node, "eth0", ip(address)};
}

// The system leader "2" on network A (10.0.1.0/24), root of tunnels to "6" (leads B) and "4"
// (leads C), with two channel ranges: 239.1.0.0/16:5000-5100 (0) and 239.2.0.0/16:5000-5100 (1),
// and a range inside the default boundaries (2: 239.255.0.0/16:5000-5100).
r::Engine rootOfTwo(r::Engine::Config c)
{
    c.self = dmr::NodeId(1, '2'); // (assigning "2" trips g++ 12's -Wrestrict)
    c.channels = {*r::ChannelRange::parse("239.1.0.0/16:5000-5100"),
                  *r::ChannelRange::parse("239.2.0.0/16:5000-5100"),
                  *r::ChannelRange::parse("239.255.0.0/16:5000-5100")};
    c.probeChannel = *r::Channel::parse("239.255.77.1:7699");
    c.probeChannelV6 = *r::Channel::parse("[ff15::4d01]:7699");
    r::Engine e(c);
    e.setEpoch(7);
    e.setSegments({{A, ip("10.0.1.0"), 24}});
    std::vector<dmr::Action> actions;
    dmr::Action route;
    route.kind = dmr::Action::Kind::Route;
    route.route = {"2", "eth0", A};
    actions.push_back(route);
    for (const auto &[leaf, address, network] :
         {std::tuple{"6", "10.0.2.6", B}, std::tuple{"4", "10.0.3.4", C}}) {
        dmr::Action open;
        open.kind = dmr::Action::Kind::OpenTunnel;
        open.tunnel = {endpoint("2", "10.0.1.2"), endpoint(leaf, address), {network}};
        actions.push_back(open);
    }
    (void)e.applyPlan(actions, {{"6", true}, {"4", true}}, 0);
    (void)e.rebuild();
    return e;
}

// A data datagram from leaf `hop`, taken in on its network.
r::Header fromLeaf(const char *hop, const char *network, std::uint64_t sequence,
                   const char *group = "239.1.0.1")
{
    r::Header h;
    h.kind = r::Kind::Data;
    h.origin = hop;
    h.hop = hop;
    h.originNetwork = ip(network);
    h.originPrefixLength = 24;
    h.source = ip("10.0.2.9");
    h.sourcePort = 40000;
    h.group = ip(group);
    h.port = 5000;
    h.epoch = 9;
    h.sequence = sequence;
    return h;
}

std::vector<dmr::NodeId> tunnelsOf(const r::Forward &f)
{
    return {f.tunnels.begin(), f.tunnels.end()};
}

} // namespace

class TestRelayLimits : public QObject
{
    Q_OBJECT

private slots:
    // ---- The token bucket ----

    void bucketStartsFullThenHoldsTheRate()
    {
        r::TokenBucket b(datagrams(100, 10)); // 100/s: one per 10 ms; 10 at once
        int passed = 0;
        for (int i = 0; i < 50; ++i)
            passed += b.admit(100, 1000) ? 1 : 0;
        QCOMPARE(passed, 10); // the burst, at one instant
        QVERIFY(!b.admit(1, 1009));
        QVERIFY(b.admit(1, 1010)); // 10 ms: one more
        QVERIFY(!b.admit(1, 1010));
        // A flood over 10 s: the burst's rest (none) plus the rate, exactly.
        passed = 0;
        for (std::int64_t t = 1010; t <= 11010; ++t)
            for (int k = 0; k < 5; ++k)
                passed += b.admit(1, t) ? 1 : 0;
        QCOMPARE(passed, 1000);
    }

    void bucketKeepsFractionalCreditAtLowRates()
    {
        r::TokenBucket b(datagrams(3, 5)); // one per 333.3 ms
        for (int i = 0; i < 5; ++i)
            QVERIFY(b.admit(1, 0));
        QVERIFY(!b.admit(1, 0));
        QVERIFY(!b.admit(1, 333)); // 999 thousandths: not yet
        QVERIFY(b.admit(1, 334));  // 1002
        // Polled every millisecond to a minute: 180 in all, not 60,000 / 334 = 179.
        int passed = 1;
        for (std::int64_t t = 335; t <= 60000; ++t)
            passed += b.admit(1, t) ? 1 : 0;
        QCOMPARE(passed, 180);
    }

    void bucketNeedsBothDimensionsAndARefusalTakesNothing()
    {
        // 10,000 B/s (burst 3,000 B) and 100 datagrams/s (burst 5).
        r::TokenBucket b(r::RateLimit{10000, 100, 3000, 5});
        QVERIFY(b.admit(2000, 0));
        QVERIFY(!b.admit(1500, 0)); // bytes short (1,000 left); its datagram is not taken
        QCOMPARE(b.datagramsAvailable(0), 4u);
        QCOMPARE(b.bytesAvailable(0), 1000u);
        for (int i = 0; i < 4; ++i)
            QVERIFY(b.admit(10, 0));
        QVERIFY(!b.admit(10, 0)); // datagrams short; bytes untouched
        QCOMPARE(b.bytesAvailable(0), 960u);
        QVERIFY(b.admit(10, 10)); // 10 ms: one datagram, 100 bytes
        QCOMPARE(b.bytesAvailable(10), 1050u);
    }

    void bucketOnlyBytes()
    {
        r::TokenBucket b(r::RateLimit{1000, 0, 2048, 0});
        QVERIFY(b.admit(2048, 0));
        QVERIFY(!b.admit(1, 0));
        QVERIFY(b.admit(1, 1)); // 1 ms at 1,000 B/s: one byte
        QVERIFY(!b.admit(2, 1));
        QVERIFY(b.admit(2048, 10000)); // full again, never more than the burst
        QVERIFY(!b.admit(1, 10000));
    }

    void bucketClockBackAddsNothing()
    {
        r::TokenBucket b(datagrams(1000, 1));
        QVERIFY(b.admit(1, 5000));
        QVERIFY(!b.admit(1, 4000)); // back a second: nothing added
        QVERIFY(!b.admit(1, 5000)); // and no credit for the way forward again
        QVERIFY(b.admit(1, 5001));
    }

    void bucketSaturatesOverLongGaps()
    {
        r::TokenBucket b(r::RateLimit{2000000000, 2000000000, 2000000000, 2000000000});
        QVERIFY(b.admit(1000000, 0));
        QVERIFY(b.admit(1000000, std::numeric_limits<std::int64_t>::max() / 2));
        QCOMPARE(b.datagramsAvailable(std::numeric_limits<std::int64_t>::max()), 2000000000u);
    }

    void unlimitedAdmitsEverything()
    {
        r::TokenBucket b;
        for (int i = 0; i < 10000; ++i)
            QVERIFY(b.admit(2048, 0));
        QCOMPARE(r::RateLimit{}.toString(), QString("unlimited").toStdString());
        QCOMPARE(r::RateLimit({1000, 20, 2048, 2}).toString(),
                 std::string("1000 B/s (burst 2048 B), 20 datagrams/s (burst 2)"));
    }

    // ---- Boundaries and the threshold ----

    void defaultBoundaries()
    {
        const r::Boundaries b(r::defaultBoundaries(), {});
        const IpAddress v4net = ip("10.0.1.0");
        const IpAddress v6net = ip("fd00:1::");
        QVERIFY(b.blocks(v4net, 24, ip("239.255.77.9")));
        QVERIFY(b.blocks(v4net, 24, ip("224.0.0.251")));
        QVERIFY(!b.blocks(v4net, 24, ip("224.0.1.1")));
        QVERIFY(!b.blocks(v4net, 24, ip("239.1.0.1")));
        QVERIFY(b.blocks(v6net, 64, ip("ff02::1:3")));
        QVERIFY(b.blocks(v6net, 64, ip("ff05::1")));
        QVERIFY(!b.blocks(v6net, 64, ip("ff15::1")));
        QCOMPARE(b.of(v4net, 24).size(), 2u); // a network's family only
        QCOMPARE(b.of(v6net, 64).size(), 2u);
    }

    void perNetworkBoundaries()
    {
        const r::Boundaries b({prefix("239.255.0.0/16")},
                              {{prefix("10.0.1.0/24"), {prefix("239.1.0.128/25")}},
                               {prefix("fd00:1::/64"), {prefix("ff15::1:0/112")}}});
        QVERIFY(b.blocks(ip("10.0.1.0"), 24, ip("239.1.0.200")));
        QVERIFY(!b.blocks(ip("10.0.1.0"), 24, ip("239.1.0.1")));
        QVERIFY(!b.blocks(ip("10.0.2.0"), 24, ip("239.1.0.200"))); // only on its network
        QVERIFY(b.blocks(ip("10.0.2.0"), 24, ip("239.255.1.1")));  // a global one everywhere
        QVERIFY(b.blocks(ip("fd00:1::"), 64, ip("ff15::1:9")));
        QVERIFY(!b.blocks(ip("fd00:2::"), 64, ip("ff15::1:9")));
        QVERIFY(!b.blocks(ip("10.0.1.0"), 25, ip("239.1.0.200"))); // another network
    }

    void groupPrefixes()
    {
        QVERIFY(r::parseGroupPrefix("239.255.0.0/16"));
        QVERIFY(r::parseGroupPrefix("ff05::/16"));
        QVERIFY(r::parseGroupPrefix("224.0.0.0/4"));
        QVERIFY(!r::parseGroupPrefix("224.0.0.0/3"));
        const auto unicast = r::parseGroupPrefix("10.0.0.0/8");
        QVERIFY(!unicast);
        QVERIFY2(unicast.error().message.find("not a multicast prefix") != std::string::npos,
                 unicast.error().message.c_str());
        QVERIFY(!r::parseGroupPrefix("239.255.0.1/16")); // host bits
        QVERIFY(!r::parseGroupPrefix("fd00::/8"));
        QVERIFY(!r::parseGroupPrefix("239.255.0.0"));
    }

    void threshold()
    {
        QVERIFY(!r::belowThreshold(std::nullopt, 64)); // not known: not checked
        QVERIFY(r::belowThreshold(1, 2));
        QVERIFY(!r::belowThreshold(2, 2));
        QVERIFY(!r::belowThreshold(1, 1));
    }

    // ---- The engine's hooks ----

    void boundaryGroupIsNotTakenIn()
    {
        r::Engine::Config c;
        c.boundaries = r::Boundaries(r::defaultBoundaries(), {});
        r::Engine e = rootOfTwo(c);
        const std::vector<std::uint8_t> pl(100, 1);
        auto f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.255.1.1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::Boundary);
        QVERIFY(r::counted(f.drop));
        QCOMPARE(std::string(r::toString(f.drop)), std::string("boundary"));
        QVERIFY(f.tunnels.empty());
        QCOMPARE(f.channel, std::optional<std::size_t>(2));
        // Not bounded: in, into both tunnels.
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::None);
        QCOMPARE(tunnelsOf(f), (std::vector<dmr::NodeId>{"4", "6"}));
        // The probe channel (239.255.77.1:7699, in 239.255.0.0/16) is the relays' own: exempt.
        const auto probe = r::encodeProbe({"9", ip("10.0.1.0"), 24, 1, 1});
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.255.77.1"), 7699, probe, false, 0);
        QVERIFY(f.drop == r::Drop::None);
        QVERIFY(f.ingested);
        QVERIFY(f.hearProbe);
    }

    void networkBoundaryKeepsATunnelledGroupOffThatNetwork()
    {
        r::Engine::Config c;
        c.boundaries = r::Boundaries({}, {{prefix("10.0.1.0/24"), {prefix("239.1.0.128/25")}}});
        r::Engine e = rootOfTwo(c);
        const std::vector<std::uint8_t> pl(100, 1);
        // From B by tunnel: emitted onto A unless A bounds the group; fanned out to 4 either way.
        auto f = e.fromTunnel(fromLeaf("6", "10.0.2.0", 1, "239.1.0.1"), pl, 200, 0);
        QVERIFY(f.drop == r::Drop::None);
        QCOMPARE(f.segments.size(), 1u);
        f = e.fromTunnel(fromLeaf("6", "10.0.2.0", 2, "239.1.0.200"), pl, 200, 0);
        QVERIFY(f.drop == r::Drop::None);
        QCOMPARE(f.segments.size(), 0u);
        QCOMPARE(tunnelsOf(f), std::vector<dmr::NodeId>{"4"});
        // Heard on A: not taken in.
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.200"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::Boundary);
    }

    void belowThresholdIsNotTakenIn()
    {
        r::Engine::Config c;
        c.threshold = 4;
        r::Engine e = rootOfTwo(c);
        const std::vector<std::uint8_t> pl(10, 1);
        auto f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0, 3);
        QVERIFY(f.drop == r::Drop::BelowThreshold);
        QCOMPARE(std::string(r::toString(f.drop)), std::string("below-threshold"));
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0, 4);
        QVERIFY(f.drop == r::Drop::None);
        // Not known (a loopback segment frame): not checked.
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::None);
        // Another node's network: not this node's to judge (not counted).
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, true, 0, 1);
        QVERIFY(f.drop == r::Drop::RelayEmission);
    }

    void channelOverItsLimitWhileAnotherKeepsItsRate()
    {
        r::Engine::Config c;
        c.channelLimits = {datagrams(100, 20)}; // range 0 only; range 1 unlimited
        r::Engine e = rootOfTwo(c);
        const std::vector<std::uint8_t> pl(100, 1);
        int in0 = 0, limited0 = 0, in1 = 0;
        // A flood on both ranges: 50 datagrams per ms each, for a second.
        for (std::int64_t t = 0; t < 1000; ++t)
            for (int k = 0; k < 50; ++k) {
                auto f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, t);
                if (f.drop == r::Drop::RateLimitChannel)
                    ++limited0;
                else if (f.ingested)
                    ++in0;
                QCOMPARE(f.channel, std::optional<std::size_t>(0));
                f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.2.0.1"), 5000, pl, false, t);
                in1 += f.ingested ? 1 : 0;
            }
        QCOMPARE(in0, 20 + 99); // the burst, then 100/s for 999 ms
        QCOMPARE(limited0, 50000 - in0);
        QCOMPARE(in1, 50000);
    }

    void eachTunnelHasItsOwnBucket()
    {
        r::Engine::Config c;
        c.tunnelLimit = datagrams(1000, 3);
        r::Engine e = rootOfTwo(c);
        const std::vector<std::uint8_t> pl(100, 1);
        // Three from B fan out to 4 only: 4's bucket is empty, 6's full.
        for (std::uint64_t s = 1; s <= 3; ++s)
            QCOMPARE(tunnelsOf(e.fromTunnel(fromLeaf("6", "10.0.2.0", s), pl, 200, 0)),
                     std::vector<dmr::NodeId>{"4"});
        auto f = e.fromTunnel(fromLeaf("6", "10.0.2.0", 4), pl, 200, 0);
        QVERIFY(f.tunnels.empty());
        QCOMPARE(f.tunnelsLimited, 1u);
        QCOMPARE(f.segments.size(), 1u); // still emitted onto A: the limit is the tunnel's
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0);
        QVERIFY(f.drop == r::Drop::None);
        QVERIFY(f.ingested);
        QCOMPARE(tunnelsOf(f), std::vector<dmr::NodeId>{"6"});
        QCOMPARE(f.tunnelsLimited, 1u);
        QCOMPARE(e.tunnels().at("4").limitedPackets, 2u);
        QCOMPARE(e.tunnels().at("4").limitedBytes, 200u);
        QCOMPARE(e.tunnels().at("6").limitedPackets, 0u);
        // A millisecond later, one more for each.
        f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 1);
        QCOMPARE(tunnelsOf(f), (std::vector<dmr::NodeId>{"4", "6"}));
        QCOMPARE(f.tunnelsLimited, 0u);
        // Probes pass whatever the limit.
        const auto probe = r::encodeProbe({"2", ip("10.0.1.0"), 24, 1, 1});
        for (int i = 0; i < 10; ++i)
            QCOMPARE(e.ownProbe(0, ip("10.0.1.2"), probe, 1).tunnels.size(), 2u);
    }

    void noLimitsByDefault()
    {
        r::Engine e = rootOfTwo({});
        const std::vector<std::uint8_t> pl(2048, 1);
        for (int i = 0; i < 10000; ++i) {
            const auto f = e.fromSegment(0, ip("10.0.1.9"), 1, ip("239.1.0.1"), 5000, pl, false, 0);
            QVERIFY(f.ingested);
            QCOMPARE(f.tunnels.size(), 2u);
        }
    }
};

QTEST_APPLESS_MAIN(TestRelayLimits)
#include "tst_relay_limits.moc"
