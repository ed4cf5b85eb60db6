// dmr-agent's log lines under systemd and without it.
//
// The native journal protocol's datagram (journal.h): FIELD=value lines, the binary form for a
// value with a newline, field names journald would refuse left out; JOURNAL_STREAM honoured only
// when it names the descriptor's own device and inode.
//
// Then real agents (root; skipped otherwise): the test takes a mount namespace of its own with a
// tmpfs on /run, so that its datagram socket is /run/systemd/journal/socket for the agents it
// starts and for nobody else. Node a runs as systemd runs a unit whose output goes to the
// journal (JOURNAL_STREAM names its standard error); node b plainly. Node b leads a network of
// its own, so its kill -9 is a failover on a, which a reports to the journal with
// DMR_CAUSE=connection-lost, its node and its view, and not on its standard error; b's lines are
// plain text on its standard error.

#include "agent_cluster.h"
#include "journal.h"

#include <QDir>
#include <QTemporaryFile>
#include <QtTest>

#include <map>

#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using dmr::agent::journalDatagram;
using dmr::agent::journalStreamIs;

namespace {

constexpr int kDeadlineMs = 60000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// One datagram of the native protocol back into its fields (both forms).
std::map<std::string, std::string> parseEntry(const std::string &d)
{
    std::map<std::string, std::string> out;
    std::size_t at = 0;
    while (at < d.size()) {
        const auto nl = d.find('\n', at);
        if (nl == std::string::npos)
            break;
        const std::string line = d.substr(at, nl - at);
        const auto eq = line.find('=');
        if (eq != std::string::npos) {
            out[line.substr(0, eq)] = line.substr(eq + 1);
            at = nl + 1;
            continue;
        }
        std::uint64_t size = 0;
        for (int i = 0; i < 8; ++i)
            size |= std::uint64_t(static_cast<unsigned char>(d[nl + 1 + i])) << (8 * i);
        out[line] = d.substr(nl + 9, size);
        at = nl + 9 + size + 1;
    }
    return out;
}

} // namespace

class TestAgentJournal : public QObject
{
    Q_OBJECT

private slots:
    void datagram()
    {
        const auto d = journalDatagram("failover: node 2 (silent) lost its roles", 5, "dmr-agent",
                                       {{"DMR_NODE", "6"},
                                        {"DMR_VIEW", "3.1"},
                                        {"DMR_CAUSE", "silent"},
                                        {"lower_case", "dropped"},
                                        {"_TRUSTED", "dropped"},
                                        {"MESSAGE", "not a second message"}});
        QCOMPARE(QString::fromStdString(d), s("MESSAGE=failover: node 2 (silent) lost its roles\n"
                                              "PRIORITY=5\n"
                                              "SYSLOG_IDENTIFIER=dmr-agent\n"
                                              "DMR_NODE=6\n"
                                              "DMR_VIEW=3.1\n"
                                              "DMR_CAUSE=silent\n"));
        // A newline in a value takes the binary form; the parser reads both back.
        const auto two = journalDatagram("line one\nline two", 6, "dmr-agent", {{"DMR_NODE", "a"}});
        QVERIFY(two.rfind("MESSAGE\n", 0) == 0);
        const auto fields = parseEntry(two);
        QCOMPARE(QString::fromStdString(fields.at("MESSAGE")), s("line one\nline two"));
        QCOMPARE(QString::fromStdString(fields.at("DMR_NODE")), s("a"));
        // Bounded: an oversized message is cut.
        const auto big = journalDatagram(std::string(100000, 'x'), 6, "dmr-agent", {});
        QVERIFY(big.size() < dmr::agent::kLogMessageBytesMax + 100);
    }

    void journalStream()
    {
        QTemporaryFile f;
        QVERIFY(f.open());
        struct stat st
        {
        };
        QCOMPARE(::fstat(f.handle(), &st), 0);
        const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
        QVERIFY(journalStreamIs(mine.c_str(), f.handle()));
        QVERIFY(!journalStreamIs(nullptr, f.handle()));
        QVERIFY(!journalStreamIs("", f.handle()));
        QVERIFY(!journalStreamIs(
            (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), f.handle()));
        QVERIFY(!journalStreamIs((mine + "x").c_str(), f.handle()));
        QVERIFY(!journalStreamIs("12", f.handle()));
    }

