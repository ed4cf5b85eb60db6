// The os-mode IGMP/MLD reader (backend/agent/listen_io.h) against a real Linux host: two
// network namespaces joined by a veth pair. The test process moves into the router's namespace
// and opens the reader there; dmr-mcast recv in the host's namespace joins and leaves groups,
// the kernel sending the reports (IGMPv2/v3 and MLDv1/v2 forced in turn with force_igmp_version
// and force_mld_version). Needs root; skipped otherwise.
//
//   namespace lisioH (host)                  namespace lisioR (router: this test process)
//   lisioh0 10.78.0.1/24 fd78::1/64  ====  lisior0 10.78.0.2/24 fd78::2/64
//
// What it shows: every kind of report and leave is heard with the host named as the protocol
// names it; the queries this node sends are taken by a real kernel (the host answers them); its
// own packets and its own joins are not heard; forged packets are refused with the field named;
// and why a raw socket is not enough on a kernel without multicast routing.

#include "in_namespace.h"
#include "listen_io.h"

#include <QProcess>
#include <QtTest>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace dmr;
using namespace dmr::agent;

namespace {

const QString kHost = QStringLiteral("lisioH");
const QString kRouter = QStringLiteral("lisioR");

QString run(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("ip"), args);
    if (!p.waitForFinished(20000))
        return QStringLiteral("ip %1: did not finish").arg(args.join(QLatin1Char(' ')));
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("ip %1: %2")
            .arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAll()).trimmed());
    return {};
}
QString inHost(const QString &command)
{
    return run({QStringLiteral("netns"), QStringLiteral("exec"), kHost, QStringLiteral("sh"),
                QStringLiteral("-c"), command});
}

IpAddress addr(const char *text)
{
    return IpAddress::parse(text).value();
}

} // namespace

class TestListenIo : public QObject
{
    Q_OBJECT

    QString skip_;
    std::unique_ptr<InNamespace> inRouter_;
    asio::io_context io_;
    std::unique_ptr<ListenIo> listen_;
    std::vector<HeardListen> heard_;
    std::vector<std::unique_ptr<QProcess>> joins_;

    // Runs the reader until `done` holds or 10 s pass.
    template<typename F>
    bool waitFor(F &&done, int ms = 10000)
    {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > ms)
                return false;
            io_.restart();
            io_.run_for(std::chrono::milliseconds(20));
        }
        return true;
    }
    const HeardListen *find(igmp::MessageType type, const IpAddress &group,
                            std::optional<int> version = {})
    {
        for (const auto &h : heard_)
            if (h.message.type == type && h.message.group == group &&
                (!version || h.message.version == *version))
                return &h;
        return nullptr;
    }
    QProcess *join(const char *group, const char *ns = nullptr)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const QString nsName = ns ? QString::fromLatin1(ns) : kHost;
        const QString iface =
            nsName == kHost ? QStringLiteral("lisioh0") : QStringLiteral("lisior0");
        p->start(QStringLiteral("ip"),
                 {QStringLiteral("netns"), QStringLiteral("exec"), nsName,
                  QStringLiteral(DMR_MCAST_PATH), QStringLiteral("recv"), QStringLiteral("--group"),
                  QString::fromLatin1(group), QStringLiteral("--port"), QStringLiteral("5999"),
                  QStringLiteral("--iface"), iface});
        p->waitForStarted(10000);
        joins_.push_back(std::move(p));
        return joins_.back().get();
    }
    static void stop(QProcess *p)
    {
        p->terminate();
        if (!p->waitForFinished(10000))
            p->kill();
    }

