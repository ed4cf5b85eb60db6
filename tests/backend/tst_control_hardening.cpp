// The control port of a real dmr-agent under a hostile client on loopback, one row per attack:
// numbers that overflow the JSON decoder, guessing the token in one packet, a hello that never
// ends, connections that never say hello, descriptors exhausted, clients that do not read, bad
// input in bulk; then TLS with roles (tokens and client certificates), the refusal of a
// plaintext port outside loopback, secrets read from files of mode 0600, and dmr-lab keeping
// the secrets off its agents' command lines. Every wait is a condition with a generous deadline.

#include "agent_cluster.h"
#include "lab_secrets.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kDeadlineMs = 20000;
using Clock = std::chrono::steady_clock;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// A plain blocking-with-deadlines client of the control port, byte for byte.
class Raw
{
public:
    explicit Raw(int port)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
        if (fd_ >= 0)
            ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    }
    Raw(const Raw &) = delete;
    Raw &operator=(const Raw &) = delete;
    ~Raw() { close(); }

    bool ok() const { return fd_ >= 0; }
    void close()
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    // Sends everything within the deadline; false when the peer is gone or stops taking it.
    bool send(const std::string &bytes, int timeoutMs = 5000)
    {
        std::size_t done = 0;
        const auto end = Clock::now() + std::chrono::milliseconds(timeoutMs);
        while (done < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return false;
            if (Clock::now() > end)
                return false;
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, 50);
        }
        return true;
    }
    // Sends what the kernel takes now, without waiting.
    std::size_t sendSome(const std::string &bytes)
    {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }

    // The next line, or nullopt at the deadline or the end of the stream (eof() then says so).
    std::optional<QJsonObject> line(int timeoutMs = 5000)
    {
        const auto end = Clock::now() + std::chrono::milliseconds(timeoutMs);
        for (;;) {
            const auto nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                const std::string text = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
            }
            if (eof_ || !fill(end))
                return std::nullopt;
        }
    }

    // Reads until the peer closes; true when it did within the deadline. lines() counts what
    // came before.
    bool closedWithin(int timeoutMs)
    {
        const auto end = Clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!eof_)
            if (!fill(end))
                return eof_;
        return true;
    }
    std::size_t linesBuffered() const
    {
        return static_cast<std::size_t>(std::count(buffer_.begin(), buffer_.end(), '\n'));
    }
    bool eof() const { return eof_; }

private:
    bool fill(Clock::time_point end)
    {
        char chunk[65536];
        for (;;) {
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n > 0) {
                buffer_.append(chunk, static_cast<std::size_t>(n));
                return true;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                eof_ = true;
                return false;
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
            if (left <= 0)
                return false;
            pollfd p{fd_, POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
        }
    }

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

std::string helloLine(const QString &token = {})
{
    QJsonObject h{{s("type"), s("hello")}, {s("protocol"), 1}, {s("client"), s("tst hardening")}};
    if (!token.isEmpty())
        h[s("token")] = token;
    return QJsonDocument(h).toJson(QJsonDocument::Compact).toStdString() + "\n";
}

// A TCP port on 127.0.0.1 free right now.
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

// The process's CPU time (user + system), in clock ticks.
long long cpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = f.readAll();
    const auto fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // After "(comm) ", field 3 is the state; utime and stime are fields 14 and 15.
    return fields.value(11).toLongLong() + fields.value(12).toLongLong();
}

long long rssKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const auto &l : f.readAll().split('\n'))
        if (l.startsWith("VmRSS:"))
            return l.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

int openFds(qint64 pid)
{
    return static_cast<int>(
        QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot).size());
}

QByteArray metrics(int port)
{
    return AgentCluster::metricsAt(port);
}

double metric(const QByteArray &text, const QByteArray &name)
{
    for (const auto &l : text.split('\n'))
        if (l.startsWith(name + "{") || l.startsWith(name + " "))
            return l.mid(l.lastIndexOf(' ') + 1).toDouble();
    return -1;
}

