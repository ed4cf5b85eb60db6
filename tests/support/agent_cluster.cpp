#include "agent_cluster.h"

#include "client.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
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

// Connects a socket of another network namespace to 127.0.0.1:port there, within timeoutMs:
// the connected descriptor, or -1.
int connectInNetns(const QString &netns, int port, int timeoutMs)
{
    const int fd = AgentCluster::socketInNetns(netns, SOCK_STREAM);
    if (fd < 0)
        return -1;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (errno != EINPROGRESS || ::poll(&p, 1, timeoutMs) != 1 ||
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

// Whether a port on 127.0.0.1 can be bound now (TCP or UDP).
bool portFree(int port, int type)
{
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// A base port for a cluster of up to kNodesChecked agents: membership base+i, control
// base+1000+i (TCP) and the relay's tunnels at base+2000+i (UDP, where tests put them). Below
// the kernel's ephemeral range (32768 and up), so that the agents' own outgoing connections
// never take one of these ports first, and checked free now: the suites run one after another
// but other programs (benchmarks, labs) may hold a range.
int pickBasePort()
{
    constexpr int kSlots = 80; // 20000-27900; +2000+i stays below 30000
    constexpr int kNodesChecked = 64;
    const int first = static_cast<int>(::getpid() % kSlots);
    for (int k = 0; k < kSlots; ++k) {
        const int base = 20000 + ((first + k) % kSlots) * 100;
        bool free = true;
        for (int i = 0; i < kNodesChecked && free; ++i)
            free = portFree(base + i, SOCK_STREAM) && portFree(base + 1000 + i, SOCK_STREAM) &&
                   portFree(base + 2000 + i, SOCK_DGRAM) && portFree(base + 2001 + i, SOCK_DGRAM);
        if (free)
            return base;
    }
    return 20000 + first * 100;
}

} // namespace

AgentCluster::AgentCluster(QString agentPath, int basePort)
    : agentPath_(std::move(agentPath))
    , basePort_(basePort != 0 ? basePort : pickBasePort())
    , logDir_(QDir::tempPath() + QStringLiteral("/dmr-test-%1").arg(::getpid()))
{
    QDir().mkpath(logDir_);
}

AgentCluster::~AgentCluster()
{
    for (auto &[id, n] : nodes_) {
        if (n.process && n.process->state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(n.process->processId()), SIGCONT);
            n.process->kill();
            n.process->waitForFinished(5000);
        }
    }
}

void AgentCluster::addNode(const QString &id, const QStringList &interfaces, QStringList extraArgs)
{
    Node n;
    n.id = id;
    n.interfaces = interfaces;
    n.index = static_cast<int>(order_.size());
    n.extraArgs = std::move(extraArgs);
    order_.push_back(id);
    nodes_[id] = std::move(n);
}

void AgentCluster::addFig5()
{
    addNode(QStringLiteral("2"), {QStringLiteral("eth0=10.0.1.2/24")});
    addNode(QStringLiteral("6"), {QStringLiteral("eth0=10.0.2.6/24")});
    addNode(QStringLiteral("4"),
            {QStringLiteral("eth0=10.0.2.4/24"), QStringLiteral("eth1=10.0.3.4/24")});
    addNode(QStringLiteral("1"),
            {QStringLiteral("eth0=10.0.1.1/24"), QStringLiteral("eth1=10.0.3.1/24")});
    addNode(QStringLiteral("3"), {QStringLiteral("eth0=10.0.1.3/24")});
    addNode(QStringLiteral("5"), {QStringLiteral("eth0=10.0.2.5/24")});
}

void AgentCluster::placeInNetns(const QString &id, const QString &netns,
                                const QString &membershipHost)
{
    Node &n = nodes_.at(id);
    n.netns = netns;
    n.host = membershipHost;
}

void AgentCluster::setPeersOf(const QString &id, const QStringList &peerIds)
{
    nodes_.at(id).peerIds = peerIds;
}

void AgentCluster::appendArgs(const QString &id, const QStringList &args)
{
    nodes_.at(id).extraArgs << args;
}

int AgentCluster::membershipPort(const QString &id) const
{
    return basePort_ + nodes_.at(id).index;
}

int AgentCluster::controlPort(const QString &id) const
{
    return basePort_ + 1000 + nodes_.at(id).index;
}

QString AgentCluster::membershipAddress(const QString &id) const
{
    const QString &host = nodes_.at(id).host;
    // An IPv6 address in brackets, as the agents' HOST:PORT keys take it: [fd00:1::2]:18400.
    return QString::fromLatin1(host.contains(QLatin1Char(':')) ? "[%1]:%2" : "%1:%2")
        .arg(host.isEmpty() ? QStringLiteral("127.0.0.1") : host)
        .arg(membershipPort(id));
}

QString AgentCluster::peers() const
{
    QStringList p;
    for (const auto &id : order_)
        p << membershipAddress(id);
    return p.join(QLatin1Char(','));
}

QString AgentCluster::peersOf(const QString &id) const
{
    const QStringList &only = nodes_.at(id).peerIds;
    if (only.isEmpty())
        return peers();
    QStringList p;
    for (const auto &peer : only)
        p << membershipAddress(peer);
    return p.join(QLatin1Char(','));
}

QString AgentCluster::logOf(const QString &id) const
{
    QFile f(logDir_ + QStringLiteral("/agent-") + id + QStringLiteral(".log"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

bool AgentCluster::start(const QString &id, int joinTimeoutMs)
{
    Node &n = nodes_.at(id);
    if (n.process && n.process->state() != QProcess::NotRunning) {
        n.process->kill();
        n.process->waitForFinished(5000);
    }
    n.process = std::make_unique<QProcess>();
    // The agent dies with the test or benchmark that started it, even by SIGKILL: a killed
    // dmr-bench-failover must not leave a lab running on its ports.
    n.process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    n.process->setProcessChannelMode(QProcess::MergedChannels);
    n.process->setStandardOutputFile(
        logDir_ + QStringLiteral("/agent-") + id + QStringLiteral(".log"), QIODevice::Append);
    QStringList args{QStringLiteral("--node.id"), id};
    // No interface list: the agent reads the OS's (in its namespace).
    if (!n.interfaces.isEmpty())
        args << QStringLiteral("--node.interfaces") << n.interfaces.join(QLatin1Char(','));
    args << QStringList{QStringLiteral("--cluster.name"),
                        clusterName_,
                        QStringLiteral("--cluster.key"),
                        defaultKey(),
                        QStringLiteral("--cluster.peers"),
                        peersOf(id),
                        QStringLiteral("--membership.listen"),
                        membershipAddress(id),
                        QStringLiteral("--control.listen"),
                        QStringLiteral("127.0.0.1:%1").arg(controlPort(id)),
                        QStringLiteral("--control.operator_token"),
                        token(),
                        QStringLiteral("--metrics.listen"),
                        QString()};
    if (!etcdEndpoints_.isEmpty())
        args << QStringLiteral("--membership.backend") << QStringLiteral("etcd")
             << QStringLiteral("--membership.etcd_endpoints")
             << etcdEndpoints_.join(QLatin1Char(','))
             << QStringLiteral("--membership.etcd_lease_ttl_s") << QString::number(etcdLeaseTtlS_);
    // Later flags win: a test may override the key, say.
    args << n.extraArgs;
    const QString agentPath = n.agentPath.isEmpty() ? agentPath_ : n.agentPath;
    if (n.netns.isEmpty()) {
        n.process->start(agentPath, args);
    } else {
        // `ip netns exec` execs the agent in place: the process is the agent itself.
        args =
            QStringList{QStringLiteral("netns"), QStringLiteral("exec"), n.netns, agentPath} + args;
        n.process->start(ipCommand(), args);
    }
    if (!n.process->waitForStarted(10000))
        return false;
    return waitFor(
        [&] {
            const auto s = state(id);
            const auto m = s.value(QStringLiteral("membership")).toString();
            return m == QLatin1String("member") || m == QLatin1String("coordinator");
        },
        joinTimeoutMs);
}

void AgentCluster::useEtcd(const QStringList &endpoints, int leaseTtlS)
{
    etcdEndpoints_ = endpoints;
    etcdLeaseTtlS_ = leaseTtlS;
}

bool AgentCluster::startAll(int joinTimeoutMs)
{
    for (const auto &id : order_)
        if (!start(id, joinTimeoutMs))
            return false;
    return true;
}

void AgentCluster::kill9(const QString &id)
{
    auto &p = nodes_.at(id).process;
    ::kill(static_cast<pid_t>(p->processId()), SIGKILL);
    p->waitForFinished(5000);
}

void AgentCluster::sigstop(const QString &id)
{
    ::kill(static_cast<pid_t>(nodes_.at(id).process->processId()), SIGSTOP);
}

void AgentCluster::sigcont(const QString &id)
{
    ::kill(static_cast<pid_t>(nodes_.at(id).process->processId()), SIGCONT);
}

void AgentCluster::terminate(const QString &id)
{
    auto &p = nodes_.at(id).process;
    p->terminate();
    p->waitForFinished(5000);
}

qint64 AgentCluster::pid(const QString &id) const
{
    const auto &p = nodes_.at(id).process;
    if (!p || p->state() == QProcess::NotRunning)
        return 0;
    return p->processId();
}

bool AgentCluster::waitForExit(const QString &id, int timeoutMs)
{
    const auto &p = nodes_.at(id).process;
    if (!p || p->state() == QProcess::NotRunning)
        return true;
    return p->waitForFinished(timeoutMs);
}

QJsonObject AgentCluster::ask(const QString &id, const QJsonObject &request, bool asOperator,
                              int timeoutMs) const
{
    // The control client dmrctl and dmr-lab use (blocking, bounded lines, TLS 1.3 with OpenSSL
    // when useTls()). The request goes out as the caller wrote it, malformed ones too.
    const auto timeout = std::chrono::milliseconds(timeoutMs);
    const auto deadline = dmrctl::Clock::now() + timeout;
    const int port = controlPort(id);
    const dmrctl::Address address{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)};
    const dmrctl::TlsOptions tls{tls_.caFile.toStdString(), tls_.certFile.toStdString(),
                                 tls_.keyFile.toStdString()};
    const QString &netns = nodes_.at(id).netns;
    auto connection = netns.isEmpty()
                          ? dmrctl::Connection::open(address, timeout, tls)
                          : dmrctl::Connection::adopt(connectInNetns(netns, port, timeoutMs),
                                                      address, timeout, tls);
    if (!connection)
        return {};
    return helloThen(*connection, request, asOperator ? token() : QString(), deadline);
}

QJsonObject AgentCluster::askPort(int port, const QJsonObject &request, const QString &token,
                                  int timeoutMs)
{
    const auto timeout = std::chrono::milliseconds(timeoutMs);
    const dmrctl::Address address{"127.0.0.1", port, "127.0.0.1:" + std::to_string(port)};
    auto connection = dmrctl::Connection::open(address, timeout, dmrctl::TlsOptions{});
    if (!connection)
        return {};
    return helloThen(*connection, request, token, dmrctl::Clock::now() + timeout);
}

QJsonObject AgentCluster::helloThen(dmrctl::Connection &connection, const QJsonObject &request,
                                    const QString &token, dmrctl::Clock::time_point deadline)
{
    QJsonObject hello{{QStringLiteral("type"), QStringLiteral("hello")},
                      {QStringLiteral("protocol"), 1},
                      {QStringLiteral("client"), QStringLiteral("tst")}};
    if (!token.isEmpty())
        hello[QStringLiteral("token")] = token;
    const QByteArray lines = QJsonDocument(hello).toJson(QJsonDocument::Compact) + '\n' +
                             QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
    if (!connection.send(lines.toStdString(), deadline))
        return {};
    // The hello's reply, then the request's.
    for (int line = 1; line <= 2; ++line) {
        auto text = connection.readLine(deadline);
        if (!text)
            return {};
        if (line == 2)
            return QJsonDocument::fromJson(QByteArray::fromStdString(*text)).object();
    }
    return {};
}

namespace {

// A get-state result read by a typed parser; nullopt when empty (no answer) or unreadable (the
// reason is logged).
template<typename Parse>
auto typed(const QString &id, const QJsonObject &result, Parse &&parse)
    -> std::optional<std::remove_reference_t<decltype(*parse(std::string_view()))>>
{
    if (result.isEmpty())
        return std::nullopt;
    auto parsed = parse(QJsonDocument(result).toJson(QJsonDocument::Compact).toStdString());
    if (!parsed) {
        qWarning("agent %s: %s", qPrintable(id), parsed.error().message.c_str());
        return std::nullopt;
    }
    return std::move(parsed).value();
}

} // namespace

std::optional<dmr::reply::State> AgentCluster::typedState(const QString &id) const
{
    return typed(id, state(id), dmr::reply::parseState);
}

std::optional<dmr::reply::RelayState> AgentCluster::typedRelay(const QString &id) const
{
    return typed(id, state(id), dmr::reply::parseRelayState);
}

QJsonObject AgentCluster::state(const QString &id) const
{
    return ask(id, {{QStringLiteral("type"), QStringLiteral("get-state")}}, false, 1000)
        .value(QStringLiteral("result"))
        .toObject();
}

QJsonObject AgentCluster::cluster(const QString &id) const
{
    return ask(id, {{QStringLiteral("type"), QStringLiteral("get-cluster")}}, false, 2000)
        .value(QStringLiteral("result"))
        .toObject();
}

int AgentCluster::socketInNetns(const QString &netns, int type)
{
    const int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int there =
        ::open(QByteArray("/run/netns/" + netns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
    int fd = -1;
    if (home >= 0 && there >= 0 && ::setns(there, CLONE_NEWNET) == 0) {
        // A socket belongs to the namespace it was made in, wherever the thread goes next.
        fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (::setns(home, CLONE_NEWNET) != 0)
            qFatal("cannot return to this thread's network namespace: %s", std::strerror(errno));
    }
    if (home >= 0)
        ::close(home);
    if (there >= 0)
        ::close(there);
    return fd;
}

bool AgentCluster::waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (condition())
            return true;
        QThread::msleep(20);
    }
    return condition();
}

QJsonObject AgentCluster::relayOf(const QString &id) const
{
    return state(id).value(QStringLiteral("relay")).toObject();
}

bool AgentCluster::relayTunnelsUp(const QString &id, int expected) const
{
    const auto relay = typedRelay(id);
    if (!relay || relay->tunnels.size() != static_cast<std::size_t>(expected))
        return false;
    return std::all_of(relay->tunnels.begin(), relay->tunnels.end(),
                       [](const dmr::reply::RelayTunnel &t) { return t.state == "up"; });
}

namespace {

bool listensIn(const dmr::reply::RelayState &relay, const std::string &network,
               const std::string &group)
{
    const dmr::reply::NetworkListeners *l = relay.listenersOf(network);
    return l != nullptr && std::any_of(l->groups.begin(), l->groups.end(),
                                       [&](const auto &g) { return g.group == group; });
}

} // namespace

bool AgentCluster::relayListens(const QString &id, const QString &network,
                                const QString &group) const
{
    const auto relay = typedRelay(id);
    return relay && listensIn(*relay, network.toStdString(), group.toStdString());
}

bool AgentCluster::relayListening(const QStringList &ids, const QString &group, QString *why) const
{
    const std::string g = group.toStdString();
    for (const auto &id : ids) {
        const auto relay = typedRelay(id);
        if (!relay) {
            if (why)
                *why = id + QStringLiteral(": no readable get-state");
            return false;
        }
        for (const auto &l : relay->listeners)
            if (!listensIn(*relay, l.network, g)) {
                if (why)
                    *why = id + QStringLiteral(": no listener of ") + group +
                           QStringLiteral(" known on ") + QString::fromStdString(l.network);
                return false;
            }
        for (const auto &t : relay->tunnels) {
            const auto &wants = t.peerWants;
            if (wants.kind == dmr::reply::GroupList::Kind::Listed &&
                std::find(wants.groups.begin(), wants.groups.end(), g) == wants.groups.end()) {
                if (why)
                    *why = id + QStringLiteral(": tunnel peer ") + QString::fromStdString(t.peer) +
                           QStringLiteral(" does not want ") + group;
                return false;
            }
        }
    }
    return true;
}

QStringList AgentCluster::loopbackRelayArgs(const QString &id, const std::string &cluster) const
{
    return {QStringLiteral("--cluster.name"),  QString::fromStdString(cluster),
            QStringLiteral("--relay.enabled"), QStringLiteral("true"),
            QStringLiteral("--relay.mode"),    QStringLiteral("loopback"),
            QStringLiteral("--relay.port"),    QString::number(membershipPort(id) + 2000)};
}

QByteArray AgentCluster::metricsAt(int port)
{
    QTcpSocket sock;
    sock.connectToHost(QStringLiteral("127.0.0.1"), static_cast<quint16>(port));
    if (!sock.waitForConnected(5000))
        return {};
    sock.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray all;
    while (sock.waitForReadyRead(5000))
        all += sock.readAll();
    return all;
}

bool AgentCluster::relayPruning(const QStringList &ids, QString *why) const
{
    for (const auto &id : ids) {
        const auto relay = typedRelay(id);
        if (!relay || relay->prune != true) {
            if (why)
                *why = id + QStringLiteral(" does not prune");
            return false;
        }
        for (const auto &l : relay->listeners)
            if (l.complete != true) {
                if (why)
                    *why = id + QStringLiteral(": the listeners of ") +
                           QString::fromStdString(l.network) +
                           QStringLiteral(" are not complete yet");
                return false;
            }
        for (const auto &t : relay->tunnels)
            if (t.peerWants.kind != dmr::reply::GroupList::Kind::Listed) {
                if (why)
                    *why = id + QStringLiteral(": tunnel peer ") + QString::fromStdString(t.peer) +
                           QStringLiteral(" wants every group");
                return false;
            }
    }
    return true;
}

namespace {

// A get-state result (the caller's) as the typed State; nullopt for {} (no answer) or one that
// does not read.
std::optional<dmr::reply::State> stateOf(const QJsonObject &result)
{
    return typed(QStringLiteral("?"), result, dmr::reply::parseState);
}

} // namespace

QStringList AgentCluster::tunnelsOf(const QJsonObject &state)
{
    QStringList out;
    if (const auto s = stateOf(state))
        for (const auto &t : s->tunnels)
            out << QString::fromStdString(t.root.node + "-" + t.leaf.node);
    out.sort();
    return out;
}

QStringList AgentCluster::leadsOf(const QJsonObject &state)
{
    QStringList out;
    if (const auto s = stateOf(state))
        for (const auto &g : s->leads)
            out << QString::fromStdString(g);
    return out;
}

qint64 AgentCluster::actionTime(const QJsonObject &state, const QString &kind, const QString &text)
{
    if (const auto s = stateOf(state))
        for (const auto &e : s->dataPlaneLog)
            if (e.kind == kind.toStdString() && QString::fromStdString(e.text).contains(text))
                return e.timeMs;
    return -1;
}

QString AgentCluster::drainOfSixMadeBeforeBreak() const
{
    const QString b = QStringLiteral("10.0.2.0/24");
    const QString closesSix = QStringLiteral("-> 6");
    const auto st4 = state(QStringLiteral("4"));
    const auto st6 = state(QStringLiteral("6"));
    const auto st2 = state(QStringLiteral("2"));
    const qint64 successorRoutes = actionTime(st4, QStringLiteral("route"), b);
    const qint64 successorTunnel = actionTime(st4, QStringLiteral("update-tunnel"),
                                              QStringLiteral("carries 10.0.2.0/24,10.0.3.0/24"));
    const qint64 drainedUnroutes = actionTime(st6, QStringLiteral("unroute"), b);
    const qint64 drainedCloses = actionTime(st6, QStringLiteral("close-tunnel"), closesSix);
    const qint64 rootCloses = actionTime(st2, QStringLiteral("close-tunnel"), closesSix);
    const QString times = QStringLiteral(" (4 routes B at %1, updates its tunnel at %2; 6 unroutes "
                                         "B at %3, closes at %4; 2 closes at %5)")
                              .arg(successorRoutes)
                              .arg(successorTunnel)
                              .arg(drainedUnroutes)
                              .arg(drainedCloses)
                              .arg(rootCloses);
    if (successorRoutes <= 0 || successorTunnel <= 0 || drainedUnroutes <= 0 ||
        drainedCloses <= 0 || rootCloses <= 0)
        return QStringLiteral("a handover action is missing from the data plane logs") + times;
    // Never a moment with no routing point for B: the successor was up first.
    if (successorRoutes > drainedUnroutes || successorTunnel > drainedCloses ||
        successorTunnel > rootCloses)
        return QStringLiteral("a close came before the successor's open") + times;
    if (logOf(QStringLiteral("6")).contains(QStringLiteral("closing without word")))
        return QStringLiteral("the handover fell back to its timeout") + times;
    return {};
}

bool AgentCluster::agree(const QStringList &ids, const QString &systemLeader) const
{
    std::string view;
    for (const auto &id : ids) {
        const auto st = typedState(id);
        if (!st || st->systemLeader.value_or(std::string()) != systemLeader.toStdString())
            return false;
        if (view.empty())
            view = st->viewId;
        else if (st->viewId != view)
            return false;
    }
    return true;
}
