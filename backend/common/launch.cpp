#include "launch.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace dmr::process {

std::vector<std::string> shell(const std::string &command)
{
    return {"/bin/sh", "-c", command};
}

Result<pid_t> launch(const LaunchSpec &spec)
{
    if (spec.argv.empty() || spec.argv.front().empty())
        return Error{"launch: no program given"};
    const std::string &program = spec.argv.front();
    // Everything the child needs is made before the fork: between fork and exec it only makes
    // system calls (the caller may have threads, whose locks a child must not touch).
    std::vector<char *> argv;
    argv.reserve(spec.argv.size() + 1);
    for (const auto &a : spec.argv)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    const std::string execFailed = program + ": exec: ";
    const pid_t parent = ::getpid();

    int fds[2] = {-1, -1};
    if (spec.input && ::pipe2(fds, O_CLOEXEC) != 0)
        return Error{program + ": pipe: " + std::strerror(errno)};
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int e = errno;
        if (spec.input) {
            ::close(fds[0]);
            ::close(fds[1]);
        }
        return Error{program + ": fork: " + std::strerror(e)};
    }
    if (pid == 0) {
        if (spec.dieWithParent) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) // the parent died before the line above
                ::_exit(1);
        }
        if (spec.input)
            ::dup2(fds[0], 0); // dup2 clears close-on-exec on the copy
        const int output =
            !spec.outputPath.empty()
                ? ::open(spec.outputPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                : spec.outputFd;
        if (output >= 0) {
            ::dup2(output, 1);
            ::dup2(output, 2);
        }
        ::execv(argv[0], argv.data());
        const char *reason = std::strerror(errno);
        [[maybe_unused]] auto a = ::write(2, execFailed.data(), execFailed.size());
        [[maybe_unused]] auto b = ::write(2, reason, std::strlen(reason));
        [[maybe_unused]] auto c = ::write(2, "\n", 1);
        ::_exit(127);
    }
    if (spec.input) {
        ::close(fds[0]);
        // Small inputs fit the pipe buffer; a child that does not read loses the rest.
        ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
        [[maybe_unused]] auto written = ::write(fds[1], spec.input->data(), spec.input->size());
        ::close(fds[1]);
    }
    return pid;
}

} // namespace dmr::process