// A TLS client of the control port (Qt), with a CA and an optional client certificate.
std::unique_ptr<QSslSocket> tlsClient(int port, const QString &ca, const QString &cert = {},
                                      const QString &key = {})
{
    const auto read = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    auto sock = std::make_unique<QSslSocket>();
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setCaCertificates(QSslCertificate::fromData(read(ca)));
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!cert.isEmpty()) {
        conf.setLocalCertificateChain(QSslCertificate::fromData(read(cert)));
        conf.setPrivateKey(QSslKey(read(key), QSsl::Ec));
    }
    sock->setSslConfiguration(conf);
    sock->connectToHostEncrypted(s("127.0.0.1"), static_cast<quint16>(port));
    sock->waitForEncrypted(10000);
    return sock;
}

QJsonObject readObject(QIODevice &sock, int timeoutMs = 10000)
{
    QDeadlineTimer d(timeoutMs);
    while (!sock.canReadLine() && !d.hasExpired())
        if (!sock.waitForReadyRead(100) && sock.openMode() == QIODevice::NotOpen)
            break;
    return QJsonDocument::fromJson(sock.readLine()).object();
}

QJsonObject call(QIODevice &sock, const QJsonObject &request)
{
    sock.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    return readObject(sock);
}

} // namespace

class TestControlHardening : public QObject
{
    Q_OBJECT

    // One agent "a" on free loopback ports, with these extra flags, and a log of its own.
    static std::unique_ptr<AgentCluster> single(const QStringList &extra = {})
    {
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        c->addNode(s("a"), {s("eth0=10.9.0.1/24")}, extra);
        QFile::remove(QDir::tempPath() +
                      QStringLiteral("/dmr-test-%1/agent-a.log").arg(::getpid()));
        return c;
    }

private slots:
    // {"id":1e400} made the decoder throw past its catch; the session's coroutine died and its
    // slot was never freed: 64 of them locked every operator out. Now each gets an error reply,
    // ends normally, and 80 of them later (more than control.max_clients) an operator is served.
    void overflowingNumbersFreeTheirSlots()
    {
        auto c = single();
        QVERIFY(c->start(s("a")));
        const int port = c->controlPort(s("a"));
        for (int i = 0; i < 80; ++i) {
            Raw r(port);
            QVERIFY(r.ok());
            const bool greeted = i % 4 >= 2;
            if (greeted) {
                QVERIFY(r.send(helloLine()));
                QVERIFY(r.line().value_or(QJsonObject())[s("ok")].toBool());
            }
            const char *number = i % 2 == 0 ? "1e400" : "-1e400";
            QVERIFY(r.send(greeted ? std::string(R"({"type":"get-state","id":)") + number + "}\n"
                                   : std::string(R"({"id":)") + number + "}\n"));
            const auto reply = r.line();
            QVERIFY2(reply, "no answer to a number that overflows a double");
            QCOMPARE((*reply)[s("code")].toString(), s("bad-json"));
            QVERIFY((*reply)[s("message")].toString().contains(s("number overflow")));
        }
        // 70 more that stay open without a hello: the oldest make room for newer ones.
        std::vector<std::unique_ptr<Raw>> held;
        for (int i = 0; i < 70; ++i) {
            held.push_back(std::make_unique<Raw>(port));
            QVERIFY(held.back()->send(R"({"id":1e400})"
                                      "\n"));
        }
        const QJsonObject op = c->ask(s("a"), {{s("type"), s("get-state")}}, true, 10000);
        QVERIFY2(op[s("ok")].toBool(), qPrintable(QJsonDocument(op).toJson()));
        QCOMPARE(op[s("result")].toObject()[s("node")].toString(), s("a"));
    }

