#pragma once
// The console's main window: the topology in the middle, docks around it (the selected node,
// the node table, the event log, the failover history with its chart, the drills), the
// connection state in the status bar, exports, drills, light and dark palettes. Geometry, dock
// layout and palette are kept in QSettings.

#include "dmr/snapshot.h"

#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;
class QChart;
class QLineSeries;
class QScatterSeries;
class QDateTimeAxis;
class QValueAxis;

namespace dmr::console {

class AgentClient;
class ClusterStore;
class TopologyScene;
class TopologyView;

// Writes the scene or its snapshot by the file's suffix: .png, .svg, .json, .dot/.gv.
bool exportByPath(TopologyScene &scene, const QString &path, QString *error);

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // The client is not owned; the window attaches its store to it.
    explicit MainWindow(AgentClient *client, QWidget *parent = nullptr);
    ~MainWindow() override;

    ClusterStore *store() const { return store_; }
    TopologyScene *scene() const { return scene_; }
    TopologyView *view() const { return view_; }
    QTableView *nodeTable() const { return nodeTable_; }
    QString detailsText() const;
    QLineSeries *historySeries() const { return historyLine_; }
    QLabel *connectionLabel() const { return connection_; }

    // The node's interfaces, groups with its position in each, roles and tunnel ends, as HTML.
    static QString nodeDetailsHtml(const dmr::Snapshot &snapshot, const QString &id);

    // The token for drills; once set (or asked), it is not asked again this session.
    void setOperatorToken(const QString &token);
    void setDarkPalette(bool dark);

public slots:
    void selectNode(const QString &id);
    // Asks for confirmation (DrillDialog) and the token if needed, then sends it.
    void requestDrill(const QString &action, const QString &node, const QString &iface = {});
    void findNode();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildDocks();
    void buildActions();
    void buildDrillMenu(QMenu *menu, const QString &node);
    void fillAdapterMenu(QMenu *menu, const QString &node);
    void updateDrillActions();
    void updateReachability();
    void updateConnectionLabel();
    void updateDetails();
    void updateChart();
    void exportAs();
    void sendPendingDrill();

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
    QTableView *nodeTable_ = nullptr;
    QSortFilterProxyModel *nodeProxy_ = nullptr;
    QSortFilterProxyModel *eventProxy_ = nullptr;
    QLineEdit *eventFilter_ = nullptr;
    QChart *chart_ = nullptr;
    QLineSeries *historyLine_ = nullptr;
    QScatterSeries *historyPoints_ = nullptr;
    QDateTimeAxis *timeAxis_ = nullptr;
    QValueAxis *msAxis_ = nullptr;
    QLabel *connection_ = nullptr;
    QLabel *reachSummary_ = nullptr;
    QTableView *reachTable_ = nullptr;
    QMenu *drillMenu_ = nullptr;
    QMenu *adapterMenu_ = nullptr;
    QAction *killAction_ = nullptr;
    QAction *drainAction_ = nullptr;
    QAction *restoreAction_ = nullptr;
    QAction *darkAction_ = nullptr;
    bool tokenKnown_ = false;
    bool selecting_ = false;
    std::optional<Drill> pending_;
};

} // namespace dmr::console
