#include "netns_cluster.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QString ipCommand()
{
    const QString found = QStandardPaths::findExecutable(QStringLiteral("ip"));
    if (!found.isEmpty())
        return found;
    return QStandardPaths::findExecutable(QStringLiteral("ip"),
                                          {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                           QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

QString Delivery::text() const
{
    QString out = QStringLiteral("received %1, lost %2, duplicates %3")
                      .arg(received)
                      .arg(lost)
                      .arg(duplicates);
    if (foreign != 0)
        out += QStringLiteral(", foreign %1").arg(foreign);
    out += !aroundEvent ? QStringLiteral(", longest gap %1 ms").arg(outageMs, 0, 'f', 1)
           : recovered  ? QStringLiteral(", outage %1 ms").arg(outageMs, 0, 'f', 1)
                        : QStringLiteral(", no datagram for the last %1 ms (not recovered)")
                             .arg(outageMs, 0, 'f', 1);
    return out;
}

Delivery analyse(const std::vector<Arrival> &arrivals, long count, std::optional<double> eventMs,
                 double endMs)
{
    Delivery d;
    std::vector<Arrival> byTime = arrivals;
    std::stable_sort(byTime.begin(), byTime.end(),
                     [](const Arrival &a, const Arrival &b) { return a.tMs < b.tMs; });
    std::set<long> seen;
    for (const auto &a : byTime) {
        ++d.received;
        if (a.seq < 1 || a.seq > count) {
            ++d.foreign;
            continue;
        }
        seen.insert(a.seq);
    }
    d.unique = static_cast<long>(seen.size());
    d.duplicates = d.received - d.foreign - d.unique;
    d.lost = count - d.unique;

    // The silence around the event: from the last arrival before it onward.
    std::size_t from = 0;
    double start = byTime.empty() ? (eventMs ? *eventMs : endMs) : byTime.front().tMs;
    long seqBefore = 0;
    if (eventMs) {
        start = *eventMs;
        for (std::size_t i = 0; i < byTime.size(); ++i) {
            if (byTime[i].tMs >= *eventMs)
                break;
            from = i;
            start = byTime[i].tMs;
            seqBefore = std::max(seqBefore, byTime[i].seq);
        }
    }
    double maxGap = 0;
    double last = start;
    bool after = false;
    for (std::size_t i = from; i < byTime.size(); ++i) {
        if (byTime[i].tMs < start)
            continue;
        maxGap = std::max(maxGap, byTime[i].tMs - last);
        last = byTime[i].tMs;
        after = after || !eventMs || byTime[i].tMs >= *eventMs;
    }
    (void)after;
    // The silence at the end counts too: a receiver that heard the datagrams in flight at the
    // event and then nothing has not recovered.
    if (endMs - last > maxGap) {
        maxGap = endMs - last;
        d.recovered = !eventMs.has_value();
    }
    d.outageMs = maxGap;
    d.aroundEvent = eventMs.has_value();
    if (eventMs)
        for (long s = seqBefore + 1; s <= count; ++s)
            d.lostAfterEvent += seen.count(s) == 0 ? 1 : 0;
    return d;
}

QStringList NetnsCluster::relayArgs(const QString &agentPath, QString *why)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(agentPath, {QStringLiteral("--help")});
    p.waitForFinished(10000);
    if (!QString::fromUtf8(p.readAll()).contains(QStringLiteral("--relay.enabled"))) {
        *why = QStringLiteral("this dmr-agent has no relay (no --relay.enabled): multicast "
                              "cannot leave the sender's network");
        return {};
    }
    return {QStringLiteral("--relay.enabled"), QStringLiteral("true"),
            QStringLiteral("--relay.mode"), QStringLiteral("os")};
}

QString NetnsCluster::whyUnavailable()
{
    if (::geteuid() != 0)
        return QStringLiteral("network namespaces need root (euid is %1)").arg(::geteuid());
    if (ipCommand().isEmpty())
        return QStringLiteral("no `ip` command (iproute2) on this machine");
    const QString probe = QStringLiteral("dmr-probe%1").arg(::getpid());
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ipCommand(), {QStringLiteral("netns"), QStringLiteral("add"), probe});
    if (!p.waitForFinished(10000) || p.exitCode() != 0)
        return QStringLiteral("cannot create a network namespace: ip netns add: ") +
               QString::fromLocal8Bit(p.readAll()).trimmed();
    p.start(ipCommand(), {QStringLiteral("netns"), QStringLiteral("del"), probe});
    p.waitForFinished(10000);
    return {};
}

QString NetnsCluster::whyNoIpv6()
{
    if (!QFile::exists(QStringLiteral("/proc/sys/net/ipv6")))
        return QStringLiteral("this kernel has no IPv6 (no /proc/sys/net/ipv6; booted with "
                              "ipv6.disable=1 or built without it)");
    for (const char *conf : {"all", "default"}) {
        QFile f(QStringLiteral("/proc/sys/net/ipv6/conf/%1/disable_ipv6").arg(QLatin1String(conf)));
        if (f.open(QIODevice::ReadOnly) && f.readAll().trimmed() == "1")
            return QStringLiteral("IPv6 is disabled (net.ipv6.conf.%1.disable_ipv6 = 1)")
                .arg(QLatin1String(conf));
    }
    return {};
}

QString NetnsCluster::whyNoMulticastRouting()
{
    // MRT_INIT and MRT_DONE of <linux/mroute.h>, whose definitions clash with <netinet/in.h>.
    constexpr int MRT_INIT = 200;
    constexpr int MRT_DONE = 201;
    const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
    if (fd < 0)
        return QStringLiteral("cannot open a raw IGMP socket for MRT_INIT: %1")
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    const int one = 1;
    QString why;
    if (::setsockopt(fd, IPPROTO_IP, MRT_INIT, &one, sizeof one) == 0)
        ::setsockopt(fd, IPPROTO_IP, MRT_DONE, nullptr, 0);
    else if (errno == ENOPROTOOPT)
        why = QStringLiteral("this kernel cannot route multicast (MRT_INIT: Protocol not "
                             "available; it was built without CONFIG_IP_MROUTE)");
    else if (errno != EADDRINUSE) // another multicast router holds the table: routing exists
        why =
            QStringLiteral("MRT_INIT failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
    ::close(fd);
    return why;
}

NetnsCluster::NetnsCluster(QString lab, QString topologyPath, QString agentPath, QString mcastPath,
                           int basePort, QStringList agentArgs)
    : lab_(std::move(lab))
    , topologyPath_(std::move(topologyPath))
    , agentPath_(std::move(agentPath))
    , mcastPath_(std::move(mcastPath))
    , basePort_(basePort)
    , agentArgs_(std::move(agentArgs))
    , logDir_(QDir::tempPath() + QStringLiteral("/dmr-netns-%1-%2").arg(lab_).arg(::getpid()))
{
    QDir().mkpath(logDir_);
}

NetnsCluster::~NetnsCluster()
{
    if (sender_ && sender_->state() != QProcess::NotRunning) {
        sender_->kill();
        sender_->waitForFinished(5000);
    }
    for (auto &[stream, p] : streamSenders_)
        if (p && p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(5000);
        }
    for (auto &[id, r] : receivers_)
        if (r.process && r.process->state() != QProcess::NotRunning) {
            r.process->kill();
            r.process->waitForFinished(5000);
        }
    agents_.reset();
    if (built_) {
        dmr::lab::ProcessRunner runner;
        const auto report =
            dmr::lab::teardownNetnsLab(lab_.toStdString(), runner, dmr::lab::defaultStateDir());
        for (const auto &e : report.errors)
            qWarning("lab %s teardown: %s", qPrintable(lab_), e.c_str());
    }
}

QString NetnsCluster::build()
{
    std::ifstream in(topologyPath_.toStdString());
    std::stringstream text;
    text << in.rdbuf();
    auto topo = dmr::parseTopology(text.str());
    if (!topo)
        return topologyPath_ + QStringLiteral(": ") + q(topo.error().message);
    auto plan = dmr::lab::planNetnsLab(*topo, lab_.toStdString());
    if (!plan)
        return q(plan.error().message);
    plan_ = *plan;
    dmr::lab::ProcessRunner runner;
    const auto leftover =
        dmr::lab::teardownNetnsLab(lab_.toStdString(), runner, dmr::lab::defaultStateDir());
    if (!leftover.errors.empty())
        return QStringLiteral("removing an earlier lab %1: %2")
            .arg(lab_, q(leftover.errors.front()));
    built_ = true;
    auto made = dmr::lab::buildNetnsLab(*plan_, runner, dmr::lab::defaultStateDir(), ::getpid());
    if (!made)
        return q(made.error().message);

    agents_ = std::make_unique<AgentCluster>(agentPath_, basePort_);
    for (const auto &id : topo->joinOrder) {
        const QString qid = q(id);
        joinOrder_ << qid;
        // No interface list: the agent reads its namespace's interfaces from the OS.
        agents_->addNode(qid, {}, agentArgs_);
        agents_->placeInNetns(qid, netnsOf(qid), addressOf(qid));
    }
    return {};
}

QString NetnsCluster::netnsOf(const QString &id) const
{
    return q(plan_->nodes.at(id.toStdString()).netns);
}

QString NetnsCluster::addressOf(const QString &id) const
{
    return q(plan_->nodes.at(id.toStdString()).address);
}

QString NetnsCluster::startAgents(int joinTimeoutMs)
{
    for (const auto &id : joinOrder_)
        if (!agents_->start(id, joinTimeoutMs))
            return QStringLiteral("node %1 did not join within %2 ms; its log:\n%3")
                .arg(id)
                .arg(joinTimeoutMs)
                .arg(agents_->logOf(id));
    return {};
}

QString NetnsCluster::runIn(const QString &netns, const QStringList &command, QString *output,
                            int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ipCommand(),
            QStringList{QStringLiteral("netns"), QStringLiteral("exec"), netns} + command);
    const bool done = p.waitForFinished(timeoutMs);
    const QString out = QString::fromLocal8Bit(p.readAll()).trimmed();
    if (output != nullptr)
        *output = out;
    if (!done || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (!done)
            p.kill();
        return QStringLiteral("ip netns exec %1 %2: %3")
            .arg(netns, command.join(QLatin1Char(' ')),
                 done ? out : QStringLiteral("no exit within %1 ms").arg(timeoutMs));
    }
    return {};
}

QString NetnsCluster::startReceiver(const QString &id, const QString &group, int port,
                                    int timeoutMs, const QString &iface, const QString &stream)
{
    Receiver r;
    r.logPath = logDir_ + QStringLiteral("/recv-%1%2.jsonl").arg(id, stream);
    QFile::remove(r.logPath);
    r.process = std::make_unique<QProcess>();
    r.process->setStandardOutputFile(r.logPath);
    r.process->setStandardErrorFile(r.logPath + QStringLiteral(".err"));
    QStringList args{
        QStringLiteral("netns"), QStringLiteral("exec"),    netnsOf(id), mcastPath_,
        QStringLiteral("recv"),  QStringLiteral("--group"), group,       QStringLiteral("--port"),
        QString::number(port)};
    if (!iface.isEmpty())
        args << QStringLiteral("--iface") << iface;
    r.process->start(ipCommand(), args);
    if (!r.process->waitForStarted(10000))
        return QStringLiteral("receiver on node %1 did not start").arg(id);
    const QString path = r.logPath;
    QProcess *proc = r.process.get();
    receivers_[id + stream] = std::move(r);
    const bool joined = AgentCluster::waitFor(
        [&] {
            QFile f(path);
            return proc->state() == QProcess::Running && f.open(QIODevice::ReadOnly) &&
                   f.readLine().contains("\"joined\"");
        },
        timeoutMs);
    if (!joined) {
        QFile err(path + QStringLiteral(".err"));
        err.open(QIODevice::ReadOnly);
        return QStringLiteral("receiver on node %1 did not join: %2")
            .arg(id, QString::fromUtf8(err.readAll()).trimmed());
    }
    return {};
}

void NetnsCluster::stopReceivers()
{
    for (auto &[id, r] : receivers_)
        if (r.process->state() != QProcess::NotRunning)
            r.process->terminate();
    for (auto &[id, r] : receivers_)
        if (!r.process->waitForFinished(5000))
            r.process->kill();
}

QStringList NetnsCluster::receiverIds() const
{
    QStringList out;
    for (const auto &[id, r] : receivers_)
        out << id;
    return out;
}

std::vector<Arrival> NetnsCluster::arrivals(const QString &id) const
{
    std::vector<Arrival> out;
    const auto it = receivers_.find(id);
    if (it == receivers_.end())
        return out;
    QFile f(it->second.logPath);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        if (!line.startsWith("{\"seq\""))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue; // a line cut short by the stop
        out.push_back({static_cast<long>(o.value(QStringLiteral("seq")).toDouble()),
                       o.value(QStringLiteral("t_ms")).toDouble(),
                       o.value(QStringLiteral("iface")).toString(),
                       o.value(QStringLiteral("src")).toString()});
    }
    return out;
}

