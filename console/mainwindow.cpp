#include "mainwindow.h"

#include "client/agent_client.h"
#include "drilldialog.h"
#include "models/cluster_store.h"
#include "models/drill_model.h"
#include "models/event_log_model.h"
#include "models/format.h"
#include "models/history_model.h"
#include "models/model_roles.h"
#include "models/node_table_model.h"
#include "models/reachability_model.h"
#include "scene/export.h"
#include "scene/topologyscene.h"
#include "scene/topologyview.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QScatterSeries>
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
#include <QValueAxis>

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
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
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
        scene_->setSnapshot(store_->snapshot());
        updateDetails();
        setWindowTitle(
            tr("DMR console — %1 (view %2)").arg(store_->clusterName(), store_->viewId()));
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

    connection_ = new QLabel(this);
    connection_->setObjectName(QStringLiteral("connectionState"));
    statusBar()->addPermanentWidget(connection_);
    if (client_) {
        connect(client_, &AgentClient::stateChanged, this, [this] {
            updateConnectionLabel();
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
    updateConnectionLabel();
    updateDetails();

    QSettings settings;
    resize(1280, 800);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    setDarkPalette(settings.value(QStringLiteral("view/dark"), false).toBool());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks()
{
    setDockNestingEnabled(true);

    details_ = new QTextBrowser(this);
    details_->setObjectName(QStringLiteral("nodeDetailsText"));
    details_->setOpenLinks(false);
    auto *detailsDock = makeDock(this, tr("Node"), QStringLiteral("nodeDetails"), details_,
                                 Qt::RightDockWidgetArea);

    nodeTable_ = makeTable(this);
    nodeProxy_ = new QSortFilterProxyModel(this);
    nodeProxy_->setSourceModel(store_->nodeModel());
    nodeProxy_->setSortRole(SortRole);
    nodeTable_->setModel(nodeProxy_);
    nodeTable_->setSortingEnabled(true);
    nodeTable_->sortByColumn(NodeTableModel::IdColumn, Qt::AscendingOrder);
    nodeTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *nodesDock = makeDock(this, tr("Nodes"), QStringLiteral("nodeTable"), nodeTable_,
                               Qt::RightDockWidgetArea);
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
    eventTable->setModel(eventProxy_);
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

    auto *history = new QSplitter(Qt::Horizontal, this);
    auto *historyTable = makeTable(history);
    historyTable->setModel(store_->historyModel());
    chart_ = new QChart;
    chart_->setTitle(tr("Failover time"));
    chart_->legend()->hide();
    chart_->setMargins(QMargins(4, 4, 4, 4));
    historyLine_ = new QLineSeries(chart_);
    historyLine_->setName(tr("total ms"));
    historyPoints_ = new QScatterSeries(chart_);
    historyPoints_->setMarkerSize(8);
    chart_->addSeries(historyLine_);
    chart_->addSeries(historyPoints_);
    timeAxis_ = new QDateTimeAxis(chart_);
    timeAxis_->setFormat(QStringLiteral("HH:mm:ss"));
    timeAxis_->setTitleText(tr("detected"));
    msAxis_ = new QValueAxis(chart_);
    msAxis_->setTitleText(tr("total (ms)"));
    msAxis_->setLabelFormat(QStringLiteral("%d"));
    chart_->addAxis(timeAxis_, Qt::AlignBottom);
    chart_->addAxis(msAxis_, Qt::AlignLeft);
    for (auto *series :
         {static_cast<QXYSeries *>(historyLine_), static_cast<QXYSeries *>(historyPoints_)}) {
        series->attachAxis(timeAxis_);
        series->attachAxis(msAxis_);
    }
    auto *chartView = new QChartView(chart_, history);
    chartView->setObjectName(QStringLiteral("historyChart"));
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumSize(260, 160);
    history->addWidget(historyTable);
    history->addWidget(chartView);
    history->setStretchFactor(0, 3);
    history->setStretchFactor(1, 2);
    auto *hm = store_->historyModel();
    for (auto sig : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(hm, sig, this, &MainWindow::updateChart);
    connect(hm, &QAbstractItemModel::modelReset, this, &MainWindow::updateChart);
    connect(hm, &QAbstractItemModel::dataChanged, this, &MainWindow::updateChart);
    updateChart();
    auto *historyDock = makeDock(this, tr("Failovers"), QStringLiteral("history"), history,
                                 Qt::BottomDockWidgetArea);

    auto *drillTable = makeTable(this);
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
    reachTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    reachTable_->horizontalHeader()->setMinimumSectionSize(34);
    reachTable_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    reachTable_->setCornerButtonEnabled(false);
    reachTable_->setToolTip(tr("Rows: the receiving node. Columns: the node whose probes it "
                               "hears. Cells: the share of recent probes lost."));
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
    tabifyDockWidget(historyDock, drillDock);
    tabifyDockWidget(drillDock, reachDock);
    eventDock->raise();
    resizeDocks({detailsDock, nodesDock}, {320, 260}, Qt::Vertical);
    resizeDocks({detailsDock}, {380}, Qt::Horizontal);
    resizeDocks({eventDock}, {220}, Qt::Vertical);
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
    darkAction_ = viewMenu->addAction(tr("&Dark palette"));
    darkAction_->setCheckable(true);
    connect(darkAction_, &QAction::toggled, this, [this](bool dark) {
        setDarkPalette(dark);
        QSettings().setValue(QStringLiteral("view/dark"), dark);
    });
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
    for (auto *a : {killAction_, adapterMenu_->menuAction(), drainAction_, restoreAction_}) {
        a->setEnabled(can);
        a->setToolTip(known ? tr("%1 node %2").arg(a->text().remove(u'&').remove(u'…'), node)
                            : tr("Select a node first"));
    }
}

void MainWindow::fillAdapterMenu(QMenu *menu, const QString &node)
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
        menu->addAction(tr("%1 (%2)").arg(name, q(i.address.toString())), this, [this, node, name] {
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
}

void MainWindow::setOperatorToken(const QString &token)
{
    tokenKnown_ = true;
    if (client_)
        client_->setOperatorToken(token);
}

void MainWindow::requestDrill(const QString &action, const QString &node, const QString &iface)
{
    if (!client_)
        return;
    DrillDialog dialog(store_->snapshot(), node, action, iface, this);
    if (dialog.run() != QDialog::Accepted)
        return;
    pending_ = Drill{action, node, iface, dialog.reason(), dialog.durationMs()};
    if (!tokenKnown_ && !client_->isOperator()) {
        bool ok = false;
        const QString token =
            QInputDialog::getText(this, tr("Operator token"), tr("Drills need the operator token:"),
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
        tr("Drill %1 sent: %2 %3").arg(id).arg(drillActionText(d.action), d.node), 10000);
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
        nodeTable_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                 QItemSelectionModel::Rows);
        nodeTable_->scrollTo(index);
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
    details_->setHtml(nodeDetailsHtml(store_->snapshot(), scene_->selectedNode()));
    updateDrillActions();
}

void MainWindow::updateChart()
{
    QList<QPointF> points;
    for (const auto &r : store_->historyModel()->records())
        if (r.totalMs)
            points.append(QPointF(qreal(r.detectedMs), qreal(*r.totalMs)));
    std::sort(points.begin(), points.end(),
              [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    historyLine_->replace(points);
    historyPoints_->replace(points);
    if (points.isEmpty()) {
        const QDateTime now = QDateTime::currentDateTime();
        timeAxis_->setRange(now.addSecs(-60), now);
        msAxis_->setRange(0, 10);
        return;
    }
    qreal maxMs = 1;
    for (const auto &p : points)
        maxMs = std::max(maxMs, p.y());
    const qint64 first = qint64(points.first().x());
    const qint64 last = qint64(points.last().x());
    const qint64 pad = std::max<qint64>(1000, (last - first) / 10);
    timeAxis_->setRange(QDateTime::fromMSecsSinceEpoch(first - pad),
                        QDateTime::fromMSecsSinceEpoch(last + pad));
    msAxis_->setRange(0, maxMs * 1.2);
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
    if (chart_)
        chart_->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    updateChart();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace dmr::console
