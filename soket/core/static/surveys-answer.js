// A survey's skip rule in the browser. A question marked data-shown-if="<field name>"
// shows only while one of the choice codes in data-shown-if-codes is chosen in that
// field. Hidden, its inputs are disabled, so the browser sends nothing for them; the
// server applies the same rule and clears any answer to a hidden question (it is the
// authority: this only spares the person questions that do not concern them). Rules are
// applied in the page's order, so a question hidden hides those that depend on it.
(function () {
  function chosen(form, name) {
    const values = [];
    for (const input of form.elements) {
      if (input.name !== name || input.disabled) {
        continue;
      }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.value) {
        values.push(input.value);
      }
    }
    return values;
  }

  function apply(form) {
    for (const question of form.querySelectorAll("[data-shown-if]")) {
      const wanted = (question.getAttribute("data-shown-if-codes") || "").split(" ");
      const given = chosen(form, question.getAttribute("data-shown-if"));
      const shown = given.some((value) => wanted.includes(value));
      question.hidden = !shown;
      for (const input of question.querySelectorAll("input, select, textarea")) {
        input.disabled = !shown;
      }
    }
  }

  for (const form of document.querySelectorAll("form[data-questionnaire]")) {
    apply(form);
    form.addEventListener("change", () => apply(form));
  }
})();
