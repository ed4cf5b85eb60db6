#include "clidoc.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <sstream>

namespace dmr::clidoc {

namespace {

using Json = nlohmann::json;

// ---- JSON ---------------------------------------------------------------------------------------

Json optionJson(const Option &o)
{
    return Json{{"names", o.names},           {"positional", o.positional},
                {"value", o.valueName},       {"choices", o.choices},
                {"file", o.fileValue},        {"required", o.required},
                {"repeatable", o.repeatable}, {"help", o.help},
                {"group", o.group},           {"env", o.env}};
}

// Thrown while a document is read, caught in fromJson with the field's path.
struct Bad
{
    std::string path;
    std::string why;
};

std::string text(const Json &j, const std::string &key, const std::string &path)
{
    if (!j.contains(key))
        return {};
    if (!j[key].is_string())
        throw Bad{path + "." + key, "expected a string"};
    return j[key].get<std::string>();
}

bool flag(const Json &j, const std::string &key, const std::string &path)
{
    if (!j.contains(key))
        return false;
    if (!j[key].is_boolean())
        throw Bad{path + "." + key, "expected true or false"};
    return j[key].get<bool>();
}

std::vector<std::string> texts(const Json &j, const std::string &key, const std::string &path)
{
    std::vector<std::string> out;
    if (!j.contains(key))
        return out;
    if (!j[key].is_array())
        throw Bad{path + "." + key, "expected an array of strings"};
    for (std::size_t i = 0; i < j[key].size(); ++i) {
        if (!j[key][i].is_string())
            throw Bad{path + "." + key + "[" + std::to_string(i) + "]", "expected a string"};
        out.push_back(j[key][i].get<std::string>());
    }
    return out;
}

const Json &array(const Json &j, const std::string &key, const std::string &path)
{
    static const Json empty = Json::array();
    if (!j.contains(key))
        return empty;
    if (!j[key].is_array())
        throw Bad{path + "." + key, "expected an array"};
    return j[key];
}

Option optionFrom(const Json &j, const std::string &path)
{
    if (!j.is_object())
        throw Bad{path, "expected an object"};
    Option o;
    o.names = texts(j, "names", path);
    o.positional = text(j, "positional", path);
    o.valueName = text(j, "value", path);
    o.choices = texts(j, "choices", path);
    o.fileValue = flag(j, "file", path);
    o.required = flag(j, "required", path);
    o.repeatable = flag(j, "repeatable", path);
    o.help = text(j, "help", path);
    o.group = text(j, "group", path);
    o.env = text(j, "env", path);
    if (o.names.empty() == o.positional.empty())
        throw Bad{path, "needs either names or a positional name"};
    return o;
}

// ---- roff -------------------------------------------------------------------------------------

// Text for a roff line: backslashes and minus signs escaped (options stay copyable), a leading
// control character neutralised.
std::string roff(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\''))
        out.insert(0, "\\&");
    return out;
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// "-c, --config FILE" in bold and italics.
std::string optionTag(const Option &o)
{
    std::string tag;
    if (!o.positional.empty()) {
        tag = "\\fI" + roff(o.positional) + "\\fR";
        if (o.repeatable)
            tag += " ...";
        return tag;
    }
    for (const auto &n : o.names)
        tag += (tag.empty() ? "" : ", ") + std::string("\\fB") + roff(n) + "\\fR";
    if (!o.valueName.empty())
        tag += " \\fI" + roff(o.valueName) + "\\fR";
    return tag;
}

// Another sentence after a help text that may lack its full stop.
void addSentence(std::string &body, const std::string &sentence)
{
    if (!body.empty() && body.back() != '.' && body.back() != ')')
        body += '.';
    if (!body.empty() && body.back() == ')')
        body += '.';
    body += (body.empty() ? "" : " ") + sentence;
}

std::string optionBody(const Option &o)
{
    std::string body = o.help;
    if (!o.choices.empty() && o.choices.size() > 1) {
        std::string list;
        for (const auto &c : o.choices)
            list += (list.empty() ? "" : ", ") + c;
        // Said already when the help lists them in the same words.
        bool listed = true;
        for (const auto &c : o.choices)
            listed = listed && body.find(c) != std::string::npos;
        if (!listed)
            addSentence(body, "One of: " + list + ".");
    }
    if (o.required)
        addSentence(body, "Required.");
    if (o.repeatable && o.positional.empty() && body.find("repeat") == std::string::npos)
        addSentence(body, "May be given more than once.");
    if (!o.env.empty())
        addSentence(body, "The environment variable " + o.env + " stands in for it.");
    return roff(body);
}

void renderOptions(std::ostringstream &out, const std::vector<Option> &options)
{
    // In --help order, grouped as --help groups them (the first group's place is kept).
    std::vector<std::string> groups;
    for (const auto &o : options)
        if (std::find(groups.begin(), groups.end(), o.group) == groups.end())
            groups.push_back(o.group);
    for (const auto &g : groups) {
        if (!g.empty())
            out << ".SS " << roff(g) << "\n";
        for (const auto &o : options) {
            if (o.group != g)
                continue;
            out << ".TP\n" << optionTag(o) << "\n" << optionBody(o) << "\n";
        }
    }
}

// The prose markup (see clidoc.h) as man macros.
void renderProse(std::ostringstream &out, std::string_view markup)
{
    std::istringstream lines{std::string(markup)};
    std::string line;
    bool verbatim = false;
    bool paragraph = false; // inside text that needs a .PP before the next paragraph
    while (std::getline(lines, line)) {
        const bool indented = line.rfind("    ", 0) == 0;
        if (indented) {
            if (!verbatim) {
                out << ".PP\n.nf\n.RS 4\n";
                verbatim = true;
            }
            out << roff(line.substr(4)) << "\n";
            continue;
        }
        if (verbatim) {
            out << ".RE\n.fi\n";
            verbatim = false;
            paragraph = false;
        }
        if (line.empty()) {
            paragraph = false;
            continue;
        }
        if (line.rfind("* ", 0) == 0) {
            out << ".TP\n\\fB" << roff(line.substr(2)) << "\\fR\n";
            paragraph = true;
            continue;
        }
        if (!paragraph) {
            out << ".PP\n";
            paragraph = true;
        }
        out << roff(line) << "\n";
    }
    if (verbatim)
        out << ".RE\n.fi\n";
}

// ---- Shells -----------------------------------------------------------------------------------

std::string words(const std::vector<std::string> &list)
{
    std::string out;
    for (const auto &w : list)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

std::vector<std::string> optionNames(const std::vector<Option> &options)
{
    std::vector<std::string> out;
    for (const auto &o : options)
        out.insert(out.end(), o.names.begin(), o.names.end());
    return out;
}

// A shell function name: dmr-agent -> _dmr_agent.
std::string functionName(const std::string &program)
{
    std::string out = "_";
    for (char c : program)
        out += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
    return out;
}

// Single quotes for a shell word.
std::string shellQuoted(std::string_view s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// The case patterns of options whose values complete from a list or as files.
void bashValueCases(std::ostringstream &out, const std::string &command,
                    const std::vector<Option> &options)
{
    for (const auto &o : options) {
        if (o.names.empty() || o.valueName.empty())
            continue;
        std::string pattern;
        for (const auto &n : o.names)
            pattern += (pattern.empty() ? "" : "|") + command + ":" + n;
        out << "        " << pattern << ")\n";
        if (!o.choices.empty())
            out << "            COMPREPLY=($(compgen -W " << shellQuoted(words(o.choices))
                << " -- \"$cur\"))\n";
        else if (o.fileValue)
            out << "            COMPREPLY=($(compgen -f -- \"$cur\"))\n";
        else
            out << "            COMPREPLY=()\n";
        out << "            return\n            ;;\n";
    }
}

std::vector<std::string> valued(const std::vector<Option> &options)
{
    std::vector<std::string> out;
    for (const auto &o : options)
        if (!o.valueName.empty())
            out.insert(out.end(), o.names.begin(), o.names.end());
    return out;
}

// Positional i's completion (choices, or files) as a bash case body.
void bashPositionals(std::ostringstream &out, const std::vector<Option> &options)
{
    int index = 0;
    for (const auto &o : options) {
        if (o.positional.empty())
            continue;
        out << "            " << index << (o.repeatable ? "|*" : "") << ")";
        if (!o.choices.empty())
            out << " COMPREPLY=($(compgen -W " << shellQuoted(words(o.choices))
                << " -- \"$cur\")) ;;\n";
        else if (o.fileValue)
            out << " COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n";
        else
            out << " COMPREPLY=() ;;\n";
        ++index;
    }
}

// The program's options that a command does not define again (its own -h, --help).
std::vector<Option> withoutNames(const std::vector<Option> &options,
                                 const std::vector<Option> &taken)
{
    const auto names = optionNames(taken);
    std::vector<Option> out;
    for (const auto &o : options)
        if (std::none_of(o.names.begin(), o.names.end(), [&](const std::string &n) {
                return std::find(names.begin(), names.end(), n) != names.end();
            }))
            out.push_back(o);
    return out;
}

std::string zshEscape(std::string_view s)
{
    // Inside single quotes, inside an _arguments spec: brackets and colons are syntax.
    std::string out;
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else if (c == '[' || c == ']' || c == ':' || c == '\\')
            out += std::string("\\") + c;
        else
            out += c;
    }
    return out;
}

std::string zshAction(const Option &o)
{
    if (!o.choices.empty()) {
        std::string list;
        for (const auto &c : o.choices)
            list += (list.empty() ? "" : " ") + zshEscape(c);
        return "(" + list + ")";
    }
    return o.fileValue ? "_files" : " ";
}

// One _arguments spec per option name (an exclusion list keeps -c and --config apart), and one
// per positional argument.
std::vector<std::string> zshSpecs(const std::vector<Option> &options)
{
    std::vector<std::string> out;
    int position = 1;
    for (const auto &o : options) {
        const std::string help =
            zshEscape(o.help.substr(0, std::min<std::size_t>(o.help.size(), 160)));
        if (!o.positional.empty()) {
            const std::string message = zshEscape(o.positional);
            out.push_back("'" + (o.repeatable ? std::string("*") : std::to_string(position++)) +
                          ":" + message + ":" + zshAction(o) + "'");
            continue;
        }
        std::string exclusion;
        if (!o.repeatable && o.names.size() > 1)
            exclusion = "(" + words(o.names) + ")";
        for (const auto &n : o.names) {
            std::string spec = "'" + exclusion + (o.repeatable ? "*" : "") + n + "[" + help + "]";
            if (!o.valueName.empty())
                spec += ":" + zshEscape(o.valueName) + ":" + zshAction(o);
            out.push_back(spec + "'");
        }
    }
    return out;
}

} // namespace

std::string toJson(const Program &p)
{
    Json options = Json::array();
    for (const auto &o : p.options)
        options.push_back(optionJson(o));
    Json commands = Json::array();
    for (const auto &c : p.commands) {
        Json list = Json::array();
        for (const auto &o : c.options)
            list.push_back(optionJson(o));
        commands.push_back({{"name", c.name},
                            {"summary", c.summary},
                            {"options", list},
                            {"program_options", c.takesProgramOptions}});
    }
    return Json{{"format", "dmr-clidoc"},
                {"version", 1},
                {"name", p.name},
                {"program_version", p.version},
                {"description", p.description},
                {"footer", p.footer},
                {"options", options},
                {"commands", commands}}
        .dump(1);
}

Result<Program> fromJson(std::string_view textIn)
{
    const Json j = Json::parse(textIn, nullptr, false);
    if (!j.is_object() || j.value("format", "") != "dmr-clidoc")
        return Error{"not a dmr-clidoc document (want {\"format\": \"dmr-clidoc\", ...})"};
    if (j.value("version", 0) != 1)
        return Error{"dmr-clidoc version " + j["version"].dump() + ": this reader knows 1"};
    try {
        Program p;
        p.name = text(j, "name", "");
        if (p.name.empty())
            throw Bad{".name", "missing"};
        p.version = text(j, "program_version", "");
        p.description = text(j, "description", "");
        p.footer = text(j, "footer", "");
        const Json &options = array(j, "options", "");
        for (std::size_t i = 0; i < options.size(); ++i)
            p.options.push_back(optionFrom(options[i], ".options[" + std::to_string(i) + "]"));
        const Json &commands = array(j, "commands", "");
        for (std::size_t i = 0; i < commands.size(); ++i) {
            const std::string path = ".commands[" + std::to_string(i) + "]";
            if (!commands[i].is_object())
                throw Bad{path, "expected an object"};
            Command c;
            c.name = text(commands[i], "name", path);
            c.summary = text(commands[i], "summary", path);
            c.takesProgramOptions = flag(commands[i], "program_options", path);
            const Json &list = array(commands[i], "options", path);
            for (std::size_t k = 0; k < list.size(); ++k)
                c.options.push_back(
                    optionFrom(list[k], path + ".options[" + std::to_string(k) + "]"));
            p.commands.push_back(std::move(c));
        }
        return p;
    } catch (const Bad &b) {
        return Error{b.path + ": " + b.why};
    }
}

Result<Prose> parseProse(std::string_view textIn, std::string_view fileName)
{
    Prose prose;
    std::istringstream lines{std::string(textIn)};
    std::string line;
    int number = 0;
    bool header = true;
    auto fail = [&](const std::string &why) {
        return Error{std::string(fileName) + ":" + std::to_string(number) + ": " + why};
    };
    while (std::getline(lines, line)) {
        ++number;
        if (line.rfind("## ", 0) == 0) {
            header = false;
            prose.sections.push_back({line.substr(3), {}});
            continue;
        }
        if (!header) {
            prose.sections.back().text += line + "\n";
            continue;
        }
        if (line.empty() || line.front() == '#')
            continue;
        const auto colon = line.find(": ");
        if (colon == std::string::npos)
            return fail("expected \"key: value\" (name, section, summary) before the first "
                        "\"## SECTION\"");
        const std::string key = line.substr(0, colon);
        const std::string value = line.substr(colon + 2);
        if (key == "name") {
            prose.name = value;
        } else if (key == "summary") {
            prose.summary = value;
        } else if (key == "section") {
            if (value != "1" && value != "8")
                return fail("section " + value + ": 1 (commands) or 8 (administration) only");
            prose.section = value == "8" ? 8 : 1;
        } else {
            return fail("unknown key \"" + key + "\" (name, section, summary)");
        }
    }
    if (prose.name.empty() || prose.summary.empty())
        return Error{std::string(fileName) + ": needs \"name:\" and \"summary:\" lines"};
    return prose;
}

std::string renderMan(const Program &p, const Prose &prose)
{
    std::ostringstream out;
    out << ".\\\" " << p.name << "(" << prose.section
        << "): generated from its option table by dmr-clidoc; do not edit.\n"
        << ".TH " << roff(upper(p.name)) << " " << prose.section << " \"\" \"dmr "
        << roff(p.version) << "\" \"DMR manual\"\n"
        << ".SH NAME\n"
        << roff(p.name) << " \\- " << roff(prose.summary) << "\n"
        << ".SH SYNOPSIS\n"
        << ".B " << roff(p.name) << "\n";
    if (!p.options.empty())
        out << "[\\fIOPTIONS\\fR]\n";
    for (const auto &o : p.options)
        if (!o.positional.empty())
            out << (o.required ? "" : "[") << "\\fI" << roff(o.positional) << "\\fR"
                << (o.repeatable ? " ..." : "") << (o.required ? "" : "]") << "\n";
    if (!p.commands.empty())
        out << "\\fICOMMAND\\fR [\\fIARGUMENTS\\fR]\n";
    out << ".SH DESCRIPTION\n" << roff(p.description) << "\n";
    for (const auto &s : prose.sections)
        if (s.title == "DESCRIPTION")
            renderProse(out, s.text);
    if (!p.options.empty()) {
        out << ".SH OPTIONS\n";
        renderOptions(out, p.options);
    }
    if (!p.commands.empty()) {
        out << ".SH COMMANDS\n";
        for (const auto &c : p.commands) {
            std::string synopsis = "\\fB" + roff(c.name) + "\\fR";
            for (const auto &o : c.options)
                if (!o.positional.empty())
                    synopsis += std::string(" ") + (o.required ? "" : "[") + "\\fI" +
                                roff(o.positional) + "\\fR" + (o.required ? "" : "]");
            out << ".SS " << synopsis << "\n" << roff(c.summary) << "\n";
            if (!c.options.empty())
                out << ".RS 4\n";
            for (const auto &o : c.options)
                out << ".TP\n" << optionTag(o) << "\n" << optionBody(o) << "\n";
            if (!c.options.empty())
                out << ".RE\n";
        }
    }
    for (const auto &s : prose.sections) {
        if (s.title == "DESCRIPTION")
            continue;
        out << ".SH " << roff(upper(s.title)) << "\n";
        renderProse(out, s.text);
    }
    if (!p.footer.empty() &&
        std::none_of(prose.sections.begin(), prose.sections.end(),
                     [](const Prose::Section &s) { return s.title == "EXIT STATUS"; }))
        out << ".SH NOTES\n" << roff(p.footer) << "\n";
    return out.str();
}

std::string renderBash(const Program &p)
{
    const std::string fn = functionName(p.name);
    std::vector<std::string> commandNames;
    for (const auto &c : p.commands)
        commandNames.push_back(c.name);
    // Options that take a value: the word after one is its value, not a command or an argument.
    std::vector<std::string> takesValue = valued(p.options);
    for (const auto &c : p.commands) {
        const auto v = valued(c.options);
        takesValue.insert(takesValue.end(), v.begin(), v.end());
    }
    std::sort(takesValue.begin(), takesValue.end());
    takesValue.erase(std::unique(takesValue.begin(), takesValue.end()), takesValue.end());

    std::ostringstream out;
    out << "# bash completion for " << p.name
        << ", generated from its option table by dmr-clidoc; do not edit.\n"
        << fn << "()\n{\n"
        << "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
        << "    local valued=" << shellQuoted(" " + words(takesValue) + " ") << "\n"
        << "    local cmd=\"\" start=1 i w\n";
    if (!p.commands.empty()) {
        // The first word that names a command (a case pattern: alternatives joined by bars).
        std::string alternatives;
        for (const auto &c : commandNames)
            alternatives += (alternatives.empty() ? "" : "|") + c;
        out << "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
            << "        w=\"${COMP_WORDS[i]}\"\n"
            << "        if [[ \"$w\" == -* ]]; then\n"
            << "            [[ \"$w\" != *=* && \"$valued\" == *\" $w \"* ]] && ((i++))\n"
            << "            continue\n"
            << "        fi\n"
            << "        case \"$w\" in\n"
            << "            " << alternatives << ")\n"
            << "                cmd=\"$w\"\n"
            << "                start=$((i + 1))\n"
            << "                break\n"
            << "                ;;\n"
            << "        esac\n"
            << "    done\n";
    }
    // The value of the option before the cursor.
    out << "    case \"$cmd:$prev\" in\n";
    bashValueCases(out, "*", p.options);
    for (const auto &c : p.commands)
        bashValueCases(out, c.name, c.options);
    out << "    esac\n";
    // Options.
    out << "    if [[ \"$cur\" == -* ]]; then\n"
        << "        local opts\n"
        << "        case \"$cmd\" in\n"
        << "            \"\") opts=" << shellQuoted(words(optionNames(p.options))) << " ;;\n";
    for (const auto &c : p.commands) {
        // A command's own options, then the program's when they may follow the command.
        auto names = optionNames(c.options);
        if (c.takesProgramOptions)
            for (const auto &n : optionNames(p.options))
                if (std::find(names.begin(), names.end(), n) == names.end())
                    names.push_back(n);
        out << "            " << c.name << ") opts=" << shellQuoted(words(names)) << " ;;\n";
    }
    out << "        esac\n"
        << "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
        << "        return\n"
        << "    fi\n";
    if (!p.commands.empty())
        out << "    if [[ -z \"$cmd\" ]]; then\n"
            << "        COMPREPLY=($(compgen -W " << shellQuoted(words(commandNames))
            << " -- \"$cur\"))\n"
            << "        return\n"
            << "    fi\n";
    // Positional arguments: which one the cursor is on, options and their values skipped.
    out << "    local n=0\n"
        << "    for ((i = start; i < COMP_CWORD; i++)); do\n"
        << "        w=\"${COMP_WORDS[i]}\"\n"
        << "        if [[ \"$w\" == -* ]]; then\n"
        << "            [[ \"$w\" != *=* && \"$valued\" == *\" $w \"* ]] && ((i++))\n"
        << "            continue\n"
        << "        fi\n"
        << "        n=$((n + 1))\n"
        << "    done\n"
        << "    case \"$cmd\" in\n"
        << "        \"\")\n"
        << "            case $n in\n";
    bashPositionals(out, p.options);
    out << "            esac\n"
        << "            ;;\n";
    for (const auto &c : p.commands) {
        out << "        " << c.name << ")\n"
            << "            case $n in\n";
        bashPositionals(out, c.options);
        out << "            esac\n"
            << "            ;;\n";
    }
    out << "    esac\n"
        << "}\n"
        << "complete -F " << fn << " " << p.name << "\n";
    return out.str();
}

std::string renderZsh(const Program &p)
{
    const std::string fn = functionName(p.name);
    std::ostringstream out;
    out << "#compdef " << p.name << "\n"
        << "# zsh completion for " << p.name
        << ", generated from its option table by dmr-clidoc; do not edit.\n"
        << fn << "() {\n"
        << "    local curcontext=\"$curcontext\" state line ret=1\n"
        << "    typeset -A opt_args\n";
    const std::vector<std::string> global = zshSpecs(p.options);
    out << "    _arguments -C -s";
    for (const auto &s : global)
        out << " \\\n        " << s;
    if (!p.commands.empty())
        out << " \\\n        '1:command:->command' \\\n        '*::argument:->argument'";
    out << " && ret=0\n";
    if (!p.commands.empty()) {
        out << "    case $state in\n"
            << "        command)\n"
            << "            local -a commands\n"
            << "            commands=(";
        for (const auto &c : p.commands)
            out << "\n                " << shellQuoted(c.name + ":" + c.summary);
        out << "\n            )\n"
            << "            _describe -t commands " << shellQuoted(p.name + " command")
            << " commands && ret=0\n"
            << "            ;;\n"
            << "        argument)\n"
            << "            curcontext=\"${curcontext%:*:*}:" << p.name << "-$line[1]:\"\n"
            << "            case $line[1] in\n";
        for (const auto &c : p.commands) {
            out << "                " << c.name << ")\n"
                << "                    _arguments -s";
            for (const auto &s : zshSpecs(c.options))
                out << " \\\n                        " << s;
            if (c.takesProgramOptions)
                for (const auto &s : zshSpecs(withoutNames(p.options, c.options)))
                    out << " \\\n                        " << s;
            out << " && ret=0\n"
                << "                    ;;\n";
        }
        out << "            esac\n"
            << "            ;;\n"
            << "    esac\n";
    }
    out << "    return ret\n"
        << "}\n"
        << fn << " \"$@\"\n";
    return out.str();
}

} // namespace dmr::clidoc
