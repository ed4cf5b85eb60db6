// The node controller (dmr/node.h) and the agents' messages (dmr/agent_message.h), without any
// process: views are built by hand, time is a number. The handover and the history in whole
// clusters are in the scenario files (agents mode).

#include "dmr/agent_message.h"
#include "dmr/node.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace dmr;
using namespace dmr::node;
using protocol::DrillAction;

namespace {

Interface iface(const std::string &name, const std::string &address)
{
    return Interface{name, *InterfaceAddress::parse(address)};
}

Controller makeNode(const NodeId &id, std::vector<Interface> interfaces)
{
    Config c;
    c.self = id;
    c.interfaces = std::move(interfaces);
    c.membershipAddress = "sim:" + id;
    return Controller(std::move(c));
}

// A view of these controllers, each in the groups it wants, in this join order.
gms::ClusterView viewOf(std::vector<const Controller *> nodes, std::uint64_t epoch,
                        std::uint64_t counter)
{
    gms::ClusterView v;
    v.id = {epoch, counter};
    std::uint64_t seq = 1;
    for (const Controller *c : nodes) {
        v.nodes.push_back({c->config().self, seq, c->config().membershipAddress, 1, c->meta()});
        for (const auto &g : c->wantedGroups()) {
            auto &group = v.groups.networks[g];
            group.group = g;
            group.members.push_back({c->config().self, seq});
        }
        ++seq;
    }
    // The leaders join the GL_group in join order.
    for (const auto &n : v.nodes)
        for (const auto &[g, group] : v.groups.networks)
            if (group.members.front().node == n.id) {
                v.groups.glGroup.members.push_back({n.id, n.seq});
                break;
            }
    return v;
}

template<typename T>
std::vector<T> only(const std::vector<Output> &outputs)
{
    std::vector<T> out;
    for (const auto &o : outputs)
        if (const auto *t = std::get_if<T>(&o))
            out.push_back(*t);
    return out;
}

protocol::ForwardedDrillMessage forwarded(const NodeId &node, const std::string &drillId)
{
    protocol::ForwardedDrillMessage m;
    protocol::DrillRequest d;
    d.action = DrillAction::Drain;
    d.node = node;
    d.reason = "test";
    m.drill = d;
    m.author = {"tst_node", "operator", "token"};
    m.via = "1";
    m.corr = 7;
    m.drillId = drillId;
    m.replyTo = "sim:1";
    return m;
}

} // namespace

class TestNode : public QObject
{
    Q_OBJECT

private slots:
    void messagesRoundTrip()
    {
        protocol::DrillRecord record;
        record.id = 3;
        record.action = DrillAction::FailAdapter;
        record.node = "4";
        record.iface = "eth1";
        record.reason = "r";
        record.durationMs = 500;
        record.author = {"dmrctl", "operator", "CN=alice"};
        record.via = "2";
        record.startedMs = 100;
        record.endedMs = 600;
        record.rev = 9;
        const std::vector<protocol::AgentMessage> all = {
            protocol::AppliedMessage{"6", "3.1", 1000, 990},
            forwarded("5", "00ff"),
            protocol::DrillResultMessage{7, record, {}},
            protocol::DrillResultMessage{8, std::nullopt, "node 5 is already drained"},
            protocol::DrillEndedMessage{"4", DrillAction::FailAdapter, "eth1", 100, 600},
            protocol::ReachAskMessage{9, "127.0.0.1:7400"},
            protocol::ReachRowMessage{9, "3", R"({"answered":true,"node":"3"})"},
            protocol::FailoversMessage{"6",
                                       "2",
                                       {{"9.6",
                                         dmr::FailoverCause::ConnectionLost,
                                         {"system-leader", "leader 10.0.1.0/24"},
                                         {{"leader 10.0.1.0/24", "1"}, {"system-leader", ""}},
                                         120,
                                         1000,
                                         0,
                                         1001,
                                         1003}}},
        };
        for (const auto &m : all) {
            const std::string line = protocol::encodeAgentMessage(m);
            QVERIFY2(protocol::isAgentMessage(line), line.c_str());
            auto back = protocol::decodeAgentMessage(line);
            QVERIFY2(static_cast<bool>(back), line.c_str());
            QVERIFY2(*back == m, line.c_str());
        }
        // The wire form older agents speak and read.
        QCOMPARE(protocol::encodeAgentMessage(protocol::AppliedMessage{"6", "3.1", 1000, 990}),
                 std::string(R"({"agent":"applied","at_ms":1000,"installed_ms":990,)"
                             R"("node":"6","view":"3.1"})"));
    }

