// Conformance of /gist and /summarize with twelvelabs-js 1.2.0, the last
// version with client.gist and client.summarize. Run after sdk_core.mjs
// (environment in common.mjs). The last stdout line is "RESULT {json}".
import assert from "node:assert/strict";
import { TwelvelabsApiError, client, exampleVideo, step } from "./common.mjs";

const { videoId, duration } = await exampleVideo();

step("gist");
const gist = await client.gist({ videoId, types: ["title", "topic", "hashtag"] });
assert.ok(gist.id && gist.title, `gist ${JSON.stringify(gist)}`);
assert.ok(gist.usage.outputTokens > 0);
// The report is about a train derailment in Ohio; the gist must say so.
const named = [...gist.topics, ...gist.hashtags].join(" ").toLowerCase();
for (const subject of ["derail", "ohio"]) {
  assert.ok(named.includes(subject), `topics and hashtags ${JSON.stringify([gist.topics, gist.hashtags])} do not name ${subject}`);
}
assert.match(gist.title.toLowerCase(), /train/);

step("summary");
const summary = await client.summarize({ videoId, type: "summary" });
assert.equal(summary.summarizeType, "summary");
assert.ok(summary.summary.length > 0);

step("chapters");
const chapter = await client.summarize({ videoId, type: "chapter" });
assert.equal(chapter.summarizeType, "chapter");
let end = 0;
chapter.chapters.forEach((c, i) => {
  assert.equal(c.chapterNumber, i + 1);
  assert.equal(c.startSec, end, `chapter ${i + 1} starts where the last ended`);
  assert.ok(c.endSec > c.startSec && c.chapterTitle && c.chapterSummary, JSON.stringify(c));
  // Older clients read start/end: the description's deprecated whole seconds.
  assert.equal(c.start, Math.floor(c.startSec));
  assert.equal(c.end, Math.floor(c.endSec));
  end = c.endSec;
});
assert.ok(Math.abs(end - duration) < 1, `chapters end at ${end}, the video at ${duration}`);
// Where the report changes, read off its frames and captions: the studio
// anchor hands over to the correspondent at 0:30, who goes split-screen
// with footage at 0:45.5, full screen at 1:18 and split again at 1:28.5;
// the caption under the strap changes subject at the other times.
const scenes = [30, 45.5, 78, 88.5];
const subjects = [40, 52, 62, 74, 84, 96, 106, 118, 128, 140, 150];
const near = (t, ts) => ts.some((x) => Math.abs(t - x) <= 2);
const cuts = chapter.chapters.slice(1).map((c) => c.startSec);
assert.ok(cuts.length >= 2, `only ${chapter.chapters.length} chapters`);
assert.ok(near(cuts[0], [30]), `the first chapter ends at ${cuts[0]}; the anchor hands over at 0:30`);
for (const t of cuts) assert.ok(near(t, scenes) || near(t, subjects), `a chapter starts at ${t}, neither a change of scene nor of subject`);
assert.ok(cuts.filter((t) => near(t, scenes)).length >= 2, `chapters start at ${cuts}; want at least two at scene changes ${scenes}`);

step("highlights");
const highlight = await client.summarize({ videoId, type: "highlight", prompt: "the train" });
assert.equal(highlight.summarizeType, "highlight");
for (const h of highlight.highlights) {
  assert.ok(h.endSec > h.startSec && h.highlight && h.highlightSummary, JSON.stringify(h));
  assert.ok(h.start === Math.floor(h.startSec) && h.end === Math.floor(h.endSec), JSON.stringify(h));
}
// start_sec and end_sec keep what whole seconds lose.
const times = [...chapter.chapters, ...highlight.highlights].flatMap((x) => [x.startSec, x.endSec]);
assert.ok(times.some((t) => !Number.isInteger(t)), `no fraction in ${times}`);

step("errors");
try {
  await client.summarize({ videoId, type: "poem" });
  assert.fail("no error for type poem");
} catch (err) {
  assert.ok(err instanceof TwelvelabsApiError, String(err));
  assert.equal(err.statusCode, 400);
  assert.equal(err.body.code, "parameter_invalid");
}

console.log("RESULT " + JSON.stringify({
  video_id: videoId,
  gist,
  chapters: chapter.chapters.map((c) => [c.startSec, c.endSec, c.chapterTitle]),
  highlights: highlight.highlights.length,
}));
