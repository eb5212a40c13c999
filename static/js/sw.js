// The service worker: shows a pushed alert and opens its link when tapped.
"use strict";
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Accompany", {
      body: data.body || "",
      data: { url: data.url || "/" },
      requireInteraction: Boolean(data.urgent),
    })
  );
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
