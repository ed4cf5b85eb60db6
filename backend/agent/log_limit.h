#pragma once
// Rate-limited logging of what hostile or broken peers send: at most one line per key (a peer
// address and what it did) per interval, and the next line says how many were held back. A
// flood of bad input costs a few log lines, not megabytes. The clock is the caller's.

#include <cstdint>
#include <map>
#include <string>

namespace dmr::agent {

class LogLimiter
{
public:
    static constexpr std::int64_t kIntervalMs = 10'000;
    static constexpr std::size_t kKeysMax = 1024; // past it, the stalest key is forgotten

    // The line to log now (with the count held back since the last one), or empty to hold it.
    std::string admit(const std::string &key, const std::string &line, std::int64_t nowMs)
    {
        auto it = keys_.find(key);
        if (it == keys_.end()) {
            if (keys_.size() >= kKeysMax) {
                auto stalest = keys_.begin();
                for (auto k = keys_.begin(); k != keys_.end(); ++k)
                    if (k->second.lastMs < stalest->second.lastMs)
                        stalest = k;
                keys_.erase(stalest);
            }
            keys_.emplace(key, Entry{nowMs, 0});
            return line;
        }
        Entry &e = it->second;
        if (nowMs - e.lastMs < kIntervalMs) {
            ++e.held;
            ++heldTotal_;
            return {};
        }
        std::string out = line;
        if (e.held > 0)
            out += " (and " + std::to_string(e.held) + " more like it not logged)";
        e = Entry{nowMs, 0};
        return out;
    }
    std::uint64_t heldTotal() const { return heldTotal_; }

private:
    struct Entry
    {
        std::int64_t lastMs = 0;
        std::uint64_t held = 0;
    };
    std::map<std::string, Entry> keys_;
    std::uint64_t heldTotal_ = 0;
};

} // namespace dmr::agent
