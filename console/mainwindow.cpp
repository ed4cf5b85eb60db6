#include "mainwindow.h"

#include "client/agent_client.h"
#include "drilldialog.h"
#include "models/cluster_store.h"
#include "models/drill_model.h"
#include "models/event_log_model.h"
#include "models/format.h"
#include "models/history_model.h"
#include "models/limit_model.h"
#include "models/listener_model.h"
#include "models/model_roles.h"
#include "models/node_table_model.h"
#include "models/plan_timeline.h"
#include "models/reachability_model.h"
#include "models/whatif.h"
#include "notifier.h"
#include "scene/export.h"
#include "scene/topologyscene.h"
#include "scene/topologyview.h"
#include "timelinewidget.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSaveFile>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace dmr::console {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabled(0x7a, 0x7e, 0x85);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x58, 0xa6, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, window.lighter(150));
    p.setColor(QPalette::Mid, window.lighter(120));
    p.setColor(QPalette::Dark, base.darker(120));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

QTableView *makeTable(QWidget *parent)
{
    auto *t = new QTableView(parent);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->setWordWrap(false);
    // Columns as wide as their content (the full text is the tool tip when cut), the last one
    // taking what is left.
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setTextElideMode(Qt::ElideRight);
    return t;
}

QDockWidget *makeDock(QMainWindow *w, const QString &title, const QString &name, QWidget *content,
                      Qt::DockWidgetArea area)
{
    auto *d = new QDockWidget(title, w);
    d->setObjectName(name);
    d->setWidget(content);
    w->addDockWidget(area, d);
    return d;
}

} // namespace

bool exportByPath(TopologyScene &scene, const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return exportPng(scene, path, error);
    if (suffix == QLatin1String("svg"))
        return exportSvg(scene, path, error);
    if (const auto format = snapshotFormatForPath(path)) {
        if (!scene.hasSnapshot()) {
            *error = MainWindow::tr("no snapshot to export yet");
            return false;
        }
        return exportSnapshot(scene.snapshot(), path, *format, error);
    }
    *error = MainWindow::tr("%1: unknown format (use .png, .svg, .json or .dot)").arg(path);
    return false;
}

QString MainWindow::nodeDetailsHtml(const dmr::Snapshot &s, const QString &id)
{
    const std::string nid = id.toStdString();
    const auto n = s.nodes.find(nid);
    if (n == s.nodes.end())
        return tr("<i>No node selected. Click a node in the topology.</i>");
    QString html = tr("<h3>Node %1</h3>").arg(id.toHtmlEscaped());
    if (auto st = s.status.find(nid); st != s.status.end())
        html += tr("<p>State: <b>%1</b></p>").arg(stateText(st->second.state));

    html += tr("<p><b>Roles:</b> %1</p>")
                .arg(DrillDialog::rolesOf(s, id).join(tr(", ")).toHtmlEscaped());

    html += tr("<p><b>Interfaces:</b></p><ul>");
    std::set<std::string> failed;
    if (auto st = s.status.find(nid); st != s.status.end())
        failed = st->second.failedAdapters;
    for (const auto &i : n->second.interfaces) {
        QString line = QStringLiteral("%1 %2").arg(q(i.name), q(i.address.toString()));
        if (failed.count(i.name))
            line += tr(" (failed)");
        html += QStringLiteral("<li>%1</li>").arg(line.toHtmlEscaped());
    }
    html += QStringLiteral("</ul>");

    html += tr("<p><b>Groups</b> (position in join order):</p><ul>");
    auto position = [&](const dmr::View &v) -> QString {
        for (size_t k = 0; k < v.members.size(); ++k)
            if (v.members[k].node == nid)
                return tr("%1 of %2%3")
                    .arg(k + 1)
                    .arg(v.members.size())
                    .arg(k == 0 ? tr(", leader") : QString());
        return {};
    };
    bool any = false;
    for (const auto &[name, view] : s.membership.networks) {
        const QString p = position(view);
        if (p.isEmpty())
            continue;
        any = true;
        html += QStringLiteral("<li>%1: %2</li>").arg(q(name).toHtmlEscaped(), p);
    }
    if (const QString p = position(s.membership.glGroup); !p.isEmpty()) {
        any = true;
        html += QStringLiteral("<li>%1: %2</li>").arg(q(dmr::kGlGroup), p);
    }
    if (!any)
        html += tr("<li>none</li>");
    html += QStringLiteral("</ul>");

    const auto tunnels = s.plan.tunnelsOf(nid);
    html += tr("<p><b>Tunnel ends:</b></p><ul>");
    for (const auto &t : tunnels) {
        const bool root = t.root.node == nid;
        const auto &mine = root ? t.root : t.leaf;
        const auto &other = root ? t.leaf : t.root;
        QStringList nets;
        for (const auto &g : t.networks)
            nets << q(g);
        html += QStringLiteral("<li>%1</li>")
                    .arg(tr("%1 %2 ↔ node %3 %4 %5 (%6)")
                             .arg(q(mine.iface), q(mine.address.toString()), q(other.node),
                                  q(other.iface), q(other.address.toString()), nets.join(tr(", ")))
                             .toHtmlEscaped());
    }
    if (tunnels.empty())
        html += tr("<li>none</li>");
    html += QStringLiteral("</ul>");
    return html;
}

