#include "dmr/topology.h"

#include "json_reader.h"

#include <set>
#include <utility>

namespace dmr {
namespace detail {

Result<Json> parseJsonText(std::string_view text, std::string_view what)
{
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error &e) {
        // Translate the byte offset into line and column for a person.
        std::size_t line = 1;
        std::size_t column = 1;
        const std::size_t end = std::min<std::size_t>(e.byte, text.size());
        for (std::size_t i = 0; i + 1 < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string reason = e.what();
        if (auto pos = reason.find("syntax error"); pos != std::string::npos)
            reason = reason.substr(pos);
        return Error{std::string(what) + ": line " + std::to_string(line) + ", column " +
                     std::to_string(column) + ": " + reason};
    } catch (const Json::exception &e) {
        // Not a syntax error but a value the document model cannot hold (a number such as 1e400
        // overflows): refused like one.
        std::string reason = e.what();
        if (auto pos = reason.find("] "); pos != std::string::npos)
            reason = reason.substr(pos + 2);
        return Error{std::string(what) + ": " + reason};
    }
}

Interface parseInterface(const Json &j, const std::string &path)
{
    expectObject(j, path, {"name", "address"});
    Interface iface;
    iface.name = stringField(j, path, "name");
    auto address = InterfaceAddress::parse(stringField(j, path, "address"));
    if (!address)
        fail(member(path, "address"), address.error().message);
    iface.address = *address;
    return iface;
}

Node parseNode(const Json &j, const std::string &path)
{
    expectObject(j, path, {"id", "interfaces"});
    Node node;
    node.id = stringField(j, path, "id");
    const Json &ifaces = arrayField(j, path, "interfaces");
    if (ifaces.empty())
        fail(member(path, "interfaces"), "a node needs at least one interface");
    // A dual-stack interface is two entries with one name, one per family (as the OS lists
    // it); a name may not hold two addresses of one family.
    std::set<std::pair<std::string, Family>> names;
    for (std::size_t i = 0; i < ifaces.size(); ++i) {
        const auto ipath = element(member(path, "interfaces"), i);
        node.interfaces.push_back(parseInterface(ifaces[i], ipath));
        const Interface &added = node.interfaces.back();
        if (!names.insert({added.name, added.address.address().family()}).second)
            fail(member(ipath, "name"),
                 "duplicate interface name \"" + added.name + "\" with a second " +
                     (added.address.address().family() == Family::V4 ? "IPv4" : "IPv6") +
                     " address (an interface has at most one of each family)");
    }
    return node;
}

} // namespace detail

Result<TopologyFile> parseTopology(std::string_view text)
{
    using namespace detail;
    auto parsed = parseJsonText(text, "topology");
    if (!parsed)
        return parsed.error();
    const Json &j = *parsed;
    try {
        expectObject(j, "", {"name", "description", "nodes", "join_order"});
        TopologyFile file;
        file.name = stringField(j, "", "name");
        file.description = optionalString(j, "", "description").value_or("");
        const Json &nodes = arrayField(j, "", "nodes");
        if (nodes.empty())
            fail("nodes", "a topology needs at least one node");
        std::vector<NodeId> declared;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            Node node = parseNode(nodes[i], element("nodes", i));
            if (file.nodes.count(node.id) != 0)
                fail(element("nodes", i) + ".id", "duplicate node id \"" + node.id + "\"");
            declared.push_back(node.id);
            file.nodes.emplace(node.id, std::move(node));
        }
        if (j.find("join_order") == j.end()) {
            file.joinOrder = declared;
        } else {
            const Json &order = arrayField(j, "", "join_order");
            std::set<NodeId> seen;
            for (std::size_t i = 0; i < order.size(); ++i) {
                const auto path = element("join_order", i);
                if (!order[i].is_string())
                    fail(path, "expected a node id string, found " + typeName(order[i]));
                auto id = order[i].get<std::string>();
                if (file.nodes.count(id) == 0)
                    fail(path, "unknown node \"" + id + "\"");
                if (!seen.insert(id).second)
                    fail(path, "node \"" + id + "\" listed twice");
                file.joinOrder.push_back(id);
            }
            for (const auto &id : declared)
                if (seen.count(id) == 0)
                    fail("join_order", "node \"" + id + "\" is missing");
        }
        return file;
    } catch (const FieldError &e) {
        return Error{"topology: " + e.message};
    }
}

} // namespace dmr
