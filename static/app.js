// Kept whole (~470 lines): one closure whose upload queue, cards, grid refresh and leave-page guard share state (queue, csrf, noteStarted); a split would need globals and more <script> tags.
// Glimpse page behaviour: drag-and-drop and file-picker uploads with
// progress, and small niceties. Everything else is htmx.
(function () {
  "use strict";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  function humanBytes(n) {
    var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
  }

  function newID() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  // Ranges on a timeline carry their place as data-left/data-width
  // (percent): the page's policy allows no style attributes.
  function placeSpans(root) {
    root.querySelectorAll("[data-left][data-width]").forEach(function (el) {
      el.style.left = el.dataset.left + "%";
      el.style.width = el.dataset.width + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { placeSpans(document); });
  document.addEventListener("htmx:load", function (e) { if (e.target.querySelectorAll) placeSpans(e.target); });

  // A form marked data-reset-on-success empties once htmx has sent it.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (e.detail.successful && form && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
  });

  // A form marked data-enter-submits sends its textarea on Enter or
  // Ctrl/Cmd+Enter; Shift+Enter starts a new line, and Enter that ends an
  // input method's composition only ends it.
  function enterSubmits(e) {
    if (e.key !== "Enter" || e.shiftKey || e.altKey || e.isComposing || e.keyCode === 229) return null;
    var ta = e.target;
    return (ta && ta.matches && ta.matches("form[data-enter-submits] textarea") && ta.form) || null;
  }
  // A keypress that follows anyway (some input pipelines send it apart
  // from the keydown) must not put the new line in after all.
  var enterHeld = null; // the textarea whose Enter was taken, until keyup
  document.addEventListener("keypress", function (e) { if (enterSubmits(e)) e.preventDefault(); });
  document.addEventListener("beforeinput", function (e) {
    if (e.target === enterHeld && (e.inputType === "insertLineBreak" || e.inputType === "insertParagraph")) e.preventDefault();
  });
  document.addEventListener("keyup", function (e) { if (e.key === "Enter") enterHeld = null; });
  document.addEventListener("keydown", function (e) {
    var form = enterSubmits(e);
    if (!form) return;
    var ta = e.target;
    enterHeld = ta;
    e.preventDefault();
    if (ta.value.trim() === "") return;
    var button = form.querySelector("[type=submit]");
    if (button && button.disabled) return;
    form.requestSubmit(button || undefined);
  });

  // A new answer comes into view (the column it is in scrolls, or the page).
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.target || e.target.id !== "analysis-answer") return;
    var answer = e.target.querySelector(".answer");
    if (answer) answer.scrollIntoView({ block: "nearest" });
  });

  // A task created in another tab of this session arrives as "task-new":
  // add it only on its own index's page, and only once.
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    if (!e.detail || e.detail.type !== "task-new") return;
    var list = e.target;
    var m = /data-task-id="([^"]+)"/.exec(e.detail.data || "");
    var ix = /data-index-id="([^"]+)"/.exec(e.detail.data || "");
    if (!m || document.getElementById("task-" + m[1]) ||
        (ix && list.getAttribute("data-index-id") !== ix[1])) {
      e.preventDefault();
    }
  });
  // An answer's final form replaces the streaming one, Stop button and all:
  // a keyboard user on Stop would be dropped on <body>. Keep focus on the
  // answer (the swap runs right after this event).
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var el = e.target;
    if (!e.detail || e.detail.type !== "done" || !el.id || !el.contains(document.activeElement)) return;
    var id = el.id;
    setTimeout(function () {
      var fresh = document.getElementById(id);
      if (!fresh || (document.activeElement && document.activeElement !== document.body)) return;
      fresh.setAttribute("tabindex", "-1");
      fresh.focus();
    }, 0);
  });
  // A card that htmx adds (the URL form's answer) may already be there.
  document.addEventListener("htmx:load", function (e) {
    var el = e.target;
    if (!el.getAttribute || !el.getAttribute("data-task-id")) return;
    var same = document.querySelectorAll('[data-task-id="' + el.getAttribute("data-task-id") + '"]');
    if (same.length > 1) el.remove();
  });

  // ---- Recent uploads and the video grid of an index page ----

  // A card that turns ready brings its video into the grid (and the count
  // beside the title): the grid is fetched again, once at a time.
  var refreshing = false, refreshAgain = false;
  function refreshVideos() {
    var videos = document.getElementById("videos");
    if (!videos || !window.htmx) return;
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    var done = function () {
      refreshing = false;
      if (refreshAgain) { refreshAgain = false; refreshVideos(); }
    };
    htmx.ajax("GET", videos.getAttribute("data-refresh-url") + location.search,
      { target: "#videos", swap: "outerHTML" }).then(done, done);
  }
  function noteReady(el) {
    if (!el.matches || !el.matches('#task-list .task-card[data-status="ready"][data-video-id]')) return;
    var videos = document.getElementById("videos");
    if (videos && !videos.querySelector('[data-video-id="' + el.getAttribute("data-video-id") + '"]')) refreshVideos();
  }
  document.addEventListener("htmx:load", function (e) { noteReady(e.target); });

  // Dismiss takes a finished card away once the session has forgotten its
  // task, so that a reload does not bring it back.
  function removeCard(el) {
    // Keyboard focus goes to the next card's Dismiss, else the heading.
    var sib = el.nextElementSibling || el.previousElementSibling;
    var to = (sib && sib.querySelector("[data-dismiss]")) || document.getElementById("tasks-h");
    var hadFocus = el.contains(document.activeElement);
    el.remove();
    if (to && hadFocus) {
      if (!to.matches("button")) to.setAttribute("tabindex", "-1");
      to.focus();
    }
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-dismiss]");
    var el = b && b.closest(".task-card");
    if (!el) return;
    var id = b.getAttribute("data-dismiss");
    if (!id) { removeCard(el); return; } // an upload that never became a task
    if (b.getAttribute("aria-busy") === "true") return;
    b.setAttribute("aria-busy", "true");
    fetch("/tasks/" + encodeURIComponent(id) + "/dismiss", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf() }
    }).then(function (r) {
      if (r.ok) removeCard(el);
      else b.removeAttribute("aria-busy");
    }, function () { b.removeAttribute("aria-busy"); });
  });

  // ---- Uploads ----
  // Files go to an upload URL one at a time (the session cookie is written
  // by one request at a time), each with a card in a list: the index
  // page's recent uploads, or where a failed task's Retry was pressed.
  var zone = null;          // the index page's upload zone, if any
  var queue = [];           // uploads waiting
  var running = false;
  var filesByCard = {};     // client id or task id -> File, for retry

  function card(cid, file) {
    var el = document.createElement("article");
    el.id = "up-" + cid;
    el.className = "task-card status-uploading";
    el.setAttribute("data-testid", "task-card");
    el.setAttribute("data-status", "uploading");
    el.innerHTML =
      '<div class="task-thumb" aria-hidden="true"><span class="thumb-empty"></span></div>' +
      '<div class="task-body">' +
      '<p class="task-name"></p>' +
      '<p class="task-status"><span class="badge" data-testid="task-status">Waiting to upload</span>' +
      '<span class="meta"></span></p>' +
      '<progress max="100" value="0" aria-label="Upload progress"></progress>' +
      '<p class="send-line" id="send-' + cid + '" sse-swap="upload-' + cid + '" hx-swap="outerHTML"></p>' +
      "</div>";
    el.querySelector(".task-name").textContent = file.name;
    el.querySelector(".task-name").title = file.name;
    el.querySelector(".meta").textContent = humanBytes(file.size);
    return el;
  }

  function button(cls, text, attrs) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    Object.keys(attrs).forEach(function (k) { b.setAttribute(k, attrs[k]); });
    return b;
  }

  // rejectCard turns an upload's card into one saying why it was not
  // taken; sameAgain says whether sending the same file again may help.
  function rejectCard(el, reason, sameAgain) {
    el.className = "task-card status-failed";
    el.setAttribute("data-status", "rejected");
    var body = el.querySelector(".task-body");
    var bar = body.querySelector("progress");
    if (bar) bar.remove();
    var send = body.querySelector(".send-line");
    if (send) send.remove();
    var badge = body.querySelector(".badge");
    badge.className = "badge badge-failed";
    badge.textContent = "Not uploaded";
    var p = document.createElement("p");
    p.className = "task-reason";
    p.setAttribute("data-testid", "task-reason");
    p.textContent = reason;
    body.appendChild(p);
    var links = document.createElement("p");
    links.className = "task-links";
    var retry = { "data-retry-upload": el.id.slice(3), "data-testid": "retry" };
    if (sameAgain) retry["data-retry-same"] = "";
    if (el.getAttribute("data-upload-url")) retry["data-upload-url"] = el.getAttribute("data-upload-url");
    links.appendChild(button("btn small", "Retry", retry));
    links.appendChild(button("btn small subtle dismiss", "Dismiss", {
      "data-dismiss": "", "data-testid": "dismiss",
      "aria-label": "Dismiss " + el.querySelector(".task-name").textContent
    }));
    body.appendChild(links);
  }

  // addFiles queues files for where.url, their cards at the top of
  // where.list; the first takes the place of where.replace (the card of
  // the failed task where.replaces, which the session then forgets).
  function addFiles(files, where) {
    var max = zone ? parseInt(zone.getAttribute("data-max-bytes") || "0", 10) : 0;
    Array.prototype.forEach.call(files, function (file, i) {
      var cid = newID();
      filesByCard[cid] = file;
      var el = card(cid, file);
      el.setAttribute("data-upload-url", where.url);
      if (i === 0 && where.replace && where.replace.parentNode) where.replace.replaceWith(el);
      else where.list.insertBefore(el, where.list.firstChild);
      if (window.htmx) htmx.process(el);
      if (file.size === 0) { rejectCard(el, file.name + " is empty.", false); return; }
      if (max > 0 && file.size > max) {
        rejectCard(el, file.name + " is " + humanBytes(file.size) + "; the limit is " + humanBytes(max) + ".", false);
        return;
      }
      var job = { cid: cid, file: file, el: el, url: where.url, replaces: i === 0 ? where.replaces || "" : "" };
      queue.push(job);
      noteStarted(job);
    });
    next();
  }

  function toIndexPage() {
    return { url: zone.getAttribute("data-upload-url"), list: document.getElementById("task-list") };
  }

  function next() {
    if (running || queue.length === 0) return;
    running = true;
    var job = queue.shift();
    upload(job, function () { noteEnded(job); running = false; next(); });
  }

  function upload(job, done) {
    var el = job.el, file = job.file;
    var badge = el.querySelector(".badge");
    var bar = el.querySelector("progress");
    var form = new FormData();
    // Fields before the file: the server reads them before streaming it.
    form.append("client_id", job.cid);
    form.append("size", String(file.size));
    if (job.replaces) form.append("replaces", job.replaces);
    form.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", job.url);
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    badge.textContent = "Uploading 0%";
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor((e.loaded / e.total) * 100);
      badge.textContent = "Uploading " + pct + "%";
      bar.value = pct;
    };
    xhr.upload.onload = function () {
      badge.textContent = "Sending to the API";
      bar.removeAttribute("value");
    };
    xhr.onload = function () {
      // Done first: a retry from a task's page leaves it below, and
      // leaving must not warn about this upload.
      done();
      var html = (xhr.responseText || "").trim();
      if (html.indexOf("<article") === 0) {
        var tmp = document.createElement("div");
        tmp.innerHTML = html;
        var fresh = tmp.firstElementChild;
        var tid = fresh.getAttribute("data-task-id");
        if (tid) filesByCard[tid] = file;
        else filesByCard[job.cid] = file;
        if (tid && el.closest("[data-follow-retry]")) {
          location.assign("/tasks/" + encodeURIComponent(tid)); // a retry from a task's page
        } else if (tid && document.getElementById("task-" + tid)) {
          el.remove(); // the card came first over SSE
        } else {
          if (!tid) fresh.setAttribute("data-upload-url", job.url);
          el.replaceWith(fresh);
          if (window.htmx) htmx.process(fresh);
          noteReady(fresh);
        }
      } else if (xhr.status === 403) {
        rejectCard(el, "Your session changed in another tab. Reload the page and try again.", true);
      } else {
        rejectCard(el, "The server answered " + xhr.status + "; try again.", true);
      }
    };
    xhr.onerror = function () {
      rejectCard(el, "The connection broke during the upload; try again.", true);
      done();
    };
    xhr.send(form);
  }

  // ---- Uploads that leaving the page would lose ----
  // The browser cannot carry a file over a reload, so the names of the
  // uploads in flight are kept for this tab (sessionStorage): leaving asks
  // first, and the next page says what was lost.
  var inFlightKey = "glimpse-uploads-in-flight";
  function inFlight() {
    try { return JSON.parse(sessionStorage.getItem(inFlightKey) || "[]"); } catch (e) { return []; }
  }
  function keepInFlight(list) {
    try {
      if (list.length) sessionStorage.setItem(inFlightKey, JSON.stringify(list));
      else sessionStorage.removeItem(inFlightKey);
    } catch (e) { /* storage off: only the warning remains */ }
  }
  function noteStarted(job) {
    keepInFlight(inFlight().concat([{ cid: job.cid, name: job.file.name, url: job.url }]));
  }
  function noteEnded(job) {
    keepInFlight(inFlight().filter(function (u) { return u.cid !== job.cid; }));
  }

  window.addEventListener("beforeunload", function (e) {
    if (!running && queue.length === 0) return;
    e.preventDefault();
    e.returnValue = ""; // older browsers want it set to show the warning
  });

  // showInterrupted says which uploads the last page of this tab lost, with
  // a way to pick them again.
  function showInterrupted(lost) {
    var flash = document.getElementById("flash");
    if (!flash || lost.length === 0) return;
    var box = document.createElement("div");
    box.className = "flash flash-error interrupted";
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", "interrupted");
    var msg = document.createElement("p");
    var names = lost.map(function (u) { return u.name; }).join(", ");
    msg.textContent = (lost.length === 1 ? "1 upload was interrupted" : lost.length + " uploads were interrupted") +
      " — pick " + (lost.length === 1 ? "it" : "them") + " again: " + names + ".";
    box.appendChild(msg);
    var actions = document.createElement("p");
    actions.className = "row";
    var url = lost[0].url;
    var here = zone && lost.every(function (u) { return u.url === zone.getAttribute("data-upload-url"); });
    if (here) {
      var pick = button("btn small primary", "Pick files again", { "data-testid": "pick-again" });
      pick.addEventListener("click", function () {
        pickFiles(true, function (files) { box.remove(); addFiles(files, toIndexPage()); });
      });
      actions.appendChild(pick);
    } else if (/^\/indexes\/[^/]+\/upload$/.test(url)) {
      var go = document.createElement("a");
      go.className = "btn small primary";
      go.href = url.replace(/\/upload$/, "");
      go.textContent = "Go to the index";
      actions.appendChild(go);
    }
    var dismiss = button("btn small", "Dismiss", {});
    dismiss.addEventListener("click", function () { box.remove(); });
    actions.appendChild(dismiss);
    box.appendChild(actions);
    flash.appendChild(box);
  }

  // pickFiles asks for files with a picker of its own, so that any page
  // can (it must run in a click: browsers open pickers for a gesture only).
  function pickFiles(multiple, then) {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = "video/*";
    input.multiple = multiple;
    input.className = "visually-hidden-input";
    input.setAttribute("data-testid", "retry-file-input");
    input.addEventListener("change", function () {
      if (input.files.length > 0) then(input.files);
      input.remove();
    });
    input.addEventListener("cancel", function () { input.remove(); });
    document.body.appendChild(input);
    input.click();
  }

  // Retry a failed task or a refused upload, on any page: the same file
  // again when this page still has it and the file was not at fault, else
  // the picker. The new card takes the failed one's place.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-retry],[data-retry-upload]");
    var old = b && b.closest(".task-card");
    if (!old) return;
    var key = b.getAttribute("data-retry") || b.getAttribute("data-retry-upload");
    var url = b.getAttribute("data-upload-url") || (zone && zone.getAttribute("data-upload-url"));
    var field = document.getElementById("video-url");
    if (!url || (b.hasAttribute("data-retry-upload") && key.indexOf("url") === 0 && field)) {
      // A refused URL: the form above takes it again.
      if (field) field.focus();
      return;
    }
    var where = { url: url, list: old.parentNode, replace: old, replaces: b.getAttribute("data-retry") || "" };
    var file = b.hasAttribute("data-retry-same") ? filesByCard[key] : null;
    if (file) addFiles([file], where);
    else pickFiles(false, function (files) { addFiles(files, where); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    zone = document.querySelector("#upload[data-upload-url]");
    // Nothing is in flight on a page just loaded: what the list holds was lost.
    var lost = inFlight();
    keepInFlight([]);
    showInterrupted(lost);
    if (!zone) return;
    var input = zone.querySelector('input[type="file"]');
    input.addEventListener("change", function () { addFiles(input.files, toIndexPage()); });

    // Drop anywhere on the page.
    var depth = 0;
    function hasFiles(e) {
      return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0;
    }
    document.addEventListener("dragenter", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      document.body.classList.add("dragging");
    });
    document.addEventListener("dragover", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    document.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) document.body.classList.remove("dragging");
    });
    document.addEventListener("drop", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      document.body.classList.remove("dragging");
      addFiles(e.dataTransfer.files, toIndexPage());
    });
  });
})();
