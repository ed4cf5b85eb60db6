#include "journal.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace dmr::agent {

namespace {

bool validFieldName(std::string_view name)
{
    if (name.empty() || name.size() > 64 || name.front() == '_' ||
        (name.front() >= '0' && name.front() <= '9'))
        return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

void appendField(std::string &out, std::string_view name, std::string_view value)
{
    if (value.find('\n') == std::string_view::npos) {
        out.append(name).append("=").append(value).append("\n");
        return;
    }
    out.append(name).append("\n");
    std::uint64_t size = value.size();
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
    out.append(value).append("\n");
}

} // namespace

std::string journalDatagram(std::string_view message, int priority, std::string_view identifier,
                            const LogFields &fields)
{
    std::string out;
    appendField(out, "MESSAGE", message.substr(0, kLogMessageBytesMax));
    appendField(out, "PRIORITY", std::to_string(priority));
    appendField(out, "SYSLOG_IDENTIFIER", identifier);
    for (const auto &[name, value] : fields)
        if (validFieldName(name) && name != "MESSAGE" && name != "PRIORITY" &&
            name != "SYSLOG_IDENTIFIER")
            appendField(out, name, value.substr(0, kLogMessageBytesMax));
    return out;
}

bool journalStreamIs(const char *journalStream, int fd)
{
    if (journalStream == nullptr)
        return false;
    const std::string_view text(journalStream);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return false;
    unsigned long long dev = 0;
    unsigned long long ino = 0;
    const auto a = std::from_chars(text.data(), text.data() + colon, dev);
    const auto b = std::from_chars(text.data() + colon + 1, text.data() + text.size(), ino);
    if (a.ec != std::errc() || a.ptr != text.data() + colon || b.ec != std::errc() ||
        b.ptr != text.data() + text.size())
        return false;
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0)
        return false;
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

LogSink LogSink::fromEnvironment(std::string identifier, const std::string &socketPath)
{
    if (!journalStreamIs(std::getenv("JOURNAL_STREAM"), STDERR_FILENO))
        return LogSink(std::move(identifier), -1);
    sockaddr_un addr{};
    if (socketPath.size() >= sizeof addr.sun_path)
        return LogSink(std::move(identifier), -1);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return LogSink(std::move(identifier), -1);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size());
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return LogSink(std::move(identifier), -1);
    }
    // journald's entries can be large; ours are bounded well below the default send buffer.
    return LogSink(std::move(identifier), fd);
}

LogSink::LogSink(std::string identifier, int fd)
    : identifier_(std::move(identifier))
    , fd_(fd)
{
}

LogSink::LogSink(LogSink &&other) noexcept
    : identifier_(std::move(other.identifier_))
    , fd_(std::exchange(other.fd_, -1))
{
}

LogSink &LogSink::operator=(LogSink &&other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        identifier_ = std::move(other.identifier_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

LogSink::~LogSink()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void LogSink::write(std::string_view prefix, std::string_view message, int priority,
                    const LogFields &fields) const
{
    if (fd_ >= 0) {
        const std::string d = journalDatagram(message, priority, identifier_, fields);
        if (::send(fd_, d.data(), d.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
            static_cast<ssize_t>(d.size()))
            return;
    }
    std::cerr << prefix << ": " << message.substr(0, kLogMessageBytesMax) << std::endl;
}

} // namespace dmr::agent
