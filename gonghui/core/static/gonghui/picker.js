/* Pickers: a text box for a code that suggests, as one types, by name, code or pinyin.
 *
 * Every <input data-picker-source="URL"> (core/pickers.py renders them) gets a listbox
 * fed by GET URL?q=… → [{"code", "label"}]. Picking one writes its code into the box,
 * which is still an ordinary input: without this script the form takes the code or
 * the name as typed. ARIA 1.2 combobox: ↓/↑ move, Enter picks, Esc closes.
 * No inline script anywhere (the Content-Security-Policy forbids it).
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MAX_QUERY = 40;
  var counter = 0;

  function setup(input) {
    if (input.dataset.pickerReady) {
      return;
    }
    input.dataset.pickerReady = "1";
    var source = input.dataset.pickerSource;
    var listId = (input.id || "picker-" + (++counter)) + "-options";

    var wrap = document.createElement("div");
    wrap.className = "gh-picker position-relative";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "dropdown-menu gh-picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "候选");
    wrap.appendChild(list);
    // The box holds the code; the name picked is said under it.
    var chosen = document.createElement("div");
    chosen.className = "form-text gh-picker-chosen";
    chosen.setAttribute("aria-live", "polite");
    wrap.appendChild(chosen);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function isOpen() {
      return list.classList.contains("show");
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        var on = i === active;
        option.classList.toggle("active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function pick(index) {
      var item = items[index];
      if (!item) {
        return;
      }
      input.value = item.code;
      chosen.textContent = "已选：" + item.label;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(data) {
      items = Array.isArray(data) ? data : [];
      list.textContent = "";
      active = -1;
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item-text text-muted small";
        none.textContent = "无匹配项";
        list.appendChild(none);
      }
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "dropdown-item";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.code = item.code;
        option.textContent = item.label;
        if (item.kind_label) {
          var kind = document.createElement("span");
          kind.className = "text-muted small ms-2";
          kind.textContent = item.kind_label;
          option.appendChild(kind);
        }
        // mousedown would blur the box (and close the list) before the click lands.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          pick(i);
        });
        list.appendChild(option);
      });
      open();
    }

    function search() {
      var q = input.value.trim().slice(0, MAX_QUERY);
      if (controller) {
        controller.abort();
      }
      if (!q) {
        close();
        return;
      }
      controller = new AbortController();
      var url = source + (source.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (data) {
          if (document.activeElement === input) {
            render(data);
          }
        })
        .catch(function () {
          /* aborted by a newer keystroke, or offline: the box still takes what is typed */
        });
    }

    input.addEventListener("input", function () {
      chosen.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!isOpen()) {
          if (!items.length) {
            return;
          }
          open();
        }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && isOpen() && active >= 0) {
        event.preventDefault(); // picks; the next Enter submits the form
        pick(active);
      } else if (event.key === "Escape" && isOpen()) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function scan(root) {
    if (root.querySelectorAll) {
      root.querySelectorAll("input[data-picker-source]").forEach(setup);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document);
    });
  } else {
    scan(document);
  }
  // Fragments htmx swaps in (an inline form) get their pickers too.
  document.addEventListener("htmx:load", function (event) {
    scan(event.target);
  });
})();
