#include "segment_streams.h"

#include <QElapsedTimer>
#include <QThread>

#include <algorithm>

int SegmentStreams::Received::times(const std::string &tag, int seq) const
{
    auto t = counts.find(tag);
    if (t == counts.end())
        return 0;
    auto c = t->second.find(seq);
    return c == t->second.end() ? 0 : c->second;
}

int SegmentStreams::Received::total(const std::string &tag) const
{
    auto t = counts.find(tag);
    int n = 0;
    if (t != counts.end())
        for (const auto &[seq, times] : t->second)
            n += times;
    return n;
}

SegmentStreams::SegmentStreams(std::string cluster, std::vector<dmr::GroupName> networks,
                               dmr::relay::Channel channel)
    : cluster_(std::move(cluster))
    , networks_(std::move(networks))
    , channel_(channel)
{
}

bool SegmentStreams::open(std::string *error)
{
    for (const auto &n : networks_) {
        for (auto *sockets : {&rx_, &tx_}) {
            auto r = dmr::agent::LoopbackSegmentSocket::open(cluster_, n);
            if (!r) {
                *error = r.error().message;
                return false;
            }
            (*sockets)[n] = std::move(r).value();
        }
        rx_.at(n)->listen(channel_.group);
    }
    return true;
}

void SegmentStreams::announce()
{
    for (auto &[network, sock] : rx_)
        if (sock->listening().count(channel_.group) != 0)
            sock->listen(channel_.group);
}

void SegmentStreams::listen(const dmr::GroupName &network, bool on)
{
    if (on)
        rx_.at(network)->listen(channel_.group);
    else
        rx_.at(network)->unlisten(channel_.group);
}

std::vector<std::uint8_t> SegmentStreams::payload(const std::string &tag, int seq,
                                                  std::size_t bytes)
{
    std::string text = tag + ":" + std::to_string(seq) + ":";
    text.resize(std::max(text.size(), bytes), 'x');
    return {text.begin(), text.end()};
}

bool SegmentStreams::send(const dmr::GroupName &network, const std::string &tag, int from,
                          int count, const std::function<void(int)> &each)
{
    for (int i = from; i < from + count; ++i) {
        if (!tx_.at(network)->send(channel_, payload(tag, i)))
            return false;
        if (each)
            each(i);
        if (i % 20 == 0)
            QThread::usleep(2000);
    }
    return true;
}

void SegmentStreams::drain(dmr::agent::LoopbackSegmentSocket &sock, Received &into, int quietMs)
{
    QElapsedTimer quiet;
    quiet.start();
    while (quiet.elapsed() < quietMs) {
        auto d = sock.receive(50);
        if (!d)
            continue;
        if (!(d->channel == channel_)) {
            ++into.foreign;
            continue;
        }
        const std::string text(d->payload.begin(), d->payload.end());
        const auto colon = text.find(':');
        const auto colon2 = text.find(':', colon + 1);
        if (colon == std::string::npos || colon2 == std::string::npos) {
            ++into.foreign;
            continue;
        }
        ++into.counts[text.substr(0, colon)][std::stoi(text.substr(colon + 1, colon2 - colon - 1))];
        quiet.restart();
    }
}

SegmentStreams::Got SegmentStreams::receiveAll(int quietMs)
{
    Got got;
    for (auto &[network, sock] : rx_)
        drain(*sock, got[network], quietMs);
    return got;
}

SegmentStreams::Got SegmentStreams::collect(const std::string &tag, int count,
                                            const std::vector<dmr::GroupName> &networks,
                                            int deadlineMs)
{
    Got got;
    auto complete = [&] {
        for (const auto &n : networks)
            for (int i = 1; i <= count; ++i)
                if (got[n].times(tag, i) == 0)
                    return false;
        return true;
    };
    QElapsedTimer t;
    t.start();
    while (!complete() && t.elapsed() < deadlineMs)
        for (auto &[network, sock] : rx_)
            drain(*sock, got[network], 200);
    for (auto &[network, sock] : rx_)
        drain(*sock, got[network], 500);
    return got;
}

QStringList SegmentStreams::notOnce(const Received &r, const std::string &tag, int count)
{
    QStringList wrong;
    for (int i = 1; i <= count; ++i)
        if (r.times(tag, i) != 1)
            wrong << QStringLiteral("%1 x%2").arg(i).arg(r.times(tag, i));
    return wrong;
}