    void documentedMessagesDecode()
    {
        // Every agent message backend/PROTOCOL.md shows decodes, and encodes back to itself.
        QFile doc(QStringLiteral(DMR_PROTOCOL_DOC));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        int seen = 0;
        for (const QByteArray &raw : doc.readAll().split('\n')) {
            if (!raw.startsWith("{\"agent\":"))
                continue;
            const std::string line = raw.toStdString();
            auto m = protocol::decodeAgentMessage(line);
            if (!m)
                QFAIL((line + ": " + m.error().message).c_str());
            QCOMPARE(protocol::encodeAgentMessage(*m), line);
            ++seen;
        }
        QCOMPARE(seen, 8);
    }

    void hostileMessagesNameTheProblem()
    {
        const std::pair<const char *, const char *> cases[] = {
            {"not json", "not a JSON object"},
            {R"({"agent":1})", "\"agent\" (the kind) missing"},
            {R"({"agent":"teleport"})", "agent message \"teleport\": agent: unknown kind"},
            {R"({"agent":"applied","at_ms":"soon"})",
             "agent message \"applied\": at_ms: expected an integer"},
            {R"({"agent":"drill-ended","what":"explode"})",
             "what: unknown drill action \"explode\""},
            {R"({"agent":"drill"})", "agent message \"drill\": drill: missing"},
            {R"({"agent":"reach-ask","corr":-1})", "corr: expected a non-negative integer"},
            {R"({"agent":"failovers","node":"2"})",
             "agent message \"failovers\": records: missing"},
            {R"({"agent":"failovers","records":{}})", "records: expected an array"},
            {R"({"agent":"failovers","records":[1]})", "records[0]: expected an object"},
            {R"({"agent":"failovers","records":[{"view":"1.1","cause":"abducted","roles":[],)"
             R"("successors":{}}]})",
             "records[0].cause: unknown cause \"abducted\""},
            {R"({"agent":"failovers","records":[{"view":"1.1","cause":"silent","roles":[7],)"
             R"("successors":{}}]})",
             "records[0].roles[0]: expected a string"},
            {R"({"agent":"failovers","records":[{"view":"1.1","cause":"silent","roles":[],)"
             R"("successors":{"system-leader":3}}]})",
             "records[0].successors.system-leader: expected a node id or null"},
            {R"({"agent":"failovers","records":[{"view":"1.1","cause":"silent","roles":[],)"
             R"("successors":{},"decided_ms":"late"}]})",
             "records[0].decided_ms: expected an integer"},
        };
        for (const auto &[line, why] : cases) {
            auto m = protocol::decodeAgentMessage(line);
            QVERIFY2(!m, line);
            QVERIFY2(m.error().message.find(why) != std::string::npos,
                     (std::string(line) + " -> " + m.error().message).c_str());
        }
        // More records, or roles, than a node has reason to send: refused, the field named.
        {
            nlohmann::json records = nlohmann::json::array();
            for (std::size_t i = 0; i <= protocol::kToldFailoversMax; ++i)
                records.push_back({{"view", "1." + std::to_string(i)},
                                   {"cause", "silent"},
                                   {"roles", nlohmann::json::array()},
                                   {"successors", nlohmann::json::object()}});
            nlohmann::json many = {{"agent", "failovers"}, {"records", records}};
            auto m = protocol::decodeAgentMessage(many.dump());
            QVERIFY(!m);
            QVERIFY2(m.error().message.find("records: more than 16 records (17)") !=
                         std::string::npos,
                     m.error().message.c_str());
            nlohmann::json roles = nlohmann::json::array();
            for (std::size_t i = 0; i <= protocol::kToldRolesMax; ++i)
                roles.push_back("leader " + std::to_string(i));
            records = nlohmann::json::array({{{"view", "1.1"},
                                              {"cause", "silent"},
                                              {"roles", roles},
                                              {"successors", nlohmann::json::object()}}});
            many = {{"agent", "failovers"}, {"records", records}};
            m = protocol::decodeAgentMessage(many.dump());
            QVERIFY(!m);
            QVERIFY2(m.error().message.find("records[0].roles: more than 64 roles") !=
                         std::string::npos,
                     m.error().message.c_str());
        }
        // A drill that does not parse still decodes: its target refuses it and counts it.
        auto bad = protocol::decodeAgentMessage(
            R"({"agent":"drill","drill":{"type":"drill","action":"kill"},"drill_id":"aa"})");
        QVERIFY(static_cast<bool>(bad));
        const auto &m = std::get<protocol::ForwardedDrillMessage>(*bad);
        QVERIFY(!m.drill);
        QVERIFY(!m.drillError.empty());
    }

