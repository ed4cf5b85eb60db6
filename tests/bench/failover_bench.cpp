// dmr-bench-failover: how long real dmr-agent processes on 127.0.0.1 take to fail over, and what
// an agent costs at rest. A benchmark program, not a test: it prints figures and the targets
// next to them, and fails (exit 1) only when a run does not converge at all.
//
//   dmr-bench-failover [--runs 30] [--cases fig5-kill,fig1-kill,fig5-silent,fig5-hog,fig1-hog]
//                      [--backends embedded,etcd] [--base-port 40000] [--agent PATH] [--quiet]
//                      [--silent-heartbeat 25x5] [--hog-seconds 60]
//
// Cases:
//   fig5-kill    Fig. 5 (fig5.json, 6 agents): kill -9 the system leader.
//   fig1-kill    Fig. 1 (fig1.json, 128 agents, 8 frames of 16): kill -9 a frame's group leader
//                that is not the system leader, a different frame each run.
//   fig5-silent  Fig. 5: SIGSTOP the system leader; only its missed heartbeats reveal it. The
//                agents run at --silent-heartbeat (membership.heartbeat_ms x membership.misses,
//                default 25x5); target p99 <= 150 ms, printed with "met" or "MISSED". This lab
//                also measures the agents' idle CPU at that setting.
//   fig5-hog     Fig. 5 at --silent-heartbeat, at rest for --hog-seconds (default 60; the
//                10-minute run is --hog-seconds 600) with a CPU hog pinned to core 0: the false
//                failovers, i.e. the nodes taken out of the view alive (every agent's get-state
//                rejoins, summed). Target 0.
//   fig1-hog     Fig. 1 (128 agents, default timers) started while a CPU hog pinned to core 0
//                runs, and held for --hog-seconds (the 5-minute run is --hog-seconds 300): the
//                false failovers from the agents' start on (get-state rejoins, summed; target 0),
//                and whether every network is led by its first-joined node at the end.
// After each run the victim comes back (restarted, or SIGCONT) and the benchmark waits until
// the cluster is whole again before the next run.
//
// Backends: the kill cases run on the embedded membership protocol and on etcd (a real etcd the
// benchmark starts on loopback, data in /dev/shm, lease TTL 2 s, etcd's minimum), printed side by
// side. On etcd a kill -9 is seen by the survivors that keep a crash link to the victim (its host
// closes the link and refuses the next connection), and one of them revokes the victim's lease
// (dmr/etcd_crash.h); the etcd rows are printed with their targets (fig5-kill p99 <= 50 ms,
// fig1-kill p99 <= 200 ms) and whether they were met. The etcd labs also measure
// the requests per second that the whole cluster makes of etcd at rest (every agent's
// get-state etcd_requests, summed, over 10 s), for 6 and for 128 agents.
//
// What one run measures: the failure time F is this program's wall clock just before the
// signal. Every agent holds a persistent control connection from this program, subscribed to
// events, and publishes a `plan-changed` event, stamped with its own wall clock (time_ms, one
// clock on one machine), when it installs a view that changes the plan. Once every survivor has
// published one, the benchmark asks every survivor get-state over the same connection (so the
// reply comes after every event published before it) until all of them report the same view id,
// the same system leader (a survivor; for fig1-kill the one before), and every network the
// victim led is led by a survivor. A survivor's time is the time_ms of the last plan-changed it
// published before that agreeing reply; the run's time is the latest survivor's minus F.
// The observed columns are the same, from the moment this program read the event instead (an
// upper bound: it adds the delivery to this program). Agents stamp whole milliseconds, truncated
// (and anchor their clock, truncated, at start), so a stamp may read up to 2 ms early.
//
// Ports: every lab's ports are held from the start by sockets bound with SO_REUSEADDR that never
// listen (see PortReservation), so that the agents' own outgoing connections cannot take them.

#include "agent_cluster.h"
#include "etcd_server.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int kConvergeDeadlineMs = 20000; // a run that takes longer is an error
constexpr int kWholeDeadlineMs = 120000;   // the cluster is whole again after a run
constexpr int kAskDeadlineMs = 5000;       // one round of get-state over the open connections
// Labs sit at base, base+2000 (Fig. 1), base+4000 and base+6000, each spanning at most 1128
// ports; a lab whose ports are taken moves up by this much, at most 4 times, and then waits for
// them (a closed connection holds its ephemeral port in TIME_WAIT for 60 s).
constexpr int kShiftStep = 150;
constexpr int kPortWaitMs = 180000;

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
}

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// This program's wall clock, in milliseconds since the epoch, with the fraction.
double wallMs()
{
    using namespace std::chrono;
    return static_cast<double>(
               duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) /
           1000.0;
}

std::int64_t steadyNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

