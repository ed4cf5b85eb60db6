// A real network partition of real dmr-agent processes, and its heal (the merge rule of
// shared/include/dmr/membership.h): Fig. 5 (fig5.json), every agent in a network namespace of its
// own, on one of two bridges joined by a single link.
//
//   namespace dmrp-PID-sw:  bridge brA --- veth xA|xB --- bridge brB
//                             |  |  |                       |  |  |
//   namespaces dmrp-PID-nN:   2  1  3  (side A)             6  4  5  (side B)
//
// Node N has eth0 = 10.254.0.N/24 (the cluster transport only: --node.interfaces stay the
// Fig. 5 labels) and its control port on 127.0.0.1 inside its namespace. The test reaches a
// control port through a socket made in that namespace (AgentCluster::socketInNetns), so a
// partition never cuts the test off and the root namespace is not touched at all. Partition:
// xA down; heal: xA up.
//
// Needs root and iproute2 (`ip netns`); skipped otherwise. Namespaces are named dmrp-PID-...;
// the ones a crashed run left behind (its PID gone) are removed at start.
//
// Every wait is a condition polled with a generous deadline: a loaded 2-core machine must not
// make these tests flaky.

#include "agent_cluster.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <cerrno>
#include <csignal>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 60000;
const QString kPrefix = QStringLiteral("dmrp-");

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

const QStringList kSideA{s("2"), s("1"), s("3")};
const QStringList kSideB{s("6"), s("4"), s("5")};
const QStringList kJoinOrder{s("2"), s("6"), s("4"), s("1"), s("3"), s("5")};
const QStringList kMerged{s("2"), s("1"), s("3"), s("6"), s("4"), s("5")};

QString ipCommand()
{
    const QString found = QStandardPaths::findExecutable(s("ip"));
    if (!found.isEmpty())
        return found;
    return QStandardPaths::findExecutable(s("ip"),
                                          {s("/usr/sbin"), s("/sbin"), s("/usr/bin"), s("/bin")});
}

// Runs `ip ARGS`: empty on success, else the command and what it printed.
QString ip(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ipCommand(), args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return s("ip ") + args.join(QLatin1Char(' ')) + s(": ") +
               QString::fromLocal8Bit(p.readAll()).trimmed();
    return {};
}