MainWindow::MainWindow(AgentClient *client, QWidget *parent)
    : QMainWindow(parent)
    , client_(client)
    , store_(new ClusterStore(this))
    , scene_(new TopologyScene(this))
    , view_(new TopologyView(scene_, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("DMR console"));
    view_->setObjectName(QStringLiteral("topologyView"));
    setCentralWidget(view_);

    if (client_)
        store_->attach(client_);
    connect(store_, &ClusterStore::snapshotChanged, this, [this] {
        if (mode_ == Mode::Live)
            showSnapshot(store_->displaySnapshot(), store_->viewId());
        updateDetails();
        if (staleness_)
            updateStaleness();
        setWindowTitle(
            tr("DMR console — %1 (view %2)").arg(store_->clusterName(), store_->viewId()));
    });
    connect(store_, &ClusterStore::failoverRecorded, this, &MainWindow::notifyFailover);
    connect(store_, &ClusterStore::eventsMissed, this, [this](const QString &agent) {
        statusBar()->showMessage(
            tr("Agent %1 no longer had every event since the last one shown: the event log has "
               "a gap")
                .arg(agent),
            15000);
    });
    connect(scene_, &TopologyScene::nodeClicked, this, &MainWindow::selectNode);
    connect(scene_, &TopologyScene::nodeContextMenuRequested, this,
            [this](const QString &id, const QPoint &pos) {
                selectNode(id);
                QMenu menu(this);
                buildDrillMenu(&menu, id);
                menu.exec(pos);
            });

    buildDocks();
    buildActions();

    modeLabel_ = new QLabel(this);
    modeLabel_->setObjectName(QStringLiteral("modeLabel"));
    statusBar()->addPermanentWidget(modeLabel_);
    staleness_ = new QLabel(this);
    staleness_->setObjectName(QStringLiteral("staleness"));
    statusBar()->addPermanentWidget(staleness_);
    connection_ = new QLabel(this);
    connection_->setObjectName(QStringLiteral("connectionState"));
    statusBar()->addPermanentWidget(connection_);
    if (client_) {
        connect(client_, &AgentClient::stateChanged, this, [this] {
            updateConnectionLabel();
            updateStaleness();
            sendPendingDrill();
        });
        connect(client_, &AgentClient::helloReceived, this, &MainWindow::updateConnectionLabel);
        connect(client_, &AgentClient::errorOccurred, this,
                [this](const QString &code, const QString &message) {
                    statusBar()->showMessage(tr("%1: %2").arg(code, message), 10000);
                });
        connect(client_, &AgentClient::drillFinished, this,
                [this](qint64 id, bool ok, const QString &message) {
                    statusBar()->showMessage(ok ? tr("Drill %1 done: %2").arg(id).arg(message)
                                                : tr("Drill %1 failed: %2").arg(id).arg(message),
                                             15000);
                });
    }
    freshness_.setInterval(1000);
    connect(&freshness_, &QTimer::timeout, this, &MainWindow::updateStaleness);
    freshness_.start();
    replayTimer_.setInterval(50);
    connect(&replayTimer_, &QTimer::timeout, this, [this] {
        const auto *t = store_->timeline();
        if (t->frameCount() == 0)
            return pauseReplay();
        replayMs_ += qint64(replaySpeed_ * replayTimer_.interval());
        const qint64 last = t->frame(t->frameCount() - 1).timeMs;
        if (replayMs_ >= last) {
            replayMs_ = last;
            showReplayAt(replayMs_);
            return pauseReplay();
        }
        showReplayAt(replayMs_);
    });
    updateConnectionLabel();
    updateStaleness();
    updateModeLabel();
    updateDetails();

    QSettings settings;
    resize(1280, 800);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    setDarkPalette(settings.value(QStringLiteral("view/dark"), false).toBool());
    const bool legend = settings.value(QStringLiteral("view/legend"), true).toBool();
    scene_->setLegendVisible(legend);
    legendAction_->setChecked(legend);
}

MainWindow::~MainWindow() = default;

void MainWindow::showSnapshot(const dmr::Snapshot &snapshot, const QString &viewId)
{
    scene_->setViewId(viewId);
    scene_->setNeverJoined(mode_ == Mode::Live ? store_->neverJoined() : QStringList());
    scene_->setSnapshot(snapshot);
}

