#include "process.h"

#include "launch.h"

#include <cstdio>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

namespace dmr::agent {

void spawnCommand(const std::string &command, const std::string &input)
{
    // The one launcher (launch.h); a hook that cannot start is as if it had failed.
    [[maybe_unused]] auto started = process::launch({process::shell(command), input, {}, false});
}

void reapChildren()
{
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

std::string writeFileWhole(const std::string &path, const std::string &text)
{
    const std::string tmp = path + ".dmr-tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out)
            return "output " + path + ": cannot write " + tmp;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        return "output " + path + ": cannot rename " + tmp;
    return {};
}

} // namespace dmr::agent
