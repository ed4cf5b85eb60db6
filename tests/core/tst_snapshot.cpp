#include <QtTest>
class Testsnapshot : public QObject { Q_OBJECT private slots: void todo() { QSKIP("todo"); } };
QTEST_GUILESS_MAIN(Testsnapshot)
#include "tst_snapshot.moc"
