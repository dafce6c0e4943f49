// Keyboard shortcuts of the results viewer (grader serve --results). Loaded from this site only
// (the pages' Content-Security-Policy allows script-src 'self' and nothing inline). Everything also
// works without it: the links and forms are plain HTML.
//   j / n  next row (on the list: the first)   k / p  previous row   a  accept (submits the accept form)
//   o      override: focus the criterion of the override form        /  focus the search box
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function follow(id) {
    var link = document.getElementById(id);
    if (link && link.href) { window.location.assign(link.href); return true; }
    return false;
  }
  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var done = false;
    switch (event.key) {
      case "j": case "n": done = follow("next"); break;
      case "k": case "p": done = follow("prev"); break;
      case "a":
        var form = document.getElementById("accept-form");
        if (form) { form.submit(); done = true; }
        break;
      case "o": done = focus("override-criterion") || focus("override-score"); break;
      case "/": done = focus("f-q"); break;
    }
    if (done) event.preventDefault();
  });
})();
