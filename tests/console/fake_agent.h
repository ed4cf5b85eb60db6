#pragma once
// A fake dmr-agent control port for the console's tests: a QTcpServer that speaks the control
// protocol through the core's own codec (decodeRequest, SessionGate, the encoders) with canned
// replies built from a real Fig. 5 snapshot.

#include "console_test_data.h"

#include "client/endpoint.h"

#include "dmr/protocol.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

namespace dmr::console::testing {

namespace td = dmr::console::testdata;
namespace proto = dmr::protocol;

// One agent's control port, faked: every request goes through the core's decoder and session
// rules; the answers are canned.
class FakeAgent : public QObject
{
    Q_OBJECT

public:
    struct AgentEntry
    {
        QString id;
        QString control;
    };
    using DrillHandler = std::function<std::string(const proto::Request &)>;

    explicit FakeAgent(QString id, QString operatorToken = {})
        : id_(std::move(id))
        , token_(std::move(operatorToken))
        , snapshot_(td::fig5())
    {
        connect(&server_, &QTcpServer::newConnection, this, &FakeAgent::accept);
    }

    ~FakeAgent() override
    {
        // The sockets are the server's children; their last signals must not reach a
        // half-destroyed fake.
        for (auto *s : std::as_const(sockets_)) {
            s->disconnect(this);
            delete s;
        }
    }

    bool listen(quint16 port = 0) { return server_.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return server_.serverPort(); }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(port()); }
    Endpoint endpoint() const { return {QStringLiteral("127.0.0.1"), port()}; }

    void setAgents(QList<AgentEntry> agents) { agents_ = std::move(agents); }
    void setViewId(QString viewId) { viewId_ = std::move(viewId); }
    void setSnapshot(dmr::Snapshot s) { snapshot_ = std::move(s); }
    void setHistoryJson(std::string json) { history_ = std::move(json); }
    void setDrillHandler(DrillHandler h) { drill_ = std::move(h); }
    // Empty: get-reachability is refused as an unknown type, as by an agent without a probe.
    void setReachabilityJson(std::string json) { reachability_ = std::move(json); }
    // Empty: get-views is refused as an unknown type, as by an agent without a view log.
    void setViewsJson(std::string json) { views_ = std::move(json); }
    // get-state's result; empty: get-state fails, as before.
    void setStateJson(std::string json) { state_ = std::move(json); }
    // Refuses the cursor fields (since, instance, since_ms, limit) with bad-field, as an agent
    // from before them does.
    void setRejectCursors(bool reject) { rejectCursors_ = reject; }
    // The subscribe reply's result (an agent with replay says its instance); and events sent
    // right after it, as a replay.
    void setSubscribeReply(std::string json, QByteArray replay = {})
    {
        subscribeReply_ = std::move(json);
        replay_ = std::move(replay);
    }

    // Bytes to every connected client, as they are.
    void sendToAll(const QByteArray &bytes)
    {
        for (auto *s : std::as_const(sockets_))
            s->write(bytes);
    }
    void stopListening() { server_.close(); }
    void closeAll()
    {
        for (auto *s : std::as_const(sockets_))
            s->disconnectFromHost();
    }
    int clients() const { return int(sockets_.size()); }

    // Every request line received, parsed, in order.
    const QList<QJsonObject> &received() const { return received_; }
    int count(const QString &type) const
    {
        return int(std::count_if(received_.begin(), received_.end(), [&](const QJsonObject &o) {
            return o.value(QStringLiteral("type")).toString() == type;
        }));
    }
    QJsonObject last(const QString &type) const
    {
        for (auto it = received_.rbegin(); it != received_.rend(); ++it)
            if (it->value(QStringLiteral("type")).toString() == type)
                return *it;
        return {};
    }

private:
    struct Connection
    {
        proto::LineFramer framer{proto::kRequestLineBytesMax};
        proto::SessionGate gate;
        explicit Connection(const QString &token)
            : gate(token.toStdString())
        {
        }
    };