    void forwardedDrillRunsOnceAndOnlyOnItsNode()
    {
        Controller n = makeNode("5", {iface("eth0", "10.0.2.5/24")});
        // Another node's drill: refused, counted, answered.
        n.forwardedDrill(10, forwarded("2", "aa"));
        auto out = n.takeOutputs();
        auto sent = only<SendMessage>(out);
        QCOMPARE(sent.size(), std::size_t(1));
        QCOMPARE(sent[0].to, std::string("sim:1"));
        auto result = std::get<protocol::DrillResultMessage>(sent[0].message);
        QCOMPARE(result.corr, std::uint64_t(7));
        QVERIFY(!result.record);
        QVERIFY(result.error.find("names node 2, this is node 5") != std::string::npos);
        QCOMPARE(n.drillsRefused(), std::uint64_t(1));
        QVERIFY(!n.drained());
        // Without a drill id: refused.
        n.forwardedDrill(11, forwarded("5", ""));
        QCOMPARE(n.drillsRefused(), std::uint64_t(2));
        QVERIFY(!n.drained());
        // Its own, once: it runs, and the record goes back.
        n.takeOutputs();
        n.forwardedDrill(12, forwarded("5", "bb"));
        out = n.takeOutputs();
        QVERIFY(n.drained());
        result = std::get<protocol::DrillResultMessage>(only<SendMessage>(out).at(0).message);
        QVERIFY(result.record);
        QVERIFY(result.record->action == DrillAction::Drain);
        QCOMPARE(result.record->via, std::string("1"));
        QCOMPARE(only<LocalChanged>(out).size(), std::size_t(1));
        QVERIFY(n.wantedGroups().empty());
        // The same id again (a replay past the transport): refused, nothing runs.
        n.forwardedDrill(13, forwarded("5", "bb"));
        out = n.takeOutputs();
        QCOMPARE(n.drillsRefused(), std::uint64_t(3));
        QVERIFY(only<LocalChanged>(out).empty());
        QCOMPARE(n.drills().size(), std::size_t(1));
    }

    void timedDrillEndsOnTheClock()
    {
        Controller n = makeNode("4", {iface("eth0", "10.0.2.4/24"), iface("eth1", "10.0.3.4/24")});
        protocol::DrillRequest d;
        d.action = DrillAction::FailAdapter;
        d.node = "4";
        d.iface = "eth1";
        d.reason = "r";
        d.durationMs = 500;
        auto ran = n.drill(1000, d, {"t", "operator", "token"});
        QVERIFY(std::holds_alternative<protocol::DrillRecord>(ran));
        auto out = n.takeOutputs();
        auto wake = only<WakeAt>(out);
        QCOMPARE(wake.size(), std::size_t(1));
        QCOMPARE(wake[0].atMs, Ms(1500));
        QCOMPARE(n.wantedGroups().size(), std::size_t(1));
        n.tick(1499);
        QCOMPARE(n.failedAdapters().size(), std::size_t(1));
        n.tick(1500);
        QVERIFY(n.failedAdapters().empty());
        QCOMPARE(n.drills().size(), std::size_t(2));
        QCOMPARE(n.drills()[0].endedMs, Ms(1500));
        QVERIFY(n.drills()[1].action == DrillAction::Restore);
        QCOMPARE(n.drills()[1].iface, std::string("eth1"));
        QCOMPARE(n.drills()[1].author.identity, std::string("timer"));
        // A second fail of the same adapter is refused with the reason.
        n.drill(2000, d, {});
        auto again = n.drill(2001, d, {});
        QCOMPARE(std::get<std::string>(again),
                 std::string("interface eth1 of node 4 has already failed"));
    }

