/* shopbot Mini App: a storefront for customers, a desk for staff. Vanilla JS; every text from the server
   is set with textContent (never parsed as HTML), every request carries Telegram's initData. */
"use strict";
var tg = window.Telegram.WebApp;
var T = {}; // translated texts from /api/me
var me = null;

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === "text") node.textContent = attrs[k];
    else if (k === "on") Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); });
    else node.setAttribute(k, attrs[k]);
  });
  (children || []).forEach(function (c) { if (c) node.appendChild(c); });
  return node;
}

function api(method, path, body, raw) {
  var init = { method: method, headers: { Authorization: "tma " + tg.initData } };
  if (raw) init.body = raw;
  else if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  return fetch("api/" + path, init).then(function (r) {
    if (r.status === 401) throw new Error("Open this shop from Telegram.");
    return r.json().then(function (data) {
      if (!r.ok) throw new Error(data.error || "error");
      return data;
    });
  });
}

var toastTimer = null;
function toast(text, bad) {
  var box = document.getElementById("toast");
  if (!text) return;
  box.textContent = text;
  box.className = bad ? "bad" : "";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(function () { box.hidden = true; }, 3000);
}

function show(nodes) {
  var view = document.getElementById("view");
  view.replaceChildren.apply(view, nodes);
}

function failed(err) { toast(err.message, true); }

function picture(photo, cls) {
  var box = el("div", { class: cls, text: "🛍" });
  if (photo) {
    var img = el("img", { src: photo, alt: "", class: cls });
    img.addEventListener("error", function () { img.replaceWith(box); });
    return img;
  }
  return box;
}

/* -- storefront ----------------------------------------------------------------------------------- */
var state = { category: "", query: "" };

function catalog(first) {
  var loaded = first ? Promise.resolve([first.categories, first.products]) : Promise.all([api("GET", "categories"), loadProducts()]);
  loaded.then(function (res) {
    var cats = res[0];
    if (!state.category && !state.query && cats.length) state.category = cats[0].slug;
    var search = el("input", { type: "search", placeholder: T.search, value: state.query, "data-testid": "search" });
    search.addEventListener("change", function () { state.query = search.value.trim(); catalog(); });
    var chips = el("div", { class: "chips" }, cats.map(function (c) {
      return el("button", { text: c.name, class: c.slug === state.category && !state.query ? "on" : "",
        on: { click: function () { state.category = c.slug; state.query = ""; catalog(); } } });
    }));
    show([search, chips, grid(res[1])]);
    if (first) window.shopReadyAt = performance.now(); // bench/miniapp_first_page.py reads it
  }).catch(failed);
}

function loadProducts() {
  var q = state.query ? "q=" + encodeURIComponent(state.query) : "category=" + encodeURIComponent(state.category);
  return state.query || state.category ? api("GET", "products?" + q) : Promise.resolve([]);
}

function grid(products) {
  if (!products.length) return el("p", { class: "muted", text: T.nothing });
  return el("div", { class: "grid" }, products.map(function (p) {
    return el("div", { class: "card", "data-testid": "product", "data-sku": p.sku,
      on: { click: function () { product(p.sku); } } }, [
      picture(p.photo, "pic"),
      el("div", { class: "body" }, [
        el("div", { class: "name", text: p.name }),
        el("div", { class: "price", text: p.price }),
        el("div", { class: "stock" + (p.available ? "" : " out"), text: p.stock }),
      ]),
    ]);
  }));
}

function product(sku) {
  api("GET", "products/" + encodeURIComponent(sku)).then(function (p) {
    var add = el("button", { class: "primary", text: T.add, "data-testid": "add" });
    add.disabled = !p.available;
    add.addEventListener("click", function () {
      api("POST", "cart", { sku: p.sku, qty: 1 }).then(function (res) {
        toast(res.message, !res.ok); tabs("catalog", res.cart.count);
      }).catch(failed);
    });
    show([
      el("button", { class: "small", text: T.back, on: { click: catalog } }),
      picture(p.photo, "hero"),
      el("h2", { text: p.name }),
      el("div", { class: "price", text: p.price }),
      el("p", { text: p.description }),
      el("p", { class: "stock" + (p.available ? "" : " out"), text: p.stock }),
      add,
    ]);
  }).catch(failed);
}

