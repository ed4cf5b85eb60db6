// dmr-clidoc: the build's manual and completion writer (not installed).
//
//   dmr-clidoc --program build/backend/dmrctl --prose resources/man/dmrctl.txt
//              --man dmrctl.1 --bash dmrctl --zsh _dmrctl
//
// Runs the program with --dmr-doc=json (its own option table, as --help prints it), reads the
// prose file (the sections that are not options), and writes what was asked for.

#include "clidoc.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <sys/wait.h>

namespace {

int fail(const std::string &message)
{
    std::cerr << "dmr-clidoc: " << message << "\n";
    return 1;
}

bool writeFile(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

} // namespace

int main(int argc, char **argv)
{
    std::map<std::string, std::string> args;
    for (int i = 1; i + 1 < argc; i += 2)
        args[argv[i]] = argv[i + 1];
    if (argc % 2 != 1 || args.count("--program") == 0 || args.count("--prose") == 0)
        return fail("usage: dmr-clidoc --program PATH --prose FILE [--man OUT] [--bash OUT] "
                    "[--zsh OUT]");
    for (const auto &[key, value] : args)
        if (key != "--program" && key != "--prose" && key != "--man" && key != "--bash" &&
            key != "--zsh")
            return fail(key + ": unknown option");

    // The program's option table. QT_QPA_PLATFORM keeps a Qt program from looking for a display.
    const std::string command =
        "QT_QPA_PLATFORM=offscreen '" + args["--program"] + "' --dmr-doc=json";
    FILE *pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return fail(command + ": cannot run");
    std::string json;
    std::array<char, 4096> buf{};
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;)
        json.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (status != 0)
        return fail(command + ": exit status " + std::to_string(WEXITSTATUS(status)));
    auto program = dmr::clidoc::fromJson(json);
    if (!program)
        return fail(args["--program"] + " --dmr-doc=json: " + program.error().message);

    std::ifstream in(args["--prose"]);
    if (!in)
        return fail(args["--prose"] + ": cannot open");
    std::stringstream text;
    text << in.rdbuf();
    auto prose = dmr::clidoc::parseProse(text.str(), args["--prose"]);
    if (!prose)
        return fail(prose.error().message);
    if (prose->name != program->name)
        return fail(args["--prose"] + ": name " + prose->name + " is not the program's (" +
                    program->name + ")");

    if (args.count("--man") != 0 &&
        !writeFile(args["--man"], dmr::clidoc::renderMan(*program, *prose)))
        return fail(args["--man"] + ": cannot write");
    if (args.count("--bash") != 0 && !writeFile(args["--bash"], dmr::clidoc::renderBash(*program)))
        return fail(args["--bash"] + ": cannot write");
    if (args.count("--zsh") != 0 && !writeFile(args["--zsh"], dmr::clidoc::renderZsh(*program)))
        return fail(args["--zsh"] + ": cannot write");
    return 0;
}