QStringList ipLines(const QStringList &args)
{
    QProcess p;
    p.start(ipCommand(), args);
    p.waitForFinished(10000);
    return QString::fromLocal8Bit(p.readAllStandardOutput())
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void killProcessesIn(const QString &netns)
{
    for (const auto &line : ipLines({s("netns"), s("pids"), netns})) {
        bool ok = false;
        const int pid = line.trimmed().toInt(&ok);
        if (ok && pid > 1 && pid != ::getpid())
            ::kill(pid, SIGKILL);
    }
}

// The namespaces of this run: made by build(), removed (with whatever still runs in them) by the
// destructor.
class NetLab
{
public:
    NetLab()
        : prefix_(kPrefix + QString::number(::getpid()) + QLatin1Char('-'))
    {
    }
    ~NetLab()
    {
        for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
            killProcessesIn(*it);
            ip({s("netns"), s("del"), *it});
        }
    }
    NetLab(const NetLab &) = delete;
    NetLab &operator=(const NetLab &) = delete;

    // Why this machine cannot run the test, or empty.
    static QString whyUnavailable()
    {
        if (::geteuid() != 0)
            return s("network namespaces need root (euid is %1)").arg(::geteuid());
        if (ipCommand().isEmpty())
            return s("no `ip` command (iproute2) on this machine");
        NetLab probe;
        const QString err = probe.addNamespace(probe.prefix_ + s("probe"));
        if (!err.isEmpty())
            return s("cannot create a network namespace: ") + err;
        return {};
    }

    // Removes namespaces of earlier runs whose process is gone (a crash, a ctest timeout).
    static void removeLeftovers()
    {
        for (const auto &line : ipLines({s("netns"), s("list")})) {
            const QString name = line.section(QLatin1Char(' '), 0, 0);
            if (!name.startsWith(kPrefix))
                continue;
            bool ok = false;
            const int pid = name.mid(kPrefix.size()).section(QLatin1Char('-'), 0, 0).toInt(&ok);
            if (!ok || pid == ::getpid() || !(::kill(pid, 0) != 0 && errno == ESRCH))
                continue;
            killProcessesIn(name);
            ip({s("netns"), s("del"), name});
        }
    }

    QString switchNs() const { return prefix_ + s("sw"); }
    QString nodeNs(const QString &id) const { return prefix_ + s("n") + id; }
    static QString address(const QString &id) { return s("10.254.0.") + id; }

    // The two bridges, their link, and one namespace per node on its side's bridge. Empty on
    // success, else the step that failed.
    QString build(const QStringList &sideA, const QStringList &sideB)
    {
        const QString sw = switchNs();
        QString err = addNamespace(sw);
        for (const QStringList &step : std::initializer_list<QStringList>{
                 {s("-n"), sw, s("link"), s("add"), s("brA"), s("type"), s("bridge")},
                 {s("-n"), sw, s("link"), s("add"), s("brB"), s("type"), s("bridge")},
                 {s("-n"), sw, s("link"), s("add"), s("xA"), s("type"), s("veth"), s("peer"),
                  s("name"), s("xB")},
                 {s("-n"), sw, s("link"), s("set"), s("xA"), s("master"), s("brA")},
                 {s("-n"), sw, s("link"), s("set"), s("xB"), s("master"), s("brB")},
                 {s("-n"), sw, s("link"), s("set"), s("brA"), s("up")},
                 {s("-n"), sw, s("link"), s("set"), s("brB"), s("up")},
                 {s("-n"), sw, s("link"), s("set"), s("xA"), s("up")},
                 {s("-n"), sw, s("link"), s("set"), s("xB"), s("up")}}) {
            if (!err.isEmpty())
                return err;
            err = ip(step);
        }
        for (const auto &[ids, bridge] : {std::pair{sideA, s("brA")}, std::pair{sideB, s("brB")}}) {
            for (const auto &id : ids) {
                const QString ns = nodeNs(id);
                const QString port = s("p") + id;
                err = addNamespace(ns);
                for (const QStringList &step : std::initializer_list<QStringList>{
                         {s("-n"), sw, s("link"), s("add"), port, s("type"), s("veth"), s("peer"),
                          s("name"), s("eth0"), s("netns"), ns},
                         {s("-n"), sw, s("link"), s("set"), port, s("master"), bridge},
                         {s("-n"), sw, s("link"), s("set"), port, s("up")},
                         {s("-n"), ns, s("addr"), s("add"), address(id) + s("/24"), s("dev"),
                          s("eth0")},
                         {s("-n"), ns, s("link"), s("set"), s("eth0"), s("up")},
                         {s("-n"), ns, s("link"), s("set"), s("lo"), s("up")}}) {
                    if (!err.isEmpty())
                        return err;
                    err = ip(step);
                }
                if (!err.isEmpty())
                    return err;
            }
        }
        return err;
    }

    QString partition()
    {
        return ip({s("-n"), switchNs(), s("link"), s("set"), s("xA"), s("down")});
    }
    QString heal() { return ip({s("-n"), switchNs(), s("link"), s("set"), s("xA"), s("up")}); }

    // Whether a TCP connection from node `from`'s namespace reaches a listener in node `to`'s,
    // on its cluster address, within timeoutMs: the test's ping.
    bool reaches(const QString &from, const QString &to, int port, int timeoutMs) const
    {
        const int listener = AgentCluster::socketInNetns(nodeNs(to), SOCK_STREAM);
        const int client = AgentCluster::socketInNetns(nodeNs(from), SOCK_STREAM);
        bool ok = false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, address(to).toLatin1().constData(), &addr.sin_addr);
        const int one = 1;
        if (listener >= 0 && client >= 0 &&
            ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            ::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
            ::listen(listener, 4) == 0) {
            ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
            if (::connect(client, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
                ok = true;
            } else if (errno == EINPROGRESS) {
                pollfd p{client, POLLOUT, 0};
                int err = 0;
                socklen_t len = sizeof err;
                ok = ::poll(&p, 1, timeoutMs) == 1 &&
                     ::getsockopt(client, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
            }
        }
        for (const int fd : {listener, client})
            if (fd >= 0)
                ::close(fd);
        return ok;
    }

private:
    QString addNamespace(const QString &name)
    {
        const QString err = ip({s("netns"), s("add"), name});
        if (err.isEmpty())
            made_ << name;
        return err;
    }

    QString prefix_;
    QStringList made_;
};

QStringList agentsOf(const QJsonObject &cluster)
{
    QStringList out;
    for (const auto &a : cluster[s("agents")].toArray())
        out << a.toObject()[s("id")].toString();
    return out;
}

QStringList members(const QJsonObject &snapshot, const QString &group)
{
    for (const auto &g : snapshot[s("groups")].toArray()) {
        if (g.toObject()[s("name")].toString() != group)
            continue;
        QStringList out;
        for (const auto &m : g.toObject()[s("members")].toArray())
            out << m.toObject()[s("node")].toString();
        return out;
    }
    return {};
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const auto &v : array.toArray())
        out << v.toString();
    return out;
}

