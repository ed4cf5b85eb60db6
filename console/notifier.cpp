#include "notifier.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QIcon>
#include <QSystemTrayIcon>

namespace dmr::console {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");

bool busHasNotifications()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface() &&
           bus.interface()->isServiceRegistered(kService).value();
}

} // namespace

Notifier::Notifier(QObject *parent)
    : QObject(parent)
{
}

Notifier::Channel Notifier::channel() const
{
    if (busHasNotifications())
        return Channel::Bus;
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages())
        return Channel::Tray;
    return Channel::None;
}

Notifier::Channel Notifier::notify(const QString &title, const QString &body)
{
    switch (channel()) {
    case Channel::Bus: {
        // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, timeout)
        QDBusMessage m = QDBusMessage::createMethodCall(
            kService, QStringLiteral("/org/freedesktop/Notifications"), kService,
            QStringLiteral("Notify"));
        m << QStringLiteral("dmr-console") << uint(0) << QStringLiteral("dmr-console") << title
          << body << QStringList() << QVariantMap() << int(10000);
        QDBusConnection::sessionBus().asyncCall(m);
        return Channel::Bus;
    }
    case Channel::Tray:
        if (!tray_) {
            tray_ = new QSystemTrayIcon(QApplication::windowIcon(), this);
            tray_->show();
        }
        tray_->showMessage(title, body, QSystemTrayIcon::Warning, 10000);
        return Channel::Tray;
    case Channel::None:
        break;
    }
    return Channel::None;
}

} // namespace dmr::console