    // 30 wrong hellos, the right one and a drill in one write: the first refusal closes the
    // connection and nothing behind it is evaluated; the drill never runs.
    void oneGuessPerConnection()
    {
        auto c = single();
        QVERIFY(c->start(s("a")));
        Raw r(c->controlPort(s("a")));
        std::string packet;
        for (int i = 0; i < 30; ++i)
            packet += helloLine(QStringLiteral("wrong-token-%1-0123456789").arg(i));
        packet += helloLine(AgentCluster::token());
        packet += R"({"type":"drill","id":99,"action":"kill","node":"a","reason":"guessed"})"
                  "\n";
        QVERIFY(r.send(packet));
        const auto refused = r.line();
        QVERIFY(refused);
        QCOMPARE((*refused)[s("code")].toString(), s("not-authorized"));
        QVERIFY(r.closedWithin(kDeadlineMs));
        QCOMPARE(r.linesBuffered(), std::size_t{0});
        // The agent is not killed, and no drill was recorded.
        const auto state = c->state(s("a"));
        QCOMPARE(state[s("state")].toString(), s("up"));
        const auto drills = c->ask(s("a"), {{s("type"), s("get-drills")}}, false);
        QCOMPARE(drills[s("result")].toObject()[s("drills")].toArray().size(), 0);
        QVERIFY(c->logOf(s("a")).contains(s("refused hello")));
    }

    // A hello sent a byte at a time is cut at control.hello_timeout_ms; a session that asks
    // nothing is closed after control.idle_timeout_ms, unless it subscribed to events.
    void helloAndIdleDeadlines()
    {
        auto c = single({s("--control.hello_timeout_ms"), s("1000"), s("--control.idle_timeout_ms"),
                         s("1500")});
        QVERIFY(c->start(s("a")));
        const int port = c->controlPort(s("a"));
        Raw slow(port);
        Raw idle(port);
        Raw listening(port);
        QVERIFY(idle.send(helloLine()));
        QVERIFY(idle.line().value_or(QJsonObject())[s("ok")].toBool());
        QVERIFY(listening.send(helloLine()));
        QVERIFY(listening.line().value_or(QJsonObject())[s("ok")].toBool());
        QVERIFY(listening.send(R"({"type":"subscribe","id":2})"
                               "\n"));
        QVERIFY(listening.line().value_or(QJsonObject())[s("ok")].toBool());

        const std::string hello = helloLine();
        const auto start = Clock::now();
        std::size_t sent = 0;
        bool closed = false;
        while (sent < hello.size() && !closed) {
            if (!slow.send(hello.substr(sent, 1)))
                break;
            ++sent;
            closed = slow.closedWithin(100);
        }
        closed = closed || slow.closedWithin(kDeadlineMs);
        QVERIFY2(closed, "a hello that never ends is never cut");
        QVERIFY2(sent < hello.size(), "the whole hello went out before the deadline");
        QVERIFY(Clock::now() - start >= std::chrono::milliseconds(900));
        QVERIFY(idle.closedWithin(kDeadlineMs));
        // The subscriber is still served.
        QVERIFY(listening.send(R"({"type":"get-state","id":3})"
                               "\n"));
        const auto reply = listening.line(kDeadlineMs);
        QVERIFY(reply);
        QCOMPARE((*reply)[s("id")].toInt(), 3);
        const QString log = c->logOf(s("a"));
        QVERIFY(log.contains(s("no hello within 1000 ms")));
        QVERIFY(log.contains(s("idle for 1500 ms")));
    }

    // control.max_unauthenticated: connections without a hello beyond it evict the oldest; an
    // operator connecting among them is served.
    void unauthenticatedConnectionsAreCapped()
    {
        auto c = single(
            {s("--control.max_unauthenticated"), s("4"), s("--control.max_clients"), s("8")});
        QVERIFY(c->start(s("a")));
        const int port = c->controlPort(s("a"));
        std::vector<std::unique_ptr<Raw>> waiting;
        for (int i = 0; i < 10; ++i) {
            waiting.push_back(std::make_unique<Raw>(port));
            QVERIFY(waiting.back()->ok());
            // Accepted in order: each is in before the next connects.
            QVERIFY(waiting.back()->send("\n"));
        }
        for (int i = 0; i < 6; ++i)
            QVERIFY2(waiting[static_cast<std::size_t>(i)]->closedWithin(kDeadlineMs),
                     qPrintable(QStringLiteral("connection %1 was not evicted").arg(i)));
        for (std::size_t i = 6; i < 10; ++i)
            QVERIFY(!waiting[i]->closedWithin(200));
        // Four greeted viewers and the four waiting fill the eight slots: the next one still
        // gets in, in the place of a connection without a hello.
        std::vector<std::unique_ptr<Raw>> viewers;
        for (int i = 0; i < 4; ++i) {
            viewers.push_back(std::make_unique<Raw>(port));
            QVERIFY(viewers.back()->send(helloLine()));
            QVERIFY(viewers.back()->line().value_or(QJsonObject())[s("ok")].toBool());
        }
        const QJsonObject op = c->ask(s("a"), {{s("type"), s("get-state")}}, true, 10000);
        QVERIFY2(op[s("ok")].toBool(), qPrintable(QJsonDocument(op).toJson()));
        QVERIFY(c->logOf(s("a")).contains(s("evicted for a newer connection")));
    }