long NetnsCluster::highestSeq(const QString &id) const
{
    long best = 0;
    for (const auto &a : arrivals(id))
        best = std::max(best, a.seq);
    return best;
}

QString NetnsCluster::startSender(const QString &id, const QString &group, int port, double rate,
                                  long count, int ttl, const QString &iface, const QString &stream)
{
    std::unique_ptr<QProcess> &sender = stream.isEmpty() ? sender_ : streamSenders_[stream];
    sender = std::make_unique<QProcess>();
    sender->setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{QStringLiteral("netns"),
                     QStringLiteral("exec"),
                     netnsOf(id),
                     mcastPath_,
                     QStringLiteral("send"),
                     QStringLiteral("--group"),
                     group,
                     QStringLiteral("--port"),
                     QString::number(port),
                     QStringLiteral("--rate"),
                     QString::number(rate),
                     QStringLiteral("--count"),
                     QString::number(count),
                     QStringLiteral("--ttl"),
                     QString::number(ttl),
                     QStringLiteral("--sender"),
                     id};
    if (!iface.isEmpty())
        args << QStringLiteral("--iface") << iface;
    sender->start(ipCommand(), args);
    if (!sender->waitForStarted(10000))
        return QStringLiteral("sender on node %1 did not start").arg(id);
    return {};
}

