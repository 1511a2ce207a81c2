// Expand and collapse the rows of a tree report. Rows come depth-first with data-depth; a
// group's button hides or shows the rows below it (keeping collapsed subgroups collapsed).
document.querySelectorAll("table.report-tree").forEach((table) => {
  const rows = Array.from(table.tBodies[0].rows);
  table.addEventListener("click", (event) => {
    const button = event.target.closest("button.tree-toggle");
    if (!button) return;
    const row = button.closest("tr");
    const expand = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(expand));
    const depth = Number(row.dataset.depth);
    let hiddenBelow = Infinity; // the depth under a collapsed subgroup stays hidden
    for (const next of rows.slice(rows.indexOf(row) + 1)) {
      const nextDepth = Number(next.dataset.depth);
      if (nextDepth <= depth) break;
      if (nextDepth > hiddenBelow) continue;
      hiddenBelow = Infinity;
      next.hidden = !expand;
      const inner = next.querySelector("button.tree-toggle");
      if (expand && inner && inner.getAttribute("aria-expanded") === "false") {
        hiddenBelow = nextDepth;
      }
    }
  });
});
