#pragma once
// Starting a child process, the one way the node-side programs do it: the agent's hooks
// (output.notify_command with the plan diff on its standard input, output.reload_command),
// dmr-lab's agents and etcd (their output in a log file, dying with the lab) and the namespace
// lab's commands (ip, sysctl: their output read from a pipe). launch() never waits for the
// child: the caller reaps it (waitpid), so an agent's loop never blocks on a hook.

#include "dmr/result.h"

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace dmr::process {

struct LaunchSpec
{
    // The program and its arguments; argv[0] is a path (no PATH search). shell() makes one.
    std::vector<std::string> argv;
    // Written to the child's standard input, which is then closed. What does not fit the pipe
    // buffer (64 KiB on Linux) at once is dropped: the caller never blocks on a child that does
    // not read. nullopt: the child inherits the caller's standard input. The caller ignores
    // SIGPIPE (the agent and the lab do): a child gone before it reads makes the write fail.
    std::optional<std::string> input;
    // Standard output and error go to this file (created, or truncated; mode 0644). Empty: the
    // child inherits the caller's.
    std::string outputPath;
    // The child gets SIGKILL when the caller dies (PR_SET_PDEATHSIG), even by kill -9.
    bool dieWithParent = false;
    // Without outputPath: standard output and error go to this descriptor of the caller's (the
    // write end of a pipe it reads), which the caller still closes itself. -1: inherited.
    int outputFd = -1;
};

// "/bin/sh -c COMMAND".
std::vector<std::string> shell(const std::string &command);

// Forks and execs. The child's pid, or an Error naming the program and the reason (no pipe, no
// fork). An exec that fails is the child's: it writes "PROGRAM: exec: REASON" on its standard
// error (the output file, when given) and exits with status 127.
Result<pid_t> launch(const LaunchSpec &spec);

} // namespace dmr::process
