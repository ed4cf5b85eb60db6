// dmr-console: the DMR desktop console.
//
//   dmr-console [--connect HOST:PORT]... [--token TOKEN] [--lang xx] [--topology FILE]
//               [--tls-ca CA.pem [--tls-cert CERT.pem --tls-key KEY.pem]]
//   dmr-console --export FILE [--connect HOST:PORT]...   (headless: .png, .svg, .json, .dot)
//   dmr-console --lab TOPOLOGY.json [--lab-tls]          (starts dmr-lab and connects to it)
//
// --help, --version and a bad command line need no display. With --lab the console gives the
// lab its operator token (--token, $DMR_TOKEN, or the lab's usual one) and is an operator at
// once; the lab stops when the console stops, however it stops (Ctrl-C, SIGTERM, a crash: the
// kernel sends the lab SIGTERM when the console is gone, PR_SET_PDEATHSIG).

#include "cli.h"
#include "clidoc.h"
#include "client/agent_client.h"
#include "mainwindow.h"
#include "models/cluster_store.h"
#include "models/history_model.h"
#include "scene/topologyscene.h"

#include "dmr/topology.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QIcon>
#include <QLocale>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <cstring>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

using dmr::console::AgentClient;
using dmr::console::Endpoint;

namespace {

constexpr int kExportTimeoutMs = 15000;
constexpr int kLabBasePort = 17400;
// dmr-lab's own default, so that dmrctl --token dmr-lab-operator-token works beside the console.
constexpr const char *kLabToken = "dmr-lab-operator-token";

// SIGINT and SIGTERM end the event loop like File > Quit (settings saved, the lab stopped): the
// handler only writes a byte that a QSocketNotifier reads in the loop.
int g_signalPipe[2] = {-1, -1};

void onQuitSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &byte, 1);
}

void quitOnSignals(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [] {
        char byte = 0;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onQuitSignal;
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

// Whether this command line ends before any window: help, version, or a mistake (the parser
// prints and exits). Then no display is needed.
bool endsWithoutWindow(int argc, char *argv[], const QList<QCommandLineOption> &options)
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser probe;
    probe.addHelpOption();
    probe.addVersionOption();
    probe.addOptions(options);
    if (!probe.parse(args))
        return true;
    return probe.isSet(QStringLiteral("help")) || probe.isSet(QStringLiteral("help-all")) ||
           probe.isSet(QStringLiteral("version"));
}

void say(const QString &line)
{
    std::fprintf(stderr, "dmr-console: %s\n", qPrintable(line));
}

// A topology file; an empty topology (and why) when it cannot be read.
dmr::TopologyFile readTopology(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return {};
    }
    const QByteArray text = f.readAll();
    auto topo = dmr::parseTopology(std::string_view(text.constData(), size_t(text.size())));
    if (!topo) {
        *error = QString::fromStdString(topo.error().message);
        return {};
    }
    return std::move(topo).value();
}