    void agentsUnderSystemdAndNot()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: a mount namespace of its own for /run/systemd/journal/socket");
        QVERIFY2(::unshare(CLONE_NEWNS) == 0, std::strerror(errno));
        QVERIFY2(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0,
                 std::strerror(errno));
        QVERIFY2(::mount("tmpfs", "/run", "tmpfs", 0, "size=1m") == 0, std::strerror(errno));
        QVERIFY(QDir().mkpath(s("/run/systemd/journal")));
        const int journal = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY(journal >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, dmr::agent::LogSink::kJournalSocket);
        QCOMPARE(::bind(journal, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);

        AgentCluster cluster(s(DMR_AGENT_PATH));
        cluster.addNode(s("a"), {s("eth0=10.9.0.1/24")});
        cluster.addNode(s("b"), {s("eth0=10.9.1.2/24")}); // leads 10.9.1.0/24 alone
        // a's standard error is its log file (appended to); JOURNAL_STREAM names that file, as
        // systemd names the stream it connects a unit's output to.
        const QString logA = QDir::tempPath() + s("/dmr-test-%1/agent-a.log").arg(::getpid());
        QVERIFY(QDir().mkpath(QFileInfo(logA).path()));
        {
            QFile touch(logA);
            QVERIFY(touch.open(QIODevice::WriteOnly | QIODevice::Append));
        }
        struct stat st
        {
        };
        QCOMPARE(::stat(logA.toUtf8().constData(), &st), 0);
        qputenv("JOURNAL_STREAM", QByteArray::number(quint64(st.st_dev)) + ':' +
                                      QByteArray::number(quint64(st.st_ino)));
        QVERIFY(cluster.start(s("a")));
        qunsetenv("JOURNAL_STREAM");
        QVERIFY(cluster.start(s("b")));
        QVERIFY(AgentCluster::waitFor(
            [&] {
                return cluster.agree({s("a"), s("b")}, s("a"));
            },
            kDeadlineMs));
        cluster.kill9(s("b"));

        // a's entries, until its failover for b arrives.
        std::vector<std::map<std::string, std::string>> entries;
        bool failover = false;
        QElapsedTimer t;
        t.start();
        while (!failover && t.elapsed() < kDeadlineMs) {
            pollfd p{journal, POLLIN, 0};
            if (::poll(&p, 1, 500) <= 0)
                continue;
            std::string d(64 * 1024, '\0');
            const auto n = ::recv(journal, d.data(), d.size(), 0);
            if (n <= 0)
                continue;
            d.resize(static_cast<std::size_t>(n));
            entries.push_back(parseEntry(d));
            failover = entries.back()["MESSAGE"].rfind("failover: node b", 0) == 0;
        }
        ::close(journal);
        QVERIFY2(failover, qPrintable(s("no failover entry among %1").arg(entries.size())));
        const auto &e = entries.back();
        QCOMPARE(QString::fromStdString(e.at("DMR_CAUSE")), s("connection-lost"));
        QCOMPARE(QString::fromStdString(e.at("DMR_NODE")), s("a"));
        QCOMPARE(QString::fromStdString(e.at("SYSLOG_IDENTIFIER")), s("dmr-agent"));
        QCOMPARE(QString::fromStdString(e.at("PRIORITY")), s("5"));
        QVERIFY(!e.at("DMR_VIEW").empty());
        QVERIFY(QString::fromStdString(e.at("MESSAGE"))
                    .contains(QString::fromStdString("view " + e.at("DMR_VIEW"))));
        const auto &first = entries.front();
        QVERIFY2(first.at("MESSAGE").rfind("started;", 0) == 0, first.at("MESSAGE").c_str());
        QCOMPARE(QString::fromStdString(first.at("PRIORITY")), s("6"));
        QVERIFY(first.count("DMR_CAUSE") == 0);

        // Nothing of that on a's standard error; b's lines are plain there.
        QVERIFY2(!cluster.logOf(s("a")).contains(s("failover:")),
                 qPrintable(cluster.logOf(s("a"))));
        QVERIFY2(!cluster.logOf(s("a")).contains(s("started;")), qPrintable(cluster.logOf(s("a"))));
        QVERIFY2(cluster.logOf(s("b")).contains(s("dmr-agent[b]: started;")),
                 qPrintable(cluster.logOf(s("b"))));
    }
};

QTEST_GUILESS_MAIN(TestAgentJournal)
#include "tst_agent_journal.moc"
