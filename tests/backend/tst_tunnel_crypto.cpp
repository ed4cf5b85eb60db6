// The relay's tunnel MAC (backend/agent/tunnel_crypto.h) over real datagrams of relay.h's wire
// format: known answers computed independently (Python's `cryptography`: HKDF-SHA256 and
// AES-256-GCM over the layout as relay.h documents it), so the key derivation, the nonce and
// what the MAC covers cannot drift unnoticed; every byte covered; the key bound to the direction
// and to both epochs; the encrypted mode; and no allocation per datagram (OpenSSL's allocator
// is counted from the first allocation of the process on).

#include "tunnel_crypto.h"

#include <openssl/crypto.h>

#include <QtTest>

#include <atomic>
#include <cstdlib>

namespace r = dmr::relay;
using dmr::agent::TunnelKey;

namespace {

std::atomic<long> g_allocations{0};

void *countingMalloc(std::size_t n, const char *, int)
{
    ++g_allocations;
    return std::malloc(n);
}
void *countingRealloc(void *p, std::size_t n, const char *, int)
{
    ++g_allocations;
    return std::realloc(p, n);
}
void countingFree(void *p, const char *, int)
{
    std::free(p);
}

const std::string kClusterKey = "a cluster key of some length";

// The datagram of the known answers: node 4's datagram, forwarded by 2 (the root) to 6.
struct Datagram
{
    std::vector<std::uint8_t> bytes;
    std::size_t headerBytes = 0;
};

Datagram knownDatagram(bool encrypted)
{
    const std::string payload = "known answer";
    r::Header h;
    h.kind = r::Kind::Data;
    h.ttl = 4;
    h.flags = encrypted ? r::kFlagEncrypted : 0;
    h.originNetwork = *dmr::IpAddress::parse("10.0.3.0");
    h.originPrefixLength = 24;
    h.source = *dmr::IpAddress::parse("10.0.3.1");
    h.sourcePort = 40000;
    h.port = 5000;
    h.group = *dmr::IpAddress::parse("239.1.2.3");
    h.epoch = 0x0102030405060708ULL;
    h.sequence = 99;
    h.origin = "4";
    h.hop = "2";
    Datagram d;
    d.bytes.resize(r::kTunnelDatagramBytesMax);
    // In tunnel format 2, whose bytes the release before pinned: a node of this release still
    // speaks it with such a peer, and must seal it the same (the MAC covers the header).
    d.bytes.resize(r::encode(
        h, std::span(reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size()),
        d.bytes, 2));
    r::setHopFields(d.bytes, 1000, 2000, 7);
    d.headerBytes = r::headerBytes(h, 2);
    return d;
}

std::unique_ptr<TunnelKey> key(const char *sender, const char *receiver, std::uint64_t senderEpoch,
                               std::uint64_t receiverEpoch)
{
    auto k = TunnelKey::derive(kClusterKey, sender, receiver, senderEpoch, receiverEpoch);
    if (!k)
        qFatal("%s", k.error().message.c_str());
    return std::move(k).value();
}

QString hex(std::span<const std::uint8_t> b)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(b.data()), static_cast<int>(b.size())).toHex());
}

const auto kNonce = r::tunnelNonce(1000, 7);

} // namespace

class TestTunnelCrypto : public QObject
{
    Q_OBJECT

private slots:
    void knownAnswerAuthenticateOnly()
    {
        Datagram d = knownDatagram(false);
        auto k = key("2", "6", 1000, 2000);
        QVERIFY(k->seal(d.bytes, d.headerBytes, false, kNonce));
        QCOMPARE(hex(std::span(d.bytes).last(r::kTagBytes)),
                 QStringLiteral("887ab52db6340364604df3e0be8d2e5b"));
        // The payload stays in the clear.
        QCOMPARE(hex(std::span(d.bytes).subspan(d.headerBytes, 12)),
                 QString::fromLatin1(QByteArray("known answer").toHex()));
        QVERIFY(key("2", "6", 1000, 2000)->open(d.bytes, d.headerBytes, false, kNonce));
    }

    void knownAnswerEncrypted()
    {
        Datagram d = knownDatagram(true);
        auto k = key("2", "6", 1000, 2000);
        QVERIFY(k->seal(d.bytes, d.headerBytes, true, kNonce));
        QCOMPARE(hex(std::span(d.bytes).subspan(d.headerBytes, 12)),
                 QStringLiteral("9ffadc6c736e2e0883580c26"));
        QCOMPARE(hex(std::span(d.bytes).last(r::kTagBytes)),
                 QStringLiteral("07abe8de14afeec16381ce264fe0390d"));
        QVERIFY(key("2", "6", 1000, 2000)->open(d.bytes, d.headerBytes, true, kNonce));
        QCOMPARE(hex(std::span(d.bytes).subspan(d.headerBytes, 12)),
                 QString::fromLatin1(QByteArray("known answer").toHex()));
    }

