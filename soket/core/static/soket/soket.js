// A button marked data-once is disabled as soon as its form is sent, so a double
// click sends one request. The server refuses repeats too; this only spares the wait.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.hasAttribute("data-once")) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// What htmx asked for did not come (a refusal, a server error, no network): htmx swaps
// nothing then, so a document being made would say "Đang tạo…" for ever and a button
// stay disabled. The element that asked says what to tell the person instead
// (data-failed, written by the server in the page's language), which also stops its
// polling, since htmx stops polling an element no longer on the page.
function showFailure(event) {
  const asking = event.detail.elt && event.detail.elt.closest("[data-failed]");
  if (!asking) {
    return;
  }
  const message = document.createElement("span");
  message.className = "failed";
  message.setAttribute("role", "alert");
  message.textContent = asking.getAttribute("data-failed");
  asking.replaceWith(message);
}
document.addEventListener("htmx:responseError", showFailure);
document.addEventListener("htmx:sendError", showFailure);