    // Out of file descriptors, accept fails and the listening socket stays readable: the loop
    // must wait instead of spinning, and serve again once descriptors are free.
    void acceptBacksOffWithoutDescriptors()
    {
        auto c = single();
        QVERIFY(c->start(s("a")));
        const auto pid = static_cast<pid_t>(c->pid(s("a")));
        const int port = c->controlPort(s("a"));
        rlimit before{};
        QCOMPARE(::prlimit(pid, RLIMIT_NOFILE, nullptr, &before), 0);
        rlimit low = before;
        low.rlim_cur = static_cast<rlim_t>(openFds(pid) + 2);
        QCOMPARE(::prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0);
        std::vector<std::unique_ptr<Raw>> conns;
        for (int i = 0; i < 6; ++i) {
            conns.push_back(std::make_unique<Raw>(port)); // the kernel completes the handshake
            QVERIFY(conns.back()->ok());
            QVERIFY(conns.back()->send(helloLine()));
        }
        QVERIFY(AgentCluster::waitFor(
            [&] { return c->logOf(s("a")).contains(s("Too many open files")); }, kDeadlineMs));
        const long long ticksBefore = cpuTicks(pid);
        const auto wallBefore = Clock::now();
        QThread::msleep(2000);
        const double cpu = double(cpuTicks(pid) - ticksBefore) / double(::sysconf(_SC_CLK_TCK)) /
                           std::chrono::duration<double>(Clock::now() - wallBefore).count();
        QVERIFY2(cpu < 0.1, qPrintable(QStringLiteral("the agent used %1 of a core while out of "
                                                      "descriptors")
                                           .arg(cpu)));
        // Free the descriptors: the connections waiting in the backlog are served.
        QCOMPARE(::prlimit(pid, RLIMIT_NOFILE, &before, nullptr), 0);
        for (auto &r : conns) {
            const auto reply = r->line(kDeadlineMs);
            QVERIFY2(reply && (*reply)[s("ok")].toBool(), "a waiting connection was not served");
        }
        QVERIFY(c->state(s("a"))[s("node")].toString() == s("a"));
    }