void MainWindow::buildDocks()
{
    setDockNestingEnabled(true);

    details_ = new QTextBrowser(this);
    details_->setObjectName(QStringLiteral("nodeDetailsText"));
    details_->setOpenLinks(false);
    auto *detailsDock = makeDock(this, tr("Node"), QStringLiteral("nodeDetails"), details_,
                                 Qt::RightDockWidgetArea);

    auto *nodes = new QWidget(this);
    nodeFilter_ = new QLineEdit(nodes);
    nodeFilter_->setObjectName(QStringLiteral("nodeFilter"));
    nodeFilter_->setPlaceholderText(tr("Filter nodes: id, state, role, network, address"));
    nodeFilter_->setClearButtonEnabled(true);
    nodeTable_ = makeTable(nodes);
    nodeProxy_ = new QSortFilterProxyModel(this);
    nodeProxy_->setSourceModel(store_->nodeModel());
    nodeProxy_->setSortRole(SortRole);
    nodeProxy_->setFilterKeyColumn(-1);
    nodeProxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    nodeTable_->setModel(nodeProxy_);
    nodeTable_->setSortingEnabled(true);
    nodeTable_->sortByColumn(NodeTableModel::IdColumn, Qt::AscendingOrder);
    connect(nodeFilter_, &QLineEdit::textChanged, nodeProxy_,
            &QSortFilterProxyModel::setFilterFixedString);
    auto *nodesLayout = new QVBoxLayout(nodes);
    nodesLayout->setContentsMargins(0, 0, 0, 0);
    nodesLayout->addWidget(nodeFilter_);
    nodesLayout->addWidget(nodeTable_);
    auto *nodesDock =
        makeDock(this, tr("Nodes"), QStringLiteral("nodeTable"), nodes, Qt::RightDockWidgetArea);
    splitDockWidget(detailsDock, nodesDock, Qt::Vertical);
    connect(nodeTable_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!selecting_ && current.isValid())
                    selectNode(current.data(NodeTableModel::NodeIdRole).toString());
            });

    auto *events = new QWidget(this);
    eventFilter_ = new QLineEdit(events);
    eventFilter_->setObjectName(QStringLiteral("eventFilter"));
    eventFilter_->setPlaceholderText(tr("Filter events"));
    eventFilter_->setClearButtonEnabled(true);
    eventProxy_ = new QSortFilterProxyModel(this);
    eventProxy_->setSourceModel(store_->eventLogModel());
    eventProxy_->setFilterKeyColumn(-1);
    eventProxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    auto *eventTable = makeTable(events);
    eventTable->setObjectName(QStringLiteral("eventTable"));
    eventTable->setModel(eventProxy_);
    eventTable->horizontalHeader()->setSectionResizeMode(EventLogModel::SummaryColumn,
                                                         QHeaderView::Stretch);
    connect(eventFilter_, &QLineEdit::textChanged, eventProxy_,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(eventProxy_, &QAbstractItemModel::rowsInserted, eventTable,
            [eventTable] { eventTable->scrollToBottom(); });
    auto *eventsLayout = new QVBoxLayout(events);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->addWidget(eventFilter_);
    eventsLayout->addWidget(eventTable);
    auto *eventDock =
        makeDock(this, tr("Events"), QStringLiteral("eventLog"), events, Qt::BottomDockWidgetArea);

    // Failovers: the table, every cell's full text in its tool tip; CSV export.
    auto *history = new QWidget(this);
    auto *historyTools = new QToolBar(history);
    historyTools->setIconSize(QSize(16, 16));
    auto *csv = historyTools->addAction(
        QIcon(QStringLiteral(":/icons/export.svg")), tr("Export CSV…"), this, [this] {
            const QString path =
                QFileDialog::getSaveFileName(this, tr("Export the failover history"),
                                             QStringLiteral("failovers.csv"), tr("CSV (*.csv)"));
            if (path.isEmpty())
                return;
            QString error;
            statusBar()->showMessage(exportHistoryCsv(path, &error)
                                         ? tr("Saved %1").arg(path)
                                         : tr("Export failed: %1").arg(error),
                                     8000);
        });
    csv->setObjectName(QStringLiteral("exportHistoryCsv"));
    csv->setToolTip(tr("Write every failover, with its phases, to a CSV file"));
    auto *historyLabel = new QLabel(
        tr("Phases: detection (failure to the first survivor noticing), election (to the new "
           "plan), tunnels (to the last new tunnel up); total is the whole outage. Click a row "
           "to see the plan before and after."),
        history);
    historyLabel->setWordWrap(true);
    historyTable_ = makeTable(history);
    historyTable_->setObjectName(QStringLiteral("historyTable"));
    historyTable_->setModel(store_->historyModel());
    historyTable_->horizontalHeader()->setSectionResizeMode(HistoryModel::SuccessorsColumn,
                                                            QHeaderView::ResizeToContents);
    historyTable_->horizontalHeader()->setStretchLastSection(false);
    connect(historyTable_, &QTableView::clicked, this, [this](const QModelIndex &index) {
        showFailover(index.data(HistoryModel::KeyRole).toString());
    });
    connect(store_->historyModel(), &QAbstractItemModel::rowsInserted, historyTable_,
            [this] { historyTable_->scrollToBottom(); });
    auto *historyLayout = new QVBoxLayout(history);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    auto *historyTop = new QHBoxLayout;
    historyTop->addWidget(historyLabel, 1);
    historyTop->addWidget(historyTools);
    historyLayout->addLayout(historyTop);
    historyLayout->addWidget(historyTable_);
    auto *historyDock = makeDock(this, tr("Failovers"), QStringLiteral("history"), history,
                                 Qt::BottomDockWidgetArea);

    // Timeline: the phases over time, drills, degraded periods, plan changes; replay.
    auto *timelineBox = new QWidget(this);
    timeline_ = new TimelineWidget(store_->historyModel(), store_->drillModel(), store_->timeline(),
                                   timelineBox);
    auto *replay = new QToolBar(timelineBox);
    replay->setObjectName(QStringLiteral("replayToolBar"));
    liveAction_ = replay->addAction(tr("Live"), this, &MainWindow::goLive);
    liveAction_->setObjectName(QStringLiteral("goLive"));
    liveAction_->setToolTip(tr("Show the live cluster (Esc)"));
    liveAction_->setShortcut(QKeySequence(Qt::Key_Escape));
    liveAction_->setShortcutContext(Qt::WindowShortcut);
    addAction(liveAction_);
    playAction_ = replay->addAction(tr("Replay"), this, [this] {
        if (replayTimer_.isActive())
            pauseReplay();
        else
            startReplay(speed_->currentData().toDouble());
    });
    playAction_->setObjectName(QStringLiteral("replay"));
    playAction_->setToolTip(tr("Replay the last hour's plan changes from the agents' view logs"));
    speed_ = new QComboBox(replay);
    speed_->setObjectName(QStringLiteral("replaySpeed"));
    for (const double x : {1.0, 10.0, 60.0, 600.0})
        speed_->addItem(tr("%1×").arg(x), x);
    speed_->setCurrentIndex(1);
    speed_->setToolTip(tr("Replay speed (times real time)"));
    connect(speed_, &QComboBox::currentIndexChanged, this,
            [this] { replaySpeed_ = speed_->currentData().toDouble(); });
    replay->addWidget(speed_);
    replay->addSeparator();
    replay->addAction(tr("Fit"), timeline_, &TimelineWidget::fitAll)
        ->setToolTip(tr("Show the whole record (double click)"));
    connect(timeline_, &TimelineWidget::failoverClicked, this, &MainWindow::showFailover);
    connect(timeline_, &TimelineWidget::timeClicked, this, [this](qint64 ms) {
        pauseReplay();
        replayMs_ = ms;
        showReplayAt(ms);
    });
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->setSpacing(0);
    timelineLayout->addWidget(replay);
    timelineLayout->addWidget(timeline_, 1);
    auto *timelineDock = makeDock(this, tr("Timeline"), QStringLiteral("timelineDock"), timelineBox,
                                  Qt::BottomDockWidgetArea);

    auto *drillTable = makeTable(this);
    drillTable->setObjectName(QStringLiteral("drillTable"));
    drillTable->setModel(store_->drillModel());
    auto *drillDock = makeDock(this, tr("Drills"), QStringLiteral("drills"), drillTable,
                               Qt::BottomDockWidgetArea);
    // Reachability: who hears whose probes, as a heat map; a click selects the receiver.
    auto *reach = new QWidget(this);
    reachSummary_ = new QLabel(reach);
    reachSummary_->setObjectName(QStringLiteral("reachabilitySummary"));
    reachSummary_->setWordWrap(true);
    reachTable_ = new QTableView(reach);
    reachTable_->setObjectName(QStringLiteral("reachabilityTable"));
    reachTable_->setModel(store_->reachabilityModel());
    reachTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    reachTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Fixed cells: measuring every one of 128 x 128 cells after each matrix costs seconds.
    reachTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    reachTable_->horizontalHeader()->setDefaultSectionSize(44);
    reachTable_->horizontalHeader()->setMinimumSectionSize(34);
    reachTable_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    reachTable_->setCornerButtonEnabled(false);
    reachTable_->setToolTip(tr("Rows: the receiving node. Columns: the node whose probes it "
                               "hears. Cells: the share of recent probes heard."));
    connect(reachTable_, &QTableView::clicked, this, [this](const QModelIndex &index) {
        selectNode(index.data(ReachabilityModel::ReceiverRole).toString());
    });
    auto *reachLayout = new QVBoxLayout(reach);
    reachLayout->setContentsMargins(4, 4, 4, 4);
    reachLayout->addWidget(reachSummary_);
    reachLayout->addWidget(reachTable_, 1);
    auto *reachDock = makeDock(this, tr("Reachability"), QStringLiteral("reachability"), reach,
                               Qt::BottomDockWidgetArea);
    connect(store_, &ClusterStore::reachabilityChanged, this, &MainWindow::updateReachability);
    updateReachability();

    tabifyDockWidget(eventDock, historyDock);
    tabifyDockWidget(historyDock, timelineDock);
    tabifyDockWidget(timelineDock, drillDock);
    // Groups: each wanted group, the networks that listen, the tunnels it goes through.
    auto *listeners = new QWidget(this);
    listenerSummary_ = new QLabel(listeners);
    listenerSummary_->setObjectName(QStringLiteral("listenerSummary"));
    listenerSummary_->setWordWrap(true);
    listenerTable_ = makeTable(listeners);
    listenerTable_->setObjectName(QStringLiteral("listenerTable"));
    listenerTable_->setModel(store_->listenerModel());
    auto *listenerLayout = new QVBoxLayout(listeners);
    listenerLayout->setContentsMargins(4, 4, 4, 4);
    listenerLayout->addWidget(listenerSummary_);
    listenerLayout->addWidget(listenerTable_, 1);
    auto *listenerDock = makeDock(this, tr("Groups"), QStringLiteral("listeners"), listeners,
                                  Qt::BottomDockWidgetArea);
    connect(store_->listenerModel(), &ListenerModel::listenersChanged, this,
            &MainWindow::updateListeners);
    connect(store_, &ClusterStore::snapshotChanged, this, &MainWindow::updateListeners);

    // Limits: what the rate limits, boundaries and threshold dropped, per tunnel end and per
    // channel range; rows dropping now stand out.
    auto *limits = new QWidget(this);
    limitSummary_ = new QLabel(limits);
    limitSummary_->setObjectName(QStringLiteral("limitSummary"));
    limitSummary_->setWordWrap(true);
    limitTable_ = makeTable(limits);
    limitTable_->setObjectName(QStringLiteral("limitTable"));
    limitTable_->setModel(store_->limitModel());
    connect(limitTable_, &QTableView::clicked, this, [this](const QModelIndex &index) {
        selectNode(index.data(LimitModel::NodeRole).toString());
    });
    auto *limitLayout = new QVBoxLayout(limits);
    limitLayout->setContentsMargins(4, 4, 4, 4);
    limitLayout->addWidget(limitSummary_);
    limitLayout->addWidget(limitTable_, 1);
    auto *limitDock =
        makeDock(this, tr("Limits"), QStringLiteral("limits"), limits, Qt::BottomDockWidgetArea);
    connect(store_->limitModel(), &LimitModel::dropsChanged, this, &MainWindow::updateListeners);
    updateListeners();

    tabifyDockWidget(drillDock, reachDock);
    tabifyDockWidget(reachDock, listenerDock);
    tabifyDockWidget(listenerDock, limitDock);
    eventDock->raise();
    resizeDocks({detailsDock, nodesDock}, {320, 260}, Qt::Vertical);
    resizeDocks({detailsDock}, {400}, Qt::Horizontal);
    resizeDocks({eventDock}, {280}, Qt::Vertical);
}

