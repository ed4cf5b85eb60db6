#include "etcd_server.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>

namespace {

// A port that is free now (bound to 0 and released): etcd binds it a moment later.
int freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    const int port = s.serverPort();
    s.close();
    return port;
}

} // namespace

namespace {

// etcd syncs every write to disk; a test's data is thrown away, so it goes to memory when the
// machine has /dev/shm (a shared, busy disk would make every write slow).
QString dataParent()
{
    QFileInfo shm(QStringLiteral("/dev/shm"));
    return shm.isDir() && shm.isWritable() ? QStringLiteral("/dev/shm/dmr-etcd-XXXXXX")
                                           : QDir::tempPath() + QStringLiteral("/dmr-etcd-XXXXXX");
}

} // namespace

EtcdServer::EtcdServer()
    : dir_(dataParent())
{
}

EtcdServer::~EtcdServer()
{
    if (process_ && process_->state() != QProcess::NotRunning) {
        ::kill(static_cast<pid_t>(process_->processId()), SIGCONT);
        process_->kill();
        process_->waitForFinished(5000);
    }
}

QString EtcdServer::binary()
{
    QString found = QStandardPaths::findExecutable(QStringLiteral("etcd"));
    if (found.isEmpty())
        found =
            QStandardPaths::findExecutable(QStringLiteral("etcd"), {QStringLiteral("/usr/bin")});
    return found;
}

QString EtcdServer::endpoint() const
{
    return QStringLiteral("127.0.0.1:%1").arg(clientPort_);
}

QString EtcdServer::logPath() const
{
    return dir_.filePath(QStringLiteral("etcd.log"));
}

bool EtcdServer::start(int timeoutMs)
{
    if (binary().isEmpty()) {
        error_ = QStringLiteral("etcd is not installed (Debian: apt-get install etcd-server)");
        return false;
    }
    if (!dir_.isValid()) {
        error_ = QStringLiteral("no temporary directory: ") + dir_.errorString();
        return false;
    }
    clientPort_ = freePort();
    peerPort_ = freePort();
    while (peerPort_ == clientPort_)
        peerPort_ = freePort();
    if (clientPort_ == 0 || peerPort_ == 0) {
        error_ = QStringLiteral("no free port on 127.0.0.1");
        return false;
    }
    return launch(timeoutMs);
}

bool EtcdServer::restart(int timeoutMs)
{
    return launch(timeoutMs);
}

bool EtcdServer::launch(int timeoutMs)
{
    const QString client = QStringLiteral("http://127.0.0.1:%1").arg(clientPort_);
    const QString peer = QStringLiteral("http://127.0.0.1:%1").arg(peerPort_);
    process_ = std::make_unique<QProcess>();
    process_->setProcessChannelMode(QProcess::MergedChannels);
    process_->setStandardOutputFile(logPath(), QIODevice::Append);
    process_->start(
        binary(),
        {QStringLiteral("--name"), QStringLiteral("dmr-test"), QStringLiteral("--data-dir"),
         dir_.filePath(QStringLiteral("data")), QStringLiteral("--listen-client-urls"), client,
         QStringLiteral("--advertise-client-urls"), client, QStringLiteral("--listen-peer-urls"),
         peer, QStringLiteral("--initial-advertise-peer-urls"), peer,
         QStringLiteral("--initial-cluster"), QStringLiteral("dmr-test=") + peer,
         QStringLiteral("--log-level"), QStringLiteral("warn")});
    if (!process_->waitForStarted(10000)) {
        error_ = QStringLiteral("etcd did not start: ") + process_->errorString();
        return false;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (process_->state() == QProcess::NotRunning) {
            QFile log(logPath());
            log.open(QIODevice::ReadOnly);
            error_ = QStringLiteral("etcd exited: ") + QString::fromUtf8(log.readAll().right(2000));
            return false;
        }
        if (healthy())
            return true;
        QThread::msleep(50);
    }
    error_ = QStringLiteral("etcd did not answer /health within %1 ms").arg(timeoutMs);
    return false;
}

void EtcdServer::kill()
{
    if (!process_ || process_->state() == QProcess::NotRunning)
        return;
    ::kill(static_cast<pid_t>(process_->processId()), SIGCONT);
    process_->kill();
    process_->waitForFinished(5000);
}

void EtcdServer::stop()
{
    if (process_)
        ::kill(static_cast<pid_t>(process_->processId()), SIGSTOP);
}

void EtcdServer::resume()
{
    if (process_)
        ::kill(static_cast<pid_t>(process_->processId()), SIGCONT);
}

bool EtcdServer::healthy(int timeoutMs) const
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), static_cast<quint16>(clientPort_));
    if (!s.waitForConnected(timeoutMs))
        return false;
    s.write("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray reply;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && s.state() == QAbstractSocket::ConnectedState) {
        if (s.waitForReadyRead(50))
            reply += s.readAll();
        if (reply.contains("\"health\":\"true\""))
            return true;
    }
    reply += s.readAll();
    return reply.contains("\"health\":\"true\"");
}
