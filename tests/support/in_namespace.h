#pragma once
// Enters a network namespace (/run/netns/NAME, as `ip netns add` makes it) for the life of the
// object, on the calling thread only; back to the thread's own namespace when it goes.

#include <QString>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

class InNamespace
{
public:
    explicit InNamespace(const QString &name)
    {
        home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        const int target =
            ::open(("/run/netns/" + name).toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        ok_ = home_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
        if (target >= 0)
            ::close(target);
    }
    ~InNamespace()
    {
        if (ok_)
            ::setns(home_, CLONE_NEWNET);
        if (home_ >= 0)
            ::close(home_);
    }
    InNamespace(const InNamespace &) = delete;
    InNamespace &operator=(const InNamespace &) = delete;
    bool ok() const { return ok_; }

private:
    int home_ = -1;
    bool ok_ = false;
};