    void everyByteIsCovered_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("authenticate only") << false;
        QTest::newRow("encrypted") << true;
    }
    void everyByteIsCovered()
    {
        QFETCH(bool, encrypted);
        Datagram sealed = knownDatagram(encrypted);
        QVERIFY(
            key("2", "6", 1000, 2000)->seal(sealed.bytes, sealed.headerBytes, encrypted, kNonce));
        auto rx = key("2", "6", 1000, 2000);
        for (std::size_t i = 0; i < sealed.bytes.size(); ++i) {
            for (const std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
                auto d = sealed.bytes;
                d[i] ^= flip;
                QVERIFY2(!rx->open(d, sealed.headerBytes, encrypted, kNonce),
                         qPrintable(QStringLiteral("byte %1 changed, still verified").arg(i)));
            }
        }
        // Shorter or longer by a byte (the tag no longer where it was).
        auto shorter = sealed.bytes;
        shorter.pop_back();
        QVERIFY(!rx->open(shorter, sealed.headerBytes, encrypted, kNonce));
        auto longer = sealed.bytes;
        longer.push_back(0);
        QVERIFY(!rx->open(longer, sealed.headerBytes, encrypted, kNonce));
        // And the context is not spoilt by failures: the real one still opens.
        auto d = sealed.bytes;
        QVERIFY(rx->open(d, sealed.headerBytes, encrypted, kNonce));
    }

    void keyBoundToDirectionEpochsAndNonce()
    {
        Datagram sealed = knownDatagram(false);
        QVERIFY(key("2", "6", 1000, 2000)->seal(sealed.bytes, sealed.headerBytes, false, kNonce));
        auto opens = [&](std::unique_ptr<TunnelKey> k, std::array<std::uint8_t, 12> nonce) {
            auto d = sealed.bytes;
            return k->open(d, sealed.headerBytes, false, nonce);
        };
        QVERIFY(opens(key("2", "6", 1000, 2000), kNonce));
        QVERIFY(!opens(key("6", "2", 1000, 2000), kNonce)); // the other direction
        QVERIFY(!opens(key("2", "4", 1000, 2000), kNonce)); // another receiver
        QVERIFY(!opens(key("2", "6", 1001, 2000), kNonce)); // the sender restarted
        QVERIFY(!opens(key("2", "6", 1000, 2001), kNonce)); // the receiver restarted
        QVERIFY(!opens(key("2", "6", 1000, 2000), r::tunnelNonce(1000, 8)));
        auto other = TunnelKey::derive("another cluster's key", "2", "6", 1000, 2000);
        QVERIFY(other.ok());
        QVERIFY(!opens(std::move(other).value(), kNonce));
    }

    void noAllocationPerDatagram()
    {
        auto tx = key("2", "6", 1000, 2000);
        auto rx = key("2", "6", 1000, 2000);
        Datagram plain = knownDatagram(true);
        std::vector<std::uint8_t> d(plain.bytes.size());
        // Warm up (a first use may set up what OpenSSL keeps per thread).
        for (int i = 1; i <= 2; ++i) {
            d = plain.bytes;
            QVERIFY(tx->seal(d, plain.headerBytes, true, r::tunnelNonce(1000, i)));
            QVERIFY(rx->open(d, plain.headerBytes, true, r::tunnelNonce(1000, i)));
        }
        const long before = g_allocations.load();
        int opened = 0;
        for (std::uint64_t i = 3; i < 1003; ++i) {
            std::copy(plain.bytes.begin(), plain.bytes.end(), d.begin());
            const bool encrypted = i % 2 == 0;
            QVERIFY(tx->seal(d, plain.headerBytes, encrypted, r::tunnelNonce(1000, i)));
            opened += rx->open(d, plain.headerBytes, encrypted, r::tunnelNonce(1000, i)) ? 1 : 0;
            d[d.size() - 1] ^= 1; // and a failed open
            QVERIFY(!rx->open(d, plain.headerBytes, encrypted, r::tunnelNonce(1000, i)));
        }
        QCOMPARE(opened, 1000);
        QCOMPARE(g_allocations.load() - before, 0L);
        // (The counter does count: deriving a key allocates.)
        key("2", "6", 1, 2);
        QVERIFY(g_allocations.load() > before);
    }
};

int main(int argc, char **argv)
{
    // Before OpenSSL allocates anything: the counting allocator must see every allocation.
    if (CRYPTO_set_mem_functions(countingMalloc, countingRealloc, countingFree) != 1)
        return 2;
    TestTunnelCrypto t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_tunnel_crypto.moc"
