#pragma once
// A real etcd (Debian's etcd-server) for tests and benchmarks: one member on 127.0.0.1, client
// and peer ports chosen free, a temporary data directory, started and waited for (/health), and
// killed with its data directory when this object goes. stop()/resume() (SIGSTOP/SIGCONT) and
// kill()/restart() (the same data directory and ports) make an etcd outage.

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class EtcdServer
{
public:
    EtcdServer();
    ~EtcdServer();

    // The etcd binary (PATH, then /usr/bin), or empty when it is not installed.
    static QString binary();

    // Starts etcd and waits until /health answers true (timeoutMs). False: error() says why.
    bool start(int timeoutMs = 30000);
    bool restart(int timeoutMs = 30000); // after kill(): same ports, same data
    void kill();                         // kill -9, keeps the data directory
    void stop();                         // SIGSTOP: etcd hangs, connections stay open
    void resume();                       // SIGCONT
    bool healthy(int timeoutMs = 1000) const;

    QString endpoint() const; // "127.0.0.1:PORT", what --membership.etcd_endpoints takes
    int clientPort() const { return clientPort_; }
    QString error() const { return error_; }
    QString logPath() const;

private:
    bool launch(int timeoutMs);

    QTemporaryDir dir_;
    std::unique_ptr<QProcess> process_;
    int clientPort_ = 0;
    int peerPort_ = 0;
    QString error_;
};