void MainWindow::updateListeners()
{
    const ListenerModel *model = store_->listenerModel();
    QHash<QString, QString> networks;
    QHash<QString, QString> labels;
    QHash<QString, QString> tips;
    QHash<QString, QString> drops;
    QSet<QString> dropping;
    const LimitModel *limits = store_->limitModel();
    if (model->hasStates()) {
        const dmr::Snapshot &s = store_->snapshot();
        for (const auto &[network, view] : s.membership.networks) {
            const QString n = QString::fromStdString(network);
            networks.insert(n, model->networkText(n));
        }
        for (const auto &t : s.plan.tunnels) {
            const QString root = QString::fromStdString(t.root.node);
            const QString leaf = QString::fromStdString(t.leaf.node);
            const QString key = root + u'-' + leaf;
            labels.insert(key, ListenerModel::groupsText(model->carry(root, leaf)));
            QStringList tip{model->tunnelText(root, leaf), limits->tunnelText(root, leaf)};
            tip.removeAll(QString());
            tips.insert(key, tip.join(u'\n'));
            if (const QString d = limits->tunnelLabel(root, leaf); !d.isEmpty())
                drops.insert(key, d);
            if (limits->tunnelGrowing(root, leaf))
                dropping.insert(key);
        }
    }
    scene_->setListeners(networks, labels, tips);
    scene_->setTunnelDrops(drops, dropping);
    updateDetails();
    const QStringList growing = limits->growingRows();
    if (!limits->hasStates())
        limitSummary_->setText(tr("No relay state yet: the routing points have not answered."));
    else if (growing.isEmpty())
        limitSummary_->setText(tr("The limits dropped %1 datagrams in all; none is dropping now.")
                                   .arg(limits->droppedTotal()));
    else
        limitSummary_->setText(tr("The limits dropped %1 datagrams in all. Dropping now: %2.")
                                   .arg(limits->droppedTotal())
                                   .arg(growing.join(tr(", "))));
    const int groups = model->rowCount();
    listenerSummary_->setText(
        !model->hasStates()
            ? tr("No listener data yet: the routing points have not answered, or their agents "
                 "predate listening.")
            : tr("Groups wanted somewhere: %1. Path: the tunnels each group goes into, by the "
                 "word of the end that sends.")
                  .arg(groups));
}

