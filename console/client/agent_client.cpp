#include "agent_client.h"

#include "relay_state_poller.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

#ifndef DMR_VERSION
#define DMR_VERSION "0.0.0"
#endif

namespace dmr::console {

namespace {

namespace proto = dmr::protocol;

std::optional<proto::DrillAction> drillAction(const QString &text)
{
    for (auto a : {proto::DrillAction::Kill, proto::DrillAction::FailAdapter,
                   proto::DrillAction::Drain, proto::DrillAction::Restore})
        if (text == QLatin1StringView(proto::toString(a)))
            return a;
    return std::nullopt;
}

// The start of a line, for a message about it.
QString excerpt(const std::string &line)
{
    constexpr std::size_t kMax = 120;
    QString text = QString::fromUtf8(line.data(), qsizetype(std::min(line.size(), kMax)));
    if (line.size() > kMax)
        text += QStringLiteral("...");
    return text;
}

} // namespace

QString AgentClient::clientName()
{
    return QStringLiteral("dmr-console " DMR_VERSION);
}

AgentClient::AgentClient(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<dmr::Snapshot>();
    qRegisterMetaType<Endpoint>();
    qRegisterMetaType<HelloInfo>();
    qRegisterMetaType<FailoverRecord>();
    qRegisterMetaType<DrillRecord>();
    qRegisterMetaType<ConsoleEvent>();
    qRegisterMetaType<QList<FailoverRecord>>();
    qRegisterMetaType<QList<DrillRecord>>();
    qRegisterMetaType<ReachabilityMatrix>();
    qRegisterMetaType<ViewsPage>();
    qRegisterMetaType<SubscribeInfo>();

    refreshTimer_.setSingleShot(true);
    connect(&refreshTimer_, &QTimer::timeout, this, &AgentClient::refresh);

    historyFollowUp_.setSingleShot(true);
    historyFollowUp_.setInterval(kHistoryFollowUpMs);
    connect(&historyFollowUp_, &QTimer::timeout, this, &AgentClient::refresh);
    reachabilityTimer_.setInterval(kReachabilityIntervalMs);
    relay_ = new RelayStatePoller(this);
    connect(relay_, &RelayStatePoller::stateReceived, this, &AgentClient::relayStateReceived);
    connect(relay_, &RelayStatePoller::stateFailed, this, &AgentClient::relayStateFailed);
    connect(&reachabilityTimer_, &QTimer::timeout, this, &AgentClient::askReachability);

    retryTimer_.setSingleShot(true);
    connect(&retryTimer_, &QTimer::timeout, this, &AgentClient::attempt);
    connectTimer_.setSingleShot(true);
    connect(&connectTimer_, &QTimer::timeout, this, [this] {
        lose(QString::fromLatin1(kConnectionError), tr("could not connect to %1 within %2 ms")
                                                        .arg(current_.toString())
                                                        .arg(connectTimeoutMs_));
    });
    replyTimer_.setSingleShot(true);
    connect(&replyTimer_, &QTimer::timeout, this, [this] {
        lose(QString::fromLatin1(kTimeoutError), tr("agent at %1 did not answer within %2 ms")
                                                     .arg(current_.toString())
                                                     .arg(replyTimeoutMs_));
    });
}

AgentClient::~AgentClient()
{
    if (socket_) {
        disconnect(socket_, nullptr, this, nullptr);
        socket_->abort();
        delete socket_;
    }
}

void AgentClient::setEndpoints(const QList<Endpoint> &endpoints)
{
    QList<Endpoint> unique;
    for (const auto &e : endpoints)
        if (e.isValid() && !unique.contains(e))
            unique << e;
    if (unique == given_)
        return;
    given_ = unique;
    emit endpointsChanged();
}

QList<Endpoint> AgentClient::endpoints() const
{
    QList<Endpoint> all = given_;
    for (const auto &e : learnt_)
        if (!all.contains(e))
            all << e;
    return all;
}

void AgentClient::setTimeouts(int connectMs, int replyMs)
{
    connectTimeoutMs_ = std::max(1, connectMs);
    replyTimeoutMs_ = std::max(1, replyMs);
}

void AgentClient::setState(State state)
{
    if (state == state_)
        return;
    state_ = state;
    emit stateChanged(state);
}

void AgentClient::report(const QString &code, const QString &message)
{
    lastError_ = message;
    emit errorOccurred(code, message);
}

// ---- Connection --------------------------------------------------------------------------------

void AgentClient::start()
{
    retryTimer_.stop();
    teardown(tr("restarted"));
    running_ = true;
    backoff_.reset();
    helloProtocol_ = proto::kVersion;
    const QList<Endpoint> list = endpoints();
    current_ = list.isEmpty() ? Endpoint{} : list.first();
    setState(State::Connecting);
    attempt();
}

void AgentClient::stop()
{
    running_ = false;
    retryTimer_.stop();
    teardown(tr("the console disconnected"));
    setState(State::Disconnected);
}

void AgentClient::attempt()
{
    if (!running_)
        return;
    const QList<Endpoint> list = endpoints();
    if (list.isEmpty()) {
        running_ = false;
        setState(State::Disconnected);
        report(QString::fromLatin1(kNoEndpointError), tr("no agent address to connect to"));
        return;
    }
    if (!list.contains(current_))
        current_ = list.first();

    framer_ = proto::LineFramer(proto::kReplyLineBytesMax);
    std::optional<QSslConfiguration> tls;
    if (tls_.enabled()) {
        QString error;
        tls = tlsConfiguration(tls_, &error);
        if (!tls) {
            report(QString::fromLatin1(kConnectionError),
                   tr("cannot speak TLS to %1: %2").arg(current_.toString(), error));
            scheduleRetry();
            return;
        }
    }
    QTcpSocket *socket = nullptr;
    if (tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*tls);
        // The hello waits for the handshake; the agent's certificate must name the host.
        connect(ssl, &QSslSocket::encrypted, this, &AgentClient::onConnected);
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
        connect(socket, &QTcpSocket::connected, this, &AgentClient::onConnected);
    }
    socket_ = socket;
    connect(socket, &QTcpSocket::readyRead, this, &AgentClient::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &AgentClient::onSocketGone);
    connect(socket, &QTcpSocket::errorOccurred, this, &AgentClient::onSocketGone);
    connectTimer_.start(connectTimeoutMs_);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->connectToHostEncrypted(current_.host, current_.port);
    else
        socket->connectToHost(current_.host, current_.port);
}

