#pragma once
// Turning one list of rows into another with row removals and insertions instead of a model
// reset, so that views keep their selection, scroll position and expanded branches. It fits
// the way the cluster's lists change: members leave from anywhere and join at the end, records
// are appended and the oldest dropped.

#include <QHash>
#include <QList>
#include <QSet>

#include <optional>
#include <type_traits>

namespace dmr::console {

struct RowEdit
{
    enum class Kind : quint8 { Remove, Insert };
    Kind kind = Kind::Remove;
    int first = 0; // Remove: rows of the list as it stands then; Insert: rows of the new list
    int last = 0;
    bool operator==(const RowEdit &) const = default;
};

// The edits, in the order to apply them (removals from the back, then insertions from the
// front), that turn the rows keyed `from` into the rows keyed `to`. nullopt when no such edits
// exist without moving rows (the keys that stay changed their order) or when keys repeat: the
// caller resets the model then.
template<typename Key>
std::optional<QList<RowEdit>> planRowEdits(const QList<Key> &from, const QList<Key> &to)
{
    const QSet<Key> toSet(to.begin(), to.end());
    const QSet<Key> fromSet(from.begin(), from.end());
    if (toSet.size() != to.size() || fromSet.size() != from.size())
        return std::nullopt;

    QList<RowEdit> edits;
    for (int i = int(from.size()) - 1; i >= 0;) {
        if (toSet.contains(from[i])) {
            --i;
            continue;
        }
        const int last = i;
        while (i >= 0 && !toSet.contains(from[i]))
            --i;
        edits.append({RowEdit::Kind::Remove, i + 1, last});
    }

    QList<Key> kept;
    for (const Key &k : from)
        if (toSet.contains(k))
            kept.append(k);
    qsizetype next = 0; // the next kept key expected in `to`
    for (int i = 0; i < int(to.size());) {
        if (next < kept.size() && to[i] == kept[next]) {
            ++next;
            ++i;
            continue;
        }
        if (fromSet.contains(to[i]))
            return std::nullopt; // a kept key out of order
        const int first = i;
        while (i < int(to.size()) && !fromSet.contains(to[i]))
            ++i;
        edits.append({RowEdit::Kind::Insert, first, i - 1});
    }
    return edits;
}

} // namespace dmr::console

namespace dmr::console {

// Brings `rows` to `target` through planRowEdits: remove(first, last, apply) and
// insert(first, last, apply) must call apply() between the model's begin and end calls;
// changed(row, newRow) is called for each row whose key stayed and whose value differs, and must
// store newRow and emit dataChanged. Returns false, changing nothing, when a reset is needed.
template<typename Row, typename KeyOf, typename Remove, typename Insert, typename Changed>
bool syncRows(QList<Row> &rows, const QList<Row> &target, KeyOf keyOf, Remove remove, Insert insert,
              Changed changed)
{
    using Key = std::decay_t<decltype(keyOf(rows.front()))>;
    QList<Key> from;
    QList<Key> to;
    for (const Row &r : rows)
        from.append(keyOf(r));
    for (const Row &r : target)
        to.append(keyOf(r));
    const auto edits = planRowEdits(from, to);
    if (!edits)
        return false;
    for (const RowEdit &e : *edits) {
        const qsizetype count = e.last - e.first + 1;
        if (e.kind == RowEdit::Kind::Remove)
            remove(e.first, e.last, [&] { rows.remove(e.first, count); });
        else
            insert(e.first, e.last, [&] {
                for (int i = e.first; i <= e.last; ++i)
                    rows.insert(i, target[i]);
            });
    }
    for (int i = 0; i < int(rows.size()); ++i)
        if (!(rows[i] == target[i]))
            changed(i, target[i]);
    return true;
}

} // namespace dmr::console
