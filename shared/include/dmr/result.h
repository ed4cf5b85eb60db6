#pragma once
// Operating errors are values (a bad config key, a socket that fails: returned, logged and
// survived; a broken invariant is an assertion): a Result holds either a value or an Error whose
// message names the input and the reason, ready to print as one line.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace dmr {

struct Error
{
    std::string message;
};

template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }

    const T &value() const &
    {
        assert(ok());
        return std::get<T>(v_);
    }
    T &value() &
    {
        assert(ok());
        return std::get<T>(v_);
    }
    T &&value() &&
    {
        assert(ok());
        return std::get<T>(std::move(v_));
    }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const
    {
        assert(!ok());
        return std::get<Error>(v_);
    }

private:
    std::variant<T, Error> v_;
};

} // namespace dmr
