// dmr-agent: the DMR agent that runs on every node (see agent.h and README.md).
//
//   dmr-agent --config /etc/dmr/agent.toml
//   dmr-agent --check-config /etc/dmr/agent.toml    (validate, print a summary, exit 0 or 2)
//   dmr-agent --node.id 2 --node.interfaces eth0=10.0.1.2/24 --cluster.key ...
//             --cluster.peers 127.0.0.1:7401,127.0.0.1:7406 --membership.listen 127.0.0.1:7402

#include "agent.h"
#include "clidoc_cli11.h"

#include <CLI/CLI.hpp>

#include <cstring>
#include <iostream>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// systemd's Type=notify, without libsystemd: one datagram to $NOTIFY_SOCKET.
void sdNotify(const char *state)
{
    const char *path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0')
        return;
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0'; // abstract namespace
    ::sendto(fd, state, std::strlen(state), 0, reinterpret_cast<sockaddr *>(&addr),
             static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path)));
    ::close(fd);
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"dmr-agent: the DMR agent of one node. It elects multicast routing points with "
                 "the other agents and keeps the tunnels between them."};
    app.set_version_flag("--version", std::string("dmr-agent ") + DMR_VERSION);
    dmr::agent::ConfigOverrides overrides;
    dmr::agent::addConfigOptions(app, overrides);
    std::string checkConfig;
    app.add_option("--check-config", checkConfig,
                   "Validate this agent.toml, with any configuration flags over it, and exit "
                   "without starting: 0 and a summary when it is valid, 2 and the key or line that "
                   "is wrong when not (for ExecStartPre and configuration management)")
        ->type_name("FILE")
        ->excludes("--config");
    if (auto rc = dmr::clidoc::printIfAsked(app, "dmr-agent", DMR_VERSION, argc, argv))
        return *rc;
    CLI11_PARSE(app, argc, argv);

    if (!checkConfig.empty())
        overrides.configPath = checkConfig;
    auto config = dmr::agent::loadConfig(overrides);
    if (!config) {
        std::cerr << "dmr-agent: " << config.error().message << "\n";
        return 2;
    }
    if (!checkConfig.empty()) {
        // What an operator checks at a glance; never a secret.
        const auto &c = *config;
        std::cout << checkConfig << ": valid (node " << c.node.id << ", cluster " << c.cluster.name
                  << ", membership " << dmr::agent::toString(c.membership.backend) << " on "
                  << c.membership.listen.toString() << ", control " << c.control.listen.toString()
                  << ", relay "
                  << (c.relay.enabled ? std::string(dmr::agent::toString(c.relay.mode)) : "off")
                  << ")\n";
        return 0;
    }
    boost::asio::io_context io(1);
    dmr::agent::Agent agent(io, *config, DMR_VERSION);
    if (auto started = agent.start(); !started) {
        std::cerr << "dmr-agent: " << started.error().message << "\n";
        return 1;
    }
    sdNotify("READY=1");

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code &ec, int) {
        if (ec)
            return;
        sdNotify("STOPPING=1");
        // Stops once the goodbye is out: the embedded protocol lets it travel 200 ms, etcd's
        // backend waits for its lease's revoke (2 s at most).
        agent.shutdown([&io] { io.stop(); });
    });
    ::signal(SIGPIPE, SIG_IGN);
    io.run();
    return 0;
}
