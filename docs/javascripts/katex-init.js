// Render the math that pymdownx.arithmatex (generic mode) wraps in span/div.arithmatex.
// KaTeX itself is copied into the site at build time from an installed package.
function renderMath() {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: true,
    });
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", renderMath);
} else {
  renderMath();
}
