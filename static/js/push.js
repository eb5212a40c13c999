// Web Push on the preferences page: subscribe or unsubscribe this device (RFC 8030, VAPID).
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box) return;
  var on = box.querySelector("[data-push-on]");
  var off = box.querySelector("[data-push-off]");
  var note = box.querySelector("[data-push-note]");
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    note.textContent = box.dataset.unsupported;
    return;
  }
  function applicationServerKey(base64url) {
    var padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    });
  }
  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
  }
  function failed() {
    note.textContent = box.dataset.failed;
  }
  navigator.serviceWorker.register(box.dataset.worker).then(function (registration) {
    registration.pushManager.getSubscription().then(function (current) {
      show(Boolean(current));
    });
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          note.textContent = box.dataset.denied;
          return null;
        }
        return registration.pushManager
          .subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey(box.dataset.key) })
          .then(function (subscription) {
            return post(box.dataset.subscribe, subscription.toJSON()).then(function () {
              show(true);
              note.textContent = box.dataset.done;
            });
          });
      }).catch(failed);
    });
    off.addEventListener("click", function () {
      registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) return show(false);
        return post(box.dataset.unsubscribe, { endpoint: subscription.endpoint }).then(function () {
          return subscription.unsubscribe();
        }).then(function () {
          show(false);
          note.textContent = box.dataset.stopped;
        });
      }).catch(failed);
    });
  }).catch(failed);
})();
