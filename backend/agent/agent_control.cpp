// The control requests: each read served from the controller's state (agent_replies.cpp writes
// the replies), a drill run by the controller or forwarded to its node, and the reachability
// matrix gathered from every agent.

#include "agent.h"
#include "crypto.h"

#include "dmr/render.h"
#include "dmr/replies.h"

#include <nlohmann/json.hpp>

namespace dmr::agent {

using Json = nlohmann::json;

namespace {

std::string okOrFailed(const protocol::RequestId &id, const Result<std::string> &line)
{
    return line ? *line
                : protocol::encodeError(id, protocol::ErrorCode::Failed, line.error().message);
}

} // namespace

void Agent::handle(const protocol::Request &request, const ControlSession &session,
                   ControlServer::Reply reply)
{
    using protocol::RequestKind;
    const auto &id = request.id;
    switch (request.kind) {
    case RequestKind::GetState:
        return reply(okOrFailed(id, protocol::encodeOk(id, stateJson())));
    case RequestKind::GetCluster:
        return reply(okOrFailed(id, protocol::encodeOk(id, clusterJson())));
    case RequestKind::GetHistory:
        return reply(okOrFailed(id, protocol::encodeOk(id, historyJson(request.cursor))));
    case RequestKind::GetDrills:
        return reply(okOrFailed(id, protocol::encodeOk(id, drillsJson(request.cursor))));
    case RequestKind::GetViews:
        return reply(okOrFailed(id, protocol::encodeOk(id, viewsJson(request.cursor))));
    case RequestKind::GetSnapshot: {
        const Snapshot snap = snapshot();
        const std::string text =
            request.format == protocol::SnapshotFormat::Dot ? renderDot(snap) : toJson(snap);
        return reply(okOrFailed(id, protocol::encodeSnapshotReply(id, request.format, text)));
    }
    case RequestKind::Drill: {
        const DrillAuthor author{session.client.empty() ? session.peer : session.client,
                                 std::string(protocol::toString(session.role)), session.identity};
        if (request.drill.node != config_.node.id)
            return forwardDrill(request, author, std::move(reply));
        auto ran = node_->drill(nowMs(), request.drill, author);
        pump();
        if (const auto *err = std::get_if<std::string>(&ran))
            return reply(protocol::encodeError(id, protocol::ErrorCode::Failed, *err));
        return reply(okOrFailed(
            id, protocol::encodeOk(
                    id, reply::encodeDrill(reply::drillOf(std::get<protocol::DrillRecord>(ran))))));
    }
    case RequestKind::GetReachability:
        return gatherReachability(id, std::move(reply));
    case RequestKind::Hello:
    case RequestKind::Subscribe:
        break;
    }
    reply(protocol::encodeError(id, protocol::ErrorCode::Failed, "not handled here"));
}

void Agent::forwardDrill(const protocol::Request &request, const DrillAuthor &author,
                         ControlServer::Reply reply)
{
    // Another node's drill goes over the authenticated cluster transport, to the address that
    // node last had (a killed node keeps listening there, so a restore reaches it too). The
    // client hears the target's own answer.
    const auto &id = request.id;
    const auto &addresses = node_->membershipAddresses();
    auto address = addresses.find(request.drill.node);
    if (address == addresses.end())
        return reply(protocol::encodeError(id, protocol::ErrorCode::Failed,
                                           "node " + request.drill.node +
                                               " is unknown to this agent (never in its view)"));
    const std::uint64_t corr = nextForwardId_++;
    protocol::ForwardedDrillMessage message;
    message.drill = request.drill;
    message.author = author;
    message.via = config_.node.id;
    message.corr = corr;
    std::array<unsigned char, 16> drillId{};
    crypto::randomBytes(drillId);
    message.drillId = crypto::hex(drillId);
    message.replyTo = config_.membership.listen.toString();
    transport_->send(address->second, protocol::encodeAgentMessage(message));
    auto timer =
        std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kForwardTimeoutMs));
    forwarded_[corr] = ForwardedDrill{std::move(reply), id, timer, request.drill, author};
    auto alive = alive_;
    const NodeId target = request.drill.node;
    timer->async_wait([this, alive, corr, target](const error_code &ec) {
        if (ec || !*alive)
            return;
        auto it = forwarded_.find(corr);
        if (it == forwarded_.end())
            return;
        it->second.reply(protocol::encodeError(it->second.id, protocol::ErrorCode::Failed,
                                               "node " + target +
                                                   " did not answer the forwarded drill within " +
                                                   std::to_string(kForwardTimeoutMs) + " ms"));
        forwarded_.erase(it);
    });
}