    void accept()
    {
        while (QTcpSocket *s = server_.nextPendingConnection()) {
            sockets_ << s;
            connections_.emplace(s, std::make_unique<Connection>(token_));
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                sockets_.removeAll(s);
                connections_.erase(s);
                s->deleteLater();
            });
        }
    }

    void read(QTcpSocket *s)
    {
        auto it = connections_.find(s);
        if (it == connections_.end())
            return;
        Connection &c = *it->second;
        const QByteArray bytes = s->readAll();
        for (const auto &e :
             c.framer.feed(std::string_view(bytes.constData(), size_t(bytes.size())))) {
            if (e.kind != proto::LineFramer::Event::Kind::Line)
                continue;
            received_ << QJsonDocument::fromJson(QByteArray::fromStdString(e.text)).object();
            const auto decoded = proto::decodeRequest(e.text);
            if (const auto *error = std::get_if<proto::RequestError>(&decoded)) {
                s->write(QByteArray::fromStdString(proto::encodeError(*error)));
                continue;
            }
            const auto &request = std::get<proto::Request>(decoded);
            const QJsonObject sent = received_.last();
            if (rejectCursors_) {
                QString field;
                for (const char *k : {"since", "since_ms", "limit"})
                    if (sent.contains(QLatin1String(k)))
                        field = QLatin1String(k);
                if (!field.isEmpty()) {
                    s->write(QByteArray::fromStdString(
                        proto::encodeError(request.id, proto::ErrorCode::BadField,
                                           std::string(proto::toString(request.kind)) +
                                               ": unknown field \"" + field.toStdString() + "\"")));
                    continue;
                }
            }
            if (auto refused = c.gate.admit(request)) {
                s->write(QByteArray::fromStdString(proto::encodeError(*refused)));
                if (c.gate.closeAfterReply())
                    s->disconnectFromHost();
                continue;
            }
            s->write(QByteArray::fromStdString(answer(request, c.gate.isOperator())));
            if (request.kind == proto::RequestKind::Subscribe && !replay_.isEmpty())
                s->write(replay_);
        }
    }

    static std::string ok(const proto::RequestId &id, const std::string &json)
    {
        auto line = proto::encodeOk(id, json);
        if (!line)
            qFatal("fake agent: %s", line.error().message.c_str());
        return line.value();
    }

    std::string clusterJson() const
    {
        QJsonArray agents;
        QJsonObject controls;
        qint64 seq = 1;
        for (const auto &a : agents_) {
            agents.append(QJsonObject{{"id", a.id},
                                      {"seq", seq},
                                      {"membership", QStringLiteral("127.0.0.1:1")},
                                      {"control", a.control}});
            controls.insert(a.id, a.control);
            seq += 3;
        }
        const std::string snapshot = dmr::toJson(snapshot_);
        QJsonObject result{
            {"view_id", viewId_},
            {"coordinator", agents_.isEmpty() ? QJsonValue() : QJsonValue(agents_.first().id)},
            {"agents", agents},
            {"control_addresses", controls},
            {"snapshot", QJsonDocument::fromJson(QByteArray::fromStdString(snapshot)).object()}};
        return QJsonDocument(result).toJson(QJsonDocument::Compact).toStdString();
    }

    std::string answer(const proto::Request &r, bool isOperator)
    {
        switch (r.kind) {
        case proto::RequestKind::Hello:
            return proto::encodeHelloReply(r.id, id_.toStdString(), "0.1.0", "system-leader",
                                           isOperator);
        case proto::RequestKind::Subscribe:
            if (!subscribeReply_.empty())
                return ok(r.id, subscribeReply_);
            return ok(r.id, r.subscribeEvents ? R"({"events":true})" : R"({"events":false})");
        case proto::RequestKind::GetCluster:
            return ok(r.id, clusterJson());
        case proto::RequestKind::GetHistory:
            return ok(r.id, history_);
        case proto::RequestKind::GetDrills:
            return ok(r.id, R"({"drills":[]})");
        case proto::RequestKind::Drill:
            if (drill_)
                return drill_(r);
            return ok(r.id, QJsonDocument(
                                QJsonObject{{"action",
                                             QString::fromLatin1(proto::toString(r.drill.action))},
                                            {"client", "dmr-console 0.1.0"},
                                            {"ended_ms", QJsonValue()},
                                            {"forwarded_to", QString::fromStdString(r.drill.node)},
                                            {"id", 1},
                                            {"node", QString::fromStdString(r.drill.node)},
                                            {"reason", QString::fromStdString(r.drill.reason)},
                                            {"started_ms", td::kTimeMs}})
                                .toJson(QJsonDocument::Compact)
                                .toStdString());
        case proto::RequestKind::GetViews:
            if (views_.empty())
                return proto::encodeError(r.id, proto::ErrorCode::UnknownType,
                                          "unknown request type \"get-views\"");
            return ok(r.id, views_);
        case proto::RequestKind::GetReachability:
            if (reachability_.empty())
                return proto::encodeError(r.id, proto::ErrorCode::UnknownType,
                                          "unknown request type \"get-reachability\"");
            return ok(r.id, reachability_);
        case proto::RequestKind::GetState:
            if (!state_.empty())
                return ok(r.id, state_);
            break;
        case proto::RequestKind::GetSnapshot:
            break;
        }
        return proto::encodeError(r.id, proto::ErrorCode::Failed, "not in the fake");
    }

    QString id_;
    QString token_;
    QTcpServer server_;
    QList<QTcpSocket *> sockets_;
    std::map<QTcpSocket *, std::unique_ptr<Connection>> connections_;
    QList<QJsonObject> received_;
    QList<AgentEntry> agents_;
    QString viewId_ = QStringLiteral("1.5");
    dmr::Snapshot snapshot_;
    std::string history_ = R"({"failovers":[]})";
    DrillHandler drill_;
    std::string reachability_ = td::kReachabilityJson;
    std::string views_;
    std::string state_;
    bool rejectCursors_ = false;
    std::string subscribeReply_;
    QByteArray replay_;
};

} // namespace dmr::console::testing
