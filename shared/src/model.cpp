#include "dmr/model.h"

#include <algorithm>
#include <cctype>

namespace dmr {

bool naturalLess(const std::string &a, const std::string &b)
{
    std::size_t i = 0;
    std::size_t j = 0;
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ie = i;
            std::size_t je = j;
            while (ie < a.size() && digit(a[ie]))
                ++ie;
            while (je < b.size() && digit(b[je]))
                ++je;
            // Compare the numbers by value without overflow: strip leading zeros, then length.
            std::size_t is = i;
            std::size_t js = j;
            while (is + 1 < ie && a[is] == '0')
                ++is;
            while (js + 1 < je && b[js] == '0')
                ++js;
            if (ie - is != je - js)
                return ie - is < je - js;
            const int c = a.compare(is, ie - is, b, js, je - js);
            if (c != 0)
                return c < 0;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j])
            return a[i] < b[j];
        ++i;
        ++j;
    }
    if ((i < a.size()) != (j < b.size()))
        return j < b.size();
    return a < b;
}

const Interface *Node::interface(const std::string &name) const
{
    auto it = std::find_if(interfaces.begin(), interfaces.end(),
                           [&](const Interface &i) { return i.name == name; });
    return it == interfaces.end() ? nullptr : &*it;
}

const Member *View::find(const NodeId &node) const
{
    auto it = std::find_if(members.begin(), members.end(),
                           [&](const Member &m) { return m.node == node; });
    return it == members.end() ? nullptr : &*it;
}

} // namespace dmr
