// dmr-console: the DMR desktop console.
//
//   dmr-console [--connect HOST:PORT]... [--token TOKEN] [--lang xx] [--topology FILE]
//   dmr-console --export FILE [--connect HOST:PORT]...   (headless: .png, .svg, .json, .dot)
//   dmr-console --lab TOPOLOGY.json                      (starts dmr-lab and connects to it)
//
// --help, --version and a bad command line need no display. With --lab the console gives the
// lab its operator token (--token, $DMR_TOKEN, or the lab's usual one) and is an operator at
// once; the lab stops when the console stops, however it stops (Ctrl-C, SIGTERM, a crash: the
// kernel sends the lab SIGTERM when the console is gone, PR_SET_PDEATHSIG).

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
#include <QTimer>
#include <QTranslator>

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

QString tr(const char *text)
{
    return QCoreApplication::translate("main", text);
}

// Loads the embedded :/i18n/dmr_console_xx.qm and Qt's own catalogue for the language
// (qtbase_xx.qm from QLibraryInfo::TranslationsPath: "Cancel", "OK" and the other strings of Qt's
// dialogs; Debian's qt6-translations-l10n, which ./dmr installs). English needs neither; another
// language without Qt's catalogue is said once, on stderr.
void loadTranslations(QApplication &app, const QString &lang)
{
    if (lang.isEmpty() || lang == u"en" || lang == u"C")
        return;
    auto *mine = new QTranslator(&app);
    if (mine->load(QStringLiteral(":/i18n/dmr_console_%1.qm").arg(lang)))
        QCoreApplication::installTranslator(mine);
    auto *qt = new QTranslator(&app);
    const QString qtDir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang), qtDir))
        QCoreApplication::installTranslator(qt);
    else if (!mine->isEmpty())
        say(QStringLiteral("Qt's own %1 catalogue (qtbase_%1.qm) is not in %2: Qt's buttons stay "
                           "in English (Debian: qt6-translations-l10n)")
                .arg(lang, qtDir));
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

} // namespace

int main(int argc, char *argv[])
{
    // The options with their descriptions in English; translated once the language is known
    // (options(true)), for --help.
    static const char *const kDescriptions[] = {
        QT_TRANSLATE_NOOP("main", "Agent control port (default: the last used, or "
                                  "127.0.0.1:7500); repeat or separate with commas to try "
                                  "several in turn."),
        QT_TRANSLATE_NOOP("main", "Operator token, for drills (default: $DMR_TOKEN)."),
        QT_TRANSLATE_NOOP("main", "Language of the interface: de, ja or en."),
        QT_TRANSLATE_NOOP("main", "Headless: connect, write the topology to FILE (.png, .svg, "
                                  ".json, .dot) and exit."),
        QT_TRANSLATE_NOOP("main", "Start dmr-lab on this topology file, connect to it as an "
                                  "operator, and stop it on exit."),
        QT_TRANSLATE_NOOP("main", "The cluster's topology file: its nodes that never joined are "
                                  "drawn too (--lab sets it)."),
    };
    const auto makeOptions = [](bool translated) {
        const auto d = [&](int i) {
            return translated ? tr(kDescriptions[i]) : QString::fromLatin1(kDescriptions[i]);
        };
        return QList<QCommandLineOption>{
            {QStringLiteral("connect"), d(0), QStringLiteral("HOST:PORT")},
            {QStringLiteral("token"), d(1), QStringLiteral("TOKEN")},
            {QStringLiteral("lang"), d(2), QStringLiteral("xx")},
            {QStringLiteral("export"), d(3), QStringLiteral("FILE")},
            {QStringLiteral("lab"), d(4), QStringLiteral("FILE")},
            {QStringLiteral("topology"), d(5), QStringLiteral("FILE")}};
    };
    const QList<QCommandLineOption> options = makeOptions(false);
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
    loadTranslations(app, lang);
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("The DMR desktop console."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(makeOptions(true));
    parser.process(app);

    QSettings settings;
    QStringList texts = parser.values(connectOption);
    QProcess lab;
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
            say(tr("%1: %2").arg(topologyPath, error));
            return 2;
        }
        expected = file.nodes;
    }
    if (parser.isSet(labOption)) {
        const int n = int(expected.size());
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
        lab.setArguments({parser.value(labOption), QStringLiteral("--base-port"),
                          QString::number(kLabBasePort), QStringLiteral("--token"), token});
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

    AgentClient client;
    client.setEndpoints(endpoints);
    client.setOperatorToken(token);

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
    if (!expected.empty())
        window.store()->setExpectedTopology(expected);
    window.show();
    client.start();
    return app.exec();
}