std::optional<QSslConfiguration> AgentClient::tlsConfiguration(const TlsFiles &tls, QString *error)
{
    const auto read = [&](const QString &path, QByteArray *out) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = tr("%1: %2").arg(path, f.errorString());
            return false;
        }
        *out = f.readAll();
        return true;
    };
    QByteArray pem;
    if (!read(tls.caFile, &pem))
        return std::nullopt;
    const auto cas = QSslCertificate::fromData(pem, QSsl::Pem);
    if (cas.isEmpty()) {
        *error = tr("%1: no PEM certificate in it").arg(tls.caFile);
        return std::nullopt;
    }
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setProtocol(QSsl::TlsV1_3OrLater);
    conf.setCaCertificates(cas);
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!tls.certFile.isEmpty()) {
        if (!read(tls.certFile, &pem))
            return std::nullopt;
        const auto chain = QSslCertificate::fromData(pem, QSsl::Pem);
        if (chain.isEmpty()) {
            *error = tr("%1: no PEM certificate in it").arg(tls.certFile);
            return std::nullopt;
        }
        const QString keyPath = tls.keyFile.isEmpty() ? tls.certFile : tls.keyFile;
        if (!read(keyPath, &pem))
            return std::nullopt;
        QSslKey key(pem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull()) {
            *error = tr("%1: no PEM private key (EC or RSA) in it").arg(keyPath);
            return std::nullopt;
        }
        conf.setLocalCertificateChain(chain);
        conf.setPrivateKey(key);
    }
    return conf;
}

void AgentClient::scheduleRetry()
{
    const QList<Endpoint> list = endpoints();
    if (!list.isEmpty())
        current_ = list[(list.indexOf(current_) + 1) % list.size()];
    setState(State::Reconnecting);
    retryTimer_.start(backoff_.nextDelayMs(*QRandomGenerator::global()));
}

