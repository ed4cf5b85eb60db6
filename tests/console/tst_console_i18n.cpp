// The console's German and Japanese translations: the .qm files embedded under :/i18n load, and
// a MainWindow built after installing one shows translated menu titles (File, View, Drill).
// Also checks that no menu string in the committed .ts files is left unfinished.

#include "cli.h"
#include "client/agent_client.h"
#include "client/records.h"
#include "drilldialog.h"
#include "mainwindow.h"

#include <QAction>
#include <QFile>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

#include <memory>

using namespace dmr::console;

namespace {

const QStringList kEnglishMenus = {QStringLiteral("&File"), QStringLiteral("&View"),
                                   QStringLiteral("&Drill")};

// The menu titles of a MainWindow built (unconnected) with the translators installed now.
QStringList menuTitles()
{
    AgentClient client;
    MainWindow window(&client);
    QStringList titles;
    for (QAction *a : window.menuBar()->actions())
        titles << a->text();
    return titles;
}

// (context, source) -> true when the message is finished, from a .ts file.
QHash<QString, bool> finishedMessages(const QString &path, QString *error)
{
    QHash<QString, bool> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return out;
    }
    QXmlStreamReader xml(&f);
    QString context, source;
    bool finished = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (xml.name() == u"name")
                context = xml.readElementText();
            else if (xml.name() == u"message") {
                source.clear();
                finished = false;
            } else if (xml.name() == u"source")
                source = xml.readElementText();
            else if (xml.name() == u"translation") {
                const auto type = xml.attributes().value(QStringLiteral("type"));
                finished = type.isEmpty();
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                finished = finished && !text.trimmed().isEmpty();
            }
        } else if (xml.isEndElement() && xml.name() == u"message") {
            out.insert(context + u'|' + source, finished);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return out;
}

} // namespace

class TestConsoleI18n : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("dmr-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_console_i18n"));
    }

    void englishByDefault() { QCOMPARE(menuTitles().mid(0, 3), kEnglishMenus); }

    void embeddedResources()
    {
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/dmr_console_de.qm")));
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/dmr_console_ja.qm")));
    }

    void german()
    {
        QTranslator t;
        QVERIFY(t.load(QStringLiteral(":/i18n/dmr_console_de.qm")));
        QVERIFY(QCoreApplication::installTranslator(&t));
        const QStringList titles = menuTitles();
        QCoreApplication::removeTranslator(&t);
        QCOMPARE(titles.size() >= 3, true);
        const QStringList german = {QStringLiteral("&Datei"), QStringLiteral("&Ansicht"),
                                    QStringLiteral("Ü&bung")};
        // The scene's strings too, in the context TopologyScene::tr uses at run time.
        QCoreApplication::installTranslator(&t);
        const QString legend = QCoreApplication::translate("dmr::console::TopologyScene", "Legend");
        QCoreApplication::removeTranslator(&t);
        QCOMPARE(legend, QStringLiteral("Legende"));
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(titles[i] != kEnglishMenus[i], qPrintable(titles[i]));
            QCOMPARE(titles[i], german[i]);
        }
    }

    // What the issue found: causes untranslated, Qt's own "Cancel" in English, German words in
    // English order ("beenden Knoten 4"). The console loads its catalogue and Qt's for the
    // language (./dmr installs qt6-translations-l10n).
    void causesActionsAndQtsOwnStrings()
    {
        QCoreApplication *app = QCoreApplication::instance();
        const cli::Loaded loaded = cli::loadTranslations(*app, QStringLiteral("de"));
        QVERIFY(loaded.console);
        QVERIFY2(loaded.qt, qPrintable(QStringLiteral("no qtbase_de.qm in ") + loaded.qtDirectory));
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"),
                 QStringLiteral("Abbrechen"));
        QCOMPARE(describeCause(QStringLiteral("connection-lost")),
                 QStringLiteral("Verbindung verloren"));
        QCOMPARE(describeCause(QStringLiteral("adapter")), QStringLiteral("Adapter ausgefallen"));
        QCOMPARE(describeCause(QStringLiteral("drain")), QStringLiteral("entleert"));
        QCOMPARE(DrillDialog::title(QStringLiteral("kill"), QStringLiteral("4")),
                 QStringLiteral("Knoten 4 beenden"));
        DrillRecord d;
        d.action = QStringLiteral("drain");
        d.node = QStringLiteral("6");
        QVERIFY2(describe(d).startsWith(QStringLiteral("Entleeren von Knoten 6")),
                 qPrintable(describe(d)));
        // Japanese: Qt's own strings and a cause.
        for (QTranslator *t : app->findChildren<QTranslator *>())
            QCoreApplication::removeTranslator(t);
        const cli::Loaded ja = cli::loadTranslations(*app, QStringLiteral("ja"));
        QVERIFY(ja.console && ja.qt);
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"),
                 QStringLiteral("キャンセル"));
        QCOMPARE(describeCause(QStringLiteral("connection-lost")), QStringLiteral("接続断"));
        for (QTranslator *t : app->findChildren<QTranslator *>())
            QCoreApplication::removeTranslator(t);
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Cancel"));
    }

    void japanese()
    {
        QTranslator t;
        QVERIFY(t.load(QStringLiteral(":/i18n/dmr_console_ja.qm")));
        QVERIFY(QCoreApplication::installTranslator(&t));
        const QStringList titles = menuTitles();
        QCoreApplication::removeTranslator(&t);
        QVERIFY(!titles.isEmpty());
        QVERIFY(titles[0] != kEnglishMenus[0]);
        QCOMPARE(titles[0], QStringLiteral("ファイル(&F)"));
    }

    void menuStringsFinished_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("ja") << QStringLiteral("ja");
    }

    void menuStringsFinished()
    {
        QFETCH(QString, lang);
        QString error;
        const auto messages = finishedMessages(
            QStringLiteral(DMR_TRANSLATIONS "/dmr_console_%1.ts").arg(lang), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!messages.isEmpty());
        const QString ctx = QStringLiteral("dmr::console::MainWindow|");
        const QStringList menuStrings = {
            QStringLiteral("&File"),         QStringLiteral("&Export…"),
            QStringLiteral("&Quit"),         QStringLiteral("&View"),
            QStringLiteral("&Fit"),          QStringLiteral("Zoom &in"),
            QStringLiteral("Zoom &out"),     QStringLiteral("&Find node…"),
            QStringLiteral("&Dark palette"), QStringLiteral("&Panels"),
            QStringLiteral("&Drill"),        QStringLiteral("&Kill…"),
            QStringLiteral("Fail &adapter"), QStringLiteral("&Drain…"),
            QStringLiteral("&Restore…")};
        for (const QString &s : menuStrings) {
            QVERIFY2(messages.contains(ctx + s), qPrintable(s));
            QVERIFY2(messages.value(ctx + s),
                     qPrintable(lang + QStringLiteral(": unfinished ") + s));
        }
        // And nothing at all is left unfinished.
        for (auto it = messages.cbegin(); it != messages.cend(); ++it)
            QVERIFY2(it.value(), qPrintable(lang + QStringLiteral(": unfinished ") + it.key()));
    }
};

QTEST_MAIN(TestConsoleI18n)
#include "tst_console_i18n.moc"