private slots:
    // What the relay's entry points are told of each kind of message (no root needed).
    void deliverMapsMessages()
    {
        std::vector<std::string> calls;
        auto text = [](const std::optional<listen::Reporter> &r) {
            return r ? r->address.toString() : std::string("nobody");
        };
        ListenSink sink;
        sink.report = [&](std::size_t seg, const IpAddress &g, std::optional<listen::Reporter> r) {
            calls.push_back("report " + std::to_string(seg) + " " + g.toString() + " " + text(r));
        };
        sink.leave = [&](std::size_t seg, const IpAddress &g, std::optional<listen::Reporter> r) {
            calls.push_back("leave " + std::to_string(seg) + " " + g.toString() + " " + text(r));
        };
        sink.query = [&](std::size_t seg, const IpAddress &from, std::optional<IpAddress> g) {
            calls.push_back("query " + std::to_string(seg) + " " + from.toString() + " " +
                            (g ? g->toString() : std::string("general")));
        };
        igmp::Message m;
        m.source = addr("10.78.0.1");
        m.group = addr("239.7.9.1");
        deliver({0, m}, sink); // IGMPv2 report: names nobody
        m.namesHost = true;
        deliver({1, m}, sink); // IGMPv3 report
        m.type = igmp::MessageType::Leave;
        deliver({1, m}, sink);
        m.namesHost = false; // BLOCK, an IGMPv2 leave
        deliver({0, m}, sink);
        m.type = igmp::MessageType::Query;
        m.source = addr("10.78.0.9");
        deliver({0, m}, sink);
        m.sourceCount = 2; // group-and-source-specific: the election only
        deliver({0, m}, sink);
        m.sourceCount = 0;
        m.suppressRouterSide = true;
        deliver({0, m}, sink);
        m.suppressRouterSide = false;
        m.group.reset();
        deliver({2, m}, sink);
        const std::vector<std::string> expected = {
            "report 0 239.7.9.1 nobody",   "report 1 239.7.9.1 10.78.0.1",
            "leave 1 239.7.9.1 10.78.0.1", "leave 0 239.7.9.1 nobody",
            "query 0 10.78.0.9 239.7.9.1", "query 0 10.78.0.9 general",
            "query 0 10.78.0.9 general",   "query 2 10.78.0.9 general",
        };
        QCOMPARE(calls, expected);
        // The table's query on the wire: its robustness, and its interval in seconds.
        listen::Config config;
        config.robustness = 3;
        config.queryIntervalMs = 60'000;
        const auto p = queryParams({"10.78.0.0/24", addr("239.7.9.1"), 1000}, config);
        QCOMPARE(p.group, std::optional(addr("239.7.9.1")));
        QCOMPARE(p.maxResponseMs, std::int64_t(1000));
        QCOMPARE(p.robustness, 3);
        QCOMPARE(p.queryIntervalS, std::int64_t(60));
    }

    // The kernel's membership tables, as this kernel prints them (no root needed).
    void procMemberships()
    {
        const auto v4 =
            parseProcIgmp("Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
                          "1\tlo        :     1      V3\n"
                          "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
                          "4\teth0      :     2      V2\n"
                          "\t\t\t\t030107EF     2 0:00000000\t\t0\n"
                          "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
                          "\t\t\t\tnot-a-group  1\n");
        QCOMPARE(v4.size(), std::size_t(2));
        QCOMPARE(v4.at("eth0").at(addr("239.7.1.3")), 2);
        QCOMPARE(v4.at("eth0").at(addr("224.0.0.1")), 1);
        QCOMPARE(v4.at("lo").size(), std::size_t(1));
        const auto v6 = parseProcIgmp6(
            "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
            "4    eth0            ff150000000000000000000000070002     3 00000004 0\n"
            "4    eth0            ff15zz                               1 00000004 0\n");
        QCOMPARE(v6.at("eth0").size(), std::size_t(1));
        QCOMPARE(v6.at("eth0").at(addr("ff15::7:2")), 3);
        QCOMPARE(v6.at("lo").at(addr("ff02::1")), 1);
        QVERIFY(parseProcIgmp("").empty());
    }

    // This host's own programs' groups: the kernel's table less the relay's own joins, without
    // link-scoped groups, reported every poll in the segment address's name, a group gone left.
    void localListenersReported()
    {
        class FakeReader : public ListenIo
        {
        public:
            std::vector<std::map<IpAddress, int>> kernel;
            Result<std::monostate> open(const std::vector<SegmentSpec> &, Handler) override
            {
                return std::monostate{};
            }
            void close() override {}
            bool sendQuery(std::size_t, const igmp::QueryParams &) override { return true; }
            std::optional<IpAddress> querierAddress(std::size_t) const override { return {}; }
            const ListenCounters &counters() const override { return counters_; }
            std::vector<std::map<IpAddress, int>> localMemberships() const override
            {
                return kernel;
            }
            ListenCounters counters_;
        };
        auto fake = std::make_unique<FakeReader>();
        FakeReader &reader = *fake;
        std::vector<std::string> calls;
        ListenSink sink;
        sink.report = [&](std::size_t seg, const IpAddress &g, std::optional<listen::Reporter> r) {
            calls.push_back("report " + std::to_string(seg) + " " + g.toString() + " " +
                            (r ? r->address.toString() : std::string("nobody")));
        };
        sink.leave = [&](std::size_t seg, const IpAddress &g, std::optional<listen::Reporter> r) {
            calls.push_back("leave " + std::to_string(seg) + " " + g.toString() + " " +
                            (r ? r->address.toString() : std::string("nobody")));
        };
        // The relay joined 239.7.5.1 on segment 0 (it routes it) and the probe group everywhere.
        asio::io_context io;
        OsListening listening(io, std::move(fake), sink, [](std::size_t seg, const IpAddress &g) {
            return (seg == 0 && g == addr("239.7.5.1")) || g == addr("239.255.77.1") ? 1 : 0;
        });
        reader.kernel = {
            {{addr("224.0.0.1"), 1},
             {addr("224.0.0.251"), 1},
             {addr("239.7.5.1"), 1},
             {addr("239.7.5.2"), 2},
             {addr("239.255.77.1"), 1}},
            {{addr("ff02::1"), 1}, {addr("ff02::1:ff00:2"), 1}, {addr("ff15::7:5"), 1}}};
        QVERIFY(listening.open({{"10.78.0.0/24", "eth0", addr("10.78.0.2"), true},
                                {"fd78::/64", "eth0", addr("fe80::2"), false}}));
        QCOMPARE(calls, (std::vector<std::string>{"report 0 239.7.5.2 10.78.0.2",
                                                  "report 1 ff15::7:5 fe80::2"}));
        calls.clear();
        // A program joins the group the relay joined too; the other one leaves.
        reader.kernel[0][addr("239.7.5.1")] = 2;
        reader.kernel[0].erase(addr("239.7.5.2"));
        listening.pollLocal();
        QCOMPARE(calls, (std::vector<std::string>{"leave 0 239.7.5.2 10.78.0.2",
                                                  "report 0 239.7.5.1 10.78.0.2",
                                                  "report 1 ff15::7:5 fe80::2"}));
        QCOMPARE(listening.localGroups()[0], std::set<IpAddress>{addr("239.7.5.1")});
        // And a heard report of a link-scoped group goes nowhere.
        calls.clear();
        igmp::Message m;
        m.source = addr("10.78.0.1");
        m.group = addr("224.0.0.251");
        deliver({0, m}, sink);
        m.group = addr("ff02::fb");
        deliver({1, m}, sink);
        QVERIFY(calls.empty());
        QVERIFY(linkScoped(addr("ff01::1")) && !linkScoped(addr("ff05::1")) &&
                !linkScoped(addr("224.0.1.1")));
    }

    void initTestCase()
    {
        if (::geteuid() != 0) {
            skip_ = QStringLiteral("network namespaces and packet sockets need root");
            return;
        }
        run({QStringLiteral("netns"), QStringLiteral("del"), kHost});
        run({QStringLiteral("netns"), QStringLiteral("del"), kRouter});
        for (const QStringList &step : {
                 QStringList{"netns", "add", kHost},
                 QStringList{"netns", "add", kRouter},
                 QStringList{"link", "add", "lisioh0", "netns", kHost, "type", "veth", "peer",
                             "name", "lisior0", "netns", kRouter},
             }) {
            const QString e = run(step);
            if (!e.isEmpty()) {
                skip_ = e;
                return;
            }
        }
        for (const QString &ns : {kHost, kRouter}) {
            const QString dev = ns == kHost ? "lisioh0" : "lisior0";
            const QString n = ns == kHost ? "1" : "2";
            // No duplicate address detection (the link-local address is there at once); the
            // host's unsolicited reports 100 ms apart instead of 1 s or 10 s.
            for (const QString &c : QStringList{
                     "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0"
                     " net.ipv6.conf." +
                         dev + ".accept_dad=0",
                     "ip link set lo up",
                     "ip addr add 10.78.0." + n + "/24 dev " + dev,
                     "ip link set " + dev + " up",
                     "ip addr add fd78::" + n + "/64 dev " + dev + " nodad",
                     "sysctl -qw net.ipv4.conf." + dev +
                         ".igmpv2_unsolicited_report_interval=100"
                         " net.ipv4.conf." +
                         dev +
                         ".igmpv3_unsolicited_report_interval=100"
                         " net.ipv6.conf." +
                         dev +
                         ".mldv1_unsolicited_report_interval=100"
                         " net.ipv6.conf." +
                         dev + ".mldv2_unsolicited_report_interval=100",
                 }) {
                const QString e = run({"netns", "exec", ns, "sh", "-c", c});
                QVERIFY2(e.isEmpty(), qPrintable(e));
            }
        }
        inRouter_ = std::make_unique<InNamespace>(kRouter);
        QVERIFY2(inRouter_->ok(), std::strerror(errno));
        listen_ = makeOsListenIo(io_);
        const std::vector<SegmentSpec> segments = {
            {"10.78.0.0/24", "lisior0", addr("10.78.0.2"), true},
            {"fd78::/64", "lisior0", addr("fd78::2"), true},
        };
        auto opened =
            listen_->open(segments, [this](const HeardListen &h) { heard_.push_back(h); });
        QVERIFY2(opened, opened ? "" : opened.error().message.c_str());
        // Let the link settle (the link-local address, the kernel's own first reports).
        QVERIFY(waitFor([this] { return listen_->querierAddress(1).has_value(); }));
    }

    void cleanupTestCase()
    {
        for (auto &p : joins_)
            if (p->state() != QProcess::NotRunning)
                stop(p.get());
        listen_.reset();
        inRouter_.reset();
        run({QStringLiteral("netns"), QStringLiteral("del"), kHost});
        run({QStringLiteral("netns"), QStringLiteral("del"), kRouter});
    }

    void init()
    {
        heard_.clear();
        const QString name = QString::fromLatin1(QTest::currentTestFunction());
        if (!skip_.isEmpty() && name != QStringLiteral("deliverMapsMessages") &&
            name != QStringLiteral("procMemberships") &&
            name != QStringLiteral("localListenersReported"))
            QSKIP(qPrintable(skip_));
    }

    // Why the reader is a packet socket: a raw IGMP socket joined to 224.0.0.22 hears the
    // IGMPv3 report (sent to 224.0.0.22) but not the IGMPv2 one (sent to the group) on a kernel
    // that does not route multicast; the packet socket hears both.
    void rawSocketHearsOnlyJoinedDestinations()
    {
        if (QFile::exists(QStringLiteral("/proc/net/ip_mr_vif")))
            QSKIP("this kernel routes multicast: a raw socket with MRT_INIT would hear all");
        const int raw = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_IGMP);
        QVERIFY(raw >= 0);
        ip_mreqn m{};
        m.imr_multiaddr.s_addr = htonl(0xe0000016);
        m.imr_ifindex = static_cast<int>(::if_nametoindex("lisior0"));
        QVERIFY(::setsockopt(raw, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0);
        auto rawHeard = [raw](std::uint8_t type, std::uint32_t from) {
            std::uint8_t b[2048];
            bool seen = false;
            for (ssize_t n; (n = ::recv(raw, b, sizeof b, 0)) > 0;) {
                const std::size_t ihl = std::size_t{b[0] & 0x0fu} * 4;
                std::uint32_t src = 0;
                std::memcpy(&src, b + 12, 4);
                if (static_cast<std::size_t>(n) > ihl && b[ihl] == type && src == htonl(from))
                    seen = true;
            }
            return seen;
        };
        QVERIFY(inHost("sysctl -qw net.ipv4.conf.lisioh0.force_igmp_version=2").isEmpty());
        QProcess *v2 = join("239.7.7.2");
        QVERIFY(waitFor([&] { return find(igmp::MessageType::Report, addr("239.7.7.2")); }));
        QVERIFY2(!rawHeard(0x16, 0x0a4e0001), "a raw socket heard an IGMPv2 report");
        stop(v2);
        QVERIFY(inHost("sysctl -qw net.ipv4.conf.lisioh0.force_igmp_version=0").isEmpty());
        QProcess *v3 = join("239.7.7.3");
        QVERIFY(waitFor([&] { return find(igmp::MessageType::Report, addr("239.7.7.3")); }));
        QVERIFY(waitFor([&] { return rawHeard(0x22, 0x0a4e0001); }, 3000));
        stop(v3);
        ::close(raw);
    }

    void hearsReportsAndLeaves_data()
    {
        QTest::addColumn<QString>("sysctl");
        QTest::addColumn<QString>("group");
        QTest::addColumn<int>("version");
        QTest::addColumn<bool>("namesHost");
        QTest::newRow("IGMPv2") << "net.ipv4.conf.lisioh0.force_igmp_version=2"
                                << "239.7.1.2" << 2 << false;
        QTest::newRow("IGMPv3") << "net.ipv4.conf.lisioh0.force_igmp_version=0"
                                << "239.7.1.3" << 3 << true;
        QTest::newRow("MLDv1") << "net.ipv6.conf.lisioh0.force_mld_version=1"
                               << "ff15::7:1" << 1 << false;
        QTest::newRow("MLDv2") << "net.ipv6.conf.lisioh0.force_mld_version=0"
                               << "ff15::7:2" << 2 << true;
    }

    void hearsReportsAndLeaves()
    {
        QFETCH(QString, sysctl);
        QFETCH(QString, group);
        QFETCH(int, version);
        QFETCH(bool, namesHost);
        QVERIFY(inHost("sysctl -qw " + sysctl).isEmpty());
        const IpAddress g = addr(group.toLatin1().constData());
        const bool v6 = g.family() == Family::V6;
        QProcess *recv = join(group.toLatin1().constData());
        QVERIFY2(waitFor([&] { return find(igmp::MessageType::Report, g, version); }),
                 "no report heard");
        const HeardListen report = *find(igmp::MessageType::Report, g, version);
        QCOMPARE(report.segment, std::size_t(v6 ? 1 : 0));
        QCOMPARE(report.message.namesHost, namesHost);
        if (v6)
            QVERIFY(report.message.source.bytes()[0] == 0xfe); // the host's link-local address
        else
            QCOMPARE(report.message.source, addr("10.78.0.1"));
        stop(recv);
        QVERIFY2(waitFor([&] { return find(igmp::MessageType::Leave, g); }), "no leave heard");
        QCOMPARE(find(igmp::MessageType::Leave, g)->message.namesHost, namesHost);
        QVERIFY(inHost("sysctl -qw net.ipv4.conf.lisioh0.force_igmp_version=0 "
                       "net.ipv6.conf.lisioh0.force_mld_version=0")
                    .isEmpty());
    }

    // The queries this node sends are taken by a real kernel: the host answers a general and a
    // group-specific query with reports of what it listens to.
    void hostAnswersOurQueries()
    {
        join("239.7.2.1");
        join("ff15::7:21");
        QVERIFY(waitFor([&] {
            return find(igmp::MessageType::Report, addr("239.7.2.1")) &&
                   find(igmp::MessageType::Report, addr("ff15::7:21"));
        }));
        QTest::qWait(1000); // the unsolicited reports are over (100 ms apart, 2 of them)
        io_.restart();
        io_.poll();
        heard_.clear();
        const auto before = listen_->counters().queriesSent;
        igmp::QueryParams general;
        general.maxResponseMs = 500;
        QVERIFY2(listen_->sendQuery(0, general), listen_->counters().lastError.c_str());
        QVERIFY2(listen_->sendQuery(1, general), listen_->counters().lastError.c_str());
        QCOMPARE(listen_->counters().queriesSent, before + 2);
        QVERIFY2(waitFor([&] {
                     return find(igmp::MessageType::Report, addr("239.7.2.1")) &&
                            find(igmp::MessageType::Report, addr("ff15::7:21"));
                 }),
                 "the host did not answer the general queries");
        // This node's own queries are not heard back as queries.
        for (const auto &h : heard_)
            QVERIFY(h.message.type != igmp::MessageType::Query);
        QTest::qWait(700);
        io_.restart();
        io_.poll();
        heard_.clear();
        igmp::QueryParams specific;
        specific.group = addr("239.7.2.1");
        specific.maxResponseMs = 300;
        QVERIFY(listen_->sendQuery(0, specific));
        specific.group = addr("ff15::7:21");
        QVERIFY(listen_->sendQuery(1, specific));
        QVERIFY2(waitFor([&] {
                     return find(igmp::MessageType::Report, addr("239.7.2.1")) &&
                            find(igmp::MessageType::Report, addr("ff15::7:21"));
                 }),
                 "the host did not answer the group-specific queries");
        QCOMPARE(*listen_->querierAddress(0), addr("10.78.0.2"));
        QVERIFY(listen_->querierAddress(1)->bytes()[0] == 0xfe);
        for (auto &p : joins_)
            if (p->state() != QProcess::NotRunning)
                stop(p.get());
    }

    // A program on the router's own host joins: its reports leave this host, and are not heard
    // (the relay's own joins must not make a group wanted).
    void ownJoinsNotHeard()
    {
        QProcess *own = join("239.7.3.1", "lisioR");
        QProcess *other = join("239.7.3.2");
        QVERIFY(waitFor([&] { return find(igmp::MessageType::Report, addr("239.7.3.2")); }));
        QTest::qWait(500);
        io_.restart();
        io_.poll();
        QVERIFY(!find(igmp::MessageType::Report, addr("239.7.3.1")));
        // But the kernel's table says this host listens there (one socket).
        const auto local = listen_->localMemberships();
        QCOMPARE(local.size(), std::size_t(2));
        QCOMPARE(local[0].count(addr("239.7.3.1")), std::size_t(1));
        QCOMPARE(local[0].at(addr("239.7.3.1")), 1);
        QCOMPARE(local[0].count(addr("239.7.3.2")), std::size_t(0)); // the other host's
        QVERIFY(local[1].count(addr("ff02::1")) == 1);
        stop(own);
        stop(other);
    }

    // Forged packets from the host: refused, counted, the field named, the reader goes on.
    void forgedPacketsRefused()
    {
        int fd = -1;
        {
            InNamespace host(kHost);
            QVERIFY(host.ok());
            fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW); // IP_HDRINCL: the header as given
        }
        QVERIFY(fd >= 0);
        auto send = [fd](std::vector<std::uint8_t> packet) {
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_addr.s_addr = htonl(0xe0000016);
            const ip_mreqn via{{}, {htonl(0x0a4e0001)}, 0};
            ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via);
            return ::sendto(fd, packet.data(), packet.size(), 0,
                            reinterpret_cast<const sockaddr *>(&to),
                            sizeof to) == static_cast<ssize_t>(packet.size());
        };
        // An IGMPv3 join of 239.7.4.1 from 10.78.0.1 (header checksum 0: the kernel fills it).
        std::vector<std::uint8_t> report = {
            0x46, 0xc0, 0, 40, 0,    0, 0x40, 0, 1, 2, 0, 0, 10, 78, 0, 1, 224, 0, 0, 22,
            0x94, 4,    0, 0,  0x22, 0, 0,    0, 0, 0, 0, 1, 4,  0,  0, 0, 239, 7, 4, 1};
        const auto sum = igmp::internetChecksum(std::span(report).subspan(24));
        report[26] = static_cast<std::uint8_t>(sum >> 8);
        report[27] = static_cast<std::uint8_t>(sum);
        QVERIFY(send(report));
        QVERIFY2(waitFor([&] { return find(igmp::MessageType::Report, addr("239.7.4.1"), 3); }),
                 "the well-formed packet was not heard");

        const auto malformed = listen_->counters().malformed;
        auto badSum = report;
        badSum[39] = 2; // 239.7.4.2, the checksum left as it was
        QVERIFY(send(badSum));
        QVERIFY(waitFor([&] { return listen_->counters().malformed == malformed + 1; }));
        QVERIFY2(listen_->counters().lastError.find("lisior0: IGMP checksum") == 0,
                 listen_->counters().lastError.c_str());
        auto ttl = report;
        ttl[8] = 64; // a packet that crossed a router
        QVERIFY(send(ttl));
        QVERIFY(waitFor([&] { return listen_->counters().malformed == malformed + 2; }));
        QCOMPARE(listen_->counters().lastError,
                 std::string("lisior0: IPv4 TTL 64, expected 1: IGMP never crosses a router"));
        QVERIFY(!find(igmp::MessageType::Report, addr("239.7.4.2")));
        ::close(fd);
        // And the reader goes on.
        heard_.clear();
        QProcess *after = join("239.7.4.9");
        QVERIFY(waitFor([&] { return find(igmp::MessageType::Report, addr("239.7.4.9")); }));
        stop(after);
    }
};

QTEST_GUILESS_MAIN(TestListenIo)
#include "tst_listen_io.moc"
