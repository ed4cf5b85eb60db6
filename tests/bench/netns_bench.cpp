// dmr-bench-netns: multicast delivery through failures, in network namespaces (root). Fig. 5
// (fig5.json) built for real (backend/lab/netns_lab.h: a router between A and B that forwards
// unicast only), a sender on node 3 (network A) at --rate datagrams per second to 239.1.0.7:5007, a
// receiver on every other node.
//
//  1. DMR: agents on the OS's interfaces with the relay in os mode. --kills times: kill -9 the
//     current system leader's agent with traffic flowing, wait until every receiver hears again,
//     restart the agent (it rejoins at the end of every list), wait until every receiver hears
//     steadily, repeat. Per kill and receiver, the outage is the silence from the last datagram
//     before the kill to the first after it; p50/p99/max are printed over the receivers that
//     depend on DMR (those off the sender's network; the ones on it hear the sender directly,
//     and are printed apart). Then --drains drains of a group leader (node 6, then restored):
//     lost and duplicated datagrams.
//  2. The static baseline DMR replaces (configured by hand, blind to failures): no agents; the
//  plan's smcroute.conf files
//     (as `dmrctl plan fig5.json --format smcroute --node N` prints them) installed by hand on
//     nodes 2, 6 and 4, with the plan's tunnels made by hand as VXLAN links (dmr-6, dmr-4 on
//     node 2; dmr-2 on 6 and 4), smcrouted in each of those namespaces. The same kill: node 2's
//     routing point (its smcrouted) gets kill -9. Nothing reconfigures anything, so the
//     receivers off network A hear nothing for the rest of --window-s: "never recovers".
//
//   ./build/tests/bench/dmr-bench-netns [--kills 20] [--drains 5] [--rate 500] [--window-s 10]
//                                       [--failure kill|cut] [--skip-dmr] [--skip-smcroute]
//
// --failure cut takes the system leader off the network instead (its switch ports down: a power
// cut as the others see it, found after membership.misses heartbeats), then kills its agent and
// brings the ports back before restarting it.

#include "netns_cluster.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <set>

#include <unistd.h>

