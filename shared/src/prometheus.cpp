#include "dmr/prometheus.h"

#include <cmath>
#include <cstdio>

namespace dmr::prometheus {

std::string escapeLabelValue(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string escapeHelp(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void Writer::family(std::string_view name, std::string_view type, std::string_view help)
{
    text_.append("# HELP ").append(name).append(" ").append(escapeHelp(help)).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Writer::sampleText(std::string_view name, std::initializer_list<Label> labels,
                        std::string_view value)
{
    text_.append(name);
    if (labels.size() != 0) {
        text_ += '{';
        bool first = true;
        for (const auto &l : labels) {
            if (!first)
                text_ += ',';
            first = false;
            text_.append(l.name).append("=\"").append(escapeLabelValue(l.value)).append("\"");
        }
        text_ += '}';
    }
    text_.append(" ").append(value).append("\n");
}

std::string Writer::formatDouble(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // %g: what an ostream prints for a double by default, so figures read as they always did.
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

} // namespace dmr::prometheus
