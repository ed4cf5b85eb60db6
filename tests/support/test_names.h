#pragma once
// Small helpers the process tests share: text as a QString, and a cluster name of this test
// process.

#include <QString>

#include <string>
#include <string_view>

#include <unistd.h>

namespace dmr::test {

// "eth0=10.0.1.1/24" as a QString: the tests' arguments and JSON keys.
inline QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// "relay-prune-4242": a loopback cluster name with this process's id, so that two test
// processes running at once never share segments (a segment's port and group come from the
// cluster name).
inline std::string clusterName(std::string_view prefix)
{
    return std::string(prefix) + "-" + std::to_string(::getpid());
}

} // namespace dmr::test
