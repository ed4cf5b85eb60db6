// The console's models on real Fig. 5 snapshots: every model under QAbstractItemModelTester,
// before and after node 2 (the system leader) fails, with row signals instead of resets.

#include "console_test_data.h"

#include "client/records.h"
#include "models/cluster_store.h"
#include "models/drill_model.h"
#include "models/event_log_model.h"
#include "models/group_model.h"
#include "models/history_model.h"
#include "models/limit_model.h"
#include "models/listener_model.h"
#include "models/model_roles.h"
#include "models/node_table_model.h"
#include "models/plan_timeline.h"
#include "models/reachability_model.h"
#include "models/row_sync.h"

#include "dmr/snapshot.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QFont>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <limits>

using namespace dmr::console;
namespace td = dmr::console::testdata;

namespace {

using Tester = QAbstractItemModelTester;

// A reply's result as the client hands it to the parsers: JSON text.
std::string resultText(const std::string &json)
{
    return json;
}

QList<FailoverRecord> history()
{
    auto h = parseHistory(resultText(td::kHistoryJson));
    if (!h)
        qFatal("%s", h.error().message.c_str());
    return h.value();
}

QList<DrillRecord> drills()
{
    auto d = parseDrills(resultText(td::kDrillsJson));
    if (!d)
        qFatal("%s", d.error().message.c_str());
    return d.value();
}

QString text(const QAbstractItemModel &m, int row, int column, const QModelIndex &parent = {})
{
    return m.data(m.index(row, column, parent)).toString();
}

QStringList column(const QAbstractItemModel &m, int col, const QModelIndex &parent = {})
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r)
        out << text(m, r, col, parent);
    return out;
}

QStringList headers(const QAbstractItemModel &m)
{
    QStringList out;
    for (int c = 0; c < m.columnCount(); ++c)
        out << m.headerData(c, Qt::Horizontal).toString();
    return out;
}

ConsoleEvent makeEvent(qint64 n)
{
    ConsoleEvent e;
    e.kind = ConsoleEvent::Kind::Failover;
    e.kindName = QStringLiteral("failover");
    e.timeMs = td::kTimeMs + n;
    e.group = QStringLiteral("10.0.1.0/24");
    e.from = QStringLiteral("2");
    e.to = QStringLiteral("1");
    e.reason = QStringLiteral("connection-lost");
    e.agent = QStringLiteral("6");
    return e;
}

} // namespace

class TestConsoleModels : public QObject
{
    Q_OBJECT

private slots:
    void rowEdits()
    {
        using K = RowEdit::Kind;
        const QList<QString> abc{"a", "b", "c"};
        QCOMPARE(planRowEdits(abc, abc)->size(), 0);
        // A member leaves from the middle, another joins at the end.
        QCOMPARE(*planRowEdits(abc, QList<QString>{"a", "c", "d"}),
                 (QList<RowEdit>{{K::Remove, 1, 1}, {K::Insert, 2, 2}}));
        // The first two leave, two join at the front and one in the middle.
        QCOMPARE(*planRowEdits(QList<QString>{"a", "b", "c", "d"},
                               QList<QString>{"x", "y", "c", "z", "d"}),
                 (QList<RowEdit>{{K::Remove, 0, 1}, {K::Insert, 0, 1}, {K::Insert, 3, 3}}));
        QCOMPARE(*planRowEdits(abc, QList<QString>{}), (QList<RowEdit>{{K::Remove, 0, 2}}));
        QCOMPARE(*planRowEdits(QList<QString>{}, abc), (QList<RowEdit>{{K::Insert, 0, 2}}));
        // What stays changed order, or keys repeat: no edits, the model resets.
        QVERIFY(!planRowEdits(abc, QList<QString>{"c", "b", "a"}));
        QVERIFY(!planRowEdits(abc, QList<QString>{"a", "a"}));
    }

