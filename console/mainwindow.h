#pragma once
// The console's main window: the topology in the middle, docks around it (the selected node,
// the node table with a filter, the event log, the failover history, the timeline with its
// replay, the drills, the reachability heat map), the connection and how fresh the picture is in
// the status bar, exports, drills with a what-if, light and dark palettes. Geometry, dock layout
// and palette are kept in QSettings.
//
// The topology shows the live cluster, or (until "Live") the cluster as it was: at the replay
// cursor (the agents' view logs, replayed at any speed), or around one failover (the plan after
// it, with what it opened and closed and who took over). A what-if draws the plan the cluster
// would have if the selected node or adapter failed over the live one.

#include "dmr/snapshot.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;
class QToolButton;

namespace dmr::console {

class AgentClient;
class ClusterStore;
class TimelineWidget;
class TopologyScene;
class TopologyView;
struct FailoverRecord;

// Writes the scene or its snapshot by the file's suffix: .png, .svg, .json, .dot/.gv.
bool exportByPath(TopologyScene &scene, const QString &path, QString *error);

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // What the topology shows.
    enum class Mode { Live, Replay, Failover };
    Q_ENUM(Mode)

    // The client is not owned; the window attaches its store to it.
    explicit MainWindow(AgentClient *client, QWidget *parent = nullptr);
    ~MainWindow() override;

    ClusterStore *store() const { return store_; }
    TopologyScene *scene() const { return scene_; }
    TopologyView *view() const { return view_; }
    QTableView *nodeTable() const { return nodeTable_; }
    QTableView *historyTable() const { return historyTable_; }
    QLineEdit *nodeFilter() const { return nodeFilter_; }
    TimelineWidget *timeline() const { return timeline_; }
    QString detailsText() const;
    QLabel *connectionLabel() const { return connection_; }
    QLabel *stalenessLabel() const { return staleness_; }
    Mode mode() const { return mode_; }
    // The last failover notification, as shown (for tests).
    QString lastNotification() const { return lastNotification_; }

    // The node's interfaces, groups with its position in each, roles and tunnel ends, as HTML.
    static QString nodeDetailsHtml(const dmr::Snapshot &snapshot, const QString &id);

    // The token for drills; once set (or asked), it is not asked again this session.
    void setOperatorToken(const QString &token);
    void setDarkPalette(bool dark);

public slots:
    void selectNode(const QString &id);
    // Asks for confirmation (DrillDialog, with the what-if drawn over the topology) and the
    // token if needed, then sends it.
    void requestDrill(const QString &action, const QString &node, const QString &iface = {});
    void findNode();
    // Draws over the live topology the plan if the node (or only its adapter) failed.
    void showWhatIf(const QString &action, const QString &node, const QString &iface = {});
    // The topology as it was after that failover (FailoverRecord::key), with what changed.
    void showFailover(const QString &key);
    // The topology as it was at that time (the agents' view logs).
    void showReplayAt(qint64 timeMs);
    // Replays the last hour's plan changes at `speed` times real time.
    void startReplay(double speed);
    void pauseReplay();
    // Back to the live cluster: no replay, no failover, no what-if.
    void goLive();
    // Writes the history as CSV; true when written.
    bool exportHistoryCsv(const QString &path, QString *error = nullptr);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildDocks();
    void buildActions();
    void buildDrillMenu(QMenu *menu, const QString &node);
    void fillAdapterMenu(QMenu *menu, const QString &node, bool whatIf = false);
    void updateDrillActions();
    void updateReachability();
    void updateListeners();
    void updateConnectionLabel();
    void updateStaleness();
    void updateDetails();
    void updateModeLabel();
    void exportAs();
    void sendPendingDrill();
    void showSnapshot(const dmr::Snapshot &snapshot, const QString &viewId);
    void notifyFailover(const FailoverRecord &record);

    struct Drill
    {
        QString action, node, iface, reason;
        std::optional<qint64> durationMs;
    };

    QPointer<AgentClient> client_;
    ClusterStore *store_;
    TopologyScene *scene_;
    TopologyView *view_;
    QTextBrowser *details_ = nullptr;
    QString detailsNode_; // the node the details show
    QTableView *nodeTable_ = nullptr;
    QLineEdit *nodeFilter_ = nullptr;
    QSortFilterProxyModel *nodeProxy_ = nullptr;
    QSortFilterProxyModel *eventProxy_ = nullptr;
    QLineEdit *eventFilter_ = nullptr;
    QTableView *historyTable_ = nullptr;
    TimelineWidget *timeline_ = nullptr;
    QComboBox *speed_ = nullptr;
    QAction *playAction_ = nullptr;
    QAction *liveAction_ = nullptr;
    QLabel *modeLabel_ = nullptr;
    QLabel *connection_ = nullptr;
    QLabel *staleness_ = nullptr;
    QLabel *reachSummary_ = nullptr;
    QTableView *reachTable_ = nullptr;
    QLabel *listenerSummary_ = nullptr;
    QTableView *listenerTable_ = nullptr;
    QLabel *limitSummary_ = nullptr;
    QTableView *limitTable_ = nullptr;
    QMenu *drillMenu_ = nullptr;
    QMenu *adapterMenu_ = nullptr;
    QMenu *whatIfAdapterMenu_ = nullptr;
    QAction *killAction_ = nullptr;
    QAction *drainAction_ = nullptr;
    QAction *restoreAction_ = nullptr;
    QAction *whatIfAction_ = nullptr;
    QAction *darkAction_ = nullptr;
    QAction *legendAction_ = nullptr;
    bool tokenKnown_ = false;
    bool selecting_ = false;
    std::optional<Drill> pending_;
    Mode mode_ = Mode::Live;
    QTimer replayTimer_;
    double replaySpeed_ = 10;
    qint64 replayMs_ = 0;
    int shownFrame_ = -1;
    QTimer freshness_;
    QString lastNotification_;
};

} // namespace dmr::console
