#include "clidoc_cli11.h"

#include <CLI/CLI.hpp>

#include <cstring>
#include <iostream>

namespace dmr::clidoc {

namespace {

bool endsWith(const std::string &s, const std::string &tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// CLI11 shows an option's value as its type name followed by each check's description:
// "TEXT:{json,dot}", "TEXT:FILE", "INT:INT in [1 - 100]", "HOST:PORT". The checks come off the
// end; what is left is the value's name, and a set's members are its choices.
void readTypeName(std::string type, Option &o)
{
    for (bool stripped = true; stripped;) {
        stripped = false;
        const auto colon = type.rfind(':');
        if (colon == std::string::npos)
            break;
        const std::string check = type.substr(colon + 1);
        if (check.size() >= 2 && check.front() == '{' && check.back() == '}') {
            std::string member;
            for (char c : check.substr(1, check.size() - 2)) {
                if (c == ',') {
                    o.choices.push_back(member);
                    member.clear();
                } else {
                    member += c;
                }
            }
            if (!member.empty())
                o.choices.push_back(member);
        } else if (check == "FILE" || check == "DIR" || check == "PATH(existing)" ||
                   check == "PATH(non-existing)") {
            o.fileValue = true;
        } else if (check.find(" in [") == std::string::npos) {
            break; // part of the name itself, as in HOST:PORT
        }
        type.resize(colon);
        stripped = true;
    }
    o.valueName = type;
}

Option optionOf(const CLI::Option &opt)
{
    Option o;
    if (opt.get_positional() && opt.get_lnames().empty() && opt.get_snames().empty()) {
        o.positional = opt.get_name(true);
    } else {
        for (const auto &s : opt.get_snames())
            o.names.push_back("-" + s);
        for (const auto &l : opt.get_lnames())
            o.names.push_back("--" + l);
    }
    if (opt.get_type_size_max() > 0)
        readTypeName(opt.get_type_name(), o);
    if (!o.positional.empty() && o.valueName == "FILE")
        o.fileValue = true;
    // A value named after a path is completed as one.
    for (const char *path : {"FILE", "DIR", "PATH"})
        if (endsWith(o.valueName, path))
            o.fileValue = true;
    o.required = opt.get_required();
    o.repeatable = opt.get_expected_max() > 1 || opt.get_items_expected_max() > 1;
    o.help = opt.get_description();
    o.group = opt.get_group() == "Options" ? std::string() : opt.get_group();
    o.env = opt.get_envname();
    return o;
}

std::vector<Option> optionsOf(const CLI::App &app)
{
    std::vector<Option> out;
    for (const CLI::Option *opt : app.get_options())
        if (!opt->get_group().empty()) // an empty group hides an option from --help
            out.push_back(optionOf(*opt));
    return out;
}

} // namespace

Program fromCli11(const CLI::App &app, const std::string &name, const std::string &version)
{
    Program p;
    p.name = name;
    p.version = version;
    p.description = app.get_description();
    p.footer = app.get_footer();
    p.options = optionsOf(app);
    for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; })) {
        if (sub->get_group().empty())
            continue;
        p.commands.push_back(
            {sub->get_name(), sub->get_description(), optionsOf(*sub), sub->get_fallthrough()});
    }
    return p;
}

std::optional<int> printIfAsked(const CLI::App &app, const std::string &name,
                                const std::string &version, int argc, char **argv)
{
    if (argc != 2 || std::strcmp(argv[1], "--dmr-doc=json") != 0)
        return std::nullopt;
    std::cout << toJson(fromCli11(app, name, version)) << "\n";
    return std::cout ? 0 : 1;
}

} // namespace dmr::clidoc
