/* mekong default theme: theme toggle, narrow-screen menu and the search
 * bootstrap. Pages read fine without it: the controls it drives carry the
 * `hidden` attribute in the HTML and are only shown once this runs.
 * The search code itself (search.js, then Pagefind) is fetched only when the
 * search field first gets focus. It also closes the table of contents on a
 * narrow screen (so that the text starts on a phone's first screen) and gives
 * every wide table a scroll box that the keyboard can reach (issue 19). */
(function () {
  "use strict";
  /* The page's language's strings (issue 20): an English page has none and keeps these. */
  var S = {};
  try {
    S = JSON.parse(document.getElementById("mekong-strings").textContent) || {};
  } catch (e) {}
  function t(key, english, vars) {
    var s = S[key];
    if (!s) return english;
    for (var k in vars || {}) s = s.split("{" + k + "}").join(vars[k]);
    return s;
  }
  /* Shared with code-copy.js and search.js, which run after this script. */
  window.mekong = window.mekong || {};
  window.mekong.t = t;
  var root = document.documentElement;
  var STORAGE_KEY = "mekong-theme";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function currentTheme() {
    var chosen = root.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") return chosen;
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  /* ---- Theme toggle ---------------------------------------------------- */
  function setupThemeToggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var label = button.querySelector(".visually-hidden");
    function sync() {
      var dark = currentTheme() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = dark ? t("theme_to_light", "Switch to the light theme") : t("theme_to_dark", "Switch to the dark theme");
      if (label) label.textContent = t("dark_theme", "Dark theme");
    }
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch (e) {
        /* storage may be disabled: the choice then lasts for this page only */
      }
      sync();
    });
    if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener("change", sync);
    /* another tab changed the theme */
    window.addEventListener("storage", function (event) {
      if (event.key !== STORAGE_KEY) return;
      if (event.newValue === "dark" || event.newValue === "light") root.setAttribute("data-theme", event.newValue);
      else root.removeAttribute("data-theme");
      sync();
    });
    button.hidden = false;
    sync();
  }

  /* ---- Narrow-screen menu ---------------------------------------------- */
  function setupMenu() {
    var button = document.getElementById("menu-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!button || !sidebar) return;
    function setOpen(open) {
      root.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var open = !root.classList.contains("nav-open");
      setOpen(open);
      if (open) {
        var current = sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a");
        if (current) current.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("nav-open")) {
        setOpen(false);
        button.focus();
      }
    });
    button.hidden = false;
  }

  /* ---- Search bootstrap -------------------------------------------------- */
  function setupSearch() {
    var form = document.querySelector('form[role="search"]');
    var input = document.getElementById("search-input");
    if (!form || !input) return;
    var loading = false;
    function loadSearch() {
      if (loading) return;
      loading = true;
      var script = document.createElement("script");
      script.src = form.getAttribute("data-search-script");
      script.defer = true;
      document.head.appendChild(script);
    }
    input.addEventListener("focus", loadSearch);
    /* Without search.js yet, never let the form navigate away. */
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
    form.hidden = false;
  }

  /* ---- Table of contents: open beside the text, closed above it --------- */
  function setupToc() {
    var details = document.querySelector(".toc-details");
    if (!details || !window.matchMedia) return;
    var wide = window.matchMedia("(min-width: 56rem)");
    function sync() {
      details.open = wide.matches;
    }
    sync();
    if (wide.addEventListener) wide.addEventListener("change", sync);
  }

  /* ---- Wide tables: a labelled scroll box, focusable when it scrolls ----- */
  function setupTables() {
    var tables = document.querySelectorAll(".prose table");
    var boxes = [];
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.parentNode.classList && table.parentNode.classList.contains("table-scroll")) continue;
      var box = document.createElement("div");
      box.className = "table-scroll";
      var head = table.querySelector("th:not(:empty)");
      box.setAttribute("data-label", t("table", "Table") + (head ? ": " + head.textContent.trim() : "") + " " + t("table_scrolls", "(scrolls sideways)"));
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      boxes.push(box);
    }
    function sync() {
      for (var j = 0; j < boxes.length; j++) {
        var b = boxes[j];
        var scrolls = b.scrollWidth > b.clientWidth + 1;
        b.classList.toggle("is-scrollable", scrolls);
        if (scrolls) {
          b.setAttribute("tabindex", "0");
          b.setAttribute("role", "region");
          b.setAttribute("aria-label", b.getAttribute("data-label"));
        } else {
          b.removeAttribute("tabindex");
          b.removeAttribute("role");
          b.removeAttribute("aria-label");
        }
      }
    }
    sync();
    window.addEventListener("resize", sync);
  }

  function init() {
    setupThemeToggle();
    setupMenu();
    setupSearch();
    setupToc();
    setupTables();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