void say(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

// Runs the event loop until the condition holds (true) or timeoutMs passes (false). A 1 ms timer
// keeps the loop waking up, so a condition is seen at most about 1 ms late.
bool pumpUntil(const std::function<bool()> &condition, qint64 timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.start(1);
    while (!condition()) {
        if (g_interrupted != 0 || t.elapsed() >= timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

void pumpFor(qint64 ms)
{
    pumpUntil([] { return false; }, ms);
}

// ---- Persistent, subscribed control connections ------------------------------------------

struct PlanEvent
{
    double timeMs = 0;          // the agent's time_ms
    std::int64_t arrivalNs = 0; // when this program read it (steady clock)
};

struct Reply
{
    bool ok = false;
    QJsonObject result;
    QString message;
    std::size_t plansBefore = 0; // plan-changed events read on this connection before it
};

struct Link
{
    QString id;
    std::unique_ptr<QTcpSocket> socket;
    QByteArray buffer;
    bool greeted = false;
    bool subscribed = false;
    bool closed = false;
    QString error;
    int nextRequest = 10;
    std::vector<PlanEvent> plans; // since the last mark
    std::size_t stalePlans = 0; // plan-changed stamped before the mark: the cluster was not at rest
    std::map<int, Reply> replies;
};

class Monitor
{
public:
    ~Monitor()
    {
        for (auto &[id, l] : links_)
            if (l->socket)
                l->socket->disconnect();
    }

    // Connects, says hello and subscribes to events.
    bool open(const QString &id, int port, QString &error)
    {
        close(id);
        auto l = std::make_unique<Link>();
        l->id = id;
        l->socket = std::make_unique<QTcpSocket>();
        Link *raw = l.get();
        QObject::connect(raw->socket.get(), &QTcpSocket::readyRead, [this, raw] { read(*raw); });
        QObject::connect(raw->socket.get(), &QTcpSocket::disconnected,
                         [raw] { raw->closed = true; });
        QObject::connect(raw->socket.get(), &QTcpSocket::errorOccurred,
                         [raw](QAbstractSocket::SocketError) {
                             raw->closed = true;
                             raw->error = raw->socket->errorString();
                         });
        QObject::connect(raw->socket.get(), &QTcpSocket::connected, [raw] {
            // No Nagle: a request must not wait for the reply to the one before.
            raw->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        });
        raw->socket->connectToHost(s("127.0.0.1"), static_cast<quint16>(port));
        write(*raw, QJsonObject{{s("type"), s("hello")},
                                {s("id"), 1},
                                {s("protocol"), 1},
                                {s("client"), s("dmr-bench-failover")}});
        write(*raw, QJsonObject{{s("type"), s("subscribe")}, {s("id"), 2}, {s("events"), true}});
        links_[id] = std::move(l);
        if (!pumpUntil([raw] { return (raw->greeted && raw->subscribed) || raw->closed; },
                       kAskDeadlineMs) ||
            !raw->greeted || !raw->subscribed) {
            error = s("control connection to agent %1 (127.0.0.1:%2): %3")
                        .arg(id)
                        .arg(port)
                        .arg(raw->error.isEmpty() ? s("no hello/subscribe reply") : raw->error);
            return false;
        }
        return true;
    }

    void close(const QString &id)
    {
        auto it = links_.find(id);
        if (it == links_.end())
            return;
        it->second->socket->disconnect();
        it->second->socket->abort();
        links_.erase(it);
    }

    Link *link(const QString &id)
    {
        auto it = links_.find(id);
        return it == links_.end() ? nullptr : it->second.get();
    }

    // Forgets every event and reply read so far: what comes next belongs to the next failure.
    // Plan events stamped before notBeforeMs are counted as stale and not kept.
    void mark(double notBeforeMs)
    {
        notBeforeMs_ = notBeforeMs;
        for (auto &[id, l] : links_) {
            l->plans.clear();
            l->replies.clear();
            l->stalePlans = 0;
        }
    }

    int ask(Link &l, const QString &type)
    {
        const int rid = l.nextRequest++;
        write(l, QJsonObject{{s("type"), type}, {s("id"), rid}});
        return rid;
    }

    // Asks each agent `type` over its connection and waits for every reply.
    std::optional<std::map<QString, Reply>> askAll(const QStringList &ids, const QString &type,
                                                   QString &error)
    {
        std::map<QString, int> rids;
        for (const auto &id : ids) {
            Link *l = link(id);
            if (l == nullptr || l->closed) {
                error =
                    s("agent %1: its control connection is closed%2")
                        .arg(id, l != nullptr && !l->error.isEmpty() ? s(" (") + l->error + s(")")
                                                                     : QString());
                return std::nullopt;
            }
            rids[id] = ask(*l, type);
        }
        auto allIn = [&] {
            for (const auto &[id, rid] : rids) {
                const Link *l = link(id);
                if (l->replies.count(rid) == 0 && !l->closed)
                    return false;
            }
            return true;
        };
        if (!pumpUntil(allIn, kAskDeadlineMs) && g_interrupted == 0) {
            QStringList late;
            for (const auto &[id, rid] : rids)
                if (link(id)->replies.count(rid) == 0)
                    late << id;
            error = s("no %1 reply within %2 ms from agent(s) %3")
                        .arg(type)
                        .arg(kAskDeadlineMs)
                        .arg(late.join(s(", ")));
            return std::nullopt;
        }
        std::map<QString, Reply> out;
        for (const auto &[id, rid] : rids) {
            Link *l = link(id);
            auto it = l->replies.find(rid);
            if (it == l->replies.end()) {
                error = g_interrupted != 0 ? s("interrupted")
                                           : s("agent %1 closed its control connection").arg(id);
                return std::nullopt;
            }
            out[id] = std::move(it->second);
            l->replies.erase(it);
        }
        return out;
    }

private:
    static void write(Link &l, const QJsonObject &request)
    {
        l.socket->write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    }

    void read(Link &l)
    {
        const std::int64_t arrival = steadyNs();
        l.buffer += l.socket->readAll();
        // Acknowledge at once: the agent's control port does not disable Nagle, so an event
        // written just after a reply would otherwise wait for our delayed ACK (up to 40 ms).
        // Linux drops quick-ack mode on its own, so it is set again after every read.
        const int one = 1;
        ::setsockopt(static_cast<int>(l.socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK,
                     &one, sizeof one);
        qsizetype from = 0;
        for (;;) {
            const qsizetype nl = l.buffer.indexOf('\n', from);
            if (nl < 0)
                break;
            handleLine(l, QByteArrayView(l.buffer).sliced(from, nl - from), arrival);
            from = nl + 1;
        }
        l.buffer.remove(0, from);
    }

    void handleLine(Link &l, QByteArrayView line, std::int64_t arrival)
    {
        const QJsonObject o = QJsonDocument::fromJson(line.toByteArray()).object();
        const QString type = o.value(s("type")).toString();
        if (type == QLatin1String("event")) {
            if (o.value(s("event")).toString() != QLatin1String("plan-changed"))
                return;
            const double t = o.value(s("time_ms")).toDouble();
            // The agent stamps whole milliseconds (truncated): allow for that against the mark.
            if (t < std::floor(notBeforeMs_) - 1) {
                ++l.stalePlans;
                return;
            }
            l.plans.push_back({t, arrival});
            return;
        }
        if (type != QLatin1String("reply") && type != QLatin1String("error"))
            return;
        const int rid = o.value(s("id")).toInt();
        const bool ok = o.value(s("ok")).toBool();
        if (rid == 1) {
            l.greeted = ok;
        } else if (rid == 2) {
            l.subscribed = ok;
        } else if (rid == 0) {
            l.error = o.value(s("message")).toString();
        } else {
            l.replies[rid] = Reply{ok, o.value(s("result")).toObject(),
                                   o.value(s("message")).toString(), l.plans.size()};
        }
        if (!ok && l.error.isEmpty())
            l.error = o.value(s("message")).toString();
    }

    std::map<QString, std::unique_ptr<Link>> links_;
    double notBeforeMs_ = 0;
};

// ---- /proc ---------------------------------------------------------------------------------

std::optional<double> rssMb(qint64 pid)
{
    QFile f(s("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.startsWith("VmRSS:"))
            continue;
        bool ok = false;
        const double kb = line.mid(6).trimmed().split(' ').value(0).toDouble(&ok);
        if (ok)
            return kb / 1024.0;
    }
    return std::nullopt;
}

// utime + stime, in clock ticks.
std::optional<long long> cpuTicks(qint64 pid)
{
    QFile f(s("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray text = f.readAll();
    const qsizetype paren = text.lastIndexOf(')');
    if (paren < 0)
        return std::nullopt;
    // After "pid (comm) ": state is field 3; utime is field 14, stime field 15.
    const QList<QByteArray> fields = text.mid(paren + 2).split(' ');
    if (fields.size() < 13)
        return std::nullopt;
    bool ok1 = false;
    bool ok2 = false;
    const long long utime = fields[11].toLongLong(&ok1);
    const long long stime = fields[12].toLongLong(&ok2);
    if (!ok1 || !ok2)
        return std::nullopt;
    return utime + stime;
}

// ---- Statistics ----------------------------------------------------------------------------

// Linear interpolation between closest ranks (numpy's default).
double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = static_cast<std::size_t>(std::ceil(pos));
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

struct CaseResult
{
    QString name;
    QString target;
    double p99TargetMs = 0; // > 0: the row says "met" or "MISSED" against it
    int runsWanted = 0;
    std::vector<double> ms;         // failure to every survivor holding the new plan (agent clocks)
    std::vector<double> observedMs; // the same, by when this program read the events
    std::vector<double> firstMs;    // failure to the first survivor holding it
    std::size_t staleEvents = 0;
    int churnRuns = 0; // runs in which a survivor went through more than one new plan
    double loadStart = 0;
    double loadEnd = 0;
    QString error; // the run that did not converge, or the setup that failed
};

struct Resources
{
    QString lab;
    int agents = 0;
    double rssMaxMb = 0;
    double rssMeanMb = 0;
    double cpuMaxPct = 0;
    double cpuMeanPct = 0;
    double cpuSumPct = 0;
    QString cpuMaxAgent;
    double windowS = 0;
};

double loadAverage()
{
    QFile f(s("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return std::nan("");
    return f.readAll().split(' ').value(0).toDouble();
}

// ---- A busy neighbour --------------------------------------------------------------------

// A child process that spins on one core until stopped: the load a CPU-bound neighbour puts on
// the agents sharing the machine.
class CpuHog
{
public:
    CpuHog() = default;
    CpuHog(const CpuHog &) = delete;
    CpuHog &operator=(const CpuHog &) = delete;
    ~CpuHog() { stop(); }

    bool start(int cpu, QString &error)
    {
        pid_ = ::fork();
        if (pid_ < 0) {
            error = s("fork(): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        if (pid_ == 0) {
            // Dies with this program, however it ends: a hog left behind would load the machine.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() == 1)
                ::_exit(0);
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            ::sched_setaffinity(0, sizeof set, &set);
            volatile std::uint64_t spins = 0;
            for (;;)
                spins = spins + 1;
        }
        return true;
    }
    qint64 pid() const { return pid_; }
    void stop()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }

private:
    pid_t pid_ = 0;
};

struct HogResult
{
    QString setting; // "25 ms x 5"
    double seconds = 0;
    double hogCpuPct = 0;          // of one core, over the window
    long long rejoins = 0;         // nodes taken out of the view alive: the false failovers
    long long failoverRecords = 0; // failover records made (a node lost roles), max over agents
    long long viewsInstalled = 0;  // views installed, max over agents
    double loadStart = 0;
    double loadEnd = 0;
    int networks = 0;         // fig1-hog: networks checked at the end
    QStringList wrongLeaders; // fig1-hog: "10.3.0.0/24 led by f3n2, not f3n1"
    QString error;
};

// ---- The labs ------------------------------------------------------------------------------

void addFig1(AgentCluster &c)
{
    for (int f = 1; f <= 8; ++f) {
        for (int n = 1; n <= 16; ++n) {
            QStringList ifaces{s("eth0=10.%1.0.%2/24").arg(f).arg(n)};
            if (n == 1)
                ifaces << s("eth1=10.100.0.%1/24").arg(f);
            c.addNode(s("f%1n%2").arg(f).arg(n), ifaces);
        }
    }
}

QString tail(const QString &text, int lines)
{
    QStringList all = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return s("    ") + all.join(s("\n    "));
}

QStringList stringsOf(const QJsonValue &v)
{
    QStringList out;
    for (const auto &x : v.toArray())
        out << x.toString();
    return out;
}

// Holds every port of a lab from the start: a socket bound with SO_REUSEADDR and never listening
// does not stop the agent from binding and listening there, but it does stop connect() from
// picking the port as an ephemeral one (the ephemeral range, 32768-60999 by default, covers the
// benchmark's ports, and 128 agents open thousands of connections), also while a killed agent
// is down.
class PortReservation
{
public:
    PortReservation() = default;
    PortReservation(const PortReservation &) = delete;
    PortReservation &operator=(const PortReservation &) = delete;
    ~PortReservation()
    {
        for (const int fd : fds_)
            ::close(fd);
    }

    bool reserve(int port, QString &error)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error = s("socket(): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            error = s("127.0.0.1:%1 is taken (%2)")
                        .arg(port)
                        .arg(QString::fromLocal8Bit(std::strerror(errno)));
            ::close(fd);
            return false;
        }
        fds_.push_back(fd);
        return true;
    }

private:
    std::vector<int> fds_;
};

class Lab
{
public:
    Lab(QString name, const QString &agentPath, int basePort, bool verbose)
        : name_(std::move(name))
        , agentPath_(agentPath)
        , cluster_(agentPath, basePort)
        , verbose_(verbose)
    {
    }

    // A lab of these nodes on the first base port, from basePort on in steps of shiftStep,
    // whose ports are all free; they stay reserved for the lab's life.
    static std::unique_ptr<Lab> make(const QString &name, const QString &agentPath, int basePort,
                                     int shiftStep, bool verbose,
                                     const std::function<void(AgentCluster &)> &addNodes,
                                     QString &error, const QString &etcdEndpoint = {})
    {
        QElapsedTimer waited;
        waited.start();
        for (int round = 1; g_interrupted == 0; ++round) {
            QStringList taken;
            for (int attempt = 0; attempt < 5; ++attempt) {
                const int port = basePort + attempt * shiftStep;
                auto lab = std::make_unique<Lab>(name, agentPath, port, verbose);
                if (!etcdEndpoint.isEmpty())
                    lab->cluster_.useEtcd({etcdEndpoint});
                addNodes(lab->cluster_);
                QString why;
                bool ok = true;
                for (const auto &id : lab->cluster_.ids())
                    ok = ok && lab->ports_.reserve(lab->cluster_.membershipPort(id), why) &&
                         lab->ports_.reserve(lab->cluster_.controlPort(id), why);
                if (ok) {
                    if (port != basePort || round > 1)
                        say(s("%1: using base port %2").arg(name).arg(port));
                    return lab;
                }
                taken << s("base %1: %2").arg(port).arg(why);
            }
            if (waited.elapsed() >= kPortWaitMs) {
                error = s("no free ports for the lab after %1 s (%2)")
                            .arg(kPortWaitMs / 1000)
                            .arg(taken.join(s("; ")));
                return nullptr;
            }
            if (round == 1)
                say(s("%1: ports taken (%2); waiting for them to free up (TIME_WAIT)...")
                        .arg(name, taken.join(s("; "))));
            pumpFor(5000);
        }
        error = s("interrupted");
        return nullptr;
    }

    AgentCluster &cluster() { return cluster_; }
    Monitor &monitor() { return monitor_; }

    bool startAll(QString &error)
    {
        QElapsedTimer t;
        t.start();
        const QStringList ids = cluster_.ids();
        say(s("%1: starting %2 agents in their join order...").arg(name_).arg(ids.size()));
        for (int i = 0; i < ids.size(); ++i) {
            if (!startOne(ids[i], error))
                return false;
            if (verbose_ && ids.size() > 16 && (i + 1) % 16 == 0)
                say(s("%1:   %2/%3 agents up (%4 s)")
                        .arg(name_)
                        .arg(i + 1)
                        .arg(ids.size())
                        .arg(static_cast<double>(t.elapsed()) / 1000.0, 0, 'f', 1));
        }
        for (const auto &id : ids)
            if (!monitor_.open(id, cluster_.controlPort(id), error))
                return false;
        if (!waitWhole(error))
            return false;
        say(s("%1: %2 agents up and agreed in %3 s")
                .arg(name_)
                .arg(ids.size())
                .arg(static_cast<double>(t.elapsed()) / 1000.0, 0, 'f', 1));
        return true;
    }

    // Starts (or restarts) one agent and waits until it is a member. A restart may find its
    // port briefly taken (the ephemeral range covers it): it is tried again.
    bool startOne(const QString &id, QString &error)
    {
        for (int attempt = 1; attempt <= 3; ++attempt) {
            if (cluster_.start(id))
                return true;
            const QString log = cluster_.logOf(id).trimmed();
            say(s("%1: agent %2 did not join (attempt %3)%4")
                    .arg(name_, id)
                    .arg(attempt)
                    .arg(log.isEmpty() ? s("; its log is empty: did the process start? (is %1 "
                                           "being rebuilt?)")
                                             .arg(agentPath_)
                                       : s("; its log ends with:\n") + tail(log, 5)));
            if (g_interrupted != 0)
                break;
            pumpFor(1000);
        }
        error = s("agent %1 (membership 127.0.0.1:%2, control 127.0.0.1:%3) did not join")
                    .arg(id)
                    .arg(cluster_.membershipPort(id))
                    .arg(cluster_.controlPort(id));
        return false;
    }

    // Every agent answers, is a member, holds the same view of every node, and no handover is
    // pending; the system leader's tunnels are all rooted at it. Returns the agents' states.
    bool waitWhole(QString &error)
    {
        const QStringList ids = cluster_.ids();
        QElapsedTimer t;
        t.start();
        QString why;
        while (t.elapsed() < kWholeDeadlineMs && g_interrupted == 0) {
            QString err;
            auto states = monitor_.askAll(ids, s("get-state"), err);
            if (!states) {
                why = err;
            } else if (auto reason = notWhole(*states); !reason.isEmpty()) {
                why = reason;
            } else {
                auto cl = monitor_.askAll({ids.front()}, s("get-cluster"), err);
                const int n =
                    cl ? static_cast<int>(
                             cl->begin()->second.result.value(s("agents")).toArray().size())
                       : -1;
                if (n == static_cast<int>(ids.size())) {
                    states_.clear();
                    for (auto &[id, r] : *states)
                        states_[id] = r.result;
                    return true;
                }
                why = cl ? s("the view holds %1 of %2 agents").arg(n).arg(ids.size()) : err;
            }
            // Not timed: poll gently, 128 get-state requests cost the agents CPU.
            pumpFor(ids.size() > 16 ? 250 : 20);
        }
        error = g_interrupted != 0 ? s("interrupted")
                                   : s("the cluster was not whole again within %1 ms: %2")
                                         .arg(kWholeDeadlineMs)
                                         .arg(why);
        return false;
    }

    const std::map<QString, QJsonObject> &states() const { return states_; }

    std::optional<Resources> measureResources(QString &error)
    {
        Resources r;
        r.lab = name_;
        const QStringList ids = cluster_.ids();
        r.agents = static_cast<int>(ids.size());
        pumpFor(2000); // at rest: nothing has changed for a while
        std::map<QString, long long> before;
        for (const auto &id : ids) {
            auto ticks = cpuTicks(cluster_.pid(id));
            if (!ticks) {
                error = s("cannot read /proc/%1/stat (agent %2)").arg(cluster_.pid(id)).arg(id);
                return std::nullopt;
            }
            before[id] = *ticks;
        }
        const std::int64_t t0 = steadyNs();
        say(s("%1: measuring the agents' idle CPU over 10 s at rest...").arg(name_));
        pumpFor(10000);
        r.windowS = static_cast<double>(steadyNs() - t0) / 1e9;
        const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
        double cpuSum = 0;
        double rssSum = 0;
        for (const auto &id : ids) {
            auto ticks = cpuTicks(cluster_.pid(id));
            auto rss = rssMb(cluster_.pid(id));
            if (!ticks || !rss) {
                error = s("cannot read /proc/%1 (agent %2)").arg(cluster_.pid(id)).arg(id);
                return std::nullopt;
            }
            const double pct = static_cast<double>(*ticks - before[id]) / hz / r.windowS * 100.0;
            if (pct >= r.cpuMaxPct) {
                r.cpuMaxPct = pct;
                r.cpuMaxAgent = id;
            }
            cpuSum += pct;
            r.rssMaxMb = std::max(r.rssMaxMb, *rss);
            rssSum += *rss;
        }
        r.cpuSumPct = cpuSum;
        r.cpuMeanPct = cpuSum / static_cast<double>(ids.size());
        r.rssMeanMb = rssSum / static_cast<double>(ids.size());
        return r;
    }

    // Requests per second that all agents together make of etcd at rest: every agent's
    // get-state etcd_requests, summed, before and after a quiet window.
    std::optional<double> etcdRequestsPerSecond(QString &error)
    {
        const QStringList ids = cluster_.ids();
        auto sum = [&]() -> std::optional<double> {
            auto states = monitor_.askAll(ids, s("get-state"), error);
            if (!states)
                return std::nullopt;
            double total = 0;
            for (const auto &[id, r] : *states)
                total += r.result.value(s("etcd_requests")).toDouble();
            return total;
        };
        pumpFor(2000);
        const auto before = sum();
        const std::int64_t t0 = steadyNs();
        say(s("%1: counting the agents' etcd requests over 10 s at rest...").arg(name_));
        pumpFor(10000);
        const auto after = sum();
        const double window = static_cast<double>(steadyNs() - t0) / 1e9;
        if (!before || !after)
            return std::nullopt;
        // The get-state round trips themselves are not etcd requests: nothing else is counted.
        return (*after - *before) / window;
    }

    std::optional<double> rssMaxMb()
    {
        double m = 0;
        for (const auto &id : cluster_.ids()) {
            auto rss = rssMb(cluster_.pid(id));
            if (!rss)
                return std::nullopt;
            m = std::max(m, *rss);
        }
        return m;
    }

private:
    QString notWhole(const std::map<QString, Reply> &states) const
    {
        QString view;
        QString sl;
        for (const auto &[id, r] : states) {
            if (!r.ok)
                return s("agent %1: %2").arg(id, r.message);
            const auto &st = r.result;
            const QString m = st.value(s("membership")).toString();
            if (m != QLatin1String("member") && m != QLatin1String("coordinator"))
                return s("agent %1 is %2").arg(id, m);
            if (st.value(s("state")).toString() != QLatin1String("up"))
                return s("agent %1 is %2").arg(id, st.value(s("state")).toString());
            if (st.value(s("handover_pending")).toBool())
                return s("agent %1 has a handover pending").arg(id);
            const QString v = st.value(s("view_id")).toString();
            const QString l = st.value(s("system_leader")).toString();
            if (view.isEmpty()) {
                view = v;
                sl = l;
            } else if (v != view || l != sl) {
                return s("agents disagree: view %1 / system leader %2 vs %3 at agent %4 / %5")
                    .arg(view, sl, v, id, l);
            }
        }
        if (sl.isEmpty())
            return s("no system leader");
        auto it = states.find(sl);
        if (it != states.end()) {
            for (const auto &t : it->second.result.value(s("tunnels")).toArray()) {
                const QString root =
                    t.toObject().value(s("root")).toObject().value(s("node")).toString();
                if (root != sl)
                    return s("system leader %1 still holds a tunnel rooted at %2").arg(sl, root);
            }
        }
        return {};
    }

    QString name_;
    QString agentPath_;
    AgentCluster cluster_;
    Monitor monitor_; // after cluster_: its connections close before the agents die
    PortReservation ports_;
    bool verbose_;
    std::map<QString, QJsonObject> states_;
};

enum class Failure { Kill, Stop };

struct RunOutcome
{
    double ms = 0;
    double observedMs = 0;
    double firstMs = 0;
    QString slowest;
    QString systemLeader;
    QString viewId;
    std::size_t maxPlans = 0;
};

// Waits until every survivor holds the new plan (see the header) and measures it.
std::optional<RunOutcome> awaitConvergence(Monitor &m, const QStringList &survivors,
                                           const QString &victim, const QStringList &victimLed,
                                           const QString &keepSystemLeader, double failWallMs,
                                           std::int64_t failSteadyNs, QString &error)
{
    QElapsedTimer t;
    t.start();
    QString why = s("not every survivor published a plan-changed event");
    while (g_interrupted == 0) {
        const qint64 left = kConvergeDeadlineMs - t.elapsed();
        if (left <= 0)
            break;
        auto everyonePlanned = [&] {
            for (const auto &id : survivors) {
                const Link *l = m.link(id);
                if (l == nullptr || l->closed || l->plans.empty())
                    return false;
            }
            return true;
        };
        if (!pumpUntil(everyonePlanned, left)) {
            QStringList silent;
            for (const auto &id : survivors) {
                const Link *l = m.link(id);
                if (l == nullptr || l->closed)
                    silent << id + s(" (connection closed)");
                else if (l->plans.empty())
                    silent << id;
            }
            why = s("no plan-changed event from %1").arg(silent.join(s(", ")));
            break;
        }
        QString err;
        auto states = m.askAll(survivors, s("get-state"), err);
        if (!states) {
            why = err;
            break;
        }
        QString view;
        QString sl;
        QSet<QString> led;
        QString disagreement;
        for (const auto &[id, r] : *states) {
            const QString v = r.result.value(s("view_id")).toString();
            const QString l = r.result.value(s("system_leader")).toString();
            for (const auto &g : stringsOf(r.result.value(s("leads"))))
                led.insert(g);
            if (!r.ok || r.plansBefore == 0)
                disagreement = s("agent %1 has no new plan yet").arg(id);
            else if (view.isEmpty()) {
                view = v;
                sl = l;
            } else if (v != view || l != sl)
                disagreement = s("view %1 / system leader %2 vs view %3 / %4 at agent %5")
                                   .arg(view, sl, v, l, id);
        }
        if (disagreement.isEmpty()) {
            if (sl.isEmpty() || sl == victim || !survivors.contains(sl))
                disagreement = s("system leader \"%1\" is not a survivor").arg(sl);
            else if (!keepSystemLeader.isEmpty() && sl != keepSystemLeader)
                disagreement = s("system leader moved from %1 to %2").arg(keepSystemLeader, sl);
            for (const auto &g : victimLed)
                if (!led.contains(g))
                    disagreement = s("nobody leads %1 yet").arg(g);
        }
        if (disagreement.isEmpty()) {
            RunOutcome out;
            out.systemLeader = sl;
            out.viewId = view;
            out.firstMs = std::numeric_limits<double>::max();
            for (const auto &[id, r] : *states) {
                const Link *l = m.link(id);
                const PlanEvent &p = l->plans[r.plansBefore - 1];
                const double ms = p.timeMs - failWallMs;
                const double obs = static_cast<double>(p.arrivalNs - failSteadyNs) / 1e6;
                if (ms >= out.ms) {
                    out.ms = ms;
                    out.slowest = id;
                }
                out.observedMs = std::max(out.observedMs, obs);
                out.firstMs = std::min(out.firstMs, ms);
                out.maxPlans = std::max(out.maxPlans, r.plansBefore);
            }
            return out;
        }
        why = disagreement;
        pumpFor(1); // wait for more events, then ask again
    }
    error = g_interrupted != 0 ? s("interrupted")
                               : s("the survivors did not converge within %1 ms of the failure "
                                   "of %2: %3")
                                     .arg(kConvergeDeadlineMs)
                                     .arg(victim, why);
    return std::nullopt;
}

using PickVictim = std::function<QString(const std::map<QString, QJsonObject> &, int run)>;

void runCase(Lab &lab, CaseResult &result, Failure failure, int runs, const PickVictim &pick,
             bool keepSystemLeader, bool verbose)
{
    AgentCluster &c = lab.cluster();
    Monitor &m = lab.monitor();
    std::mt19937 jitter(static_cast<std::uint32_t>(steadyNs()));
    for (int run = 1; run <= runs && g_interrupted == 0; ++run) {
        const auto &states = lab.states();
        const QString victim = pick(states, run);
        if (victim.isEmpty()) {
            result.error = s("run %1: no victim to pick").arg(run);
            return;
        }
        const QString oldSl = states.begin()->second.value(s("system_leader")).toString();
        const QStringList victimLed = stringsOf(states.at(victim).value(s("leads")));
        QStringList survivors = c.ids();
        survivors.removeAll(victim);
        const qint64 pid = c.pid(victim);
        if (pid <= 0) {
            result.error = s("run %1: agent %2 is not running").arg(run).arg(victim);
            return;
        }

        // The failure, after a short rest: the replies just read are acknowledged, and nothing
        // from before is still on its way. The rest is 100 ms and a random part of another 100,
        // so that a silent failure falls at a random point of the heartbeat interval, not at a
        // fixed delay after the agents' last answers and view changes.
        pumpFor(100 + std::uniform_int_distribution<int>(0, 99)(jitter));
        m.mark(wallMs());
        const double failWall = wallMs();
        const std::int64_t failSteady = steadyNs();
        ::kill(static_cast<pid_t>(pid), failure == Failure::Kill ? SIGKILL : SIGSTOP);

        QString error;
        auto out =
            awaitConvergence(m, survivors, victim, victimLed, keepSystemLeader ? oldSl : QString(),
                             failWall, failSteady, error);
        if (!out) {
            result.error = s("run %1: %2").arg(run).arg(error);
            if (failure == Failure::Stop)
                c.sigcont(victim);
            return;
        }
        std::size_t stale = 0;
        for (const auto &id : survivors)
            stale += m.link(id)->stalePlans;
        result.staleEvents += stale;
        result.ms.push_back(out->ms);
        result.observedMs.push_back(out->observedMs);
        result.firstMs.push_back(out->firstMs);
        if (out->maxPlans > 1)
            ++result.churnRuns;
        if (verbose)
            say(s("%1 run %2/%3: %4 %5 (led %6) -> system leader %7, view %8: %9 ms (first "
                  "survivor %10 ms, last %11; observed %12 ms)%13%14")
                    .arg(result.name)
                    .arg(run)
                    .arg(runs)
                    .arg(failure == Failure::Kill ? s("kill -9") : s("SIGSTOP"))
                    .arg(victim)
                    .arg(victimLed.join(s(" ")))
                    .arg(out->systemLeader)
                    .arg(out->viewId)
                    .arg(out->ms, 0, 'f', 1)
                    .arg(out->firstMs, 0, 'f', 1)
                    .arg(out->slowest)
                    .arg(out->observedMs, 0, 'f', 1)
                    .arg(out->maxPlans > 1
                             ? s("; %1 plan changes at one survivor").arg(out->maxPlans)
                             : QString())
                    .arg(stale > 0 ? s("; %1 stale events").arg(stale) : QString()));

        // The victim comes back, and the cluster is whole again before the next run.
        QElapsedTimer back;
        back.start();
        if (failure == Failure::Kill) {
            if (!c.waitForExit(victim, 5000)) {
                result.error = s("run %1: agent %2 did not die of SIGKILL").arg(run).arg(victim);
                return;
            }
            m.close(victim);
            if (!lab.startOne(victim, error) || !m.open(victim, c.controlPort(victim), error)) {
                result.error = s("run %1: restarting %2: %3").arg(run).arg(victim, error);
                return;
            }
        } else {
            c.sigcont(victim);
        }
        if (!lab.waitWhole(error)) {
            result.error = s("run %1: after %2 came back: %3").arg(run).arg(victim, error);
            return;
        }
        if (verbose)
            say(s("%1 run %2/%3: %4 is back and the cluster whole again after %5 s")
                    .arg(result.name)
                    .arg(run)
                    .arg(runs)
                    .arg(victim)
                    .arg(static_cast<double>(back.elapsed()) / 1000.0, 0, 'f', 1));
    }
    if (g_interrupted != 0 && result.error.isEmpty())
        result.error = s("interrupted");
}

// A lab at rest for `seconds` with a CPU hog on core 0: what moved meanwhile. `hog` already
// running (fig1-hog: the lab started under it) or started here (fig5-hog); `fromStart`: count
// from the agents' start, not from the beginning of the window.
void runHog(Lab &lab, HogResult &r, int seconds, bool verbose, const QString &name, CpuHog &hog,
            bool fromStart)
{
    const QStringList ids = lab.cluster().ids();
    struct Counts
    {
        long long rejoins = 0;
        long long failovers = 0;
        long long views = 0;
    };
    auto read = [&](QString &error) -> std::optional<std::map<QString, Counts>> {
        auto states = lab.monitor().askAll(ids, s("get-state"), error);
        if (!states)
            return std::nullopt;
        auto history = lab.monitor().askAll(ids, s("get-history"), error);
        if (!history)
            return std::nullopt;
        std::map<QString, Counts> out;
        for (const auto &id : ids) {
            const QJsonObject &st = states->at(id).result;
            if (!st.contains(s("rejoins"))) {
                error = s("agent %1's get-state has no rejoins (an older dmr-agent?)").arg(id);
                return std::nullopt;
            }
            out[id] = Counts{st.value(s("rejoins")).toInteger(),
                             history->at(id).result.value(s("failovers")).toArray().size(),
                             st.value(s("views_installed")).toInteger()};
        }
        return out;
    };
    QString error;
    std::map<QString, Counts> before;
    if (!fromStart) {
        auto read0 = read(error);
        if (!read0) {
            r.error = error;
            return;
        }
        before = std::move(*read0);
    }
    if (hog.pid() <= 0 && !hog.start(0, error)) {
        r.error = s("CPU hog: ") + error;
        return;
    }
    if (!fromStart)
        r.loadStart = loadAverage();
    const auto hogBefore = cpuTicks(hog.pid());
    const std::int64_t t0 = steadyNs();
    say(s("%1: %2 s at rest with a CPU hog on core 0 (pid %3), agents at %4...")
            .arg(name)
            .arg(seconds)
            .arg(hog.pid())
            .arg(r.setting));
    for (int done = 0; done < seconds && g_interrupted == 0;) {
        const int slice = std::min(60, seconds - done);
        pumpFor(slice * 1000);
        done += slice;
        if (verbose && done < seconds)
            say(s("%1: %2/%3 s").arg(name).arg(done).arg(seconds));
    }
    r.seconds = static_cast<double>(steadyNs() - t0) / 1e9;
    const auto hogAfter = cpuTicks(hog.pid());
    hog.stop();
    r.loadEnd = loadAverage();
    if (hogBefore && hogAfter)
        r.hogCpuPct = static_cast<double>(*hogAfter - *hogBefore) /
                      static_cast<double>(::sysconf(_SC_CLK_TCK)) / r.seconds * 100.0;
    if (g_interrupted != 0) {
        r.error = s("interrupted");
        return;
    }
    const auto after = read(error);
    if (!after) {
        r.error = error;
        return;
    }
    for (const auto &id : ids) {
        const Counts &a = after->at(id);
        const Counts b = fromStart ? Counts{} : before.at(id);
        r.rejoins += a.rejoins - b.rejoins;
        r.failoverRecords = std::max(r.failoverRecords, a.failovers - b.failovers);
        r.viewsInstalled = std::max(r.viewsInstalled, a.views - b.views);
    }
}

// Fig. 1's networks and the node that joined each first (the lab starts them in addFig1's
// order): f<k>n1 leads 10.<k>.0.0/24, and f1n1 the shared LAN. Those that do not, named.
void checkFig1Leaders(Lab &lab, HogResult &r)
{
    QString error;
    const QStringList ids = lab.cluster().ids();
    auto states = lab.monitor().askAll(ids, s("get-state"), error);
    if (!states) {
        r.error = error;
        return;
    }
    std::map<QString, QString> expected{{s("10.100.0.0/24"), s("f1n1")}};
    for (int f = 1; f <= 8; ++f)
        expected[s("10.%1.0.0/24").arg(f)] = s("f%1n1").arg(f);
    r.networks = static_cast<int>(expected.size());
    for (const auto &[net, first] : expected) {
        QStringList leaders;
        for (const auto &[id, st] : *states)
            if (stringsOf(st.result.value(s("leads"))).contains(net))
                leaders << id;
        if (leaders != QStringList{first})
            r.wrongLeaders << s("%1 led by %2, not %3")
                                  .arg(net, leaders.isEmpty() ? s("nobody") : leaders.join(s("+")),
                                       first);
    }
}

QString systemLeaderOf(const std::map<QString, QJsonObject> &states)
{
    return states.empty() ? QString() : states.begin()->second.value(s("system_leader")).toString();
}

// The leader of network 10.F.0.0/24, for a frame F that is not the system leader's, a different
// frame each run.
QString pickFig1(const std::map<QString, QJsonObject> &states, int run)
{
    const QString sl = systemLeaderOf(states);
    std::vector<int> frames;
    for (int f = 1; f <= 8; ++f)
        if (!sl.startsWith(s("f%1n").arg(f)))
            frames.push_back(f);
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const int f = frames[(static_cast<std::size_t>(run - 1) + k) % frames.size()];
        const QString net = s("10.%1.0.0/24").arg(f);
        for (const auto &[id, st] : states)
            if (id != sl && stringsOf(st.value(s("leads"))).contains(net))
                return id;
    }
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(s("dmr-bench-failover"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        s("Failover time of real dmr-agent processes on 127.0.0.1 (kill -9 and SIGSTOP of a "
          "leader), and the agent's resident memory and idle CPU. Progress goes to stderr, the "
          "figures to stdout."));
    parser.addHelpOption();
    const QCommandLineOption agentOpt(s("agent"), s("the dmr-agent to run"), s("path"),
                                      s(DMR_AGENT_PATH));
    const QCommandLineOption runsOpt(s("runs"), s("failures per case (default 30)"), s("n"),
                                     s("30"));
    const QCommandLineOption casesOpt(
        s("cases"),
        s("comma-separated: fig5-kill, fig1-kill, fig5-silent, fig5-hog, fig1-hog (default all "
          "five)"),
        s("list"), s("fig5-kill,fig1-kill,fig5-silent,fig5-hog,fig1-hog"));
    const QCommandLineOption silentHeartbeatOpt(
        s("silent-heartbeat"),
        s("membership.heartbeat_ms x membership.misses of the agents in fig5-silent and "
          "fig5-hog (default 25x5)"),
        s("MSxMISSES"), s("25x5"));
    const QCommandLineOption hogSecondsOpt(
        s("hog-seconds"),
        s("how long fig5-hog and fig1-hog run with the CPU hog (default 60; 600 for fig5-hog's "
          "10-minute run, 300 for fig1-hog's 5 minutes)"),
        s("s"), s("60"));
    const QCommandLineOption baseOpt(
        s("base-port"),
        s("first port (default 40000); the labs use ports from base to base+7605 at most"),
        s("port"), s("40000"));
    const QCommandLineOption quietOpt(s("quiet"), s("no line per run on stderr"));
    const QCommandLineOption backendsOpt(
        s("backends"),
        s("comma-separated membership backends for the kill cases: embedded, etcd (default "
          "both; etcd needs the etcd binary)"),
        s("list"), s("embedded,etcd"));
    parser.addOptions({agentOpt, runsOpt, casesOpt, baseOpt, quietOpt, backendsOpt,
                       silentHeartbeatOpt, hogSecondsOpt});
    parser.process(app);

    const QString agent = parser.value(agentOpt);
    bool ok = false;
    const int runs = parser.value(runsOpt).toInt(&ok);
    if (!ok || runs < 1) {
        say(s("dmr-bench-failover: --runs: expected a positive integer, got \"%1\"")
                .arg(parser.value(runsOpt)));
        return 2;
    }
    const int base = parser.value(baseOpt).toInt(&ok);
    if (!ok || base < 1024 || base + 11727 > 65535) {
        say(s("dmr-bench-failover: --base-port: expected 1024-53808, got \"%1\"")
                .arg(parser.value(baseOpt)));
        return 2;
    }
    const QStringList known{s("fig5-kill"), s("fig1-kill"), s("fig5-silent"), s("fig5-hog"),
                            s("fig1-hog")};
    QStringList cases;
    for (const auto &c : parser.value(casesOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = c.trimmed();
        if (!known.contains(name)) {
            say(s("dmr-bench-failover: --cases: unknown case \"%1\" (known: %2)")
                    .arg(name, known.join(s(", "))));
            return 2;
        }
        if (!cases.contains(name))
            cases << name;
    }
    if (cases.isEmpty()) {
        say(s("dmr-bench-failover: --cases: no case given"));
        return 2;
    }
    // The agents' heartbeat in the silent and hog labs.
    const QStringList hb = parser.value(silentHeartbeatOpt).split(QLatin1Char('x'));
    const int silentHeartbeatMs = hb.size() == 2 ? hb[0].toInt(&ok) : 0;
    const int silentMisses = ok && hb.size() == 2 ? hb[1].toInt(&ok) : 0;
    if (!ok || silentHeartbeatMs < 10 || silentHeartbeatMs > 10000 || silentMisses < 1 ||
        silentMisses > 100) {
        say(s("dmr-bench-failover: --silent-heartbeat: expected MSxMISSES with MS 10-10000 and "
              "MISSES 1-100 (the ranges of membership.heartbeat_ms and membership.misses), got "
              "\"%1\"")
                .arg(parser.value(silentHeartbeatOpt)));
        return 2;
    }
    const QString silentSetting = s("%1 ms x %2").arg(silentHeartbeatMs).arg(silentMisses);
    const QStringList silentArgs{s("--membership.heartbeat_ms"), QString::number(silentHeartbeatMs),
                                 s("--membership.misses"), QString::number(silentMisses)};
    const int hogSeconds = parser.value(hogSecondsOpt).toInt(&ok);
    if (!ok || hogSeconds < 1) {
        say(s("dmr-bench-failover: --hog-seconds: expected a positive integer, got \"%1\"")
                .arg(parser.value(hogSecondsOpt)));
        return 2;
    }
    if (!QFileInfo(agent).isExecutable()) {
        say(s("dmr-bench-failover: no executable dmr-agent at %1 (build it, or pass --agent)")
                .arg(agent));
        return 2;
    }
    QStringList backends;
    for (const auto &b : parser.value(backendsOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = b.trimmed();
        if (name != QLatin1String("embedded") && name != QLatin1String("etcd")) {
            say(s("dmr-bench-failover: --backends: unknown backend \"%1\" (known: embedded, "
                  "etcd)")
                    .arg(name));
            return 2;
        }
        if (!backends.contains(name))
            backends << name;
    }
    if (backends.isEmpty()) {
        say(s("dmr-bench-failover: --backends: no backend given"));
        return 2;
    }
    QString etcdMissing;
    if (backends.contains(s("etcd")) && EtcdServer::binary().isEmpty()) {
        etcdMissing = s("etcd is not installed (./dmr installs Debian's etcd-server)");
        backends.removeAll(s("etcd"));
    }
    const bool embedded = backends.contains(s("embedded"));
    const bool onEtcd = backends.contains(s("etcd"));
    const bool verbose = !parser.isSet(quietOpt);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    QElapsedTimer wall;
    wall.start();
    say(s("dmr-bench-failover: agent %1; cases %2; %3 runs each; ports from %4")
            .arg(agent, cases.join(s(",")))
            .arg(runs)
            .arg(base));

    std::map<QString, CaseResult> results;
    std::map<QString, CaseResult> etcdResults; // the kill cases on etcd
    std::map<int, double> etcdRequestRate;     // agents -> requests/s at rest
    std::optional<Resources> resources;
    std::optional<Resources> fig1Resources;
    std::optional<Resources> silentResources; // the Fig. 5 agents at --silent-heartbeat
    std::optional<HogResult> hogResult;
    std::optional<HogResult> fig1HogResult;
    QStringList errors;
    auto addFig5With = [](const QStringList &args) {
        return [args](AgentCluster &c) {
            c.addFig5();
            for (const auto &id : c.ids())
                c.appendArgs(id, args);
        };
    };

    auto fig5Case = [&](const QString &name, Failure failure, int port, const QString &target,
                        const QStringList &agentArgs = {}) {
        CaseResult &r = results[name];
        r.name = name;
        r.target = target;
        r.runsWanted = runs;
        r.loadStart = loadAverage();
        QString error;
        auto lab = Lab::make(name, agent, port, kShiftStep, verbose, addFig5With(agentArgs), error);
        if (!lab || !lab->startAll(error)) {
            r.error = s("setup: ") + error;
        } else {
            std::optional<Resources> &mine = agentArgs.isEmpty() ? resources : silentResources;
            if (!mine) {
                mine = lab->measureResources(error);
                if (!mine)
                    errors << s("%1: resources: %2").arg(name, error);
            }
            runCase(
                *lab, r, failure, runs,
                [](const std::map<QString, QJsonObject> &st, int) { return systemLeaderOf(st); },
                false, verbose);
        }
        r.loadEnd = loadAverage();
    };

    // Fig. 1 last: its 128 agents leave thousands of connections in TIME_WAIT, on ephemeral
    // ports that may be the next lab's.
    const QStringList runOrder{s("fig5-kill"), s("fig5-silent"), s("fig5-hog"), s("fig1-kill"),
                               s("fig1-hog")};
    for (const auto &name : runOrder) {
        if (g_interrupted != 0 || !embedded || !cases.contains(name))
            continue;
        if (name == QLatin1String("fig5-kill")) {
            fig5Case(name, Failure::Kill, base, s("p99 < 50 ms (crash, connection closed)"));
        } else if (name == QLatin1String("fig5-silent")) {
            fig5Case(name, Failure::Stop, base + 4000,
                     s("p99 <= 150 ms (silent failure, %1)").arg(silentSetting), silentArgs);
            results[name].p99TargetMs = 150;
        } else if (name == QLatin1String("fig5-hog")) {
            HogResult &h = hogResult.emplace();
            h.setting = silentSetting;
            QString error;
            auto lab = Lab::make(name, agent, base + 6000, kShiftStep, verbose,
                                 addFig5With(silentArgs), error);
            CpuHog hog;
            if (!lab || !lab->startAll(error))
                h.error = s("setup: ") + error;
            else
                runHog(*lab, h, hogSeconds, verbose, name, hog, false);
            if (!h.error.isEmpty())
                errors << s("fig5-hog: ") + h.error;
        } else if (name == QLatin1String("fig1-hog")) {
            HogResult &h = fig1HogResult.emplace();
            h.setting = s("the default timers");
            QString error;
            CpuHog hog;
            h.loadStart = loadAverage();
            if (!hog.start(0, error)) {
                h.error = s("CPU hog: ") + error;
            } else {
                say(s("fig1-hog: a CPU hog on core 0 (pid %1) from before the lab starts")
                        .arg(hog.pid()));
                auto lab = Lab::make(name, agent, base + 2000, kShiftStep, verbose, addFig1, error);
                if (!lab || !lab->startAll(error)) {
                    h.error = s("setup: ") + error;
                } else {
                    runHog(*lab, h, hogSeconds, verbose, name, hog, true);
                    if (h.error.isEmpty())
                        checkFig1Leaders(*lab, h);
                }
            }
            if (!h.error.isEmpty())
                errors << s("fig1-hog: ") + h.error;
        } else {
            CaseResult &r = results[name];
            r.name = name;
            r.target = s("p99 < 50 ms (crash, connection closed; 128 agents)");
            r.runsWanted = runs;
            r.loadStart = loadAverage();
            QString error;
            auto lab = Lab::make(name, agent, base + 2000, kShiftStep, verbose, addFig1, error);
            if (!lab || !lab->startAll(error)) {
                r.error = s("setup: ") + error;
            } else {
                fig1Resources = lab->measureResources(error);
                if (!fig1Resources)
                    errors << s("%1: resources: %2").arg(name, error);
                runCase(*lab, r, Failure::Kill, runs, pickFig1, true, verbose);
            }
            r.loadEnd = loadAverage();
        }
    }
    // The kill cases again, on etcd: one fresh etcd per lab.
    const QStringList etcdOrder{s("fig5-kill"), s("fig1-kill")};
    for (const auto &name : etcdOrder) {
        if (g_interrupted != 0 || !onEtcd || !cases.contains(name))
            continue;
        CaseResult &r = etcdResults[name];
        const bool fig1 = name == QLatin1String("fig1-kill");
        r.name = name;
        r.target = fig1 ? s("p99 <= 200 ms") : s("p99 <= 50 ms");
        r.runsWanted = runs;
        r.loadStart = loadAverage();
        EtcdServer etcd;
        QString error;
        if (!etcd.start()) {
            r.error = s("setup: etcd: ") + etcd.error();
            continue;
        }
        say(s("%1 on etcd: etcd up at %2").arg(name, etcd.endpoint()));
        auto lab = fig1 ? Lab::make(name + s("/etcd"), agent, base + 10000, kShiftStep, verbose,
                                    addFig1, error, etcd.endpoint())
                        : Lab::make(
                              name + s("/etcd"), agent, base + 8000, kShiftStep, verbose,
                              [](AgentCluster &c) { c.addFig5(); }, error, etcd.endpoint());
        if (!lab || !lab->startAll(error)) {
            r.error = s("setup: ") + error;
        } else {
            auto rate = lab->etcdRequestsPerSecond(error);
            if (rate)
                etcdRequestRate[static_cast<int>(lab->cluster().ids().size())] = *rate;
            else
                errors << s("%1/etcd: request rate: %2").arg(name, error);
            if (fig1)
                runCase(*lab, r, Failure::Kill, runs, pickFig1, true, verbose);
            else
                runCase(
                    *lab, r, Failure::Kill, runs,
                    [](const std::map<QString, QJsonObject> &st, int) {
                        return systemLeaderOf(st);
                    },
                    false, verbose);
        }
        r.loadEnd = loadAverage();
    }

    if (!resources && g_interrupted == 0 && embedded) {
        QString error;
        auto lab = Lab::make(
            s("resources"), agent, base + 6000, kShiftStep, verbose,
            [](AgentCluster &c) { c.addFig5(); }, error);
        if (lab && lab->startAll(error))
            resources = lab->measureResources(error);
        if (!resources)
            errors << s("resources: ") + error;
    }

    // The figures.
    std::printf("%-13s %5s %7s %7s %7s  %s\n", "case", "runs", "p50_ms", "p99_ms", "max_ms",
                "target");
    for (const auto &name : cases) {
        if (results.count(name) == 0)
            continue;
        const CaseResult &r = results.at(name);
        if (r.ms.empty()) {
            std::printf("%-13s %5d %7s %7s %7s  %s\n", qPrintable(r.name), 0, "-", "-", "-",
                        qPrintable(r.target));
        } else {
            const double p99 = percentile(r.ms, 0.99);
            std::printf("%-13s %5d %7.1f %7.1f %7.1f  %s%s\n", qPrintable(r.name),
                        static_cast<int>(r.ms.size()), percentile(r.ms, 0.5), p99,
                        *std::max_element(r.ms.begin(), r.ms.end()), qPrintable(r.target),
                        r.p99TargetMs <= 0 ? ""
                        : p99 <= r.p99TargetMs && static_cast<int>(r.ms.size()) == r.runsWanted
                            ? ": met"
                            : ": MISSED");
        }
    }
    if (resources) {
        std::printf("agent RSS: %.1f MB (max over the %d Fig. 5 agents at rest, mean %.1f MB; "
                    "target < 10 MB)\n",
                    resources->rssMaxMb, resources->agents, resources->rssMeanMb);
        std::printf("agent idle CPU: %.1f %% of one core (max over the %d Fig. 5 agents, mean "
                    "%.1f %%; %.0f s at rest, from /proc/PID/stat utime+stime)\n",
                    resources->cpuMaxPct, resources->agents, resources->cpuMeanPct,
                    resources->windowS);
    }
    if (silentResources)
        std::printf("agent idle CPU at %s (fig5-silent's lab): %.1f %% of one core (max over "
                    "the %d agents, mean %.1f %%), RSS max %.1f MB\n",
                    qPrintable(silentSetting), silentResources->cpuMaxPct, silentResources->agents,
                    silentResources->cpuMeanPct, silentResources->rssMaxMb);
    if (hogResult && hogResult->error.isEmpty())
        std::printf("false failovers: %lld (target 0) in %.0f s of Fig. 5 at rest at %s with a CPU "
                    "hog on core 0 (it took %.0f %% of a core): nodes taken out of the view "
                    "alive (get-state rejoins, summed); failover records %lld, views installed "
                    "%lld at most at one agent; load average %.1f at start, %.1f at end\n",
                    hogResult->rejoins, hogResult->seconds, qPrintable(hogResult->setting),
                    hogResult->hogCpuPct, hogResult->failoverRecords, hogResult->viewsInstalled,
                    hogResult->loadStart, hogResult->loadEnd);
    if (fig1HogResult && fig1HogResult->error.isEmpty())
        std::printf(
            "fig1-hog: false failovers %lld (target 0) in the 128-agent lab started under a "
            "CPU hog on core 0 and held %.0f s (the hog took %.0f %% of a core): nodes "
            "taken out of the view alive since the agents started; failover records %lld, "
            "views installed %lld at most at one agent; networks led by their "
            "first-joined node: %d of %d%s%s; load average %.1f at start, %.1f at end\n",
            fig1HogResult->rejoins, fig1HogResult->seconds, fig1HogResult->hogCpuPct,
            fig1HogResult->failoverRecords, fig1HogResult->viewsInstalled,
            fig1HogResult->networks - static_cast<int>(fig1HogResult->wrongLeaders.size()),
            fig1HogResult->networks, fig1HogResult->wrongLeaders.isEmpty() ? "" : ": ",
            qPrintable(fig1HogResult->wrongLeaders.join(s("; "))), fig1HogResult->loadStart,
            fig1HogResult->loadEnd);
    if (fig1Resources)
        std::printf("Fig. 1 at rest: agent RSS max %.1f MB (mean %.1f MB); idle CPU max %.1f %% "
                    "(agent %s), mean %.1f %%, all %d agents together %.0f %% of one core\n",
                    fig1Resources->rssMaxMb, fig1Resources->rssMeanMb, fig1Resources->cpuMaxPct,
                    qPrintable(fig1Resources->cpuMaxAgent), fig1Resources->cpuMeanPct,
                    fig1Resources->agents, fig1Resources->cpuSumPct);

    std::printf("\nthe same runs: failure to the first survivor holding the new plan, and to the "
                "last as observed by this program (when it read the event):\n");
    std::printf("%-13s %7s %7s %7s  %7s %7s %7s\n", "case", "1st_p50", "1st_p99", "1st_max",
                "obs_p50", "obs_p99", "obs_max");
    for (const auto &name : cases) {
        if (results.count(name) == 0 || results.at(name).ms.empty())
            continue;
        const CaseResult &r = results.at(name);
        std::printf("%-13s %7.1f %7.1f %7.1f  %7.1f %7.1f %7.1f\n", qPrintable(r.name),
                    percentile(r.firstMs, 0.5), percentile(r.firstMs, 0.99),
                    *std::max_element(r.firstMs.begin(), r.firstMs.end()),
                    percentile(r.observedMs, 0.5), percentile(r.observedMs, 0.99),
                    *std::max_element(r.observedMs.begin(), r.observedMs.end()));
    }
    std::printf("(failure: this program's wall clock just before the signal; a survivor holds the "
                "new plan at the time_ms of its plan-changed event, whole ms, truncated; "
                "percentiles interpolate linearly)\n");
    for (const auto &name : cases) {
        if (results.count(name) == 0)
            continue;
        const CaseResult &r = results.at(name);
        std::printf("%s: load average %.1f at start, %.1f at end (%ld cores)", qPrintable(r.name),
                    r.loadStart, r.loadEnd, ::sysconf(_SC_NPROCESSORS_ONLN));
        if (r.churnRuns > 0)
            std::printf("; %d run(s) where a survivor went through more than one new plan",
                        r.churnRuns);
        if (r.staleEvents > 0)
            std::printf("; %zu plan-changed event(s) stamped before a failure ignored",
                        r.staleEvents);
        std::printf("\n");
        if (!r.error.isEmpty())
            errors << s("%1: %2 (after %3 of %4 runs)")
                          .arg(r.name, r.error)
                          .arg(r.ms.size())
                          .arg(r.runsWanted);
    }
    // The kill cases side by side.
    if (onEtcd || !etcdMissing.isEmpty()) {
        auto cell = [](const std::map<QString, CaseResult> &m, const QString &name) {
            auto it = m.find(name);
            if (it == m.end() || it->second.ms.empty())
                return std::string("-");
            const auto &ms = it->second.ms;
            char buf[96];
            std::snprintf(buf, sizeof buf, "%zu runs %.1f / %.1f / %.1f", ms.size(),
                          percentile(ms, 0.5), percentile(ms, 0.99),
                          *std::max_element(ms.begin(), ms.end()));
            return std::string(buf);
        };
        std::printf("\nkill -9 cases by membership backend (failure to every survivor holding the "
                    "new plan; p50 / p99 / max ms):\n");
        std::printf("%-13s %-34s %-34s\n", "case", "embedded", "etcd (crash links)");
        for (const auto &name : etcdOrder) {
            if (!cases.contains(name))
                continue;
            std::printf("%-13s %-34s %-34s\n", qPrintable(name), cell(results, name).c_str(),
                        etcdMissing.isEmpty() ? cell(etcdResults, name).c_str()
                                              : qPrintable(etcdMissing));
        }
        // The etcd targets (kill -9 to every survivor holding the new plan), met or not.
        for (const auto &name : etcdOrder) {
            const auto it = etcdResults.find(name);
            if (it == etcdResults.end() || it->second.ms.empty())
                continue;
            const double limit = name == QLatin1String("fig1-kill") ? 200.0 : 50.0;
            const double p99 = percentile(it->second.ms, 0.99);
            std::printf("etcd %-13s p99 %7.1f ms  target p99 <= %.0f ms  %s\n", qPrintable(name),
                        p99, limit, p99 <= limit ? "met" : "MISSED");
        }
        for (const auto &[agents, rate] : etcdRequestRate)
            std::printf("etcd requests at rest, %d agents: %.1f per second (all agents together, "
                        "%.2f per agent: lease keepalives every TTL/3)\n",
                        agents, rate, rate / agents);
        for (const auto &[name, r] : etcdResults) {
            std::printf("%s/etcd: load average %.1f at start, %.1f at end", qPrintable(name),
                        r.loadStart, r.loadEnd);
            if (r.churnRuns > 0)
                std::printf("; %d run(s) where a survivor went through more than one new plan",
                            r.churnRuns);
            std::printf("\n");
            if (!r.error.isEmpty())
                errors << s("%1/etcd: %2 (after %3 of %4 runs)")
                              .arg(name, r.error)
                              .arg(r.ms.size())
                              .arg(r.runsWanted);
        }
    }
    std::printf("wall time: %.1f s\n", static_cast<double>(wall.elapsed()) / 1000.0);
    std::fflush(stdout);
    for (const auto &e : errors)
        say(s("dmr-bench-failover: error: ") + e);
    return errors.isEmpty() && g_interrupted == 0 ? 0 : 1;
}