void Agent::onDrillResult(const protocol::DrillResultMessage &message)
{
    auto it = forwarded_.find(message.corr);
    if (it == forwarded_.end())
        return;
    it->second.timeout->cancel();
    const protocol::RequestId &id = it->second.id;
    if (message.record) {
        // Kept in this agent's record too: the operator asked here.
        node_->forwardedDrillRan(nowMs(), *message.record, it->second.drill, it->second.author);
        pump();
        reply::Drill record = reply::drillOf(*message.record);
        record.forwardedTo = message.record->node;
        it->second.reply(okOrFailed(id, protocol::encodeOk(id, reply::encodeDrill(record))));
    } else {
        it->second.reply(protocol::encodeError(id, protocol::ErrorCode::Failed, message.error));
    }
    forwarded_.erase(it);
}

// ---- Reachability -------------------------------------------------------------------------

void Agent::gatherReachability(const protocol::RequestId &id, ControlServer::Reply reply)
{
    if (!relay_)
        return reply(protocol::encodeError(id, protocol::ErrorCode::Failed,
                                           "the relay is off on node " + config_.node.id +
                                               " (relay.enabled = false)"));
    if (reachGathers_.size() >= kReachGathersMax)
        return reply(protocol::encodeError(id, protocol::ErrorCode::Busy,
                                           "too many reachability requests in progress"));
    const std::uint64_t corr = nextForwardId_++;
    ReachabilityGather g;
    g.reply = std::move(reply);
    g.id = id;
    g.rows[config_.node.id] = relay_->reachabilityRow();
    const std::string ask = protocol::encodeAgentMessage(
        protocol::ReachAskMessage{corr, config_.membership.listen.toString()});
    for (const auto &n : node_->view().nodes) {
        if (n.id == config_.node.id)
            continue;
        g.waiting.insert(n.id);
        transport_->send(n.address, ask);
    }
    g.timeout =
        std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kReachabilityWaitMs));
    auto alive = alive_;
    g.timeout->async_wait([this, alive, corr](const error_code &ec) {
        if (ec || !*alive)
            return;
        finishReachability(corr);
    });
    const bool done = g.waiting.empty();
    reachGathers_[corr] = std::move(g);
    if (done)
        finishReachability(corr);
}

void Agent::onReachabilityRow(const protocol::ReachRowMessage &message)
{
    auto it = reachGathers_.find(message.corr);
    if (it == reachGathers_.end())
        return;
    const NodeId &node = message.node;
    if (it->second.waiting.erase(node) == 0)
        return;
    Json row = Json::parse(message.rowJson, nullptr, false);
    if (row.is_object())
        it->second.rows[node] = std::move(row);
    else
        it->second.rows[node] =
            Json{{"node", node}, {"answered", true}, {"probing", false}, {"heard", Json::array()}};
    if (it->second.waiting.empty())
        finishReachability(message.corr);
}

void Agent::finishReachability(std::uint64_t corr)
{
    auto it = reachGathers_.find(corr);
    if (it == reachGathers_.end())
        return;
    ReachabilityGather g = std::move(it->second);
    reachGathers_.erase(it);
    g.timeout->cancel();
    // Every node this agent knows, in natural order: those in the view that did not answer in
    // time, and those out of the view (failed, killed), have answered = false.
    std::vector<NodeId> nodes;
    for (const auto &[id, node] : node_->known())
        nodes.push_back(id);
    if (std::find(nodes.begin(), nodes.end(), config_.node.id) == nodes.end())
        nodes.push_back(config_.node.id);
    std::sort(nodes.begin(), nodes.end(), naturalLess);
    Json rows = Json::array();
    for (const auto &n : nodes) {
        auto row = g.rows.find(n);
        if (row != g.rows.end()) {
            rows.push_back(std::move(row->second));
        } else {
            rows.push_back({{"node", n},
                            {"answered", false},
                            {"in_view", node_->view().node(n) != nullptr},
                            {"heard", Json::array()}});
        }
    }
    g.reply(okOrFailed(g.id,
                       protocol::encodeOk(g.id, Json{{"nodes", nodes},
                                                     {"interval_ms", config_.relay.probeIntervalMs},
                                                     {"asked_by", config_.node.id},
                                                     {"time_ms", nowMs()},
                                                     {"rows", rows}}
                                                    .dump())));
}

} // namespace dmr::agent
