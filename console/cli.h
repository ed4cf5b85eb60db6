#pragma once
// dmr-console's command line and the lines it prints before any window: in the library, so
// that lupdate finds their texts with the rest (the program's main() holds none).

#include <QCommandLineOption>
#include <QCoreApplication>
#include <QList>
#include <QString>

namespace dmr::console::cli {

// --connect, --token, --lang, --export, --lab, --topology, then the screenshot ones
// (--screenshot, --panel, --dark, --select, --last-failover, --size), --lab-base-port, then the
// TLS ones (--tls-ca, --tls-cert, --tls-key, --lab-tls), in that order; their descriptions in
// English, or translated (once the language is loaded).
QList<QCommandLineOption> options(bool translated);
QString description();

QString fileError(const QString &path, const QString &error);      // "fig9.json: ..."
QString cannotStart(const QString &program, const QString &error); // the lab
QString noCluster(const QString &endpoints, int seconds);          // a headless export
QString screenshotSaved(const QString &path);
QString noQtCatalogue(const QString &lang, const QString &directory);
// "--tls-cert and --tls-key go with --tls-ca", or "--lab-tls goes with --lab".
QString tlsOptionsMisused(bool labTlsWithoutLab);
QString noTemporaryFolder(const QString &error);

// Installs the console's own catalogue for the language (:/i18n/dmr_console_xx.qm) and Qt's
// (qtbase_xx.qm from QLibraryInfo::TranslationsPath: "Cancel", "OK" and the rest of Qt's
// dialogs). English needs neither. What was loaded, for a message and for tests.
struct Loaded
{
    bool console = false;
    bool qt = false;
    QString qtDirectory;
};
Loaded loadTranslations(QCoreApplication &app, const QString &lang);

} // namespace dmr::console::cli