function cart() {
  api("GET", "cart").then(drawCart).catch(failed);
}

function drawCart(c) {
  tabs("cart", c.count);
  if (!c.lines.length) return show([el("p", { class: "muted", text: T.empty_cart, "data-testid": "cart-empty" })]);
  var change = function (body) {
    return function () { api("POST", "cart", body).then(function (r) { toast(r.message, !r.ok); drawCart(r.cart); }).catch(failed); };
  };
  var lines = c.lines.map(function (l) {
    return el("div", { class: "line", "data-testid": "cart-line" }, [
      el("div", { class: "what", text: l.name + " × " + l.qty }),
      el("span", { text: l.total }),
      el("button", { class: "small", text: "−", on: { click: change({ sku: l.sku, qty: -1, step: true }) } }),
      el("button", { class: "small", text: "+", on: { click: change({ sku: l.sku, qty: 1, step: true }) } }),
      el("button", { class: "small", text: "✕", on: { click: change({ sku: l.sku, qty: 1, remove: true }) } }),
    ]);
  });
  var checkout = el("button", { class: "primary", text: T.checkout, "data-testid": "checkout", on: { click: function () {
    api("POST", "checkout", {}).then(function (r) {
      toast(r.ok ? T.checkout_chat : r.message, !r.ok);
      if (r.ok) setTimeout(function () { tg.close(); }, 1500);
    }).catch(failed);
  } } });
  show(lines.concat([el("p", { class: "price", text: T.subtotal.replace("{amount}", c.subtotal) }), checkout]));
}

function orders() {
  api("GET", "orders").then(function (list) {
    if (!list.length) return show([el("p", { class: "muted", text: T.no_orders })]);
    show(list.map(function (o) {
      var steps = o.timeline.map(function (s) { return el("li", { text: s.at + " · " + s.status }); });
      var track = o.tracking ? el("a", { href: o.tracking, target: "_blank", rel: "noopener", text: T.track }) : null;
      return el("div", { class: "screen", "data-testid": "order" }, [
        el("b", { text: o.number + " · " + o.status }),
        el("div", { text: o.placed_at + " · " + o.total }),
        el("ul", {}, steps), track,
      ]);
    }));
  }).catch(failed);
}

/* -- desk (staff) ----------------------------------------------------------------------------------- */
function screen(res) {
  toast(res.message && res.text !== res.message ? res.message : "", !res.ok);
  if (res.ship) return shipForm(res.ship);
  if (res.text === undefined) return;
  var rows = (res.buttons || []).map(function (row) {
    return el("div", { class: "row" }, row.map(function (b) {
      return el("button", { text: b.label, "data-action": b.action, on: { click: function () {
        api("POST", "desk/press", { action: b.action }).then(screen).catch(failed);
      } } });
    }));
  });
  show([el("div", { class: "screen", "data-testid": "screen", text: res.text }), el("div", { class: "buttons" }, rows)]);
}

function desk() { api("GET", "desk/queues").then(screen).catch(failed); }

function shipForm(number) {
  var carrier = el("input", { type: "text", placeholder: T.carrier, "data-testid": "carrier" });
  var tracking = el("input", { type: "text", placeholder: T.tracking, "data-testid": "tracking" });
  var form = el("form", { class: "ship" }, [el("b", { text: T.ship + " " + number }), carrier, tracking,
    el("button", { class: "primary", type: "submit", text: T.ship })]);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "desk/orders/" + encodeURIComponent(number) + "/ship",
      { carrier: carrier.value, tracking: tracking.value }).then(screen).catch(failed);
  });
  show([form]);
}

