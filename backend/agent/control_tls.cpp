#include "control_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace dmr::agent {

namespace {

// OpenSSL's last error as one line ("no start line", "key values mismatch"); `fallback` when its
// queue is empty.
std::string sslError(const error_code &ec)
{
    std::string reason;
    while (const unsigned long e = ERR_get_error()) {
        if (const char *r = ERR_reason_error_string(e))
            reason = r;
    }
    if (reason.empty())
        reason = ec.message();
    return reason;
}

std::string readable(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        return std::strerror(errno);
    return {};
}

std::string nameText(X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == nullptr)
        return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(std::max(0L, size)));
    BIO_free(bio);
    return text;
}

std::string asn1Text(const ASN1_STRING *s)
{
    unsigned char *utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0)
        return {};
    std::string text(reinterpret_cast<const char *>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return text;
}

} // namespace

Result<std::shared_ptr<asio::ssl::context>>
makeControlTlsContext(const AgentConfig::ControlSection &control)
{
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_tlsv1_2);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_3_VERSION);
    const auto fail = [](std::string_view key, const std::string &path, const std::string &why) {
        return Error{std::string(key) + " " + path + ": " + why};
    };
    error_code ec;
    if (auto why = readable(control.tlsCert); !why.empty())
        return fail("control.tls_cert", control.tlsCert, why);
    ERR_clear_error();
    ctx->use_certificate_chain_file(control.tlsCert, ec);
    if (ec)
        return fail("control.tls_cert", control.tlsCert,
                    "not a PEM certificate chain (" + sslError(ec) + ")");
    if (auto why = readable(control.tlsKey); !why.empty())
        return fail("control.tls_key", control.tlsKey, why);
    ctx->use_private_key_file(control.tlsKey, asio::ssl::context::pem, ec);
    if (ec)
        return fail("control.tls_key", control.tlsKey,
                    "not a PEM private key (" + sslError(ec) + ")");
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        return fail("control.tls_key", control.tlsKey,
                    "does not match the certificate of control.tls_cert (" + sslError(ec) + ")");
    if (!control.tlsClientCa.empty()) {
        if (auto why = readable(control.tlsClientCa); !why.empty())
            return fail("control.tls_client_ca", control.tlsClientCa, why);
        ctx->load_verify_file(control.tlsClientCa, ec);
        if (ec)
            return fail("control.tls_client_ca", control.tlsClientCa,
                        "not a PEM CA certificate (" + sslError(ec) + ")");
        // Tells clients which CA's certificates the agent takes.
        if (STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(control.tlsClientCa.c_str()))
            SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
        ctx->set_verify_mode(asio::ssl::verify_peer |
                             (control.tlsRequireClientCert ? asio::ssl::verify_fail_if_no_peer_cert
                                                           : asio::ssl::verify_none));
    } else {
        ctx->set_verify_mode(asio::ssl::verify_none);
    }
    return ctx;
}

std::optional<PeerCertificate> verifiedPeerCertificate(SSL *ssl)
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == nullptr)
        return std::nullopt;
    if (SSL_get_verify_result(ssl) != X509_V_OK) {
        X509_free(cert);
        return std::nullopt;
    }
    PeerCertificate out;
    X509_NAME *subject = X509_get_subject_name(cert);
    // It names the session in every drill record: bounded like a hello's client name.
    out.subject = nameText(subject).substr(0, protocol::kClientNameBytesMax);
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;)
        out.names.push_back(asn1Text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
    auto *sans = static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (sans != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
            if (g->type == GEN_DNS || g->type == GEN_EMAIL)
                out.names.push_back(asn1Text(g->d.ia5));
        }
        GENERAL_NAMES_free(sans);
    }
    X509_free(cert);
    return out;
}

protocol::Role certificateRole(const PeerCertificate &cert,
                               const AgentConfig::ControlSection &control)
{
    const auto listed = [&](const std::vector<std::string> &list) {
        return std::any_of(cert.names.begin(), cert.names.end(), [&](const std::string &n) {
            return !n.empty() && std::find(list.begin(), list.end(), n) != list.end();
        });
    };
    if (listed(control.operatorCertNames))
        return protocol::Role::Operator;
    if (listed(control.viewerCertNames))
        return protocol::Role::Viewer;
    return protocol::Role::None;
}

} // namespace dmr::agent
