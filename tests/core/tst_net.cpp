#include <QtTest>
class Testnet : public QObject { Q_OBJECT private slots: void todo() { QSKIP("todo"); } };
QTEST_GUILESS_MAIN(Testnet)
#include "tst_net.moc"
