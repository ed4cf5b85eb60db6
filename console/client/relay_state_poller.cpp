#include "relay_state_poller.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace dmr::console {

namespace proto = dmr::protocol;

struct RelayStatePoller::Session
{
    QString node;
    Endpoint endpoint;
    QPointer<QTcpSocket> socket;
    proto::LineFramer framer{proto::kReplyLineBytesMax};
    QTimer deadline;
    bool helloAnswered = false;
};

RelayStatePoller::RelayStatePoller(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<RelayState>();
    timer_.setInterval(intervalMs_);
    connect(&timer_, &QTimer::timeout, this, &RelayStatePoller::pollNow);
}

RelayStatePoller::~RelayStatePoller()
{
    stop();
}

void RelayStatePoller::setInterval(int ms)
{
    intervalMs_ = std::max(0, ms);
    if (intervalMs_ == 0) {
        timer_.stop();
        return;
    }
    timer_.setInterval(intervalMs_);
    if (running_ && !timer_.isActive())
        timer_.start();
}

QMap<QString, Endpoint> RelayStatePoller::routingPoints(const ClusterInfo &cluster)
{
    QHash<QString, Endpoint> controls;
    for (const auto &a : cluster.agents)
        if (auto e = Endpoint::parse(a.control))
            controls.insert(a.id, *e);
    QMap<QString, Endpoint> out;
    for (const auto &r : cluster.snapshot.plan.routes) {
        const QString node = QString::fromStdString(r.node);
        if (auto it = controls.constFind(node); it != controls.constEnd())
            out.insert(node, *it);
    }
    return out;
}

void RelayStatePoller::setTargets(const QMap<QString, Endpoint> &targets)
{
    targets_ = targets;
}

void RelayStatePoller::start()
{
    running_ = true;
    pollNow();
    if (intervalMs_ > 0)
        timer_.start();
}

void RelayStatePoller::stop()
{
    running_ = false;
    timer_.stop();
    const auto sessions = sessions_;
    sessions_.clear();
    for (const auto &s : sessions) {
        s->deadline.stop();
        if (s->socket) {
            s->socket->disconnect(this);
            s->socket->abort();
            s->socket->deleteLater();
        }
    }
}

void RelayStatePoller::pollNow()
{
    for (auto it = targets_.cbegin(); it != targets_.cend(); ++it)
        if (!sessions_.contains(it.key())) // the last round's question still open: wait for it
            open(it.key(), it.value());
}

void RelayStatePoller::open(const QString &node, const Endpoint &endpoint)
{
    auto session = std::make_shared<Session>();
    Session *fresh = session.get();
    fresh->node = node;
    fresh->endpoint = endpoint;
    sessions_.insert(node, session);

    std::optional<QSslConfiguration> tls;
    if (tls_.enabled()) {
        QString error;
        tls = AgentClient::tlsConfiguration(tls_, &error);
        if (!tls)
            return finish(fresh, tr("cannot speak TLS to %1: %2").arg(endpoint.toString(), error));
    }
    // The handlers hold the session weakly: a finished one is gone, and its late signals with it.
    const std::weak_ptr<Session> weak = session;
    QTcpSocket *socket = nullptr;
    auto hello = [this, weak] {
        const auto s = weak.lock();
        if (!s || !s->socket)
            return;
        proto::Request r;
        r.kind = proto::RequestKind::Hello;
        r.id = std::int64_t{1};
        r.hello.protocol = proto::kVersion;
        r.hello.client = AgentClient::clientName().toStdString();
        if (!token_.isEmpty())
            r.hello.token = token_.toStdString();
        const std::string line = proto::encodeRequest(r);
        s->socket->write(line.data(), qint64(line.size()));
    };
    if (tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*tls);
        connect(ssl, &QSslSocket::encrypted, this, hello);
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
        connect(socket, &QTcpSocket::connected, this, hello);
    }
    fresh->socket = socket;
    connect(socket, &QTcpSocket::readyRead, this, [this, weak] {
        const auto s = weak.lock(); // alive until the loop ends, even once finished
        if (!s || !s->socket)
            return;
        const QByteArray bytes = s->socket->readAll();
        for (const auto &e :
             s->framer.feed(std::string_view(bytes.constData(), size_t(bytes.size())))) {
            if (sessions_.value(s->node) != s)
                return; // finished by a line before this one
            if (e.kind == proto::LineFramer::Event::Kind::TooLong)
                return finish(s.get(),
                              tr("agent at %1: %2")
                                  .arg(s->endpoint.toString(), QString::fromStdString(e.text)));
            onLine(s.get(), e.text);
        }
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, weak] {
        const auto s = weak.lock();
        if (s && s->socket)
            finish(
                s.get(),
                tr("could not ask %1: %2").arg(s->endpoint.toString(), s->socket->errorString()));
    });
    fresh->deadline.setSingleShot(true);
    connect(&fresh->deadline, &QTimer::timeout, this, [this, weak] {
        if (const auto s = weak.lock())
            finish(s.get(), tr("agent at %1 did not answer within %2 ms")
                                .arg(s->endpoint.toString())
                                .arg(timeoutMs_));
    });
    fresh->deadline.start(timeoutMs_);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->connectToHostEncrypted(endpoint.host, endpoint.port);
    else
        socket->connectToHost(endpoint.host, endpoint.port);
}

void RelayStatePoller::onLine(Session *s, const std::string &line)
{
    const QString where = s->endpoint.toString();
    auto message = reply::parseMessage(line);
    if (!message)
        return finish(
            s, tr("agent at %1: %2").arg(where, QString::fromStdString(message.error().message)));
    if (message->type == reply::Message::Type::Event)
        return;
    if (message->type == reply::Message::Type::Error)
        return finish(s, tr("agent at %1: %2: %3")
                             .arg(where, QString::fromStdString(message->code),
                                  QString::fromStdString(message->message)));
    if (!message->resultJson)
        return finish(s, tr("agent at %1 sent a line that is not a reply").arg(where));
    if (!s->helloAnswered) {
        s->helloAnswered = true;
        proto::Request r;
        r.kind = proto::RequestKind::GetState;
        r.id = std::int64_t{2};
        const std::string request = proto::encodeRequest(r);
        s->socket->write(request.data(), qint64(request.size()));
        return;
    }
    auto state = parseRelayState(*message->resultJson);
    if (!state)
        return finish(
            s, tr("agent at %1: %2").arg(where, QString::fromStdString(state.error().message)));
    const QString node = s->node;
    RelayState value = std::move(state).value();
    finish(s, {});
    emit stateReceived(node, value);
}

void RelayStatePoller::finish(Session *s, const QString &failure)
{
    const auto held = sessions_.value(s->node);
    if (held.get() != s)
        return;
    sessions_.remove(s->node);
    s->deadline.stop();
    if (s->socket) {
        s->socket->disconnect(this);
        s->socket->abort();
        s->socket->deleteLater();
    }
    if (!failure.isEmpty())
        emit stateFailed(s->node, failure);
}

} // namespace dmr::console