    void nodeTable()
    {
        NodeTableModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QCOMPARE(headers(model), (QStringList{"Node", "State", "Roles", "Networks", "Interfaces"}));

        model.setSnapshot(td::fig5());
        QCOMPARE(column(model, NodeTableModel::IdColumn),
                 (QStringList{"1", "2", "3", "4", "5", "6"}));
        QCOMPARE(column(model, NodeTableModel::StateColumn), QStringList(6, QStringLiteral("up")));
        QCOMPARE(column(model, NodeTableModel::RolesColumn),
                 (QStringList{"member", "system leader, leader of 1 network", "member",
                              "leader of 1 network", "member", "leader of 1 network"}));
        QCOMPARE(text(model, 0, NodeTableModel::NetworksColumn),
                 QStringLiteral("10.0.1.0/24, 10.0.3.0/24"));
        QCOMPARE(text(model, 0, NodeTableModel::InterfacesColumn),
                 QStringLiteral("eth0 10.0.1.1/24, eth1 10.0.3.1/24"));
        const QModelIndex two = model.index(model.rowOf(QStringLiteral("2")), 0);
        QCOMPARE(two.data(NodeTableModel::IsSystemLeaderRole).toBool(), true);
        QCOMPARE(two.data(NodeTableModel::LedNetworksRole).toStringList(),
                 QStringList{"10.0.1.0/24"});
        QCOMPARE(
            model.index(two.row(), NodeTableModel::RolesColumn).data(RawValueRole).toStringList(),
            (QStringList{"system-leader", "leader 10.0.1.0/24"}));

        // Node 2 fails: the same nodes, so no reset and no rows moved; only data changes.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QPersistentModelIndex six = model.index(model.rowOf(QStringLiteral("6")), 0);
        model.setSnapshot(td::fig5(true));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QVERIFY(changed.count() >= 3); // 2 failed, 6 leads the GL_group, 1 leads network A
        QCOMPARE(column(model, NodeTableModel::StateColumn),
                 (QStringList{"up", "failed", "up", "up", "up", "up"}));
        QCOMPARE(column(model, NodeTableModel::RolesColumn),
                 (QStringList{"leader of 1 network", "", "member", "leader of 1 network", "member",
                              "system leader, leader of 1 network"}));
        QCOMPARE(text(model, 1, NodeTableModel::NetworksColumn), QString());
        QCOMPARE(six.data(NodeTableModel::IsSystemLeaderRole).toBool(), true);
        QCOMPARE(model.index(1, 0).data(NodeTableModel::NodeStateRole).toString(),
                 QStringLiteral("failed"));

        // An adapter failure shows on the interface.
        const dmr::TopologyFile topo = td::fig5Topology();
        dmr::ClusterModel cluster(topo.nodes);
        for (const auto &id : topo.joinOrder)
            QVERIFY(cluster.join(id).ok());
        QVERIFY(cluster.failAdapter("4", "eth1").ok());
        model.setSnapshot(dmr::makeSnapshot(cluster, "fig5", td::kTimeMs));
        QCOMPARE(text(model, 3, NodeTableModel::InterfacesColumn),
                 QStringLiteral("eth0 10.0.2.4/24, eth1 10.0.3.4/24 (failed)"));
        QCOMPARE(model.index(3, 0).data(NodeTableModel::FailedAdaptersRole).toStringList(),
                 QStringList{"eth1"});

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void nodeTableSortsNaturally()
    {
        // Ids "2", "9", "10": natural order, in the model and through a sorting proxy.
        auto topo = dmr::parseTopology(
            R"({"name":"t","nodes":[{"id":"10","interfaces":[{"name":"eth0","address":"10.0.1.10/24"}]},)"
            R"({"id":"9","interfaces":[{"name":"eth0","address":"10.0.1.9/24"}]},)"
            R"({"id":"2","interfaces":[{"name":"eth0","address":"10.0.1.2/24"}]}],)"
            R"("join_order":["10","9","2"]})");
        QVERIFY2(topo.ok(), topo.ok() ? "" : topo.error().message.c_str());
        dmr::ClusterModel cluster(topo->nodes);
        for (const auto &id : topo->joinOrder)
            QVERIFY(cluster.join(id).ok());
        NodeTableModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSnapshot(dmr::makeSnapshot(cluster, "t", td::kTimeMs));
        QCOMPARE(column(model, 0), (QStringList{"2", "9", "10"}));

        QSortFilterProxyModel proxy;
        Tester proxyTester(&proxy, Tester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(SortRole);
        proxy.sort(NodeTableModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(column(proxy, 0), (QStringList{"10", "9", "2"}));
        proxy.sort(NodeTableModel::RolesColumn, Qt::AscendingOrder);
        QCOMPARE(text(proxy, 0, 0), QStringLiteral("10")); // the system leader first

        // Through a failover the proxy follows.
        model.setSnapshot(td::fig5(true));
        proxy.sort(NodeTableModel::IdColumn, Qt::AscendingOrder);
        QCOMPARE(column(proxy, 0), (QStringList{"1", "2", "3", "4", "5", "6"}));
        proxy.sort(NodeTableModel::RolesColumn, Qt::AscendingOrder);
        QCOMPARE(text(proxy, 0, 0), QStringLiteral("6"));
        QCOMPARE(text(proxy, 5, 0), QStringLiteral("2")); // failed: no roles, no networks
    }

    void groupTree()
    {
        GroupModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QCOMPARE(headers(model),
                 (QStringList{"Group / member", "Leader", "Interface", "Join seq"}));

        model.setSnapshot(td::fig5());
        QCOMPARE(column(model, GroupModel::NameColumn),
                 (QStringList{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "GL_group"}));
        QCOMPARE(column(model, GroupModel::LeaderColumn), (QStringList{"2", "6", "4", "2"}));
        QCOMPARE(column(model, GroupModel::InterfaceColumn),
                 (QStringList{"eth0", "eth0", "eth1", ""}));
        const QModelIndex a = model.groupIndex(QStringLiteral("10.0.1.0/24"));
        const QModelIndex c = model.groupIndex(QStringLiteral("10.0.3.0/24"));
        const QModelIndex gl = model.groupIndex(QStringLiteral("GL_group"));
        QCOMPARE(column(model, GroupModel::NameColumn, a), (QStringList{"2", "1", "3"}));
        QCOMPARE(column(model, GroupModel::LeaderColumn, a), (QStringList{"leader", "", ""}));
        QCOMPARE(column(model, GroupModel::InterfaceColumn, c),
                 (QStringList{"eth1 10.0.3.4/24", "eth1 10.0.3.1/24"}));
        QCOMPARE(column(model, GroupModel::NameColumn, gl), (QStringList{"2", "6", "4"}));
        QCOMPARE(column(model, GroupModel::LeaderColumn, gl),
                 (QStringList{"system leader", "", ""}));
        // Join sequence numbers as the core stamped them.
        const dmr::Snapshot s = td::fig5();
        QCOMPARE(model.index(1, GroupModel::SeqColumn, a).data(GroupModel::SeqRole).toLongLong(),
                 qint64(s.membership.networks.at("10.0.1.0/24").members.at(1).seq));
        QCOMPARE(model.index(0, GroupModel::SeqColumn, gl).data().toLongLong(),
                 qint64(s.membership.glGroup.members.at(0).seq));
        QCOMPARE(gl.data(GroupModel::IsGlGroupRole).toBool(), true);
        QCOMPARE(a.data(GroupModel::MemberCountRole).toInt(), 3);

        // Node 2 fails: its member rows go, node 1 joins the GL_group at the end; the groups
        // stay, and indexes of the members that stay keep pointing at them.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const QPersistentModelIndex three =
            model.memberIndex(QStringLiteral("10.0.1.0/24"), QStringLiteral("3"));
        const QPersistentModelIndex groupC = c;
        model.setSnapshot(td::fig5(true));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 2);  // 2 from network A and from the GL_group
        QCOMPARE(inserted.count(), 1); // 1 into the GL_group
        QCOMPARE(column(model, GroupModel::LeaderColumn), (QStringList{"1", "6", "4", "6"}));
        QCOMPARE(column(model, GroupModel::NameColumn, a), (QStringList{"1", "3"}));
        QCOMPARE(column(model, GroupModel::LeaderColumn, a), (QStringList{"leader", ""}));
        QCOMPARE(column(model, GroupModel::NameColumn, gl), (QStringList{"6", "4", "1"}));
        QCOMPARE(column(model, GroupModel::LeaderColumn, gl),
                 (QStringList{"system leader", "", ""}));
        QVERIFY(three.isValid());
        QCOMPARE(three.row(), 1);
        QCOMPARE(three.data().toString(), QStringLiteral("3"));
        QCOMPARE(groupC.data().toString(), QStringLiteral("10.0.3.0/24"));

        // Node 2 comes back: at the end of every list.
        model.setSnapshot(td::fig5(true, true));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(column(model, GroupModel::NameColumn, a), (QStringList{"1", "3", "2"}));
        QCOMPARE(column(model, GroupModel::NameColumn, gl), (QStringList{"6", "4", "1"}));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void eventLogIsBounded()
    {
        EventLogModel model(10, nullptr);
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QCOMPARE(headers(model), (QStringList{"Time", "Event", "Summary"}));
        for (int i = 0; i < 25; ++i)
            model.append(makeEvent(i));
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.index(0, 0).data(EventLogModel::TimeMsRole).toLongLong(), td::kTimeMs + 15);
        QCOMPARE(model.index(9, 0).data(EventLogModel::TimeMsRole).toLongLong(), td::kTimeMs + 24);
        QCOMPARE(text(model, 0, EventLogModel::KindColumn), QStringLiteral("failover"));
        QCOMPARE(text(model, 0, EventLogModel::SummaryColumn),
                 QStringLiteral("failover of 10.0.1.0/24: 2 -> 1 (connection lost)"));
        QCOMPARE(model.index(0, 0).data(EventLogModel::AgentRole).toString(), QStringLiteral("6"));

        // A batch bigger than the ring keeps its newest events.
        QList<ConsoleEvent> batch;
        for (int i = 100; i < 113; ++i)
            batch << makeEvent(i);
        model.append(batch);
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.eventAt(0).timeMs, td::kTimeMs + 103);
        QCOMPARE(model.eventAt(9).timeMs, td::kTimeMs + 112);

        // A batch while not full yet.
        EventLogModel small(5, nullptr);
        Tester smallTester(&small, Tester::FailureReportingMode::QtTest);
        small.append(QList<ConsoleEvent>{makeEvent(0), makeEvent(1)});
        small.append(QList<ConsoleEvent>{makeEvent(2), makeEvent(3), makeEvent(4), makeEvent(5),
                                         makeEvent(6)});
        QCOMPARE(small.rowCount(), 5);
        for (int r = 0; r < 5; ++r)
            QCOMPARE(small.eventAt(r).timeMs, td::kTimeMs + 2 + r);
        small.clear();
        QCOMPARE(small.rowCount(), 0);

        // The default: 5000 rows.
        EventLogModel full;
        QCOMPARE(full.capacity(), 5000);
        for (int i = 0; i < 5003; ++i)
            full.append(makeEvent(i));
        QCOMPARE(full.rowCount(), 5000);
        QCOMPARE(full.eventAt(0).timeMs, td::kTimeMs + 3);
        QCOMPARE(full.eventAt(4999).timeMs, td::kTimeMs + 5002);
    }

    void historyTable()
    {
        HistoryModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QCOMPARE(headers(model),
                 (QStringList{"Failed", "Node", "Cause", "Roles lost", "Successors",
                              "Detection (ms)", "Election (ms)", "Tunnels (ms)", "Total (ms)"}));

        QList<FailoverRecord> records = history();
        model.setRecords(records.mid(0, 1));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(text(model, 0, HistoryModel::NodeColumn), QStringLiteral("2"));
        QCOMPARE(text(model, 0, HistoryModel::CauseColumn), QStringLiteral("connection lost"));
        QCOMPARE(model.index(0, HistoryModel::CauseColumn).data(RawValueRole).toString(),
                 QStringLiteral("connection-lost"));
        // Every cell's full text is its tool tip (a column too narrow cuts it).
        QCOMPARE(model.index(0, HistoryModel::SuccessorsColumn).data(Qt::ToolTipRole).toString(),
                 text(model, 0, HistoryModel::SuccessorsColumn));
        QCOMPARE(text(model, 0, HistoryModel::RolesColumn),
                 QStringLiteral("system leader, leader of 10.0.1.0/24"));
        QCOMPARE(text(model, 0, HistoryModel::SuccessorsColumn),
                 QStringLiteral("system leader: 6, leader of 10.0.1.0/24: 1"));
        QCOMPARE(model.index(0, HistoryModel::DetectionColumn).data().toLongLong(), qint64(0));
        QVERIFY(model.index(0, HistoryModel::DetectionColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("11 ms")));
        QCOMPARE(model.index(0, HistoryModel::ElectionColumn).data().toLongLong(), qint64(1));
        QCOMPARE(model.index(0, HistoryModel::TunnelsColumn).data().toLongLong(), qint64(1));
        QCOMPARE(model.index(0, HistoryModel::TotalColumn).data().toLongLong(), qint64(2));
        QCOMPARE(model.index(0, HistoryModel::TimeColumn).data(RawValueRole).toLongLong(),
                 qint64(1795756582802));

        // A record still waiting for its tunnels: null shows empty.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setRecords(records);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 0);
        for (int c : {HistoryModel::TunnelsColumn, HistoryModel::TotalColumn}) {
            QVERIFY(!model.index(1, c).data().isValid());
            QVERIFY(!model.index(1, c).data(RawValueRole).isValid());
        }
        QCOMPARE(text(model, 1, HistoryModel::SuccessorsColumn),
                 QStringLiteral("leader of 10.0.3.0/24: nobody"));
        QCOMPARE(model.index(1, 0).data(HistoryModel::TunnelsUpRole).toBool(), false);

        // Its tunnels come up: the row changes in place.
        records[1].tunnelsUpMs = 1795756590010;
        records[1].tunnelsMs = 6;
        records[1].totalMs = 310;
        model.setRecords(records);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.index(1, HistoryModel::TotalColumn).data().toLongLong(), qint64(310));

        // Null sorts last.
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(SortRole);
        records[1].totalMs.reset();
        model.setRecords(records);
        proxy.sort(HistoryModel::TotalColumn, Qt::AscendingOrder);
        QCOMPARE(text(proxy, 0, HistoryModel::NodeColumn), QStringLiteral("2"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // The console moves from agent to agent: each failover is one row, whoever recorded it;
    // a complete record takes the place of one still waiting for its tunnels.
    void historyMergesAcrossAgents()
    {
        HistoryModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QList<FailoverRecord> fromTwo = history();
        for (auto &r : fromTwo)
            r.agent = QStringLiteral("2");
        model.mergeRecords(fromTwo);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!model.recordAt(1).totalMs);

        // Agent 6 recorded the same failovers (its own ids, times a ms apart), the second one
        // complete, and one more.
        QList<FailoverRecord> fromSix = history();
        for (auto &r : fromSix) {
            r.agent = QStringLiteral("6");
            r.id += 40;
            r.electedMs += 1;
        }
        fromSix[1].tunnelsUpMs = 1795756590010;
        fromSix[1].tunnelsMs = 6;
        fromSix[1].totalMs = 310;
        FailoverRecord third = fromSix[0];
        third.viewId = QStringLiteral("3.0");
        third.failedMs += 60000; // node 2 failed again a minute later
        third.detectedMs += 60000;
        third.electedMs += 60000;
        if (third.tunnelsUpMs)
            *third.tunnelsUpMs += 60000;
        fromSix << third;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.mergeRecords(fromSix);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.recordAt(0).agent, QStringLiteral("2")); // complete already: kept
        QCOMPARE(model.recordAt(1).agent, QStringLiteral("6")); // completes the one held
        QCOMPARE(model.recordAt(1).totalMs.value_or(-1), qint64(310));
        QCOMPARE(model.recordAt(2).viewId, QStringLiteral("3.0"));

        // The same again changes nothing; an older agent's incomplete copy does not undo it.
        model.mergeRecords(fromTwo);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(model.recordAt(1).totalMs.has_value());

        // CSV: a header and a row each, times in UTC, commas quoted.
        const QList<QByteArray> lines = model.toCsv().split('\n');
        QCOMPARE(lines.size(), 5); // 4 lines, the last one ends with CRLF too
        QVERIFY(lines[0].startsWith("failed_utc,node,cause,"));
        QVERIFY2(lines[1].startsWith("2026-11-27T") || lines[1].contains("Z,2,connection-lost,"),
                 lines[1].constData());
        QVERIFY2(lines[1].contains(",2,connection-lost,system-leader;leader 10.0.1.0/24,"),
                 lines[1].constData());
        QVERIFY(lines[1].endsWith('\r'));
    }

    // A departure is decided once, by one agent, and every agent records it at that decision's
    // time; which view removed the node's roles may differ from agent to agent (a node that
    // flaps while the cluster starts lands in different views on different agents). Two such
    // reports are one row; the same node's next departure is another.
    void historyKeepsOneRowPerDeparture()
    {
        HistoryModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        FailoverRecord fromTwo = history().at(0); // node 2, connection-lost, view 2.0
        fromTwo.agent = QStringLiteral("2");
        fromTwo.viewId = QStringLiteral("1.4");
        FailoverRecord fromSix = fromTwo;
        fromSix.agent = QStringLiteral("6");
        fromSix.id = 41;
        fromSix.viewId = QStringLiteral("1.5");
        fromSix.electedMs += 1;
        FailoverRecord fromFour = fromTwo;
        fromFour.agent = QStringLiteral("4");
        fromFour.id = 7;
        fromFour.viewId = QStringLiteral("2.0");

        model.mergeRecords({fromTwo});
        model.mergeRecords({fromSix});
        QCOMPARE(model.rowCount(), 1);
        model.mergeRecords({fromFour, fromSix});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.recordAt(0).node, QStringLiteral("2"));

        // One agent's page holding both (it was told the other's record): still one row.
        HistoryModel one;
        one.mergeRecords({fromTwo, fromSix, fromFour});
        QCOMPARE(one.rowCount(), 1);

        // Node 2 came back and failed again: a departure decided later is another failover,
        // whatever view it is in.
        FailoverRecord again = fromSix;
        again.id = 42;
        again.failedMs += 20000;
        again.detectedMs += 20000;
        again.electedMs += 20000;
        again.viewId = QStringLiteral("1.5"); // an agent that numbers views anew after a restart
        model.mergeRecords({again});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.recordAt(1).failedMs, fromTwo.failedMs + 20000);

