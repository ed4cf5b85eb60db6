#include "backoff.h"

#include <QRandomGenerator>

namespace dmr::console {

int Backoff::nextDelayMs(QRandomGenerator &random)
{
    return static_cast<int>(nextJittered(random.generate64()));
}

} // namespace dmr::console
