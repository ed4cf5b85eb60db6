#pragma once
// Boost 1.74's coroutine support on g++ 12 needs <utility> before <boost/asio.hpp>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>

namespace dmr::agent {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using error_code = boost::system::error_code;

// Errors as values: `co_await op(..., ec_await(ec))`.
inline auto ec_await(error_code &ec)
{
    return asio::redirect_error(use_awaitable, ec);
}
} // namespace dmr::agent
