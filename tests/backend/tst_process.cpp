// The process launcher (backend/common/launch.h) with real children: input on standard input,
// output into a file or a pipe, an exec that fails, a child that does not read a large input, and a
// child that dies with its parent when the parent is killed.

#include "launch.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using dmr::process::launch;
using dmr::process::LaunchSpec;
using dmr::process::shell;

namespace {

int waitStatus(pid_t pid)
{
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Gone, or a zombie nobody reaped yet.
bool dead(pid_t pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray text = stat.readAll();
    const auto close = text.lastIndexOf(')');
    return close >= 0 && text.mid(close + 2, 1) == "Z";
}

} // namespace

class TestProcess : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;

private slots:
    void initTestCase()
    {
        ::signal(SIGPIPE, SIG_IGN); // as dmr-agent and dmr-lab do
        QVERIFY(dir_.isValid());
    }

    void inputAndOutput()
    {
        const QString out = dir_.filePath(QStringLiteral("out.txt"));
        auto pid = launch({shell("cat; echo done; echo oops >&2; exit 3"), std::string("hello\n"),
                           out.toStdString(), false});
        QVERIFY2(pid.ok(), pid.ok() ? "" : pid.error().message.c_str());
        QCOMPARE(waitStatus(*pid), 3);
        QCOMPARE(readAll(out), QByteArray("hello\ndone\noops\n"));
    }

    void outputFileIsTruncated()
    {
        const QString out = dir_.filePath(QStringLiteral("again.txt"));
        QFile f(out);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("an older, longer log\n");
        f.close();
        auto pid = launch({{"/bin/echo", "new"}, std::nullopt, out.toStdString(), false});
        QVERIFY(pid.ok());
        QCOMPARE(waitStatus(*pid), 0);
        QCOMPARE(readAll(out), QByteArray("new\n"));
    }

    // What the namespace lab's commands do: their output into a pipe the caller reads.
    void outputIntoAPipe()
    {
        int fds[2];
        QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
        LaunchSpec spec;
        spec.argv = shell("echo out; echo err >&2; exit 4");
        spec.outputFd = fds[1];
        auto pid = launch(spec);
        ::close(fds[1]);
        QVERIFY2(pid.ok(), pid.ok() ? "" : pid.error().message.c_str());
        QByteArray text;
        char buf[256];
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
            text.append(buf, n);
        ::close(fds[0]);
        QCOMPARE(waitStatus(*pid), 4);
        QCOMPARE(text, QByteArray("out\nerr\n"));
    }

    void execFailureIsTheChilds()
    {
        const QString out = dir_.filePath(QStringLiteral("exec.txt"));
        auto pid =
            launch({{"/nonexistent/dmr-agent", "--help"}, std::nullopt, out.toStdString(), false});
        QVERIFY(pid.ok());
        QCOMPARE(waitStatus(*pid), 127);
        QCOMPARE(readAll(out),
                 QByteArray("/nonexistent/dmr-agent: exec: No such file or directory\n"));
    }

    void noProgram()
    {
        auto pid = launch({{}, std::nullopt, {}, false});
        QVERIFY(!pid.ok());
        QCOMPARE(pid.error().message, std::string("launch: no program given"));
    }

    void aChildThatDoesNotReadNeverBlocksTheCaller()
    {
        // 4 MiB, far more than a pipe holds: the launcher writes what fits and moves on.
        const auto started = std::chrono::steady_clock::now();
        auto pid = launch({shell("sleep 1"), std::string(4 << 20, 'x'), {}, false});
        QVERIFY(pid.ok());
        QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(900));
        QCOMPARE(waitStatus(*pid), 0);
    }

    void diesWithItsParent()
    {
        // parent (this test) -> middle (forked here) -> sleep 60 (launched by middle, dying with
        // it). Killing middle with SIGKILL must take the sleep with it.
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        const pid_t middle = ::fork();
        QVERIFY(middle >= 0);
        if (middle == 0) {
            ::close(fds[0]);
            auto pid = launch({{"/bin/sleep", "60"}, std::nullopt, {}, true});
            const pid_t child = pid.ok() ? *pid : -1;
            [[maybe_unused]] auto n = ::write(fds[1], &child, sizeof child);
            ::pause();
            ::_exit(0);
        }
        ::close(fds[1]);
        pid_t child = -1;
        QCOMPARE(::read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
        ::close(fds[0]);
        QVERIFY(child > 0);
        QVERIFY(!dead(child));
        ::kill(middle, SIGKILL);
        QCOMPARE(waitStatus(middle), 128 + SIGKILL);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!dead(child) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        QVERIFY2(dead(child), "the launched child outlived its parent");
    }
};

QTEST_APPLESS_MAIN(TestProcess)
#include "tst_process.moc"
