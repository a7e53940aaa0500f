// A button marked data-once is disabled as soon as its form is sent, so a double
// click sends one request. The server refuses repeats too; this only spares the wait.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.hasAttribute("data-once")) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
