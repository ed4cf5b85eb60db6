#include "process.h"

#include <cstdio>
#include <fstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dmr::agent {

void spawnCommand(const std::string &command, const std::string &input)
{
    int fds[2];
    if (::pipe(fds) != 0)
        return;
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    if (pid == 0) {
        ::dup2(fds[0], 0);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char *>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    // Small inputs fit the pipe buffer; a command that does not read loses the rest.
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    [[maybe_unused]] auto written = ::write(fds[1], input.data(), input.size());
    ::close(fds[1]);
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
