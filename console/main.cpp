// dmr-console: for now, the client alone. It connects to the agents given with --connect and
// reports on stderr what it hears; the main window comes next.
//
//   dmr-console [--connect HOST:PORT]... [--token TOKEN]

#include "client/agent_client.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QMetaEnum>

#include <cstdio>

using dmr::console::AgentClient;
using dmr::console::Endpoint;

namespace {

void say(const QString &line)
{
    std::fprintf(stderr, "dmr-console: %s\n", qPrintable(line));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dmr-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DMR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "The DMR desktop console."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption connectOption(
        QStringLiteral("connect"),
        QCoreApplication::translate("main", "Agent control port (default 127.0.0.1:7500); repeat "
                                            "or separate with commas to try several in turn."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption tokenOption(
        QStringLiteral("token"),
        QCoreApplication::translate("main", "Operator token, for drills (default: $DMR_TOKEN)."),
        QStringLiteral("TOKEN"));
    parser.addOption(connectOption);
    parser.addOption(tokenOption);
    parser.process(app);

    QList<Endpoint> endpoints;
    QStringList texts = parser.values(connectOption);
    if (texts.isEmpty())
        texts << QStringLiteral("127.0.0.1:7500");
    for (const QString &text : texts) {
        for (const QString &one : text.split(u',', Qt::SkipEmptyParts)) {
            QString error;
            const auto e = Endpoint::parse(one, &error);
            if (!e) {
                say(error);
                return 2;
            }
            endpoints << *e;
        }
    }

    AgentClient client;
    client.setEndpoints(endpoints);
    client.setOperatorToken(parser.isSet(tokenOption) ? parser.value(tokenOption)
                                                      : qEnvironmentVariable("DMR_TOKEN"));
    QObject::connect(&client, &AgentClient::stateChanged, [&](AgentClient::State state) {
        say(QStringLiteral("%1 (%2)").arg(
            QString::fromLatin1(QMetaEnum::fromType<AgentClient::State>().valueToKey(int(state))),
            client.currentEndpoint().toString()));
    });
    QObject::connect(&client, &AgentClient::errorOccurred,
                     [](const QString &code, const QString &message) {
                         say(QStringLiteral("%1: %2").arg(code, message));
                     });
    QObject::connect(
        &client, &AgentClient::clusterReceived,
        [](const dmr::Snapshot &snapshot, const QString &viewId, const QStringList &) {
            const auto &sl = snapshot.plan.election.systemLeader;
            say(QCoreApplication::translate("main", "view %1: %2 nodes, system leader %3")
                    .arg(viewId)
                    .arg(snapshot.nodes.size())
                    .arg(sl ? QString::fromStdString(*sl) : QStringLiteral("-")));
        });
    client.start();
    return app.exec();
}