    // Clients that pipeline get-cluster and never read: the agent stops serving them once its
    // bound of queued bytes is reached, stays responsive for others with its memory bounded, and
    // drops them after control.send_timeout_ms.
    void clientsThatDoNotReadAreBoundedAndDropped()
    {
        const int metricsPort = freePort();
        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        // Forty networks make every get-cluster reply some tens of kilobytes.
        QStringList interfaces;
        for (int i = 0; i < 40; ++i)
            interfaces << QStringLiteral("eth%1=10.9.%1.1/24").arg(i);
        c->addNode(s("big"), interfaces,
                   {s("--control.send_timeout_ms"), s("5000"), s("--metrics.listen"),
                    QStringLiteral("127.0.0.1:%1").arg(metricsPort)});
        QVERIFY(c->start(s("big")));
        const qint64 pid = c->pid(s("big"));
        const int port = c->controlPort(s("big"));
        const long long rssBefore = rssKb(pid);
        std::string burst;
        for (int i = 0; i < 2000; ++i)
            burst += R"({"type":"get-cluster","id":)" + std::to_string(i) + "}\n";
        constexpr int kClients = 4;
        std::vector<std::unique_ptr<Raw>> hostile;
        for (int i = 0; i < kClients; ++i) {
            hostile.push_back(std::make_unique<Raw>(port));
            QVERIFY(hostile.back()->send(helloLine()));
        }
        // Each pushes requests for 3 s, as fast as the kernel takes them.
        const auto until = Clock::now() + std::chrono::seconds(3);
        std::size_t pushed = 0;
        long long rssDuring = rssBefore;
        while (Clock::now() < until) {
            for (auto &h : hostile)
                pushed += h->sendSome(burst);
            // Others are still served meanwhile.
            const auto state = c->ask(s("big"), {{s("type"), s("get-state")}}, false, 10000);
            QVERIFY2(state[s("ok")].toBool(), "the agent stopped answering others");
            rssDuring = std::max(rssDuring, rssKb(pid));
        }
        qInfo("agent RSS %lld kB before, at most %lld kB with %d clients not reading (%zu bytes "
              "of requests pushed)",
              rssBefore, rssDuring, kClients, pushed);
        // At most ~0.6 MB per client: its pending requests, its queued replies, one batch.
        QVERIFY2(rssDuring - rssBefore < 12 * 1024,
                 qPrintable(QStringLiteral("RSS grew from %1 to %2 kB with %3 clients not reading")
                                .arg(rssBefore)
                                .arg(rssDuring)
                                .arg(kClients)));
        QVERIFY(pushed > 0);
        QVERIFY(AgentCluster::waitFor(
            [&] { return metric(metrics(metricsPort), "dmr_control_dropped_total") >= kClients; },
            kDeadlineMs));
        QVERIFY(c->logOf(s("big")).contains(s("does not read what it is sent")));
        QVERIFY(AgentCluster::waitFor(
            [&] { return metric(metrics(metricsPort), "dmr_control_clients") <= 1; }, kDeadlineMs));
    }

    // 20,000 bad lines: each answered, and the log gets a bounded number of lines naming the
    // peer, with how many were left out.
    void badInputIsLoggedAtABoundedRate()
    {
        auto c = single();
        QVERIFY(c->start(s("a")));
        Raw r(c->controlPort(s("a")));
        QVERIFY(r.send(helloLine()));
        QVERIFY(r.line().value_or(QJsonObject())[s("ok")].toBool());
        const std::string bad = "{\"type\":\"fly\"}\nnot json\n";
        std::string all;
        for (int i = 0; i < 10000; ++i)
            all += bad;
        all += R"({"type":"get-state","id":777})"
               "\n";
        std::thread writer([&] { r.send(all, 60000); });
        int errors = 0;
        bool last = false;
        while (!last) {
            const auto l = r.line(kDeadlineMs);
            if (!l)
                break;
            if ((*l)[s("id")].toInt() == 777)
                last = true;
            else
                ++errors;
        }
        writer.join();
        QVERIFY(last);
        QCOMPARE(errors, 20000);
        const QStringList lines = c->logOf(s("a")).split(u'\n');
        int about = 0;
        for (const auto &l : lines)
            if (l.contains(s("control 127.0.0.1:")))
                ++about;
        QVERIFY2(about >= 1 && about <= 60,
                 qPrintable(QStringLiteral("%1 log lines about bad input").arg(about)));
        QVERIFY(c->logOf(s("a")).contains(s("unknown-type")));
    }

    // TLS 1.3 with roles: a viewer by its token, an operator by its client certificate (the drill
    // record names both), no anonymous readers once a viewer token is set, nothing for a client
    // that does not speak TLS or does not trust the agent's CA.
    void tlsWithRoles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto tls = dmr::lab::makeLabTls(dir.filePath(s("tls")).toStdString(), {}, "alice");
        QVERIFY2(tls.ok(), tls.ok() ? "" : tls.error().message.c_str());
        auto other = dmr::lab::makeLabTls(dir.filePath(s("other")).toStdString(), {}, "mallory");
        QVERIFY(other.ok());
        const QString ca = QString::fromStdString(tls->caCert);
        const QString viewerToken = s("viewer-token-0123456789");
        auto c = single({s("--control.tls_cert"), QString::fromStdString(tls->agentCert),
                         s("--control.tls_key"), QString::fromStdString(tls->agentKey),
                         s("--control.tls_client_ca"), ca, s("--control.operator_cert_names"),
                         s("alice"), s("--control.viewer_token"), viewerToken});
        // The test's own client (start() waits through it) is alice, an operator.
        c->useTls({ca, QString::fromStdString(tls->operatorCert),
                   QString::fromStdString(tls->operatorKey)});
        QVERIFY(c->start(s("a")));
        const int port = c->controlPort(s("a"));

