#pragma once
// Prometheus text exposition format (version 0.0.4), written in one place for the agent and its
// relay: "# HELP", "# TYPE" and one sample line per label set. Label values are escaped as the
// format says (a backslash, a double quote and a line feed become \\, \" and \n) and so is help
// text (\\ and \n): a node id may hold a quote or a backslash, and a peer's or a channel's name
// comes from elsewhere, so no value can end a label early or start a line of its own.
//
//   dmr::prometheus::Writer w;
//   w.family("dmr_up", "gauge", "1 while the agent is in a view");
//   w.sample("dmr_up", {{"node", id}}, 1);       // dmr_up{node="2"} 1
//   std::string text = w.text();

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace dmr::prometheus {

// A label value as it goes between the quotes: \ -> \\, " -> \", line feed -> \n.
std::string escapeLabelValue(std::string_view value);
// Help text: \ -> \\, line feed -> \n.
std::string escapeHelp(std::string_view help);

struct Label
{
    std::string_view name; // [a-zA-Z_][a-zA-Z0-9_]*: the writer's callers pass constants
    std::string_view value;
};

class Writer
{
public:
    // "# HELP name help" and "# TYPE name type"; type is counter, gauge, histogram or untyped.
    void family(std::string_view name, std::string_view type, std::string_view help);

    // One sample: name{label="value",...} value. No labels: name value.
    template<typename T>
    void sample(std::string_view name, std::initializer_list<Label> labels, T value)
    {
        if constexpr (std::is_same_v<T, bool>)
            sampleText(name, labels, value ? "1" : "0");
        else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
            sampleText(name, labels, std::to_string(static_cast<std::int64_t>(value)));
        else if constexpr (std::is_integral_v<T>)
            sampleText(name, labels, std::to_string(static_cast<std::uint64_t>(value)));
        else
            sampleText(name, labels, formatDouble(static_cast<double>(value)));
    }

    // A family with one sample (the agent's metrics carry one node label each).
    template<typename T>
    void metric(std::string_view name, std::string_view type, std::string_view help,
                std::initializer_list<Label> labels, T value)
    {
        family(name, type, help);
        sample(name, labels, value);
    }

    const std::string &text() const & { return text_; }
    std::string text() && { return std::move(text_); }

    // A float as the format takes it: the shortest of six significant digits ("0.25", "1e-07"),
    // NaN and infinities as Prometheus spells them.
    static std::string formatDouble(double value);

private:
    void sampleText(std::string_view name, std::initializer_list<Label> labels,
                    std::string_view value);

    std::string text_;
};

} // namespace dmr::prometheus