function stock(lowOnly) {
  api("GET", "desk/stock").then(function (rows) {
    var body = rows.filter(function (r) { return !lowOnly || r.low; }).map(function (r) {
      var price = el("input", { type: "text", inputmode: "decimal", value: r.price_plain, "data-testid": "price" });
      var qty = el("input", { type: "number", min: "0", value: String(r.on_hand), "data-testid": "on-hand" });
      var save = el("button", { class: "small", text: T.save, "data-testid": "save", on: { click: function () {
        var changes = [];
        if (price.value.trim() !== r.price_plain) changes.push(["desk/products/" + encodeURIComponent(r.sku) + "/price", { price: price.value }]);
        if (qty.value !== String(r.on_hand)) changes.push(["desk/stock/" + encodeURIComponent(r.sku), { on_hand: parseInt(qty.value, 10) }]);
        changes.reduce(function (done, c) {
          return done.then(function (ok) {
            return ok && api("POST", c[0], c[1]).then(function (res) { toast(res.message, !res.ok); return res.ok; });
          });
        }, Promise.resolve(true)).then(function (ok) { if (ok) stock(lowOnly); }).catch(failed);
      } } });
      var file = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", class: "file" });
      file.addEventListener("change", function () {
        var form = new FormData(); form.append("photo", file.files[0]);
        api("POST", "desk/products/" + encodeURIComponent(r.sku) + "/photo", undefined, form)
          .then(function () { toast("✓"); }).catch(failed);
      });
      return el("tr", { class: r.low ? "low" : "", "data-sku": r.sku }, [
        el("td", {}, [el("div", { text: r.name }), el("div", { class: "muted", text: r.sku + " · " + T.available + " " + r.available })]),
        el("td", {}, [price]), el("td", {}, [qty]),
        el("td", { class: "acts" }, [save, el("label", { class: "small upload", text: "📷" }, [file])]),
      ]);
    });
    var head = el("tr", {}, ["", T.price, T.stock, ""].map(function (h) { return el("th", { text: h }); }));
    show([el("table", { class: "desk" }, [head].concat(body))]);
  }).catch(failed);
}

function svg(markup) { // the server's chart: parsed as SVG (XML, never HTML), no script runs from it
  var doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  return doc.documentElement.nodeName === "svg" ? document.importNode(doc.documentElement, true) : null;
}

function stats(period) {
  api("GET", "desk/stats" + (period ? "?period=" + encodeURIComponent(period) : "")).then(function (r) {
    var periods = el("div", { class: "chips" }, r.periods.map(function (p) {
      return el("button", { text: p.label, "data-period": p.period, on: { click: function () { stats(p.period); } } });
    }));
    var chart = r.chart ? el("figure", { class: "chart", "data-testid": "chart" }, [
      el("figcaption", { class: "muted", text: T.chart }), svg(r.chart)]) : null;
    show([periods, el("b", { text: r.title }), chart, el("div", { class: "screen", "data-testid": "figures", text: r.text })]);
  }).catch(failed);
}

/* -- tabs ----------------------------------------------------------------------------------------- */
var cartCount = 0;
function tabs(active, count) {
  if (count !== undefined) cartCount = count;
  var items = [["catalog", T.catalog, catalog], ["cart", T.cart + (cartCount ? " (" + cartCount + ")" : ""), cart],
    ["orders", T.orders, orders]];
  if (me && me.staff) items = items.concat([["desk", T.desk, desk], ["stock", T.stock, function () { stock(false); }],
    ["low", T.low, function () { stock(true); }], ["stats", T.stats, function () { stats(); }]]);
  var nav = document.getElementById("tabs");
  nav.replaceChildren.apply(nav, items.map(function (t) {
    return el("button", { text: t[1], class: t[0] === active ? "on" : "", "data-tab": t[0],
      on: { click: function () { tabs(t[0]); t[2](); } } });
  }));
}

function start() {
  tg.ready(); tg.expand();
  api("GET", "me").then(function (m) {
    me = m; T = m.texts;
    document.documentElement.lang = m.language;
    if (document.body.dataset.demo === "1") {
      var banner = document.getElementById("demo-banner"); banner.textContent = T.demo; banner.hidden = false;
    }
    tabs("catalog", m.cart_count);
    catalog(m);
  }).catch(function (err) { show([el("p", { class: "muted", text: err.message })]); });
}
start();