// One line per agent: its view id, coordinator and agents, for failure messages.
QString describe(const AgentCluster &c, const QStringList &ids)
{
    QString out;
    for (const auto &id : ids) {
        const auto cl = c.cluster(id);
        out += s("\n  node %1: view %2, coordinator %3, agents [%4]")
                   .arg(id, cl[s("view_id")].toString(), cl[s("coordinator")].toString(),
                        agentsOf(cl).join(QLatin1Char(' ')));
    }
    return out;
}

// Each agent's log since its last start: what it saw.
QString logs(const AgentCluster &c)
{
    QString out;
    for (const auto &id : c.ids()) {
        const QString log = c.logOf(id);
        const auto from = log.lastIndexOf(s("started; membership"));
        out += s("\n--- agent %1 since its start:\n").arg(id) +
               (from < 0 ? log : log.mid(from)).trimmed();
    }
    return out;
}

// Waits for `condition`; on timeout prints what `explain` finds (views, plans, the agents' logs:
// more than a QtTest failure message holds) and returns false.
bool waitOrExplain(const std::function<bool()> &condition, const std::function<QString()> &explain)
{
    if (AgentCluster::waitFor(condition, kDeadlineMs))
        return true;
    qWarning().noquote() << explain();
    return false;
}

// Every listed agent answers and holds the same view, whose agents are exactly `ids` in this
// order (so ids.first() coordinates).
bool agreeOn(const AgentCluster &c, const QStringList &ids)
{
    QString view;
    for (const auto &id : ids) {
        const auto cl = c.cluster(id);
        if (cl.isEmpty() || agentsOf(cl) != ids || cl[s("coordinator")].toString() != ids.first())
            return false;
        if (view.isEmpty())
            view = cl[s("view_id")].toString();
        else if (cl[s("view_id")].toString() != view)
            return false;
    }
    return true;
}

// The agents of the view that every listed agent holds, when they all hold the same one and it
// has exactly these agents (in whatever order); else empty.
QStringList commonView(const AgentCluster &c, const QStringList &ids)
{
    QString view;
    QStringList agents;
    for (const auto &id : ids) {
        const auto cl = c.cluster(id);
        if (cl.isEmpty() || (!view.isEmpty() && cl[s("view_id")].toString() != view))
            return {};
        view = cl[s("view_id")].toString();
        agents = agentsOf(cl);
    }
    QStringList sorted = agents;
    QStringList expected = ids;
    sorted.sort();
    expected.sort();
    return sorted == expected ? agents : QStringList{};
}

// What an agent does (its own routes and tunnels) and what it believes of the whole plan.
struct Expect
{
    QString systemLeader;
    std::map<QString, QStringList> leads;   // node -> networks it leads
    std::map<QString, QStringList> tunnels; // node -> its open tunnels "root-leaf"
};

bool statesAre(const AgentCluster &c, const QStringList &ids, const Expect &e)
{
    for (const auto &id : ids) {
        const auto st = c.state(id);
        if (st.isEmpty() || st[s("system_leader")].toString() != e.systemLeader)
            return false;
        const auto leads = e.leads.find(id);
        if (strings(st[s("leads")]) != (leads == e.leads.end() ? QStringList{} : leads->second))
            return false;
        const auto tunnels = e.tunnels.find(id);
        if (AgentCluster::tunnelsOf(st) !=
            (tunnels == e.tunnels.end() ? QStringList{} : tunnels->second))
            return false;
    }
    return true;
}

QString describeStates(const AgentCluster &c, const QStringList &ids)
{
    QString out;
    for (const auto &id : ids) {
        const auto st = c.state(id);
        out += s("\n  node %1: system leader %2, leads [%3], tunnels [%4]")
                   .arg(id, st[s("system_leader")].toString(),
                        strings(st[s("leads")]).join(QLatin1Char(' ')),
                        AgentCluster::tunnelsOf(st).join(QLatin1Char(' ')));
    }
    return out;
}

