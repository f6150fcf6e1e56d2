// 添加家庭成员: a new family row from the formset's empty form, up to its maximum.
(() => {
  "use strict";
  const add = document.getElementById("family-add");
  if (!add) return;
  add.addEventListener("click", () => {
    const total = document.getElementById("id_family-TOTAL_FORMS");
    const n = parseInt(total.value, 10);
    if (n >= parseInt(document.getElementById("id_family-MAX_NUM_FORMS").value, 10)) return;
    const row = document.getElementById("family-empty").innerHTML.replaceAll("__prefix__", String(n));
    document.querySelector("[data-testid=family-form] tbody").insertAdjacentHTML("beforeend", row);
    total.value = n + 1;
  });
})();