void MainWindow::updateReachability()
{
    const ReachabilityMatrix &m = store_->reachabilityModel()->matrix();
    const QStringList unreachable = store_->unreachable();
    scene_->setUnreachable(unreachable);
    if (m.nodes.isEmpty()) {
        reachSummary_->setText(tr("No reachability data: the agent has no probe, or has not "
                                  "answered yet."));
        return;
    }
    int answered = 0;
    int full = 0; // receivers that hear every other answering node
    for (const auto &r : m.rows) {
        if (!r.answered || !r.probing)
            continue;
        ++answered;
        bool all = true;
        for (const auto &other : m.rows)
            if (other.node != r.node && other.answered && other.probing) {
                const auto *c = r.cellFrom(other.node);
                all = all && c && c->heard;
            }
        full += all;
    }
    QString text = tr("%1 of %2 probing nodes hear every other one.").arg(full).arg(answered);
    if (!unreachable.isEmpty())
        text += u' ' + tr("Not heard by anyone: %1.").arg(unreachable.join(QStringLiteral(", ")));
    reachSummary_->setText(text);
}

void MainWindow::buildActions()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    auto icon = [](const char *name) {
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
    };
    auto *exportAction = file->addAction(tr("&Export…"), this, &MainWindow::exportAs);
    exportAction->setIcon(icon("export"));
    exportAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *viewMenu = menuBar()->addMenu(tr("&View"));
    auto *fit = viewMenu->addAction(tr("&Fit"), view_, &TopologyView::fitAll);
    fit->setIcon(icon("fit"));
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    auto *zoomIn = viewMenu->addAction(tr("Zoom &in"), view_, &TopologyView::zoomIn);
    zoomIn->setIcon(icon("zoom-in"));
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    auto *zoomOut = viewMenu->addAction(tr("Zoom &out"), view_, &TopologyView::zoomOut);
    zoomOut->setIcon(icon("zoom-out"));
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    auto *find = viewMenu->addAction(tr("&Find node…"), this, &MainWindow::findNode);
    find->setIcon(icon("find"));
    find->setShortcut(QKeySequence::Find);
    viewMenu->addSeparator();
    legendAction_ = viewMenu->addAction(tr("&Legend"));
    legendAction_->setObjectName(QStringLiteral("showLegend"));
    legendAction_->setCheckable(true);
    legendAction_->setChecked(true);
    legendAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(legendAction_, &QAction::toggled, this, [this](bool on) {
        scene_->setLegendVisible(on);
        view_->viewport()->update();
        QSettings().setValue(QStringLiteral("view/legend"), on);
    });
    darkAction_ = viewMenu->addAction(tr("&Dark palette"));
    darkAction_->setCheckable(true);
    connect(darkAction_, &QAction::toggled, this, [this](bool dark) {
        setDarkPalette(dark);
        QSettings().setValue(QStringLiteral("view/dark"), dark);
    });
    viewMenu->addAction(liveAction_);
    viewMenu->addSeparator();
    auto *panels = viewMenu->addMenu(tr("&Panels"));
    for (auto *dock : findChildren<QDockWidget *>())
        panels->addAction(dock->toggleViewAction());

    // The drills act on the selected node: the same actions in the menu, the toolbar and (for
    // the node under the mouse) the context menu.
    drillMenu_ = menuBar()->addMenu(tr("&Drill"));
    killAction_ = drillMenu_->addAction(icon("kill"), tr("&Kill…"), this, [this] {
        requestDrill(QStringLiteral("kill"), scene_->selectedNode());
    });
    killAction_->setObjectName(QStringLiteral("drillKill"));
    killAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    adapterMenu_ = drillMenu_->addMenu(icon("adapter"), tr("Fail &adapter"));
    adapterMenu_->setObjectName(QStringLiteral("drillFailAdapterMenu"));
    adapterMenu_->menuAction()->setObjectName(QStringLiteral("drillFailAdapter"));
    connect(adapterMenu_, &QMenu::aboutToShow, this,
            [this] { fillAdapterMenu(adapterMenu_, scene_->selectedNode()); });
    drainAction_ = drillMenu_->addAction(icon("drain"), tr("&Drain…"), this, [this] {
        requestDrill(QStringLiteral("drain"), scene_->selectedNode());
    });
    drainAction_->setObjectName(QStringLiteral("drillDrain"));
    drainAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    restoreAction_ = drillMenu_->addAction(icon("restore"), tr("&Restore…"), this, [this] {
        requestDrill(QStringLiteral("restore"), scene_->selectedNode());
    });
    restoreAction_->setObjectName(QStringLiteral("drillRestore"));
    restoreAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    drillMenu_->addSeparator();
    whatIfAction_ = drillMenu_->addAction(tr("&What if it fails?"), this, [this] {
        showWhatIf(QStringLiteral("kill"), scene_->selectedNode());
    });
    whatIfAction_->setObjectName(QStringLiteral("whatIf"));
    whatIfAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    whatIfAdapterMenu_ = drillMenu_->addMenu(tr("What if an &adapter fails?"));
    connect(whatIfAdapterMenu_, &QMenu::aboutToShow, this,
            [this] { fillAdapterMenu(whatIfAdapterMenu_, scene_->selectedNode(), true); });
    for (auto *a : {killAction_, adapterMenu_->menuAction(), drainAction_, restoreAction_})
        a->setStatusTip(tr("Drill on the selected node"));

    auto *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->addAction(fit);
    tools->addAction(zoomIn);
    tools->addAction(zoomOut);
    tools->addAction(find);
    tools->addSeparator();
    tools->addAction(killAction_);
    tools->addAction(adapterMenu_->menuAction());
    if (auto *button =
            qobject_cast<QToolButton *>(tools->widgetForAction(adapterMenu_->menuAction())))
        button->setPopupMode(QToolButton::InstantPopup);
    tools->addAction(drainAction_);
    tools->addAction(restoreAction_);
    tools->addSeparator();
    tools->addAction(exportAction);
    updateDrillActions();
}

