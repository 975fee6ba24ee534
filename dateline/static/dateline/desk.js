// The desk screen: poll for new arrivals (a short request every few seconds, no
// long-held connection), keyboard shortcuts, and the browser's time zone for
// scheduling. Our own file: the CSP allows scripts from 'self' only.
(function () {
  "use strict";
  var POLL_MS = 5000;

  document.querySelectorAll(".local-time-zone").forEach(function (input) {
    try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { /* UTC */ }
  });

  var table = document.getElementById("pool");
  if (!table) return;
  var tbody = table.tBodies[0];
  var notice = document.getElementById("arrivals");
  var cursor = table.dataset.cursor;
  var since = table.dataset.since;

  // Rows another editor (or the wire) changed: replace the copies on screen.
  function replaceChanged(htmlRows) {
    if (!htmlRows || !htmlRows.length) return;
    var holder = document.createElement("tbody");
    holder.innerHTML = htmlRows.join("");
    Array.prototype.slice.call(holder.children).forEach(function (row) {
      var old = tbody.querySelector('tr[data-id="' + row.dataset.id + '"]');
      if (old) {
        if (old.classList.contains("current")) row.classList.add("current");
        var box = old.querySelector("input[type=checkbox]");
        if (box && box.checked) row.querySelector("input[type=checkbox]").checked = true;
        old.replaceWith(row);
      }
    });
  }
  var current = -1;

  function rows() { return Array.prototype.slice.call(tbody.querySelectorAll("tr.row")); }

  function poll() {
    if (document.hidden) return;
    var url = table.dataset.updates + (table.dataset.updates.indexOf("?") < 0 ? "?" : "&") +
      "after=" + encodeURIComponent(cursor || "") + "&since=" + encodeURIComponent(since);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.ok && (r.headers.get("Content-Type") || "").indexOf("json") >= 0) return r.json();
        say("The desk stopped updating (signed out?): reload the page.");
        return null;
      })
      .then(function (data) {
        if (!data) return;
        since = data.since;
        replaceChanged(data.changed);
        if (!data.rows.length) return;
        var empty = tbody.querySelector("tr.empty");
        if (empty) empty.remove();
        var holder = document.createElement("tbody");
        holder.innerHTML = data.rows.join("");
        // Oldest first: each goes on top, so the newest ends first.
        var fresh = Array.prototype.slice.call(holder.children);
        for (var i = 0; i < fresh.length; i++) {
          if (tbody.querySelector('tr[data-id="' + fresh[i].dataset.id + '"]')) {
            tbody.querySelector('tr[data-id="' + fresh[i].dataset.id + '"]').replaceWith(fresh[i]);
          } else {
            fresh[i].classList.add("fresh");
            tbody.insertBefore(fresh[i], tbody.firstChild);
            if (current >= 0) current++;
          }
        }
        cursor = data.cursor;
        say(data.count + " new item(s) at " + new Date().toLocaleTimeString());
      })
      .catch(function () { /* try again next time */ });
  }
  function say(text) { notice.hidden = false; notice.textContent = text; }

  // Only the newest page follows arrivals (an older page has no cursor).
  if (cursor) setInterval(poll, POLL_MS);

  function select(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function act(kind, extra) {
    var row = rows()[current];
    if (!row) return;
    var url = table.dataset[kind].replace("/0/", "/" + row.dataset.id + "/");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", table.dataset.csrf);
    Object.keys(extra || {}).forEach(function (k) { body.append(k, extra[k]); });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if ((r.headers.get("Content-Type") || "").indexOf("json") >= 0) return r.json();
        return { ok: false, message: "Not done (HTTP " + r.status + "): reload the page and sign in again." };
      })
      .then(function (data) {
        say(data.message);
        if (data.ok) {
          row.querySelector(".status").textContent = data.status;
          row.className = row.className.replace(/status-\w+/, "status-" + data.status);
        }
      });
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    // Enter on a focused link or button does what it says, not "open the current row".
    if (event.key === "Enter" && (tag === "a" || tag === "button" || current < 0)) return;
    var row = rows()[current];
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": case "Enter": if (row) window.location = row.dataset.item; break;
      case "x": if (row) { var box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
      case "p":
        if (!row) break;
        var confidence = row.querySelector(".confidence");
        var sure = confidence && (confidence.textContent === "rule" || parseInt(confidence.textContent, 10) >= 50);
        if (sure || window.confirm("Publish to the suggested section (" + (confidence ? confidence.textContent : "no suggestion") + ")?")) {
          act("publish", { suggested: "1" });
        }
        break;
      case "s": act("spike"); break;
      case "u": act("spike", { undo: "1" }); break;
      case "/": event.preventDefault(); document.getElementById("desk-q").focus(); return;
      default: return;
    }
    event.preventDefault();
  });
})();
