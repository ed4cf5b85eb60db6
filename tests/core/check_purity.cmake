# Fails when any file under ROOT includes Qt, Boost.Asio or socket headers, or reads a clock.
file(GLOB_RECURSE files "${ROOT}/*.h" "${ROOT}/*.hpp" "${ROOT}/*.cpp")
set(forbidden
    "#include <Q" "#include <q" "#include \"Q" "boost/asio" "boost/beast"
    "sys/socket.h" "netinet/" "arpa/inet.h" "netdb.h" "ifaddrs.h" "linux/"
    "<chrono>" "std::chrono" "<ctime>" "<time.h>" "sys/time.h" "clock_gettime" "gettimeofday"
    "time(nullptr)" "time(NULL)" "random_device" "<random>" "rand(")
set(bad "")
foreach(f IN LISTS files)
    file(READ "${f}" text)
    foreach(p IN LISTS forbidden)
        string(FIND "${text}" "${p}" pos)
        if(NOT pos EQUAL -1)
            list(APPEND bad "${f}: contains \"${p}\"")
        endif()
    endforeach()
endforeach()
list(LENGTH files n)
if(n EQUAL 0)
    message(FATAL_ERROR "no sources found under ${ROOT}")
endif()
if(bad)
    string(REPLACE ";" "\n" bad "${bad}")
    message(FATAL_ERROR "the core must stay pure:\n${bad}")
endif()
message(STATUS "core purity: ${n} files clean")