void AgentClient::teardown(const QString &why)
{
    connectTimer_.stop();
    replyTimer_.stop();
    reachabilityTimer_.stop();
    relay_->stop();
    historyFollowUp_.stop();
    reachabilityOutstanding_ = false;
    if (socket_) {
        disconnect(socket_, nullptr, this, nullptr);
        socket_->abort();
        socket_->deleteLater();
        socket_ = nullptr;
    }
    hello_ = {};
    refreshOutstanding_ = 0;
    refreshPending_ = false;
    refreshTimer_.stop();
    cursorFields_ = true;
    viewsSupported_ = true;
    subscribeWithCursor_ = false;
    viewsInstance_.clear();
    viewsRev_ = 0;
    QList<qint64> drills;
    for (auto it = pending_.cbegin(); it != pending_.cend(); ++it)
        if (it.value() == Pending::Drill)
            drills << it.key();
    pending_.clear();
    std::sort(drills.begin(), drills.end());
    for (qint64 id : drills)
        emit drillFinished(
            id, false,
            tr("the connection to the agent closed before it answered (%1); the drill may have "
               "been carried out")
                .arg(why));
}

void AgentClient::lose(const QString &code, const QString &why)
{
    teardown(why);
    report(code, why);
    if (running_)
        scheduleRetry();
    else
        setState(State::Disconnected);
}

void AgentClient::onConnected()
{
    if (sender() != socket_)
        return;
    connectTimer_.stop();
    proto::Request hello;
    hello.kind = proto::RequestKind::Hello;
    hello.hello.protocol = helloProtocol_;
    hello.hello.client = clientName().toStdString();
    if (!token_.isEmpty())
        hello.hello.token = token_.toStdString();
    send(std::move(hello), Pending::Hello);
}

void AgentClient::onSocketGone()
{
    if (!socket_ || sender() != socket_)
        return;
    const bool wasConnected = !connectTimer_.isActive(); // the timer runs until connected
    const QString why =
        wasConnected
            ? tr("lost the agent at %1: %2").arg(current_.toString(), socket_->errorString())
            : tr("could not connect to %1: %2").arg(current_.toString(), socket_->errorString());
    lose(QString::fromLatin1(kConnectionError), why);
}

qint64 AgentClient::send(proto::Request request, Pending kind)
{
    const qint64 id = nextId_++;
    request.id = std::int64_t{id};
    const std::string line = proto::encodeRequest(request);
    pending_.insert(id, kind);
    socket_->write(line.data(), qint64(line.size()));
    if (!replyTimer_.isActive())
        replyTimer_.start(replyTimeoutMs_);
    return id;
}

// ---- Reading -----------------------------------------------------------------------------------

void AgentClient::onReadyRead()
{
    const QPointer<QTcpSocket> socket = socket_;
    if (!socket || sender() != socket)
        return;
    const QByteArray bytes = socket->readAll();
    const auto events = framer_.feed(std::string_view(bytes.constData(), size_t(bytes.size())));
    for (const auto &event : events) {
        if (socket_ != socket || !socket)
            return; // a line before this one dropped the connection
        if (event.kind == proto::LineFramer::Event::Kind::TooLong)
            report(
                QString::fromLatin1(kLineTooLongError),
                tr("agent at %1: %2").arg(current_.toString(), QString::fromStdString(event.text)));
        else
            handleLine(event.text);
    }
}

