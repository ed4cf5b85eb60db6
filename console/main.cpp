// dmr-console: the DMR desktop console.
//
//   dmr-console [--connect HOST:PORT]... [--token TOKEN] [--lang xx]
//               [--tls-ca CA.pem [--tls-cert CERT.pem --tls-key KEY.pem]]
//   dmr-console --export FILE [--connect HOST:PORT]...   (headless: .png, .svg, .json, .dot)
//   dmr-console --lab TOPOLOGY.json [--lab-tls]          (starts dmr-lab and connects to it)

#include "clidoc.h"
#include "client/agent_client.h"
#include "mainwindow.h"
#include "models/cluster_store.h"
#include "scene/topologyscene.h"

#include "dmr/topology.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <cstring>

using dmr::console::AgentClient;
using dmr::console::Endpoint;

namespace {

constexpr int kExportTimeoutMs = 15000;
constexpr int kLabBasePort = 17400;

void say(const QString &line)
{
    std::fprintf(stderr, "dmr-console: %s\n", qPrintable(line));
}

QString tr(const char *text)
{
    return QCoreApplication::translate("main", text);
}

// Loads the embedded :/i18n/dmr_console_xx.qm and Qt's own qtbase_xx.qm; silently nothing when
// absent (English needs neither).
void loadTranslations(QApplication &app, const QString &lang)
{
    auto *mine = new QTranslator(&app);
    if (mine->load(QStringLiteral(":/i18n/dmr_console_%1.qm").arg(lang)))
        QCoreApplication::installTranslator(mine);
    auto *qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

// The number of nodes of a topology file; 0 when it cannot be read.
int labNodes(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return 0;
    }
    const QByteArray text = f.readAll();
    auto topo = dmr::parseTopology(std::string_view(text.constData(), size_t(text.size())));
    if (!topo) {
        *error = QString::fromStdString(topo.error().message);
        return 0;
    }
    return int(topo.value().joinOrder.size());
}

// The console's options: what the parser takes, --help prints and the manual lists.
struct ConsoleOptions
{
    QCommandLineOption connect{
        QStringLiteral("connect"),
        tr("Agent control port (default: the last used, or 127.0.0.1:7500); repeat or separate "
           "with commas to try several in turn."),
        QStringLiteral("HOST:PORT")};
    QCommandLineOption token{QStringLiteral("token"),
                             tr("Operator token, for drills (default: $DMR_TOKEN)."),
                             QStringLiteral("TOKEN")};
    QCommandLineOption lang{QStringLiteral("lang"), tr("Language of the interface, e.g. de."),
                            QStringLiteral("xx")};
    QCommandLineOption exportTo{
        QStringLiteral("export"),
        tr("Headless: connect, write the topology to FILE (.png, .svg, .json, .dot) and exit."),
        QStringLiteral("FILE")};
    QCommandLineOption lab{QStringLiteral("lab"),
                           tr("Start dmr-lab on this topology file and connect to it."),
                           QStringLiteral("FILE")};
    QCommandLineOption tlsCa{
        QStringLiteral("tls-ca"),
        tr("Speak TLS 1.3 to the agents, checking their certificates against this CA (PEM)."),
        QStringLiteral("FILE")};
    QCommandLineOption tlsCert{
        QStringLiteral("tls-cert"),
        tr("This console's client certificate (PEM), for agents that ask for one."),
        QStringLiteral("FILE")};
    QCommandLineOption tlsKey{QStringLiteral("tls-key"),
                              tr("The client certificate's private key (PEM)."),
                              QStringLiteral("FILE")};
    QCommandLineOption labTls{
        QStringLiteral("lab-tls"),
        tr("With --lab: the lab makes a throwaway CA and runs its agents in TLS; the console "
           "uses that CA and the lab's operator certificate.")};

