#pragma once
// Item roles that every console model answers besides Qt's own.

#include <Qt>

namespace dmr::console {

enum ModelRole : int {
    // The cell's value unformatted: a QString, a qint64, a bool or a QStringList; an invalid
    // QVariant where the protocol says null.
    RawValueRole = Qt::UserRole + 1,
    // A value QSortFilterProxyModel orders right: natural order for node ids ("2" before
    // "10"), numbers for times and durations (null last). Set it with setSortRole().
    SortRole,
    // Each model numbers its own roles from here.
    FirstModelRole = Qt::UserRole + 16,
};

} // namespace dmr::console