void AgentClient::handleLine(const std::string &line)
{
    const QString badReply = QString::fromLatin1(kBadReplyError);
    // The envelope (type, id, code, message, result) by the core's reader (dmr/replies.h).
    auto parsed = reply::parseMessage(line);
    if (!parsed)
        return report(badReply,
                      tr("agent at %1 sent a line that is not a message of the "
                         "protocol (%2): %3")
                          .arg(current_.toString(), QString::fromStdString(parsed.error().message),
                               excerpt(line)));
    const reply::Message &message = parsed.value();

    if (message.type == reply::Message::Type::Event) {
        auto event = parseEvent(line);
        if (!event)
            return report(badReply, tr("agent at %1 sent a bad event: %2")
                                        .arg(current_.toString(),
                                             QString::fromStdString(event.error().message)));
        ConsoleEvent e = std::move(event).value();
        e.agent = hello_.agent;
        if (e.seq > 0) {
            auto &c = cursors_[e.agent];
            c.eventSeq = std::max(c.eventSeq, e.seq);
        }
        lastEventMs_ = std::max(lastEventMs_, e.timeMs);
        const QPointer<QTcpSocket> socket = socket_;
        emit eventReceived(e);
        if (e.changesCluster() && socket_ == socket)
            refresh();
        return;
    }

    const bool ok = message.type == reply::Message::Type::Reply;
    if (std::holds_alternative<std::monostate>(message.id)) {
        // An error the agent could not tie to a request: bad-json, line-too-long, busy.
        if (!ok)
            return report(QString::fromStdString(message.code),
                          tr("agent at %1: %2")
                              .arg(current_.toString(), QString::fromStdString(message.message)));
        return report(badReply, tr("agent at %1 sent a reply without an id: %2")
                                    .arg(current_.toString(), excerpt(line)));
    }
    const auto *id = std::get_if<std::int64_t>(&message.id);
    const auto found = id ? pending_.constFind(*id) : pending_.constEnd();
    if (found == pending_.constEnd())
        return report(badReply, tr("agent at %1 answered a request this console did not send: %2")
                                    .arg(current_.toString(), excerpt(line)));
    const Pending kind = found.value();
    pending_.erase(found);
    if (pending_.isEmpty())
        replyTimer_.stop();
    else
        replyTimer_.start(replyTimeoutMs_); // the agent answers in order: it is making progress
    handleAnswer(*id, kind, message);
}

