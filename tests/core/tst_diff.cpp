#include <QtTest>
class Testdiff : public QObject { Q_OBJECT private slots: void todo() { QSKIP("todo"); } };
QTEST_GUILESS_MAIN(Testdiff)
#include "tst_diff.moc"
