// What pages ask of the browser, by data-attributes: no inline script anywhere, so the
// Content-Security-Policy can forbid it (script-src 'self').
//   form[data-style-fields]       Bootstrap classes on the fields Django renders bare
//   form[data-confirm="…"]        asks before submitting
//   [data-print]                  prints the page
//   [data-disable-after-request]  disables itself once its htmx request is answered
(() => {
  "use strict";

  const styleFields = (root) => {
    root.querySelectorAll("form[data-style-fields]").forEach((form) => {
      form.querySelectorAll("input, select, textarea").forEach((field) => {
        const type = field.getAttribute("type") || "";
        if (["hidden", "submit", "button", "reset"].includes(type)) return;
        if (type === "checkbox" || type === "radio") field.classList.add("form-check-input");
        else field.classList.add(field.tagName === "SELECT" ? "form-select" : "form-control");
      });
    });
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const el = event.target;
    if (el instanceof HTMLElement && el.matches("[data-disable-after-request]")) el.disabled = true;
  });

  document.addEventListener("htmx:afterSwap", (event) => styleFields(event.target));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => styleFields(document));
  else styleFields(document);
})();
