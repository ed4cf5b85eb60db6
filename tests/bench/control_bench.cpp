// dmr-bench-control: hostile read-only clients against the system leader's control port of a
// real Fig. 5 cluster on 127.0.0.1, and what they cost the cluster. A benchmark program, not a
// test: it prints figures and the targets next to them; it fails (exit 1) only when the cluster
// does not come up at all.
//
//   dmr-bench-control [--clients 50] [--seconds 60] [--agent PATH] [--base-port 0]
//
// The clients, none with a token (read-only), mixed in these proportions of --clients:
//   40% pipeline get-cluster as fast as the kernel takes it and never read a byte
//   20% pipeline get-cluster and read everything (the most work they can ask for)
//   10% pipeline get-snapshot and read 1 KiB a second
//   20% flood bad lines (not JSON, unknown types) and read the errors
//   10% connect and say nothing (no hello)
// A client the agent drops or closes connects again at once.
//
// Printed: false failovers (failover records any agent made during the attack: no agent failed,
// so the target is 0), whether the system leader and the view stayed the same, the leader's
// resident memory before, at most during, and after, an honest client's get-state latency during
// the attack (p50, p99, max), and what the leader's control port counted (from its /metrics).

#include "agent_cluster.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

void say(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
}

double rssMb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const auto &l : f.readAll().split('\n'))
        if (l.startsWith("VmRSS:"))
            return l.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

enum class Kind : std::uint8_t { Pipeline, FastReader, SlowReader, Garbage, Silent };

const char *name(Kind k)
{
    switch (k) {
    case Kind::Pipeline:
        return "pipeline get-cluster, never read";
    case Kind::FastReader:
        return "pipeline get-cluster, read everything";
    case Kind::SlowReader:
        return "pipeline get-snapshot, read 1 KiB/s";
    case Kind::Garbage:
        return "flood bad lines, read the errors";
    case Kind::Silent:
        return "connect, say nothing";
    }
    return "?";
}

struct Attacker
{
    Kind kind = Kind::Pipeline;
    int fd = -1;
    std::string out;
    std::size_t sent = 0;
    std::uint64_t connects = 0;
    std::uint64_t bytesIn = 0;
    std::uint64_t bytesOut = 0;
    Clock::time_point readAllowance = Clock::now();
};

// The hostile clients, on one thread with one poll loop.
class Attack
{
public:
    Attack(int port, int clients)
        : port_(port)
    {
        for (int i = 0; i < clients; ++i) {
            const int slot = (i * 10) / std::max(1, clients); // 0..9, spread over the mix
            Kind k = Kind::Pipeline;
            if (slot >= 4 && slot < 6)
                k = Kind::FastReader;
            else if (slot == 6)
                k = Kind::SlowReader;
            else if (slot >= 7 && slot < 9)
                k = Kind::Garbage;
            else if (slot == 9)
                k = Kind::Silent;
            Attacker a;
            a.kind = k;
            attackers_.push_back(a);
        }
        std::string cluster;
        for (int i = 0; i < 64; ++i)
            cluster += R"({"type":"get-cluster","id":)" + std::to_string(i) + "}\n";
        getCluster_ = cluster;
        for (int i = 0; i < 64; ++i)
            getSnapshot_ += R"({"type":"get-snapshot","format":"json"})"
                            "\n";
        for (int i = 0; i < 64; ++i)
            garbage_ += i % 2 == 0 ? "not json at all\n"
                                   : R"({"type":"fly","id":1e400})"
                                     "\n";
    }