        // Clear text gets nothing back but the end of the connection.
        {
            Raw plain(port);
            QVERIFY(plain.send(helloLine()));
            QVERIFY(plain.closedWithin(kDeadlineMs));
            QCOMPARE(plain.linesBuffered(), std::size_t{0});
        }
        // A client that does not trust the agent's CA stops at the handshake.
        {
            auto sock = tlsClient(port, QString::fromStdString(other->caCert));
            QVERIFY(!sock->isEncrypted());
        }
        // No credentials: refused, closed.
        {
            auto sock = tlsClient(port, ca);
            QVERIFY(sock->isEncrypted());
            const auto reply = call(
                *sock, QJsonDocument::fromJson(QByteArray::fromStdString(helloLine())).object());
            QCOMPARE(reply[s("code")].toString(), s("not-authorized"));
        }
        // The viewer token: reads, no drills.
        {
            auto sock = tlsClient(port, ca);
            const auto hello = call(
                *sock, QJsonDocument::fromJson(QByteArray::fromStdString(helloLine(viewerToken)))
                           .object());
            QCOMPARE(hello[s("result")].toObject()[s("client_role")].toString(), s("viewer"));
            QCOMPARE(hello[s("result")].toObject()[s("identity")].toString(), s("token"));
            QVERIFY(call(*sock, {{s("type"), s("get-state")}})[s("ok")].toBool());
            const auto drill = call(*sock, {{s("type"), s("drill")},
                                            {s("action"), s("drain")},
                                            {s("node"), s("a")},
                                            {s("reason"), s("viewer tries")}});
            QCOMPARE(drill[s("code")].toString(), s("not-authorized"));
        }
        // Alice's certificate: an operator without a token; the record names her.
        {
            auto sock = tlsClient(port, ca, QString::fromStdString(tls->operatorCert),
                                  QString::fromStdString(tls->operatorKey));
            QVERIFY(sock->isEncrypted());
            const auto hello = call(
                *sock, QJsonDocument::fromJson(QByteArray::fromStdString(helloLine())).object());
            const auto result = hello[s("result")].toObject();
            QCOMPARE(result[s("client_role")].toString(), s("operator"));
            QCOMPARE(result[s("identity")].toString(), s("CN=alice,O=dmr-lab"));
            const auto drill = call(*sock, {{s("type"), s("drill")},
                                            {s("action"), s("drain")},
                                            {s("node"), s("a")},
                                            {s("reason"), s("alice drains")},
                                            {s("duration_ms"), 500}});
            QVERIFY2(drill[s("ok")].toBool(), qPrintable(QJsonDocument(drill).toJson()));
            const auto record = drill[s("result")].toObject();
            QCOMPARE(record[s("role")].toString(), s("operator"));
            QCOMPARE(record[s("identity")].toString(), s("CN=alice,O=dmr-lab"));
            QCOMPARE(record[s("client")].toString(), s("tst hardening"));
        }
        QVERIFY(c->logOf(s("a")).contains(s("TLS handshake failed")));
    }

    // A control port on a network address without TLS is refused at start, naming the key;
    // control.allow_plaintext lets it run, and the log says so loudly.
    void plaintextOutsideLoopbackIsRefused()
    {
        const int port = freePort();
        QProcess refused;
        refused.setProcessChannelMode(QProcess::MergedChannels);
        refused.start(s(DMR_AGENT_PATH),
                      {s("--node.id"), s("p"), s("--node.interfaces"), s("eth0=10.9.0.1/24"),
                       s("--cluster.key"), AgentCluster::defaultKey(), s("--membership.listen"),
                       QStringLiteral("127.0.0.1:%1").arg(freePort()), s("--metrics.listen"), s(""),
                       s("--control.listen"), QStringLiteral("0.0.0.0:%1").arg(port)});
        QVERIFY(refused.waitForFinished(kDeadlineMs));
        QCOMPARE(refused.exitCode(), 2);
        const QString why = QString::fromUtf8(refused.readAll());
        QVERIFY2(why.contains(s("control.listen")) && why.contains(s("not a loopback address")) &&
                     why.contains(s("control.allow_plaintext")),
                 qPrintable(why));

        auto c = std::make_unique<AgentCluster>(s(DMR_AGENT_PATH));
        c->addNode(s("p"), {s("eth0=10.9.0.1/24")});
        // After the cluster's own loopback --control.listen, so it wins.
        c->appendArgs(s("p"), {s("--control.allow_plaintext"), s("true"), s("--control.listen"),
                               QStringLiteral("0.0.0.0:%1").arg(c->controlPort(s("p")))});
        QVERIFY(c->start(s("p")));
        QVERIFY(c->logOf(s("p")).contains(s("is PLAINTEXT on a network address")));
    }

    // Secrets from files: a key file of mode 0600 is read; one that group or others may read is
    // refused with its path. dmr-lab keeps both secrets off its agents' command lines.
    void secretsFromFilesOnly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString keyFile = dir.filePath(s("cluster.key"));
        const QString tokenFile = dir.filePath(s("operator.token"));
        for (const auto &[path, value] : {std::pair{keyFile, AgentCluster::defaultKey()},
                                          std::pair{tokenFile, AgentCluster::token()}}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(value.toUtf8() + "\n");
            f.close();
            QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        }
        // Its own process: AgentCluster passes the inline flags, and both of a pair on one
        // command line are refused.
        const int controlPort = freePort();
        QProcess agent;
        agent.setProcessChannelMode(QProcess::MergedChannels);
        agent.setStandardOutputFile(QProcess::nullDevice());
        agent.start(s(DMR_AGENT_PATH),
                    {s("--node.id"), s("f"), s("--node.interfaces"), s("eth0=10.9.0.1/24"),
                     s("--cluster.key_file"), keyFile, s("--control.operator_token_file"),
                     tokenFile, s("--membership.listen"),
                     QStringLiteral("127.0.0.1:%1").arg(freePort()), s("--metrics.listen"), s(""),
                     s("--control.listen"), QStringLiteral("127.0.0.1:%1").arg(controlPort)});
        QVERIFY(agent.waitForStarted(kDeadlineMs));
        std::optional<QJsonObject> fileHello;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                Raw r(controlPort);
                if (!r.ok() || !r.send(helloLine(AgentCluster::token())))
                    return false;
                fileHello = r.line();
                return fileHello.has_value();
            },
            kDeadlineMs));
        QCOMPARE((*fileHello)[s("result")].toObject()[s("client_role")].toString(), s("operator"));
        agent.kill();
        agent.waitForFinished(5000);

        QVERIFY(QFile(keyFile).setPermissions(QFile::ReadOwner | QFile::WriteOwner |
                                              QFile::ReadGroup | QFile::ReadOther));
        QProcess open;
        open.setProcessChannelMode(QProcess::MergedChannels);
        open.start(s(DMR_AGENT_PATH), {s("--node.id"), s("x"), s("--cluster.key_file"), keyFile});
        QVERIFY(open.waitForFinished(kDeadlineMs));
        QCOMPARE(open.exitCode(), 2);
        const QString why = QString::fromUtf8(open.readAll());
        QVERIFY2(why.contains(keyFile) && why.contains(s("mode 0644")), qPrintable(why));

        // dmr-lab with --tls on a two-node topology: its agents get paths, never the secrets;
        // its own status table reads them over TLS.
        const QString topo = dir.filePath(s("two.json"));
        QFile t(topo);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(R"({"name":"two","nodes":[
            {"id":"1","interfaces":[{"name":"eth0","address":"10.0.1.1/24"}]},
            {"id":"2","interfaces":[{"name":"eth0","address":"10.0.1.2/24"}]}]})");
        t.close();
        const QString secrets = dir.filePath(s("lab-secrets"));
        const int base = 30800 + static_cast<int>(QCoreApplication::applicationPid() % 8) * 10;
        QProcess lab;
        lab.setProcessChannelMode(QProcess::MergedChannels);
        lab.start(s(DMR_LAB_PATH),
                  {topo, s("--base-port"), QString::number(base), s("--relay"), s("off"),
                   s("--table"), s("none"), s("--tls"), s("--secrets-dir"), secrets, s("--key"),
                   s("lab-test-cluster-key-0123"), s("--token"),
                   s("lab-test-operator-token-0123")});
        QByteArray out;
        QVERIFY(AgentCluster::waitFor(
            [&] {
                lab.waitForReadyRead(50);
                out += lab.readAll();
                return out.contains("agents joined") || lab.state() == QProcess::NotRunning;
            },
            60000));
        QVERIFY2(out.contains("all 2 agents joined"), out.constData());
        QVERIFY(out.contains("--tls-ca " + secrets.toUtf8() + "/ca.pem"));
        QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(lab.processId()));
        QVERIFY(children.open(QIODevice::ReadOnly));
        int agents = 0;
        for (const auto &p : children.readAll().trimmed().split(' ')) {
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(QString::fromUtf8(p)));
            QVERIFY(cmdline.open(QIODevice::ReadOnly));
            const QByteArray args = cmdline.readAll();
            if (!args.contains("--node.id"))
                continue; // the lab's own child that removes the secrets if it is killed
            ++agents;
            QVERIFY(args.contains("--cluster.key_file"));
            QVERIFY(args.contains("--control.operator_token_file"));
            QVERIFY2(!args.contains("lab-test-cluster-key-0123"), args.constData());
            QVERIFY2(!args.contains("lab-test-operator-token-0123"), args.constData());
        }
        QCOMPARE(agents, 2);
        QCOMPARE(QFileInfo(secrets).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::ExeGroup | QFile::ExeOther),
                 QFile::Permissions());
        QCOMPARE(QFileInfo(secrets + s("/cluster.key")).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther),
                 QFile::Permissions());
        // The lab's operator certificate makes an operator of its holder.
        auto sock = tlsClient(base + 1000, secrets + s("/ca.pem"), secrets + s("/operator.pem"),
                              secrets + s("/operator.key"));
        QVERIFY(sock->isEncrypted());
        const auto hello =
            call(*sock, QJsonDocument::fromJson(QByteArray::fromStdString(helloLine())).object());
        QCOMPARE(hello[s("result")].toObject()[s("client_role")].toString(), s("operator"));
        sock.reset();
        ::kill(static_cast<pid_t>(lab.processId()), SIGINT);
        QVERIFY(lab.waitForFinished(kDeadlineMs));
        QVERIFY2(!QFileInfo::exists(secrets), "the lab left its secrets behind");

        // Killed with -9 it runs no destructor; its secrets go all the same (its agents die
        // with it).
        QProcess killed;
        killed.setProcessChannelMode(QProcess::MergedChannels);
        killed.start(s(DMR_LAB_PATH),
                     {topo, s("--base-port"), QString::number(base), s("--relay"), s("off"),
                      s("--table"), s("none"), s("--secrets-dir"), secrets});
        out.clear();
        QVERIFY(AgentCluster::waitFor(
            [&] {
                killed.waitForReadyRead(50);
                out += killed.readAll();
                return out.contains("agents joined") || killed.state() == QProcess::NotRunning;
            },
            60000));
        QVERIFY2(out.contains("all 2 agents joined"), out.constData());
        QVERIFY(QFileInfo::exists(secrets + s("/cluster.key")));
        ::kill(static_cast<pid_t>(killed.processId()), SIGKILL);
        QVERIFY(killed.waitForFinished(kDeadlineMs));
        QVERIFY2(AgentCluster::waitFor([&] { return !QFileInfo::exists(secrets); }, kDeadlineMs),
                 "a lab killed with -9 left its secrets behind");
    }
};

QTEST_GUILESS_MAIN(TestControlHardening)
#include "tst_control_hardening.moc"
