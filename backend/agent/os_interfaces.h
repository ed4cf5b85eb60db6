#pragma once
// The host's interfaces as the seed reads them (0067): every interface that is up, is not
// loopback and has an IPv4 or IPv6 address with a prefix, one entry per address.

#include "dmr/model.h"

namespace dmr::agent {

Result<std::vector<Interface>> readOsInterfaces();

} // namespace dmr::agent
