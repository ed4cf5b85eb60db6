#include <QtTest>
class Testtopology : public QObject { Q_OBJECT private slots: void todo() { QSKIP("todo"); } };
QTEST_GUILESS_MAIN(Testtopology)
#include "tst_topology.moc"