    void failoverRecordsToldOnlyOfThisNodeFromTheView()
    {
        Controller n2 = makeNode("2", {iface("eth0", "10.0.1.2/24")});
        Controller n6 = makeNode("6", {iface("eth0", "10.0.2.6/24")});
        const protocol::FailoversMessage told{"6",
                                              "2",
                                              {{"9.6",
                                                dmr::FailoverCause::ConnectionLost,
                                                {"system-leader"},
                                                {{"system-leader", "6"}},
                                                0,
                                                1000,
                                                0,
                                                1001,
                                                1003}}};
        // Of another node: refused, counted.
        auto other = told;
        other.node = "3";
        n2.failoversTold(10, other);
        QCOMPARE(n2.failoversToldRefused(), std::uint64_t(1));
        // Before this node installed a view with its sender: held until it does.
        n2.failoversTold(11, told);
        QVERIFY(n2.history().empty());
        n2.installView(20, viewOf({&n6, &n2}, 9, 7));
        QCOMPARE(n2.history().size(), std::size_t(1));
        const auto &r = n2.history().back();
        QCOMPARE(r.node, std::string("2"));
        QCOMPARE(r.viewId, std::string("9.6"));
        QVERIFY(r.cause == dmr::FailoverCause::ConnectionLost);
        QCOMPARE(r.successors.at("system-leader"), std::string("6"));
        QCOMPARE(r.phases().totalMs, std::optional<std::int64_t>(3));
        // Told again (a retry, another coordinator): kept once.
        n2.failoversTold(30, told);
        QCOMPARE(n2.history().size(), std::size_t(1));
        // From a node outside the view, held, then dropped when the next view lacks it too.
        auto stranger = told;
        stranger.from = "9";
        stranger.records[0].viewId = "9.8";
        n2.failoversTold(40, stranger);
        n2.installView(50, viewOf({&n6, &n2}, 9, 9));
        QCOMPARE(n2.history().size(), std::size_t(1));
        QCOMPARE(n2.failoversToldRefused(), std::uint64_t(2));
    }

    void aCoordinatorTellsARejoinedNodeWhatHappenedToIt()
    {
        Controller n2 = makeNode("2", {iface("eth0", "10.0.1.2/24")});
        Controller n6 = makeNode("6", {iface("eth0", "10.0.2.6/24")});
        Controller n1 = makeNode("1", {iface("eth0", "10.0.1.1/24")});
        // 6 coordinates (2 is last after its comeback): 2 led A and the cluster, then was gone.
        n6.installView(100, viewOf({&n2, &n6, &n1}, 1, 3));
        n6.installView(200, viewOf({&n6, &n1}, 1, 4));
        QCOMPARE(n6.history().size(), std::size_t(1));
        n6.takeOutputs();
        n6.installView(300, viewOf({&n6, &n1, &n2}, 1, 5));
        auto sent = only<SendMessage>(n6.takeOutputs());
        std::vector<protocol::FailoversMessage> told;
        for (const auto &m : sent)
            if (const auto *f = std::get_if<protocol::FailoversMessage>(&m.message)) {
                QCOMPARE(m.to, std::string("sim:2"));
                told.push_back(*f);
            }
        QCOMPARE(told.size(), std::size_t(1));
        QCOMPARE(told[0].node, std::string("2"));
        QCOMPARE(told[0].records.size(), std::size_t(1));
        QCOMPARE(told[0].records[0].viewId, std::string("1.4"));
        // 1 is not the coordinator: it tells nothing.
        n1.installView(100, viewOf({&n2, &n6, &n1}, 1, 3));
        n1.installView(200, viewOf({&n6, &n1}, 1, 4));
        n1.takeOutputs();
        n1.installView(300, viewOf({&n6, &n1, &n2}, 1, 5));
        for (const auto &m : only<SendMessage>(n1.takeOutputs()))
            QVERIFY(!std::holds_alternative<protocol::FailoversMessage>(m.message));
        // Out and back again without a role to lose (it rejoined last): nothing to tell, and
        // the first failover is not told twice.
        n6.installView(400, viewOf({&n6, &n1}, 1, 6));
        QCOMPARE(n6.history().size(), std::size_t(1));
        n6.takeOutputs();
        n6.installView(500, viewOf({&n6, &n1, &n2}, 1, 7));
        for (const auto &m : only<SendMessage>(n6.takeOutputs()))
            QVERIFY(!std::holds_alternative<protocol::FailoversMessage>(m.message));
    }

