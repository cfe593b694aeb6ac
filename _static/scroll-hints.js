// Wide tables and equations scroll sideways: mark the edge that has more to
// show, so a reader on a phone sees that the box scrolls. On a narrow page
// a tap on a figure shows it at its full size (in a box that scrolls), so
// its text can be read; another tap fits it to the page again.
(function () {
  const watched = new WeakSet();

  function hint(box) {
    const more = box.scrollWidth - box.clientWidth;
    box.classList.toggle("more-left", more > 1 && box.scrollLeft > 1);
    box.classList.toggle("more-right", more > 1 && box.scrollLeft < more - 1);
  }

  function watch(box) {
    if (!watched.has(box)) {
      watched.add(box);
      box.addEventListener("scroll", () => hint(box), { passive: true });
    }
    hint(box);
  }

  // MathJax typesets after the page loads, so an equation's box appears (and
  // a table's width settles) later: watch their sizes, not the clock.
  const resized = new ResizeObserver((entries) => entries.forEach(({ target }) => {
    const box = target.matches("div.math") ? target.querySelector("mjx-container[display='true']") : target;
    if (box) watch(box);
  }));

  function zoomable(img) {
    const output = img.closest(".cell_output");
    img.classList.add("figure-zoom");
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-pressed", "false");
    const toggle = () => {
      const zoom = !output.classList.contains("zoomed");
      output.classList.toggle("zoomed", zoom);
      img.setAttribute("aria-pressed", String(zoom));
      watch(output);
    };
    img.addEventListener("click", toggle);
    img.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggle();
      }
    });
  }

  function start() {
    document.querySelectorAll(".pst-scrollable-table-container, div.math").forEach((box) => resized.observe(box));
    if (window.matchMedia("(max-width: 40em)").matches) {
      document.querySelectorAll(".cell_output > img").forEach(zoomable);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
