// libFuzzer target: a line of etcd's watch stream as the agent takes it: parsed as JSON,
// decoded leniently (shared/include/dmr/etcd_view.h), applied to the key space, and the view
// computed from it. None of it may throw or crash, whatever the gateway sends.
#include "dmr/etcd_view.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

using namespace dmr::etcd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto message = nlohmann::json::parse(text, nullptr, false);
    KeySpace keys(clusterPrefix("fuzz"));
    keys.reset(decodeRangeKvs(message), headerRevision(message));
    apply(keys, decodeWatchMessage(message));
    const auto view = keys.view();
    for (const auto &[key, kv] : keys.kvs()) {
        (void)parseKey(keys.prefix(), key);
        (void)decodeNodeRecord(kv.value);
    }
    (void)wantGlKey(view, "n1");
    return 0;
}