void MainWindow::updateDrillActions()
{
    if (!killAction_)
        return;
    const QString node = scene_->selectedNode();
    const bool known = !node.isEmpty() && store_->snapshot().nodes.count(node.toStdString()) != 0;
    const bool can = known && client_;
    for (auto *a : {killAction_, adapterMenu_->menuAction(), drainAction_, restoreAction_})
        a->setEnabled(can);
    // Whole sentences, so that every language puts the words in its own order.
    killAction_->setToolTip(known ? tr("Kill node %1").arg(node) : tr("Select a node first"));
    adapterMenu_->menuAction()->setToolTip(known ? tr("Fail an adapter of node %1").arg(node)
                                                 : tr("Select a node first"));
    drainAction_->setToolTip(known ? tr("Drain node %1").arg(node) : tr("Select a node first"));
    restoreAction_->setToolTip(known ? tr("Restore node %1").arg(node) : tr("Select a node first"));
    whatIfAction_->setEnabled(known);
    whatIfAdapterMenu_->setEnabled(known);
    whatIfAction_->setText(known ? tr("&What if node %1 fails?").arg(node)
                                 : tr("&What if it fails?"));
}

void MainWindow::fillAdapterMenu(QMenu *menu, const QString &node, bool whatIf)
{
    menu->clear();
    const dmr::Snapshot &s = store_->snapshot();
    const auto n = s.nodes.find(node.toStdString());
    if (node.isEmpty() || n == s.nodes.end()) {
        menu->addAction(tr("Select a node first"))->setEnabled(false);
        return;
    }
    for (const auto &i : n->second.interfaces) {
        const QString name = QString::fromStdString(i.name);
        menu->addAction(tr("%1 (%2)").arg(name, q(i.address.toString())), this,
                        [this, node, name, whatIf] {
                            if (whatIf)
                                showWhatIf(QStringLiteral("fail-adapter"), node, name);
                            else
                                requestDrill(QStringLiteral("fail-adapter"), node, name);
                        });
    }
}

void MainWindow::buildDrillMenu(QMenu *menu, const QString &node)
{
    const dmr::Snapshot &s = store_->snapshot();
    const auto n = s.nodes.find(node.toStdString());
    if (node.isEmpty() || n == s.nodes.end()) {
        menu->addAction(tr("Select a node first"))->setEnabled(false);
        return;
    }
    menu->addSection(tr("Node %1").arg(node));
    auto icon = [](const char *name) {
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
    };
    menu->addAction(icon("kill"), tr("&Kill…"), this,
                    [this, node] { requestDrill(QStringLiteral("kill"), node); });
    fillAdapterMenu(menu->addMenu(icon("adapter"), tr("Fail &adapter")), node);
    menu->addAction(icon("drain"), tr("&Drain…"), this,
                    [this, node] { requestDrill(QStringLiteral("drain"), node); });
    menu->addAction(icon("restore"), tr("&Restore…"), this,
                    [this, node] { requestDrill(QStringLiteral("restore"), node); });
    menu->addSeparator();
    menu->addAction(tr("&What if it fails?"), this,
                    [this, node] { showWhatIf(QStringLiteral("kill"), node); });
    fillAdapterMenu(menu->addMenu(tr("What if an &adapter fails?")), node, true);
}

void MainWindow::setOperatorToken(const QString &token)
{
    tokenKnown_ = true;
    if (client_)
        client_->setOperatorToken(token);
}

void MainWindow::showWhatIf(const QString &action, const QString &node, const QString &iface)
{
    if (mode_ != Mode::Live)
        goLive();
    const dmr::Snapshot &live = store_->snapshot();
    const WhatIf w = whatIf(live, action, node, iface);
    if (!w.error.isEmpty()) {
        statusBar()->showMessage(tr("What-if: %1").arg(w.error), 8000);
        return;
    }
    const QString what = iface.isEmpty()
                             ? (action == u"drain" ? tr("What if node %1 is drained").arg(node)
                                                   : tr("What if node %1 fails").arg(node))
                             : tr("What if adapter %1 of node %2 fails").arg(iface, node);
    scene_->showPlanChange(live, w.after, PlanOverlayItem::Mode::WhatIf,
                           tr("%1: the plan it would leave (Esc: back)").arg(what), w.failing);
    scene_->setViewLabel(what);
    updateModeLabel();
}

void MainWindow::requestDrill(const QString &action, const QString &node, const QString &iface)
{
    if (!client_)
        return;
    // While the dialog asks, the topology shows what the drill would leave.
    showWhatIf(action, node, iface);
    DrillDialog dialog(store_->snapshot(), node, action, iface, this);
    const int answer = dialog.run();
    scene_->clearOverlay();
    scene_->setViewLabel({});
    updateModeLabel();
    if (answer != QDialog::Accepted)
        return;
    pending_ = Drill{action, node, iface, dialog.reason(), dialog.durationMs()};
    if (!tokenKnown_ && !client_->isOperator()) {
        bool ok = false;
        const QString token = QInputDialog::getText(
            this, tr("Operator token"),
            tr("Drills need the operator token (control.operator_token of the agents; "
               "dmr-console --token or $DMR_TOKEN gives it at the start):"),
            QLineEdit::Password, {}, &ok);
        if (!ok || token.isEmpty()) {
            pending_.reset();
            return;
        }
        setOperatorToken(token);
        // A new hello carries the token: reconnect, and send once connected.
        client_->stop();
        client_->start();
        statusBar()->showMessage(tr("Reconnecting with the operator token…"), 5000);
        return;
    }
    sendPendingDrill();
}