    void start()
    {
        thread_ = std::thread([this] { run(); });
    }
    void stop()
    {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
        for (auto &a : attackers_)
            if (a.fd >= 0)
                ::close(a.fd);
    }
    const std::vector<Attacker> &attackers() const { return attackers_; }

private:
    void connect(Attacker &a)
    {
        a.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port_));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::connect(a.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr); // EINPROGRESS
        ++a.connects;
        a.out = a.kind == Kind::Silent
                    ? std::string()
                    : R"({"type":"hello","protocol":1,"client":"dmr-bench-control hostile"})"
                      "\n";
        a.sent = 0;
    }
    void drop(Attacker &a)
    {
        ::close(a.fd);
        a.fd = -1;
    }
    const std::string &load(Kind k) const
    {
        if (k == Kind::Garbage)
            return garbage_;
        if (k == Kind::SlowReader)
            return getSnapshot_;
        return getCluster_;
    }

    void run()
    {
        std::vector<pollfd> fds(attackers_.size());
        std::vector<char> chunk(64 * 1024);
        while (!stop_) {
            for (std::size_t i = 0; i < attackers_.size(); ++i) {
                Attacker &a = attackers_[i];
                if (a.fd < 0)
                    connect(a);
                short events = POLLIN;
                if (a.kind != Kind::Silent)
                    events |= POLLOUT;
                fds[i] = pollfd{a.fd, events, 0};
            }
            ::poll(fds.data(), fds.size(), 10);
            const auto now = Clock::now();
            for (std::size_t i = 0; i < attackers_.size(); ++i) {
                Attacker &a = attackers_[i];
                const short re = fds[i].revents;
                if (re & (POLLERR | POLLNVAL)) {
                    drop(a);
                    continue;
                }
                if (re & POLLOUT) {
                    if (a.sent == a.out.size()) {
                        a.out = load(a.kind);
                        a.sent = 0;
                    }
                    const ssize_t n =
                        ::send(a.fd, a.out.data() + a.sent, a.out.size() - a.sent, MSG_NOSIGNAL);
                    if (n > 0) {
                        a.sent += static_cast<std::size_t>(n);
                        a.bytesOut += static_cast<std::uint64_t>(n);
                    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                        drop(a);
                        continue;
                    }
                }
                // Pipeliners never read; they only notice a close when a send fails.
                const bool reads = a.kind != Kind::Pipeline &&
                                   (a.kind != Kind::SlowReader || now >= a.readAllowance);
                if ((re & (POLLIN | POLLHUP)) && reads) {
                    const std::size_t want = a.kind == Kind::SlowReader ? 1024 : chunk.size();
                    const ssize_t n = ::recv(a.fd, chunk.data(), want, 0);
                    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                        drop(a);
                        continue;
                    }
                    if (n > 0)
                        a.bytesIn += static_cast<std::uint64_t>(n);
                    if (a.kind == Kind::SlowReader)
                        a.readAllowance = now + std::chrono::seconds(1);
                }
            }
        }
    }

    int port_;
    std::vector<Attacker> attackers_;
    std::string getCluster_;
    std::string getSnapshot_;
    std::string garbage_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

QByteArray httpGet(int port, const QByteArray &path)
{
    QTcpSocket sock;
    sock.connectToHost(s("127.0.0.1"), static_cast<quint16>(port));
    if (!sock.waitForConnected(5000))
        return {};
    sock.write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray all;
    while (sock.waitForReadyRead(5000))
        all += sock.readAll();
    return all;
}

double metric(const QByteArray &text, const QByteArray &metricName)
{
    for (const auto &l : text.split('\n'))
        if (l.startsWith(metricName + "{") || l.startsWith(metricName + " "))
            return l.mid(l.lastIndexOf(' ') + 1).toDouble();
    return -1;
}

int freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