        // Another node's departure decided in the same millisecond is its own row.
        FailoverRecord other = fromTwo;
        other.node = QStringLiteral("3");
        model.mergeRecords({other});
        QCOMPARE(model.rowCount(), 3);
    }

    // One change heard from two agents (the same view id) is one row; events without a view
    // id (an older agent) are never taken for another's.
    void eventLogDropsWhatItShows()
    {
        EventLogModel model(10, nullptr);
        ConsoleEvent a = makeEvent(1);
        a.viewId = QStringLiteral("2.0");
        ConsoleEvent b = a; // the same failover, as agent 4 reported it a ms later
        b.agent = QStringLiteral("4");
        b.timeMs += 1;
        QCOMPARE(model.append(a), 1);
        QCOMPARE(model.append(b), 0);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.contains(b));
        ConsoleEvent other = a;
        other.viewId = QStringLiteral("2.1");
        QCOMPARE(model.append(QList<ConsoleEvent>{b, other, other}), 1);
        QCOMPARE(model.rowCount(), 2);
        ConsoleEvent old = makeEvent(5);
        QCOMPARE(model.append(QList<ConsoleEvent>{old, old}), 2);
        // A key leaves with its row: once the ring dropped it, it may come again.
        for (int i = 0; i < 10; ++i)
            model.append(makeEvent(100 + i));
        QVERIFY(!model.contains(a));
        QCOMPARE(model.append(a), 1);
        // A drill is one drill by its start on its target, whoever announces it.
        ConsoleEvent drill;
        drill.kind = ConsoleEvent::Kind::Drill;
        drill.action = QStringLiteral("kill");
        drill.node = QStringLiteral("2");
        drill.timeMs = td::kTimeMs;
        drill.agent = QStringLiteral("2");
        ConsoleEvent forwarded = drill;
        forwarded.agent = QStringLiteral("6");
        QCOMPARE(model.append(drill), 1);
        QCOMPARE(model.append(forwarded), 0);
    }

    // The plan over time from a view log: every view rebuilt, degraded periods, and a later
    // agent's log taking over from its base on.
    void planTimeline()
    {
        const dmr::Snapshot whole = td::fig5();
        const dmr::Snapshot failed = td::fig5(true);
        ViewsPage page;
        page.page = Page{QStringLiteral("2@1"), 3, false};
        page.agent = QStringLiteral("2");
        page.hasBase = true;
        page.baseViewId = QStringLiteral("1.5");
        page.base = whole;
        dmr::ViewDelta d = dmr::diffSnapshots(whole, failed);
        d.rev = 2;
        d.viewId = "2.0";
        d.timeMs = whole.timeMs + 1000;
        dmr::ViewDelta back = dmr::diffSnapshots(failed, whole);
        back.rev = 3;
        back.viewId = "2.1";
        back.timeMs = whole.timeMs + 5000;
        page.views = {d, back};
        PlanTimeline t;
        QSignalSpy changed(&t, &PlanTimeline::changed);
        t.addPage(page);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(t.frameCount(), 3);
        QVERIFY(t.snapshotAt(1).plan == failed.plan);
        QVERIFY(t.snapshotAt(2).membership == whole.membership);
        QCOMPARE(t.frameOf(QStringLiteral("2.0")), 1);
        QCOMPARE(t.frameAt(whole.timeMs + 1500), 1);
        QCOMPARE(t.frameAt(whole.timeMs - 1), -1);
        const auto periods = t.degradedPeriods();
        QCOMPARE(periods.size(), 1);
        QCOMPARE(periods[0].startMs, whole.timeMs + 1000);
        QCOMPARE(periods[0].endMs, whole.timeMs + 5000);
        QVERIFY2(periods[0].why.join(u' ').contains(QStringLiteral("node 2 failed")),
                 qPrintable(periods[0].why.join(u' ')));

        // Deltas of another agent's log, without its base, cannot be placed: ignored.
        ViewsPage stray = page;
        stray.hasBase = false;
        stray.page.instance = QStringLiteral("6@1");
        t.addPage(stray);
        QCOMPARE(t.frameCount(), 3);
        // Agent 6's log from view 2.0 on replaces what is held from then on.
        ViewsPage six;
        six.page = Page{QStringLiteral("6@1"), 1, false};
        six.agent = QStringLiteral("6");
        six.hasBase = true;
        six.baseViewId = QStringLiteral("2.0");
        six.base = failed;
        six.base.timeMs = whole.timeMs + 1000;
        t.addPage(six);
        QCOMPARE(t.frameCount(), 2);
        QCOMPARE(t.frame(1).agent, QStringLiteral("6"));
        QCOMPARE(t.degradedPeriods().size(), 1);
        QCOMPARE(t.degradedPeriods()[0].endMs, qint64(-1)); // still degraded
    }

    void reachabilityMatrix()
    {
        const auto parsed = parseReachability(resultText(td::kReachabilityJson));
        QVERIFY2(bool(parsed), parsed ? "" : parsed.error().message.c_str());
        const ReachabilityMatrix &m = parsed.value();
        QCOMPARE(m.nodes, (QStringList{"1", "2", "3", "4", "5", "6"}));
        QCOMPARE(m.askedBy, QStringLiteral("2"));
        QCOMPARE(m.rows.size(), 6);
        QVERIFY(!m.row(QStringLiteral("5"))->answered);
        // Nobody hears 3; nobody hears 5 either, and 5 itself did not answer.
        QCOMPARE(m.unreachable(), (QStringList{"3", "5"}));

        ReachabilityModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setMatrix(m);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.columnCount(), 6);
        QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), QStringLiteral("4"));
        using S = ReachabilityModel::CellState;
        const auto state = [&](int row, int column) {
            return S(model.index(row, column).data(ReachabilityModel::CellStateRole).toInt());
        };
        QCOMPARE(state(0, 0), S::Self);
        QCOMPARE(state(0, 1), S::Heard);      // 1 hears 2
        QCOMPARE(state(0, 2), S::Silent);     // 1 does not hear 3
        QCOMPARE(state(4, 0), S::Unanswered); // the row of 5
        // The share heard: 4 hears 75 % of 1's recent probes (a loss of 25 %); a clean cell 100 %.
        QCOMPARE(model.index(3, 0).data().toString(), QStringLiteral("75%")); // 4 hears 1
        QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("100%"));
        QCOMPARE(model.index(3, 0).data(ReachabilityModel::LossRole).toDouble(), 0.25);
        QCOMPARE(model.index(0, 2).data().toString(), QStringLiteral("✕"));
        QVERIFY(!model.index(0, 2).data(ReachabilityModel::LossRole).isValid());
        QVERIFY(model.index(3, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("75%")));
        // Colours: a clean cell is green-ish, a silent one red-ish, a lossy one in between.
        const QColor clean = model.index(0, 1).data(Qt::BackgroundRole).value<QColor>();
        const QColor silent = model.index(0, 2).data(Qt::BackgroundRole).value<QColor>();
        const QColor lossy = model.index(3, 0).data(Qt::BackgroundRole).value<QColor>();
        QVERIFY(clean.green() > clean.red());
        QVERIFY(silent.red() > silent.green());
        QVERIFY(lossy.red() > clean.red());

        // The same nodes: cells change in place.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        ReachabilityMatrix healed = m;
        for (auto &row : healed.rows)
            for (auto &c : row.heard)
                c.heard = true;
        model.setMatrix(healed);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(state(0, 2), S::Heard);
        QCOMPARE(healed.unreachable(), QStringList{}); // 5 answers nothing, but others hear it

        // Other nodes: a reset.
        ReachabilityMatrix smaller = healed;
        smaller.nodes.removeLast();
        model.setMatrix(smaller);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // The replies PROTOCOL.md shows, captured from a real lab, read as the console reads them:
    // the documented shape and the parser cannot drift apart.
    void reachabilityFromTheProtocolDocument()
    {
        QFile doc(QStringLiteral(DMR_PROTOCOL_MD));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        QMap<int, ReachabilityMatrix> byId;
        for (const QByteArray &line : doc.readAll().split('\n')) {
            if (!line.startsWith("< {\"type\":\"reply\"") || !line.contains("\"asked_by\""))
                continue;
            const QJsonObject reply = QJsonDocument::fromJson(line.mid(2)).object();
            const auto m = parseReachability(
                QJsonDocument(reply.value("result").toObject()).toJson().toStdString());
            QVERIFY2(bool(m), m ? "" : m.error().message.c_str());
            byId.insert(reply.value("id").toInt(), m.value());
        }
        QCOMPARE(byId.size(), 2);
        const ReachabilityMatrix everyone = byId.first();
        QCOMPARE(everyone.nodes.size(), 6);
        QCOMPARE(everyone.unreachable(), QStringList{});
        const ReachabilityMatrix killed = byId.last();
        QCOMPARE(killed.unreachable(), QStringList{"2"});
        ReachabilityModel model;
        model.setMatrix(killed);
        QCOMPARE(ReachabilityModel::CellState(
                     model.index(0, 1).data(ReachabilityModel::CellStateRole).toInt()),
                 ReachabilityModel::CellState::Silent);
    }

    void reachabilityRefusesBadReplies_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("no rows")
            << QByteArray(R"({"nodes":[],"interval_ms":1,"asked_by":"1","time_ms":1})")
            << QStringLiteral("get-reachability: rows: missing");
        QTest::newRow("loss a string")
            << QByteArray(
                   R"({"nodes":["1"],"interval_ms":1,"asked_by":"1","time_ms":1,"rows":[{"node":"1","answered":true,"probing":true,"heard":[{"from":"2","heard":true,"received":1,"lost":0,"duplicates":0,"loss":"none","last_seen_ms":1,"age_ms":1,"via":[]}]}]})")
            << QStringLiteral(
                   "get-reachability: rows[0].heard[0].loss: expected a number, found string");
        QTest::newRow("answered missing")
            << QByteArray(
                   R"({"nodes":["1"],"interval_ms":1,"asked_by":"1","time_ms":1,"rows":[{"node":"1","heard":[]}]})")
            << QStringLiteral("get-reachability: rows[0].answered: missing");
    }

    void reachabilityRefusesBadReplies()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const auto parsed = parseReachability(json.toStdString());
        QVERIFY(!parsed);
        QVERIFY2(QString::fromStdString(parsed.error().message).startsWith(error),
                 parsed.error().message.c_str());
    }

    void drillTable()
    {
        DrillModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QCOMPARE(headers(model), (QStringList{"Started", "Action", "Node", "Interface", "Reason",
                                              "Client", "Duration (ms)", "Ended", "Via"}));
        QList<DrillRecord> records = drills();
        model.setRecords(records);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(column(model, DrillModel::ActionColumn), (QStringList{"kill", "fail adapter"}));
        QCOMPARE(column(model, DrillModel::InterfaceColumn), (QStringList{"", "eth1"}));
        QCOMPARE(column(model, DrillModel::ReasonColumn),
                 (QStringList{"failover drill", "cable pull"}));
        QCOMPARE(column(model, DrillModel::ViaColumn), (QStringList{"6", ""}));
        QCOMPARE(model.index(0, DrillModel::DurationColumn).data().toLongLong(), qint64(3000));
        QVERIFY(!model.index(1, DrillModel::DurationColumn).data().isValid());
        QCOMPARE(text(model, 0, DrillModel::EndedColumn), QString()); // in force
        QVERIFY(!text(model, 1, DrillModel::EndedColumn).isEmpty());
        QCOMPARE(model.index(0, 0).data(DrillModel::InForceRole).toBool(), true);
        QCOMPARE(model.index(1, 0).data(DrillModel::ActionRole).toString(),
                 QStringLiteral("fail-adapter"));

        // The kill ends; a restore is recorded.
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        records[0].endedMs = 1795756585801;
        DrillRecord restore;
        restore.id = 3;
        restore.action = QStringLiteral("restore");
        restore.node = QStringLiteral("2");
        restore.reason = QStringLiteral("end of drill 1 (failover drill)");
        restore.client = QStringLiteral("dmr-agent timer");
        restore.startedMs = 1795756585801;
        restore.endedMs = 1795756585801;
        records << restore;
        model.setRecords(records);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.index(0, 0).data(DrillModel::InForceRole).toBool(), false);
        QCOMPARE(text(model, 2, DrillModel::ActionColumn), QStringLiteral("restore"));

        // Another agent's records (its own numbering): still right, reset or not.
        model.setRecords(records.mid(1));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(column(model, DrillModel::ActionColumn), (QStringList{"fail adapter", "restore"}));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // The console moves from agent to agent: the audit view keeps the union of their lists.
    void drillsMergeAcrossAgents()
    {
        DrillModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        const QList<DrillRecord> first = drills(); // a kill of 2 taken by 6, a fail-adapter
        model.mergeRecords(first);
        QCOMPARE(model.rowCount(), 2);

        // The agent that held them is gone; another one lists the kill under its own id (it
        // carried it out), now ended, and a drill of its own.
        DrillRecord kill = first[0];
        kill.id = 41;
        kill.endedMs = kill.startedMs + 3000;
        DrillRecord drain;
        drain.id = 42;
        drain.action = QStringLiteral("drain");
        drain.node = QStringLiteral("4");
        drain.reason = QStringLiteral("maintenance");
        drain.startedMs = first[1].startedMs + 10;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.mergeRecords({kill, drain});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(column(model, DrillModel::ActionColumn),
                 (QStringList{"kill", "fail adapter", "drain"}));
        QCOMPARE(model.index(0, 0).data(DrillModel::InForceRole).toBool(), false); // newer report
        QCOMPARE(model.recordAt(0).id, qint64(41));

        // An agent that lists nothing takes nothing away.
        model.mergeRecords({});
        QCOMPARE(model.rowCount(), 3);

        // Bounded: the oldest go first.
        QList<DrillRecord> many;
        for (int i = 0; i < DrillModel::kMergedMax + 10; ++i) {
            DrillRecord r;
            r.id = 1000 + i;
            r.action = QStringLiteral("drain");
            r.node = QStringLiteral("n%1").arg(i);
            r.startedMs = first[1].startedMs + 100 + i;
            many << r;
        }
        model.mergeRecords(many);
        QCOMPARE(model.rowCount(), DrillModel::kMergedMax);
        QCOMPARE(model.recordAt(model.rowCount() - 1).node,
                 QStringLiteral("n%1").arg(DrillModel::kMergedMax + 9));
    }

    // A restore ends what was in force on its node, though the record of the drill came from
    // an agent the console no longer reaches (a killed system leader's own).
    void restoreEndsDrillsInForce()
    {
        DrillModel model;
        DrillRecord kill;
        kill.id = 1;
        kill.action = QStringLiteral("kill");
        kill.node = QStringLiteral("2");
        kill.reason = QStringLiteral("r");
        kill.startedMs = td::kTimeMs;
        DrillRecord adapter = kill;
        adapter.action = QStringLiteral("fail-adapter");
        adapter.node = QStringLiteral("4");
        adapter.iface = QStringLiteral("eth1");
        model.mergeRecords({kill, adapter});
        QCOMPARE(model.index(0, 0).data(DrillModel::InForceRole).toBool(), true);
        DrillRecord restore = kill;
        restore.id = 9;
        restore.action = QStringLiteral("restore");
        restore.startedMs = td::kTimeMs + 3000;
        restore.endedMs = restore.startedMs;
        model.mergeRecords({restore});
        QCOMPARE(model.recordAt(0).endedMs.value_or(-1), td::kTimeMs + 3000);
        QVERIFY(!model.recordAt(1).endedMs); // node 4's drill is still in force
        DrillRecord otherAdapter = restore;
        otherAdapter.node = QStringLiteral("4");
        otherAdapter.iface = QStringLiteral("eth0");
        model.mergeRecords({otherAdapter});
        QVERIFY(!model.recordAt(1).endedMs); // another adapter's restore ends nothing
        // An agent that still says "in force" does not undo it.
        model.mergeRecords({kill});
        QVERIFY(model.recordAt(0).endedMs.has_value());
    }

    // The routing points' relay state put together: each group with the networks that want it
    // and the tunnels it goes into; a null peer_wants floods; an older agent is unknown.
    void listenersAndPaths()
    {
        const auto s2 = parseRelayState(resultText(td::kRelayState2));
        const auto s6 = parseRelayState(resultText(td::kRelayState6));
        const auto s4 = parseRelayState(resultText(td::kRelayState4Old));
        QVERIFY2(s2 && s6 && s4, "the canned states parse");
        QVERIFY(!s4.value().listenersKnown);
        QCOMPARE(s4.value().tunnels.at(0).peerWants.kind, dmr::reply::GroupList::Kind::Unknown);

        ListenerModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        model.setSnapshot(td::fig5());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasStates());
        QVERIFY2(model.networkText("10.0.1.0/24").contains("unknown"),
                 qPrintable(model.networkText("10.0.1.0/24")));

        QSignalSpy changed(&model, &ListenerModel::listenersChanged);
        model.setState("2", s2.value());
        model.setState("6", s6.value());
        model.setState("4", s4.value());
        QVERIFY(changed.count() >= 3);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, ListenerModel::GroupColumn).data().toString(),
                 QStringLiteral("239.1.0.5"));
        QCOMPARE(model.index(0, 0).data(ListenerModel::NetworksRole).toStringList(),
                 (QStringList{"10.0.1.0/24", "10.0.2.0/24"}));
        const ListenerModel::Row &five = model.rows().at(0);
        QCOMPARE(five.path, (QStringList{"2 → 6", "6 → 2"}));
        QCOMPARE(five.flooding, QStringList{"2 → 4"}); // 4 has not said what it wants
        const ListenerModel::Row &seven = model.rows().at(1);
        QCOMPARE(seven.networks, QStringList{"10.0.1.0/24"});
        QCOMPARE(seven.path, QStringList{"6 → 2"});
        QCOMPARE(model.index(1, ListenerModel::PathColumn).data().toString(),
                 QStringLiteral("6 → 2, 2 → 4 (floods)"));

        // Each tunnel end: a list, everything (null), unknown (an older agent).
        QCOMPARE(model.carry("2", "6").kind, ListenerModel::Carry::Kind::Groups);
        QCOMPARE(ListenerModel::groupsText(model.carry("2", "6")), QStringLiteral("1 group"));
        QCOMPARE(ListenerModel::carryText(model.carry("6", "2")),
                 QStringLiteral("carries 2 groups"));
        QCOMPARE(ListenerModel::carryText(model.carry("2", "4")),
                 QStringLiteral("carries everything"));
        QCOMPARE(model.carry("4", "2").kind, ListenerModel::Carry::Kind::Unknown);
        QCOMPARE(ListenerModel::groupsText(model.carry("4", "2")), QString());
        QCOMPARE(model.carry("2", "6").pruned, std::optional<qint64>(12));
        const QString tip = model.tunnelText("2", "4");
        QVERIFY2(tip.contains("2 → 4: everything") && !tip.contains("4 → 2"), qPrintable(tip));

        // A network as its routing point sees it, with ages; one whose agent predates listening.
        const QString a = model.networkText("10.0.1.0/24");
        QVERIFY2(a.contains("as node 2 sees them (querier: node 2)"), qPrintable(a));
        QVERIFY2(a.contains("239.1.0.5 for 1.2 s, 1 reporter"), qPrintable(a));
        QVERIFY2(a.contains("239.1.0.7 for 1 min 15 s, 2 reporters"), qPrintable(a));
        QVERIFY2(model.networkText("10.0.2.0/24").contains("querier: 10.0.2.4"),
                 qPrintable(model.networkText("10.0.2.0/24")));
        const QString c = model.networkText("10.0.3.0/24");
        QVERIFY2(c.contains("unknown") && c.contains("node 4 does not report listeners"),
                 qPrintable(c));

        // Node 6 stops answering: B's groups are no longer known, its word on the tunnel neither.
        model.setFailed("6", "could not ask 127.0.0.1:1: Connection refused");
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rows().at(0).networks, QStringList{"10.0.1.0/24"});
        QVERIFY(model.networkText("10.0.2.0/24").contains("node 6 did not answer"));
        QCOMPARE(model.carry("6", "2").kind, ListenerModel::Carry::Kind::Unknown);
        // Node 1 snoops C in the meantime: it describes C while 4 says nothing.
        model.setState(
            "1",
            parseRelayState(
                resultText(R"({"node":"1","leads":[],"relay":{"prune":true,"listeners":[)"
                           R"({"network":"10.0.3.0/24","querying":false,"querier":null,"groups":[)"
                           R"({"group":"239.1.0.9","age_ms":100}]}],"tunnels":[]}})"))
                .value());
        model.setFailed("4", "gone");
        const QString snooped = model.networkText("10.0.3.0/24");
        QVERIFY2(snooped.contains("as node 1 snoops them (querier: none)") &&
                     snooped.contains("239.1.0.9 for 0.1 s") && !snooped.contains("reporter"),
                 qPrintable(snooped));
        QCOMPARE(model.rows().last().group, QStringLiteral("239.1.0.9"));
        QCOMPARE(model.index(2, ListenerModel::PathColumn).data().toString(),
                 QStringLiteral("2 → 4 (floods)"));
    }

    // What the limits dropped, from the routing points' relay state: a row per tunnel end and
    // per channel range (not the probe's), each count where the agent reports it; a second
    // answer whose drops grew marks the row growing, with drops per second over the time
    // between the answers; an unchanged one does not; counters that went down (a restarted
    // agent) give no rate; a node that fails to answer takes its rows away.
    void limitsDropsPerTunnelAndChannel()
    {
        const auto first = parseRelayState(td::relayLimits2(100, 7));
        const auto grown = parseRelayState(td::relayLimits2(220, 7));
        QVERIFY2(first && grown, "the canned states parse");
        QCOMPARE(first.value().tunnelTo("6")->limitedPackets, std::optional<std::int64_t>(100));
        QCOMPARE(first.value().channels.at(0).boundaryPackets, std::optional<std::int64_t>(7));

        LimitModel model;
        Tester tester(&model, Tester::FailureReportingMode::QtTest);
        QSignalSpy changed(&model, &LimitModel::dropsChanged);
        QVERIFY(!model.hasStates());
        model.setState("2", first.value(), 10'000);
        QCOMPARE(changed.count(), 1);
        // 2 → 4, 2 → 6, then the channel range; the probe channel has no row.
        QCOMPARE(model.rowCount(), 3);
        auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        QCOMPARE(cell(0, LimitModel::WhereColumn).toString(), QStringLiteral("2 → 4"));
        QCOMPARE(cell(1, LimitModel::WhereColumn).toString(), QStringLiteral("2 → 6"));
        QCOMPARE(cell(1, LimitModel::NodeColumn).toString(), QStringLiteral("2"));
        QCOMPARE(cell(1, LimitModel::RateLimitColumn).toString(), QStringLiteral("100 (80.0 kB)"));
        QCOMPARE(cell(1, LimitModel::RateLimitColumn, RawValueRole).toLongLong(), 100);
        QCOMPARE(cell(0, LimitModel::RateLimitColumn).toString(), QStringLiteral("0"));
        // A tunnel has no boundary or threshold of its own: they act where a datagram is heard.
        QCOMPARE(cell(1, LimitModel::BoundaryColumn).toString(), QStringLiteral("–"));
        QVERIFY(!cell(1, LimitModel::BoundaryColumn, RawValueRole).isValid());
        QCOMPARE(cell(2, LimitModel::WhereColumn).toString(),
                 QStringLiteral("239.1.0.0/16:5000-5100"));
        QCOMPARE(cell(2, LimitModel::RateLimitColumn).toString(), QStringLiteral("40 (4.0 kB)"));
        QCOMPARE(cell(2, LimitModel::BoundaryColumn).toString(), QStringLiteral("7"));
        QCOMPARE(cell(2, LimitModel::ThresholdColumn).toString(), QStringLiteral("0"));
        QCOMPARE(cell(2, 0, LimitModel::DroppedRole).toLongLong(), 47);
        QCOMPARE(model.droppedTotal(), 147);
        // Non-zero counts in bold; nothing grows before a second answer.
        QVERIFY(cell(1, LimitModel::RateLimitColumn, Qt::FontRole).value<QFont>().bold());
        QVERIFY(!cell(0, LimitModel::RateLimitColumn, Qt::FontRole).isValid());
        QCOMPARE(cell(1, LimitModel::NowColumn).toString(), QString());
        QVERIFY(!cell(1, 0, LimitModel::GrowingRole).toBool());
        QVERIFY(!cell(1, 0, Qt::BackgroundRole).isValid());
        QCOMPARE(model.tunnelLabel("2", "6"), QStringLiteral("100 dropped"));
        QCOMPARE(model.tunnelLabel("2", "4"), QString());
        QVERIFY(!model.tunnelGrowing("2", "6"));
        const QString tip = model.tunnelText("2", "6");
        QVERIFY2(tip == QStringLiteral("2 → 6: the rate limit (30.0 kB/s (burst 8.2 kB)) dropped "
                                       "100 datagrams (80.0 kB)"),
                 qPrintable(tip));
        QVERIFY2(model.index(1, LimitModel::RateLimitColumn)
                     .data(Qt::ToolTipRole)
                     .toString()
                     .contains("each tunnel at node 2: 30.0 kB/s (burst 8.2 kB)"),
                 qPrintable(
                     model.index(1, LimitModel::RateLimitColumn).data(Qt::ToolTipRole).toString()));

        // Two seconds later the tunnel to 6 dropped 120 more: 60 a second, and it stands out.
        model.setState("2", grown.value(), 12'000);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(cell(1, 0, LimitModel::GrowingRole).toBool());
        QCOMPARE(cell(1, 0, LimitModel::PerSecondRole).toDouble(), 60.0);
        QCOMPARE(cell(1, LimitModel::NowColumn).toString(), QStringLiteral("▲ 60/s"));
        QVERIFY(cell(1, LimitModel::NowColumn, Qt::BackgroundRole).isValid());
        QVERIFY(cell(1, LimitModel::NowColumn, Qt::FontRole).value<QFont>().bold());
        QCOMPARE(cell(1, LimitModel::RateLimitColumn).toString(), QStringLiteral("220 (176.0 kB)"));
        // The channel range dropped nothing more: 0/s, no tint.
        QVERIFY(!cell(2, 0, LimitModel::GrowingRole).toBool());
        QCOMPARE(cell(2, LimitModel::NowColumn).toString(), QStringLiteral("0/s"));
        QVERIFY(!cell(2, LimitModel::NowColumn, Qt::BackgroundRole).isValid());
        QCOMPARE(model.growingRows(), QStringList{"2 → 6"});
        QVERIFY(model.tunnelGrowing("2", "6") && model.tunnelGrowing("6", "2"));
        QVERIFY(!model.tunnelGrowing("2", "4"));
        QCOMPARE(model.tunnelLabel("2", "6"), QStringLiteral("220 dropped"));
        QVERIFY2(model.tunnelText("2", "6").endsWith("— dropping now: 60/s"),
                 qPrintable(model.tunnelText("2", "6")));

        // The node's details: each channel range's drops, and the limits in force.
        const QString node = model.nodeText("2");
        QVERIFY2(node.contains("239.1.0.0/16:5000-5100: rate limit 40, boundary 7, below "
                               "threshold 0"),
                 qPrintable(node));
        QVERIFY2(node.contains("Limits: per tunnel 30.0 kB/s (burst 8.2 kB); per channel range "
                               "100 datagrams/s (burst 20); threshold 1"),
                 qPrintable(node));
        QVERIFY2(node.contains("Boundaries: 239.255.0.0/16, 224.0.0.0/24, 239.3.0.0/16 on "
                               "10.0.2.0/24"),
                 qPrintable(node));
        QVERIFY(!node.contains("probe"));
        QCOMPARE(model.nodeText("6"), QString());

        // The same counts again: no longer growing.
        model.setState("2", grown.value(), 14'000);
        QVERIFY(!cell(1, 0, LimitModel::GrowingRole).toBool());
        QCOMPARE(cell(1, LimitModel::NowColumn).toString(), QStringLiteral("0/s"));
        QVERIFY(model.growingRows().isEmpty());
        // Nothing new: no signal (the window redraws nothing).
        const auto emitted = changed.count();
        model.setState("2", grown.value(), 15'000);
        QCOMPARE(changed.count(), emitted);
        // The boundary counts too.
        model.setState("2", parseRelayState(td::relayLimits2(220, 17)).value(), 17'000);
        QCOMPARE(model.growingRows(), QStringList{"239.1.0.0/16:5000-5100 at node 2"});
        QCOMPARE(cell(2, LimitModel::NowColumn).toString(), QStringLiteral("▲ 5.0/s"));
        // A restarted agent counts from 0 again: no rate until its next answer.
        model.setState("2", first.value(), 18'000);
        QVERIFY(!cell(1, 0, LimitModel::GrowingRole).toBool());
        QVERIFY(!cell(1, 0, LimitModel::PerSecondRole).isValid());

        // An agent before limits: its tunnel's count is unknown, and it has no channel rows.
        model.setState("4", parseRelayState(resultText(td::kRelayState4Old)).value(), 18'000);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(3, LimitModel::WhereColumn).toString(), QStringLiteral("4 → 2"));
        QCOMPARE(cell(3, LimitModel::RateLimitColumn).toString(), QStringLiteral("unknown"));
        QVERIFY(!model.tunnelText("4", "2").contains("4 → 2")); // unknown: no line

        // Counts no agent sends (negative, or summing past 2^63) neither overflow nor go below
        // zero: the sums stop at the largest count.
        model.setState(
            "6",
            parseRelayState(
                resultText(R"({"node":"6","relay":{"tunnels":[{"peer":"2",)"
                           R"("limited_packets":9223372036854775807}],"channels":[{"channel":"x",)"
                           R"("limited_packets":9223372036854775807,"boundary_packets":5,)"
                           R"("below_threshold_packets":-7}]}})"))
                .value(),
            18'000);
        QCOMPARE(model.droppedTotal(), std::numeric_limits<qint64>::max());
        QCOMPARE(model.tunnelLabel("2", "6"),
                 QStringLiteral("%1 dropped").arg(std::numeric_limits<qint64>::max()));
        model.setFailed("6");

        // Node 2 stops answering: its rows go.
        model.setFailed("2");
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.tunnelLabel("2", "6"), QString());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasStates());
    }

    void relayStateErrorsNameTheField()
    {
        const auto bad = parseRelayState(
            resultText(R"({"node":"2","relay":{"tunnels":[{"peer":"6","peer_wants":[5]}]}})"));
        QVERIFY(!bad);
        QVERIFY2(QString::fromStdString(bad.error().message)
                     .contains("relay.tunnels[0].peer_wants[0]: expected a string"),
                 bad.error().message.c_str());
        const auto off = parseRelayState(resultText(R"({"node":"3","relay":null})"));
        QVERIFY(off && !off.value().relayOn);
    }

    void clusterStore()
    {
        ClusterStore store;
        Tester nodes(store.nodeModel(), Tester::FailureReportingMode::QtTest);
        Tester groups(store.groupModel(), Tester::FailureReportingMode::QtTest);
        Tester historyTester(store.historyModel(), Tester::FailureReportingMode::QtTest);
        Tester drillTester(store.drillModel(), Tester::FailureReportingMode::QtTest);
        Tester events(store.eventLogModel(), Tester::FailureReportingMode::QtTest);
        QSignalSpy changed(&store, &ClusterStore::snapshotChanged);
        QSignalSpy leader(&store, &ClusterStore::systemLeaderChanged);
        QSignalSpy view(&store, &ClusterStore::viewIdChanged);
        QVERIFY(!store.hasSnapshot());
        QVERIFY(store.snapshotJson().isEmpty());

        const dmr::Snapshot before = td::fig5();
        store.setCluster(before, QStringLiteral("1.5"), {QStringLiteral("127.0.0.1:25400")});
        QVERIFY(store.hasSnapshot());
        QCOMPARE(store.nodeModel()->rowCount(), 6);
        QCOMPARE(store.groupModel()->rowCount(), 4);
        QCOMPARE(store.systemLeader(), QStringLiteral("2"));
        QCOMPARE(store.clusterName(), QStringLiteral("fig5"));
        QCOMPARE(store.viewId(), QStringLiteral("1.5"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(leader.count(), 1);
        QCOMPARE(view.count(), 1);

        // The same cluster at a later time: nothing to tell.
        store.setCluster(td::fig5(false, false, td::kTimeMs + 1000), QStringLiteral("1.5"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(store.snapshot().timeMs, td::kTimeMs + 1000);

        // Node 2 fails.
        store.setCluster(td::fig5(true), QStringLiteral("2.0"));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(leader.count(), 2);
        QCOMPARE(leader.last().first().toString(), QStringLiteral("6"));
        QCOMPARE(view.last().first().toString(), QStringLiteral("2.0"));
        QCOMPARE(text(*store.nodeModel(), 1, NodeTableModel::StateColumn),
                 QStringLiteral("failed"));

        // Export: the core's own document and DOT.
        const QByteArray json = store.snapshotJson();
        auto back = dmr::parseSnapshot(std::string_view(json.constData(), size_t(json.size())));
        QVERIFY(back.ok());
        QCOMPARE(back.value(), td::fig5(true));
        QVERIFY(store.snapshotDot().startsWith("graph "));

        store.setHistory(history());
        store.setDrills(drills());
        store.addEvent(makeEvent(1));
        QCOMPARE(store.historyModel()->rowCount(), 2);
        QCOMPARE(store.drillModel()->rowCount(), 2);
        QCOMPARE(store.eventLogModel()->rowCount(), 1);

        store.clear();
        QVERIFY(!store.hasSnapshot());
        QCOMPARE(store.nodeModel()->rowCount(), 0);
        QCOMPARE(store.groupModel()->rowCount(), 0);
        QCOMPARE(store.historyModel()->rowCount(), 0);
        QCOMPARE(leader.last().first().toString(), QString());
    }
};

QTEST_GUILESS_MAIN(TestConsoleModels)
#include "tst_console_models.moc"
