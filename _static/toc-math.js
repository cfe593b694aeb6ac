// In the page contents a heading's formula is one unbreakable box, so the
// line could break right after it and leave a lone ")" on the next line:
// keep a formula and the punctuation that closes on it together.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".bd-toc span.math, .bd-sidebar span.math").forEach((math) => {
    const next = math.nextSibling;
    const closing = next && next.nodeType === Node.TEXT_NODE && next.textContent.match(/^[)\].,;:!?]+/);
    if (!closing) return;
    next.splitText(closing[0].length);
    const together = document.createElement("span");
    together.style.whiteSpace = "nowrap";
    math.replaceWith(together);
    together.append(math, next);
  });
});
