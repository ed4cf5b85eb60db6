#include "cli.h"

#include "client/tr.h"

#include <QLibraryInfo>
#include <QTranslator>

namespace dmr::console::cli {

namespace {

// Marked for lupdate, translated when asked for.
const char *const kDescriptions[] = {
    QT_TRANSLATE_NOOP("dmr::console", "Agent control port (default: the last used, or "
                                      "127.0.0.1:7500); repeat or separate with commas to try "
                                      "several in turn."),
    QT_TRANSLATE_NOOP("dmr::console", "Operator token, for drills (default: $DMR_TOKEN)."),
    QT_TRANSLATE_NOOP("dmr::console", "Language of the interface: de, ja or en."),
    QT_TRANSLATE_NOOP("dmr::console", "Headless: connect, write the topology to FILE (.png, "
                                      ".svg, .json, .dot) and exit."),
    QT_TRANSLATE_NOOP("dmr::console", "Start dmr-lab on this topology file, connect to it as an "
                                      "operator, and stop it on exit."),
    QT_TRANSLATE_NOOP("dmr::console", "The cluster's topology file: its nodes that never joined "
                                      "are drawn too (--lab sets it)."),
    QT_TRANSLATE_NOOP("dmr::console", "Once the picture has settled, save the window to FILE "
                                      "(.png) and exit (docs/take-screenshots.sh uses it)."),
    QT_TRANSLATE_NOOP("dmr::console", "With --screenshot: the panel in front (events, failovers, "
                                      "timeline, drills, reachability, groups, limits)."),
    QT_TRANSLATE_NOOP("dmr::console", "With --screenshot: the dark palette."),
    QT_TRANSLATE_NOOP("dmr::console", "With --screenshot: select this node."),
    QT_TRANSLATE_NOOP("dmr::console", "With --screenshot: show the last failover's plan before and "
                                      "after."),
    QT_TRANSLATE_NOOP("dmr::console", "With --screenshot: the window's size."),
    QT_TRANSLATE_NOOP("dmr::console", "With --lab: the lab's base port (membership BASE+i, control "
                                      "BASE+1000+i; default 17400)."),
    QT_TRANSLATE_NOOP("dmr::console", "Speak TLS 1.3 to the agents, checking their certificates "
                                      "against this CA (PEM)."),
    QT_TRANSLATE_NOOP("dmr::console",
                      "This console's client certificate (PEM), for agents that ask "
                      "for one."),
    QT_TRANSLATE_NOOP("dmr::console", "The client certificate's private key (PEM)."),
    QT_TRANSLATE_NOOP("dmr::console",
                      "With --lab: the lab makes a throwaway CA and runs its agents "
                      "in TLS; the console uses that CA and the lab's operator "
                      "certificate."),
};

} // namespace

QList<QCommandLineOption> options(bool translated)
{
    const auto d = [&](int i) {
        return translated ? Tr::tr(kDescriptions[i]) : QString::fromLatin1(kDescriptions[i]);
    };
    return {{QStringLiteral("connect"), d(0), QStringLiteral("HOST:PORT")},
            {QStringLiteral("token"), d(1), QStringLiteral("TOKEN")},
            {QStringLiteral("lang"), d(2), QStringLiteral("xx")},
            {QStringLiteral("export"), d(3), QStringLiteral("FILE")},
            {QStringLiteral("lab"), d(4), QStringLiteral("FILE")},
            {QStringLiteral("topology"), d(5), QStringLiteral("FILE")},
            {QStringLiteral("screenshot"), d(6), QStringLiteral("FILE")},
            {QStringLiteral("panel"), d(7), QStringLiteral("NAME")},
            {QStringLiteral("dark"), d(8)},
            {QStringLiteral("select"), d(9), QStringLiteral("NODE")},
            {QStringLiteral("last-failover"), d(10)},
            {QStringLiteral("size"), d(11), QStringLiteral("WxH")},
            {QStringLiteral("lab-base-port"), d(12), QStringLiteral("BASE")},
            {QStringLiteral("tls-ca"), d(13), QStringLiteral("FILE")},
            {QStringLiteral("tls-cert"), d(14), QStringLiteral("FILE")},
            {QStringLiteral("tls-key"), d(15), QStringLiteral("FILE")},
            {QStringLiteral("lab-tls"), d(16)}};
}

QString tlsOptionsMisused(bool labTlsWithoutLab)
{
    return labTlsWithoutLab ? Tr::tr("--lab-tls goes with --lab")
                            : Tr::tr("--tls-cert and --tls-key go with --tls-ca");
}

QString noTemporaryFolder(const QString &error)
{
    return Tr::tr("cannot make a temporary folder: %1").arg(error);
}

QString description()
{
    return Tr::tr("The DMR desktop console.");
}

QString fileError(const QString &path, const QString &error)
{
    return Tr::tr("%1: %2").arg(path, error);
}

QString cannotStart(const QString &program, const QString &error)
{
    return Tr::tr("cannot start %1: %2").arg(program, error);
}

QString noCluster(const QString &endpoints, int seconds)
{
    return Tr::tr("no cluster from %1 within %2 s").arg(endpoints).arg(seconds);
}

QString screenshotSaved(const QString &path)
{
    return Tr::tr("saved %1").arg(path);
}

QString noQtCatalogue(const QString &lang, const QString &directory)
{
    return Tr::tr("Qt's own %1 catalogue (qtbase_%1.qm) is not in %2: Qt's buttons stay in "
                  "English (Debian: qt6-translations-l10n)")
        .arg(lang, directory);
}

Loaded loadTranslations(QCoreApplication &app, const QString &lang)
{
    Loaded loaded;
    loaded.qtDirectory = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (lang.isEmpty() || lang == u"en" || lang == u"C")
        return loaded;
    auto *mine = new QTranslator(&app);
    if (mine->load(QStringLiteral(":/i18n/dmr_console_%1.qm").arg(lang)))
        loaded.console = QCoreApplication::installTranslator(mine);
    auto *qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang), loaded.qtDirectory))
        loaded.qt = QCoreApplication::installTranslator(qt);
    return loaded;
}

} // namespace dmr::console::cli
