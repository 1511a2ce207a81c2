// Payment and allocation forms: running totals of the allocate inputs, the paid-to account
// that goes with the mode, and reloading for another company. Money is counted in cents.
(function () {
  "use strict";

  function cents(text) {
    const match = /^\s*(-)?(\d*)(?:\.(\d{0,2})\d*)?\s*$/.exec(String(text || "").replace(/,/g, ""));
    if (!match || (match[2] === "" && match[3] === undefined)) {
      return null;
    }
    const value = Number(match[2] || "0") * 100 + Number((match[3] || "").padEnd(2, "0"));
    return match[1] ? -value : value;
  }

  function money(value) {
    const sign = value < 0 ? "-" : "";
    const whole = Math.floor(Math.abs(value) / 100).toLocaleString("en-US");
    return `${sign}${whole}.${String(Math.abs(value) % 100).padStart(2, "0")}`;
  }

  function recompute() {
    document.querySelectorAll("[data-allocation-table]").forEach((table) => {
      const source = table.dataset.amountInput && document.querySelector(table.dataset.amountInput);
      const amount = source ? cents(source.value) : cents(table.dataset.amount);
      let allocated = 0;
      table.querySelectorAll("input[data-outstanding]").forEach((input) => {
        const value = cents(input.value);
        if (value !== null && value > 0) {
          allocated += value;
        }
      });
      const allocatedCell = table.querySelector("[data-allocated-total]");
      const leftCell = table.querySelector("[data-unallocated-total]");
      const warning = table.querySelector("[data-over-allocated]");
      if (!allocatedCell || !leftCell) {
        return;
      }
      allocatedCell.textContent = money(allocated);
      const left = amount === null ? null : amount - allocated;
      leftCell.textContent = left === null ? "—" : money(left);
      leftCell.classList.toggle("text-danger", left !== null && left < 0);
      if (warning) {
        warning.hidden = !(left !== null && left < 0);
      }
    });
  }

  function defaultAccountFor(mode) {
    const paidTo = document.getElementById("id_paid_to");
    if (!paidTo || paidTo.dataset.touched) {
      return;
    }
    const account = mode === "cash" ? paidTo.dataset.cashAccount : paidTo.dataset.bankAccount;
    if (account) {
      paidTo.value = account;
    }
  }

  function reloadFor(select) {
    const query = new URLSearchParams(window.location.search);
    query.set(select.dataset.reloadOnChange, select.value);
    query.set("customer", select.closest("[data-customer]").dataset.customer);
    query.delete("invoice");
    window.location.search = query.toString();
  }

  document.addEventListener("input", (event) => {
    if (event.target.closest("[data-payment-form]")) {
      recompute();
    }
  });
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!target.closest("[data-payment-form]")) {
      return;
    }
    if (target.id === "id_mode") {
      defaultAccountFor(target.value);
    } else if (target.id === "id_paid_to") {
      target.dataset.touched = "true";
    } else if (target.dataset.reloadOnChange) {
      reloadFor(target);
    }
  });
  document.addEventListener("htmx:afterSettle", recompute);
  document.addEventListener("DOMContentLoaded", recompute);
})();
