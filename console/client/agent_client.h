#pragma once
// The console's side of the control protocol (backend/PROTOCOL.md): one QTcpSocket to one
// dmr-agent at a time, newline-delimited JSON framed with dmr::protocol::LineFramer
// (kReplyLineBytesMax), requests with integer ids matched to their replies.
//
// On connecting it says hello (client "dmr-console VERSION", with the operator token when one
// is set), subscribes to events and fetches get-cluster, get-history, get-drills and get-views;
// it fetches them again on every view-changed, plan-changed, failover or drill event and after
// each drill it sends, coalesced: at most one refresh in flight, one more pending behind it, and
// no more than one started every kRefreshIntervalMs (a cluster of a hundred agents forming sends
// hundreds of events a second).
//
// A continuous record across agents (PROTOCOL.md, Cursors): it keeps, per agent, where it left
// off (the agent process, the last event number, the history's and drills' revisions) and asks
// only for what came after; an agent it has not followed before replays its kept events from
// the time of the last event seen from any agent (less kReplaySlackMs, for clocks), and the
// models drop what they already hold (ConsoleEvent::key, FailoverRecord::key). History, drills
// and views come as pages; a page cut by its limit is followed at once by the next.
//
// TLS (setTls): a QSslSocket speaks TLS 1.3, checks the agent's certificate against a CA file and
// the host connected to, and offers a client certificate when given one; the hello goes out once
// the handshake is done. The files are read again at every attempt, so a CA that appears late
// (dmr-lab writes it while starting) is picked up by the next one.
//
// Endpoints: the ones it was given, then the control addresses of the agents learnt from the
// last get-cluster. When its agent is lost (the connection drops, it stops answering, or it
// reports itself out of the cluster, as a killed agent does in a kill drill) it moves to the
// next endpoint, after a backoff of 250 ms doubling to 8 s, with jitter.

#include "backoff.h"
#include "endpoint.h"
#include "records.h"

#include "dmr/protocol.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

#include <QSslConfiguration>

class QTcpSocket;

namespace dmr::console {

class RelayStatePoller;

// TLS to the agents: on when caFile is set (PEM files).
struct TlsFiles
{
    QString caFile;   // the CA that signed the agents' certificates
    QString certFile; // this console's certificate (mutual TLS); empty: none
    QString keyFile;  // its private key; empty: in certFile
    bool enabled() const { return !caFile.isEmpty(); }
};

class AgentClient : public QObject
{
    Q_OBJECT

public:
    enum class State : quint8 {
        Disconnected, // not started, stopped, or given up (a refused hello)
        Connecting,   // the first attempt: connecting and saying hello
        Connected,    // hello answered; requests and events flow
        Reconnecting, // lost the agent or could not reach it: waiting, then trying the next one
    };
    Q_ENUM(State)

    // The codes errorOccurred() carries besides the agent's own (PROTOCOL.md, Errors).
    static constexpr const char *kConnectionError = "connection"; // refused, dropped, timed out
    static constexpr const char *kTimeoutError = "timeout";       // no answer in time
    static constexpr const char *kBadReplyError = "bad-reply";    // a line that breaks the protocol
    static constexpr const char *kLineTooLongError = "line-too-long";   // a line over 16 MiB
    static constexpr const char *kOutOfClusterError = "out-of-cluster"; // the agent left its view
    static constexpr const char *kNoEndpointError = "no-endpoint";      // nothing to connect to

    static constexpr int kConnectTimeoutMs = 5000;
    // Replies come in request order; a forwarded drill takes up to 3 s at the agent.
    static constexpr int kReplyTimeoutMs = 15000;

    // "dmr-console 0.1.0": what the hello says.
    static QString clientName();

    explicit AgentClient(QObject *parent = nullptr);
    ~AgentClient() override;