void AgentClient::handleAnswer(qint64 id, Pending kind, const reply::Message &message)
{
    const bool ok = message.type == reply::Message::Type::Reply;
    const QString agent = current_.toString();
    const QString badReply = QString::fromLatin1(kBadReplyError);
    const bool refreshPart = kind == Pending::Cluster || kind == Pending::History ||
                             kind == Pending::Drills || kind == Pending::Views;
    const QPointer<QTcpSocket> socket = socket_;
    const auto done = [&] {
        if (refreshPart && socket_ == socket && socket)
            refreshPartDone();
    };

    if (!ok) {
        const QString code = QString::fromStdString(message.code);
        const QString text = QString::fromStdString(message.message);
        switch (kind) {
        case Pending::Drill:
            emit drillFinished(id, false, text.isEmpty() ? code : text);
            return;
        case Pending::Hello: {
            const QString why = tr("agent at %1 refused the hello: %2").arg(agent, text);
            if (code == u"unsupported-protocol") {
                // An agent of another release: once more, at once, in the newest version both
                // speak, if there is one.
                const auto common = proto::newestCommon(message.versions);
                if (common && *common != helloProtocol_) {
                    helloProtocol_ = *common;
                    teardown(why);
                    attempt();
                    return;
                }
            }
            if (code == u"not-authorized" || code == u"unsupported-protocol") {
                // Another agent would say the same: give up and say why.
                running_ = false;
                retryTimer_.stop();
                teardown(why);
                setState(State::Disconnected);
                report(code, why);
                return;
            }
            return lose(code, why);
        }
        case Pending::Reachability:
            reachabilityOutstanding_ = false;
            if (code == u"unknown-type") { // an agent without the relay's probe
                reachabilityTimer_.stop();
                return;
            }
            report(code, tr("agent at %1: %2").arg(agent, text));
            return;
        case Pending::Subscribe:
            if (code == u"bad-field" && subscribeWithCursor_) {
                // An agent without replay: follow it from now on.
                cursorFields_ = false;
                return subscribe();
            }
            report(code, tr("agent at %1: %2").arg(agent, text));
            return;
        case Pending::History:
        case Pending::Drills:
        case Pending::Views:
            if (code == u"bad-field" && cursorFields_) {
                cursorFields_ = false; // an agent without cursors: ask for everything
                return askPage(kind);
            }
            if (kind == Pending::Views && code == u"unknown-type") {
                viewsSupported_ = false; // an agent without a view log
                return done();
            }
            report(code, tr("agent at %1: %2").arg(agent, text));
            return done();
        case Pending::Cluster:
            report(code, tr("agent at %1: %2").arg(agent, text));
            return done();
        }
        return;
    }

    if (!message.resultJson) {
        const QString why = tr("agent at %1 sent a reply without a result object").arg(agent);
        if (kind == Pending::Drill) {
            emit drillFinished(id, false, why);
            return;
        }
        if (kind == Pending::Reachability)
            reachabilityOutstanding_ = false;
        if (kind == Pending::Hello)
            return lose(badReply, why);
        report(badReply, why);
        return done();
    }
    const std::string &result = *message.resultJson;
    const auto bad = [&](const std::string &why) {
        report(badReply, tr("agent at %1: %2").arg(agent, QString::fromStdString(why)));
    };

    switch (kind) {
    case Pending::Hello: {
        auto h = parseHello(result);
        if (!h)
            return lose(
                badReply,
                tr("agent at %1: %2").arg(agent, QString::fromStdString(h.error().message)));
        hello_ = std::move(h).value();
        setState(State::Connected);
        emit helloReceived(current_, hello_);
        if (socket_ != socket || !socket)
            return;
        subscribe();
        refresh();
        if (reachabilityTimer_.interval() > 0) {
            askReachability();
            reachabilityTimer_.start();
        }
        if (relay_->interval() > 0) {
            // The routing points are known once get-cluster answers; each round asks them.
            relay_->setOperatorToken(token_);
            relay_->setTls(tls_);
            relay_->start();
        }
        return;
    }
    case Pending::Subscribe:
        if (auto info = parseSubscribe(result)) {
            if (!info.value().instance.isEmpty())
                cursorsFor(info.value().instance);
            emit subscribed(hello_.agent, info.value());
        } else {
            bad(info.error().message);
        }
        return;
    case Pending::Cluster:
        handleCluster(result);
        return done();
    case Pending::History:
        if (auto h = parseHistoryPage(result)) {
            HistoryPage page = std::move(h).value();
            for (auto &r : page.records)
                r.agent = hello_.agent;
            if (!page.page.instance.isEmpty())
                cursorsFor(page.page.instance).historyRev = page.page.rev;
            emit historyReceived(page.records);
            if (socket_ != socket || !socket)
                return;
            // A failover whose tunnels are not up yet completes without an event of its own:
            // ask again shortly while one is young (the agent gives up waiting after 2 s).
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (const auto &r : std::as_const(page.records))
                if (!r.tunnelsUpMs && now - r.detectedMs < kIncompleteFailoverFollowMs &&
                    !historyFollowUp_.isActive()) {
                    historyFollowUp_.start();
                    break;
                }
            if (page.page.more && cursorFields_)
                return askPage(kind); // the next page, as part of the same refresh
        } else
            bad(h.error().message);
        return done();
    case Pending::Drills:
        if (auto d = parseDrillsPage(result)) {
            if (!d.value().page.instance.isEmpty())
                cursorsFor(d.value().page.instance).drillsRev = d.value().page.rev;
            emit drillsReceived(d.value().records);
            if (socket_ != socket || !socket)
                return;
            if (d.value().page.more && cursorFields_)
                return askPage(kind);
        } else
            bad(d.error().message);
        return done();
    case Pending::Views:
        if (auto v = parseViews(result)) {
            ViewsPage page = std::move(v).value();
            page.agent = hello_.agent;
            viewsInstance_ = page.page.instance;
            viewsRev_ = page.page.rev;
            emit viewsReceived(page);
            if (socket_ != socket || !socket)
                return;
            if (page.page.more && cursorFields_)
                return askPage(kind);
        } else
            bad(v.error().message);
        return done();
    case Pending::Reachability:
        reachabilityOutstanding_ = false;
        if (auto m = parseReachability(result)) {
            // A large matrix costs the agents a gathering and this console a parse: asked less
            // often, 40 ms a node (5 s for Fig. 1's 128), never more often than set.
            const int nodes = int(m.value().nodes.size());
            if (reachabilityIntervalMs_ > 0)
                reachabilityTimer_.setInterval(std::max(reachabilityIntervalMs_, nodes * 40));
            emit reachabilityReceived(m.value());
        } else
            bad(m.error().message);
        return;
    case Pending::Drill: {
        auto record = parseDrillRecord(result);
        if (!record) {
            emit drillFinished(id, true,
                               tr("the agent carried out the drill, but its record is unreadable: "
                                  "%1")
                                   .arg(QString::fromStdString(record.error().message)));
        } else {
            const DrillRecord &r = record.value();
            // The audit view takes it at once: a kill of this very agent ends this connection
            // before get-drills could list it, and the next agent never heard of it.
            emit drillsReceived({r});
            const QString what = describe(r);
            emit drillFinished(id, true,
                               r.forwardedTo.isEmpty()
                                   ? tr("%1: carried out (drill %2)").arg(what).arg(r.id)
                                   : tr("%1: carried out by agent %2 (drill %3)")
                                         .arg(what, r.forwardedTo)
                                         .arg(r.id));
        }
        if (socket_ == socket && socket)
            refresh();
        return;
    }
    }
}