QString NetnsCluster::waitSender(int timeoutMs)
{
    if (!sender_)
        return QStringLiteral("no sender");
    std::vector<QProcess *> all{sender_.get()};
    for (auto &[stream, p] : streamSenders_)
        all.push_back(p.get());
    for (QProcess *p : all) {
        if (!p->waitForFinished(timeoutMs))
            return QStringLiteral("a sender did not finish within %1 ms").arg(timeoutMs);
        const QString out = QString::fromUtf8(p->readAll()).trimmed();
        if (p->exitCode() != 0)
            return QStringLiteral("a sender failed: ") + out;
    }
    return {};
}

void NetnsCluster::stopSender()
{
    std::vector<QProcess *> all{sender_.get()};
    for (auto &[stream, p] : streamSenders_)
        all.push_back(p.get());
    for (QProcess *p : all)
        if (p && p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(5000))
                p->kill();
        }
}

std::optional<Arrival> NetnsCluster::lastArrival(const QString &id) const
{
    const auto it = receivers_.find(id);
    if (it == receivers_.end())
        return std::nullopt;
    QFile f(it->second.logPath);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const qint64 size = f.size();
    f.seek(std::max<qint64>(0, size - 4096));
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
        if (!line->startsWith("{\"seq\""))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(*line).object();
        if (o.isEmpty())
            continue; // still being written
        return Arrival{static_cast<long>(o.value(QStringLiteral("seq")).toDouble()),
                       o.value(QStringLiteral("t_ms")).toDouble(),
                       o.value(QStringLiteral("iface")).toString(),
                       o.value(QStringLiteral("src")).toString()};
    }
    return std::nullopt;
}
