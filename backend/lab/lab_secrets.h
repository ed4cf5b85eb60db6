#pragma once
// dmr-lab's secrets. The cluster key and the operator token go into files of mode 0600 in a
// private folder (0700) and reach the agents by path (cluster.key_file,
// control.operator_token_file), never on their command line, which every user of the machine can
// read (ps, /proc/PID/cmdline). With --tls the lab also makes a throwaway CA there, a certificate
// for the agents' control ports and one for an operator client (OpenSSL, EC P-256 keys).

#include "dmr/result.h"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dmr::lab {

// A folder only this user may enter: made with mode 0700 when absent; an existing one must be a
// directory of this user that group and others cannot enter.
Result<std::monostate> makePrivateDir(const std::string &path);

// Writes (or replaces) a file of mode 0600.
Result<std::monostate> writePrivateFile(const std::string &path, std::string_view content);

// The files of a lab's TLS, all in one private folder.
struct LabTls
{
    std::string caCert;       // ca.pem: the throwaway CA that signed the two below
    std::string agentCert;    // agent.pem: every agent's control port (127.0.0.1, ::1, localhost)
    std::string agentKey;     // agent.key (0600)
    std::string operatorCert; // operator.pem: a client certificate, CN = the operator name
    std::string operatorKey;  // operator.key (0600)
};

// Makes the CA (valid 30 days) and the two certificates it signs, into dir (made private).
// `addresses`: IP addresses the agent certificate names besides 127.0.0.1 and ::1.
Result<LabTls> makeLabTls(const std::string &dir, const std::vector<std::string> &addresses,
                          const std::string &operatorName);

} // namespace dmr::lab
