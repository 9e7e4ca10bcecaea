// Search page: an image query by file picker, drag-and-drop or paste; the
// filter rows; fresh thumbnails when signed URLs expire.
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("search-form");
    if (!form) return;

    // The line under the box names the indexes ticked under Options.
    form.addEventListener("change", function (e) {
      if (!e.target.matches('input[name="index"]')) return;
      var names = Array.prototype.map.call(form.querySelectorAll('input[name="index"]:checked'),
        function (b) { return b.getAttribute("data-name"); });
      var shown = form.querySelector(".scope-names");
      if (shown) shown.textContent = names.length ? names.join(", ") : "no index: tick some under Options";
      var why = form.querySelector(".scope-why");
      if (why) why.remove();
    });
    var input = document.getElementById("image");
    var zone = document.getElementById("dropzone");
    var box = document.getElementById("query-image");
    var preview = document.getElementById("image-preview");
    var clear = document.getElementById("image-clear");
    var previewURL = "";

    function showImage(file) {
      if (previewURL) URL.revokeObjectURL(previewURL);
      previewURL = file ? URL.createObjectURL(file) : "";
      box.hidden = !file;
      form.classList.toggle("has-image", !!file);
      if (file) {
        preview.src = previewURL;
        preview.alt = "Searching with the image " + file.name;
      } else {
        preview.removeAttribute("src");
      }
    }

    // setFile puts a dropped or pasted image into the file input, so the
    // form posts it like a picked one.
    function setFile(file) {
      if (!file || !/^image\/(png|jpeg)$/.test(file.type)) {
        flash("Use a JPEG or PNG image.");
        return false;
      }
      var dt = new DataTransfer();
      dt.items.add(file);
      input.files = dt.files;
      showImage(file);
      return true;
    }

    input.addEventListener("change", function () {
      showImage(input.files && input.files[0]);
    });
    clear.addEventListener("click", function () {
      input.value = "";
      showImage(null);
      document.getElementById("q").focus();
    });

    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (e) {
        if (!hasFiles(e)) return;
        e.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function () {
        zone.classList.remove("dragging");
      });
    });
    form.addEventListener("drop", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (setFile(e.dataTransfer.files[0])) form.requestSubmit();
    });
    document.addEventListener("paste", function (e) {
      var items = (e.clipboardData && e.clipboardData.items) || [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].kind === "file" && /^image\//.test(items[i].type)) {
          e.preventDefault();
          if (setFile(items[i].getAsFile())) form.requestSubmit();
          return;
        }
      }
    });

    // Filter rows: add from the template, remove with their button.
    var rows = document.getElementById("filter-rows");
    var tmpl = document.getElementById("filter-row-template");
    document.getElementById("add-filter").addEventListener("click", function () {
      var row = tmpl.content.firstElementChild.cloneNode(true);
      rows.appendChild(row);
      row.querySelector("input").focus();
    });
    rows.addEventListener("click", function (e) {
      var btn = e.target.closest(".remove-filter");
      if (!btn) return;
      var row = btn.closest(".filter-row");
      if (rows.children.length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach(function (el) { el.value = ""; });
      }
      rows.querySelector("input").focus();
    });

    // "More results" replaces its own list item: a keyboard user on it
    // would be dropped on <body>, back at the top. Focus the first new
    // result instead.
    var focusAfter = null;
    document.addEventListener("htmx:beforeSwap", function (e) {
      var li = e.detail.target;
      focusAfter = null;
      if (e.detail.shouldSwap && li && li.matches && li.matches("li.more") && li.contains(document.activeElement)) {
        focusAfter = { list: li.parentElement, prev: li.previousElementSibling };
      }
    });
    document.addEventListener("htmx:afterSettle", function () {
      var f = focusAfter;
      focusAfter = null;
      if (!f) return;
      var first = f.prev ? f.prev.nextElementSibling : f.list.firstElementChild;
      var target = first && first.querySelector("a[href], button");
      if (target) target.focus();
    });

    form.addEventListener("htmx:beforeRequest", function () {
      document.getElementById("results").setAttribute("aria-busy", "true");
    });
    form.addEventListener("htmx:afterRequest", function () {
      document.getElementById("results").removeAttribute("aria-busy");
    });
  }

  function hasFiles(e) {
    return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0;
  }

  function flash(msg) {
    var box = document.getElementById("flash");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = msg;
    box.replaceChildren(p);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