namespace {

const QString kGroup = QStringLiteral("239.1.0.7");
constexpr int kPort = 5007;
const QString kSender = QStringLiteral("3");
const QStringList kReceivers{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4"),
                             QStringLiteral("5"), QStringLiteral("6")};
const QStringList kOnSenderNetwork{QStringLiteral("1"), QStringLiteral("2")};

double nowMs()
{
    return static_cast<double>(QDateTime::currentMSecsSinceEpoch());
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
}

QString figure(double v)
{
    return std::isnan(v) ? QStringLiteral("-") : QString::number(v, 'f', 1);
}

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

// Every receiver has heard a datagram within the last `withinMs`.
bool flowing(const NetnsCluster &lab, const QStringList &ids, double withinMs)
{
    const double now = nowMs();
    for (const auto &id : ids) {
        const auto a = lab.lastArrival(id);
        if (!a || a->tMs < now - withinMs)
            return false;
    }
    return true;
}

// Every agent answers, none is mid-handover, and they agree on the view and the system leader.
bool settled(AgentCluster &c, const QStringList &ids, QString *systemLeader)
{
    QString view;
    QString sl;
    for (const auto &id : ids) {
        const auto st = c.state(id);
        if (st.isEmpty() || st.value(QStringLiteral("handover_pending")).toBool())
            return false;
        const QString v = st.value(QStringLiteral("view_id")).toString();
        const QString l = st.value(QStringLiteral("system_leader")).toString();
        if ((!view.isEmpty() && v != view) || (!sl.isEmpty() && l != sl) || l.isEmpty())
            return false;
        view = v;
        sl = l;
    }
    *systemLeader = sl;
    return true;
}

struct KillRecord
{
    QString victim;
    double atMs = 0;      // the failure
    double settledMs = 0; // the survivors agreed on a new system leader
    double restartMs = 0; // the victim was brought back (the end of this kill's window)
};

// Takes node id off the network without telling its agent (its switch ports down: a power cut
// as the others see it, found by missed heartbeats), or brings it back.
QString setCut(NetnsCluster &lab, const QString &id, bool cut)
{
    for (const auto &port : lab.plan().nodes.at(id.toStdString()).switchPorts) {
        const QString err = NetnsCluster::runIn(
            QString::fromStdString(lab.plan().switchNs),
            {QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
             QString::fromStdString(port), cut ? QStringLiteral("down") : QStringLiteral("up")});
        if (!err.isEmpty())
            return err;
    }
    return {};
}

int runDmr(const QString &agent, const QString &mcast, const QString &topology, int kills,
           int drains, double rate, bool cut)
{
    QString noRelay;
    const QStringList relay = NetnsCluster::relayArgs(agent, &noRelay);
    if (!noRelay.isEmpty()) {
        say(QStringLiteral("DMR: %1; no figures").arg(noRelay));
        return 1;
    }
    NetnsCluster lab(QStringLiteral("bn%1").arg(::getpid() % 100000), topology, agent, mcast, 47400,
                     relay);
    QString err = lab.build();
    if (err.isEmpty())
        err = lab.startAgents();
    if (!err.isEmpty()) {
        say(QStringLiteral("DMR: ") + err);
        return 1;
    }
    AgentCluster &c = lab.agents();
    const QStringList all = lab.joinOrder();
    QString sl;
    if (!AgentCluster::waitFor([&] { return settled(c, all, &sl); }, 60000)) {
        say(QStringLiteral("DMR: the agents never settled on one plan"));
        return 1;
    }
    for (const auto &id : kReceivers)
        if (const QString e = lab.startReceiver(id, kGroup, kPort); !e.isEmpty()) {
            say(QStringLiteral("DMR: ") + e);
            return 1;
        }
    // Long enough for every kill and drain; stopped when they are done.
    const long count = static_cast<long>(rate * (60 + 30.0 * (kills + drains)));
    err = lab.startSender(kSender, kGroup, kPort, rate, count);
    if (err.isEmpty() &&
        !AgentCluster::waitFor([&] { return flowing(lab, kReceivers, 200); }, 60000))
        err = QStringLiteral("the receivers never all heard the sender (a receiver off network "
                             "A hears only what the relay brings)");
    if (!err.isEmpty()) {
        say(QStringLiteral("DMR: ") + err);
        return 1;
    }

    std::vector<KillRecord> killed;
    for (int k = 0; k < kills; ++k) {
        if (!AgentCluster::waitFor([&] { return settled(c, all, &sl); }, 60000) ||
            !AgentCluster::waitFor([&] { return flowing(lab, kReceivers, 100); }, 60000)) {
            say(QStringLiteral("DMR: kill %1: the cluster did not settle with delivery flowing")
                    .arg(k + 1));
            break;
        }
        if (cut && sl == kSender) {
            // Cutting the sender's own node off measures nothing of DMR: move the system
            // leadership on (a restart puts it at the end of every list) and cut the next one.
            say(QStringLiteral("DMR: the system leader is node %1, the sender's: restarting it "
                               "instead of cutting it (not counted)")
                    .arg(sl));
            c.kill9(sl);
            if (!c.start(sl, 30000))
                break;
            --k;
            continue;
        }
        // A moment of steady delivery before each kill, so that the last datagram before it is
        // a real one.
        QThread::msleep(300);
        const KillRecord r{sl, nowMs(), 0, 0};
        if (cut) {
            if (const QString e = setCut(lab, sl, true); !e.isEmpty()) {
                say(QStringLiteral("DMR: ") + e);
                break;
            }
        } else {
            c.kill9(sl);
        }
        killed.push_back(r);
        QStringList others = kReceivers;
        others.removeAll(sl);
        QStringList survivors = all;
        survivors.removeAll(sl);
        // The survivors first agree on a new system leader (datagrams in flight at the failure
        // arrive before anyone noticed it), then every other receiver hears again.
        QString newLeader;
        const bool agreed = AgentCluster::waitFor(
            [&] { return settled(c, survivors, &newLeader) && newLeader != r.victim; }, 30000);
        killed.back().settledMs = nowMs();
        const bool heard = agreed && AgentCluster::waitFor(
                                         [&] {
                                             for (const auto &id : others) {
                                                 const auto a = lab.lastArrival(id);
                                                 if (!a || a->tMs <= killed.back().settledMs)
                                                     return false;
                                             }
                                             return true;
                                         },
                                         20000);
        say(QStringLiteral("DMR: %1 %2/%3: system leader %4 %5%6")
                .arg(cut ? QStringLiteral("cut") : QStringLiteral("kill"))
                .arg(k + 1)
                .arg(kills)
                .arg(sl, cut ? QStringLiteral("cut off") : QStringLiteral("killed"),
                     !agreed ? QStringLiteral("; the survivors did not agree on a new system "
                                              "leader within 30 s")
                     : heard ? QString()
                             : QStringLiteral("; some receiver heard nothing for 20 s")));
        killed.back().restartMs = nowMs();
        if (cut) {
            // Back on the network as a new process: it rejoins at the end of every list, as
            // after a kill.
            c.kill9(sl);
            if (const QString e = setCut(lab, sl, false); !e.isEmpty()) {
                say(QStringLiteral("DMR: ") + e);
                break;
            }
            // Its links must have carrier again before it starts: an agent that finds no
            // usable interface exits, and one whose seeds do not answer yet forms a cluster
            // of its own (and then wins the merge: see the report).
            const bool up = AgentCluster::waitFor(
                [&] {
                    QString links;
                    NetnsCluster::runIn(lab.netnsOf(sl),
                                        {QStringLiteral("ip"), QStringLiteral("-o"),
                                         QStringLiteral("link"), QStringLiteral("show"),
                                         QStringLiteral("up")},
                                        &links);
                    return links.count(QStringLiteral("LOWER_UP")) ==
                           static_cast<int>(
                               lab.plan().nodes.at(sl.toStdString()).switchPorts.size()) +
                               1; // and lo
                },
                10000);
            if (!up)
                say(QStringLiteral("DMR: node %1's links did not come back up within 10 s")
                        .arg(sl));
            // And a peer answers on the network (ARP, the bridge's forwarding).
            AgentCluster::waitFor(
                [&] {
                    const QString peer =
                        sl == QStringLiteral("3") ? QStringLiteral("1") : QStringLiteral("3");
                    return NetnsCluster::runIn(lab.netnsOf(sl),
                                               {QStringLiteral("bash"), QStringLiteral("-c"),
                                                QStringLiteral("exec 3<>/dev/tcp/%1/%2")
                                                    .arg(lab.addressOf(peer))
                                                    .arg(c.membershipPort(peer))},
                                               nullptr, 3000)
                        .isEmpty();
                },
                10000);
        }
        if (!c.start(sl, 30000)) {
            say(QStringLiteral("DMR: node %1 did not rejoin; its log:\n%2").arg(sl, c.logOf(sl)));
            break;
        }
    }

    // Drains: node 6 (leader of B in the original plan; whoever leads B now) drained and
    // restored, with traffic flowing.
    std::vector<std::pair<double, double>> drainWindows;
    for (int d = 0; d < drains; ++d) {
        if (!AgentCluster::waitFor([&] { return settled(c, all, &sl); }, 60000) ||
            !AgentCluster::waitFor([&] { return flowing(lab, kReceivers, 100); }, 60000))
            break;
        QString leaderOfB;
        for (const auto &id : all) {
            const auto leads = c.state(id).value(QStringLiteral("leads")).toArray();
            for (const auto &g : leads)
                if (g.toString() == QStringLiteral("10.0.2.0/24"))
                    leaderOfB = id;
        }
        const double from = nowMs();
        auto ask = [&](const QString &action) {
            return c.ask(kSender, {{QStringLiteral("type"), QStringLiteral("drill")},
                                   {QStringLiteral("action"), action},
                                   {QStringLiteral("node"), leaderOfB},
                                   {QStringLiteral("reason"), QStringLiteral("dmr-bench-netns")}});
        };
        ask(QStringLiteral("drain"));
        AgentCluster::waitFor([&] { return settled(c, all, &sl); }, 60000);
        QThread::msleep(500);
        ask(QStringLiteral("restore"));
        AgentCluster::waitFor([&] { return settled(c, all, &sl); }, 60000);
        QThread::msleep(500);
        drainWindows.push_back({from, nowMs()});
        say(QStringLiteral("DMR: drain %1/%2: leader of B (node %3) drained and restored")
                .arg(d + 1)
                .arg(drains)
                .arg(leaderOfB));
    }
    QThread::msleep(500);
    lab.stopSender();
    QThread::msleep(300);
    lab.stopReceivers();

    // The figures.
    std::vector<double> dependent;
    std::vector<double> direct;
    std::map<QString, std::vector<double>> perReceiver;
    long lostDependent = 0;
    long notRecovered = 0;
    std::map<QString, std::vector<Arrival>> logs;
    for (const auto &id : kReceivers) {
        logs[id] = lab.arrivals(id);
        std::stable_sort(logs[id].begin(), logs[id].end(),
                         [](const Arrival &a, const Arrival &b) { return a.tMs < b.tMs; });
    }
    long duplicatesDependent = 0;
    for (const auto &k : killed) {
        for (const auto &id : kReceivers) {
            if (id == k.victim)
                continue;
            // The window of this failure: from the last datagram before it to the victim's
            // restart. The outage is its longest silence; datagrams in flight at the failure
            // arrive first, so the silence is not always the first gap.
            const auto &log = logs[id];
            auto it = std::find_if(log.begin(), log.end(),
                                   [&](const Arrival &a) { return a.tMs > k.atMs; });
            if (it == log.begin())
                continue;
            --it;
            const long seqBefore = it->seq;
            double outage = 0;
            double last = it->tMs;
            std::set<long> seen;
            long duplicates = 0;
            long highest = seqBefore;
            for (++it; it != log.end() && it->tMs <= k.restartMs; ++it) {
                outage = std::max(outage, it->tMs - last);
                last = it->tMs;
                if (it->seq > seqBefore && !seen.insert(it->seq).second)
                    ++duplicates;
                highest = std::max(highest, it->seq);
            }
            if (last <= k.atMs) {
                ++notRecovered;
                continue;
            }
            const long lost = (highest - seqBefore) - static_cast<long>(seen.size());
            perReceiver[id].push_back(outage);
            if (kOnSenderNetwork.contains(id)) {
                direct.push_back(outage);
            } else {
                dependent.push_back(outage);
                lostDependent += std::max(0L, lost);
                duplicatesDependent += duplicates;
            }
        }
    }
    say(QString());
    say(QStringLiteral("DMR, Fig. 5 in namespaces, %1 datagrams/s from node 3, %2 %3 of the "
                       "system leader (outage: the longest silence from the last datagram "
                       "before the failure to the victim's restart, per receiver):")
            .arg(rate)
            .arg(killed.size())
            .arg(cut ? QStringLiteral("cuts (switch ports down: found by missed heartbeats)")
                     : QStringLiteral("kill -9 (sockets closed: found at once)")));
    say(QStringLiteral("  receiver  on       kills  p50 ms  p99 ms  max ms"));
    for (const auto &id : kReceivers) {
        const auto &v = perReceiver[id];
        say(QStringLiteral("  %1  %2  %3  %4  %5  %6")
                .arg(id, -8)
                .arg(kOnSenderNetwork.contains(id) ? QStringLiteral("A (direct)")
                                                   : QStringLiteral("via DMR   "))
                .arg(v.size(), 5)
                .arg(figure(percentile(v, 50)), 6)
                .arg(figure(percentile(v, 99)), 6)
                .arg(figure(v.empty() ? std::nan("") : *std::max_element(v.begin(), v.end())), 6));
    }
    say(QStringLiteral("  receivers via DMR: outage p50 %1 ms, p99 %2 ms, max %3 ms over %4 "
                       "(failure, receiver) pairs; %5 datagrams lost and %6 duplicated in all; "
                       "%7 never recovered (target: p99 <= 500 ms)")
            .arg(figure(percentile(dependent, 50)), figure(percentile(dependent, 99)),
                 figure(dependent.empty() ? std::nan("")
                                          : *std::max_element(dependent.begin(), dependent.end())))
            .arg(dependent.size())
            .arg(lostDependent)
            .arg(duplicatesDependent)
            .arg(notRecovered));
    if (!drainWindows.empty()) {
        long lost = 0;
        long dup = 0;
        long reordered = 0;
        long reorderMax = 0;
        for (const auto &[from, to] : drainWindows) {
            for (const auto &id : kReceivers) {
                // Lost: sent within the window's range and never received at all (a datagram
                // that arrives late, out of order, is not lost: it is counted as reordered).
                std::set<long> ever;
                for (const auto &a : logs[id])
                    ever.insert(a.seq);
                std::map<long, int> seen;
                long lo = -1;
                long hi = -1;
                long highest = 0;
                for (const auto &a : logs[id]) {
                    if (a.tMs < from || a.tMs > to)
                        continue;
                    ++seen[a.seq];
                    lo = lo < 0 ? a.seq : std::min(lo, a.seq);
                    hi = std::max(hi, a.seq);
                    if (a.seq < highest) {
                        ++reordered;
                        reorderMax = std::max(reorderMax, highest - a.seq);
                    }
                    highest = std::max(highest, a.seq);
                }
                for (const auto &[seq, n] : seen)
                    dup += n - 1;
                for (long s = lo; lo > 0 && s <= hi; ++s)
                    lost += ever.count(s) == 0 ? 1 : 0;
            }
        }
        say(QStringLiteral("  drains of the leader of B (drain + restore, %1 times): %2 datagrams "
                           "lost, %3 duplicated, over all receivers; %4 arrived out of order (by "
                           "at most %5: the old routing point's last ones after the new one's "
                           "first)")
                .arg(drainWindows.size())
                .arg(lost)
                .arg(dup)
                .arg(reordered)
                .arg(reorderMax));
    }
    say(QStringLiteral("  receiver logs: %1").arg(lab.logDir()));
    return 0;
}

// The static baseline: the plan's smcroute.conf files by hand, VXLAN tunnels by hand.
int runSmcroute(const QString &mcast, const QString &topology, double rate, double windowS)
{
    const QString smcrouted = QStandardPaths::findExecutable(
        QStringLiteral("smcrouted"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    if (smcrouted.isEmpty()) {
        say(QStringLiteral("smcroute: no smcrouted (Debian package smcroute; ./dmr installs it); "
                           "no baseline"));
        return 1;
    }
    // Without the kernel's multicast routing smcrouted starts, says "not a known phyint" for
    // every interface and routes nothing: the baseline cannot be measured on this machine.
    if (const QString why = NetnsCluster::whyNoMulticastRouting(); !why.isEmpty()) {
        say(QStringLiteral("smcroute: baseline skipped: ") + why);
        return 0;
    }
    NetnsCluster lab(QStringLiteral("bs%1").arg(::getpid() % 100000), topology, QString(), mcast,
                     47400);
    QString err = lab.build();
    if (!err.isEmpty()) {
        say(QStringLiteral("smcroute: ") + err);
        return 1;
    }
    // The tunnels of the plan, by hand: VXLAN (GRE and IPIP do not work in every kernel; VXLAN
    // does), unicast through the router like DMR's.
    struct Tunnel
    {
        QString node, name, local, remote, vni;
    };
    const std::vector<Tunnel> tunnels{
        {QStringLiteral("2"), QStringLiteral("dmr-6"), QStringLiteral("10.0.1.2"),
         QStringLiteral("10.0.2.6"), QStringLiteral("26")},
        {QStringLiteral("6"), QStringLiteral("dmr-2"), QStringLiteral("10.0.2.6"),
         QStringLiteral("10.0.1.2"), QStringLiteral("26")},
        {QStringLiteral("2"), QStringLiteral("dmr-4"), QStringLiteral("10.0.1.2"),
         QStringLiteral("10.0.2.4"), QStringLiteral("24")},
        {QStringLiteral("4"), QStringLiteral("dmr-2"), QStringLiteral("10.0.2.4"),
         QStringLiteral("10.0.1.2"), QStringLiteral("24")}};
    for (const auto &t : tunnels) {
        const QString ns = lab.netnsOf(t.node);
        for (const QStringList &cmd :
             {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                          t.name, QStringLiteral("type"), QStringLiteral("vxlan"),
                          QStringLiteral("id"), t.vni, QStringLiteral("local"), t.local,
                          QStringLiteral("remote"), t.remote, QStringLiteral("dstport"),
                          QStringLiteral("4789")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          t.name, QStringLiteral("multicast"), QStringLiteral("on"),
                          QStringLiteral("up")}}) {
            if (const QString e = NetnsCluster::runIn(ns, cmd); !e.isEmpty()) {
                say(QStringLiteral("smcroute: ") + e);
                return 1;
            }
        }
    }
    // The plan's smcroute.conf of each routing point, as dmrctl plan --format smcroute prints it.
    const std::map<QString, QString> confs{
        {QStringLiteral("2"),
         QStringLiteral("phyint eth0 enable\nphyint dmr-6 enable\n"
                        "phyint dmr-4 enable\n"
                        "mroute from eth0 group 239.0.0.0/8 to dmr-6 dmr-4\n"
                        "mroute from dmr-6 group 239.0.0.0/8 to eth0 dmr-4\n"
                        "mroute from dmr-4 group 239.0.0.0/8 to eth0 dmr-6\n")},
        {QStringLiteral("6"), QStringLiteral("phyint eth0 enable\nphyint dmr-2 enable\n"
                                             "mroute from eth0 group 239.0.0.0/8 to dmr-2\n"
                                             "mroute from dmr-2 group 239.0.0.0/8 to eth0\n")},
        {QStringLiteral("4"), QStringLiteral("phyint eth1 enable\nphyint dmr-2 enable\n"
                                             "mroute from eth1 group 239.0.0.0/8 to dmr-2\n"
                                             "mroute from dmr-2 group 239.0.0.0/8 to eth1\n")}};
    std::map<QString, std::unique_ptr<QProcess>> daemons;
    for (const auto &[node, conf] : confs) {
        const QString ident = lab.netnsOf(node);
        const QString path = lab.logDir() + QStringLiteral("/smcroute-%1.conf").arg(node);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            say(QStringLiteral("smcroute: cannot write ") + path);
            return 1;
        }
        f.write(conf.toUtf8());
        f.close();
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->setStandardOutputFile(lab.logDir() + QStringLiteral("/smcrouted-%1.log").arg(node));
        // Foreground, no VIFs but the conf's phyints; its own identity, socket and pid file
        // (/run is shared by every namespace).
        p->start(QStringLiteral("ip"),
                 {QStringLiteral("netns"), QStringLiteral("exec"), lab.netnsOf(node), smcrouted,
                  QStringLiteral("-n"), QStringLiteral("-N"), QStringLiteral("-f"), path,
                  QStringLiteral("-i"), ident, QStringLiteral("-u"),
                  lab.logDir() + QStringLiteral("/smcroute-%1.sock").arg(node),
                  QStringLiteral("-P"), lab.logDir() + QStringLiteral("/smcroute-%1.pid").arg(node),
                  QStringLiteral("-l"), QStringLiteral("info")});
        if (!p->waitForStarted(10000)) {
            say(QStringLiteral("smcroute: smcrouted on node %1 did not start").arg(node));
            return 1;
        }
        daemons[node] = std::move(p);
    }
    for (const auto &id : kReceivers)
        if (const QString e = lab.startReceiver(id, kGroup, kPort); !e.isEmpty()) {
            say(QStringLiteral("smcroute: ") + e);
            return 1;
        }
    // Multicast routing decrements the TTL at each hop (node 2, then 6 or 4): TTL 1 would never
    // leave network A. DMR's relay re-sends, so its senders keep TTL 1.
    const long count = static_cast<long>(rate * (60 + windowS));
    err = lab.startSender(kSender, kGroup, kPort, rate, count, 16);
    if (err.isEmpty() &&
        !AgentCluster::waitFor([&] { return flowing(lab, kReceivers, 200); }, 30000)) {
        QString logs;
        for (const auto &[node, p] : daemons) {
            QFile l(lab.logDir() + QStringLiteral("/smcrouted-%1.log").arg(node));
            l.open(QIODevice::ReadOnly);
            logs += QStringLiteral("\n--- smcrouted on node %1:\n").arg(node) +
                    QString::fromUtf8(l.readAll()).trimmed();
        }
        err =
            QStringLiteral("the hand-made smcroute setup never delivered to every receiver") + logs;
    }
    if (!err.isEmpty()) {
        say(QStringLiteral("smcroute: ") + err);
        return 1;
    }
    QThread::msleep(1000);
    const double killMs = nowMs();
    ::kill(static_cast<pid_t>(daemons.at(QStringLiteral("2"))->processId()), SIGKILL);
    daemons.at(QStringLiteral("2"))->waitForFinished(5000);
    // Observe: does anything come back?
    QThread::msleep(static_cast<unsigned long>(windowS * 1000));
    const double endMs = nowMs();
    lab.stopSender();
    lab.stopReceivers();
    for (auto &[node, p] : daemons) {
        p->kill();
        p->waitForFinished(5000);
    }
    say(QString());
    say(QStringLiteral("smcroute 2.5.6 static baseline (the plan's smcroute.conf and VXLAN tunnels "
                       "by hand on nodes 2, 6, 4), kill -9 of node 2's smcrouted, observed for "
                       "%1 s:")
            .arg(windowS));
    for (const auto &id : kReceivers) {
        const Delivery d = analyse(lab.arrivals(id), count, killMs, endMs);
        say(QStringLiteral("  receiver %1 (%2): %3")
                .arg(id, kOnSenderNetwork.contains(id) ? QStringLiteral("A, direct")
                                                       : QStringLiteral("via smcroute"))
                .arg(d.recovered ? QStringLiteral("outage %1 ms").arg(figure(d.outageMs))
                                 : QStringLiteral("never recovers (no datagram in the %1 ms "
                                                  "after the kill)")
                                       .arg(figure(endMs - killMs))));
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Multicast delivery through failures in network namespaces: DMR's outage over kills of "
        "the system leader, drain losses, and the static smcroute baseline"));
    p.addHelpOption();
    p.addOption({QStringLiteral("kills"), QStringLiteral("Kills of the system leader"),
                 QStringLiteral("N"), QStringLiteral("20")});
    p.addOption({QStringLiteral("drains"), QStringLiteral("Drains of the leader of B"),
                 QStringLiteral("N"), QStringLiteral("5")});
    p.addOption({QStringLiteral("rate"), QStringLiteral("Datagrams per second"),
                 QStringLiteral("N"), QStringLiteral("500")});
    p.addOption({QStringLiteral("window-s"),
                 QStringLiteral("How long the baseline is watched after its kill"),
                 QStringLiteral("S"), QStringLiteral("10")});
    p.addOption({QStringLiteral("failure"),
                 QStringLiteral("How the system leader fails: kill (kill -9 of its agent: its "
                                "connections close, the others know at once) or cut (its switch "
                                "ports down: the others find out by missed heartbeats)"),
                 QStringLiteral("MODE"), QStringLiteral("kill")});
    p.addOption({QStringLiteral("skip-dmr"), QStringLiteral("Only the smcroute baseline")});
    p.addOption({QStringLiteral("skip-smcroute"), QStringLiteral("Only DMR")});
    p.addOption({QStringLiteral("agent"), QStringLiteral("dmr-agent"), QStringLiteral("PATH"),
                 QStringLiteral(DMR_AGENT_PATH)});
    p.addOption({QStringLiteral("mcast"), QStringLiteral("dmr-mcast"), QStringLiteral("PATH"),
                 QStringLiteral(DMR_MCAST_PATH)});
    p.addOption({QStringLiteral("topology"), QStringLiteral("Fig. 5's topology file"),
                 QStringLiteral("PATH"), QStringLiteral(DMR_RESOURCES "/topologies/fig5.json")});
    p.process(app);
    const QString why = NetnsCluster::whyUnavailable();
    if (!why.isEmpty()) {
        say(QStringLiteral("dmr-bench-netns: ") + why);
        return 2;
    }
    int rc = 0;
    if (!p.isSet(QStringLiteral("skip-dmr")))
        rc |= runDmr(p.value(QStringLiteral("agent")), p.value(QStringLiteral("mcast")),
                     p.value(QStringLiteral("topology")), p.value(QStringLiteral("kills")).toInt(),
                     p.value(QStringLiteral("drains")).toInt(),
                     p.value(QStringLiteral("rate")).toDouble(),
                     p.value(QStringLiteral("failure")) == QStringLiteral("cut"));
    if (!p.isSet(QStringLiteral("skip-smcroute")))
        rc |= runSmcroute(p.value(QStringLiteral("mcast")), p.value(QStringLiteral("topology")),
                          p.value(QStringLiteral("rate")).toDouble(),
                          p.value(QStringLiteral("window-s")).toDouble());
    return rc;
}
