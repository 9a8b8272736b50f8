/* Live progress on the batch page. The page is complete without this: it has a "Refresh" link.
   Polls the batch's progress.json and swaps numbers and bar-width classes in place (no inline
   styles: the CSP forbids them). Stops when the batch has finished or the page is hidden. */
(function () {
  "use strict";
  var root = document.querySelector("[data-progress-url]");
  if (!root || !window.fetch || root.getAttribute("data-finished") === "true") {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var INTERVAL_MS = 3000;
  var timer = null;

  function setText(selector, value) {
    var element = root.querySelector(selector);
    if (element && element.textContent !== String(value)) {
      element.textContent = String(value);
    }
  }

  function update(data) {
    setText("[data-batch-status]", data.status_label);
    setText("[data-done]", data.done);
    setText("[data-total]", data.total);
    setText("[data-percent]", data.percent);
    var bar = root.querySelector("progress");
    if (bar) {
      bar.max = data.total || 1;
      bar.value = data.done;
      bar.textContent = data.percent + "%";
    }
    data.outcomes.forEach(function (outcome) {
      var row = root.querySelector('[data-outcome="' + outcome.status + '"]');
      if (!row) {
        return;
      }
      var count = row.querySelector("[data-count]");
      if (count) {
        count.textContent = String(outcome.count);
      }
      var fill = row.querySelector(".bar-fill");
      if (fill) {
        fill.className = "bar-fill outcome-" + outcome.status + " bar-w-" + outcome.step;
      }
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        update(data);
        if (data.finished) {
          root.setAttribute("data-finished", "true");
        } else {
          timer = window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        // Signed out or offline: leave the numbers as they are; the Refresh link still works.
        timer = null;
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden && timer) {
      window.clearTimeout(timer);
      timer = null;
    } else if (!document.hidden && !timer && root.getAttribute("data-finished") !== "true") {
      poll();
    }
  });
  timer = window.setTimeout(poll, INTERVAL_MS);
}());
