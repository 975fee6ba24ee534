// The Disqus embed, for sites that chose it. Disqus reads its page settings from a
// global function; the values come from data attributes, so the page needs no inline script.
(function () {
  var thread = document.getElementById("disqus_thread");
  if (!thread) return;
  var shortname = thread.dataset.shortname;
  if (!/^[a-z0-9-]+$/.test(shortname)) return;
  window.disqus_config = function () {
    this.page.url = thread.dataset.url;
    this.page.identifier = thread.dataset.identifier;
  };
  var script = document.createElement("script");
  script.src = "https://" + shortname + ".disqus.com/embed.js";
  script.setAttribute("data-timestamp", String(+new Date()));
  document.body.appendChild(script);
})();
