// The sales invoice form: pick the customer from the suggestions, add and remove lines, and
// show line amounts and the total as the user types. Display only: the server recomputes
// everything on save, and the form works without this script.
(() => {
  "use strict";

  const form = document.querySelector("[data-invoice-form]");
  if (!form) return;

  const customer = form.querySelector("#id_customer");
  const search = form.querySelector("#id_customer_search");
  const suggestions = form.querySelector("#customer-suggestions");
  const lines = form.querySelector("[data-lines]");
  const totalForms = form.querySelector("#id_lines-TOTAL_FORMS");
  const template = form.querySelector("#invoice-line-template");
  const totalCell = form.querySelector("#invoice-total");

  // --- exact decimal arithmetic: quantities and rates keep 6 places, amounts 2 (half-up) ----

  const PLACES = 6;
  const SCALE = 10n ** BigInt(PLACES);

  function parseDecimal(text) {
    const match = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text || "");
    if (!match || (!match[1] && !match[2])) return null;
    const digits = (match[2] || "").padEnd(PLACES + 1, "0");
    let scaled = BigInt(match[1] || "0") * SCALE + BigInt(digits.slice(0, PLACES));
    if (Number(digits[PLACES]) >= 5) scaled += 1n;
    return scaled;
  }

  function amountInCents(quantity, rate) {
    const divisor = SCALE * SCALE / 100n;
    return (quantity * rate + divisor / 2n) / divisor;
  }

  function money(cents) {
    const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
  }

  function refreshTotals() {
    let total = 0n;
    lines.querySelectorAll("tr[data-line]").forEach((row) => {
      const cell = row.querySelector("[data-line-amount]");
      const quantity = parseDecimal(row.querySelector("[name$='-quantity']").value);
      const rate = parseDecimal(row.querySelector("[name$='-rate']").value);
      const counted = !row.hidden && row.querySelector("select[name$='-item']").value;
      if (quantity === null || rate === null) {
        cell.textContent = "";
        return;
      }
      const cents = amountInCents(quantity, rate);
      cell.textContent = money(cents);
      if (counted) total += cents;
    });
    totalCell.textContent = money(total);
    showCreditWarning(total);
  }

  function showCreditWarning(total) {
    const credit = form.querySelector("[data-credit-left]");
    const warning = form.querySelector("#credit-warning");
    if (!warning) return;
    const left = credit ? credit.dataset.creditLeft : null;
    let crosses = false;
    if (left !== null) {
      const negative = left.trim().startsWith("-");
      const cents = parseDecimal(left.replace("-", "")) / (SCALE / 100n);
      crosses = negative ? total > -cents : total > cents;
    }
    warning.classList.toggle("d-none", !crosses);
  }

  // --- the customer picker ----------------------------------------------------------------

  function closeSuggestions() {
    suggestions.replaceChildren();
    search.setAttribute("aria-expanded", "false");
  }

  suggestions.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-customer-choice]");
    if (!choice || choice.disabled) return;
    customer.value = choice.dataset.customerChoice;
    search.value = choice.dataset.label;
    search.dataset.chosen = choice.dataset.label;
    closeSuggestions();
    customer.dispatchEvent(new Event("change", { bubbles: true }));
  });

  suggestions.addEventListener("keydown", (event) => {
    const options = [...suggestions.querySelectorAll("[data-customer-choice]:not([disabled])")];
    const index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < options.length - 1) options[index + 1].focus();
    else if (event.key === "ArrowUp") (index > 0 ? options[index - 1] : search).focus();
    else if (event.key === "Escape") {
      closeSuggestions();
      search.focus();
    } else return;
    event.preventDefault();
  });

  search.dataset.chosen = search.value;
  search.addEventListener("input", () => {
    // Typing over the chosen customer un-chooses it until another is picked.
    if (search.value !== search.dataset.chosen) customer.value = "";
  });
  search.addEventListener("keydown", (event) => {
    const first = suggestions.querySelector("[data-customer-choice]:not([disabled])");
    if (event.key === "Enter" && first) {
      event.preventDefault(); // Enter picks the first suggestion rather than saving
      first.click();
    } else if (event.key === "ArrowDown") {
      if (first) {
        first.focus();
        event.preventDefault();
      }
    } else if (event.key === "Escape") closeSuggestions();
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#customer-suggestions, #id_customer_search")) closeSuggestions();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target === suggestions) {
      search.setAttribute("aria-expanded", String(!!suggestions.querySelector("[role=option]")));
    }
  });

  // --- lines: add, remove, re-price --------------------------------------------------------

  function enhance(row) {
    row.querySelectorAll("[data-remove-check]").forEach((check) => check.classList.add("d-none"));
    row.querySelectorAll("[data-remove-line]").forEach((button) => (button.hidden = false));
  }

  form.querySelector("[data-add-line]").addEventListener("click", (event) => {
    event.preventDefault();
    const index = Number(totalForms.value);
    const holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
    const row = holder.querySelector("tr");
    lines.append(row);
    totalForms.value = String(index + 1);
    enhance(row);
    htmx.process(row);
    row.querySelector("select").focus();
    refreshTotals();
  });

  lines.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-line]");
    if (!button) return;
    const row = button.closest("tr");
    row.querySelector("input[name$='-DELETE']").checked = true;
    row.hidden = true;
    refreshTotals();
  });

  lines.addEventListener("input", (event) => {
    if (event.target.matches("[name$='-rate']")) {
      delete event.target.dataset.priceListRate; // typed: keep it when the customer changes
      const message = event.target.parentElement.querySelector("[data-rate-message]");
      if (message) message.hidden = !!event.target.value;
    }
    refreshTotals();
  });

  document.body.addEventListener("htmx:afterSettle", (event) => {
    // Fired on each element a response settled (out-of-band ones too): react to the panel's.
    if (event.target.id === "invoice-defaults") {
      // New customer, company or date: re-price the lines whose rate came from a price list.
      lines.querySelectorAll("tr[data-line]:not([hidden])").forEach((row) => {
        const item = row.querySelector("select[name$='-item']");
        const rate = row.querySelector("[name$='-rate']");
        if (item.value && (!rate.value || rate.dataset.priceListRate)) {
          htmx.trigger(item, "change");
        }
      });
    }
    refreshTotals();
  });

  lines.querySelectorAll("tr[data-line]").forEach(enhance);
  refreshTotals();
})();
