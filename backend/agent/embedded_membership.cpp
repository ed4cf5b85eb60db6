#include "embedded_membership.h"

namespace dmr::agent {

EmbeddedMembership::EmbeddedMembership(asio::io_context &io, gms::Config config,
                                       PeerTransport &transport,
                                       std::function<std::int64_t()> nowMs, Handlers handlers)
    : io_(io)
    , deadlineTimer_(io)
    , machine_(std::move(config))
    , transport_(transport)
    , nowMs_(std::move(nowMs))
    , handlers_(std::move(handlers))
{
}

EmbeddedMembership::~EmbeddedMembership()
{
    *alive_ = false;
}

void EmbeddedMembership::start(std::set<GroupName> groups, std::string meta)
{
    machine_.start(nowMs_(), std::move(groups), std::move(meta));
    pump();
}

void EmbeddedMembership::update(std::set<GroupName> groups, std::string meta)
{
    if (halted_)
        return;
    machine_.setGroups(nowMs_(), std::move(groups), std::move(meta));
    pump();
}

void EmbeddedMembership::leave(std::function<void()> done)
{
    if (!halted_) {
        machine_.leave(nowMs_());
        pump();
        halted_ = true;
    }
    // Let the goodbye reach the coordinator, then report.
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kGoodbyeMs));
    timer->async_wait([timer, done = std::move(done)](const error_code &) {
        if (done)
            done();
    });
}

void EmbeddedMembership::halt()
{
    halted_ = true;
    machine_.halt();
    deadlineTimer_.cancel();
    deadlineAtMs_ = -1;
}

void EmbeddedMembership::tick()
{
    if (halted_)
        return;
    machine_.tick(nowMs_());
    pump();
}

void EmbeddedMembership::receive(const std::string &payload)
{
    if (halted_)
        return; // a crashed process hears nothing
    auto env = gms::decode(payload);
    if (!env) {
        handlers_.log("membership message rejected: " + env.error().message);
        return;
    }
    machine_.receive(nowMs_(), *env);
    pump();
}

void EmbeddedMembership::connectionLost(const std::string &address)
{
    if (halted_)
        return;
    machine_.connectionLost(nowMs_(), address);
    pump();
}

void EmbeddedMembership::pump()
{
    // One view change sends the same view to every member, one tick the same heartbeat: encode
    // each message once, not once per recipient.
    const gms::Envelope *last = nullptr;
    std::string encoded;
    auto same = [](const gms::Envelope &a, const gms::Envelope &b) {
        if (a.viewId != b.viewId || a.body.index() != b.body.index())
            return false;
        if (const auto *va = std::get_if<gms::ViewMessage>(&a.body)) {
            const auto &vb = std::get<gms::ViewMessage>(b.body);
            return va->view.id == vb.view.id && va->metaBase == vb.metaBase; // delta or whole
        }
        return std::holds_alternative<gms::Heartbeat>(a.body);
    };
    auto outputs = machine_.takeOutputs();
    for (auto &out : outputs) {
        if (auto *send = std::get_if<gms::Send>(&out)) {
            if (last == nullptr || !same(*last, send->message)) {
                encoded = gms::encode(send->message);
                last = &send->message;
            }
            transport_.send(send->to, encoded);
        } else if (auto *view = std::get_if<gms::InstallView>(&out)) {
            handlers_.installed(view->view);
        } else if (auto *note = std::get_if<gms::Note>(&out)) {
            handlers_.log(note->text);
        }
    }
    armDeadline();
}

void EmbeddedMembership::armDeadline()
{
    if (halted_)
        return;
    const auto at = machine_.nextDeadline();
    if (!at || (deadlineAtMs_ >= 0 && deadlineAtMs_ <= *at))
        return;
    deadlineAtMs_ = *at;
    // At least 1 ms ahead: a deadline already due is ticked on the next millisecond, and a tick
    // that leaves its deadline where it was cannot spin the loop.
    deadlineTimer_.expires_after(
        std::chrono::milliseconds(std::max<std::int64_t>(1, *at - nowMs_())));
    deadlineTimer_.async_wait([this, alive = alive_](const error_code &ec) {
        if (ec || !*alive)
            return;
        deadlineAtMs_ = -1;
        tick(); // pumps, and so arms the next one
    });
}

} // namespace dmr::agent