void AgentClient::handleCluster(std::string_view resultJson)
{
    auto parsed = parseCluster(resultJson);
    if (!parsed)
        return report(
            QString::fromLatin1(kBadReplyError),
            tr("agent at %1: %2")
                .arg(current_.toString(), QString::fromStdString(parsed.error().message)));
    ClusterInfo cluster = std::move(parsed).value();
    if (cluster.hasAgent(hello_.agent)) {
        learn(cluster);
        backoff_.reset(); // a good agent: the next loss starts from the shortest delay
    } else {
        // This agent is out of its own view: killed by a drill, still joining, or cut off. Its
        // picture is empty or stale; another agent's is better, if there is one to ask.
        const QList<Endpoint> list = endpoints();
        const bool another = std::any_of(list.begin(), list.end(),
                                         [&](const Endpoint &e) { return !(e == current_); });
        if (another)
            return lose(
                QString::fromLatin1(kOutOfClusterError),
                tr("agent %1 at %2 is not in the cluster (view %3); moving to another agent")
                    .arg(hello_.agent, current_.toString(), cluster.viewId));
    }
    cluster_ = cluster;
    const bool firstTargets = relay_->targets().isEmpty();
    relay_->setTargets(RelayStatePoller::routingPoints(cluster_));
    if (firstTargets && relay_->interval() > 0 && state_ == State::Connected)
        relay_->pollNow(); // the first round need not wait for the interval
    emit clusterReceived(cluster_.snapshot, cluster_.viewId, cluster_.controlAddresses());
}

void AgentClient::learn(const ClusterInfo &cluster)
{
    QList<Endpoint> learnt;
    for (const QString &address : cluster.controlAddresses())
        if (auto e = Endpoint::parse(address); e && !learnt.contains(*e))
            learnt << *e;
    if (learnt == learnt_)
        return;
    learnt_ = learnt;
    emit endpointsChanged();
}

// ---- Requests ----------------------------------------------------------------------------------

void AgentClient::refresh()
{
    if (state_ != State::Connected || !socket_)
        return;
    if (refreshOutstanding_ > 0) {
        refreshPending_ = true;
        return;
    }
    const qint64 sinceLast = QDateTime::currentMSecsSinceEpoch() - lastRefreshMs_;
    if (sinceLast >= 0 && sinceLast < kRefreshIntervalMs) {
        if (!refreshTimer_.isActive())
            refreshTimer_.start(int(kRefreshIntervalMs - sinceLast));
        return;
    }
    startRefresh();
}

void AgentClient::startRefresh()
{
    refreshTimer_.stop();
    refreshPending_ = false;
    lastRefreshMs_ = QDateTime::currentMSecsSinceEpoch();
    refreshOutstanding_ = viewsSupported_ ? 4 : 3;
    proto::Request cluster;
    cluster.kind = proto::RequestKind::GetCluster;
    send(std::move(cluster), Pending::Cluster);
    askPage(Pending::History);
    askPage(Pending::Drills);
    if (viewsSupported_)
        askPage(Pending::Views);
}

