#pragma once
// The embedded membership protocol (dmr/membership.h, gms::Machine) as the agent's membership
// backend: the machine's messages ride the agents' authenticated transport (transport.h), its
// clock is the agent's, and it is ticked at the machine's own next deadline
// (gms::Machine::nextDeadline; the agent's once-a-second tick is a backstop): a silent peer is
// failed the millisecond its silence passes the failure timeout, and heartbeats leave on time, not
// up to a tick late.

#include "asio.h"
#include "membership_service.h"
#include "transport.h"

#include <memory>

namespace dmr::agent {

class EmbeddedMembership : public MembershipService
{
public:
    static constexpr int kGoodbyeMs = 200; // how long a leave lets the goodbye travel

    EmbeddedMembership(asio::io_context &io, gms::Config config, PeerTransport &transport,
                       std::function<std::int64_t()> nowMs, Handlers handlers);
    ~EmbeddedMembership() override;
    EmbeddedMembership(const EmbeddedMembership &) = delete;
    EmbeddedMembership &operator=(const EmbeddedMembership &) = delete;

    void start(std::set<GroupName> groups, std::string meta) override;
    void update(std::set<GroupName> groups, std::string meta) override;
    void leave(std::function<void()> done) override;
    void halt() override;
    void tick() override;
    void receive(const std::string &payload) override;
    void connectionLost(const std::string &address) override;

    std::string stateName() const override { return std::string(gms::toString(machine_.role())); }
    bool joined() const override
    {
        return machine_.role() == gms::Role::Member || machine_.role() == gms::Role::Coordinator;
    }
    bool coordinates() const override { return machine_.role() == gms::Role::Coordinator; }
    std::string backendName() const override { return "embedded"; }

private:
    void pump();
    // Arms the deadline timer for the machine's next deadline, unless it is armed earlier.
    void armDeadline();

    asio::io_context &io_;
    asio::steady_timer deadlineTimer_;
    std::int64_t deadlineAtMs_ = -1; // what the timer is armed for; -1: not armed
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    gms::Machine machine_;
    PeerTransport &transport_;
    std::function<std::int64_t()> nowMs_;
    Handlers handlers_;
    bool halted_ = false;
};

} // namespace dmr::agent