    // The endpoints to try first, in order (--connect). Takes effect at the next attempt.
    void setEndpoints(const QList<Endpoint> &endpoints);
    // The given endpoints, then the learnt ones that are not among them.
    QList<Endpoint> endpoints() const;
    QList<Endpoint> learntEndpoints() const { return learnt_; }
    // The operator token for the next hellos; empty: read-only sessions (drills are refused).
    void setOperatorToken(const QString &token) { token_ = token; }
    // TLS for the next attempts; TlsFiles{} for clear text.
    void setTls(const TlsFiles &tls) { tls_ = tls; }
    const TlsFiles &tls() const { return tls_; }
    // The TLS configuration of the files, or an error naming the file and why.
    static std::optional<QSslConfiguration> tlsConfiguration(const TlsFiles &tls, QString *error);
    void setTimeouts(int connectMs, int replyMs);
    void setBackoff(int initialMs, int maxMs) { backoff_ = Backoff(initialMs, maxMs); }
    // How often to ask for the reachability matrix while connected (get-reachability), at the
    // least (a large cluster's is asked for every 40 ms a node); 0 stops.
    // An agent that does not know the request is not asked again on that connection.
    void setReachabilityInterval(int ms);
    static constexpr int kReachabilityIntervalMs = 2000;
    // How often to ask the routing points for their relay state (listeners, wanted groups: see
    // RelayStatePoller) while connected; 0 stops. Each on a short connection of its own.
    void setRelayStateInterval(int ms);
    // A failover record without its tunnels-up time, detected less than this long ago, makes
    // the client fetch again after kHistoryFollowUpMs: completion raises no event.
    static constexpr qint64 kIncompleteFailoverFollowMs = 10000;
    static constexpr int kHistoryFollowUpMs = 500;
    static constexpr int kRefreshIntervalMs = 300;
    static constexpr qint64 kReplaySlackMs = 5000;

    State state() const { return state_; }
    // The last error, as one line for a person; empty when there was none.
    QString lastError() const { return lastError_; }
    // The endpoint of the current (or next) attempt; invalid before start().
    Endpoint currentEndpoint() const { return current_; }
    // The current connection's hello reply; empty unless Connected.
    HelloInfo hello() const { return hello_; }
    bool isOperator() const { return state_ == State::Connected && hello_.isOperator; }
    // The last get-cluster that was emitted.
    const ClusterInfo &cluster() const { return cluster_; }

public slots:
    // Connects to the first endpoint (and keeps a connection until stop()).
    void start();
    // Closes the connection and stops reconnecting. Drills waiting for an answer finish with
    // ok = false.
    void stop();
    // Fetches the cluster, the history and the drills again (coalesced). Nothing when not
    // connected: every connection starts with a refresh.
    void refresh();

public:
    // Sends a drill: action "kill", "fail-adapter", "drain" or "restore"; iface empty unless the
    // action takes one; reason must not be empty; durationMs restores it automatically. Returns
    // the request id; drillFinished(id, ...) follows exactly once, with the agent's word (or
    // ok = false at once when not connected, or when the connection is lost first).
    qint64 sendDrill(const QString &action, const QString &node, const QString &iface,
                     const QString &reason, std::optional<qint64> durationMs = std::nullopt);

signals:
    void stateChanged(dmr::console::AgentClient::State state);
    // Said hello to this agent (each connection).
    void helloReceived(const dmr::console::Endpoint &endpoint,
                       const dmr::console::HelloInfo &hello);
    // The endpoints to cycle through changed (new agents learnt).
    void endpointsChanged();
    // A failure, one line for a person: the agent's error code (PROTOCOL.md) or one of the k*Error
    // codes above. Errors of drill requests go to drillFinished instead.
    void errorOccurred(const QString &code, const QString &message);

