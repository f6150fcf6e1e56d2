// The campaign form shows only the fields of the chosen rule and recurrence; the others keep their values.
(() => {
  "use strict";
  const rule = document.getElementById("id_rule_type");
  const recurrence = document.getElementById("id_recurrence");
  if (!rule || !recurrence) return;
  const show = (ids, on) =>
    ids.forEach((id) => {
      const row = document.getElementById(id)?.closest(".row");
      if (row) row.hidden = !on;
    });
  const update = () => {
    show(["id_threshold", "id_reduction"], rule.value !== "discount");
    show(["id_discount_percent"], rule.value === "discount");
    show(["id_occurrence_month", "id_occurrence_start_day", "id_occurrence_days"], recurrence.value === "quarterly");
  };
  rule.addEventListener("change", update);
  recurrence.addEventListener("change", update);
  update();
})();
