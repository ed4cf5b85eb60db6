#pragma once
// What the three parts of EtcdMembership (etcd_membership.h) share: the lease's request body and
// the text of the JSON gateway's refusals. etcd_membership.cpp holds the session (the lease, its
// keepalive, the join and update transactions, the goodbye), etcd_membership_watch.cpp the view
// (the range read and the watch), etcd_membership_crash.cpp the crash links and the revokes.

#include "etcd_client.h"

#include "dmr/etcd_view.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace dmr::agent::etcd_gateway {

// Request bodies, here and in each part, are made outside the coroutines: g++ 12 miscompiles
// braced initialiser lists inside a coroutine ("array used as initializer").
inline nlohmann::json idBody(std::int64_t id)
{
    return {{"ID", std::to_string(id)}};
}

inline std::string gatewayMessage(const EtcdReply &r)
{
    std::string m;
    if (const auto it = r.body.is_object() ? r.body.find("message") : r.body.end();
        it != r.body.end() && it->is_string())
        m = it->get<std::string>();
    return "HTTP " + std::to_string(r.status) + (m.empty() ? std::string() : ": " + m);
}

} // namespace dmr::agent::etcd_gateway