    void clusterReceived(const dmr::Snapshot &snapshot, const QString &viewId,
                         const QStringList &agentControlAddresses);
    // The failovers this agent added or changed since the client last asked it (all of them at
    // the first time): listeners merge them (HistoryModel::mergeRecords).
    void historyReceived(const QList<dmr::console::FailoverRecord> &records);
    // A page of the agent's view log (get-views); with a base, it starts that agent's log over.
    void viewsReceived(const dmr::console::ViewsPage &page);
    // The subscribe reply: how many kept events the agent replays now, and whether it had to
    // drop some that this console had not seen (a gap in the event log).
    void subscribed(const QString &agent, const dmr::console::SubscribeInfo &info);
    // get-drills, or the one record of a drill reply: listeners join them (ClusterStore).
    void drillsReceived(const QList<dmr::console::DrillRecord> &records);
    void reachabilityReceived(const dmr::console::ReachabilityMatrix &matrix);
    // A routing point's get-state (its listener tables and tunnel ends), or why it could not be
    // had this round.
    void relayStateReceived(const QString &node, const dmr::console::RelayState &state);
    void relayStateFailed(const QString &node, const QString &why);
    void eventReceived(const dmr::console::ConsoleEvent &event);
    void drillFinished(qint64 id, bool ok, const QString &message);

private:
    enum class Pending : quint8 {
        Hello,
        Subscribe,
        Cluster,
        History,
        Drills,
        Views,
        Drill,
        Reachability
    };
    // Where this console left off with one agent process (PROTOCOL.md, Cursors).
    struct Cursors
    {
        QString instance;
        qint64 eventSeq = 0;
        qint64 historyRev = 0;
        qint64 drillsRev = 0;
    };

    void setState(State state);
    void report(const QString &code, const QString &message);
    void attempt();
    void scheduleRetry();
    // Drops the connection (if any) without retrying; fails pending drills with `why`.
    void teardown(const QString &why);
    // Drops the agent and, unless stopped, goes on with the next endpoint after the backoff.
    void lose(const QString &code, const QString &why);
    qint64 send(dmr::protocol::Request request, Pending kind);
    void onConnected();
    void onReadyRead();
    void onSocketGone();
    void handleLine(const std::string &line);
    void handleAnswer(qint64 id, Pending kind, const dmr::reply::Message &message);
    void handleCluster(std::string_view resultJson);
    void refreshPartDone();
    void startRefresh();
    void subscribe();
    // A get-history, get-drills or get-views request, after where this console left off.
    void askPage(Pending kind);
    // The cursors of the agent this client talks to, started over when its process changed.
    Cursors &cursorsFor(const QString &instance);
    void askReachability();
    void learn(const ClusterInfo &cluster);

    QPointer<QTcpSocket> socket_;
    dmr::protocol::LineFramer framer_{dmr::protocol::kReplyLineBytesMax};
    QHash<qint64, Pending> pending_;
    qint64 nextId_ = 1;
    int refreshOutstanding_ = 0;
    bool refreshPending_ = false;
    QTimer refreshTimer_; // holds a refresh back to one every kRefreshIntervalMs
    qint64 lastRefreshMs_ = 0;
    QHash<QString, Cursors> cursors_; // by agent id
    qint64 lastEventMs_ = -1;         // the newest event's time from any agent
    // This connection: whether the agent takes cursor fields and get-views, and where its view
    // log stands (a new connection starts it over).
    bool cursorFields_ = true;
    bool viewsSupported_ = true;
    bool subscribeWithCursor_ = false;
    QString viewsInstance_;
    qint64 viewsRev_ = 0;

    QList<Endpoint> given_;
    QList<Endpoint> learnt_;
    Endpoint current_;
    Backoff backoff_;
    QTimer retryTimer_;
    QTimer reachabilityTimer_;
    RelayStatePoller *relay_ = nullptr;
    int reachabilityIntervalMs_ = kReachabilityIntervalMs; // as set; larger matrices wait longer
    QTimer historyFollowUp_;
    bool reachabilityOutstanding_ = false;
    QTimer connectTimer_;
    QTimer replyTimer_;
    int connectTimeoutMs_ = kConnectTimeoutMs;
    int replyTimeoutMs_ = kReplyTimeoutMs;

    QString token_;
    TlsFiles tls_;
    bool running_ = false;
    // The control protocol version the next hello names: the newest this console speaks, or
    // the newest common one an agent of another release listed when it refused ours.
    int helloProtocol_ = dmr::protocol::kVersion;
    State state_ = State::Disconnected;
    QString lastError_;
    HelloInfo hello_;
    ClusterInfo cluster_;
};

} // namespace dmr::console