    void killHaltsBeforeClosingAndRestoreResumes()
    {
        Controller a = makeNode("1", {iface("eth0", "10.0.1.1/24")});
        Controller b = makeNode("2", {iface("eth0", "10.0.2.2/24")});
        const auto view = viewOf({&a, &b}, 1, 1);
        a.installView(100, view);
        auto out = a.takeOutputs();
        // Node 1 is the system leader: it opens its route and its tunnel to node 2, and says so.
        QCOMPARE(a.held().routes.size(), std::size_t(1));
        QCOMPARE(a.held().tunnels.size(), std::size_t(1));
        QCOMPARE(only<SendMessage>(out).size(), std::size_t(1));
        protocol::DrillRequest kill;
        kill.action = DrillAction::Kill;
        kill.node = "1";
        kill.reason = "r";
        a.drill(200, kill, {});
        out = a.takeOutputs();
        std::size_t halt = out.size();
        std::size_t batch = out.size();
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (std::holds_alternative<Halt>(out[i]) && halt == out.size())
                halt = i;
            if (std::holds_alternative<DataPlaneBatch>(out[i]) && batch == out.size())
                batch = i;
        }
        QVERIFY(halt < batch && batch < out.size());
        QVERIFY(a.held().routes.empty() && a.held().tunnels.empty());
        QVERIFY(a.killed());
        QVERIFY(a.workingInterfaces().empty());
        // A killed node hears no "applied".
        a.applied(210, {"2", "1.1", 205, 205});
        QVERIFY(a.takeOutputs().empty());
        protocol::DrillRequest restore = kill;
        restore.action = DrillAction::Restore;
        a.drill(300, restore, {});
        out = a.takeOutputs();
        QCOMPARE(only<Resume>(out).size(), std::size_t(1));
        QVERIFY(!a.killed());
    }

    void closesWaitForTheSuccessorsWord()
    {
        // Network 10.0.1.0/24: 2 leads, 1 follows; 1 also leads 10.0.3.0/24, 4 leads
        // 10.0.2.0/24. When 2 leaves, 1 takes 10.0.1.0/24 over: 4 (the system leader's other
        // end) must not close its tunnel to 2 before 1 said it is up.
        Controller n2 = makeNode("2", {iface("eth0", "10.0.1.2/24")});
        Controller n4 = makeNode("4", {iface("eth0", "10.0.2.4/24"), iface("eth1", "10.0.3.4/24")});
        Controller n1 = makeNode("1", {iface("eth0", "10.0.1.1/24")});
        auto before = viewOf({&n4, &n2, &n1}, 1, 1);
        n4.installView(100, before);
        n4.takeOutputs();
        QCOMPARE(n4.held().tunnels.size(), std::size_t(1));
        QCOMPARE(n4.held().tunnels[0].leaf.node, NodeId("2"));
        auto after = viewOf({&n4, &n1}, 1, 2);
        after.departed.push_back({"2", "silent", 300, 1000});
        n4.installView(1000, after);
        auto out = n4.takeOutputs();
        // The new tunnel is open, the old one still is: its close waits.
        QCOMPARE(n4.held().tunnels.size(), std::size_t(2));
        QVERIFY(n4.handoverPending());
        QCOMPARE(n4.history().size(), std::size_t(1));
        QVERIFY(n4.history()[0].cause == FailoverCause::Silent);
        QVERIFY(!n4.history()[0].phases().tunnelsMs);
        n4.tick(1500);
        QVERIFY(n4.handoverPending());
        n4.applied(1010, {"1", "1.2", 1008, 1002});
        out = n4.takeOutputs();
        QVERIFY(!n4.handoverPending());
        QCOMPARE(n4.held().tunnels.size(), std::size_t(1));
        QCOMPARE(n4.held().tunnels[0].leaf.node, NodeId("1"));
        const auto p = n4.history()[0].phases();
        QCOMPARE(p.detectionMs, Ms(300));          // silent for 300 ms when declared at 1000
        QCOMPARE(p.tunnelsMs.value_or(-1), Ms(8)); // node 1 installed at 1002, was up at 1008
        QCOMPARE(only<FailoverRecorded>(out).size(), std::size_t(1));
        // Without the word, the closes go after the handover timeout.
        Controller m = makeNode("4", {iface("eth0", "10.0.2.4/24"), iface("eth1", "10.0.3.4/24")});
        m.installView(100, before);
        m.installView(1000, after);
        m.takeOutputs();
        m.tick(2999);
        QVERIFY(m.handoverPending());
        m.tick(3000);
        QVERIFY(!m.handoverPending());
        QCOMPARE(m.held().tunnels.size(), std::size_t(1));
    }

    void causesAreNamed()
    {
        for (const char *name : {"connection-lost", "silent", "lease-expired", "left",
                                 "expelled-coordinator", "drain", "adapter", "moved"})
            QCOMPARE(std::string(toString(parseFailoverCause(name))), std::string(name));
        QVERIFY(parseFailoverCause("a-new-cause") == FailoverCause::Departed);
        QVERIFY(isDeparture(FailoverCause::Departed));
        QVERIFY(!isDeparture(FailoverCause::Drain));
    }
};

QTEST_GUILESS_MAIN(TestNode)
#include "tst_node.moc"
