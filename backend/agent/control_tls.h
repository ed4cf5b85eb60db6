#pragma once
// TLS 1.3 for the control port (OpenSSL through Asio's ssl::context): the server context made
// from the [control] tls_* keys, and the client certificate's subject and names after a
// handshake, which map it to a role (control.operator_cert_names, control.viewer_cert_names).

#include "asio.h"
#include "config.h"

#include "dmr/protocol.h"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dmr::agent {

// The server context: TLS 1.3 only, the certificate chain and key of control.tls_cert and
// control.tls_key; with control.tls_client_ca, clients are asked for a certificate signed by
// it (refused without one when control.tls_require_client_cert). An error names the key and the
// file: "control.tls_cert /etc/dmr/control.crt: no such file".
Result<std::shared_ptr<asio::ssl::context>>
makeControlTlsContext(const AgentConfig::ControlSection &control);

// The verified certificate a client presented.
struct PeerCertificate
{
    std::string subject;            // RFC 2253: "CN=alice,O=ops"
    std::vector<std::string> names; // its CNs, DNS and email subject alternative names
};

// The client's certificate on this connection, when it presented one that verified; nullopt
// otherwise.
std::optional<PeerCertificate> verifiedPeerCertificate(SSL *ssl);

// The role the certificate's names grant: operator before viewer; None when neither list has one.
protocol::Role certificateRole(const PeerCertificate &cert,
                               const AgentConfig::ControlSection &control);

} // namespace dmr::agent