// The plan parts of a snapshot, and the view's agents: what a heal must reproduce exactly.
// Member lists are compared by node (the sequence numbers are new on every merge).
QJsonObject planOf(const QJsonObject &cluster)
{
    const auto snap = cluster[s("snapshot")].toObject();
    QJsonObject groups;
    for (const auto &g : snap[s("groups")].toArray()) {
        const QString name = g.toObject()[s("name")].toString();
        groups[name] = QJsonArray::fromStringList(members(snap, name));
    }
    return {{s("agents"), QJsonArray::fromStringList(agentsOf(cluster))},
            {s("coordinator"), cluster[s("coordinator")]},
            {s("groups"), groups},
            {s("leaders"), snap[s("leaders")]},
            {s("gl_order"), snap[s("gl_order")]},
            {s("system_leader"), snap[s("system_leader")]},
            {s("tunnels"), snap[s("tunnels")]},
            {s("routes"), snap[s("routes")]}};
}

QString text(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

class TestPartition : public QObject
{
    Q_OBJECT

private:
    int probePort_ = 50999;

    // Builds the namespaces and checks that every node reaches every other one.
    void buildLab(NetLab &lab)
    {
        const QString err = lab.build(kSideA, kSideB);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const auto &from : {s("2"), s("6")})
            for (const auto &to : kJoinOrder)
                if (to != from)
                    QVERIFY2(
                        lab.reaches(from, to, probePort_, 5000),
                        qPrintable(
                            s("node %1 does not reach %2 before the partition").arg(from, to)));
    }

    std::unique_ptr<AgentCluster> fig5(const NetLab &lab, int basePort)
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH), basePort);
        // Fig. 5 (as AgentCluster::addFig5), with failure declared after 1 s of silence instead
        // of 300 ms: this test is about partitions, and a busy machine stalls processes for a
        // few hundred ms (which the default would take for failures, reordering the lists).
        const QStringList slow{s("--membership.heartbeat_ms"), s("100"), s("--membership.misses"),
                               s("10")};
        c->addNode(s("2"), {s("eth0=10.0.1.2/24")}, slow);
        c->addNode(s("6"), {s("eth0=10.0.2.6/24")}, slow);
        c->addNode(s("4"), {s("eth0=10.0.2.4/24"), s("eth1=10.0.3.4/24")}, slow);
        c->addNode(s("1"), {s("eth0=10.0.1.1/24"), s("eth1=10.0.3.1/24")}, slow);
        c->addNode(s("3"), {s("eth0=10.0.1.3/24")}, slow);
        c->addNode(s("5"), {s("eth0=10.0.2.5/24")}, slow);
        for (const auto &id : kJoinOrder)
            c->placeInNetns(id, lab.nodeNs(id), NetLab::address(id));
        return c;
    }

    // Starts Fig. 5 in its join order, each agent waiting until it is in node 2's view.
    void startInOrder(AgentCluster &c)
    {
        QStringList up;
        for (const auto &id : kJoinOrder) {
            QVERIFY2(c.start(id), qPrintable(s("node %1 did not start:\n").arg(id) + c.logOf(id)));
            up << id;
            QVERIFY2(waitOrExplain([&] { return agreeOn(c, up); },
                                   [&] { return describe(c, up) + logs(c); }),
                     qPrintable(s("no common view after starting node ") + id));
        }
        const auto snap = c.cluster(s("5"))[s("snapshot")].toObject();
        QCOMPARE(members(snap, s("10.0.1.0/24")), kSideA);
        QCOMPARE(members(snap, s("10.0.2.0/24")), kSideB);
        QCOMPARE(members(snap, s("10.0.3.0/24")), (QStringList{s("4"), s("1")}));
        QCOMPARE(strings(snap[s("gl_order")]), (QStringList{s("2"), s("6"), s("4")}));
    }

    // Cuts the link between the bridges and waits for each side to go on alone, with its own
    // coordinator, system leader and routing points.
    void partition(NetLab &lab, AgentCluster &c)
    {
        QElapsedTimer t;
        t.start();
        const QString err = lab.partition();
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY2(waitOrExplain([&] { return agreeOn(c, kSideA); },
                               [&] { return describe(c, kSideA) + logs(c); }),
                 "side A did not settle on the view 2 1 3");
        const qint64 sideAMs = t.elapsed();
        QVERIFY2(waitOrExplain([&] { return agreeOn(c, kSideB); },
                               [&] { return describe(c, kSideB) + logs(c); }),
                 "side B did not settle on the view 6 4 5");
        const qint64 sideBMs = t.elapsed();
        // The cut is real: nothing crosses, and each side still reaches itself.
        QVERIFY(!lab.reaches(s("2"), s("6"), probePort_, 1000));
        QVERIFY(!lab.reaches(s("4"), s("1"), probePort_, 1000));
        QVERIFY(lab.reaches(s("2"), s("3"), probePort_, 5000));
        QVERIFY(lab.reaches(s("5"), s("6"), probePort_, 5000));
        // Side A: 2 still leads A and is system leader; 1 leads C, since 4 is on the other side.
        const Expect a{s("2"),
                       {{s("2"), {s("10.0.1.0/24")}}, {s("1"), {s("10.0.3.0/24")}}},
                       {{s("2"), {s("2-1")}}, {s("1"), {s("2-1")}}}};
        QVERIFY2(waitOrExplain([&] { return statesAre(c, kSideA, a); },
                               [&] { return describeStates(c, kSideA) + logs(c); }),
                 "side A does not carry out its own plan");
        // Side B: 6 leads B and is system leader; 4 still leads C.
        const Expect b{s("6"),
                       {{s("6"), {s("10.0.2.0/24")}}, {s("4"), {s("10.0.3.0/24")}}},
                       {{s("6"), {s("6-4")}}, {s("4"), {s("6-4")}}}};
        QVERIFY2(waitOrExplain([&] { return statesAre(c, kSideB, b); },
                               [&] { return describeStates(c, kSideB) + logs(c); }),
                 "side B does not carry out its own plan");
        const auto snapA = c.cluster(s("3"))[s("snapshot")].toObject();
        QCOMPARE(strings(snapA[s("gl_order")]), (QStringList{s("2"), s("1")}));
        QCOMPARE(members(snapA, s("10.0.3.0/24")), QStringList{s("1")});
        QVERIFY(members(snapA, s("10.0.2.0/24")).isEmpty());
        const auto snapB = c.cluster(s("5"))[s("snapshot")].toObject();
        QCOMPARE(strings(snapB[s("gl_order")]), (QStringList{s("6"), s("4")}));
        QCOMPARE(members(snapB, s("10.0.3.0/24")), QStringList{s("4")});
        QVERIFY(members(snapB, s("10.0.1.0/24")).isEmpty());
        qInfo("partition: side A settled after %lld ms, side B after %lld ms", sideAMs, sideBMs);
    }

    // Restores the link and waits for one view of all six; `plan` gets the merged plan.
    void heal(NetLab &lab, AgentCluster &c, QJsonObject &plan)
    {
        QElapsedTimer t;
        t.start();
        const QString err = lab.heal();
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY2(AgentCluster::waitFor(
                     [&] { return lab.reaches(s("2"), s("6"), probePort_, 1000); }, kDeadlineMs),
                 "the link is up again but node 2 does not reach node 6");
        const qint64 linkMs = t.elapsed();
        // The first view that all six agree on must be the merge's: nothing in between.
        QStringList agreed;
        QVERIFY2(waitOrExplain([&] { return !(agreed = commonView(c, kJoinOrder)).isEmpty(); },
                               [&] { return describe(c, kJoinOrder) + logs(c); }),
                 "the six agents never agree on one view");
        const qint64 mergedMs = t.elapsed();
        if (agreed != kMerged)
            qWarning().noquote() << describe(c, kJoinOrder) + logs(c);
        QCOMPARE(agreed, kMerged);
        QCOMPARE(c.cluster(s("4"))[s("coordinator")].toString(), s("2"));
        // The merge rule: side A (coordinator 2 joined first) keeps its order; side B's nodes and
        // members follow in their own order. So 1 stays first of C and leads it.
        const Expect merged{
            s("2"),
            {{s("2"), {s("10.0.1.0/24")}},
             {s("1"), {s("10.0.3.0/24")}},
             {s("6"), {s("10.0.2.0/24")}}},
            {{s("2"), {s("2-1"), s("2-6")}}, {s("1"), {s("2-1")}}, {s("6"), {s("2-6")}}}};
        QVERIFY2(waitOrExplain([&] { return statesAre(c, kJoinOrder, merged); },
                               [&] { return describeStates(c, kJoinOrder) + logs(c); }),
                 "the agents do not carry out the merged plan");
        qInfo("heal: link back after %lld ms, one view of all six after %lld ms, plan applied "
              "after %lld ms",
              linkMs, mergedMs, t.elapsed());
        plan = planOf(c.cluster(s("5")));
    }

    // The merged view and plan, as every agent holds it.
    void checkMerged(const AgentCluster &c, const QJsonObject &plan)
    {
        QVERIFY(!plan.isEmpty());
        QCOMPARE(plan[s("coordinator")].toString(), s("2"));
        QCOMPARE(strings(plan[s("agents")]), kMerged);
        const auto groups = plan[s("groups")].toObject();
        QCOMPARE(strings(groups[s("10.0.1.0/24")]), kSideA);
        QCOMPARE(strings(groups[s("10.0.2.0/24")]), kSideB);
        QCOMPARE(strings(groups[s("10.0.3.0/24")]), (QStringList{s("1"), s("4")}));
        QCOMPARE(strings(plan[s("gl_order")]), (QStringList{s("2"), s("1"), s("6")}));
        QCOMPARE(plan[s("system_leader")].toString(), s("2"));
        const auto leaders = plan[s("leaders")].toObject();
        QCOMPARE(leaders[s("10.0.1.0/24")].toString(), s("2"));
        QCOMPARE(leaders[s("10.0.2.0/24")].toString(), s("6"));
        QCOMPARE(leaders[s("10.0.3.0/24")].toString(), s("1"));
        for (const auto &id : kJoinOrder) {
            const auto mine = planOf(c.cluster(id));
            QVERIFY2(mine == plan,
                     qPrintable(
                         s("node %1 holds %2\n  node 5 holds %3").arg(id, text(mine), text(plan))));
        }
    }

