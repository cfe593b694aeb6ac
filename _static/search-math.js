// Search results quote the pages' text, formulas included as raw LaTeX such
// as \(X\). Sphinx's search page loads no MathJax, so load the site's copy
// once results hold a formula, and typeset them; a formula the quote cuts
// off gives way to an ellipsis.
document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("search-results");
  if (!results) return;
  let mathjax;

  function load() {
    window.MathJax = { startup: { typeset: false } };
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = document.documentElement.dataset.content_root + "mathjax/tex-chtml.js";
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    }).then(() => MathJax.startup.promise);
  }

  let pending;
  new MutationObserver(() => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!/\\\(|\\\[/.test(results.textContent)) return;
      const walker = document.createTreeWalker(results, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const whole = node.textContent.replace(/\\\((?:(?!\\\)).)*$/s, "…");
        if (whole !== node.textContent) node.textContent = whole;
      }
      mathjax = mathjax || load();
      mathjax.then(() => MathJax.typesetPromise([results]));
    }, 200);
  }).observe(results, { childList: true, subtree: true });
});
