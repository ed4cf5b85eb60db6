// The console's client in TLS 1.3 against a real dmr-agent whose control port has a certificate
// from a throwaway CA (the lab's, lab_secrets.h): it connects and gets the cluster with the CA,
// becomes an operator with the client certificate the agent maps to that role, refuses an agent
// its CA did not sign, says which file is missing, and dmr-console --export takes the same
// --tls-ca option.

#include "client/agent_client.h"
#include "lab_secrets.h"

#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace dmr::console;

namespace {

constexpr int kDeadlineMs = 30000;

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestConsoleTls : public QObject
{
    Q_OBJECT

    QTemporaryDir dir_;
    std::optional<dmr::lab::LabTls> tls_;
    std::optional<dmr::lab::LabTls> other_;
    QProcess agent_;
    quint16 port_ = 0;

    TlsFiles files(bool withCertificate) const
    {
        TlsFiles f{QString::fromStdString(tls_->caCert), {}, {}};
        if (withCertificate) {
            f.certFile = QString::fromStdString(tls_->operatorCert);
            f.keyFile = QString::fromStdString(tls_->operatorKey);
        }
        return f;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        auto tls = dmr::lab::makeLabTls(dir_.filePath(QStringLiteral("tls")).toStdString(), {},
                                        "console-operator");
        QVERIFY(tls.ok());
        tls_ = *tls;
        auto other = dmr::lab::makeLabTls(dir_.filePath(QStringLiteral("other")).toStdString(), {},
                                          "mallory");
        QVERIFY(other.ok());
        other_ = *other;
        port_ = freePort();
        agent_.setProcessChannelMode(QProcess::ForwardedChannels);
        agent_.start(QStringLiteral(DMR_AGENT_BIN),
                     {QStringLiteral("--node.id"),
                      QStringLiteral("c"),
                      QStringLiteral("--node.interfaces"),
                      QStringLiteral("eth0=10.0.8.1/24"),
                      QStringLiteral("--cluster.key"),
                      QStringLiteral("console-tls-cluster-key-01"),
                      QStringLiteral("--membership.listen"),
                      QStringLiteral("127.0.0.1:%1").arg(freePort()),
                      QStringLiteral("--control.listen"),
                      QStringLiteral("127.0.0.1:%1").arg(port_),
                      QStringLiteral("--metrics.listen"),
                      QString(),
                      QStringLiteral("--control.tls_cert"),
                      QString::fromStdString(tls_->agentCert),
                      QStringLiteral("--control.tls_key"),
                      QString::fromStdString(tls_->agentKey),
                      QStringLiteral("--control.tls_client_ca"),
                      QString::fromStdString(tls_->caCert),
                      QStringLiteral("--control.operator_cert_names"),
                      QStringLiteral("console-operator")});
        QVERIFY(agent_.waitForStarted(10000));
    }

    void cleanupTestCase()
    {
        agent_.kill();
        agent_.waitForFinished(5000);
    }

    void connectsWithTheCa()
    {
        AgentClient client;
        QSignalSpy cluster(&client, &AgentClient::clusterReceived);
        client.setEndpoints({Endpoint{QStringLiteral("127.0.0.1"), port_}});
        client.setBackoff(100, 500);
        client.setTls(files(false));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(cluster.count() >= 1, kDeadlineMs);
        QCOMPARE(client.state(), AgentClient::State::Connected);
        QCOMPARE(client.hello().agent, QStringLiteral("c"));
        QVERIFY(!client.isOperator());
        client.stop();
    }

    void clientCertificateMakesAnOperator()
    {
        AgentClient client;
        QSignalSpy finished(&client, &AgentClient::drillFinished);
        client.setEndpoints({Endpoint{QStringLiteral("127.0.0.1"), port_}});
        client.setBackoff(100, 500);
        client.setTls(files(true));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == AgentClient::State::Connected, kDeadlineMs);
        QVERIFY(client.isOperator());
        const qint64 id = client.sendDrill(QStringLiteral("drain"), QStringLiteral("c"), {},
                                           QStringLiteral("console over TLS"), 300);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kDeadlineMs);
        QCOMPARE(finished.at(0).at(0).toLongLong(), id);
        QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
        client.stop();
    }

    void refusesAnAgentItsCaDidNotSign()
    {
        AgentClient client;
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({Endpoint{QStringLiteral("127.0.0.1"), port_}});
        client.setBackoff(100, 500);
        client.setTls(TlsFiles{QString::fromStdString(other_->caCert), {}, {}});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 2, kDeadlineMs);
        QVERIFY(client.state() != AgentClient::State::Connected);
        QCOMPARE(errors.at(0).at(0).toString(), QString::fromLatin1(AgentClient::kConnectionError));
        client.stop();
    }

    void namesAMissingFile()
    {
        AgentClient client;
        QSignalSpy errors(&client, &AgentClient::errorOccurred);
        client.setEndpoints({Endpoint{QStringLiteral("127.0.0.1"), port_}});
        client.setTls(TlsFiles{dir_.filePath(QStringLiteral("nope.pem")), {}, {}});
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 1, kDeadlineMs);
        QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("nope.pem")),
                 qPrintable(errors.at(0).at(1).toString()));
        client.stop();
    }

    void consoleExportsOverTls()
    {
        const QString out = dir_.filePath(QStringLiteral("export.json"));
        QProcess console;
        console.setProcessChannelMode(QProcess::ForwardedChannels);
        console.start(QStringLiteral(DMR_CONSOLE_BIN),
                      {QStringLiteral("--export"), out, QStringLiteral("--connect"),
                       QStringLiteral("127.0.0.1:%1").arg(port_), QStringLiteral("--tls-ca"),
                       QString::fromStdString(tls_->caCert)});
        QVERIFY(console.waitForFinished(kDeadlineMs));
        QCOMPARE(console.exitCode(), 0);
        QVERIFY(QFileInfo(out).size() > 0);
    }
};

QTEST_MAIN(TestConsoleTls)
#include "tst_console_tls.moc"
