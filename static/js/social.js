// Player profile: the "Report" link opens the report form in a modal <dialog> instead of
// going to the report page (which stays the fallback without script or <dialog> support).
(() => {
  "use strict";

  document.querySelectorAll("[data-dialog-open]").forEach((opener) => {
    const dialog = document.getElementById(opener.dataset.dialogOpen);
    if (!dialog || typeof dialog.showModal !== "function") return;

    opener.setAttribute("role", "button");
    opener.setAttribute("aria-haspopup", "dialog");
    opener.setAttribute("aria-controls", dialog.id);
    opener.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
      dialog.querySelector("input, textarea, select")?.focus();
    });

    dialog.querySelectorAll("[data-dialog-close]").forEach((button) => {
      button.addEventListener("click", () => dialog.close());
    });
    // A click on the backdrop (outside the form) closes it too; Escape does natively.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => opener.focus());
  });
})();
