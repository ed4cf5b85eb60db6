#pragma once
// Manual pages and shell completion from a program's own option table, so that they never drift
// from `--help`. A program describes its command line (CLI11's App through clidoc_cli11.h, the
// console's QCommandLineParser options by hand) as a clidoc::Program, prints it as JSON when run
// with --dmr-doc=json, and the build turns that JSON and a prose file (resources/man/NAME.txt:
// the sections that are not options, such as FILES and EXIT STATUS) into NAME.SECTION, a bash
// completion and a zsh completion (the dmr-clidoc build tool). Pure: text in, text out.
//
// The prose file:
//
//   name: dmr-agent
//   section: 8
//   summary: the DMR agent of one node
//   ## FILES
//   * /etc/dmr/agent.toml
//   The configuration (a tagged paragraph: "* TAG" then its text).
//
//   A plain paragraph; blank lines separate paragraphs.
//       Lines indented by four spaces are shown verbatim (examples).

#include "dmr/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace dmr::clidoc {

struct Option
{
    std::vector<std::string> names;   // "-c", "--config"; empty for a positional argument
    std::string positional;           // a positional argument's name ("topology")
    std::string valueName;            // "HOST:PORT", "FILE"; empty for a flag
    std::vector<std::string> choices; // the only values it takes (IsMember), for completion
    bool fileValue = false;           // its value is a path: complete file names
    bool required = false;
    bool repeatable = false;
    std::string help;
    std::string group; // "Configuration (overrides the file)"; empty: the program's options
    std::string env;   // an environment variable that stands in for it ("DMR_TOKEN")
    bool operator==(const Option &) const = default;
};

struct Command
{
    std::string name;
    std::string summary;
    std::vector<Option> options;      // its own, positional arguments included
    bool takesProgramOptions = false; // the program's options may follow the command too
    bool operator==(const Command &) const = default;
};

struct Program
{
    std::string name;        // "dmrctl"
    std::string version;     // "0.1.0"
    std::string description; // what --help says first
    std::string footer;      // what --help says last (exit statuses, say)
    std::vector<Option> options;
    std::vector<Command> commands; // subcommands, in --help order
    bool operator==(const Program &) const = default;
};

// The JSON form the programs print with --dmr-doc=json; fromJson names the field that is wrong.
std::string toJson(const Program &program);
Result<Program> fromJson(std::string_view text);

// What a manual needs besides the options: the prose file.
struct Prose
{
    std::string name;    // must match the program's
    int section = 1;     // 1 (user commands) or 8 (daemons, administration)
    std::string summary; // the NAME line: "dmr-agent \- SUMMARY"
    struct Section
    {
        std::string title; // "FILES"; "DESCRIPTION" adds to the program's description
        std::string text;  // the markup above
    };
    std::vector<Section> sections;
};
// Errors name the line: "dmr-agent.txt:3: expected \"key: value\" before the first section".
Result<Prose> parseProse(std::string_view text, std::string_view fileName);

// The manual page (roff, man macros). Deterministic: no date, so a rebuild is byte-identical.
std::string renderMan(const Program &program, const Prose &prose);
// `complete -F` for bash (options, subcommands, each option's choices, files where a path goes).
std::string renderBash(const Program &program);
// A #compdef file for zsh (_arguments, one state per subcommand).
std::string renderZsh(const Program &program);

} // namespace dmr::clidoc
