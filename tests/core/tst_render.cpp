#include <QtTest>
class Testrender : public QObject { Q_OBJECT private slots: void todo() { QSKIP("todo"); } };
QTEST_GUILESS_MAIN(Testrender)
#include "tst_render.moc"