void MainWindow::sendPendingDrill()
{
    if (!pending_ || !client_ || client_->state() != AgentClient::State::Connected)
        return;
    const Drill d = *pending_;
    pending_.reset();
    const qint64 id = client_->sendDrill(d.action, d.node, d.iface, d.reason, d.durationMs);
    statusBar()->showMessage(
        tr("Drill %1 sent: %2").arg(id).arg(DrillDialog::title(d.action, d.node, d.iface)), 10000);
}

void MainWindow::showFailover(const QString &key)
{
    const int row = store_->historyModel()->rowOfKey(key);
    if (row < 0)
        return;
    const FailoverRecord r = store_->historyModel()->recordAt(row);
    timeline_->setSelectedFailover(key);
    const PlanTimeline *t = store_->timeline();
    int after = t->frameOf(r.viewId);
    if (after < 0)
        after = t->frameAt(r.electedMs);
    if (after <= 0) {
        statusBar()->showMessage(
            tr("The plans around the failover of node %1 at %2 are no longer in the agents' view "
               "logs (they keep an hour)")
                .arg(r.node, formatTime(r.failedMs)),
            10000);
        return;
    }
    pauseReplay();
    mode_ = Mode::Failover;
    const dmr::Snapshot before = t->snapshotAt(after - 1);
    const dmr::Snapshot then = t->snapshotAt(after);
    showSnapshot(then, t->frame(after).viewId);
    const QString caption =
        tr("Failover of node %1 (%2) at %3: the plan after it, view %4 (Esc: live)")
            .arg(r.node, describeCause(r.cause), formatTime(r.failedMs), t->frame(after).viewId);
    // A crash is crossed out; a drain or a failed adapter only loses roles.
    const bool crash =
        r.cause == u"connection-lost" || r.cause == u"silent" || r.cause == u"lease-expired";
    scene_->showPlanChange(before, then, PlanOverlayItem::Mode::Change, caption,
                           crash ? QStringList{r.node} : QStringList{});
    scene_->setViewLabel(tr("failover of node %1, after").arg(r.node));
    shownFrame_ = after;
    updateModeLabel();
}

void MainWindow::showReplayAt(qint64 timeMs)
{
    const PlanTimeline *t = store_->timeline();
    timeline_->setCursorMs(timeMs);
    const int frame = t->frameAt(timeMs);
    if (mode_ != Mode::Replay) {
        mode_ = Mode::Replay;
        shownFrame_ = -1;
    }
    if (frame >= 0 && frame != shownFrame_) {
        shownFrame_ = frame;
        const dmr::Snapshot s = t->snapshotAt(frame);
        showSnapshot(s, t->frame(frame).viewId);
        if (frame > 0)
            scene_->showPlanChange(
                t->snapshotAt(frame - 1), s, PlanOverlayItem::Mode::Change,
                tr("Replay: view %1 at %2 (Esc: live)")
                    .arg(t->frame(frame).viewId, formatTime(t->frame(frame).timeMs)));
        else
            scene_->clearOverlay();
    }
    scene_->setViewLabel(tr("replay at %1").arg(formatTime(timeMs)));
    updateModeLabel();
}

void MainWindow::startReplay(double speed)
{
    const PlanTimeline *t = store_->timeline();
    if (t->frameCount() == 0) {
        statusBar()->showMessage(tr("Nothing to replay yet: no agent has sent its view log"), 8000);
        return;
    }
    replaySpeed_ = speed;
    const qint64 last = t->frame(t->frameCount() - 1).timeMs;
    const qint64 first = std::max(t->frame(0).timeMs, last - 60 * 60 * 1000);
    if (mode_ != Mode::Replay || replayMs_ < first || replayMs_ >= last)
        replayMs_ = first;
    showReplayAt(replayMs_);
    replayTimer_.start();
    playAction_->setText(tr("Pause"));
}

void MainWindow::pauseReplay()
{
    replayTimer_.stop();
    if (playAction_)
        playAction_->setText(tr("Replay"));
}

void MainWindow::goLive()
{
    pauseReplay();
    mode_ = Mode::Live;
    shownFrame_ = -1;
    timeline_->setCursorMs(std::nullopt);
    timeline_->setSelectedFailover({});
    scene_->clearOverlay();
    scene_->setViewLabel({});
    if (store_->hasDisplay())
        showSnapshot(store_->displaySnapshot(), store_->viewId());
    updateModeLabel();
}

void MainWindow::updateModeLabel()
{
    if (!modeLabel_)
        return;
    QString text;
    switch (mode_) {
    case Mode::Live:
        text = scene_->overlayItem() ? scene_->viewLabel() : QString();
        break;
    case Mode::Replay:
    case Mode::Failover:
        text = tr("Showing: %1 — Esc for live").arg(scene_->viewLabel());
        break;
    }
    modeLabel_->setText(text);
    modeLabel_->setVisible(!text.isEmpty());
}

