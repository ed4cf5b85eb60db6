// The IGMP/MLD seam's glue (listen_io.h): what a heard message means to a listener table
// (deliver), the kernel's membership tables read as text (/proc/net/igmp, /proc/net/igmp6), and
// OsListening, which runs the reader for the relay and reports this host's own programs' groups.
// The reader's sockets (OsListenIo) are in listen_io_os.cpp.
#include "listen_io.h"

#include <array>
#include <bit>
#include <set>

namespace dmr::agent {

igmp::QueryParams queryParams(const listen::Query &query, const listen::Config &config)
{
    igmp::QueryParams p;
    p.group = query.group;
    p.maxResponseMs = query.maxResponseMs;
    p.robustness = config.robustness;
    p.queryIntervalS = config.queryIntervalMs / 1000;
    return p;
}

bool linkScoped(const IpAddress &group)
{
    const auto &b = group.bytes();
    if (group.family() == Family::V4)
        return b[0] == 224 && b[1] == 0 && b[2] == 0;
    return b[0] == 0xff && (b[1] & 0x0f) <= 2;
}

void deliver(const HeardListen &heard, const ListenSink &sink)
{
    const igmp::Message &m = heard.message;
    if (m.type != igmp::MessageType::Query && m.group && linkScoped(*m.group))
        return;
    std::optional<listen::Reporter> reporter;
    if (m.namesHost)
        reporter = listen::Reporter{m.source, 0};
    switch (m.type) {
    case igmp::MessageType::Report:
        if (sink.report && m.group)
            sink.report(heard.segment, *m.group, reporter);
        break;
    case igmp::MessageType::Leave:
        if (sink.leave && m.group)
            sink.leave(heard.segment, *m.group, reporter);
        break;
    case igmp::MessageType::Query:
        if (sink.query)
            sink.query(heard.segment, m.source,
                       m.sourceCount == 0 && !m.suppressRouterSide && m.group &&
                               !linkScoped(*m.group)
                           ? m.group
                           : std::nullopt);
        break;
    }
}

namespace {

std::vector<std::string_view> words(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

template<typename F>
void eachLine(std::string_view text, F &&f)
{
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

std::optional<std::uint64_t> hexNumber(std::string_view t)
{
    std::uint64_t v = 0;
    if (t.empty() || t.size() > 16)
        return std::nullopt;
    for (char c : t) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return std::nullopt;
        v = v << 4 | static_cast<std::uint64_t>(d);
    }
    return v;
}

std::optional<int> decimal(std::string_view t)
{
    int v = 0;
    if (t.empty() || t.size() > 9)
        return std::nullopt;
    for (char c : t) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

} // namespace

std::map<std::string, std::map<IpAddress, int>> parseProcIgmp(std::string_view text)
{
    std::map<std::string, std::map<IpAddress, int>> out;
    std::string device;
    eachLine(text, [&](std::string_view line) {
        const auto w = words(line);
        if (w.empty())
            return;
        if (line.front() != ' ' && line.front() != '\t') { // "4  eth0 : 1 V3"
            device = w.size() >= 2 && decimal(w[0]) ? std::string(w[1]) : std::string();
            if (!device.empty() && device.back() == ':')
                device.pop_back();
            return;
        }
        const auto group = hexNumber(w[0]);
        const auto users = w.size() >= 2 ? decimal(w[1]) : std::nullopt;
        if (device.empty() || !group || *group > 0xffffffffu || !users)
            return;
        // The address's bytes as the host keeps them: network order in memory, printed as a
        // native number.
        std::uint32_t v = static_cast<std::uint32_t>(*group);
        if constexpr (std::endian::native == std::endian::little)
            v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
        out[device][IpAddress::v4(v)] = *users;
    });
    return out;
}

std::map<std::string, std::map<IpAddress, int>> parseProcIgmp6(std::string_view text)
{
    std::map<std::string, std::map<IpAddress, int>> out;
    eachLine(text, [&](std::string_view line) {
        const auto w = words(line);
        if (w.size() < 4 || w[2].size() != 32)
            return;
        std::array<std::uint8_t, 16> b{};
        for (std::size_t i = 0; i < 16; ++i) {
            const auto byte = hexNumber(w[2].substr(2 * i, 2));
            if (!byte)
                return;
            b[i] = static_cast<std::uint8_t>(*byte);
        }
        if (const auto users = decimal(w[3]))
            out[std::string(w[1])][IpAddress::v6(b)] = *users;
    });
    return out;
}

OsListening::OsListening(asio::io_context &io, std::unique_ptr<ListenIo> reader, ListenSink sink,
                         OwnJoins ownJoins)
    : io_(io)
    , reader_(std::move(reader))
    , sink_(std::move(sink))
    , ownJoins_(std::move(ownJoins))
    , timer_(io)
{
}

OsListening::~OsListening()
{
    *alive_ = false;
    close();
}

Result<std::monostate> OsListening::open(const std::vector<SegmentSpec> &segments)
{
    close();
    segments_ = segments;
    local_.assign(segments.size(), {});
    auto opened = reader_->open(segments, [this](const HeardListen &h) { deliver(h, sink_); });
    if (!opened)
        return opened;
    pollLocal();
    arm();
    return std::monostate{};
}

void OsListening::close()
{
    timer_.cancel();
    reader_->close();
    segments_.clear();
    local_.clear();
}

bool OsListening::sendQuery(std::size_t segment, const listen::Query &query,
                            const listen::Config &config)
{
    return reader_->sendQuery(segment, queryParams(query, config));
}

void OsListening::pollLocal()
{
    const auto kernel = reader_->localMemberships();
    for (std::size_t i = 0; i < segments_.size() && i < kernel.size(); ++i) {
        const listen::Reporter self{segments_[i].address, 0};
        std::set<IpAddress> now;
        for (const auto &[group, users] : kernel[i])
            if (group.isMulticast() && !linkScoped(group) &&
                users > (ownJoins_ ? ownJoins_(i, group) : 0))
                now.insert(group);
        for (const auto &group : local_[i])
            if (!now.contains(group) && sink_.leave)
                sink_.leave(i, group, self);
        // Every poll, so the membership timer never runs out while the program listens.
        for (const auto &group : now)
            if (sink_.report)
                sink_.report(i, group, self);
        local_[i] = std::move(now);
    }
}

void OsListening::arm()
{
    timer_.expires_after(std::chrono::milliseconds(kLocalPollMs));
    timer_.async_wait([this, alive = alive_](const error_code &ec) {
        if (ec || !*alive)
            return;
        pollLocal();
        arm();
    });
}
} // namespace dmr::agent
