#include "lab_secrets.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dmr::lab {

namespace {

struct KeyFree
{
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct CertFree
{
    void operator()(X509 *x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

std::string sslReason()
{
    std::string reason = "unknown OpenSSL error";
    while (const unsigned long e = ERR_get_error())
        if (const char *r = ERR_reason_error_string(e))
            reason = r;
    return reason;
}

enum class Kind : std::uint8_t { Ca, Server, Client };

bool addExtension(X509 *cert, X509 *issuer, int nid, const std::string &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// A certificate for `key`, named CN=commonName, O=dmr-lab, signed by the issuer (itself for the
// CA). Server certificates name `altNames` ("IP:127.0.0.1,DNS:localhost").
Result<Cert> makeCert(EVP_PKEY *key, const std::string &commonName, Kind kind, X509 *issuerCert,
                      EVP_PKEY *issuerKey, const std::string &altNames)
{
    Cert cert(X509_new());
    if (!cert)
        return Error{sslReason()};
    X509 *x = cert.get();
    std::uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(&serial), sizeof serial) != 1)
        return Error{sslReason()};
    serial >>= 1; // positive
    constexpr long kHourS = 3600;
    constexpr long kValidS = 30L * 24 * kHourS;
    X509_NAME *name = X509_get_subject_name(x);
    const auto text = [](const char *s) { return reinterpret_cast<const unsigned char *>(s); };
    if (X509_set_version(x, 2) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(x), -kHourS) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(x), kValidS) == nullptr ||
        X509_set_pubkey(x, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, text("dmr-lab"), -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text(commonName.c_str()), -1, -1,
                                   0) != 1)
        return Error{sslReason()};
    X509 *issuer = kind == Kind::Ca ? x : issuerCert;
    if (X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1)
        return Error{sslReason()};
    bool ok = addExtension(x, issuer, NID_subject_key_identifier, "hash");
    switch (kind) {
    case Kind::Ca:
        ok = ok && addExtension(x, issuer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
             addExtension(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case Kind::Server:
    case Kind::Client:
        ok = ok && addExtension(x, issuer, NID_authority_key_identifier, "keyid:always") &&
             addExtension(x, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(x, issuer, NID_key_usage, "critical,digitalSignature") &&
             addExtension(x, issuer, NID_ext_key_usage,
                          kind == Kind::Server ? "serverAuth" : "clientAuth");
        if (!altNames.empty())
            ok = ok && addExtension(x, issuer, NID_subject_alt_name, altNames);
        break;
    }
    if (!ok)
        return Error{sslReason()};
    if (X509_sign(x, kind == Kind::Ca ? key : issuerKey, EVP_sha256()) == 0)
        return Error{sslReason()};
    return cert;
}

// Writes with `write` into a new file of the given mode.
template<typename Write>
Result<std::monostate> writePem(const std::string &path, mode_t mode, Write write)
{
    ::unlink(path.c_str());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return Error{path + ": " + std::strerror(errno)};
    FILE *f = ::fdopen(fd, "w");
    if (f == nullptr) {
        ::close(fd);
        return Error{path + ": " + std::strerror(errno)};
    }
    const bool ok = write(f);
    if (std::fclose(f) != 0 || !ok)
        return Error{path + ": cannot write (" + sslReason() + ")"};
    return std::monostate{};
}

} // namespace

Result<std::monostate> makePrivateDir(const std::string &path)
{
    if (::mkdir(path.c_str(), 0700) == 0)
        return std::monostate{};
    if (errno != EEXIST)
        return Error{path + ": cannot make the folder: " + std::strerror(errno)};
    struct stat st
    {
    };
    if (::lstat(path.c_str(), &st) != 0)
        return Error{path + ": " + std::strerror(errno)};
    if (!S_ISDIR(st.st_mode))
        return Error{path + ": not a folder"};
    if (st.st_uid != ::geteuid())
        return Error{path + ": owned by another user"};
    if ((st.st_mode & 077) != 0)
        return Error{path + ": group or others may enter it; secrets need a private folder "
                            "(chmod 700, or name a new one)"};
    return std::monostate{};
}

Result<std::monostate> writePrivateFile(const std::string &path, std::string_view content)
{
    return writePem(path, 0600, [&](FILE *f) {
        return std::fwrite(content.data(), 1, content.size(), f) == content.size();
    });
}

Result<LabTls> makeLabTls(const std::string &dir, const std::vector<std::string> &addresses,
                          const std::string &operatorName)
{
    if (auto ok = makePrivateDir(dir); !ok)
        return ok.error();
    ERR_clear_error();
    Key caKey(EVP_EC_gen("P-256"));
    Key agentKey(EVP_EC_gen("P-256"));
    Key operatorKey(EVP_EC_gen("P-256"));
    if (!caKey || !agentKey || !operatorKey)
        return Error{"cannot make a key: " + sslReason()};
    auto ca = makeCert(caKey.get(), "dmr-lab throwaway CA", Kind::Ca, nullptr, nullptr, "");
    if (!ca)
        return Error{"the CA: " + ca.error().message};
    std::string names = "IP:127.0.0.1,IP:::1,DNS:localhost";
    for (const auto &a : addresses)
        names += ",IP:" + a;
    auto agent =
        makeCert(agentKey.get(), "dmr-lab agent", Kind::Server, ca->get(), caKey.get(), names);
    if (!agent)
        return Error{"the agent certificate: " + agent.error().message};
    auto op = makeCert(operatorKey.get(), operatorName, Kind::Client, ca->get(), caKey.get(), "");
    if (!op)
        return Error{"the operator certificate: " + op.error().message};

    LabTls out{dir + "/ca.pem", dir + "/agent.pem", dir + "/agent.key", dir + "/operator.pem",
               dir + "/operator.key"};
    const auto cert = [](X509 *x) { return [x](FILE *f) { return PEM_write_X509(f, x) == 1; }; };
    const auto key = [](EVP_PKEY *k) {
        return [k](FILE *f) {
            return PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr) == 1;
        };
    };
    for (auto r : {writePem(out.caCert, 0644, cert(ca->get())),
                   writePem(out.agentCert, 0644, cert(agent->get())),
                   writePem(out.agentKey, 0600, key(agentKey.get())),
                   writePem(out.operatorCert, 0644, cert(op->get())),
                   writePem(out.operatorKey, 0600, key(operatorKey.get()))})
        if (!r)
            return r.error();
    return out;
}

} // namespace dmr::lab
