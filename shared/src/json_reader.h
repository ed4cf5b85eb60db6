#pragma once
// Reading JSON documents with errors that name the field path ("nodes[2].interfaces[0].name")
// and the reason. Private to the core.

#include "dmr/result.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

inline bool has(const Json &j, std::string_view key)
{
    return j.find(std::string(key)) != j.end();
}

// Checks that j is an object, whatever its keys (a reader that ignores fields it does not know).
inline void expectAnyObject(const Json &j, const std::string &path)
{
    if (!j.is_object())
        fail(path, "expected an object, found " + typeName(j));
}

// An integer, or nullopt when absent or null.
inline std::optional<std::int64_t> nullableInt(const Json &j, const std::string &path,
                                               std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return intField(j, path, key);
}

// A string, or nullopt when absent or null.
inline std::optional<std::string> nullableString(const Json &j, const std::string &path,
                                                 std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return stringField(j, path, key, true);
}

// A boolean, or nullopt when absent or null.
inline std::optional<bool> nullableBool(const Json &j, const std::string &path,
                                        std::string_view key)
{
    auto it = j.find(std::string(key));
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return boolField(j, path, key);
}

// A string that may be absent (empty then).
inline std::string stringOrEmpty(const Json &j, const std::string &path, std::string_view key)
{
    return optionalString(j, path, key).value_or(std::string());
}

// A boolean that may be absent (`absent` then).
inline bool boolOr(const Json &j, const std::string &path, std::string_view key, bool absent)
{
    return has(j, key) ? boolField(j, path, key) : absent;
}

inline double numberField(const Json &j, const std::string &path, std::string_view key)
{
    const Json &v = field(j, path, key);
    if (!v.is_number())
        fail(member(path, key), "expected a number, found " + typeName(v));
    return v.get<double>();
}

// An array of strings.
inline std::vector<std::string> stringsField(const Json &j, const std::string &path,
                                             std::string_view key)
{
    std::vector<std::string> out;
    const Json &a = arrayField(j, path, key);
    const std::string at = member(path, key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string())
            fail(element(at, i), "expected a string, found " + typeName(a[i]));
        out.push_back(a[i].get<std::string>());
    }
    return out;
}

// Calls f(element, path) for each element of an array field, each an object.
template<typename F>
void eachObject(const Json &j, const std::string &path, std::string_view key, F &&f)
{
    const Json &a = arrayField(j, path, key);
    const std::string at = member(path, key);
    for (std::size_t i = 0; i < a.size(); ++i) {
        expectAnyObject(a[i], element(at, i));
        f(a[i], element(at, i));
    }
}

// Parses text into JSON, turning a syntax error into an Error naming line and column.
Result<Json> parseJsonText(std::string_view text, std::string_view what);

} // namespace dmr::detail