// --screenshot: once the picture has settled (connected, every expected node in, nothing new
// from the agents for kSettledMs; or after kSettleMaxMs), the panel asked for in front, the node
// selected, the last failover shown if asked, the window saved; then exit.
void takeScreenshot(dmr::console::MainWindow &window, AgentClient &client,
                    const QCommandLineParser &parser)
{
    constexpr qint64 kSettledMs = 2000;
    constexpr qint64 kSettleMaxMs = 180000;
    const QString path = parser.value(QStringLiteral("screenshot"));
    const QStringList size = parser.value(QStringLiteral("size")).split(u'x');
    window.resize(size.size() == 2 ? size[0].toInt() : 1600,
                  size.size() == 2 ? size[1].toInt() : 960);
    if (parser.isSet(QStringLiteral("dark")))
        window.setDarkPalette(true);
    const QHash<QString, QString> docks{
        {QStringLiteral("events"), QStringLiteral("eventLog")},
        {QStringLiteral("failovers"), QStringLiteral("history")},
        {QStringLiteral("timeline"), QStringLiteral("timelineDock")},
        {QStringLiteral("drills"), QStringLiteral("drills")},
        {QStringLiteral("reachability"), QStringLiteral("reachability")},
        {QStringLiteral("groups"), QStringLiteral("listeners")},
        {QStringLiteral("limits"), QStringLiteral("limits")}};
    const QString dock = docks.value(parser.value(QStringLiteral("panel")));
    const QString select = parser.value(QStringLiteral("select"));
    const bool lastFailover = parser.isSet(QStringLiteral("last-failover"));
    auto *poll = new QTimer(&window);
    auto *clock = new QElapsedTimer;
    clock->start();
    QObject::connect(poll, &QTimer::timeout, &window, [=, &window, &client] {
        auto *store = window.store();
        const qint64 quiet = QDateTime::currentMSecsSinceEpoch() - store->lastUpdateMs();
        const bool settled = client.state() == AgentClient::State::Connected &&
                             store->hasSnapshot() && store->neverJoined().isEmpty() &&
                             store->lastUpdateMs() > 0 && quiet >= kSettledMs;
        if (!settled && clock->elapsed() < kSettleMaxMs)
            return;
        poll->stop();
        delete clock;
        if (auto *d = window.findChild<QDockWidget *>(dock))
            d->raise();
        if (!select.isEmpty())
            window.selectNode(select);
        if (lastFailover) {
            const auto &records = store->historyModel()->records();
            if (!records.isEmpty())
                window.showFailover(records.last().key());
        }
        QTimer::singleShot(800, &window, [&window, path] {
            const bool saved = window.grab().save(path);
            say(saved ? dmr::console::cli::screenshotSaved(path)
                      : dmr::console::cli::fileError(path, QStringLiteral("not written")));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    });
    poll->start(250);
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
    p.description = dmr::console::cli::description().toStdString();
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
    for (const QCommandLineOption &o : dmr::console::cli::options(false)) {
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
        if (name == QLatin1String("panel"))
            added.choices = {"events",       "failovers", "timeline", "drills",
                             "reachability", "groups",    "limits"};
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
    const QList<QCommandLineOption> options = dmr::console::cli::options(false);
    const QString connectOption = QStringLiteral("connect");
    const QString tokenOption = QStringLiteral("token");
    const QString langOption = QStringLiteral("lang");
    const QString exportOption = QStringLiteral("export");
    const QString labOption = QStringLiteral("lab");
    const QString topologyOption = QStringLiteral("topology");

    // A headless export, help and a bad command line need no display.
    bool headless = endsWithoutWindow(argc, argv, options);
    for (int i = 1; i < argc; ++i)
        headless = headless || std::strcmp(argv[i], "--export") == 0;
    if (headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    quitOnSignals(app);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/dmr-console.svg")));
    QCoreApplication::setOrganizationName(QStringLiteral("dmr"));
    QCoreApplication::setApplicationName(QStringLiteral("dmr-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DMR_VERSION));

    // The language first (the help is in it), then the command line for real.
    QString lang = QLocale::system().name().section(u'_', 0, 0);
    {
        QCommandLineParser first;
        first.addOptions(options);
        first.addHelpOption();
        first.addVersionOption();
        if (first.parse(app.arguments()) && first.isSet(langOption))
            lang = first.value(langOption);
    }
    // Qt's own catalogue too ("Cancel"); a language of the console's without it is said once.
    if (const auto loaded = dmr::console::cli::loadTranslations(app, lang);
        loaded.console && !loaded.qt)
        say(dmr::console::cli::noQtCatalogue(lang, loaded.qtDirectory));
    QCommandLineParser parser;
    parser.setApplicationDescription(dmr::console::cli::description());
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(dmr::console::cli::options(true));
    parser.process(app);
    const QString tlsCaOption = QStringLiteral("tls-ca");
    const QString tlsCertOption = QStringLiteral("tls-cert");
    const QString tlsKeyOption = QStringLiteral("tls-key");
    const QString labTlsOption = QStringLiteral("lab-tls");
    if ((parser.isSet(tlsCertOption) || parser.isSet(tlsKeyOption)) && !parser.isSet(tlsCaOption)) {
        say(dmr::console::cli::tlsOptionsMisused(false));
        return 2;
    }
    if (parser.isSet(labTlsOption) && !parser.isSet(labOption)) {
        say(dmr::console::cli::tlsOptionsMisused(true));
        return 2;
    }
    dmr::console::TlsFiles tls{parser.value(tlsCaOption), parser.value(tlsCertOption),
                               parser.value(tlsKeyOption)};

    QSettings settings;
    QStringList texts = parser.values(connectOption);
    QProcess lab;
    QTemporaryDir labSecrets; // 0700: the lab writes its CA and keys into a folder in it
    const bool tokenGiven = parser.isSet(tokenOption) || !qEnvironmentVariableIsEmpty("DMR_TOKEN");
    QString token =
        parser.isSet(tokenOption) ? parser.value(tokenOption) : qEnvironmentVariable("DMR_TOKEN");
    dmr::Topology expected;
    const QString topologyPath = parser.isSet(labOption)        ? parser.value(labOption)
                                 : parser.isSet(topologyOption) ? parser.value(topologyOption)
                                                                : QString();
    if (!topologyPath.isEmpty()) {
        QString error;
        const dmr::TopologyFile file = readTopology(topologyPath, &error);
        if (!error.isEmpty()) {
            say(dmr::console::cli::fileError(topologyPath, error));
            return 2;
        }
        expected = file.nodes;
    }
    if (parser.isSet(labOption)) {
        const int n = int(expected.size());
        const int labBase = parser.isSet(QStringLiteral("lab-base-port"))
                                ? parser.value(QStringLiteral("lab-base-port")).toInt()
                                : kLabBasePort;
        if (!tokenGiven)
            token = QString::fromLatin1(kLabToken);
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
                            QString::number(labBase)};
        if (parser.isSet(labTlsOption)) {
            if (!labSecrets.isValid()) {
                say(dmr::console::cli::noTemporaryFolder(labSecrets.errorString()));
                return 2;
            }
            const QString dir = labSecrets.filePath(QStringLiteral("secrets"));
            labArgs << QStringLiteral("--tls") << QStringLiteral("--secrets-dir") << dir;
            tls = {dir + QStringLiteral("/ca.pem"), dir + QStringLiteral("/operator.pem"),
                   dir + QStringLiteral("/operator.key")};
        }
        lab.setArguments(labArgs);
        // The token by the environment, never on the lab's command line (ps shows that).
        QProcessEnvironment labEnv = QProcessEnvironment::systemEnvironment();
        labEnv.insert(QStringLiteral("DMR_TOKEN"), token);
        lab.setProcessEnvironment(labEnv);
        lab.setProcessChannelMode(QProcess::ForwardedChannels);
        // The lab goes when this process goes, however: the kernel sends it SIGTERM (it then
        // stops its agents), also after a kill -9 of the console.
        const pid_t console = ::getpid();
        lab.setChildProcessModifier([console] {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != console) // the console died before the line above
                ::_exit(1);
        });
        lab.start();
        if (!lab.waitForStarted(5000)) {
            say(dmr::console::cli::cannotStart(lab.program(), lab.errorString()));
            return 2;
        }
        for (int i = 0; i < n; ++i)
            texts << QStringLiteral("127.0.0.1:%1").arg(labBase + 1000 + i);
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
            say(dmr::console::cli::noCluster(used.join(QStringLiteral(", ")),
                                             kExportTimeoutMs / 1000));
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
    if (!expected.empty())
        window.store()->setExpectedTopology(expected);
    if (parser.isSet(QStringLiteral("screenshot")))
        takeScreenshot(window, client, parser);
    window.show();
    client.start();
    return app.exec();
}
