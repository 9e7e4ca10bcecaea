// Watch page: plays the HLS stream (hls.js where MediaSource exists, the
// browser's own HLS elsewhere) from the matched moment, moves the playhead
// on the timeline, and makes every [data-seek] element on the page seek.
(function () {
  "use strict";

  var video, message, startAt = 0;

  function init() {
    video = document.getElementById("player");
    message = document.getElementById("player-message");
    // Delegation: chapters and highlights arrive later in the analysis panel.
    document.addEventListener("click", onSeekClick);
    showCurrentMoment();
    if (!video) return;
    startAt = parseFloat(video.dataset.start) || 0;
    checkPoster();
    attach(video.dataset.src);
    video.addEventListener("timeupdate", moveHead);
    video.addEventListener("seeked", moveHead);
  }

  function attach(src) {
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ startPosition: startAt });
      hls.on(window.Hls.Events.ERROR, function (_, data) {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
          say("The stream stopped loading; retrying…");
          hls.startLoad();
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
        } else {
          say("This video can't be played here (" + data.details + ").");
          hls.destroy();
        }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    } else {
      say("This browser can't play HLS streams.");
      return;
    }
    video.addEventListener("loadedmetadata", function () {
      if (Math.abs(video.currentTime - startAt) > 0.25) video.currentTime = startAt;
      play();
    }, { once: true });
  }

  // play starts playback; a browser that refuses sound without a click
  // gets a muted start and a note saying how to hear it.
  function play() {
    var p = video.play();
    if (!p || !p.catch) return;
    p.catch(function (err) {
      if (err && err.name === "NotAllowedError" && !video.muted) {
        video.muted = true;
        video.play().then(function () {
          say("Playing muted: unmute with the player's volume control.", 6000);
        }, function () {
          say("Press play to start at " + (video.dataset.startClock || "the start") + ".");
        });
      }
    });
  }

  function seek(t) {
    if (!video || isNaN(t)) return;
    video.currentTime = t;
    play();
    if (video.getBoundingClientRect().top < 0) {
      video.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  }

  function onSeekClick(e) {
    var el = e.target.closest("[data-seek]");
    if (!el || !video) return;
    e.preventDefault();
    seek(parseFloat(el.getAttribute("data-seek")));
  }

  // showCurrentMoment scrolls the list of moments (not the page) to the
  // one being watched.
  function showCurrentMoment() {
    var cur = document.querySelector(".moments .current");
    if (!cur) return;
    var list = cur.parentElement;
    list.scrollTop = Math.max(0, cur.offsetTop - 8);
    list.scrollLeft = Math.max(0, cur.offsetLeft - 8);
  }

  function moveHead() {
    var head = document.getElementById("timeline-head");
    var line = document.querySelector(".timeline[data-duration]");
    var d = video.duration || (line && parseFloat(line.dataset.duration));
    if (!head || !d) return;
    head.style.left = Math.min(100, 100 * video.currentTime / d) + "%";
  }

  // checkPoster swaps an expired signed poster URL for a fresh one.
  function checkPoster() {
    var poster = video.getAttribute("poster");
    var refresh = video.getAttribute("data-refresh");
    if (!poster) return;
    var probe = new Image();
    probe.onerror = function () {
      if (refresh) video.setAttribute("poster", refresh);
      else video.removeAttribute("poster");
    };
    probe.src = poster;
  }

  // say shows a note over the player, for a while when ms is given.
  function say(text, ms) {
    if (!message) return;
    message.textContent = text;
    message.hidden = false;
    if (ms) {
      setTimeout(function () {
        if (message.textContent === text) message.hidden = true;
      }, ms);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
