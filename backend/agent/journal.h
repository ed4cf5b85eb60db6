#pragma once
// Where the agent's log lines go. Under systemd, when standard error is the journal stream
// systemd gave it (JOURNAL_STREAM names that stream's device and inode), each line goes to
// journald itself over its native protocol (a datagram of FIELD=value lines to
// /run/systemd/journal/socket), with the agent's fields beside the text:
//
//   MESSAGE=failover: node 2 (silent) lost its roles; view 3.1
//   PRIORITY=6   SYSLOG_IDENTIFIER=dmr-agent   DMR_NODE=6   DMR_VIEW=3.1   DMR_CAUSE=silent
//
// so that `journalctl -u dmr-agent DMR_CAUSE=silent` finds every failover for a silent node.
// Otherwise (a terminal, a file, dmr-lab's logs) a line is plain text on standard error:
//   dmr-agent[6]: failover: node 2 (silent) lost its roles; view 3.1
// A datagram journald does not take (its socket gone, full) falls back to the plain line.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dmr::agent {

using LogFields = std::vector<std::pair<std::string, std::string>>; // "DMR_NODE" -> "6"

inline constexpr std::size_t kLogMessageBytesMax = 16 * 1024; // longer messages are cut
inline constexpr int kPriorityWarning = 4;
inline constexpr int kPriorityNotice = 5;
inline constexpr int kPriorityInfo = 6;

// The native protocol's datagram for one entry: FIELD=value lines; a value with a newline in it
// takes the binary form (FIELD, a newline, its length as 64-bit little endian, the value, a
// newline). Field names must be A-Z, 0-9 and _ and not start with _ (journald's rule); others
// are left out.
std::string journalDatagram(std::string_view message, int priority, std::string_view identifier,
                            const LogFields &fields);

class LogSink
{
public:
    static constexpr const char *kJournalSocket = "/run/systemd/journal/socket";

    // JOURNAL_STREAM ("DEV:INODE") matching standard error: journald at socketPath. Otherwise,
    // or when that socket cannot be opened, plain lines on standard error.
    static LogSink fromEnvironment(std::string identifier,
                                   const std::string &socketPath = kJournalSocket);
    LogSink(LogSink &&other) noexcept;
    LogSink &operator=(LogSink &&other) noexcept;
    LogSink(const LogSink &) = delete;
    LogSink &operator=(const LogSink &) = delete;
    ~LogSink();

    bool toJournal() const { return fd_ >= 0; }
    // prefix: what a plain line starts with ("dmr-agent[6]").
    void write(std::string_view prefix, std::string_view message, int priority,
               const LogFields &fields) const;

private:
    LogSink(std::string identifier, int fd);
    std::string identifier_;
    int fd_ = -1; // a connected AF_UNIX datagram socket to journald, or -1
};

// "DEV:INODE" of JOURNAL_STREAM matches fd's device and inode (systemd's own test).
bool journalStreamIs(const char *journalStream, int fd);

} // namespace dmr::agent
