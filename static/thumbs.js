// Thumbnails: a signed thumbnail URL lasts an hour. A broken one asks the
// app for a fresh URL once (data-refresh fetches the video again), then
// gives way to a placeholder. Shared by the search and watch pages.
(function () {
  "use strict";
  function broken(img) {
    var next = img.getAttribute("data-refresh");
    if (next) {
      img.removeAttribute("data-refresh");
      img.src = next;
      return;
    }
    var ph = document.createElement("span");
    ph.className = "thumb-placeholder";
    ph.setAttribute("role", "img");
    ph.setAttribute("aria-label", img.alt || "No thumbnail");
    img.replaceWith(ph);
  }
  document.addEventListener("error", function (e) {
    if (e.target instanceof HTMLImageElement && e.target.closest(".thumb, .other-video, .no-stream")) broken(e.target);
  }, true);
  function sweep(root) {
    (root || document).querySelectorAll(".thumb img, .other-video img, .no-stream img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) broken(img);
    });
  }
  // Images that failed before this script ran have no listener to tell.
  window.addEventListener("load", function () { sweep(); });
  document.addEventListener("htmx:afterSettle", function (e) { sweep(e.target); });
  window.glimpseThumbs = { sweep: sweep };
})();
