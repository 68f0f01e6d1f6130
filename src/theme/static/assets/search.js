/* mekong default theme: search as you type, on Pagefind's JS API.
 *
 * Loaded by mekong.js the first time the search field gets focus; it then
 * imports the Pagefind index from <base path>pagefind/pagefind.js, where the
 * base path comes from <html data-base="..."> (the site may live under a
 * sub-path such as /amm51/).
 *
 * Keyboard: "/" focuses the field (mekong.js), ArrowDown/ArrowUp move through
 * the results, Enter opens the selected one, Escape closes the results,
 * clears the field and leaves it. Results are announced in a polite live region.
 *
 * Filters: when the index has any (the default theme marks each page's
 * top-level section, data-pagefind-filter="section[data-section]", and its
 * tags, data-pagefind-filter="tag"), a <select> per filter sits above the
 * results; Tab reaches them from the field, and a change searches again.
 * A result shows the heading its best match is under ("Page › Heading",
 * linking to that heading) and that part's excerpt. */
(function () {
  "use strict";
  if (window.__mekongSearch) return;
  window.__mekongSearch = true;

  var PAGE_SIZE = 10;
  var form = document.querySelector('form[role="search"]');
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !panel) return;
  /* The page's language's strings, from mekong.js (English where a site's own base.html
     does not load it). */
  var t = (window.mekong && window.mekong.t) || function (key, english) { return english; };

  var base = document.documentElement.getAttribute("data-base") || "/";
  if (base.charAt(base.length - 1) !== "/") base += "/";

  var pagefindPromise = null;
  var results = []; /* Pagefind result handles for the current query */
  var shown = 0; /* how many of them are rendered */
  var selected = -1; /* index of the highlighted option, -1 for none */
  var generation = 0; /* guards against out-of-order answers */
  var currentQuery = "";

  var list = document.createElement("div");
  list.id = "search-listbox";
  list.className = "search-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", t("search_results", "Search results"));
  var message = document.createElement("p");
  message.className = "search-message";
  var more = document.createElement("button");
  more.type = "button";
  more.className = "search-more";
  var filterBar = document.createElement("div");
  filterBar.className = "search-filters";
  filterBar.hidden = true;
  var filterSelects = {}; /* filter name -> <select> */
  var FILTER_LABELS = { section: t("filter_section", "Section"), tag: t("filter_tag", "Tag") };
  panel.appendChild(filterBar);
  panel.appendChild(message);
  panel.appendChild(list);
  panel.appendChild(more);
  input.setAttribute("aria-controls", "search-listbox");

  function loadPagefind() {
    if (!pagefindPromise) {
      pagefindPromise = import(base + "pagefind/pagefind.js").then(function (pagefind) {
        return Promise.resolve(pagefind.options({ baseUrl: "/" }) /* index URLs already carry the base path */)
          .then(function () {
            return pagefind.init ? pagefind.init() : null;
          })
          .then(function () {
            return pagefind.filters ? pagefind.filters() : {};
          })
          .then(function (filters) {
            buildFilters(filters || {});
            return pagefind;
          });
      });
      pagefindPromise.catch(function () {
        pagefindPromise = null; /* allow a retry on the next keystroke */
      });
    }
    return pagefindPromise;
  }
  /* Start fetching the index as soon as this script runs (the field has focus). */
  loadPagefind().catch(function () {});

  /* One <select> per filter of the index, its values sorted, "Any" first. */
  function buildFilters(filters) {
    Object.keys(filters)
      .sort()
      .forEach(function (name) {
        var values = Object.keys(filters[name]).sort(function (a, b) {
          return a.localeCompare(b);
        });
        if (!values.length || filterSelects[name]) return;
        var label = document.createElement("label");
        label.className = "search-filter";
        var text = document.createElement("span");
        text.textContent = FILTER_LABELS[name] || name;
        var select = document.createElement("select");
        select.className = "search-filter-select";
        select.setAttribute("data-filter", name);
        var any = document.createElement("option");
        any.value = "";
        any.textContent = t("filter_any", "Any");
        select.appendChild(any);
        values.forEach(function (v) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = v;
          select.appendChild(o);
        });
        select.addEventListener("change", function () {
          run(input.value, true);
        });
        select.addEventListener("keydown", function (event) {
          if (event.key === "Escape") {
            event.preventDefault();
            input.focus();
          }
        });
        label.appendChild(text);
        label.appendChild(select);
        filterBar.appendChild(label);
        filterSelects[name] = select;
      });
    filterBar.hidden = !Object.keys(filterSelects).length;
  }

  function chosenFilters() {
    var chosen = {};
    Object.keys(filterSelects).forEach(function (name) {
      var v = filterSelects[name].value;
      if (v) chosen[name] = v;
    });
    return chosen;
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    selected = -1;
  }

  function clear() {
    generation++;
    results = [];
    shown = 0;
    currentQuery = "";
    list.textContent = "";
    message.textContent = "";
    more.hidden = true;
    close();
  }

  function options() {
    return list.querySelectorAll('[role="option"]');
  }

  function select(index) {
    var opts = options();
    if (!opts.length) return;
    if (index < 0) index = opts.length - 1;
    if (index >= opts.length) index = 0;
    for (var i = 0; i < opts.length; i++) {
      var on = i === index;
      opts[i].setAttribute("aria-selected", on ? "true" : "false");
      opts[i].classList.toggle("is-selected", on);
    }
    selected = index;
    input.setAttribute("aria-activedescendant", opts[index].id);
    opts[index].scrollIntoView({ block: "nearest" });
  }

  function quoted(q) {
    return "\u201c" + q + "\u201d";
  }

  function renderResult(data, index) {
    var a = document.createElement("a");
    a.className = "search-result";
    /* The part of the page under the heading of the best match, when it is not the top. */
    var sub = (data.sub_results || []).filter(function (s) {
      return s.url !== data.url && s.title;
    })[0];
    a.href = sub ? sub.url : data.url;
    a.id = "search-option-" + index;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.tabIndex = -1;
    var meta = data.meta || {};
    var title = document.createElement("span");
    title.className = "search-result-title";
    title.textContent = meta.title || data.url;
    if (sub && sub.title !== meta.title) {
      var heading = document.createElement("span");
      heading.className = "search-result-heading";
      heading.textContent = " \u203a " + sub.title;
      title.appendChild(heading);
    }
    a.appendChild(title);
    if (meta.section && meta.section !== meta.title) {
      var section = document.createElement("span");
      section.className = "search-result-section";
      section.textContent = meta.section;
      a.appendChild(section);
    }
    /* The excerpt of the part under that heading, when there is one. */
    if (sub && sub.excerpt) data = { excerpt: sub.excerpt };
    if (data.excerpt) {
      var excerpt = document.createElement("span");
      excerpt.className = "search-result-excerpt";
      /* Pagefind escapes the page text and adds only <mark> elements. */
      excerpt.innerHTML = data.excerpt;
      a.appendChild(excerpt);
    }
    a.addEventListener("mousemove", function () {
      if (selected !== index) select(index);
    });
    return a;
  }

  function updateMore() {
    var left = results.length - shown;
    more.hidden = left <= 0;
    if (left > 0) {
      var next = Math.min(PAGE_SIZE, left);
      more.textContent =
        t("show_more", "Show " + next + " more result" + (next === 1 ? "" : "s") + (left > next ? " (" + left + " not shown yet)" : ""), { n: next });
    }
  }

  function showMore(gen) {
    var slice = results.slice(shown, shown + PAGE_SIZE);
    var start = shown;
    shown += slice.length;
    return Promise.all(
      slice.map(function (r) {
        return r.data();
      })
    ).then(function (datas) {
      if (gen !== generation) return;
      var frag = document.createDocumentFragment();
      datas.forEach(function (data, i) {
        frag.appendChild(renderResult(data, start + i));
      });
      list.appendChild(frag);
      updateMore();
      return start;
    });
  }

  function run(query, filtered) {
    var q = query.trim();
    if (!q && !filtered) {
      clear();
      announce("");
      return;
    }
    var gen = ++generation;
    currentQuery = q;
    var filters = chosenFilters();
    if (!q && !Object.keys(filters).length) {
      clear();
      announce("");
      return;
    }
    loadPagefind()
      .then(function (pagefind) {
        /* No words but a filter: every page that has it (Pagefind's null search). */
        return pagefind.debouncedSearch(q || null, { filters: filters }, filtered ? 0 : 200);
      })
      .then(function (search) {
        if (search === null || gen !== generation) return; /* superseded */
        results = search.results || [];
        shown = 0;
        selected = -1;
        input.removeAttribute("aria-activedescendant");
        list.textContent = "";
        if (!results.length) {
          message.textContent = q ? t("no_results_for", "No results for " + quoted(q), { q: quoted(q) }) : t("no_results", "No results");
          more.hidden = true;
          announce(message.textContent);
          open();
          return;
        }
        var n = results.length;
        var count = n === 1 ? "_one" : "_other";
        message.textContent = q
          ? t("results_for" + count, n + " result" + (n === 1 ? "" : "s") + " for " + quoted(q), { n: n, q: quoted(q) })
          : t("results" + count, n + " result" + (n === 1 ? "" : "s"), { n: n });
        return showMore(gen).then(function () {
          if (gen !== generation) return;
          open();
          announce(t("results" + count, n + " result" + (n === 1 ? "" : "s"), { n: n }));
        });
      })
      .catch(function () {
        if (gen !== generation) return;
        list.textContent = "";
        more.hidden = true;
        message.textContent = t("search_unavailable", "Search is not available right now.");
        announce(message.textContent);
        open();
      });
  }

  input.addEventListener("input", function () {
    run(input.value);
  });

  input.addEventListener("focus", function () {
    if (currentQuery && input.value.trim() === currentQuery) open();
  });

  input.addEventListener("keydown", function (event) {
    var opts = options();
    switch (event.key) {
      case "ArrowDown":
        if (!opts.length) return;
        event.preventDefault();
        open();
        select(selected + 1);
        break;
      case "ArrowUp":
        if (!opts.length) return;
        event.preventDefault();
        open();
        select(selected - 1);
        break;
      case "Enter":
        event.preventDefault();
        if (panel.hidden || !opts.length) return;
        var target = opts[selected >= 0 ? selected : 0];
        if (target) window.location.href = target.href;
        break;
      case "Escape":
        event.preventDefault();
        input.value = "";
        clear();
        announce("");
        input.blur();
        break;
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  more.addEventListener("click", function () {
    var gen = generation;
    showMore(gen).then(function (start) {
      if (gen !== generation || start === undefined) return;
      input.focus();
      select(start);
      announce(shown + " of " + results.length + " results shown");
    });
  });

  /* Close when the pointer or focus goes elsewhere. */
  document.addEventListener("pointerdown", function (event) {
    if (!form.contains(event.target)) close();
  });
  form.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
  });

  /* The field may already hold text (typed before this script arrived). */
  if (input.value.trim()) run(input.value);
})();