bool MainWindow::exportHistoryCsv(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(store_->historyModel()->toCsv()) < 0 ||
        !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void MainWindow::notifyFailover(const FailoverRecord &r)
{
    QStringList moved;
    for (const auto &s : r.successors)
        moved << tr("%1 → %2").arg(describeRole(s.role), s.node.isEmpty() ? tr("nobody") : s.node);
    const QString title = tr("DMR: failover of node %1").arg(r.node);
    const QString body =
        tr("%1 at %2. %3")
            .arg(describeCause(r.cause), formatTime(r.failedMs), moved.join(QStringLiteral("; ")));
    static Notifier *notifier = nullptr;
    if (!notifier)
        notifier = new Notifier(qApp);
    notifier->notify(title, body);
    lastNotification_ = title + u'\n' + body;
    statusBar()->showMessage(title + QStringLiteral(": ") + body, 15000);
}

void MainWindow::selectNode(const QString &id)
{
    if (selecting_)
        return;
    selecting_ = true;
    scene_->setSelectedNode(id);
    const int row = store_->nodeModel()->rowOf(id);
    if (row >= 0) {
        const QModelIndex index = nodeProxy_->mapFromSource(store_->nodeModel()->index(row, 0));
        if (index.isValid()) {
            nodeTable_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            nodeTable_->scrollTo(index);
        }
    } else {
        nodeTable_->clearSelection();
    }
    selecting_ = false;
    updateDetails();
}

void MainWindow::findNode()
{
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Find node"), tr("Node id or address:"),
                                               QLineEdit::Normal, {}, &ok);
    if (!ok || text.trimmed().isEmpty())
        return;
    const QStringList found = scene_->findNodes(text.trimmed());
    if (found.isEmpty()) {
        statusBar()->showMessage(tr("No node matches “%1”").arg(text), 5000);
        return;
    }
    selectNode(found.first());
    view_->centerOnNode(found.first());
    statusBar()->showMessage(tr("%n node(s) match", nullptr, int(found.size())), 5000);
}

QString MainWindow::detailsText() const
{
    return details_->toPlainText();
}

void MainWindow::updateDetails()
{
    const dmr::Snapshot &snapshot = store_->displaySnapshot();
    const QString id = scene_->selectedNode();
    QString html = nodeDetailsHtml(snapshot, id);
    // The listeners of the node's networks, as their routing points see them.
    const ListenerModel *listeners = store_->listenerModel();
    const auto node = snapshot.nodes.find(id.toStdString());
    if (listeners->hasStates() && node != snapshot.nodes.end()) {
        html += tr("<p><b>Listeners</b> on its networks:</p>");
        QStringList seen;
        for (const auto &i : node->second.interfaces) {
            const QString network = q(i.group());
            if (network.isEmpty() || seen.contains(network))
                continue;
            seen << network;
            html += QStringLiteral("<p><i>%1</i><br/>%2</p>")
                        .arg(network.toHtmlEscaped(),
                             listeners->networkText(network).toHtmlEscaped().replace(
                                 QLatin1Char('\n'), QStringLiteral("<br/>")));
        }
    }
    // What its relay's limits dropped, when it routes a network (the routing points answer).
    if (const QString drops = store_->limitModel()->nodeText(id); !drops.isEmpty())
        html += tr("<p><b>Limits</b> of its relay:</p>") +
                QStringLiteral("<p>%1</p>")
                    .arg(drops.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>")));
    // The same node again (its counters or listeners moved on): where the reader was stays.
    const int scroll = details_->verticalScrollBar()->value();
    details_->setHtml(html);
    if (id == detailsNode_)
        details_->verticalScrollBar()->setValue(scroll);
    detailsNode_ = id;
    updateDrillActions();
}

void MainWindow::updateConnectionLabel()
{
    if (!client_) {
        connection_->setText(tr("No agent"));
        return;
    }
    const QString where = client_->currentEndpoint().toString();
    QString text;
    switch (client_->state()) {
    case AgentClient::State::Disconnected:
        text = client_->lastError().isEmpty() ? tr("Disconnected")
                                              : tr("Disconnected: %1").arg(client_->lastError());
        break;
    case AgentClient::State::Connecting:
        text = tr("Connecting to %1…").arg(where);
        break;
    case AgentClient::State::Connected:
        text = client_->isOperator()
                   ? tr("Connected to %1 (agent %2, operator)").arg(where, client_->hello().agent)
                   : tr("Connected to %1 (agent %2, read-only)").arg(where, client_->hello().agent);
        break;
    case AgentClient::State::Reconnecting:
        text = tr("Reconnecting (next: %1)…").arg(where);
        break;
    }
    connection_->setText(text);
}

void MainWindow::updateStaleness()
{
    // How old the picture is: the last word from an agent (a snapshot or an event). Agents send
    // nothing while nothing changes, so "connected" with an old update is fine; disconnected, the
    // picture only grows older, and says so in colour.
    const qint64 last = store_->lastUpdateMs();
    const bool connected = client_ && client_->state() == AgentClient::State::Connected;
    if (last == 0) {
        staleness_->setText(tr("No update yet"));
        staleness_->setStyleSheet({});
        return;
    }
    const qint64 age = std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - last) / 1000;
    const QString ago = age < 60     ? tr("%1 s ago").arg(age)
                        : age < 3600 ? tr("%1 min ago").arg(age / 60)
                                     : tr("%1 h ago").arg(age / 3600);
    staleness_->setText(connected ? tr("Updated %1").arg(ago)
                                  : tr("Stale: last update %1").arg(ago));
    staleness_->setToolTip(
        tr("Last word from an agent (a snapshot or an event) at %1").arg(formatDateTime(last)));
    staleness_->setStyleSheet(connected  ? QString()
                              : age < 10 ? QStringLiteral("color: #b36b00; font-weight: bold")
                                         : QStringLiteral("color: #c62828; font-weight: bold"));
}

void MainWindow::exportAs()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export"), QStringLiteral("topology.png"),
        tr("PNG image (*.png);;SVG image (*.svg);;Snapshot JSON (*.json);;GraphViz DOT (*.dot)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportByPath(*scene_, path, &error))
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    else
        statusBar()->showMessage(tr("Export failed: %1").arg(error), 10000);
}

void MainWindow::setDarkPalette(bool dark)
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
    if (darkAction_ && darkAction_->isChecked() != dark) {
        const QSignalBlocker block(darkAction_);
        darkAction_->setChecked(dark);
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace dmr::console