    QList<QCommandLineOption> all() const
    {
        return {connect, token, lang, exportTo, lab, tlsCa, tlsCert, tlsKey, labTls};
    }
};

QString description()
{
    return tr("The DMR desktop console.");
}

// dmr-console --dmr-doc=json: the option table for the manual page and the completions (the
// build runs it; no display needed). QCommandLineParser's own options are listed as it prints
// them; the manual test compares the manual with --help, so a change there shows.
int printDoc()
{
    namespace doc = dmr::clidoc;
    doc::Program p;
    p.name = "dmr-console";
    p.version = DMR_VERSION;
    p.description = description().toStdString();
    auto add = [&](std::vector<std::string> names, std::string value, const QString &help) {
        doc::Option o;
        o.names = std::move(names);
        o.valueName = std::move(value);
        o.fileValue = o.valueName == "FILE";
        o.help = help.toStdString();
        p.options.push_back(std::move(o));
    };
    add({"-?", "-h", "--help"}, "", QStringLiteral("Displays help on commandline options."));
    add({"--help-all"}, "", QStringLiteral("Displays help, including generic Qt options."));
    add({"-v", "--version"}, "", QStringLiteral("Displays version information."));
    for (const QCommandLineOption &o : ConsoleOptions().all()) {
        std::vector<std::string> names;
        for (const QString &n : o.names())
            names.push_back((n.size() == 1 ? "-" : "--") + n.toStdString());
        add(names, o.valueName().toStdString(), o.description());
        doc::Option &added = p.options.back();
        const QString name = o.names().constFirst();
        added.repeatable = name == QLatin1String("connect");
        if (name == QLatin1String("token"))
            added.env = "DMR_TOKEN";
        if (name == QLatin1String("lang"))
            added.choices = {"en", "de", "ja"}; // what translations/ ships
    }
    std::fputs(doc::toJson(p).c_str(), stdout);
    std::fputs("\n", stdout);
    return std::ferror(stdout) != 0 ? 1 : 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc == 2 && std::strcmp(argv[1], "--dmr-doc=json") == 0)
        return printDoc();
    // A headless export needs no display.
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--export") == 0 && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/dmr-console.svg")));
    QCoreApplication::setOrganizationName(QStringLiteral("dmr"));
    QCoreApplication::setApplicationName(QStringLiteral("dmr-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DMR_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    parser.addHelpOption();
    parser.addVersionOption();
    const ConsoleOptions options;
    const QCommandLineOption &connectOption = options.connect;
    const QCommandLineOption &tokenOption = options.token;
    const QCommandLineOption &langOption = options.lang;
    const QCommandLineOption &exportOption = options.exportTo;
    const QCommandLineOption &labOption = options.lab;
    const QCommandLineOption &tlsCaOption = options.tlsCa;
    const QCommandLineOption &tlsCertOption = options.tlsCert;
    const QCommandLineOption &tlsKeyOption = options.tlsKey;
    const QCommandLineOption &labTlsOption = options.labTls;
    parser.addOptions(options.all());
    parser.process(app);
    if ((parser.isSet(tlsCertOption) || parser.isSet(tlsKeyOption)) && !parser.isSet(tlsCaOption)) {
        say(tr("--tls-cert and --tls-key go with --tls-ca"));
        return 2;
    }
    if (parser.isSet(labTlsOption) && !parser.isSet(labOption)) {
        say(tr("--lab-tls goes with --lab"));
        return 2;
    }
    dmr::console::TlsFiles tls{parser.value(tlsCaOption), parser.value(tlsCertOption),
                               parser.value(tlsKeyOption)};

    loadTranslations(app, parser.isSet(langOption) ? parser.value(langOption)
                                                   : QLocale::system().name().section(u'_', 0, 0));

    QSettings settings;
    QStringList texts = parser.values(connectOption);
    QProcess lab;
    QTemporaryDir labSecrets; // 0700: the lab writes its CA and keys into a folder in it
    if (parser.isSet(labOption)) {
        QString error;
        const int n = labNodes(parser.value(labOption), &error);
        if (n <= 0) {
            say(tr("%1: %2").arg(parser.value(labOption), error));
            return 2;
        }
        // Beside this binary when installed; in the build tree it is in ../backend.
        const QDir here(QCoreApplication::applicationDirPath());
        QString program = QStringLiteral("dmr-lab"); // else from PATH
        for (const QString &candidate : {here.filePath(QStringLiteral("dmr-lab")),
                                         here.filePath(QStringLiteral("../backend/dmr-lab"))}) {
            if (QFile::exists(candidate)) {
                program = candidate;
                break;
            }
        }
        lab.setProgram(program);
        QStringList labArgs{parser.value(labOption), QStringLiteral("--base-port"),
                            QString::number(kLabBasePort)};
        if (parser.isSet(labTlsOption)) {
            if (!labSecrets.isValid()) {
                say(tr("cannot make a temporary folder: %1").arg(labSecrets.errorString()));
                return 2;
            }
            const QString dir = labSecrets.filePath(QStringLiteral("secrets"));
            labArgs << QStringLiteral("--tls") << QStringLiteral("--secrets-dir") << dir;
            tls = {dir + QStringLiteral("/ca.pem"), dir + QStringLiteral("/operator.pem"),
                   dir + QStringLiteral("/operator.key")};
        }
        lab.setArguments(labArgs);
        lab.setProcessChannelMode(QProcess::ForwardedChannels);
        lab.start();
        if (!lab.waitForStarted(5000)) {
            say(tr("cannot start %1: %2").arg(lab.program(), lab.errorString()));
            return 2;
        }
        for (int i = 0; i < n; ++i)
            texts << QStringLiteral("127.0.0.1:%1").arg(kLabBasePort + 1000 + i);
        QObject::connect(&app, &QCoreApplication::aboutToQuit, [&lab] {
            lab.terminate();
            if (!lab.waitForFinished(3000))
                lab.kill();
            lab.waitForFinished(1000);
        });
    }
    if (texts.isEmpty())
        texts = settings.value(QStringLiteral("connect/recent")).toStringList();
    if (texts.isEmpty())
        texts << QStringLiteral("127.0.0.1:7500");

    QList<Endpoint> endpoints;
    QStringList used;
    for (const QString &text : std::as_const(texts)) {
        for (const QString &one : text.split(u',', Qt::SkipEmptyParts)) {
            QString error;
            const auto e = Endpoint::parse(one, &error);
            if (!e) {
                say(error);
                return 2;
            }
            endpoints << *e;
            used << e->toString();
        }
    }
    if (!parser.isSet(labOption) && !parser.isSet(exportOption))
        settings.setValue(QStringLiteral("connect/recent"), used);

    const QString token =
        parser.isSet(tokenOption) ? parser.value(tokenOption) : qEnvironmentVariable("DMR_TOKEN");
    AgentClient client;
    client.setEndpoints(endpoints);
    client.setOperatorToken(token);
    client.setTls(tls);

    if (parser.isSet(exportOption)) {
        const QString path = parser.value(exportOption);
        dmr::console::TopologyScene scene;
        scene.setAnimationsEnabled(false);
        int code = 1;
        QTimer timeout;
        timeout.setSingleShot(true);
        QObject::connect(&timeout, &QTimer::timeout, [&] {
            say(tr("no cluster from %1 within %2 s")
                    .arg(used.join(QStringLiteral(", ")))
                    .arg(kExportTimeoutMs / 1000));
            QCoreApplication::exit(1);
        });
        QObject::connect(&client, &AgentClient::clusterReceived,
                         [&](const dmr::Snapshot &snapshot, const QString &, const QStringList &) {
                             timeout.stop();
                             scene.setSnapshot(snapshot);
                             scene.finishAnimations();
                             QString error;
                             code = dmr::console::exportByPath(scene, path, &error) ? 0 : 1;
                             if (code != 0)
                                 say(error);
                             client.stop();
                             QCoreApplication::exit(code);
                         });
        timeout.start(kExportTimeoutMs);
        client.start();
        return app.exec();
    }

    dmr::console::MainWindow window(&client);
    if (!token.isEmpty())
        window.setOperatorToken(token);
    window.show();
    client.start();
    return app.exec();
}
