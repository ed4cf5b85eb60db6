#pragma once
// A packet capture on the loopback interface, as an attacker with a tap on the wire would
// have: every TCP byte stream sent to one port, reassembled per connection. Needs root
// (AF_PACKET); available() says whether it could open its socket, and why not.

#include <QByteArray>
#include <QString>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

class LoopbackCapture
{
public:
    // Starts capturing what is sent to 127.0.0.1:port.
    explicit LoopbackCapture(std::uint16_t port);
    ~LoopbackCapture();

    bool available() const { return fd_ >= 0; }
    QString error() const { return error_; }

    // The client-to-server byte streams seen so far, one per connection, in the order they
    // started (contiguous from the first byte the capture saw).
    std::vector<QByteArray> streams() const;

private:
    struct Stream
    {
        std::uint32_t isn = 0;
        bool haveIsn = false;
        std::map<std::uint32_t, QByteArray> segments; // by offset from isn + 1
        int order = 0;
    };
    void run();
    void take(const unsigned char *frame, std::size_t len);

    std::uint16_t port_;
    int fd_ = -1;
    QString error_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::map<std::uint64_t, Stream> streams_; // by (client address, client port)
    int next_ = 0;
    std::thread thread_;
};
