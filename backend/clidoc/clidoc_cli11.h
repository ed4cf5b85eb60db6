#pragma once
// clidoc for the programs that parse their command line with CLI11: the App itself is the option
// table that --help prints, the manual and the completions are made from.

#include "clidoc.h"

#include <optional>
#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace dmr::clidoc {

// The App's options (hidden ones, those without a group, left out), positional arguments and
// subcommands, as --help lists them.
Program fromCli11(const CLI::App &app, const std::string &name, const std::string &version);

// When the first argument is --dmr-doc=json (the build asks so), prints fromCli11(...) as JSON
// and returns the exit status; otherwise nothing. Call it after the App is complete and before
// it parses: a command line that would not parse (a required subcommand) still documents.
std::optional<int> printIfAsked(const CLI::App &app, const std::string &name,
                                const std::string &version, int argc, char **argv);

} // namespace dmr::clidoc
