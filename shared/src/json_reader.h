#pragma once
// Reading JSON documents with errors that name the field path ("nodes[2].interfaces[0].name")
// and the reason. Private to the core.

#include "dmr/result.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace dmr::detail {

using Json = nlohmann::json;

// Thrown inside a parser and caught at its entry point, where it becomes an Error value; it
// never crosses the core's interface.
struct FieldError
{
    std::string message;
};

[[noreturn]] inline void fail(const std::string &path, const std::string &reason)
{
    throw FieldError{(path.empty() ? std::string("document") : path) + ": " + reason};
}

inline std::string typeName(const Json &j)
{
    return j.type_name();
}

inline std::string member(const std::string &path, std::string_view key)
{
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline std::string element(const std::string &path, std::size_t index)
{
    return path + "[" + std::to_string(index) + "]";
}

// Checks that j is an object whose keys are all in `allowed`.
inline void expectObject(const Json &j, const std::string &path,
                         std::initializer_list<std::string_view> allowed)
{
    if (!j.is_object())
        fail(path, "expected an object, found " + typeName(j));
    for (const auto &[key, value] : j.items()) {
        bool known = false;
        for (auto a : allowed)
            known = known || key == a;
        if (!known)
            fail(member(path, key), "unknown field");
    }
}

inline const Json &field(const Json &j, const std::string &path, std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end())
        fail(member(path, key), "missing");
    return *it;
}

inline std::string stringField(const Json &j, const std::string &path, std::string_view key,
                               bool allowEmpty = false)
{
    const Json &v = field(j, path, key);
    if (!v.is_string())
        fail(member(path, key), "expected a string, found " + typeName(v));
    auto s = v.get<std::string>();
    if (s.empty() && !allowEmpty)
        fail(member(path, key), "must not be empty");
    return s;
}

inline std::optional<std::string> optionalString(const Json &j, const std::string &path,
                                                 std::string_view key)
{
    if (j.find(std::string(key)) == j.end())
        return std::nullopt;
    return stringField(j, path, key, true);
}

inline const Json &arrayField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_array())
        fail(member(path, key), "expected an array, found " + typeName(v));
    return v;
}

inline std::int64_t intField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_number_integer())
        fail(member(path, key), "expected an integer, found " + typeName(v));
    return v.get<std::int64_t>();
}

inline std::uint64_t unsignedField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_number_unsigned())
        fail(member(path, key), "expected a non-negative integer, found " +
                                    (v.is_number_integer() ? "a negative one" : typeName(v)));
    return v.get<std::uint64_t>();
}

inline bool boolField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_boolean())
        fail(member(path, key), "expected true or false, found " + typeName(v));
    return v.get<bool>();
}

// Parses text into JSON, turning a syntax error into an Error naming line and column.
Result<Json> parseJsonText(std::string_view text, std::string_view what);

} // namespace dmr::detail
