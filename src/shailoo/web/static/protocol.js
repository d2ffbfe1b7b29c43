// Checks the protocol as it is typed: posts the form's numbers to /api/check and shows the
// control relations that fail. The form works without this script; the server checks again.
(function () {
  "use strict";
  var form = document.getElementById("protocol-form");
  var box = document.getElementById("check");
  if (!form || !box || !window.fetch) return;
  var timer = null;

  function body() {
    var data = { votes: {} };
    var filled = true;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit") return;
      if (el.name.indexOf("vote-") === 0) {
        if (el.value === "") filled = false;
        data.votes[el.name.slice(5)] = parseInt(el.value, 10) || 0;
      } else if (el.name === "station" || el.name === "source" || el.name === "reason") {
        data[el.name] = el.value || null;
      } else {
        if (el.value === "") filled = false;
        data[el.name] = parseInt(el.value, 10) || 0;
      }
    });
    return filled && data.station ? data : null;
  }

  function mark(result) {
    // Point at the lines the failed relations name, so the typist sees where to look.
    var bad = {};
    (result.errors || []).forEach(function (e) {
      if (!e.column) return;
      bad[e.column] = true;
      bad["vote-" + e.column] = true;
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (bad[el.name]) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    });
  }

  function show(result) {
    mark(result);
    box.textContent = "";
    function list(items, cls, title) {
      if (!items.length) return;
      var div = document.createElement("div");
      div.className = cls;
      var p = document.createElement("p");
      p.textContent = title;
      div.appendChild(p);
      var ul = document.createElement("ul");
      items.forEach(function (e) {
        var li = document.createElement("li");
        li.setAttribute("data-code", e.code || "");
        li.textContent = "[" + (e.code || e.error) + "] " + e.message;  // text, never markup
        ul.appendChild(li);
      });
      div.appendChild(ul);
      box.appendChild(div);
    }
    if (result.errors) list(result.errors, "errors", "Does not add up yet:");
    if (result.warnings) list(result.warnings, "warnings", "Warnings:");
    if (!result.errors && result.message) list([result], "errors", "Cannot check:");
    if (result.ok) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = "The control relations hold.";
      box.appendChild(ok);
    }
  }

  function check() {
    var data = body();
    if (!data) return;
    fetch("/api/check" + window.location.search, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(data)
    }).then(function (r) { return r.json(); }).then(show).catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
})();
