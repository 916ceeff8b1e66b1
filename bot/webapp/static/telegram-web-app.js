/* A small stand-in for Telegram's telegram-web-app.js, shipped so the app works offline (tests, demo).
   It reads what a Telegram client puts in the URL fragment (#tgWebAppData=...) the way the official
   script does; Telegram-only niceties (theme events, haptics) are no-ops. To use the official script,
   see docs/miniapp.md. */
(function () {
  if (window.Telegram && window.Telegram.WebApp) return;
  var params = new URLSearchParams(location.hash.slice(1));
  var initData = params.get("tgWebAppData") || "";
  var data = new URLSearchParams(initData);
  var user = null;
  try { user = JSON.parse(data.get("user") || "null"); } catch (e) { user = null; }
  var noop = function () {};
  window.Telegram = {
    WebApp: {
      initData: initData,
      initDataUnsafe: { user: user, auth_date: data.get("auth_date") },
      platform: "unknown",
      ready: noop,
      expand: noop,
      close: function () { window.close(); },
      MainButton: { setText: noop, show: noop, hide: noop, onClick: noop, offClick: noop },
      BackButton: { show: noop, hide: noop, onClick: noop, offClick: noop },
      HapticFeedback: { notificationOccurred: noop, impactOccurred: noop },
    },
  };
})();
