/* mekong default theme: the copy button of code blocks (issue 12).
 *
 * src/markdown/highlight/mod.rs writes every block's button with the `hidden` attribute, so a page
 * without this script shows no dead control. This script shows the buttons only where the
 * browser can copy, and copies what the reader sees: no hidden lines (they are not in the
 * page), no line numbers (generated content), and for console sessions only the commands,
 * without prompts or output. A polite live region announces the result. */
(function () {
  "use strict";
  /* The page's language's strings, from mekong.js (English where a site's own base.html
     does not load it). */
  var t = (window.mekong && window.mekong.t) || function (key, english) { return english; };
  var canClipboard = !!(navigator.clipboard && window.isSecureContext);
  var canExec = !!(document.queryCommandSupported && document.queryCommandSupported("copy"));
  if (!canClipboard && !canExec) return;

  var status = null;
  function announce(message) {
    if (!status) {
      status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = "";
    // A new text node after a tick, so that the same message is announced twice in a row.
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function textOf(code) {
    var clone = code.cloneNode(true);
    var drop = clone.querySelectorAll(".ln, .hl-prompt");
    for (var i = 0; i < drop.length; i++) drop[i].remove();
    var lines = clone.querySelectorAll(".line");
    for (var j = 0; j < lines.length; j++) {
      if (lines[j].querySelector(".hl-output")) lines[j].remove();
    }
    // No trailing newline: pasted into a terminal, the last command must not run by itself.
    return clone.textContent.replace(/\n$/, "");
  }

  function execCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  function done(button, ok) {
    button.textContent = ok ? t("copied", "Copied") : t("copy_failed", "Copy failed");
    button.setAttribute("data-copied", "");
    announce(ok ? t("code_copied", "Code copied to the clipboard") : t("code_not_copied", "Could not copy the code"));
    window.clearTimeout(button._mekongTimer);
    button._mekongTimer = window.setTimeout(function () {
      button.textContent = t("copy", "Copy");
      button.removeAttribute("data-copied");
    }, 2000);
  }

  function copy(button) {
    var body = button.closest(".code-body");
    var code = body && body.querySelector("pre > code");
    if (!code) return;
    var text = textOf(code);
    if (canClipboard) {
      navigator.clipboard.writeText(text).then(
        function () { done(button, true); },
        function () { done(button, canExec && execCopy(text)); }
      );
    } else {
      done(button, execCopy(text));
    }
  }

  function wire() {
    var buttons = document.querySelectorAll("button.code-copy[hidden]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      button.addEventListener("click", function (event) { copy(event.currentTarget); });
      button.textContent = t("copy", button.textContent);
      button.hidden = false;
      // highlight.css keeps a strip above the first line for the button, so it never covers
      // code (a long first line on a phone); without this script there is neither.
      var body = button.closest(".code-body");
      if (body) body.classList.add("has-copy");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
