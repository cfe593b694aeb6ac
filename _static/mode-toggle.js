// The mode button switches between light and dark. The theme's own button
// steps light, auto, dark: on a light system "auto" looks like light, so the
// first click seemed to do nothing.
document.addEventListener("click", (event) => {
  if (!event.target.closest(".theme-switch-button")) return;
  event.stopPropagation();
  const mode = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode;
  localStorage.setItem("mode", mode);
  localStorage.setItem("theme", mode);
}, true);