// Failover records (get-history) of every agent, by agent.
std::map<QString, int> failovers(const AgentCluster &c)
{
    std::map<QString, int> out;
    for (const auto &id : c.ids())
        out[id] = static_cast<int>(c.ask(id, {{s("type"), s("get-history")}}, false, 5000)
                                       .value(s("result"))
                                       .toObject()
                                       .value(s("failovers"))
                                       .toArray()
                                       .size());
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(s("dmr-bench-control"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        s("Hostile read-only clients against the system leader's control port of a real Fig. 5 "
          "cluster: false failovers, the leader's memory, an honest client's latency. Progress "
          "goes to stderr, the figures to stdout."));
    parser.addHelpOption();
    const QCommandLineOption agentOpt(s("agent"), s("the dmr-agent to run"), s("path"),
                                      s(DMR_AGENT_PATH));
    const QCommandLineOption clientsOpt(s("clients"), s("hostile clients (default 50)"), s("n"),
                                        s("50"));
    const QCommandLineOption secondsOpt(s("seconds"), s("how long they attack (default 60)"),
                                        s("s"), s("60"));
    const QCommandLineOption baseOpt(
        s("base-port"), s("the cluster's first port (default 0: a free range)"), s("port"), s("0"));
    parser.addOptions({agentOpt, clientsOpt, secondsOpt, baseOpt});
    parser.process(app);
    const int clients = std::max(1, parser.value(clientsOpt).toInt());
    const int seconds = std::max(1, parser.value(secondsOpt).toInt());
    const QString agent = parser.value(agentOpt);
    if (!QFileInfo(agent).isExecutable()) {
        say(s("dmr-bench-control: --agent %1: not an executable").arg(agent));
        return 2;
    }

    AgentCluster c(agent, parser.value(baseOpt).toInt());
    c.addFig5();
    const QString leader = s("2");
    const int metricsPort = freePort();
    c.appendArgs(leader, {s("--metrics.listen"), QStringLiteral("127.0.0.1:%1").arg(metricsPort)});
    say(s("dmr-bench-control: starting Fig. 5 (6 agents) in join order"));
    if (!c.startAll(60000)) {
        say(s("dmr-bench-control: the cluster did not come up; logs: %1").arg(c.logOf(leader)));
        return 1;
    }
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 60000 && !c.agree(c.ids(), leader))
        QThread::msleep(100);
    if (!c.agree(c.ids(), leader)) {
        say(s("dmr-bench-control: the agents do not agree on node 2 as system leader"));
        return 1;
    }
    const QString viewBefore = c.state(s("6")).value(s("view_id")).toString();
    const auto historyBefore = failovers(c);
    const qint64 pid = c.pid(leader);
    QThread::msleep(1000);
    const double rssBefore = rssMb(pid);

    say(s("dmr-bench-control: %1 hostile clients on node 2's control port for %2 s")
            .arg(clients)
            .arg(seconds));
    Attack attack(c.controlPort(leader), clients);
    attack.start();
    std::vector<double> latenciesMs;
    int unanswered = 0;
    double rssMax = rssBefore;
    QStringList leadersSeen;
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < end) {
        QElapsedTimer t;
        t.start();
        const auto r = c.ask(leader, {{s("type"), s("get-state")}}, false, 5000);
        if (r.value(s("ok")).toBool())
            latenciesMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        else
            ++unanswered;
        rssMax = std::max(rssMax, rssMb(pid));
        const QString sl = c.state(s("6")).value(s("system_leader")).toString();
        if (!leadersSeen.contains(sl))
            leadersSeen << sl;
        QThread::msleep(200);
    }
    attack.stop();
    const QByteArray m = httpGet(metricsPort, "/metrics");
    QThread::msleep(2000);
    const double rssAfter = rssMb(pid);
    const auto historyAfter = failovers(c);
    int falseFailovers = 0;
    for (const auto &[id, n] : historyAfter)
        falseFailovers = std::max(falseFailovers, n - historyBefore.at(id));
    const QString viewAfter = c.state(s("6")).value(s("view_id")).toString();
    const bool sameLeader = leadersSeen == QStringList{leader} && c.agree(c.ids(), leader);

    std::printf("dmr-bench-control: %d hostile read-only clients against the system leader (node "
                "2) of Fig. 5 on 127.0.0.1 for %d s\n",
                clients, seconds);
    std::map<Kind, int> kinds;
    std::uint64_t reconnects = 0;
    std::uint64_t bytesOut = 0;
    std::uint64_t bytesIn = 0;
    for (const auto &a : attack.attackers()) {
        ++kinds[a.kind];
        reconnects += a.connects - 1;
        bytesOut += a.bytesOut;
        bytesIn += a.bytesIn;
    }
    for (const auto &[k, n] : kinds)
        std::printf("  %3d  %s\n", n, name(k));
    std::printf("  they sent %.1f MB of requests and read %.1f MB; connected again %llu times "
                "after the agent closed them\n",
                double(bytesOut) / 1e6, double(bytesIn) / 1e6,
                static_cast<unsigned long long>(reconnects));
    std::printf("false failovers            %d   (target 0)\n", falseFailovers);
    std::printf("system leader              %s; view %s -> %s\n",
                sameLeader ? "node 2 throughout"
                           : qPrintable(s("changed: ") + leadersSeen.join(s(", "))),
                qPrintable(viewBefore), qPrintable(viewAfter));
    std::printf("leader RSS                 before %.1f MB, max during %.1f MB, after %.1f MB "
                "(bounded: ~0.6 MB per client at most)\n",
                rssBefore, rssMax, rssAfter);
    std::printf("honest get-state           p50 %.1f ms, p99 %.1f ms, max %.1f ms over %zu "
                "probes; %d unanswered within 5 s\n",
                percentile(latenciesMs, 0.5), percentile(latenciesMs, 0.99),
                percentile(latenciesMs, 1.0), latenciesMs.size(), unanswered);
    // An agent without a counter (an older one) shows "n/a".
    const auto count = [&](const char *metricName) {
        const double v = metric(m, metricName);
        return v < 0 ? std::string("n/a") : std::to_string(static_cast<long long>(v));
    };
    std::printf("leader's control port      %s requests served, %s refused, %s clients dropped "
                "for not reading, %s closed by a deadline, %s evicted before their hello, %s "
                "log lines left out\n",
                count("dmr_control_requests_total").c_str(),
                count("dmr_control_requests_rejected_total").c_str(),
                count("dmr_control_dropped_total").c_str(),
                count("dmr_control_timeouts_total").c_str(),
                count("dmr_control_evicted_total").c_str(),
                count("dmr_control_log_lines_suppressed_total").c_str());
    return 0;
}