AgentClient::Cursors &AgentClient::cursorsFor(const QString &instance)
{
    Cursors &c = cursors_[hello_.agent];
    if (c.instance != instance)
        c = Cursors{instance, 0, 0, 0}; // the agent restarted: its numbers start over
    return c;
}

void AgentClient::askPage(Pending kind)
{
    if (!socket_)
        return;
    proto::Request r;
    qint64 since = 0;
    QString instance;
    const Cursors c = cursors_.value(hello_.agent);
    switch (kind) {
    case Pending::History:
        r.kind = proto::RequestKind::GetHistory;
        since = c.historyRev;
        instance = c.instance;
        break;
    case Pending::Drills:
        r.kind = proto::RequestKind::GetDrills;
        since = c.drillsRev;
        instance = c.instance;
        break;
    case Pending::Views:
        r.kind = proto::RequestKind::GetViews;
        since = viewsRev_;
        instance = viewsInstance_;
        break;
    default:
        return;
    }
    if (cursorFields_ && since > 0 && !instance.isEmpty()) {
        r.cursor.since = since;
        r.cursor.instance = instance.toStdString();
    }
    send(std::move(r), kind);
}

void AgentClient::subscribe()
{
    proto::Request r;
    r.kind = proto::RequestKind::Subscribe;
    r.subscribeEvents = true;
    subscribeWithCursor_ = cursorFields_;
    if (cursorFields_) {
        const Cursors c = cursors_.value(hello_.agent);
        if (!c.instance.isEmpty() && c.eventSeq > 0) {
            // Back to an agent this console followed: what came after the last event seen.
            r.cursor.since = c.eventSeq;
            r.cursor.instance = c.instance.toStdString();
        } else {
            // Another agent (or the first one): from the last event seen anywhere, a little
            // before it for clocks that differ; everything it kept when there was none.
            r.cursor.sinceMs =
                lastEventMs_ < 0 ? 0 : std::max<qint64>(0, lastEventMs_ - kReplaySlackMs);
        }
    }
    send(std::move(r), Pending::Subscribe);
}

void AgentClient::setReachabilityInterval(int ms)
{
    reachabilityIntervalMs_ = std::max(0, ms);
    reachabilityTimer_.setInterval(reachabilityIntervalMs_);
    if (ms <= 0)
        reachabilityTimer_.stop();
    else if (state_ == State::Connected && !reachabilityTimer_.isActive())
        reachabilityTimer_.start();
}

void AgentClient::setRelayStateInterval(int ms)
{
    relay_->setInterval(ms);
    if (ms <= 0)
        relay_->stop();
}

void AgentClient::askReachability()
{
    // One at a time: the agent gathers every node's row, which takes up to a second or two.
    if (state_ != State::Connected || !socket_ || reachabilityOutstanding_)
        return;
    proto::Request r;
    r.kind = proto::RequestKind::GetReachability;
    reachabilityOutstanding_ = true;
    send(std::move(r), Pending::Reachability);
}

void AgentClient::refreshPartDone()
{
    if (refreshOutstanding_ > 0)
        --refreshOutstanding_;
    if (refreshOutstanding_ == 0 && refreshPending_)
        refresh();
}

qint64 AgentClient::sendDrill(const QString &action, const QString &node, const QString &iface,
                              const QString &reason, std::optional<qint64> durationMs)
{
    const auto failLater = [this](qint64 id, const QString &why) {
        QMetaObject::invokeMethod(
            this, [this, id, why] { emit drillFinished(id, false, why); }, Qt::QueuedConnection);
        return id;
    };
    const auto a = drillAction(action);
    if (!a)
        return failLater(nextId_++,
                         tr("unknown drill action \"%1\"; expected kill, fail-adapter, drain or "
                            "restore")
                             .arg(action));
    if (state_ != State::Connected || !socket_)
        return failLater(nextId_++, tr("not connected to an agent"));

    proto::Request r;
    r.kind = proto::RequestKind::Drill;
    r.drill.action = *a;
    r.drill.node = node.toStdString();
    r.drill.iface = iface.toStdString();
    r.drill.reason = reason.toStdString();
    if (durationMs)
        r.drill.durationMs = std::int64_t{*durationMs};
    return send(std::move(r), Pending::Drill);
}

} // namespace dmr::console
