#pragma once
// The translation context of the console's code that is not a QObject: Tr::tr("...") is
// QCoreApplication::translate("dmr::console", "..."), and lupdate finds it like QObject::tr.

#include <QCoreApplication>

namespace dmr::console {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(dmr::console)
};

} // namespace dmr::console