private slots:
    void initTestCase()
    {
        NetLab::removeLeftovers();
        const QString why = NetLab::whyUnavailable();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
    }

    // Both coordinators knock on the other side (every agent lists every other as a peer).
    // The same cluster is partitioned and healed twice: the second heal must give exactly the
    // first one's view and plan, although side B found its coordinator differently (in the
    // merged order 2 1 3 6 4 5 it has to give up on 1 and 3 first).
    void partitionAndHealTwice()
    {
        NetLab lab;
        buildLab(lab);
        if (QTest::currentTestFailed())
            return;
        auto c = fig5(lab, 50100);
        startInOrder(*c);
        if (QTest::currentTestFailed())
            return;

        partition(lab, *c);
        if (QTest::currentTestFailed())
            return;
        QJsonObject first;
        heal(lab, *c, first);
        if (QTest::currentTestFailed())
            return;
        checkMerged(*c, first);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(c->logOf(s("2")).contains(s("merging the partition of 6")));

        partition(lab, *c);
        if (QTest::currentTestFailed())
            return;
        QJsonObject second;
        heal(lab, *c, second);
        if (QTest::currentTestFailed())
            return;
        checkMerged(*c, second);
        QCOMPARE(text(second), text(first));
    }

    // Which side knocks first must not matter. Real processes cannot be raced on purpose, so
    // each row lets only one side knock: the other side's agents list only their own side as
    // peers. "A knocks": 2 knocks on B, and 6, which joined later, sends 2 its view to merge.
    // "B knocks": 6 knocks on A, 2 answers that it wins, and 6 sends its view. Both must end
    // in the same view and plan.
    void whicheverSideKnocks_data()
    {
        QTest::addColumn<QString>("knocking");
        QTest::addColumn<int>("basePort");
        QTest::newRow("only side A knocks") << s("A") << 50200;
        QTest::newRow("only side B knocks") << s("B") << 50300;
    }

    void whicheverSideKnocks()
    {
        QFETCH(QString, knocking);
        QFETCH(int, basePort);
        NetLab lab;
        buildLab(lab);
        if (QTest::currentTestFailed())
            return;
        auto c = fig5(lab, basePort);
        const QStringList &silent = knocking == s("A") ? kSideB : kSideA;
        for (const auto &id : silent) {
            QStringList own = silent;
            own.removeAll(id);
            c->setPeersOf(id, own);
        }
        startInOrder(*c);
        if (QTest::currentTestFailed())
            return;
        const int mergesBefore =
            static_cast<int>(c->logOf(s("2")).count(s("merging the partition of 6")));
        partition(lab, *c);
        if (QTest::currentTestFailed())
            return;
        QJsonObject plan;
        heal(lab, *c, plan);
        if (QTest::currentTestFailed())
            return;
        checkMerged(*c, plan);
        QCOMPARE(c->logOf(s("2")).count(s("merging the partition of 6")), mergesBefore + 1);
    }
};

QTEST_GUILESS_MAIN(TestPartition)
#include "tst_partition.moc"
